"""Shared fixtures: a writable copy of the bundled data package, and a CLI runner."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syriadata.contract.files import bundled_root

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A copy of the bundled package that a test may edit."""
    src = bundled_root()
    dst = tmp_path / "pkg"
    (dst / "data").mkdir(parents=True)
    shutil.copy(src / "datapackage.json", dst / "datapackage.json")
    for csv in (src / "data").glob("*.csv"):
        shutil.copy(csv, dst / "data" / csv.name)
    return dst


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "syriadata.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)
