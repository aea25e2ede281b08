"""Answers that say what they cover: dates, coverage, unknown ids, the state on a day, exports."""
from __future__ import annotations

import json
import re
import warnings

import pandas as pd
import pytest

import syriadata
from syriadata.engine.control import CoverageWarning, control_at, crossing_status_at
from syriadata.errors import UsageError

from conftest import run_cli


@pytest.mark.parametrize("bad", ["06/12/2024", "6 Dec 2024", "2024-12-6", "2024-02-30", None, 20241206])
def test_control_at_refuses_a_day_that_is_not_iso(bad):
    with pytest.raises(UsageError, match="use YYYY-MM-DD"):
        control_at(bad)


def test_control_at_accepts_dates_and_timestamps():
    import datetime as dt

    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)
        a = control_at("2024-12-06")
        b = control_at(pd.Timestamp("2024-12-06"))
        c = control_at(dt.date(2024, 12, 6))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


@pytest.mark.parametrize("day, side", [("1900-01-01", "before the first baseline"),
                                       ("2030-01-01", "after the last sourced day")])
def test_a_day_outside_the_coverage_warns_and_says_the_coverage(day, side):
    events = syriadata.load_control_events()
    first, last = events["date_start"].min(), events["date_end"].max()
    with pytest.warns(CoverageWarning) as caught:
        control_at(day)
    text = str(caught[0].message)
    assert side in text and f"{first:%Y-%m-%d} to {last:%Y-%m-%d}" in text


def test_one_country_has_its_own_places_and_coverage():
    events = syriadata.load_control_events()
    places = syriadata.load_places()
    syrian = set(places.loc[places["country"] == "SYR", "place_id"].astype(str))
    first = events.loc[events["place_id"].astype(str).isin(syrian), "date_start"].min()
    with pytest.warns(CoverageWarning, match=f"of SYR cover {first:%Y-%m-%d}"):
        state = control_at(first - pd.Timedelta(days=1), country="SYR")
    assert set(state["place_id"].astype(str)) <= syrian and state["controller"].isna().all()
    assert set(control_at(first, country="SYR")["place_id"].astype(str)) <= syrian
    with pytest.raises(UsageError, match="no places of country 'XYZ'"):
        control_at(first, country="XYZ")


def test_info_prints_the_coverage():
    events = syriadata.load_control_events()
    out = run_cli("info").stdout
    assert f"coverage: {events['date_start'].min():%Y-%m-%d}" in out
    assert f"{events['date_end'].max():%Y-%m-%d} (last sourced day)" in out


def test_crossing_status_at_returns_every_crossing():
    crossings = syriadata.load_crossings()
    status = crossing_status_at("2024-12-06")
    assert set(status["place_id"]) == set(crossings["place_id"].astype(str))
    assert status["status"].notna().all()
    no_rows = set(crossings["place_id"].astype(str)) - set(syriadata.load_crossing_status()["place_id"].astype(str))
    assert all(status.set_index("place_id").loc[list(no_rows), "status"] == "unknown")


def test_cite_unknown_place_is_an_error_with_suggestions():
    res = run_cli("cite", "--place", "alepo")
    assert res.returncode == 1 and res.stdout == ""
    assert "unknown place id 'alepo'" in res.stderr and "did you mean aleppo" in res.stderr
    res = run_cli("cite", "--event", "E99999")
    assert res.returncode == 1 and "unknown event id 'E99999'" in res.stderr


def test_cite_bibtex_parses_as_a_whole():
    res = run_cli("cite", "--format", "bibtex", "--place", "aleppo")
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert "url = {https://" in text
    # every @entry is a balanced braced block, and nothing lies outside the entries
    depth, outside = 0, []
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        assert depth >= 0
        if depth == 0 and ch not in "{}":
            outside.append(ch)
    assert depth == 0
    assert re.fullmatch(r"(\s*@(misc|comment))*\s*", "".join(outside)), "".join(outside)
    links = syriadata.load_event_sources()
    events = syriadata.load_control_events()
    n = links["event_id"].isin(events.loc[events["place_id"] == "aleppo", "event_id"]).sum()
    bibtexparser = pytest.importorskip("bibtexparser")
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks
    assert len(lib.entries) == 1 + len(set(links.loc[links["event_id"].isin(
        events.loc[events["place_id"] == "aleppo", "event_id"]), "source_id"])) and n


def test_at_table_has_names_and_controllers():
    res = run_cli("at", "2024-12-06")
    assert res.returncode == 0, res.stderr
    line = next(l for l in res.stdout.splitlines() if l.split() and l.split()[0] == "aleppo")
    assert "Aleppo" in line and "hts" in line and "Hay'at Tahrir al-Sham" in line


