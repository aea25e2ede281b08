"""Validate a whole data package: the descriptor, every table's schema, then the cross-table checks."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from .checks import ALL_CHECKS
from .csvfile import STRUCTURAL_RULES
from .keys import shared_lookups
from .descriptor import read_package
from ..errors import PackageError
from .tables import read_table
from .problems import Problem


def validate_package(root: str | Path | None = None) -> list[Problem]:
    """Every problem in the package at ``root`` (default: bundled); an empty list means valid.

    Parameters
    ----------
    root : a data package folder (or its ``datapackage.json``); None for the bundled package.

    A descriptor that cannot be used (not JSON, no schema, a path leaving the folder) gives its
    problems without any data file being read. A table that cannot be read at all (not UTF-8,
    an unterminated quote, ragged rows) is reported, and the cross-table checks wait until it is
    fixed, since they would only repeat its absence. A folder without a descriptor raises
    ``PackageError``: there is nothing to report on.
    """
    try:
        pkg = read_package(root)
    except PackageError as err:
        if not err.problems:
            raise
        return err.problems
    # the checks look up the same keys, and scan the files the reader scanned: once each
    with shared_lookups(), _returning_memory():
        tables, problems = {}, []
        for name in pkg.table_names:
            frame, found = read_table(pkg, name, as_codes=_few_valued(pkg, name, tables))
            tables[name] = _compact(frame)
            problems += found
        broken = sorted({p.file for p in problems if p.rule in STRUCTURAL_RULES})
        if broken:
            return problems + [Problem("datapackage.json", None, None, None, "check-skipped",
                                       f"cross-table checks wait until {', '.join(broken)} can be read")]
        for check in ALL_CHECKS:
            problems += check(pkg, tables)
            _release_arrow_memory()  # a check's temporaries go back to the system before the next one runs
    return problems


def _few_valued(pkg, name: str, tables: dict) -> frozenset:
    """The text columns of ``name`` to hold as codes: single-field foreign keys whose referenced table
    (already read) has at most a quarter as many rows as this one is estimated to have. Such a
    column has at most that many distinct values (any other is a broken reference, reported all
    the same), so a small code per row replaces its text: holders, places, episodes, sources."""
    path = pkg.path(name)
    if not path.is_file():
        return frozenset()
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    rows = path.stat().st_size * head.count(b"\n") / max(len(head), 1)  # the first MiB's lines per byte
    few = set()
    for fk in pkg.foreign_keys(name):
        ref = fk["reference"].get("resource") or name
        if len(fk["fields"]) == 1 and ref in tables and 4 * len(tables[ref]) <= rows:
            few.add(fk["fields"][0])
    return frozenset(few)


def _compact(frame):
    """``frame`` with each Arrow text column in one contiguous chunk (the parser leaves one per
    block, and each look-up of the cross-table checks would copy them into one), a column at a
    time, so at most one column is held twice."""
    import pandas as pd

    for col in frame.columns:
        chunked = getattr(frame[col].array, "_pa_array", None)
        if isinstance(frame[col].dtype, pd.StringDtype) and chunked is not None and chunked.num_chunks > 1:
            frame[col] = pd.array(chunked.combine_chunks(), dtype=frame[col].dtype)
    return frame


@contextmanager
def _returning_memory():
    """Within the block pyarrow allocates from a pool that gives freed memory back to the system at
    once: jemalloc with no decay (pyarrow's documented default for ``jemalloc_set_decay_ms``), else
    the system allocator; then the default pool again.

    pyarrow's default pool (mimalloc) keeps freed blocks for reuse. On a 1,000,000-event package
    they counted some 80-120 MiB in the peak of ``validate``, whose tables are read one after the
    other and whose checks each build and drop their temporaries (``benchmarks/bench_load.py
    --memory``).
    """
    import pyarrow as pa

    before = pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowNotImplementedError):  # a pyarrow built without jemalloc
        pool = pa.system_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def _release_arrow_memory() -> None:
    """Return the memory pyarrow's allocator keeps for reuse to the system (it counts in the peak otherwise)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
