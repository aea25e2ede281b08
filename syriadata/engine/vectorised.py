"""Vectorised control look-ups at scale: place-by-period panels and annotation of dated points.

Both reduce to one question asked millions of times: which event of place *p* was the last to take
effect on or before day *t*? Events are sorted once by (place, effective day) into a single int64
key ``place * 2**32 + day``; every question becomes one ``numpy.searchsorted`` on that key. This
avoids the per-group sorting of ``merge_asof`` and any Python loop over rows or days.
Uncertainty uses the running maximum of window ends per place: day *t* is inside some window of
place *p* iff the largest ``date_end`` among events of *p* starting on or before *t* exceeds *t*.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..domain import OBSERVATION, RETRACTED, window_day
from ..errors import UsageError, require

_SHIFT = np.int64(2**32)
_EPOCH = np.datetime64("1970-01-01", "D")
EARTH_RADIUS_KM = 6371.0088


def _days(values) -> np.ndarray:
    """Dates (anything pandas parses) as int64 days since 1970-01-01; NaT becomes int64 min."""
    arr = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
    out = (arr - _EPOCH).astype(np.int64)
    return np.where(np.isnat(arr), np.iinfo(np.int64).min, out)


@dataclass(frozen=True)
class ControlIndex:
    """Events of many places, sorted for vectorised look-ups."""

    places: pd.Index           # place ids; position = place code
    controllers: pd.Index      # actor ids; position = controller code
    eff_key: np.ndarray        # place * 2**32 + effective day, sorted
    eff_controller: np.ndarray  # controller code of each event in eff_key order
    start_key: np.ndarray      # place * 2**32 + start day, sorted
    start_max_end: np.ndarray  # running max of end day per place, in start_key order
    # both look-ups answered at once: every distinct key of eff_key and start_key, sorted, with the
    # controller (-1 none) and the running max end (int64 min: none) that hold from it within its place
    key: np.ndarray = None
    key_controller: np.ndarray = None
    key_max_end: np.ndarray = None

    def __post_init__(self):
        if self.key is None:  # one binary search per point over these, instead of one over each of the two
            both = np.sort(np.concatenate([self.eff_key, self.start_key]), kind="stable")  # merges two sorted runs
            key = both[np.concatenate([[True], both[1:] != both[:-1]])] if len(both) else both
            place = key // _SHIFT
            pos = np.searchsorted(self.eff_key, key, side="right") - 1
            same = (pos >= 0) & (self.eff_key[np.maximum(pos, 0)] // _SHIFT == place)
            ctrl = np.where(same, self.eff_controller[np.maximum(pos, 0)] if len(self.eff_key) else -1, -1)
            spos = np.searchsorted(self.start_key, key, side="right") - 1
            same = (spos >= 0) & (self.start_key[np.maximum(spos, 0)] // _SHIFT == place)
            never = np.iinfo(np.int64).min
            run = np.where(same, self.start_max_end[np.maximum(spos, 0)] if len(self.start_key) else never, never)
            object.__setattr__(self, "key", key)
            object.__setattr__(self, "key_controller", ctrl.astype(np.int32))
            object.__setattr__(self, "key_max_end", run.astype(np.int64))

    @classmethod
    def build(cls, events: pd.DataFrame, resolve: str = "latest") -> "ControlIndex":
        window_day(0, 0, resolve)  # reject an unknown resolution before any work
        ev = events[events["claim_status"].astype("string") != RETRACTED] if "claim_status" in events else events
        if "event_type" in ev:  # observations are not links of the chain (see domain.live_events)
            ev = ev[(ev["event_type"].astype("string") != OBSERVATION).fillna(True)]
        place_codes, places = pd.factorize(ev["place_id"].astype("string"), sort=True)
        ctrl_codes, controllers = pd.factorize(ev["controller_after"].astype("string"), sort=True)
        start0, end0 = _days(ev["date_start"]), _days(ev["date_end"])
        # chain order: place, window start, window end, then event id. Integer keys sort fast; the
        # string tie-break is paid only when two events share place and window (rare).
        order = np.lexsort((end0, start0, place_codes))
        pc, start, end = place_codes[order].astype(np.int64), start0[order], end0[order]
        if ((pc[1:] == pc[:-1]) & (start[1:] == start[:-1]) & (end[1:] == end[:-1])).any():
            order = np.lexsort((ev["event_id"].astype(str).to_numpy(), end0, start0, place_codes))
            pc, start, end = place_codes[order].astype(np.int64), start0[order], end0[order]
        ctrl = ctrl_codes[order].astype(np.int32)
        eff = window_day(start, end, resolve)
        # effective days never decrease along a place's chain, so nested windows cannot reorder it
        eff = pd.Series(eff).groupby(pc).cummax().to_numpy()
        # running max of window ends within each place, in start order; a window whose start equals
        # its end (a certain day) holds no uncertain day, so it must not count
        open_end = np.where(end > start, end, np.iinfo(np.int64).min)
        run = pd.Series(open_end).groupby(pc).cummax().to_numpy()
        return cls(pd.Index(places), pd.Index(controllers), pc * _SHIFT + eff, ctrl, pc * _SHIFT + start, run)

    def lookup(self, place_code: np.ndarray, day: np.ndarray, period_start: np.ndarray | None = None):
        """Controller codes (-1 where none) and uncertainty flags for arrays of (place, day).

        ``period_start`` (exclusive lower bound of a period, default ``day - 1``) widens the
        uncertainty test to any day in ``(period_start, day]``.
        """
        pc = place_code.astype(np.int64)
        key = pc * _SHIFT + day
        lower = (day - 1) if period_start is None else period_start
        # A binary search over a large index misses the cache on every probe when the queries come in
        # random order; sorting the queries once makes the search walk the index in order.
        order = np.argsort(key) if len(key) > 50_000 else None
        if order is None:
            pos = np.searchsorted(self.key, key, side="right") - 1
        else:
            pos = np.empty(len(key), dtype=np.int64)
            pos[order] = np.searchsorted(self.key, key[order], side="right") - 1
        at = np.maximum(pos, 0)
        ok = (pos >= 0) & (place_code >= 0)
        ok &= np.where(ok, self.key[at] // _SHIFT == pc, False) if len(self.key) else False
        controller = np.where(ok, self.key_controller[at], -1) if len(self.key) else np.full(len(key), -1)
        uncertain = (ok & (self.key_max_end[at] > lower + 1)) if len(self.key) else np.zeros(len(key), bool)
        return controller, uncertain


#: the most place x day cells the dense table may hold (3 bytes each: int16 controller, bool flag)
DENSE_MAX_CELLS = 50_000_000
#: the table is built for up to this many cells per point (bundled data, 5,111,744 cells for 5,000,000
#: points: the table 2.00 s, binary searches 2.88 s, in benchmarks/bench_engine.py)
DENSE_CELLS_PER_POINT = 4


@dataclass(frozen=True)
class DenseControl:
    """The answers of ``ControlIndex.lookup`` for every (place, day) of the events' span, as tables.

    ``controller[p, d]`` (int16 code, -1 for none) and ``uncertain[p, d]`` for day ``first + d``;
    a day before ``first`` has no controller, a day after ``last`` is answered as ``last`` (no
    event takes effect and no window is open after it). A look-up is then one gather per point,
    instead of two binary searches over the events.
    """

    first: int
    last: int
    controller: np.ndarray  # (places, days) int16
    uncertain: np.ndarray   # (places, days) bool

    @staticmethod
    def span(idx: "ControlIndex") -> tuple[int, int] | None:
        """(first, last) day of the table for ``idx``, or None when no table can be built (no events,
        codes beyond int16, keys the table cannot place)."""
        if not len(idx.eff_key) or len(idx.controllers) >= np.iinfo(np.int16).max:
            return None
        if (idx.eff_key < 0).any() or (idx.start_key < 0).any():
            return None
        eff_day, st_day = idx.eff_key % _SHIFT, idx.start_key % _SHIFT
        ends = idx.start_max_end[idx.start_max_end > np.iinfo(np.int64).min]
        first = int(min(eff_day.min(), st_day.min()))
        last = int(max(eff_day.max(), ends.max() if len(ends) else eff_day.max()))
        return first, last

    @classmethod
    def cells(cls, idx: "ControlIndex") -> int | None:
        """Places x days of the table for ``idx`` (None when none can be built): its size before building it."""
        span = cls.span(idx)
        return None if span is None else len(idx.places) * (span[1] - span[0] + 1)

    @classmethod
    def build(cls, idx: "ControlIndex", max_cells: int = DENSE_MAX_CELLS) -> "DenseControl | None":
        """The tables, or None when they would exceed ``max_cells`` (or the codes do not fit int16)."""
        n_places, span = len(idx.places), cls.span(idx)
        if span is None:
            return None
        first, last = span
        n_days = last - first + 1
        if n_places * n_days > max_cells:
            return None
        eff_pc, eff_day = idx.eff_key // _SHIFT, idx.eff_key % _SHIFT
        st_pc, st_day = idx.start_key // _SHIFT, idx.start_key % _SHIFT
        # the last event (in key order) taking effect on or before each day: mark, then carry forward
        mark = np.full((n_places, n_days), -1, dtype=np.int32)
        mark[eff_pc, eff_day - first] = np.arange(len(eff_pc), dtype=np.int32)  # later events overwrite
        np.maximum.accumulate(mark, axis=1, out=mark)
        controller = np.where(mark >= 0, idx.eff_controller[np.maximum(mark, 0)], -1).astype(np.int16)
        mark.fill(-1)
        mark[st_pc, st_day - first] = np.arange(len(st_pc), dtype=np.int32)
        np.maximum.accumulate(mark, axis=1, out=mark)
        days = np.arange(first, last + 1, dtype=np.int64)
        uncertain = (mark >= 0) & (idx.start_max_end[np.maximum(mark, 0)] > days[None, :])
        return cls(first, last, controller, uncertain)

    def lookup(self, place_code: np.ndarray, day: np.ndarray):
        """Same as ``ControlIndex.lookup(place_code, day)``."""
        ok = (place_code >= 0) & (day >= self.first)
        cell = np.where(ok, place_code.astype(np.int64) * self.controller.shape[1]
                        + (np.minimum(day, self.last) - self.first), 0)
        controller = np.where(ok, self.controller.ravel()[cell], -1)
        uncertain = ok & self.uncertain.ravel()[cell]
        return controller, uncertain


def _load_events(events, root):
    if events is not None:
        return events
    from ..loaders import load

    return load("control_events", root=root)


def panel(start, end, freq: str = "D", *, resolve: str = "latest", events: pd.DataFrame | None = None,
          root: str | Path | None = None) -> pd.DataFrame:
    """Place-by-period table of controllers (long format, one row per place and period).

    Each period is labelled by its last day (``pandas.date_range(start, end, freq=freq)``); the
    controller is the one at the end of that day under ``resolve``; ``uncertain`` is true when any
    day of the period lies inside a change's date window.
    """
    idx = ControlIndex.build(_load_events(events, root), resolve)
    labels = pd.date_range(start, end, freq=freq)
    if len(labels) == 0:
        raise UsageError(f"no {freq!r} period ends between {start} and {end}")
    ends = _days(labels)
    starts = np.concatenate([[_days([pd.Timestamp(start)])[0] - 1], ends[:-1]])
    n_places, n_periods = len(idx.places), len(labels)
    place_code = np.repeat(np.arange(n_places, dtype=np.int32), n_periods)
    day = np.tile(ends, n_places)
    controller, uncertain = idx.lookup(place_code, day, np.tile(starts, n_places))
    return pd.DataFrame({
        "place_id": pd.Categorical.from_codes(place_code, categories=idx.places),
        "date": np.tile(labels.to_numpy().astype("datetime64[us]"), n_places),
        "controller": pd.Categorical.from_codes(controller, categories=idx.controllers),
        "uncertain": uncertain,
    })


def _unit_vectors(lat, lon) -> np.ndarray:
    la, lo = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


class NearestPlace:
    """Great-circle nearest place, via a k-d tree on unit vectors (chord order = arc order)."""

    def __init__(self, places: pd.DataFrame):
        from scipy.spatial import cKDTree

        located = places.dropna(subset=["latitude", "longitude"])
        self.place_ids = located["place_id"].astype(str).to_numpy()
        self.tree = cKDTree(_unit_vectors(located["latitude"], located["longitude"]))

    def query(self, lat, lon, max_km: float):
        """Index of the nearest place (-1 beyond ``max_km`` or without coordinates) and its distance."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        ok = np.isfinite(lat) & np.isfinite(lon)
        pos = np.full(len(lat), -1, dtype=np.int64)
        km = np.full(len(lat), np.nan)
        if ok.any() and len(self.place_ids):
            # the bound prunes the search; points beyond it come back with an infinite distance
            bound = 2 * np.sin(min(max_km / EARTH_RADIUS_KM, np.pi) / 2) * (1 + 1e-9) if np.isfinite(max_km) else np.inf
            chord, found = self.tree.query(_unit_vectors(lat[ok], lon[ok]), k=1, workers=-1, distance_upper_bound=bound)
            dist = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1))
            near = np.isfinite(chord) & (dist <= max_km)
            pos[np.flatnonzero(ok)[near]] = found[near]
            km[np.flatnonzero(ok)[near]] = dist[near]
        return pos, km


