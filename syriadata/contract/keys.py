"""Look up keys across tables, vectorised with pyarrow's hash kernels.

The cross-table checks ask "is each value in that column?" and "which row of that table has it?"
of millions of cells. pandas' text ``isin`` and Python sets cost a second or more per million
cells (and a Python object per cell); ``pyarrow.compute.is_in`` / ``index_in`` hash the reference
once and probe in C++, some 20 times faster, on the Arrow buffers pandas already holds.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd

#: positions already found within a ``shared_lookups()`` block: (values, reference) Arrow arrays by id
_SHARED: dict | None = None


@contextmanager
def shared_lookups():
    """Within the block, ``positions`` (and ``isin``) of the same two Arrow-backed columns are
    computed once: the foreign-key, citation and evidence checks all look up every link's row.
    The arrays are held until the block ends, so an id cannot be reused for another array. The
    reader also keeps here what it saw of each file (``remember``) for the file checks (``recall``)."""
    global _SHARED
    outer, _SHARED = _SHARED, {}
    try:
        yield
    finally:
        _SHARED = outer


def remember(key, value) -> None:
    """Keep ``value`` under ``key`` until the ``shared_lookups()`` block ends (nothing outside one)."""
    if _SHARED is not None:
        _SHARED[key] = value


def recall(key):
    """What ``remember`` kept under ``key`` in this ``shared_lookups()`` block, else None."""
    return None if _SHARED is None else _SHARED.get(key)


def sharing() -> bool:
    """Whether a ``shared_lookups()`` block is open (then scans worth sharing are kept)."""
    return _SHARED is not None


def _backing(values):
    """The Arrow array behind an Arrow-backed text Series (no copy), else None."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return values.array.__arrow_array__()
    return None


def arrow_text(values):
    """An Arrow text array of ``values`` (a Series of text or categories, or a sequence); missing
    values are nulls. Text columns backed by Arrow are passed through without a copy."""
    import pyarrow as pa

    series = values if isinstance(values, (pd.Series, pd.Index)) else pd.Series(list(values), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = pa.array(np.asarray(series.cat.categories.astype(str), dtype=object), type=pa.large_string())
        codes = pa.array(np.asarray(series.cat.codes), mask=np.asarray(series.cat.codes) < 0)
        return cats.take(codes)
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        arr = pa.array(series.array)
    else:
        arr = pa.array(series.astype("string").astype(object).to_numpy(), type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # one chunk is used as it is (combining copies even one)
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    return arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr


def positions(values, reference) -> np.ndarray:
    """The row of ``reference`` (its first) holding each of ``values``; -1 where absent or missing.
    As int32, as pyarrow's ``index_in`` gives them (half the memory of int64 for millions of links).

    Parameters
    ----------
    values : the cells to look up (a Series of text or categories).
    reference : the column they refer to.
    """
    import pyarrow.compute as pc

    memo = None
    if _SHARED is not None:
        a, b = _backing(values), _backing(reference)
        if a is not None and b is not None:
            memo = (id(a), id(b))
            if memo in _SHARED:
                return _SHARED[memo][2]
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):  # look up the few categories only
        codes_ = np.asarray(values.cat.codes)
        where = positions(pd.Series(values.cat.categories.astype(str), dtype="string"), reference)
        return np.where(codes_ >= 0, where[np.maximum(codes_, 0)] if len(where) else -1, -1).astype(np.int32)
    arr, ref = arrow_text(values), arrow_text(reference)
    out = _sorted_positions(arr, ref)
    if out is None:
        found = pc.index_in(arr, value_set=ref, skip_nulls=True)
        out = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int32)
    if memo is not None:
        _SHARED[memo] = (a, b, out)
    return out


def _sorted_positions(arr, ref) -> np.ndarray | None:
    """Positions without hashing in the common case of a tidy package: ``arr`` sorted, and its
    distinct values, in order, exactly the rows of ``ref`` (a link table's keys and the table they
    point at, both sorted by key). Then each value's row is the number of value changes before it.
    None in any other case (then hash)."""
    import pyarrow.compute as pc

    if arr.null_count or ref.null_count or len(arr) < 2 or len(ref) < 2 or len(arr) < len(ref):
        return None
    changes = np.asarray(pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False), dtype=bool)
    if int(changes.sum()) + 1 != len(ref):
        return None
    starts = np.concatenate([[0], np.flatnonzero(changes) + 1])
    if not pc.all(pc.equal(arr.take(starts), ref)).as_py():
        return None
    if not sorted_rows([ref]):  # equal to the run heads of arr, which is then sorted too if ref is
        return None
    return np.cumsum(np.concatenate([[0], changes]), dtype=np.int32)


def isin(values, reference) -> np.ndarray:
    """Whether each of ``values`` occurs in ``reference``, as a boolean array (a missing value never does)."""
    import pyarrow.compute as pc

    if isinstance(getattr(reference, "dtype", None), pd.CategoricalDtype):  # the categories in use, not every cell
        used = np.unique(np.asarray(reference.cat.codes))
        reference = pd.Series(np.asarray(reference.cat.categories.astype(str), dtype=object)[used[used >= 0]],
                              dtype="string")
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype) or (
            _SHARED is not None and _backing(values) is not None and _backing(reference) is not None):
        return positions(values, reference) >= 0  # by category, or shared with the other checks
    arr = arrow_text(values)
    found = pc.is_in(arr, value_set=arrow_text(reference), skip_nulls=True)
    return np.asarray(pc.and_(found, pc.is_valid(arr)).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def codes(values) -> tuple[np.ndarray, list]:
    """Integer codes of ``values`` (int32, -1 for missing) and the distinct values they index (for
    categories: their codes and categories, some perhaps unused, without building the text)."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        return np.asarray(values.cat.codes, dtype=np.int32), [str(c) for c in values.cat.categories]
    arr = arrow_text(values)
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(arr)
    idx = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int32)
    return idx, encoded.dictionary.to_pylist()


def once(name: str, columns: list, compute):
    """``compute()``, a fact about the Arrow-backed ``columns``, computed once per ``shared_lookups()``
    block (several checks ask whether a key is sorted); computed each time outside one, or for
    columns not backed by Arrow."""
    backing = [_backing(c) for c in columns]
    memo = (name,) + tuple(id(b) for b in backing) if _SHARED is not None and all(
        b is not None for b in backing) else None
    if memo is not None and memo in _SHARED:
        return _SHARED[memo][1]
    result = compute()
    if memo is not None:
        _SHARED[memo] = (backing, result)  # the arrays are held, so their ids stay theirs
    return result


def sorted_frame(frame: pd.DataFrame) -> bool:
    """``sorted_rows`` of a frame's text columns (no missing values), once per block (see ``once``)."""
    columns = [frame[c] for c in frame.columns]
    return once("sorted", columns, lambda: sorted_rows([arrow_text(c) for c in columns]))


def sorted_rows(columns: list) -> bool:
    """Whether rows are in the order a stable sort by ``columns`` (Arrow text, no missing values)
    gives, comparing text byte by byte (UTF-8 byte order is code-point order, as Python's)."""
    import pyarrow.compute as pc

    n = len(columns[0]) if columns else 0
    if n < 2:
        return True
    undecided = np.ones(n - 1, dtype=bool)  # neighbours equal on every column so far
    for arr in columns:
        lo, hi = arr[:-1], arr[1:]
        if (undecided & np.asarray(pc.less(hi, lo).to_numpy(zero_copy_only=False), dtype=bool)).any():
            return False
        undecided &= ~np.asarray(pc.greater(hi, lo).to_numpy(zero_copy_only=False), dtype=bool)
    return True
