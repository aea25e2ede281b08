"""Read a tidy table straight to its typed frame with pyarrow, when it certainly breaks no rule.

The careful path (:func:`syriadata.contract.tables.read_table`) reads every cell as text, converts
it with pandas and reports each bad cell with its line. That costs about four times a plain
``pd.read_csv`` on a million rows, though nearly every table a user loads is valid. So a table is
first read here: pyarrow's multithreaded parser, then every conversion and schema rule as one
vectorised pyarrow compute call per column. The typed frame is returned only when the file is
tidy and every rule certainly holds; on the first doubt (a cell that would not convert, a rule
that might fail, a feature this path does not handle) it returns None and the careful path reads
the table again and reports exactly what is wrong. A valid table therefore loads fast, and an
invalid one gives the same problems as before.

Each check here is at least as strict as the careful path's (a date with spaces or without
leading zeros, an integer with a ``+`` decline; a table with number or boolean fields, small ones
here, is left to the careful path): it may send a valid table to the careful path, never an
invalid one past it. ``tests/test_scale.py`` compares the two
paths' frames on the bundled and a generated package.
"""
from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .csvfile import FORMULA_PREFIXES, FileScan, QuoteScan, _read_arrow, blocks, file_signature
from .keys import remember, sharing
from .schema import DATE_DTYPE, dtype_for

#: the dates pandas' nanosecond timestamps hold; the careful path's ``to_datetime`` rejects others
_DATE_RANGE = (np.datetime64("1678-01-01"), np.datetime64("2261-12-31"))


def _sorted_text(arr) -> bool:
    """Whether an Arrow text array is in ascending byte order (UTF-8 byte order is code-point order)."""
    import pyarrow.compute as pc

    return len(arr) < 2 or not pc.any(pc.less(arr[1:], arr[:-1])).as_py()


def _unique(arr) -> bool:
    """Whether no value of ``arr`` repeats (a repeated empty cell counts, as pandas' ``duplicated``)."""
    import pyarrow.compute as pc

    if arr.null_count > 1:
        return False
    if arr.null_count == 0 and _sorted_text(arr):  # a tidy file is sorted by its key: compare neighbours
        return len(arr) < 2 or not pc.any(pc.equal(arr[1:], arr[:-1])).as_py()
    return len(pc.unique(arr)) == len(arr)


def _rows_unique(arrays) -> bool | None:
    """Whether no two rows share every column of ``arrays`` (Arrow text), when the rows are sorted
    by them (compare neighbours, as a tidy file is sorted by its key); None when they are not sorted."""
    import pyarrow.compute as pc

    n = len(arrays[0])
    if n < 2:
        return True
    if any(a.null_count for a in arrays):
        return None
    undecided = np.ones(n - 1, dtype=bool)  # pairs of neighbours equal on every column so far
    for arr in arrays:
        lo, hi = arr[:-1], arr[1:]
        if (undecided & pc.less(hi, lo).to_numpy(zero_copy_only=False)).any():
            return None
        undecided &= ~pc.greater(hi, lo).to_numpy(zero_copy_only=False)
    return not undecided.any()


