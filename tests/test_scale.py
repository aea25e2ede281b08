"""Scale: the fast paths (pyarrow CSV parsing, vectorised checks, the file summary) give exactly
what the careful paths give, on the bundled package and a generated 100,000-row package."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
import pytest

from syriadata.contract import csvfile
from syriadata.contract.descriptor import read_package

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def reference_cells(path: Path, missing: list[str]) -> pd.DataFrame:
    """How the loader read a table before the fast path: the C parser, every cell as text."""
    text = path.read_bytes().decode("utf-8-sig")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=missing)


@pytest.fixture(scope="module")
def big_package(tmp_path_factory):
    from synthetic_package import build

    return build(tmp_path_factory.mktemp("scale") / "pkg", n_places=1_000, n_events=100_000)


def _packages(big):
    return [read_package(None), read_package(big)]


def test_fast_read_is_identical(big_package):
    pytest.importorskip("pyarrow")
    for pkg in _packages(big_package):
        for name in pkg.table_names:
            res = pkg.resource(name)
            missing = res["schema"].get("missingValues", [""])
            data = pkg.path(name).read_bytes()
            fast = csvfile._read_fast(data, missing)
            assert fast is not None, f"{name}: a tidy file should take the fast path"
            pd.testing.assert_frame_equal(fast, reference_cells(pkg.path(name), missing), check_exact=True)
            frame, problems = csvfile.read_cells(pkg.path(name), res["path"], missing)
            assert not problems
            pd.testing.assert_frame_equal(frame, fast)
    assert len(read_package(big_package).path("control_events").read_bytes()) > 0


@pytest.mark.parametrize("text", [
    'a,b\n1,"x ""y"" z"\n',            # escaped quotes
    'a,b\n1,"two\nlines"\n2,\n',        # a quoted newline, a missing cell
    'a,b\n"",""\n',                      # quoted empty cells are missing
    'a,b\n1,2',                          # no final newline
    'a,b\n',                             # header only
])
def test_fast_read_matches_c_parser(tmp_path, text):
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    fast = csvfile._read_fast(path.read_bytes(), [""])
    assert fast is not None
    pd.testing.assert_frame_equal(fast, reference_cells(path, [""]))


@pytest.mark.parametrize("text", [
    'a,b\n1,2\n\n3,4\n',                 # blank row
    'a,b\n1,2,3\n',                      # ragged
    'a,b\n1,"open\n',                    # unterminated quote
    'a,b\n1,x"y\n',                      # a quote inside an unquoted cell
    'a,b\n1,"x"y\n',                     # text after a closing quote
    'a,b\r\n1,2\r\n',                    # CRLF
    'a,a\n1,2\n',                        # duplicate header
])
def test_untidy_files_take_the_careful_path(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert csvfile._read_fast(path.read_bytes(), [""]) is None


def test_summary_counts_match_the_loader(big_package):
    from syriadata.contract.summary import count_records, summarise
    from syriadata.loaders import load

    for root in (None, big_package):
        summary = summarise(root)
        pkg = read_package(root)
        for name in pkg.table_names:
            assert summary["tables"][name] == len(load(name, root=root)), name
        events = load("control_events", root=root)
        assert summary["coverage"]["start"] == f"{events['date_start'].min():%Y-%m-%d}"
        assert summary["coverage"]["end"] == f"{events['date_end'].max():%Y-%m-%d}"
        assert summary["version"] == pkg.version
    assert count_records(b'a,b\n1,"x\n""y""\nz"\n2,3') == 2
    assert count_records(b"a,b\n") == 0


def test_big_package_validates(big_package):
    from syriadata.contract.validate import validate_package

    assert validate_package(big_package) == []


@pytest.mark.parametrize("text, regular", [
    ('a,b\n1,"x ""y"" z"\n', True),
    ('a,b\n1,"two\n\nlines"\n2,\n', True),      # a blank line inside a quoted cell is text
    ('a,b\n"",""\n', True),
    ('a,b\n1,""""\n', True),                     # a cell holding one quote
    ('a,b\n1,2\n\n3,4\n', False),                # a blank row
    ('a,b\n1,x"y\n', False),
    ('a,b\n1,"x"y\n', False),
    ('a,b\n1,"open\n', False),
    ('a,b\n1,2\n\n', False),                     # a blank row at the end
])
def test_quote_scan_across_blocks(monkeypatch, text, regular):
    """The block-by-block scan gives the whole-file answer whatever the block size (quotes and
    newline pairs that straddle two blocks included)."""
    data = text.encode()
    for size in (1, 2, 3, 5, 1 << 24):
        monkeypatch.setattr(csvfile, "BLOCK", size)
        assert csvfile._regular_quotes(data) is regular, size


def test_file_scan_across_blocks(monkeypatch, tmp_path):
    from syriadata.contract.csvfile import FileScan

    data = b"a,b \n1,2\n3,4\t\n5,6\r\n7,8 "  # lines 1, 3 and 5 end with a space or tab; one CR
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    for size in (1, 2, 4, 1 << 24):
        monkeypatch.setattr(csvfile, "BLOCK", size)
        scan = FileScan()
        for _, block in csvfile.blocks(path):
            scan.add(block)
        assert scan.trailing_lines() == [1, 3, 5]
        assert scan.cr and scan.size == len(data)
        import hashlib
        assert scan.sha.hexdigest() == hashlib.sha256(data).hexdigest()


