"""A deliberately broken copy of the data makes `syriadata validate DIR` exit 1 with a readable report."""
from __future__ import annotations

import csv
from pathlib import Path


from conftest import run_cli
from syriadata.contract.validate import validate_package


def edit_cell(pkg: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is the 0-based data row (CSV line row + 2)."""
    path = pkg / "data" / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row + 1][rows[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def rules(problems):
    return {(p.file, p.row, p.column, p.rule) for p in problems}


def test_valid_copy_passes(package_copy):
    result = run_cli("validate", str(package_copy))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_broken_copy_reports_every_problem_at_once(package_copy):
    edit_cell(package_copy, "control_events", 0, "date_start", "2024-13-45")       # not a date
    edit_cell(package_copy, "control_events", 1, "confidence", "very high")         # not in the vocabulary
    edit_cell(package_copy, "control_events", 2, "controller_after", "martians")    # unknown actor
    edit_cell(package_copy, "places", 0, "latitude", "48.85")                       # France, not Syria
    edit_cell(package_copy, "sources", 0, "url", "ftp:/nowhere")                    # pattern
    result = run_cli("validate", str(package_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    report = result.stderr
    assert "data/control_events.csv, row 2, column date_start: value '2024-13-45': [type-date]" in report
    assert "data/control_events.csv, row 3, column confidence: value 'very high': [enum]" in report
    assert "data/control_events.csv, row 4, column controller_after: value 'martians': [foreign-key]" in report
    assert "data/places.csv, row 2, column latitude: value '48.85, " in report and "[outside-country]" in report
    assert "data/sources.csv, row 2, column url: value 'ftp:/nowhere': [pattern]" in report
    # the files changed, so the recorded hashes are stale too
    assert "[hash]" in report


def test_chain_break_is_reported(package_copy):
    import pandas as pd

    ev = pd.read_csv(package_copy / "data" / "control_events.csv", dtype=str, keep_default_na=False)
    later = ev.index[ev["controller_before"] != ""][0]
    edit_cell(package_copy, "control_events", int(later), "controller_before", "unknown")
    problems = validate_package(package_copy)
    assert any(p.rule == "chain" and p.row == later + 2 and p.column == "controller_before" for p in problems)


def test_event_without_source_and_future_date(package_copy):
    path = package_copy / "data" / "event_sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first_event = lines[1].split(",")[0]
    path.write_text("".join(l for l in lines if not l.startswith(first_event + ",")), encoding="utf-8")
    edit_cell(package_copy, "sources", 1, "date_published", "2999-01-01")
    problems = validate_package(package_copy)
    assert any(p.rule == "no-source" and p.value == first_event for p in problems)
    assert ("data/sources.csv", 3, "date_published", "future-date") in rules(problems)


def test_window_end_before_start_is_reported(package_copy):
    edit_cell(package_copy, "control_events", 0, "date_end", "2020-01-01")
    problems = validate_package(package_copy)
    assert ("data/control_events.csv", 2, "date_end", "date-order") in rules(problems)


def test_unsorted_rows_and_crlf_are_reported(package_copy):
    path = package_copy / "data" / "admin1.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_bytes(("\r\n".join([lines[0]] + lines[1:][::-1]) + "\r\n").encode())
    found = {p.rule for p in validate_package(package_copy) if p.file == "data/admin1.csv"}
    assert {"sort-order", "line-endings", "hash", "bytes"} <= found


def test_tidy_repairs_order_and_hashes(package_copy):
    path = package_copy / "data" / "admin1.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0]] + lines[1:][::-1]) + "\n", encoding="utf-8")
    assert run_cli("tidy", str(package_copy)).returncode == 0
    assert validate_package(package_copy) == []


def test_missing_folder_is_a_clear_error(tmp_path):
    result = run_cli("validate", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "nope: no such folder" in result.stderr
    assert "Traceback" not in result.stderr
