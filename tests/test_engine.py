"""panel() and annotate() against a slow, obviously correct reference, on random event chains."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import syriadata
from syriadata.errors import UsageError
from fixtures import TOY, events

ACTORS = ["a", "b", "c", "contested"]
DAY0 = dt.date(2020, 1, 1)


@st.composite
def chains(draw):
    """Random per-place chains: a baseline, then changes with random (possibly nested) windows."""
    rows, n = [], 0
    for p in range(draw(st.integers(1, 4))):
        holder = draw(st.sampled_from(ACTORS))
        start = draw(st.integers(0, 5))
        n += 1
        rows.append((f"E{n:04d}", f"p{p}", DAY0 + dt.timedelta(start), DAY0 + dt.timedelta(start), None, holder,
                     "confirmed"))
        for _ in range(draw(st.integers(0, 5))):
            start += draw(st.integers(0, 6))
            width = draw(st.integers(0, 4))
            new = draw(st.sampled_from([a for a in ACTORS if a != holder]))
            status = draw(st.sampled_from(["confirmed", "confirmed", "claimed", "retracted"]))
            n += 1
            rows.append((f"E{n:04d}", f"p{p}", DAY0 + dt.timedelta(start), DAY0 + dt.timedelta(start + width),
                         holder, new, status))
            if status != "retracted":
                holder = new
    return events([(r[0], r[1], str(r[2]), str(r[3]), r[4], r[5], r[6]) for r in rows])


# windows that the random chains reach only now and then: pinned as explicit examples
NESTED = events([("E0001", "p0", "2020-01-01", "2020-01-01", None, "a"),
                 ("E0002", "p0", "2020-01-03", "2020-01-11", "a", "b"),      # a wide window ...
                 ("E0003", "p0", "2020-01-05", "2020-01-05", "b", "c")])     # ... holding a certain day
OVERLAPPING = events([("E0001", "p0", "2020-01-01", "2020-01-01", None, "a"),
                      ("E0002", "p0", "2020-01-03", "2020-01-07", "a", "b"),
                      ("E0003", "p0", "2020-01-05", "2020-01-09", "b", "c"),
                      ("E0004", "p1", "2020-01-02", "2020-01-02", None, "c"),
                      ("E0005", "p1", "2020-01-04", "2020-01-04", "c", "a", "retracted"),
                      ("E0006", "p1", "2020-01-04", "2020-01-06", "c", "b")])


def reference(ev: pd.DataFrame, place: str, day: pd.Timestamp, resolve: str, period_start=None):
    """Walk the chain one event at a time."""
    live = ev[(ev["place_id"] == place) & (ev["claim_status"] != "retracted")]
    live = live.sort_values(["date_start", "date_end", "event_id"])
    controller, eff_so_far = None, pd.Timestamp.min
    lower = day - pd.Timedelta(days=1) if period_start is None else period_start
    uncertain = False
    for e in live.itertuples():
        s, en = e.date_start, e.date_end
        eff = {"earliest": s, "latest": en, "midpoint": s + pd.Timedelta(days=(en - s).days // 2)}[resolve]
        eff_so_far = max(eff_so_far, eff)
        if eff_so_far <= day:
            controller = e.controller_after
        # uncertain days of this window are s .. en-1; does any fall in (lower, day]?
        first, last = max(s, lower + pd.Timedelta(days=1)), min(en - pd.Timedelta(days=1), day)
        uncertain |= first <= last
    return controller, uncertain


@settings(max_examples=60, deadline=None)
@given(ev=chains(), resolve=st.sampled_from(["earliest", "latest", "midpoint"]), freq=st.sampled_from(["D", "3D", "W"]))
@example(ev=NESTED, resolve="latest", freq="D")
@example(ev=NESTED, resolve="midpoint", freq="D")
@example(ev=OVERLAPPING, resolve="earliest", freq="D")
@example(ev=OVERLAPPING, resolve="latest", freq="3D")
def test_panel_matches_reference(ev, resolve, freq):
    start, end = pd.Timestamp(DAY0) - pd.Timedelta(days=2), pd.Timestamp(DAY0) + pd.Timedelta(days=40)
    got = syriadata.panel(start, end, freq=freq, resolve=resolve, events=ev)
    labels = pd.date_range(start, end, freq=freq)
    previous = dict(zip(labels[1:], labels[:-1]))
    for row in got.itertuples():
        lower = previous.get(row.date, start - pd.Timedelta(days=1))
        want = reference(ev, row.place_id, row.date, resolve, lower)
        assert (None if pd.isna(row.controller) else row.controller, bool(row.uncertain)) == want, row


@settings(max_examples=40, deadline=None)
@given(ev=chains(), resolve=st.sampled_from(["earliest", "latest", "midpoint"]),
       days=st.lists(st.integers(-3, 45), min_size=1, max_size=20))
@example(ev=NESTED, resolve="latest", days=list(range(0, 12)))
@example(ev=OVERLAPPING, resolve="midpoint", days=list(range(0, 10)))
def test_control_at_matches_reference(ev, resolve, days):
    for d in days:
        day = pd.Timestamp(DAY0) + pd.Timedelta(days=d)
        snap = syriadata.control_at(day, resolve=resolve, events=ev).set_index("place_id")
        for place in snap.index:
            c, u = reference(ev, place, day, resolve)
            got = snap.at[place, "controller"]
            assert (None if pd.isna(got) else got, bool(snap.at[place, "uncertain"])) == (c, u)


PLACES = pd.DataFrame({"place_id": ["hama", "daraa", "homs"], "latitude": [35.13179, 32.6189, 34.72405],
                       "longitude": [36.75783, 36.10213, 36.72559]})


def test_annotate_nearest_place_distance_and_controller():
    pts = pd.DataFrame({"latitude": [35.14, 34.0, 32.63, 32.63], "longitude": [36.76, 38.0, 36.1, 36.1],
                        "date": pd.to_datetime(["2024-12-06", "2024-12-06", "2024-12-06", "2024-12-07"])})
    out = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=25)
    assert list(out["place_id"].astype("string").fillna("-")) == ["hama", "-", "daraa", "daraa"]
    # 0.01 degrees of latitude is about 1.11 km; the Hama point is 0.00821 N and 0.00217 E of it
    assert out.at[0, "distance_km"] == pytest.approx(0.94, abs=0.02)
    assert list(out["controller"].astype("string").fillna("-")) == ["hts", "-", "syrian_government",
                                                                  "southern_operations_room"]
    assert list(out["uncertain"].astype(object).fillna("-")) == [False, "-", True, False]
    assert list(out.columns[:3]) == ["latitude", "longitude", "date"]  # the user's columns are kept


def test_annotate_agrees_with_control_at_on_every_place():
    day = pd.Timestamp("2024-12-06")
    pts = PLACES.assign(date=day)
    out = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=1).set_index("place_id")
    snap = syriadata.control_at(day, events=TOY).set_index("place_id")
    assert out["controller"].astype("string").to_dict() == snap["controller"].to_dict()
    assert out["uncertain"].astype(bool).to_dict() == snap["uncertain"].to_dict()


def norm(frame):
    """Categoricals as text, so frames from memory, Parquet and DuckDB compare by value."""
    return frame.astype({c: "string" for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def test_annotate_parquet_and_duckdb_in_batches(tmp_path):
    """Parquet files and DuckDB relations give the DataFrame's answers, returned or streamed to a file."""
    duckdb = pytest.importorskip("duckdb")
    rng = np.random.default_rng(1)
    pts = pd.DataFrame({"latitude": rng.uniform(32.5, 35.3, 500), "longitude": rng.uniform(36, 37, 500),
                        "date": pd.Timestamp("2024-12-01") + pd.to_timedelta(rng.integers(0, 10, 500), unit="D")})
    src = tmp_path / "points.parquet"
    pts.to_parquet(src)
    whole = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=60)
    from_parquet = syriadata.annotate(src, events=TOY, places=PLACES, max_km=60, batch_rows=128)
    pd.testing.assert_frame_equal(norm(whole), norm(from_parquet), check_dtype=False)
    out = syriadata.annotate(src, events=TOY, places=PLACES, max_km=60, batch_rows=100, out=tmp_path / "o.parquet")
    pd.testing.assert_frame_equal(norm(whole), norm(pd.read_parquet(out)), check_dtype=False)
    rel = duckdb.connect().from_parquet(str(src))
    from_duck = syriadata.annotate(rel, events=TOY, places=PLACES, max_km=60, batch_rows=77)
    pd.testing.assert_frame_equal(norm(whole), norm(from_duck), check_dtype=False)


