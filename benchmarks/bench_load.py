"""Loading and validating a large package: the loader against a plain ``pandas.read_csv``.

Generates a synthetic package that validates (``synthetic_package.py``: the bundled package plus
``--places`` invented places with ``--events`` changes) in a temporary folder, then times, in one
process after a warm-up, alternating, best of ``--repeats``:
- ``pd.read_csv`` of control_events.csv with pandas' defaults (type inference, no checks);
- ``read_table(control_events)``: what ``load_control_events()`` does on a cache miss (parse every
  cell as text, convert to the declared dtypes, run the pandera schema);
- ``validate_package``: every table and every cross-table check, against the baseline the issue
  names: reading every table of the package with pandas' fastest reader (``engine="pyarrow"``);
- with ``--memory``: the peak resident memory of ``syriadata validate`` in a fresh process (its
  ``ru_maxrss``, less that of a process that has only imported the libraries it uses: pandas,
  pyarrow and pandera), against the package's size on disk;
- with ``--fresh N``: ``load_control_events()`` against ``pd.read_csv`` of the same file, each in
  a fresh process (no cache, nothing warmed), N of each in turn; each process times its own call
  after its imports, so the ratio compares the loading, not the interpreter's start; both read
  compiled bytecode from a folder of their own (as an installed package does), even in a shell
  that sets PYTHONDONTWRITEBYTECODE.

    python benchmarks/bench_load.py [--places 10000] [--events 1000000] [--repeats 3] [--keep FOLDER]
                                    [--validate] [--memory] [--fresh 7] [--distinct-notes]
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
    parser.add_argument("--memory", action="store_true", help="measure the peak memory of `syriadata validate`")
    parser.add_argument("--fresh", type=int, default=0, help="time the load in N fresh processes of each kind")
    parser.add_argument("--keep", help="build the package here (kept) instead of a temporary folder")
    parser.add_argument("--distinct-notes", action="store_true", help="build it with a note of its own for every "
                                                                      "event and link (synthetic_package.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep) if args.keep else Path(tmp) / "pkg"
        if not (root / "datapackage.json").is_file():
            t0 = time.perf_counter()
            build(root, args.places, args.events, distinct_notes=args.distinct_notes)
            print(f"built {root} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        pkg = read_package(root)
        csv = pkg.path("control_events")
        methods = {
            "pd.read_csv (defaults)": lambda: pd.read_csv(csv, low_memory=False),
            "read_table(control_events)": lambda: read_table(pkg, "control_events"),
        }
        if args.validate:
            tables = [pkg.path(r["name"]) for r in pkg.descriptor["resources"]]
            methods["read all tables (pd.read_csv, pyarrow)"] = lambda: [_fastest_read(t) for t in tables]
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
        if args.validate:
            ratio = statistics.median(times["validate_package"]) / statistics.median(
                times["read all tables (pd.read_csv, pyarrow)"])
            print(f"validate / read all tables: {ratio:.2f} (target: at most 3)")
        if args.fresh:
            _fresh(root, csv, args.fresh)
        if args.memory:
            peak = _peak_kib(["-m", "syriadata", "validate", str(root)])
            bare = _peak_kib(["-c", "import syriadata, pandas, pyarrow.csv, pyarrow.compute, pandera.pandas"])
            disk = sum(pkg.path(r["name"]).stat().st_size for r in pkg.descriptor["resources"])
            print(f"syriadata validate: peak RSS {peak / 2**10:.0f} MiB ({(peak - bare) / 2**10:.0f} MiB above a "
                  f"process with its libraries imported, {bare / 2**10:.0f} MiB); tables on disk {disk / 2**20:.0f} MiB; "
                  f"ratio {(peak - bare) * 2**10 / disk:.2f} (target: at most 2)")


def _fastest_read(path):
    """pandas' fastest reader: the pyarrow engine, or the C engine for a file with line breaks inside
    quoted cells (the pyarrow engine of ``read_csv`` cannot be told they may occur)."""
    try:
        return pd.read_csv(path, engine="pyarrow")
    except pd.errors.ParserError:
        return pd.read_csv(path, low_memory=False)


def _fresh(root: Path, csv: Path, runs: int) -> None:
    """``load_control_events`` and ``pd.read_csv`` each in ``runs`` fresh processes, in turn."""
    import subprocess

    codes = {
        "pd.read_csv (defaults)": f"import time, pandas as pd\nt = time.perf_counter()\n"
                                  f"pd.read_csv({str(csv)!r}, low_memory=False)\nprint(time.perf_counter() - t)",
        "load_control_events": f"import time, pandas, syriadata\nt = time.perf_counter()\n"
                               f"syriadata.load_control_events(root={str(root)!r})\nprint(time.perf_counter() - t)",
    }
    times = {k: [] for k in codes}
    # Both kinds read compiled bytecode, as an installed package does: a shell with
    # PYTHONDONTWRITEBYTECODE would otherwise compile syriadata's modules in every process (pandas'
    # come compiled). The bytecode goes to a folder of its own, filled by the warm-up round.
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    pycache = tempfile.TemporaryDirectory()
    env["PYTHONPYCACHEPREFIX"] = pycache.name
    for rnd in range(runs + 1):  # the first round warms the page cache and the bytecode, and is not counted
        for name, code in codes.items():
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
            if rnd:
                times[name].append(float(out.stdout.strip()))
    pycache.cleanup()
    base = statistics.median(times["pd.read_csv (defaults)"])
    print(f"fresh processes, {runs} of each in turn after a warm-up round:")
    print("| run | min (s) | median (s) | / pd.read_csv |\n|---|---|---|---|")
    for name, v in times.items():
        print(f"| {name} | {min(v):.2f} | {statistics.median(v):.2f} | {statistics.median(v) / base:.2f} |")
    ratio = statistics.median(times["load_control_events"]) / base
    print(f"load_control_events / pd.read_csv in a fresh process: {ratio:.2f} (target: at most 1.5)")


def _peak_kib(argv: list[str]) -> int:
    """Peak resident memory (KiB) of ``python argv`` in a fresh process: a wrapper process runs it and
    reports its children's ``ru_maxrss`` (the kernel's count, so nothing is sampled or missed)."""
    import subprocess

    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, sys.executable, *argv], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip())


if __name__ == "__main__":
    main()
