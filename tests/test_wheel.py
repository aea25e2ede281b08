"""The built wheel carries the data: a plain (non-editable) install, used from another folder."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_data_and_loads_every_table(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("syriadata-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "syriadata/package_data/datapackage.json" in names
    assert "syriadata/package_data/data/control_events.csv" in names
    assert "syriadata/releases/releases.json" in names and "syriadata/analysis/study.py" in names
    assert any(n.startswith("syriadata/package_data/analysis/a01") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # what a plain install puts in site-packages
    code = ("import syriadata, sys; from syriadata.contract.files import bundled_root; r = bundled_root();"
            "assert 'package_data' in str(r), r;"
            "n = {t: len(syriadata.load(t)) for t in syriadata.read_package().table_names};"
            "assert all(n.values()), n; print(sum(n.values()));"
            "from syriadata.report import analysis_dir; print(analysis_dir())")
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "package_data/analysis" in run.stdout
