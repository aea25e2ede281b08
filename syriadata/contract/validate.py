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
    with shared_lookups(), _returning_memory():  # the checks look up the same keys, and scan the files the reader scanned: once each
        tables, problems = {}, []
        for name in pkg.table_names:
            frame, found = read_table(pkg, name)
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


#: rows of a text column looked at to tell whether it has few distinct values
_SAMPLE = 8_192


def _compact(frame):
    """``frame`` as the cross-table checks hold it: each Arrow text column in one contiguous chunk
    (the parser leaves one per block, and each look-up would copy them into one), and a text column
    of few distinct values (at most one row in four: holders, places, episodes, sources) as
    categories (a small integer per row instead of its text). One column at a time, so at most one
    column is held twice. The loaders keep the declared dtypes; this is ``validate``'s own form.
    """
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    for col in frame.columns:
        if not isinstance(frame[col].dtype, pd.StringDtype):
            continue
        chunked = getattr(frame[col].array, "_pa_array", None)
        if chunked is None or not chunked.num_chunks:
            continue
        sample = chunked.chunk(0)[:_SAMPLE]  # a key-like column shows itself in its first rows: no hash table of it all
        encoded = (pc.dictionary_encode(chunked) if len(chunked) >= 4
                   and pc.count_distinct(sample).as_py() * 4 <= len(sample) else None)
        # the chunks share one dictionary (one hash table for the whole column)
        if encoded is not None and len(encoded.chunk(0).dictionary) * 4 <= len(chunked):
            indices = np.concatenate([c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in encoded.chunks])
            categories = pd.Index(encoded.chunk(0).dictionary.to_pylist(), dtype=object)
            frame[col] = pd.Categorical.from_codes(indices, categories=categories)
        elif chunked.num_chunks > 1:
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
