"""A catalogue of corrupted and hostile packages: each is a report, never a crash, and nothing leaks.

Every case copies the bundled package into a temporary folder, breaks one thing, runs
``syriadata validate`` (in-process, through the command line's ``main``) and checks

- the exit status (1) and that no traceback was printed,
- the problem: file, row (CSV line, or JSON line for the descriptor), column or value, and rule,
- that nothing outside the package folder changed: a folder of "private" files beside it, the
  working directory, and the bundled package (by digest), and that no private content was echoed.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from syriadata.contract.files import bundled_root
from syriadata.cli import main

SECRET = "TOP-SECRET-e3b0c442"


def digest_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


class World:
    """The package copy, a private folder beside it and a working directory.

    ``freeze()`` (called once the broken input is built) digests everything outside the package;
    at teardown the digests must be unchanged.
    """

    def __init__(self, pkg: Path, private: Path, cwd: Path):
        self.pkg, self.private, self.cwd = pkg, private, cwd
        self.before = None

    def digests(self):
        return {name: digest_tree(folder) for name, folder in
                {"private": self.private, "cwd": self.cwd, "bundled": bundled_root() / "data"}.items()}

    def freeze(self):
        self.before = self.digests()


@pytest.fixture
def world(tmp_path, package_copy, monkeypatch):
    """A ``World``; nothing outside its package folder may change after ``freeze()``."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.csv").write_text(f"event_id,source_id\n{SECRET},x\n", encoding="utf-8")
    (private / "notes.txt").write_text(SECRET, encoding="utf-8")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "mine.txt").write_text("my own notes", encoding="utf-8")
    monkeypatch.chdir(cwd)
    w = World(package_copy, private, cwd)
    yield w
    assert w.before is not None, "the test never froze the world"
    assert w.digests() == w.before, "a file outside the package folder changed"