def test_at_csv_and_reading():
    latest = pd.read_csv(__import__("io").StringIO(run_cli("at", "2024-11-29", "--format", "csv").stdout))
    earliest = pd.read_csv(__import__("io").StringIO(
        run_cli("at", "2024-11-29", "--format", "csv", "--reading", "earliest").stdout))
    assert {"place_id", "name", "latitude", "longitude", "controller", "controller_name", "uncertain"} <= set(latest)
    a, b = (f.set_index("place_id").loc["aleppo"] for f in (latest, earliest))
    assert a["controller"] != b["controller"] and a["uncertain"] and b["uncertain"]


def test_at_geojson_is_lon_lat():
    res = run_cli("at", "2024-12-06", "--format", "geojson")
    assert res.returncode == 0, res.stderr
    fc = json.loads(res.stdout)
    assert fc["type"] == "FeatureCollection"
    aleppo = next(f for f in fc["features"] if f["id"] == "aleppo")
    places = syriadata.load_places().set_index("place_id")
    assert aleppo["geometry"] == {"type": "Point", "coordinates": [places.at["aleppo", "longitude"],
                                                                   places.at["aleppo", "latitude"]]}
    assert aleppo["geometry"]["coordinates"][0] > aleppo["geometry"]["coordinates"][1]  # 37 E, 36 N
    assert aleppo["properties"]["controller"] == "hts"
    missing = places.index[places["latitude"].isna()]
    assert sorted(fc["missing"]) == sorted(missing) and f"{len(missing)} place(s) without coordinates" in res.stderr


def test_at_refuses_a_bad_date_and_warns_outside_coverage():
    res = run_cli("at", "06/12/2024")
    assert res.returncode == 1 and "use YYYY-MM-DD" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("at", "2030-01-01", "--format", "csv")
    assert res.returncode == 0 and "after the last sourced day" in res.stderr


def test_python_m_syriadata_works():
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "syriadata", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("syriadata ")


def test_export_geojson(tmp_path):
    from syriadata.releases.export import export_package

    out = export_package(tmp_path / "g", "geojson")
    fc = json.loads((out / "places.geojson").read_text(encoding="utf-8"))
    places = syriadata.load_places()
    located = places.dropna(subset=["latitude", "longitude"])
    assert len(fc["features"]) == len(located)
    for f in fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert run_cli("export", "--format", "geojson", "--out", str(tmp_path / "h")).returncode == 0


def test_xlsx_dates_widths_and_frozen_header(tmp_path):
    pytest.importorskip("openpyxl")
    from openpyxl import load_workbook

    from syriadata.releases.export import export_package

    out = export_package(tmp_path / "x", "xlsx")
    ws = load_workbook(out / "syriadata.xlsx")["control_events"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("date_start") + 1)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "A2"
    notes = ws.column_dimensions[ws.cell(row=1, column=header.index("notes") + 1).column_letter].width
    event = ws.column_dimensions[ws.cell(row=1, column=header.index("event_id") + 1).column_letter].width
    assert notes > event >= 8 and notes <= 62


# ------------------------------------------------------------------ annotate misuse
def _points(n=20):
    import pandas as pd

    return pd.DataFrame({"latitude": [36.2] * n, "longitude": [37.16] * n, "date": ["2024-12-01"] * n})


def test_annotate_refuses_a_csv_path(tmp_path):
    import syriadata
    from syriadata.errors import UsageError

    path = tmp_path / "points.csv"
    _points().to_csv(path, index=False)
    with pytest.raises(UsageError, match="looks like a CSV file; annotate reads Parquet.*pandas.read_csv"):
        syriadata.annotate(str(path))


def test_annotate_names_missing_columns_of_a_relation():
    duckdb = pytest.importorskip("duckdb")
    import syriadata
    from syriadata.errors import UsageError

    con = duckdb.connect()
    rel = con.sql("select 36.2 as lat, 37.16 as lng, date '2024-12-01' as day")
    with pytest.raises(UsageError, match=r"column\(s\) \['latitude', 'longitude', 'date'\] not in the relation "
                                         r"\(it has lat, lng, day\)"):
        syriadata.annotate(rel)
    got = syriadata.annotate(rel, lat="lat", lon="lng", date="day")
    assert got["place_id"].iloc[0] == "aleppo"


def test_annotate_refuses_an_output_it_cannot_write(tmp_path):
    import syriadata
    from syriadata.errors import UsageError

    with pytest.raises(UsageError, match="does not exist; create it first"):
        syriadata.annotate(_points(), out=tmp_path / "nope" / "out.parquet")
    with pytest.raises(UsageError, match="writes Parquet"):
        syriadata.annotate(_points(), out=tmp_path / "out.csv")


def test_annotate_warns_about_swapped_coordinates():
    import syriadata

    swapped = _points().rename(columns={"latitude": "longitude", "longitude": "latitude"})
    with pytest.warns(UserWarning, match="would match with 'latitude' and 'longitude' swapped"):
        got = syriadata.annotate(swapped)
    assert got["place_id"].isna().all()
    far = _points().assign(latitude=48.85, longitude=2.35)
    with pytest.warns(UserWarning, match="farther than 25.0 km from every place"):
        syriadata.annotate(far)
