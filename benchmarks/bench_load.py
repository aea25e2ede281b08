"""Loading and validating a large package: the loader against a plain ``pandas.read_csv``.

Generates a synthetic package that validates (``synthetic_package.py``: the bundled package plus
``--places`` invented places with ``--events`` changes) in a temporary folder, then times, in one
process after a warm-up, alternating, best of ``--repeats``:
- ``pd.read_csv`` of control_events.csv with pandas' defaults (type inference, no checks);
- ``read_table(control_events)``: what ``load_control_events()`` does on a cache miss (parse every
  cell as text, convert to the declared dtypes, run the pandera schema);
- ``validate_package``: every table and every cross-table check.

    python benchmarks/bench_load.py [--places 10000] [--events 1000000] [--repeats 3] [--keep FOLDER]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_package import build  # noqa: E402

from syriadata.contract.descriptor import read_package  # noqa: E402
from syriadata.contract.tables import read_table  # noqa: E402
from syriadata.contract.validate import validate_package  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--validate", action="store_true", help="also time validate_package (slow at 1,000,000)")
    parser.add_argument("--keep", help="build the package here (kept) instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep) if args.keep else Path(tmp) / "pkg"
        if not (root / "datapackage.json").is_file():
            t0 = time.perf_counter()
            build(root, args.places, args.events)
            print(f"built {root} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        pkg = read_package(root)
        csv = pkg.path("control_events")
        methods = {
            "pd.read_csv (defaults)": lambda: pd.read_csv(csv, low_memory=False),
            "read_table(control_events)": lambda: read_table(pkg, "control_events"),
        }
        if args.validate:
            methods["validate_package"] = lambda: validate_package(root)
        times = {k: [] for k in methods}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for rnd in range(args.repeats + 1):
                for name, fn in methods.items():
                    t0 = time.perf_counter()
                    fn()
                    if rnd:
                        times[name].append(time.perf_counter() - t0)
        base = statistics.median(times["pd.read_csv (defaults)"])
        rows = len(pd.read_csv(csv, usecols=[0]))
        print(f"control_events.csv: {rows:,} rows, {csv.stat().st_size / 2**20:.0f} MiB; "
              f"best of {args.repeats} after a warm-up")
        print("| run | min (s) | median (s) | / pd.read_csv |\n|---|---|---|---|")
        for name, v in times.items():
            print(f"| {name} | {min(v):.2f} | {statistics.median(v):.2f} | {statistics.median(v) / base:.2f} |")


if __name__ == "__main__":
    main()