#: points looked up at a time (in benchmarks/bench_engine.py, 5,000,000 points read from Parquet in
#: batches of 1,000,000 were annotated faster than the same points in one pass over a DataFrame)
_SLICE = 1_000_000


def _annotate_frame(frame: pd.DataFrame, lat: str, lon: str, date: str, max_km: float,
                    nearest: NearestPlace, idx: ControlIndex, tree_to_code: np.ndarray,
                    dense: DenseControl | None = None, place_categories: pd.Index | None = None) -> pd.DataFrame:
    lookup = idx.lookup if dense is None else dense.lookup
    lats, lons, days = frame[lat].to_numpy(), frame[lon].to_numpy(), _days(frame[date])
    n = len(frame)
    # the answers are written into arrays made once, a slice at a time: no list of parts to
    # concatenate (a copy of every answer, and fresh pages for it)
    pos, km = np.empty(n, dtype=np.int32), np.empty(n, dtype=float)
    controller, uncertain = np.empty(n, dtype=np.int16), np.empty(n, dtype=bool)
    for at in range(0, n, _SLICE):  # a slice at a time: its sorts and gathers stay in the caches
        end = min(at + _SLICE, n)
        near, dist = nearest.query(lats[at:end], lons[at:end], max_km)
        place_code = np.where(near >= 0, tree_to_code[np.maximum(near, 0)], -1).astype(np.int32)
        pos[at:end], km[at:end] = near, dist
        controller[at:end], uncertain[at:end] = lookup(place_code, days[at:end])
    out = frame.copy(deep=False)  # copy-on-write: the user's columns are not duplicated
    if place_categories is None:
        place_categories = pd.Index(nearest.place_ids)
    out["place_id"] = pd.Categorical.from_codes(pos, categories=place_categories)
    out["distance_km"] = km
    out["controller"] = pd.Categorical.from_codes(controller, categories=idx.controllers)
    out["uncertain"] = pd.arrays.BooleanArray(uncertain & (controller >= 0), pos < 0)
    return out


