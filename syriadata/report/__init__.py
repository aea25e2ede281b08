"""The reproducible report: runs every script in ``analysis/`` for each study and writes HTML."""
from .build import REPORT_NEEDS, analysis_dir, build_report, scripts  # noqa: F401
