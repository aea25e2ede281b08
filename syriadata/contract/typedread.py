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

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .csvfile import FORMULA_PREFIXES, FileScan, QuoteScan, _read_arrow, file_signature
from .keys import remember, sharing
from .schema import DATE_DTYPE, dtype_for

#: the dates pandas' nanosecond timestamps hold; the careful path's ``to_datetime`` rejects others
_DATE_RANGE = (np.datetime64("1678-01-01"), np.datetime64("2261-12-31"))


def _unique(arr) -> bool:
    """Whether no value of ``arr`` repeats (a repeated empty cell counts, as pandas' ``duplicated``)."""
    import pyarrow.compute as pc

    if arr.null_count > 1:
        return False
    if len(arr) < 2:
        return True
    if arr.null_count == 0 and not pc.any(pc.less_equal(arr[1:], arr[:-1])).as_py():
        return True  # strictly ascending (a tidy file is sorted by its key): no value repeats
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


def _encoded(field: dict[str, Any], key: list[str], as_codes=frozenset()) -> bool:
    """Whether the parser dictionary-encodes this column: dates and categories (few distinct values),
    and the text columns named in ``as_codes``, outside the primary key and without a uniqueness
    rule (those are compared as plain text)."""
    cons = field.get("constraints", {})
    few = field["type"] == "date" or (field["type"] == "string" and (bool(cons.get("enum")) or field["name"] in as_codes))
    return few and field["name"] not in key and not cons.get("unique")


#: the first bytes that make a cell look like a spreadsheet formula (every prefix is one ASCII byte)
_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(p) for p in FORMULA_PREFIXES]] = True


def _formula_like(text) -> bool:
    """Whether any cell of the Arrow text array ``text`` starts with a formula prefix.

    Looks at each cell's first byte through the array's offsets with NumPy: pyarrow has no kernel
    for a first byte that does not build a new array of strings first (three times slower here).
    """
    import pyarrow as pa

    for chunk in (text.chunks if isinstance(text, pa.ChunkedArray) else [text]):
        if len(chunk) == chunk.null_count:
            continue
        wide = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
        _, offsets_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=np.int64 if wide else np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
        starts = offsets[:-1]
        filled = offsets[1:] > starts  # a missing cell is empty in the data buffer
        if chunk.null_count:
            filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
        data = np.frombuffer(data_buf, dtype=np.uint8)
        if _FORMULA_BYTES[data[starts[filled]]].any():
            return True
    return False


def _text_ok(text, cons: dict[str, Any]) -> bool:
    """Whether no value of the Arrow text array ``text`` looks like a formula and all match the pattern."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if _formula_like(text):
        return False
    if "pattern" in cons and len(text) > text.null_count:
        try:  # RE2 is never looser than Python's re on these patterns (its \d and \w are ASCII)
            return bool(pc.all(pc.match_substring_regex(text, rf"\A(?:{cons['pattern']})\z")).as_py())
        except pa.ArrowInvalid:  # a pattern RE2 cannot compile: leave it to pandera
            return False
    return True


def _gather(arr, lookup):
    """Map each dictionary-encoded chunk of ``arr`` through ``lookup(dictionary)`` (a NumPy array with
    one entry per distinct value, plus a last entry for an empty cell; None when in doubt) and
    concatenate: the rules and conversions look at each distinct value of a parser block once."""
    import pyarrow as pa

    if not arr.num_chunks:  # no rows: the lookup of no values, for its dtype
        table = lookup(pa.array([], pa.string()))
        return None if table is None else table[:0]
    parts, seen, table = [], None, None
    for chunk in arr.chunks:
        if seen is None or not chunk.dictionary.equals(seen):  # dictionary_encode shares one for all chunks
            seen, table = chunk.dictionary, lookup(chunk.dictionary)
        if table is None:
            return None
        idx = np.asarray(chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        parts.append(table[idx])  # -1 (an empty cell) takes the last entry
    return np.concatenate(parts)


def _category_codes(dtype, cons):
    """``lookup`` for :func:`_gather`: a category's code for each distinct text (-1 for an empty cell)."""
    def lookup(text):
        if not _text_ok(text, cons):
            return None
        where = dtype.categories.get_indexer(pd.Index(text.to_pylist(), dtype=object))
        return None if (where < 0).any() else np.append(where, -1)
    return lookup


