"""The package contract: the descriptor, the schemas derived from it, reading and checking tables,
validation, tidying, the codebook and the quality report. Depends only on ``errors``, ``domain``
and ``outlines``; everything else builds on it."""
