"""`import syriadata` must not pull in the heavy libraries."""
import subprocess
import sys

HEAVY = ["statsmodels", "seaborn", "matplotlib", "frictionless", "pandera", "pandas", "duckdb", "pyarrow"]


def test_import_is_cheap():
    code = "import sys, syriadata; print(' '.join(m for m in %r if m in sys.modules))" % HEAVY
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_loading_does_not_import_analysis_stack():
    code = ("import sys, syriadata; syriadata.load('control_events'); syriadata.control_at('2024-12-07');"
            "print(' '.join(m for m in ['statsmodels','seaborn','matplotlib','frictionless'] if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