def annotate(data, *, lat: str = "latitude", lon: str = "longitude", date: str = "date", max_km: float = 25.0,
             resolve: str = "latest", out: str | Path | None = None, batch_rows: int = 1_000_000,
             events: pd.DataFrame | None = None, places: pd.DataFrame | None = None,
             root: str | Path | None = None, dense: bool | None = None):
    """Add the nearest place within ``max_km`` (great-circle), its distance, and its controller at
    the end of each row's date (with the uncertainty flag) to a table of dated points.

    ``data`` is a pandas DataFrame, a Parquet file path or a DuckDB relation. Without ``out`` a
    Parquet file or relation is read whole (the returned frame holds every point anyway) and
    annotated as a DataFrame; with ``out`` (a Parquet path) it is read and annotated in batches of
    ``batch_rows`` and the result streamed to disk, so inputs larger than memory work. Returns a
    DataFrame, or ``out`` when given.

    The controller look-up uses a dense place-by-day table when places x days of the events fit
    in ``DENSE_MAX_CELLS`` and number at most ``DENSE_CELLS_PER_POINT`` per point (``dense=None``,
    the default), else binary searches over the sorted events; ``dense=True`` builds the table whenever it fits,
    ``dense=False`` never. Both give the same result.
    """
    if max_km <= 0:
        raise UsageError(f"max_km must be a positive number of km, not {max_km!r}")
    if out is not None:
        _check_out(Path(out))
    if places is None:
        from ..loaders import load

        places = load("places", root=root)
    if not isinstance(data, (pd.DataFrame, str, Path)) and hasattr(data, "columns"):  # a DuckDB relation
        missing = [c for c in (lat, lon, date) if c not in list(data.columns)]
        if missing:
            raise UsageError(f"annotate: column(s) {missing} not in the relation (it has {', '.join(data.columns)}); "
                             "name them with lat=, lon=, date=")
    if isinstance(data, (str, Path)):
        rows = _parquet_rows(Path(data), (lat, lon, date))
    if out is None and not isinstance(data, pd.DataFrame):
        # the result holds every point anyway: read them once and annotate them as one frame (its length,
        # now known, decides the dense table as for a DataFrame)
        data = _read_whole(data, batch_rows)
    if isinstance(data, pd.DataFrame):
        rows = len(data)
    elif not isinstance(data, (str, Path)):
        rows = batch_rows  # a relation's length is not known without running it: the table may come later
    step = annotator(places, _load_events(events, root), lat=lat, lon=lon, date=date, max_km=max_km,
                     resolve=resolve, dense=dense, rows=rows)
    if isinstance(data, pd.DataFrame):
        missing = [c for c in (lat, lon, date) if c not in data.columns]
        if missing:
            raise UsageError(f"annotate: column(s) {missing} not in the table; name them with lat=, lon=, date=")
        result = step(data)
        _warn_coordinates(data, result, lat, lon, places, max_km)
        if out is None:
            return result
        result.to_parquet(out, index=False)
        return Path(out)
    grow = dense is None and not isinstance(data, (str, Path))  # a relation: build the table once enough points came
    return _annotate_batches(_batches(data, batch_rows), step, out, grow=grow)