def test_annotate_in_slices_matches_one_pass(monkeypatch):
    """A frame longer than the look-up slice is annotated slice by slice: same rows, same index."""
    from syriadata.engine import vectorised

    rng = np.random.default_rng(2)
    pts = pd.DataFrame({"latitude": rng.uniform(32.5, 35.3, 300), "longitude": rng.uniform(36, 37, 300),
                        "date": pd.Timestamp("2024-12-01") + pd.to_timedelta(rng.integers(0, 10, 300), unit="D")},
                       index=pd.RangeIndex(1000, 1300))
    whole = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=60)
    monkeypatch.setattr(vectorised, "_SLICE", 7)
    sliced = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=60)
    pd.testing.assert_frame_equal(whole, sliced)
    assert whole["controller"].notna().sum() > 100  # the comparison covers real look-ups


def test_annotate_names_missing_columns():
    with pytest.raises(UsageError, match="lat=, lon=, date="):
        syriadata.annotate(pd.DataFrame({"x": [1]}), events=TOY, places=PLACES)


def test_annotate_relation_builds_the_table_once_enough_points_came(monkeypatch, tmp_path):
    """Streamed to a file, a DuckDB relation's length is unknown: the binary searches answer the first
    batches, the dense table the rest, from the batch at which the points seen reach its size (by
    DENSE_CELLS_PER_POINT); the answers are the same as one pass over the whole frame."""
    duckdb = pytest.importorskip("duckdb")
    from syriadata.engine import vectorised

    rng = np.random.default_rng(3)
    pts = pd.DataFrame({"latitude": rng.uniform(32.5, 35.3, 500), "longitude": rng.uniform(36, 37, 500),
                        "date": pd.Timestamp("2024-12-01") + pd.to_timedelta(rng.integers(0, 10, 500), unit="D")})
    whole = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=60, dense=False)
    cells = vectorised.DenseControl.cells(vectorised.ControlIndex.build(TOY))
    monkeypatch.setattr(vectorised, "DENSE_CELLS_PER_POINT", cells / 250)  # worth it from 250 points seen
    used = []
    real = vectorised._annotate_frame

    def spy(frame, *args, **kw):
        used.append(args[-2] is not None if len(args) >= 8 else kw.get("dense") is not None)
        return real(frame, *args, **kw)

    monkeypatch.setattr(vectorised, "_annotate_frame", spy)
    rel = duckdb.connect().from_df(pts)
    out = syriadata.annotate(rel, events=TOY, places=PLACES, max_km=60, batch_rows=77, out=tmp_path / "o.parquet")
    got = pd.read_parquet(out)
    # batches of 77: seen 77, 154, 231 (binary searches), then 308 >= 250 (the table) to the end
    assert used[:4] == [False, False, False, True] and all(used[3:])
    pd.testing.assert_frame_equal(norm(whole), norm(got), check_dtype=False)