def _column(arr, field: dict[str, Any], key: list[str]):
    """The pandas column for one Arrow text column, or None if a cell or a rule is in doubt."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind, cons = field["type"], dict(field.get("constraints", {}))
    if field["name"] in key:
        cons["required"] = True
        cons["unique"] = cons.get("unique", False) or len(key) == 1
    if kind != "string" and ("pattern" in cons or "enum" in cons):  # left to the careful path
        return None
    if cons.get("required") and arr.null_count:
        return None
    if cons.get("unique") and not _unique(arr):
        return None
    if kind == "string":
        enum = cons.get("enum")
        if enum:  # the rules below then look at the few distinct values only
            encoded = pc.dictionary_encode(arr)  # one dictionary for all chunks
            text = encoded.chunk(0).dictionary if encoded.num_chunks else pa.array([], pa.large_string())
        else:
            text = arr
        if len(text) > text.null_count and pc.any(pc.is_in(pc.utf8_slice_codeunits(text, 0, 1),
                                                          value_set=pa.array(FORMULA_PREFIXES))).as_py():
            return None
        if "pattern" in cons and len(text) > text.null_count:
            try:  # RE2 is never looser than Python's re on these patterns (its \d and \w are ASCII)
                if not pc.all(pc.match_substring_regex(text, rf"\A(?:{cons['pattern']})\z")).as_py():
                    return None
            except pa.ArrowInvalid:  # a pattern RE2 cannot compile: leave it to pandera
                return None
        if enum:
            dtype = dtype_for(field)
            where = dtype.categories.get_indexer(pd.Index(text.to_pylist(), dtype=object))
            if (where < 0).any():
                return None
            indices = pa.chunked_array([c.indices for c in encoded.chunks], type=pa.int32())
            idx = np.asarray(indices.fill_null(-1).to_numpy(), dtype=np.int64)
            codes = np.where(idx >= 0, where[np.maximum(idx, 0)] if len(where) else -1, -1)
            return pd.Categorical.from_codes(codes, dtype=dtype)
        return pd.array(arr, dtype=dtype_for(field))
    if kind == "date":
        try:
            days = pc.cast(arr, pa.date32())  # exactly YYYY-MM-DD and a real day, else ArrowInvalid
        except pa.ArrowInvalid:
            return None
        values = pc.cast(days, pa.timestamp("us")).to_numpy(zero_copy_only=False).astype(DATE_DTYPE)
        present = values[~np.isnat(values)]
        if len(present) and (present.min() < _DATE_RANGE[0] or present.max() > _DATE_RANGE[1]):
            return None
        typed = values
    elif kind == "integer":
        try:
            ints = pc.cast(arr, pa.int64())  # digits with an optional minus; no spaces, no plus
        except pa.ArrowInvalid:
            return None
        typed = pd.array(ints, dtype=pd.ArrowDtype(pa.int64())).astype(dtype_for(field))
    else:  # numbers and booleans: small tables here; the careful path converts them
        return None
    series = pd.Series(typed)
    present = series.dropna()
    if "minimum" in cons and len(present) and (present < cons["minimum"]).any():
        return None
    if "maximum" in cons and len(present) and (present > cons["maximum"]).any():
        return None
    return typed


def _conversions(table, fields: list[dict[str, Any]], key: list[str]) -> dict[str, Any] | None:
    """Every column converted (None if any is in doubt), one after the other: threads were no faster
    here and held more memory at once."""
    columns = {}
    for field in fields:  # each column's chunks as the parser left them (combining them would copy it)
        columns[field["name"]] = typed = _column(table.column(field["name"]), field, key)
        if typed is None:
            return None
    return columns


def read_typed(path: Path, fields: list[dict[str, Any]], key: list[str], missing: list[str]) -> pd.DataFrame | None:
    """The typed frame of a tidy CSV file whose every cell converts and every schema rule holds
    (types, required, unique, pattern, enum, minimum, maximum, the primary key, no formula-like
    text), else None (then read it the careful way, which reports the problems).

    Parameters
    ----------
    path : the CSV file (scanned a block at a time, then parsed by pyarrow from the file).
    fields, key : its Table Schema fields and primary key.
    missing : the schema's ``missingValues``.
    """
    try:
        import pyarrow as pa
    except ImportError:
        return None
    names = [f["name"] for f in fields]
    header = ",".join(names).encode("utf-8")
    scan = QuoteScan()
    signature = file_signature(path)
    facts = FileScan() if sharing() else None  # in `validate`: what the file checks need, from the same read
    for at, block in blocks(path):  # a block at a time: the whole file is never held here
        if facts is not None:
            facts.add(block)
        if at == 0 and block[:len(header) + 1] != header + b"\n" and block != header:  # a BOM, another header
            return None
        if b"\r" in block or b"\x00" in block:
            return None
        scan.add(at, block)
    if facts is not None:
        remember(("file", str(path), signature), facts)
    if not scan.size or not scan.regular():
        return None
    table = _read_arrow(str(path), names, missing)  # pyarrow reads the file itself, in blocks
    if table is None:
        return None
    columns = _conversions(table, fields, key)
    if columns is None:
        return None
    if len(key) > 1:
        unique = _rows_unique([table.column(k) for k in key])
        if unique is False or (unique is None and pd.DataFrame({k: columns[k] for k in key}).duplicated().any()):
            return None
    del table
    pa.default_memory_pool().release_unused()  # the parser's blocks go back to the system, not to the next table
    return pd.DataFrame(columns)
