"""Analyses of how fast territory changed hands, built on the control events.

Every estimate that depends on when a change happened is computed under each resolution of the
date windows (``earliest``, ``latest``, ``midpoint``) and reported side by side, so a result
carries its own uncertainty band. statsmodels is imported only inside the functions that need it.
"""