def _check_out(out: Path) -> None:
    """An ``out`` path annotate can write: a .parquet file in an existing, writable folder."""
    import os

    if out.suffix != ".parquet":
        raise UsageError(f"annotate(out=...) writes Parquet: give a path ending in .parquet, not {out.name!r}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"annotate(out=...): the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"annotate(out=...): the folder {folder} cannot be written; choose another")


def _parquet_rows(path: Path, needed) -> int:
    """Rows of a Parquet file, after checking it is one and has the needed columns."""
    pq = require("pyarrow.parquet", "engine", "annotate() on a Parquet file")
    if not path.is_file():
        raise UsageError(f"annotate: {path} is not a file")
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        raise UsageError(f"annotate: {path.name} looks like a {path.suffix[1:].upper()} file; annotate reads Parquet "
                         "files, DataFrames and DuckDB relations: read it with pandas.read_csv and pass the frame")
    try:
        meta = pq.ParquetFile(path)
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError ... for a file that is not Parquet
        raise UsageError(f"annotate: {path.name} is not a Parquet file ({type(err).__name__}); "
                         "pass a DataFrame or a DuckDB relation instead") from None
    names = meta.schema_arrow.names
    missing = [c for c in needed if c not in names]
    if missing:
        raise UsageError(f"annotate: column(s) {missing} not in {path.name} (it has {', '.join(names)}); "
                         "name them with lat=, lon=, date=")
    return meta.metadata.num_rows