CHAIN_PLACES = pd.DataFrame({"place_id": ["p0", "p1", "p2", "p3"], "latitude": [33.0, 34.0, 35.0, 36.0],
                             "longitude": [36.0, 36.5, 37.0, 37.5]})


@settings(max_examples=40, deadline=None)
@given(ev=chains(), days=st.lists(st.integers(-3, 45), min_size=1, max_size=30))
@example(ev=NESTED, days=list(range(0, 12)))
@example(ev=OVERLAPPING, days=list(range(0, 10)))
def test_annotate_table_and_binary_search_match_reference(ev, days):
    """The dense table and the one merged binary search give the chain walk's controller and flag."""
    pts = pd.DataFrame({"latitude": np.repeat(CHAIN_PLACES["latitude"].to_numpy(), len(days)),
                        "longitude": np.repeat(CHAIN_PLACES["longitude"].to_numpy(), len(days)),
                        "date": np.tile((pd.Timestamp(DAY0) + pd.to_timedelta(days, unit="D")).to_numpy(), 4)})
    table = syriadata.annotate(pts, events=ev, places=CHAIN_PLACES, max_km=1, dense=True)
    search = syriadata.annotate(pts, events=ev, places=CHAIN_PLACES, max_km=1, dense=False)
    pd.testing.assert_frame_equal(table, search)
    for row in search.itertuples():
        want = reference(ev, row.place_id, row.date, "latest")
        if want[0] is None and row.place_id not in set(ev["place_id"]):
            want = (None, False)
        got = (None if pd.isna(row.controller) else row.controller, bool(row.uncertain))
        assert got == want, row
