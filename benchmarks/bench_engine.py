"""Benchmark annotate() against what a skilled user would write by hand, on two workloads.

- ``bundled``: the bundled package, random dated points near its places;
- ``synthetic``: invented chains of changes (windows of 0-5 days) for many places over 15 years.

Compared, in one process, on the same points (the nearest-place search is the same scipy k-d
tree in every method; the controller look-up differs):
- ``annotate (DataFrame)``: syriadata.annotate on a pandas frame (a dense place-by-day table when
  places x days fit in 50 million cells and number at most 4 per point, else one binary search
  per point, on sorted queries, over the merged keys of the controller and uncertainty look-ups);
- ``annotate (Parquet)`` / ``annotate (DuckDB)``: the same points from a Parquet file / a DuckDB
  relation (read whole as Arrow, as the result is returned in memory; see bench_stream.py for
  the streamed form);
- ``annotate (dense=True)`` / ``annotate (dense=False)``: the table whenever it fits / never;
- ``by hand: dense table``: k-d tree, then a NumPy place-by-day table of controllers (built with
  a forward fill) and one gather; controller only, no uncertainty flag;
- ``by hand: unsorted searchsorted``: k-d tree, then one ``numpy.searchsorted`` of the unsorted
  (place, day) keys on the sorted event keys; controller only.

Each method runs once to warm up, then ``--repeats`` rounds that alternate the methods, each
round in its own (seeded) order, since a method's time depends on what ran before it; the table
gives the minimum and median wall time and the ratio of the medians to each baseline; then the
spread of the three inputs (DataFrame, Parquet, DuckDB), slowest over fastest, of the medians and
of the minimums (the best runs: on a busy machine the median of a few rounds carries its noise).

With ``--memory`` (Linux), each method also runs once more for its peak memory: the kernel's peak
resident size (reset through ``/proc/self/clear_refs`` before the call) less the resident size just
before it, so the inputs every method shares (points, places, events) are not counted. That pass
runs in a child process with ``MALLOC_MMAP_THRESHOLD_`` fixed at 64 KiB, so every large NumPy array
is its own mapping and goes back to the system when freed: otherwise a method could reuse memory
an earlier one left in the heap and seem smaller than it is. The timings run in this process
under the default allocator (a fixed threshold makes every large allocation a fresh mapping, which
costs the methods that allocate in slices more than the others).

    python benchmarks/bench_engine.py [--points 5000000] [--places 5000 --events 500000] [--repeats 3]
                                      [--memory] [--write docs/benchmarks.md]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import syriadata
from syriadata.engine.vectorised import _SHIFT, ControlIndex, DenseControl, NearestPlace, _days


def synthetic(n_places: int, n_events: int, seed: int = 0):
    """Chains of changes per place, windows of 0-5 days, over 15 years from 2010."""
    rng = np.random.default_rng(seed)
    places = pd.DataFrame({"place_id": [f"p{i:05d}" for i in range(n_places)],
                           "latitude": rng.uniform(32.4, 37.2, n_places), "longitude": rng.uniform(35.8, 42.2, n_places)})
    per_place = n_events // n_places
    day0, span = np.datetime64("2010-01-01"), 15 * 365
    starts = np.sort(rng.integers(0, span, (n_places, per_place)), axis=1).ravel()
    widths = rng.choice([0, 0, 0, 1, 2, 5], size=starts.size)
    actors = np.array(["syrian_government", "hts", "sna", "sdf", "southern_operations_room", "contested", "unknown"])
    events = pd.DataFrame({
        "event_id": np.char.add("E", np.arange(starts.size).astype(str)),
        "place_id": places["place_id"].to_numpy()[np.repeat(np.arange(n_places), per_place)],
        "date_start": (day0 + starts).astype("datetime64[us]"),
        "date_end": (day0 + starts + widths).astype("datetime64[us]"),
        "controller_after": actors[rng.integers(0, len(actors), starts.size)],
        "claim_status": "confirmed",
    })
    return places, events, (day0, span)


def points_near(places: pd.DataFrame, n: int, day0, span: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    located = places.dropna(subset=["latitude", "longitude"])
    near = rng.integers(0, len(located), n)
    return pd.DataFrame({
        "latitude": located["latitude"].to_numpy()[near] + rng.normal(0, 0.05, n),
        "longitude": located["longitude"].to_numpy()[near] + rng.normal(0, 0.05, n),
        "date": (np.datetime64(day0) + rng.integers(0, span, n)).astype("datetime64[us]"),
    })


def _codes(points, places, idx, max_km):
    nearest = NearestPlace(places)
    pos, _ = nearest.query(points["latitude"].to_numpy(), points["longitude"].to_numpy(), max_km)
    tree_to_code = idx.places.get_indexer(pd.Index(nearest.place_ids, dtype="string"))
    return np.where(pos >= 0, tree_to_code[np.maximum(pos, 0)], -1), _days(points["date"])


def by_hand_dense(points, events, places, max_km):
    """k-d tree, a place-by-day table of controller codes filled forward, one gather."""
    idx = ControlIndex.build(events)
    pc, day = _codes(points, places, idx, max_km)
    ev_pc, ev_day = idx.eff_key // _SHIFT, idx.eff_key % _SHIFT
    first, last = ev_day.min(), ev_day.max()
    mark = np.full((len(idx.places), last - first + 1), -1, dtype=np.int32)
    mark[ev_pc, ev_day - first] = np.arange(len(ev_pc), dtype=np.int32)
    np.maximum.accumulate(mark, axis=1, out=mark)
    table = np.where(mark >= 0, idx.eff_controller[np.maximum(mark, 0)], -1).astype(np.int16)
    ok = (pc >= 0) & (day >= first)
    return np.where(ok, table.ravel()[np.where(ok, pc * table.shape[1] + np.minimum(day, last) - first, 0)], -1)


def by_hand_searchsorted(points, events, places, max_km):
    """k-d tree, then one binary search per point of its (place, day) key, in the points' order."""
    idx = ControlIndex.build(events)
    pc, day = _codes(points, places, idx, max_km)
    key = pc.astype(np.int64) * _SHIFT + day
    pos = np.searchsorted(idx.eff_key, key, side="right") - 1
    ok = (pc >= 0) & (pos >= 0) & (idx.eff_key[np.maximum(pos, 0)] // _SHIFT == pc)
    return np.where(ok, idx.eff_controller[np.maximum(pos, 0)], -1)


def _status(field: str) -> int:
    """A ``/proc/self/status`` figure (VmRSS, VmHWM) in bytes."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def peak_above(fn) -> int:
    """Bytes of resident memory ``fn()`` needs at its peak above what the process held just before."""
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
        fh.write("5")  # the peak resident size starts again from the current one
    before = _status("VmRSS")
    result = fn()
    peak = _status("VmHWM")
    del result
    return peak - before


def run_workload(label, places, events, points, max_km, repeats, folder, memory=False, timing=True):
    """The Markdown lines of one workload (with ``timing``) and each method's peak memory in bytes
    (with ``memory``; else an empty dict)."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = Path(folder) / f"{label}.parquet"
    pq.write_table(pa.Table.from_pandas(points, preserve_index=False), parquet, row_group_size=1_000_000)
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    idx = ControlIndex.build(events)
    dense = DenseControl.build(idx)
    cells = len(idx.places) * (int((idx.eff_key % _SHIFT).max() - (idx.eff_key % _SHIFT).min()) + 1)
    kw = dict(events=events, places=places, max_km=max_km)
    methods = {
        "annotate (DataFrame)": lambda: syriadata.annotate(points, **kw),
        "annotate (Parquet)": lambda: syriadata.annotate(parquet, **kw),
        "annotate (DuckDB)": lambda: syriadata.annotate(con.sql(f"SELECT * FROM read_parquet('{parquet}')"), **kw),
        "annotate (dense=True)": lambda: syriadata.annotate(points, dense=True, **kw),
        "annotate (dense=False)": lambda: syriadata.annotate(points, dense=False, **kw),
        "by hand: dense table": lambda: by_hand_dense(points, events, places, max_km),
        "by hand: unsorted searchsorted": lambda: by_hand_searchsorted(points, events, places, max_km),
    }
    if not timing:
        peaks = {name: peak_above(fn) for name, fn in methods.items()}
        con.close()
        return [], peaks
    # every method gives the same controllers
    ours = syriadata.annotate(points, **kw)["controller"].cat.codes.to_numpy()
    same = {name: bool(np.array_equal(ours, f())) for name, f in
            [("by hand: dense table", methods["by hand: dense table"]),
             ("by hand: unsorted searchsorted", methods["by hand: unsorted searchsorted"])]}
    for name in ("annotate (Parquet)", "annotate (DuckDB)", "annotate (dense=True)", "annotate (dense=False)"):
        same[name] = bool(np.array_equal(ours, methods[name]()["controller"].cat.codes.to_numpy()))
    times = {name: [] for name in methods}
    order = np.random.default_rng(0)  # each round in its own order, the same every run: a method's time
    for rnd in range(repeats + 1):    # depends on what ran before it (what memory it left), so no method
        for name in order.permutation(list(methods)):  # always follows the same one. Round 0 warms up.
            fn = methods[name]
            t0 = time.perf_counter()
            result = fn()
            secs = time.perf_counter() - t0
            del result
            if rnd:
                times[name].append(secs)
        print(f"  {label}: round {rnd} done", file=sys.stderr, flush=True)
    peaks = {name: peak_above(fn) for name, fn in methods.items()} if memory else {}
    con.close()
    return _timing_lines(label, idx, events, points, max_km, cells, dense, times, same), peaks


def _timing_lines(label, idx, events, points, max_km, cells, dense, times, same) -> list[str]:
    med = {k: statistics.median(v) for k, v in times.items()}
    lines = [f"### {label}: {len(idx.places):,} places, {len(events):,} events, {len(points):,} points, "
             f"max_km={max_km}; place x day table {cells:,} cells "
             f"({'fits the 50,000,000-cell limit' if dense is not None else 'over the 50,000,000-cell limit'})",
             "",
             "| method | min (s) | median (s) | / by hand: dense | / by hand: unsorted searchsorted | / annotate (DataFrame) |",
             "|---|---|---|---|---|---|"]
    for name, v in times.items():
        lines.append(f"| {name} | {min(v):.2f} | {med[name]:.2f} | {med[name] / med['by hand: dense table']:.2f} | "
                     f"{med[name] / med['by hand: unsorted searchsorted']:.2f} | "
                     f"{med[name] / med['annotate (DataFrame)']:.2f} |")
    inputs = ["annotate (DataFrame)", "annotate (Parquet)", "annotate (DuckDB)"]
    for stat, of in (("medians", med), ("minimums", {k: min(v) for k, v in times.items()})):
        spread = max(of[k] for k in inputs) / min(of[k] for k in inputs)
        lines += ["", f"Inputs, ratio of the slowest to the fastest of the {stat}: {spread:.2f} (target: at most 1.2)."]
    lines += ["", "Same controllers as annotate (DataFrame): " + ", ".join(f"{k} {'yes' if v else 'NO'}"
                                                                       for k, v in same.items()) + "."]
    return lines


def _memory_lines(points, peaks: dict) -> list[str]:
    best = min(peaks["by hand: dense table"], peaks["by hand: unsorted searchsorted"])
    lines = ["", f"Peak memory above the inputs ({len(points):,} points: "
                 f"{points.memory_usage(deep=True).sum() / 2**20:.0f} MiB), one call each "
                 f"(in a process of its own with MALLOC_MMAP_THRESHOLD_=65536):", "",
             "| method | peak above inputs (MiB) | / the smaller by hand |", "|---|---|---|"]
    return lines + [f"| {name} | {v / 2**20:.0f} | {v / best:.2f} |" for name, v in peaks.items()]


def _workloads(args):
    """(label, places, events, points) of the bundled and the synthetic workload, the same every run."""
    places, events = syriadata.load_places(), syriadata.load_control_events()
    yield "bundled", places, events, points_near(places, args.points, "2024-11-20", 140)
    places, events, (day0, span) = synthetic(args.places, args.events)
    yield "synthetic", places, events, points_near(places, args.synthetic_points, day0, span)


def _memory_in_child(argv: list[str]) -> dict:
    """Each workload's peaks from a child process run with ``MALLOC_MMAP_THRESHOLD_`` fixed (see the
    docstring); the timings stay in this process, under the default allocator."""
    import json
    import subprocess

    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
    out = subprocess.run([sys.executable, __file__, *argv, "--memory-only"], env=env, check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=5_000_000, help="points for the bundled workload")
    parser.add_argument("--synthetic-points", type=int, default=2_000_000)
    parser.add_argument("--places", type=int, default=5_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-km", type=float, default=10.0)
    parser.add_argument("--write", help="also write the results as Markdown to this file")
    parser.add_argument("--memory", action="store_true", help="also measure each method's peak memory (Linux)")
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)  # the child of --memory
    args = parser.parse_args()
    if args.memory_only:
        import json

        with tempfile.TemporaryDirectory() as folder:
            peaks = {label: run_workload(label, places, events, pts, args.max_km, 0, folder, timing=False)[1]
                     for label, places, events, pts in _workloads(args)}
        print(json.dumps(peaks))
        return
    head = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"pandas {pd.__version__}, numpy {np.__version__}; best of {args.repeats} alternating rounds after a warm-up.",
            ""]
    sections = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, places, events, pts in _workloads(args):
            sections[label] = (run_workload(label, places, events, pts, args.max_km, args.repeats, folder)[0], pts)
    if args.memory:
        argv = [a for a in sys.argv[1:] if a != "--memory"]
        for label, peaks in _memory_in_child(argv).items():
            lines, pts = sections[label]
            sections[label] = (lines + _memory_lines(pts, peaks), pts)
    body = []
    for lines, _ in sections.values():
        body += lines + [""]
    text = "\n".join(head + body).rstrip() + "\n"
    print(text)
    if args.write:
        command = "python benchmarks/bench_engine.py " + " ".join(sys.argv[1:])
        with open(args.write, "w", encoding="utf-8") as fh:
            fh.write(f"# Benchmarks\n\nProduced by `{command}`.\n\n")
            fh.write(__doc__.split("\n\n", 1)[1].rsplit("\n\n", 1)[0] + "\n\n")
            fh.write(text)


if __name__ == "__main__":
    main()