def _warn_coordinates(data: pd.DataFrame, result: pd.DataFrame, lat: str, lon: str, places: pd.DataFrame,
                      max_km: float) -> None:
    """Warn when most points match no place but would with latitude and longitude swapped.

    annotate is a nearest-point proxy: a point takes the controller of the nearest place within
    ``max_km`` (``distance_km`` says how near); points near no place get none.
    """
    import warnings

    unmatched = result["place_id"].isna()
    if len(result) < 5 or unmatched.mean() < 0.5:
        return
    sample = data.loc[unmatched].head(10_000)
    nearest = NearestPlace(places)
    pos, _ = nearest.query(sample[lon].to_numpy(float), sample[lat].to_numpy(float), max_km)
    if (pos >= 0).mean() > 0.5:
        warnings.warn(f"annotate: {unmatched.mean():.0%} of the points are farther than {max_km} km from every "
                      f"place, but most would match with {lat!r} and {lon!r} swapped: check the column order",
                      UserWarning, stacklevel=3)
    else:
        warnings.warn(f"annotate: {unmatched.mean():.0%} of the points are farther than {max_km} km from every "
                      "place (outside the data's country?); they get no controller", UserWarning, stacklevel=3)


def annotator(places: pd.DataFrame, events: pd.DataFrame, *, lat: str = "latitude", lon: str = "longitude",
              date: str = "date", max_km: float = 25.0, resolve: str = "latest", dense: bool | None = None,
              rows: int | None = None):
    """The per-table step of ``annotate``: a function frame -> annotated frame, with the nearest-place
    tree and the control index (and dense table) built once. It holds only NumPy arrays and pandas
    objects, so it pickles: Dask and Spark ship it to their workers once (see ``annotate_partitions``)."""
    if max_km <= 0:
        raise UsageError(f"max_km must be a positive number of km, not {max_km!r}")
    nearest = NearestPlace(places)
    idx = ControlIndex.build(events, resolve)
    tree_to_code = idx.places.get_indexer(pd.Index(nearest.place_ids, dtype="string"))  # -1: place with no events
    # the table costs a few cheap passes over its cells, a binary search costs far more per point: it is
    # worth building when it has at most DENSE_CELLS_PER_POINT cells per point to look up (``rows``,
    # when known); ``dense=True`` builds it whenever it fits
    cap = DENSE_MAX_CELLS if dense or rows is None else min(DENSE_MAX_CELLS, DENSE_CELLS_PER_POINT * rows)
    table = None if dense is False else DenseControl.build(idx, cap)
    return _Step(lat, lon, date, max_km, nearest, idx, tree_to_code, table, pd.Index(nearest.place_ids))