def _days(text):
    """``lookup`` for :func:`_gather`: the day of each distinct date text (NaT for an empty cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        days = pc.cast(text, pa.date32())  # exactly YYYY-MM-DD and a real day, else ArrowInvalid
    except pa.ArrowInvalid:
        return None
    values = days.to_numpy(zero_copy_only=False).astype(DATE_DTYPE)
    return np.append(values, np.datetime64("NaT", "us"))


def _text_codes(cons):
    """``lookup`` for :func:`_gather` over text kept as codes: each distinct text is its own code
    (its position in the shared dictionary), once its rules hold."""
    def lookup(text):
        return np.append(np.arange(len(text), dtype=np.int64), -1) if _text_ok(text, cons) else None
    return lookup


def _column(arr, field: dict[str, Any], key: list[str]):
    """The pandas column for one Arrow text column (plain, or dictionary-encoded by the parser, see
    :func:`_encoded`), or None if a cell or a rule is in doubt. A dictionary-encoded text column
    without an enum becomes categories of its distinct texts."""
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
    encoded = pa.types.is_dictionary(arr.type)
    if cons.get("unique") and (encoded or not _unique(arr)):
        return None
    if kind == "string":
        enum = cons.get("enum")
        if enum:  # the rules look at the few distinct values only
            if not encoded:  # a key or unique column, read as plain text: one dictionary for all blocks
                arr = pc.dictionary_encode(arr)
            codes = _gather(arr, _category_codes(dtype_for(field), cons))
            return None if codes is None else pd.Categorical.from_codes(codes, dtype=dtype_for(field))
        if encoded:  # text asked for as codes: the parser's blocks share one dictionary, checked once
            arr = arr.unify_dictionaries()
            codes = _gather(arr, _text_codes(cons))
            if codes is None:
                return None
            words = arr.chunk(0).dictionary.to_pylist() if arr.num_chunks else []
            return pd.Categorical.from_codes(codes, categories=pd.Index(words, dtype=object), validate=False)
        if not _text_ok(arr, cons):
            return None
        return pd.array(arr, dtype=dtype_for(field))
    if kind == "date":
        values = _gather(arr if encoded else pc.dictionary_encode(arr), _days)  # each distinct date once
        if values is None:
            return None
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
    if "minimum" in cons or "maximum" in cons:  # else a frame of the column is not worth building
        present = pd.Series(typed).dropna()
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


class _Scans:
    """What the reader looks at in each block of a file on its way to pyarrow's CSV parser: the quote
    scan, the carriage-return and NUL test, and (in ``validate``) the file checks' facts. One read
    of the file serves the scans and the parse, and the scans of a block overlap the parse of the
    blocks before it. The first untidy block stops the read (the table is then read the careful way)."""

    class Untidy(Exception):
        """A carriage return or NUL byte: this path does not read the file."""

    def __init__(self, facts: FileScan | None):
        self.scan, self.facts, self.at = QuoteScan(), facts, 0

    def see(self, block) -> None:
        """Look at the next block (bytes or a buffer); raise ``Untidy`` at a CR or NUL."""
        if not len(block):
            return
        arr = np.frombuffer(block, dtype=np.uint8)
        if self.facts is not None:
            self.facts.add(block)  # its carriage-return test is the one needed here
        if (self.facts.cr if self.facts is not None else (arr == 13).any()) or (arr == 0).any():
            raise _Scans.Untidy
        self.scan.add(self.at, block)
        self.at += len(block)

    def __call__(self, buffer):
        """The transform of pyarrow's ``TransformInputStream``: the block, unchanged, once seen."""
        self.see(memoryview(buffer))
        return buffer


def _scanned_stream(path: Path, scans: _Scans):
    """``path`` as a stream for pyarrow's reader that shows each block to ``scans``: pyarrow's own file
    with a transform (no Python object per block: in a fresh process that read 1,000,000 rows in
    0.29 s against 0.39 s through a Python file object, medians of 8), else a Python file object."""
    import pyarrow as pa

    transform = getattr(pa.lib, "TransformInputStream", None)
    if transform is not None:
        return transform(pa.OSFile(str(path)), scans)
    return _ScannedFile(path, scans)


class _ScannedFile(io.RawIOBase):
    """The fallback of :func:`_scanned_stream`: a Python file object whose reads pass through ``scans``."""

    def __init__(self, path: Path, scans: _Scans):
        super().__init__()
        self._file = open(path, "rb", buffering=0)
        self.scans = scans

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        block = self._file.read(size) if size is not None and size >= 0 else self._file.readall()
        self.scans.see(block)
        return block

    def readinto(self, buffer) -> int:
        block = self.read(len(buffer))
        buffer[:len(block)] = block
        return len(block)

    def close(self) -> None:
        self._file.close()
        super().close()


def read_typed(path: Path, fields: list[dict[str, Any]], key: list[str], missing: list[str],
               as_codes=frozenset()) -> pd.DataFrame | None:
    """The typed frame of a tidy CSV file whose every cell converts and every schema rule holds
    (types, required, unique, pattern, enum, minimum, maximum, the primary key, no formula-like
    text), else None (then read it the careful way, which reports the problems).

    Parameters
    ----------
    path : the CSV file (read once, a block at a time: pyarrow parses each block the scans look at).
    fields, key : its Table Schema fields and primary key.
    missing : the schema's ``missingValues``.
    as_codes : text columns to return as categories of their distinct values (``validate`` asks
        it of columns with few values: less memory, and each value is checked once).
    """
    try:
        import pyarrow as pa
    except ImportError:
        return None
    names = [f["name"] for f in fields]
    header = ",".join(names).encode("utf-8")
    with open(path, "rb") as fh:
        head = fh.read(len(header) + 1)
    if head != header + b"\n" and head != header:  # a BOM, another header
        return None
    signature = file_signature(path)
    facts = FileScan() if sharing() else None  # in `validate`: what the file checks need, from the same read
    encoded = [f["name"] for f in fields if _encoded(f, key, as_codes)]
    scans = _Scans(facts)
    try:
        with _scanned_stream(path, scans) as source:  # one read of the file: the scans see each block pyarrow parses
            table = _read_arrow(source, names, missing, encoded)
    except _Scans.Untidy:
        return None
    if facts is not None and scans.at == signature[1]:  # every byte was seen: the file checks can use them
        remember(("file", str(path), signature), facts)
    if not scans.scan.size or not scans.scan.regular() or table is None:
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