def _careful(monkeypatch, pkg, name):
    """``read_table`` with the typed fast path turned off: every cell read as text, then converted."""
    from syriadata.contract import tables

    with monkeypatch.context() as m:
        m.setattr(tables, "read_typed", lambda *a, **k: None)
        return tables.read_table(pkg, name)


@pytest.mark.parametrize("parse_block", [1 << 24, 1 << 16])  # one parser block, or many (a dictionary each)
def test_typed_read_is_identical_to_the_careful_path(big_package, monkeypatch, parse_block):
    from syriadata.contract.typedread import read_typed

    monkeypatch.setattr(csvfile, "PARSE_BLOCK", parse_block)
    fast_tables = 0
    for pkg in _packages(big_package):
        for name in pkg.table_names:
            res = pkg.resource(name)
            typed = read_typed(pkg.path(name), pkg.fields(name), pkg.primary_key(name),
                               res["schema"].get("missingValues", [""]))
            if typed is None:  # tables with number or boolean fields are left to the careful path
                continue
            fast_tables += 1
            careful, problems = _careful(monkeypatch, pkg, name)
            assert not problems
            pd.testing.assert_frame_equal(typed, careful.reset_index(drop=True), check_exact=True)
    assert fast_tables >= 14  # control_events, event_sources and the other text-and-date tables, twice


def _events_with(tmp_path, cell_column, value, row=-1):
    """A copy of the bundled package whose control_events.csv has ``value`` in one cell."""
    import shutil

    root, bundled = tmp_path / "pkg", read_package(None).root
    shutil.copytree(bundled / "data", root / "data")
    shutil.copy(bundled / "datapackage.json", root)
    path = root / "data" / "control_events.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame.index[row], cell_column] = value
    frame.to_csv(path, index=False, lineterminator="\n")
    return read_package(root)


@pytest.mark.parametrize("column,value,rule", [
    ("date_start", " 2024-12-01", "type-date"),     # pyarrow's own date parser would trim the space
    ("date_start", "2024-12-1", "type-date"),
    ("date_end", "2024-02-30", "type-date"),
    ("confidence", "very high", "enum"),
    ("event_type", "=capture", "enum"),
])
@pytest.mark.parametrize("parse_block", [1 << 24, 1 << 12])
def test_typed_read_declines_bad_encoded_cells(tmp_path, monkeypatch, column, value, rule, parse_block):
    """A bad date or category in a dictionary-encoded column, in the first or a later parser block,
    sends the table to the careful path, which reports that cell."""
    from syriadata.contract.tables import read_table
    from syriadata.contract.typedread import read_typed

    monkeypatch.setattr(csvfile, "PARSE_BLOCK", parse_block)
    pkg = _events_with(tmp_path, column, value)
    assert read_typed(pkg.path("control_events"), pkg.fields("control_events"),
                      pkg.primary_key("control_events"), [""]) is None
    _, problems = read_table(pkg, "control_events")
    assert [(p.column, p.value, p.rule) for p in problems if p.column == column][:1] == [(column, value, rule)]


def test_typed_read_as_codes_matches_text_and_declines_formulas(tmp_path):
    """Text asked for as codes comes back as categories with the same values as the plain read, over
    several parser blocks; a formula-like value in such a column still sends the table to the
    careful path."""
    from syriadata.contract import csvfile, typedread

    fields = [{"name": "id", "type": "string"}, {"name": "holder", "type": "string"}]
    rows = "".join(f"E{i:05d},{'xyz'[i % 3] if i % 7 else ''}\n" for i in range(20_000))
    path = tmp_path / "t.csv"
    path.write_text("id,holder\n" + rows, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csvfile, "PARSE_BLOCK", 1 << 14)  # many blocks, each with its own dictionary
        plain = typedread.read_typed(path, fields, ["id"], [""])
        coded = typedread.read_typed(path, fields, ["id"], [""], as_codes={"holder"})
        assert isinstance(coded["holder"].dtype, pd.CategoricalDtype) and not isinstance(plain["holder"].dtype, pd.CategoricalDtype)
        assert coded["holder"].astype(object).where(coded["holder"].notna(), None).tolist() == \
            plain["holder"].astype(object).where(plain["holder"].notna(), None).tolist()
        path.write_text("id,holder\n" + rows + "E99999,=cmd\n", encoding="utf-8")
        assert typedread.read_typed(path, fields, ["id"], [""], as_codes={"holder"}) is None


@pytest.mark.parametrize("native", [True, False])
def test_typed_read_scans_every_block_through_either_stream(monkeypatch, tmp_path, native):
    """The scans see the blocks whether pyarrow's own stream carries them (a transform) or, where
    pyarrow lacks it, a Python file object: the same frame for a tidy file over many blocks, and
    None for a carriage return or NUL byte past the first block."""
    import pyarrow as pa

    from syriadata.contract import typedread

    if not native:
        monkeypatch.delattr(pa.lib, "TransformInputStream")
    monkeypatch.setattr(csvfile, "PARSE_BLOCK", 1 << 14)
    fields = [{"name": "id", "type": "string"}, {"name": "x", "type": "string"}]
    body = "".join(f"E{i:06d},\"a, {i}\"\n" for i in range(30_000))
    path = tmp_path / "t.csv"
    path.write_text("id,x\n" + body, encoding="utf-8")
    frame = typedread.read_typed(path, fields, ["id"], [""])
    assert len(frame) == 30_000 and frame["x"].iloc[-1] == "a, 29999"
    for bad in (b"E999999,z\r\n", b"E999999,\x00\n"):
        path.write_bytes(b"id,x\n" + body.encode() + bad)
        assert typedread.read_typed(path, fields, ["id"], [""]) is None
