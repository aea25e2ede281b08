"""syriadata diff: rows and schema changes, and the smallest bump they need."""
from __future__ import annotations

import csv
import json

from syriadata.releases.diff import diff_packages
from test_validate_cli import edit_cell


def set_version(pkg, version):
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["version"] = version
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")
    return d


def copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_corrected_value_needs_a_patch_and_shows_old_and_new(package_copy, tmp_path):
    new = copy(package_copy, tmp_path / "new")
    edit_cell(new, "control_events", 1, "date_end", "2024-11-27")
    d = diff_packages(package_copy, new)
    (key, col, old, newv), = d.tables["control_events"].changed
    assert col == "date_end" and newv == "2024-11-27" and old != newv
    assert d.required == "patch" and not d.is_enough()  # same version number
    set_version(new, "9.9.10")
    assert diff_packages(package_copy, new).is_enough()


def test_added_row_needs_minor_removed_row_needs_major(package_copy, tmp_path):
    added = copy(package_copy, tmp_path / "added")
    with open(added / "data" / "episodes.csv", "a", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["zz_test", "Test", "", "SYR", "2025-01-01", "", "", "", "", "",
                                                          "", "false", "", "geonames"])
    d = diff_packages(package_copy, added)
    assert d.tables["episodes"].added == ["zz_test"] and d.required == "minor"
    d_back = diff_packages(added, package_copy)
    assert d_back.tables["episodes"].removed == ["zz_test"] and d_back.required == "major"


def test_schema_changes_are_classified(package_copy, tmp_path):
    new = copy(package_copy, tmp_path / "new")
    d = json.loads((new / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in d["resources"] if r["name"] == "control_events")["schema"]["fields"]
    conf = next(f for f in fields if f["name"] == "confidence")
    conf["constraints"]["enum"] = ["high", "medium"]                 # tightened: major
    place_fields = next(r for r in d["resources"] if r["name"] == "places")["schema"]["fields"]
    next(f for f in place_fields if f["name"] == "latitude")["constraints"]["minimum"] = -95.0  # loosened: minor
    (new / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    changes = dict((msg, lvl) for lvl, msg in diff_packages(package_copy, new).schema)
    assert any(lvl == "major" and "control_events.confidence" in msg for msg, lvl in changes.items())
    assert any(lvl == "minor" and "places.latitude: minimum" in msg for msg, lvl in changes.items())


def test_removed_link_row_is_a_correction_not_a_breaking_change(package_copy, tmp_path):
    new = copy(package_copy, tmp_path / "new")
    path = new / "data" / "event_sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    d = diff_packages(package_copy, new)
    assert len(d.tables["event_sources"].removed) == 1 and d.tables["event_sources"].link_table
    assert d.required == "patch"
