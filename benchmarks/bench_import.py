"""Import cost of `import syriadata` against `import pandas` (and the first table load, and `syriadata info`).

Each statement runs in a fresh interpreter, N times, alternating, from this one process; the
median wall time of the whole interpreter run is reported, with the bare interpreter start as the
baseline to subtract.

    python benchmarks/bench_import.py [-n 15]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "python -c pass": "pass",
    "import pandas": "import pandas",
    "import syriadata": "import syriadata",
    "syriadata.load_control_events()": "import syriadata; syriadata.load_control_events()",
    # counts from the descriptor and the files, no validation (target: under 0.2 s on the bundled package)
    "syriadata info": "import contextlib, io; from syriadata.cli import main\n"
                      "with contextlib.redirect_stdout(io.StringIO()): main(['info'])",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=15)
    args = parser.parse_args()
    times = {k: [] for k in CASES}
    for _ in range(args.n):
        for name, code in CASES.items():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["python -c pass"])
    pandas = statistics.median(times["import pandas"]) - base
    print(f"{'statement':<34} {'median s':>9} {'minus start':>12} {'vs import pandas':>17}")
    for name, values in times.items():
        med = statistics.median(values)
        extra = med - base
        ratio = f"{extra / pandas:.2f}x" if name != "python -c pass" else ""
        print(f"{name:<34} {med:9.3f} {extra:12.3f} {ratio:>17}")


if __name__ == "__main__":
    main()
