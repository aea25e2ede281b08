"""Figures (seaborn on matplotlib) with one fixed, colour-blind-safe colour per actor."""