@dataclass(frozen=True)
class _Step:
    lat: str
    lon: str
    date: str
    max_km: float
    nearest: NearestPlace
    idx: ControlIndex
    tree_to_code: np.ndarray
    dense: DenseControl | None
    place_categories: pd.Index

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        return _annotate_frame(frame, self.lat, self.lon, self.date, self.max_km, self.nearest, self.idx,
                               self.tree_to_code, self.dense, self.place_categories)


def annotate_partitions(ddf, *, places: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                        root: str | Path | None = None, lat: str = "latitude", lon: str = "longitude",
                        date: str = "date", max_km: float = 25.0, resolve: str = "latest",
                        dense: bool | None = None):
    """``annotate`` for a Dask DataFrame: the same columns, partition by partition, lazily.

    The nearest-place tree and the control index are built once here, in the client, and the
    step is sent to the workers with the graph (``dask.dataframe.map_partitions``); each partition
    is then annotated exactly as ``annotate`` annotates a pandas frame, so the result equals
    ``annotate(ddf.compute())`` row for row.
    """
    require("dask.dataframe", "dask", "annotate_partitions()")
    if places is None:
        from ..loaders import load

        places = load("places", root=root)
    step = annotator(places, _load_events(events, root), lat=lat, lon=lon, date=date, max_km=max_km,
                     resolve=resolve, dense=dense)
    missing = [c for c in (lat, lon, date) if c not in ddf.columns]
    if missing:
        raise UsageError(f"annotate_partitions: column(s) {missing} not in the table; name them with lat=, lon=, date=")
    meta = step(ddf._meta if hasattr(ddf, "_meta") else ddf.head(0))
    return ddf.map_partitions(step, meta=meta)


#: the columns ``arrow_batch_annotator`` adds, as a Spark schema fragment (append to the input's)
SPARK_ANNOTATED_FIELDS = "place_id string,distance_km double,controller string,uncertain boolean"