# ----------------------------------------------------------------------------- editing helpers
def rows_of(pkg: Path, table: str) -> list[list[str]]:
    with open(pkg / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(pkg: Path, table: str, rows: list[list[str]]) -> None:
    with open(pkg / "data" / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(table: str, row: int, column: str, value: str):
    """``row`` is the 0-based data row: CSV line ``row + 2``."""
    def edit(pkg, _private):
        rows = rows_of(pkg, table)
        rows[row + 1][rows[0].index(column)] = value
        write_rows(pkg, table, rows)
    return edit


def find_row(pkg: Path, table: str, column: str, value: str) -> int:
    rows = rows_of(pkg, table)
    return next(i - 1 for i, r in enumerate(rows) if i and r[rows[0].index(column)] == value)


def set_cell_where(table: str, key_col: str, key: str, column: str, value: str):
    def edit(pkg, _private):
        set_cell(table, find_row(pkg, table, key_col, key), column, value)(pkg, _private)
    return edit


def edit_bytes(table: str, change: Callable[[bytes], bytes]):
    def edit(pkg, _private):
        path = pkg / "data" / f"{table}.csv"
        path.write_bytes(change(path.read_bytes()))
    return edit


def edit_descriptor(change: Callable[[dict, Path, Path], None]):
    def edit(pkg, private):
        path = pkg / "datapackage.json"
        desc = json.loads(path.read_text(encoding="utf-8"))
        change(desc, pkg, private)
        path.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return edit


def resource(desc: dict, name: str) -> dict:
    return next(r for r in desc["resources"] if r["name"] == name)


def field(desc: dict, table: str, name: str) -> dict:
    return next(f for f in resource(desc, table)["schema"]["fields"] if f["name"] == name)


def set_path(table: str, path_of: Callable[[Path, Path], str]):
    return edit_descriptor(lambda d, pkg, private: resource(d, table).update(path=path_of(pkg, private)))


def replace_line(table: str, line: int, text: str):
    """Replace CSV line ``line`` (1-based, header = 1) with raw ``text``."""
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[line - 1] = text.encode("utf-8") if isinstance(text, str) else text
        return b"\n".join(lines)
    return edit_bytes(table, change)


def insert_line(table: str, line: int, text: bytes):
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines.insert(line - 1, text)
        return b"\n".join(lines)
    return edit_bytes(table, change)


def symlink_file_out(pkg, private):
    target = pkg / "data" / "event_sources.csv"
    target.unlink()
    target.symlink_to(private / "secret.csv")


def symlink_data_out(pkg, private):
    (private / "data").mkdir()
    for f in (pkg / "data").iterdir():
        f.rename(private / "data" / f.name)
    (pkg / "data").rmdir()
    (pkg / "data").symlink_to(private / "data")


def symlink_descriptor_out(pkg, private):
    (pkg / "datapackage.json").rename(private / "datapackage.json")
    (pkg / "datapackage.json").symlink_to(private / "datapackage.json")


def _ev_line(pkg: Path, event_id: str) -> int:
    return find_row(pkg, "control_events", "event_id", event_id) + 2


def nested_window(pkg, private):
    """The first change of a place with two changes gets a window that swallows the second."""
    rows = rows_of(pkg, "control_events")
    h = rows[0]
    col = h.index
    live = sorted((r for r in rows[1:] if r[col("claim_status")] != "retracted"),
                  key=lambda r: (r[col("place_id")], r[col("date_start")], r[col("date_end")]))
    by_place: dict[str, list] = {}
    for r in live:
        by_place.setdefault(r[col("place_id")], []).append(r)
    chain = next(c for c in by_place.values() if len(c) >= 3)
    first = chain[1]  # its window will swallow chain[2], the next change
    first[col("date_end")] = "2025-12-31"  # past the second change's window, which ends by 31 Mar 2025
    first[col("date_precision")] = "months"
    write_rows(pkg, "control_events", rows)


def baseline_second(pkg, private):
    rows = rows_of(pkg, "control_events")
    h = rows[0]
    change = next(r for r in rows[1:] if r[h.index("place_id")] == "aleppo" and r[h.index("event_type")] != "baseline")
    change[h.index("event_type")] = "baseline"
    write_rows(pkg, "control_events", rows)


def drop_sources_of_first_event(pkg, private):
    rows = rows_of(pkg, "event_sources")
    write_rows(pkg, "event_sources", [rows[0]] + [r for r in rows[1:] if r[0] != "E0001"])


def place_without_events(pkg, private):
    rows = rows_of(pkg, "places")
    new = list(rows[1])
    new[0] = "zz_new_place"
    write_rows(pkg, "places", rows + [new])


def duplicate_key(pkg, private):
    rows = rows_of(pkg, "sources")
    write_rows(pkg, "sources", rows[:2] + [rows[1]] + rows[2:])


def reverse_rows(pkg, private):
    rows = rows_of(pkg, "admin1")
    write_rows(pkg, "admin1", [rows[0]] + rows[1:][::-1])


def latin1(pkg, private):
    path = pkg / "data" / "places.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[3] = lines[3].replace(lines[3].split(",")[1], "Homs caf\u00e9", 1)
    path.write_bytes("\n".join(lines).encode("utf-8").replace("caf\u00e9".encode(), "caf\u00e9".encode("latin-1")))


def cp1256(pkg, private):
    path = pkg / "data" / "places.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    keep = [ln for ln in lines[1:] if all(ord(c) < 128 or "\u0600" <= c <= "\u06ff" for c in ln)]
    arabic = [ln for ln in keep if any(ord(c) >= 128 for c in ln)]  # first, so that row 2 is not ASCII
    path.write_bytes("\n".join([lines[0], *arabic, *[ln for ln in keep if ln not in arabic]]).encode("cp1256"))


def trailing_comma_json(pkg, private):
    path = pkg / "datapackage.json"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2] + ",,"
    path.write_text("\n".join(lines), encoding="utf-8")


def gaziantep(pkg, private):  # Gaziantep, Turkey: inside the old lat/lon box
    set_cell_where("places", "place_id", "aleppo", "latitude", "37.0662")(pkg, private)
    set_cell_where("places", "place_id", "aleppo", "longitude", "37.3833")(pkg, private)


def swap_aleppo(pkg, private):
    rows = rows_of(pkg, "places")
    h = rows[0]
    r = next(r for r in rows if r[0] == "aleppo")
    r[h.index("latitude")], r[h.index("longitude")] = r[h.index("longitude")], r[h.index("latitude")]
    write_rows(pkg, "places", rows)


def crlf(pkg, private):
    path = pkg / "data" / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def future(pkg, private):
    set_cell("sources", 1, "date_published", "2999-01-01")(pkg, private)


def crossing_is_a_town(pkg, private):
    set_cell("crossings", 0, "place_id", "aleppo")(pkg, private)


@dataclass
class Case:
    id: str
    edit: Callable
    file: str
    rule: str
    row: int | Callable | None = None      # expected row (line), or a function of the package
    column: str | None = None
    value: str | None = None
    message: str | None = None             # a fragment the report must contain


EV, PL, SRC = "data/control_events.csv", "data/places.csv", "data/sources.csv"
DP = "datapackage.json"

CASES = [
    # --- the descriptor
    Case("descriptor-trailing-comma", trailing_comma_json, DP, "json", row=3, message="not valid JSON"),
    Case("descriptor-empty", lambda p, _: (p / DP).write_bytes(b""), DP, "json", row=1),
    Case("descriptor-array", lambda p, _: (p / DP).write_text("[]"), DP, "descriptor"),
    Case("descriptor-latin1", lambda p, _: (p / DP).write_bytes((p / DP).read_bytes().replace(
        b'"title": "', b'"title": "\xe9', 1)), DP, "encoding"),
    Case("descriptor-no-resources", edit_descriptor(lambda d, *_: d.update(resources=[])), DP, "descriptor",
         column="resources"),
    Case("descriptor-no-version", edit_descriptor(lambda d, *_: d.pop("version")), DP, "descriptor",
         column="version"),
    Case("descriptor-duplicate-resource", edit_descriptor(lambda d, *_: d["resources"].append(dict(d["resources"][0]))),
         DP, "descriptor", column="resources[12].name", value="admin1"),
    Case("resource-without-schema", edit_descriptor(lambda d, *_: resource(d, "actors").pop("schema")), DP, "schema",
         column="resources[4].schema"),
    Case("schema-empty-fields", edit_descriptor(lambda d, *_: resource(d, "actors")["schema"].update(fields=[])), DP,
         "schema", column="resources[4].schema"),
    Case("schema-as-path", edit_descriptor(lambda d, *_: resource(d, "actors").update(schema="actors.schema.json")),
         DP, "schema", value="actors.schema.json"),
    Case("field-type-datetime", edit_descriptor(lambda d, *_: field(d, "sources", "date_published").update(type="datetime")),
         DP, "unsupported-type", value="datetime"),
    Case("field-type-geopoint", edit_descriptor(lambda d, *_: field(d, "places", "latitude").update(type="geopoint")),
         DP, "unsupported-type", value="geopoint"),
    Case("pattern-not-a-regex", edit_descriptor(
        lambda d, *_: field(d, "sources", "url")["constraints"].update(pattern="(unclosed")), DP, "schema",
        value="(unclosed"),
    Case("primary-key-unknown-field", edit_descriptor(
        lambda d, *_: resource(d, "actors")["schema"].update(primaryKey=["nope"])), DP, "schema", value="nope"),
    Case("foreign-key-unknown-resource", edit_descriptor(
        lambda d, *_: resource(d, "control_events")["schema"]["foreignKeys"][0]["reference"].update(resource="ghosts")),
        DP, "schema", value="ghosts"),
    Case("path-dotdot", set_path("event_sources", lambda pkg, private: "../private/secret.csv"), DP, "unsafe-path",
         value="../private/secret.csv", message="'..' is not allowed"),
    Case("path-absolute", set_path("event_sources", lambda pkg, private: str(private / "secret.csv")), DP,
         "unsafe-path", message="absolute paths are not allowed"),
    Case("path-url", set_path("event_sources", lambda pkg, private: "https://example.org/x.csv"), DP, "unsafe-path",
         message="URLs"),
    Case("path-list", edit_descriptor(lambda d, *_: resource(d, "event_sources").update(
        path=["data/event_sources.csv"])), DP, "unsafe-path"),
    Case("path-backslash", set_path("event_sources", lambda pkg, private: "data\\event_sources.csv"), DP,
         "unsafe-path", message="forward slashes"),
    Case("path-symlinked-file", symlink_file_out, DP, "unsafe-path", column="resources[10].path",
         message="resolves outside the package folder"),
    Case("path-symlinked-folder", symlink_data_out, DP, "unsafe-path", message="resolves outside"),
    Case("descriptor-symlinked-out", symlink_descriptor_out, DP, "unsafe-path"),
    # --- file structure and encoding
    Case("file-missing", lambda p, _: (p / "data" / "actors.csv").unlink(), "data/actors.csv", "file"),
    Case("file-empty", edit_bytes("actors", lambda b: b""), "data/actors.csv", "empty-file"),
    Case("file-blank", edit_bytes("actors", lambda b: b"\n\n  \n"), "data/actors.csv", "empty-file"),
    Case("latin-1", latin1, PL, "encoding", row=4, message="Latin-1"),
    Case("windows-1256", cp1256, PL, "encoding", row=2, message="WINDOWS-1256"),
    Case("bom", edit_bytes("actors", lambda b: b"\xef\xbb\xbf" + b), "data/actors.csv", "bom", row=1,
         message="syriadata tidy"),
    Case("nul-byte", replace_line("actors", 3, b"x\x00y"), "data/actors.csv", "csv-syntax", row=3),
    Case("unterminated-quote", replace_line("actors", 5, 'zz_actor,"Never closed,armed_group,,,,,'),
         "data/actors.csv", "csv-syntax", row=5, message="never closed"),
    Case("unterminated-quote-at-end", edit_bytes("actors", lambda b: b + b'zz_actor,"Never closed\n'),
         "data/actors.csv", "csv-syntax", message="unexpected end of data"),
    Case("row-too-long", replace_line("admin1", 3, "SY03,SYR,Rural Damascus,x,y,z,w,extra"),
         "data/admin1.csv", "row-width", row=3, value="8"),
    Case("row-too-short", replace_line("admin1", 4, "SY04,Homs"), "data/admin1.csv", "row-width", row=4,
         value="2"),
    Case("blank-row", insert_line("admin1", 3, b""), "data/admin1.csv", "blank-row", row=3),
    Case("header-renamed", replace_line("admin1", 1, "admin1_pcode,country,name,name_arabic,capital_place_id,region,source_ids"),
         "data/admin1.csv", "header", row=1),
    Case("line-endings-crlf", crlf, "data/actors.csv", "line-endings"),
    Case("trailing-space", replace_line("actors", 2, "contested,Contested,,status,#BBBBBB,,,Status value.,,Not an actor.  "),
         "data/actors.csv", "trailing-space", row=2),
    Case("unsorted", reverse_rows, "data/admin1.csv", "sort-order"),
    Case("hash-stale", set_cell("episodes", 0, "description", "changed"), "data/episodes.csv", "hash"),
    # --- cells
    Case("date-not-a-date", set_cell("control_events", 0, "date_start", "2024-13-45"), EV, "type-date", row=2,
         column="date_start", value="2024-13-45"),
    Case("date-day-first", set_cell("control_events", 0, "date_end", "06/12/2024"), EV, "type-date", row=2,
         value="06/12/2024"),
    Case("integer-with-decimals", set_cell_where("places", "place_id", "aleppo", "population", "12.5"), PL,
         "type-integer", value="12.5"),
    Case("number-not-a-number", set_cell_where("places", "place_id", "aleppo", "latitude", "north"), PL,
         "type-number", value="north"),
    Case("boolean-yes", set_cell("crossings", 0, "official", "yes"), "data/crossings.csv", "type-boolean", row=2,
         value="yes"),
    Case("enum-unknown", set_cell("control_events", 1, "confidence", "very high"), EV, "enum", row=3,
         value="very high"),
    Case("pattern-url", set_cell("sources", 0, "url", "ftp:/nowhere"), SRC, "pattern", row=2, value="ftp:/nowhere"),
    Case("required-empty", set_cell("sources", 0, "publisher", ""), SRC, "required", row=2, column="publisher"),
    Case("duplicate-primary-key", duplicate_key, SRC, "unique", column="source_id"),
    Case("formula-equals", set_cell("control_events", 2, "notes", '=HYPERLINK("http://x","click")'), EV,
         "formula-prefix", row=4, column="notes"),
    Case("formula-at", set_cell("sources", 2, "title", "@SUM(A1:A9)"), SRC, "formula-prefix", row=4),
    Case("formula-plus", set_cell("sources", 3, "notes", "+1 555 0100"), SRC, "formula-prefix", row=5),
    Case("formula-tab", set_cell("sources", 4, "notes", "\tindented"), SRC, "formula-prefix", row=6),
    Case("latitude-out-of-range", set_cell_where("places", "place_id", "aleppo", "latitude", "91.5"), PL, "maximum",
         value="91.5"),
    Case("point-in-france", set_cell_where("places", "place_id", "aleppo", "latitude", "48.85"), PL,
         "outside-country", message="check the source of the coordinates"),
    Case("coordinates-swapped", swap_aleppo, PL, "outside-country", message="look swapped"),
    Case("point-in-turkey", gaziantep, PL, "outside-country", message="km outside SYR"),
    # --- across tables
    Case("unknown-actor", set_cell("control_events", 2, "controller_after", "martians"), EV, "foreign-key", row=4,
         value="martians"),
    Case("unknown-source-in-list", set_cell("crossings", 0, "source_ids", "nw047;zz999"), "data/crossings.csv",
         "foreign-key", row=2, value="zz999"),
    Case("event-without-source", drop_sources_of_first_event, EV, "no-source", row=2, value="E0001"),
    Case("end-before-start", set_cell("control_events", 0, "date_end", "2020-01-01"), EV, "date-order", row=2),
    Case("future-date", future, SRC, "future-date", row=3, value="2999-01-01"),
    Case("precision-mismatch", set_cell("control_events", 0, "date_precision", "month"), EV, "precision", row=2),
    Case("chain-broken", set_cell_where("control_events", "place_id", "aleppo", "controller_before", "isis"), EV,
         "chain"),
    Case("nested-windows", nested_window, EV, "window-order", message="no reading of the dates keeps the order"),
    Case("baseline-not-first", baseline_second, EV, "chain", value="baseline"),
    Case("crossing-is-a-town", crossing_is_a_town, "data/crossings.csv", "crossing-type", value="aleppo"),
    Case("place-without-events", place_without_events, PL, "no-events", value="zz_new_place"),
]


def test_catalogue_is_large_and_unique():
    assert len(CASES) >= 50
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corruption_is_reported(case, world, capsys):
    pkg, private = world.pkg, world.private
    case.edit(pkg, private)
    world.freeze()
    status = main(["validate", str(pkg)])
    out, err = capsys.readouterr()
    assert status == 1, out + err
    assert "Traceback" not in err
    assert SECRET not in out + err, "content outside the package was echoed"
    from syriadata.contract.validate import validate_package

    problems = [p for p in validate_package(pkg) if p.file == case.file and p.rule == case.rule]
    assert problems, f"no [{case.rule}] problem in {case.file}:\n{err}"
    if case.row is not None:
        assert any(p.row == case.row for p in problems), [str(p) for p in problems]
    if case.column is not None:
        assert any(p.column == case.column for p in problems), [str(p) for p in problems]
    if case.value is not None:
        assert any(p.value == case.value for p in problems), [str(p) for p in problems]
    if case.message is not None:
        assert any(case.message in p.message for p in problems), [str(p) for p in problems]
    # the same problem reaches the user in the report, with its file and rule
    assert f"[{case.rule}]" in err and case.file in err


# ---------------------------------------------------------------------- misuse of other commands
def test_unsafe_path_refused_by_every_reader(world):
    """load, tidy, export, release build, qa, info and cite refuse a path out of the package."""
    import syriadata
    from syriadata.errors import PackageError

    pkg, private = world.pkg, world.private
    set_path("event_sources", lambda pkg, private: "../private/secret.csv")(pkg, private)
    world.freeze()
    with pytest.raises(PackageError, match=r"'\.\.' is not allowed"):
        syriadata.load("event_sources", root=pkg)
    with pytest.raises(PackageError):
        syriadata.load("places", root=pkg)  # the whole descriptor is refused, not just that table
    for command in (["tidy", str(pkg)], ["info", str(pkg)], ["qa", str(pkg)], ["codebook", str(pkg)],
                    ["release", "build", "--out", str(pkg.parent / "rel"), "--dir", str(pkg)],
                    ["export", "--format", "csv", "--out", str(pkg.parent / "exp"), "--dir", str(pkg)],
                    ["cite", "--place", "aleppo", "--dir", str(pkg)]):
        assert main(command) == 1, command
    assert not (pkg.parent / "rel").exists() and not (pkg.parent / "exp").exists()


def test_unsafe_path_output_has_no_secret(world, capsys):
    pkg, private = world.pkg, world.private
    symlink_file_out(pkg, private)
    world.freeze()
    for command in (["tidy", str(pkg)], ["info", str(pkg)], ["validate", str(pkg)]):
        assert main(command) == 1
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert (private / "secret.csv").read_text(encoding="utf-8").startswith("event_id")


def test_tidy_refuses_unreadable_file_and_writes_nothing(world, capsys):
    pkg, private = world.pkg, world.private
    latin1(pkg, private)
    world.freeze()
    before = digest_tree(pkg)
    assert main(["tidy", str(pkg)]) == 1
    assert "[encoding]" in capsys.readouterr().err
    assert digest_tree(pkg) == before


def test_tidy_removes_a_byte_order_mark(world):
    from syriadata.contract.validate import validate_package

    pkg = world.pkg
    world.freeze()
    path = pkg / "data" / "actors.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert main(["tidy", str(pkg)]) == 0
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert validate_package(pkg) == []


def test_loaders_raise_package_errors(world):
    import syriadata
    from syriadata.errors import SyriadataError, UnknownTableError, UsageError
    from syriadata.contract.problems import DataValidationError

    pkg, private = world.pkg, world.private
    world.freeze()
    with pytest.raises(UnknownTableError, match="choose from: admin1"):
        syriadata.load("events", root=pkg)
    with pytest.raises(UsageError, match="not both"):
        syriadata.load("places", root=pkg, version="0.1.0")
    latin1(pkg, private)
    with pytest.raises(DataValidationError, match=r"data/places.csv, row 4: value '0x\w+': \[encoding\]"):
        syriadata.load("places", root=pkg)
    trailing_comma_json(pkg, private)
    with pytest.raises(SyriadataError, match="line 3"):
        syriadata.load("actors", root=pkg)


def test_missing_extra_names_the_extra(monkeypatch):
    import sys

    import pandas as pd

    from syriadata.analysis.survival import kaplan_meier
    from syriadata.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "statsmodels", None)
    monkeypatch.setitem(sys.modules, "statsmodels.duration", None)
    monkeypatch.setitem(sys.modules, "statsmodels.duration.survfunc", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "syriadata\[analysis\]"'):
        kaplan_meier(pd.DataFrame())


def test_internal_bug_keeps_its_traceback(monkeypatch):
    """The command line does not disguise a bug as a user error."""
    import syriadata.contract.validate

    def bug(root=None):
        raise KeyError("internal")

    monkeypatch.setattr(syriadata.contract.validate, "validate_package", bug)
    with pytest.raises(KeyError):
        main(["validate"])


def test_validate_catalogue_leaves_no_files_behind(world):
    """Validation only reads: the package folder is byte-identical afterwards."""
    pkg, private = world.pkg, world.private
    set_cell("control_events", 0, "date_start", "2024-13-45")(pkg, private)
    world.freeze()
    before = digest_tree(pkg)
    assert main(["validate", str(pkg)]) == 1
    assert digest_tree(pkg) == before
    assert sorted(os.listdir(pkg)) == ["data", "datapackage.json"]


def test_report_names_a_missing_extra_before_any_work(monkeypatch, tmp_path):
    import sys

    from syriadata.errors import MissingDependencyError
    from syriadata.report import build_report

    monkeypatch.setitem(sys.modules, "seaborn", None)
    with pytest.raises(MissingDependencyError, match=r'syriadata report needs seaborn.*syriadata\[analysis\]'):
        build_report(tmp_path / "rep")
    assert not (tmp_path / "rep").exists()


def test_export_unknown_format_is_a_usage_error(tmp_path):
    from syriadata.errors import UsageError
    from syriadata.releases.export import export_package

    with pytest.raises(UsageError, match="format must be one of csv, parquet, xlsx"):
        export_package(tmp_path / "x", "ods")
    assert not (tmp_path / "x").exists()
