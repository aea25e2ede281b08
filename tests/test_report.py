"""End to end: `syriadata report` builds every table and figure, and the same data gives the same bytes."""
from __future__ import annotations

import hashlib

from conftest import run_cli
from syriadata.report import scripts


def digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_builds_and_is_reproducible(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    result = run_cli("report", "--out", str(first))
    assert result.returncode == 0, result.stderr
    n = len(scripts())
    assert f"[{n}/{n}]" in result.stderr  # progress is shown
    page = (first / "index.html").read_text(encoding="utf-8")
    for script in scripts():
        title = open(script, encoding="utf-8").read().split('"""')[1].strip().splitlines()[0]
        assert title in page, title
    figures = sorted(p.name for p in (first / "figures").iterdir())
    assert len(figures) >= 14 and all(f.endswith((".png", ".svg")) for f in figures)
    assert "data:image/png;base64," in page and "How to cite" in page
    assert (first / "tables" / "days_to_fall.csv").read_text().count("\n") > 100
    assert run_cli("report", "--out", str(second)).returncode == 0
    assert digest(first) == digest(second)
    assert ".syriadata-output.json" in digest(first)  # the marker is part of the reproducible output


def test_invalid_data_is_refused_before_anything_is_written(tmp_path, package_copy):
    """Validation runs first; a failure in the middle of a run is tested in test_output_safety.py."""
    (package_copy / "data" / "places.csv").write_text("broken\n", encoding="utf-8")
    out = tmp_path / "rep"
    result = run_cli("report", "--out", str(out), "--dir", str(package_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".rep.*"))