def arrow_batch_annotator(step):
    """``step`` (from :func:`annotator`) as a function of an iterator of Arrow record batches, for
    Spark's ``DataFrame.mapInArrow``: each batch annotated as ``annotate`` annotates a frame, the
    place and controller as plain text (Spark has no dictionary type). Only the step travels to
    the executors; each task sees batches of bounded size (``spark.sql.execution.arrow.maxRecordsPerBatch``).

    Parameters
    ----------
    step : the per-table step of ``annotate`` (``annotator(places, events, max_km=...)``).
    """
    def annotate_batches(batches):
        import pyarrow as pa

        for batch in batches:
            out = step(batch.to_pandas())
            for col in ("place_id", "controller"):
                out[col] = out[col].astype("string")
            yield pa.RecordBatch.from_pandas(out, preserve_index=False)
    return annotate_batches


def _arrow_batches(data, batch_rows: int):
    """Arrow record batches from a Parquet path or a DuckDB relation."""
    if isinstance(data, (str, Path)):
        pq = require("pyarrow.parquet", "engine", "annotate() on a Parquet file")

        # pre_buffer=False: with pyarrow's default the reader keeps buffering the file's column chunks, and
        # the peak memory grows with the file (1.1 GiB for 50,000,000 points, against 0.3 GiB without)
        yield from pq.ParquetFile(data, pre_buffer=False).iter_batches(batch_size=batch_rows)
        return
    yield from _relation_reader(data, batch_rows)


def _relation_reader(data, batch_rows: int):
    """A DuckDB relation's Arrow record batch reader (``to_arrow_reader``, or the older ``fetch_record_batch``)."""
    if hasattr(data, "to_arrow_reader"):
        return data.to_arrow_reader(batch_rows)
    if hasattr(data, "fetch_record_batch"):
        return data.fetch_record_batch(batch_rows)
    raise UsageError(f"annotate takes a pandas DataFrame, a Parquet path or a DuckDB relation, not {type(data).__name__}")


def _batches(data, batch_rows: int):
    """Record batches from a Parquet path or a DuckDB relation, as DataFrames."""
    for batch in _arrow_batches(data, batch_rows):
        yield batch.to_pandas()


def _read_whole(data, batch_rows: int) -> pd.DataFrame:
    """All of a Parquet path or a DuckDB relation as one DataFrame (read as Arrow, converted once)."""
    pa = require("pyarrow", "engine", "annotate() on a Parquet file or a DuckDB relation")
    if isinstance(data, (str, Path)):
        pq = require("pyarrow.parquet", "engine", "annotate() on a Parquet file")
        table = pq.read_table(data, pre_buffer=False)  # see _arrow_batches
    else:
        table = _relation_reader(data, batch_rows).read_all()
    frame = table.to_pandas(self_destruct=True, split_blocks=True)  # each Arrow column freed once converted
    del table
    pa.default_memory_pool().release_unused()  # the reader's buffers go back to the system before the look-ups
    return frame


def _growing(batches, step, grow: bool):
    """(step, batch) pairs; with ``grow``, the step gains the dense table (``annotator``'s rule: at most
    ``DENSE_CELLS_PER_POINT`` cells per point) as soon as the points seen so far justify it. For an input
    whose length is not known in advance; the table and the binary searches give the same answers."""
    cells = DenseControl.cells(step.idx) if grow and step.dense is None else None
    seen = 0
    for batch in batches:
        seen += len(batch)
        if cells is not None and cells <= min(DENSE_MAX_CELLS, DENSE_CELLS_PER_POINT * seen):
            step, cells = replace(step, dense=DenseControl.build(step.idx)), None
        yield step, batch


def _annotate_batches(batches, step, out, grow: bool):
    """Annotate the batches one at a time into the Parquet file ``out`` (an input returned in memory
    is read whole instead, see ``annotate``)."""
    pa = require("pyarrow", "engine", "annotate(out=...)")
    pq = require("pyarrow.parquet", "engine", "annotate(out=...)")

    out = Path(out)
    tmp = out.with_name(f".{out.name}.partial")
    writer = None
    try:
        for s, batch in _growing(batches, step, grow):
            table = pa.Table.from_pandas(s(batch), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table)
    except BaseException:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
        raise
    if writer is None:
        raise UsageError("annotate: the input has no rows")
    writer.close()
    tmp.replace(out)  # nothing half-written is left under the final name
    return out
