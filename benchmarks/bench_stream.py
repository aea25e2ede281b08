"""Bounded memory: ``annotate`` of a Parquet file or a DuckDB relation of N points, streamed to a Parquet output.

Writes random dated points near the bundled places (seeded) into Parquet files of each size in
``--sizes`` (in batches, so writing them needs little memory), then runs, each in a fresh process,
``annotate(path, out=...)`` (input ``parquet``) or ``annotate(duckdb.sql("SELECT * FROM
read_parquet(path)"), out=...)`` (input ``duckdb``), and reports its peak resident memory (the
kernel's ``ru_maxrss`` of the child, read by a wrapper process) and its wall time. If the peak does
not grow with N, the input streams through in bounded memory.

    python benchmarks/bench_stream.py --sizes 5000000,50000000 --inputs parquet,duckdb --dir /tmp/stream
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CHILD = {
    "parquet": """
import sys, time
import syriadata
t0 = time.perf_counter()
syriadata.annotate(sys.argv[1], out=sys.argv[2], max_km=10)
print(time.perf_counter() - t0)
""",
    "duckdb": """
import sys, time
import duckdb
import syriadata
t0 = time.perf_counter()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")  # it would print to the output this script reads
rel = con.sql("SELECT * FROM read_parquet(?)", params=[sys.argv[1]])
syriadata.annotate(rel, out=sys.argv[2], max_km=10)
print(time.perf_counter() - t0)
""",
}
WRAP = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True); "
        "print(r.stdout.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def write_points(path: Path, n: int, batch: int = 2_000_000, seed: int = 2024) -> None:
    """``n`` points within about 10 km of the bundled places with coordinates, dated over the record."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    import syriadata

    places = syriadata.load_places().dropna(subset=["latitude", "longitude"])
    events = syriadata.load_control_events()
    first, last = events["date_start"].min(), events["date_end"].max()
    days = (last - first).days
    rng = np.random.default_rng(seed)
    lat0, lon0 = places["latitude"].to_numpy(float), places["longitude"].to_numpy(float)
    schema = pa.schema([("latitude", pa.float64()), ("longitude", pa.float64()), ("date", pa.date32())])
    with pq.ParquetWriter(path, schema) as writer:
        done = 0
        while done < n:
            k = min(batch, n - done)
            i = rng.integers(0, len(lat0), k)
            frame = pd.DataFrame({"latitude": lat0[i] + rng.normal(0, 0.05, k),
                                  "longitude": lon0[i] + rng.normal(0, 0.05, k),
                                  "date": (first + pd.to_timedelta(rng.integers(0, days + 1, k), unit="D")).date})
            writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
            done += k


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000000,50000000")
    parser.add_argument("--inputs", default="parquet", help="comma-separated: parquet, duckdb")
    parser.add_argument("--dir", default="/tmp/syriadata-stream", help="folder for the point files (created)")
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    print("| points | input | file (MiB) | wall (s) | peak RSS (MiB) |\n|---|---|---|---|---|")
    for n in map(int, args.sizes.split(",")):
        path, out = folder / f"points_{n}.parquet", folder / f"annotated_{n}.parquet"
        if not path.exists():
            t0 = time.perf_counter()
            write_points(path, n)
            print(f"wrote {path} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        for kind in args.inputs.split(","):
            res = subprocess.run([sys.executable, "-c", WRAP, sys.executable, "-c", CHILD[kind], str(path), str(out)],
                                 capture_output=True, text=True, check=True)
            wall, peak = res.stdout.split()[-2:]  # the child's time and the wrapper's peak, last
            print(f"| {n:,} | {kind} | {path.stat().st_size / 2**20:.0f} | {float(wall):.1f} | {int(peak) / 2**10:.0f} |",
                  flush=True)
            out.unlink()


if __name__ == "__main__":
    main()
