"""Read a table's CSV file as text cells, reporting what keeps it from being read as problems.

pandas reports a bad file as a codec or parser exception that names no file and often no line;
a data package needs every problem with its file, line and a hint how to fix it. So the bytes are
checked first (byte-order mark, UTF-8, NUL bytes), then the record structure with the standard
library's C ``csv`` reader (unterminated quotes, rows with too many or too few cells, blank rows),
and only then are the cells parsed by pandas.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import Problem

#: rules after which a table cannot be read as its schema says; cross-table checks wait until they are fixed
#: first characters that make a spreadsheet run a cell as a formula (CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

STRUCTURAL_RULES = frozenset({"file", "encoding", "empty-file", "csv-syntax", "row-width", "blank-row", "header"})

_FIX_ENCODING = ("re-save it as UTF-8 (in Excel: Save As > 'CSV UTF-8'; in a shell: "
                 "iconv -f {enc} -t UTF-8 FILE > FILE.new)")


def _guess_encoding(data: bytes) -> str:
    """A likely legacy encoding of non-UTF-8 text, for the hint only (never used to read the data)."""
    latin = "WINDOWS-1252 (Latin-1)"
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        return latin
    # Arabic text decodes to runs of Arabic letters; a stray Latin-1 accent to one letter among Latin ones
    is_arabic = ["\u0600" <= ch <= "\u06ff" for ch in text]
    in_runs = sum(a and b for a, b in zip(is_arabic, is_arabic[1:]))
    return "WINDOWS-1256 (Arabic)" if in_runs > sum(is_arabic) / 2 else latin


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """The text of a CSV file, or None with the reason; a byte-order mark is reported and skipped."""
    problems = []
    if data.startswith(codecs.BOM_UTF8):
        problems.append(Problem(file, 1, None, None, "bom",
                                "file starts with a UTF-8 byte-order mark; run `syriadata tidy` to remove it"))
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        bad = data[err.start:err.end].hex(" ")
        enc = _guess_encoding(data)
        return None, problems + [Problem(
            file, line, None, f"0x{bad}", "encoding",
            f"not UTF-8: byte {column} of line {line} (offset {err.start}) cannot be decoded; the file looks like "
            f"{enc}: " + _FIX_ENCODING.format(enc=enc.split()[0]))]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, problems + [Problem(file, line, None, None, "csv-syntax",
                                         "file contains a NUL byte: it is binary or damaged, not CSV text")]
    if not text.strip():
        return None, problems + [Problem(file, None, None, None, "empty-file",
                                         "file is empty; it needs at least the header row")]
    return text, problems


def structure_problems(text: str, file: str) -> list[Problem]:
    """Records that the CSV reader cannot split into exactly as many cells as the header has."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    width, start = None, 1
    try:
        for record in reader:
            if width is None:
                width = len(record)
            elif not record:
                problems.append(Problem(file, start, None, None, "blank-row", "blank line; remove it"))
            elif len(record) != width:
                problems.append(Problem(file, start, None, str(len(record)), "row-width",
                                        f"row has {len(record)} cells, the header has {width}"))
            start = reader.line_num + 1
    except csv.Error as err:
        problems.append(Problem(file, start, None, None, "csv-syntax",
                                f"the record starting on this line cannot be read ({err}): look for a quote that "
                                "is never closed, or a quote inside a cell that is not itself quoted"))
    return problems


#: bytes pyarrow's CSV parser takes at a time. 4 MiB: on the 102 MiB events file of
#: benchmarks/bench_load.py, 16 MiB blocks spent up to 0.4 s more in the kernel (the allocator
#: mapping and unmapping large buffers) and held 40 MiB more; smaller blocks gained nothing more
PARSE_BLOCK = 1 << 22

#: bytes read at a time by the scans of whole files (a few of these, never the whole file, in memory)
BLOCK = 1 << 24


def blocks(source):
    """The bytes of ``source`` (bytes, or a path read a block at a time) as (offset, block) pairs.

    A file's blocks are read into one reused buffer (fresh memory for every block costs page
    faults: about a third of the reading time on a 100 MiB file), so a block is only valid until
    the next one is asked for: use it, do not keep it.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        for at in range(0, len(source), BLOCK):
            yield at, bytes(source[at:at + BLOCK])
        return
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    with open(source, "rb", buffering=0) as handle:
        at = 0
        while True:
            n = 0
            while n < BLOCK and (got := handle.readinto(view[n:])):  # a raw read may return less
                n += got
            if not n:
                break
            yield at, (buf if n == BLOCK else buf[:n])
            at += n
            if n < BLOCK:
                break


class FileScan:
    """What ``check_files`` needs of a file's bytes, fed a block at a time: its size, SHA-256,
    whether it holds a carriage return, and the lines (from 1) that end with a space or tab (the
    byte before each LF, looked at with NumPy)."""

    def __init__(self):
        self.sha, self.size, self.cr, self.trailing = hashlib.sha256(), 0, False, []
        self.lines, self.last = 0, -1

    def add(self, block: bytes) -> None:
        self.sha.update(block)
        self.size += len(block)
        arr = np.frombuffer(block, dtype=np.uint8)  # block: bytes or a buffer
        self.cr = self.cr or bool((arr == 13).any())
        newlines = np.flatnonzero(arr == 10)
        prev = np.where(newlines > 0, arr[np.maximum(newlines - 1, 0)].astype(np.int16), np.int16(self.last))
        self.trailing += (np.flatnonzero((prev == 32) | (prev == 9)) + self.lines + 1).tolist()
        self.lines += len(newlines)
        if len(arr):
            self.last = int(arr[-1])

    def trailing_lines(self) -> list[int]:
        return self.trailing + ([self.lines + 1] if self.last in (32, 9) else [])  # the last line, without its LF


def file_signature(path) -> tuple:
    """(inode, size, modification time): a file with the same signature has not been rewritten since."""
    st = Path(path).stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


class QuoteScan:
    """Whether every double quote of a file opens a cell, closes it, or is an escaped ``""`` inside
    one, and no row is blank; fed the file a block at a time (``add``), answered by ``regular``.

    Taken in file order, the quotes pair up as (open, close) of quoted cells. The file is regular
    when every quoted cell closes, each opens at the start of a cell (after a comma or a newline,
    or right after a closing quote: an escaped quote) and each closing quote ends its cell (before
    a comma or a newline, or right before an opening quote), and no newline follows another outside
    a quoted cell. Such a file reads the same with every CSV parser; anything else goes to the
    standard library's reader for its exact problems. Vectorised over the positions of the quotes
    and newlines, with each quote's neighbouring bytes kept across block edges.
    """

    def __init__(self):
        self.quotes, self.before, self.after, self.pairs = [], [], [], []
        self.last_byte, self.last_newline, self.size = -1, None, 0

    def add(self, at: int, block: bytes) -> None:
        arr = np.frombuffer(block, dtype=np.uint8)
        if not len(arr):
            return
        q = np.flatnonzero(arr == 34)
        before = np.where(q > 0, arr[np.maximum(q - 1, 0)].astype(np.int16), np.int16(self.last_byte))
        after = np.where(q + 1 < len(arr), arr[np.minimum(q + 1, len(arr) - 1)].astype(np.int16),
                         np.int16(-2))  # -2: the first byte of the next block
        if self.after and len(self.after[-1]) and self.after[-1][-1] == -2:
            self.after[-1][-1] = arr[0]
        self.quotes.append(q + at)
        self.before.append(before)
        self.after.append(after)
        nl = np.flatnonzero(arr == 10) + at
        if len(nl):
            if self.last_newline is not None and nl[0] == self.last_newline + 1:
                self.pairs.append(nl[:1])
            self.pairs.append(nl[1:][np.diff(nl) == 1])  # the second newline of each "\n\n"
            self.last_newline = nl[-1]
        self.last_byte, self.size = int(arr[-1]), at + len(arr)

    def regular(self) -> bool:
        cat = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype)  # noqa: E731
        q, before, after = cat(self.quotes, np.int64), cat(self.before, np.int16), cat(self.after, np.int16)
        blank = cat(self.pairs, np.int64)
        if len(q) % 2:  # a quote never closed
            return False
        if len(blank) and (np.searchsorted(q, blank) % 2 == 0).any():  # an even number of quotes before: outside
            return False
        if not len(q):
            return True
        opens, closes = q[0::2], q[1::2]
        escaped = np.zeros(len(opens), dtype=bool)  # an opening quote right after the previous closing one
        escaped[1:] = opens[1:] == closes[:-1] + 1
        b_open, a_close = before[0::2], after[1::2]
        ok_open = escaped | (opens == 0) | (b_open == 44) | (b_open == 10)
        follows = np.zeros(len(closes), dtype=bool)
        follows[:-1] = escaped[1:]
        ok_close = follows | (closes == self.size - 1) | (a_close == 44) | (a_close == 10)
        return bool(ok_open.all() and ok_close.all())


def _regular_quotes(data) -> bool:
    """:class:`QuoteScan` of ``data`` (bytes, or a path read a block at a time)."""
    scan = QuoteScan()
    for at, block in blocks(data):
        scan.add(at, block)
    return scan.regular()


def _read_arrow(data, header: list[str], missing: list[str], encoded=()):  # data: bytes, a Buffer, a path (str) or a file
    """The cells of a tidy file as a pyarrow Table of text columns (missing values as nulls), exactly
    as ``pd.read_csv(dtype=str, keep_default_na=False, na_values=missing)`` reads them; None when
    pyarrow is not installed or the parser finds a ragged row. The columns named in ``encoded``
    come dictionary-encoded (the same text, each distinct value stored once per parser block):
    for columns of few distinct values, such as dates and categories, that is less memory and
    lets their conversions look at each distinct value once."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data) if isinstance(data, (bytes, bytearray, memoryview)) else data,
            read_options=pacsv.ReadOptions(block_size=PARSE_BLOCK),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.dictionary(pa.int32(), pa.string()) if name in encoded else pa.large_string()
                          for name in header}, null_values=list(missing),
                strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a ragged or blank row, bad UTF-8: the careful path reports it
        return None
    return table if table.column_names == header else None


def _read_fast(data: bytes, missing: list[str]) -> pd.DataFrame | None:
    """The cells of a tidy file (LF line ends, regular quotes, no blank or ragged rows) read by
    pyarrow's multithreaded parser, exactly as ``pd.read_csv(dtype=str, keep_default_na=False,
    na_values=missing)`` reads them; None when pyarrow is not installed or the file is not tidy."""
    first = data.split(b"\n", 1)[0]
    if b"\r" in data or b'"' in first or not _regular_quotes(data):
        return None
    header = first.decode("utf-8").split(",")
    if len(header) < 2 or len(set(header)) != len(header) or "" in header:
        return None  # pandas renames such columns: leave them to it
    table = _read_arrow(data, header, missing)
    if table is None:
        return None
    import pyarrow as pa

    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    if pd.Series([], dtype=str).dtype != dtype:  # an older pandas, whose text dtype is not Arrow's
        return None
    return table.to_pandas(types_mapper={pa.large_string(): dtype}.get)


def read_cells(path: Path, file: str, missing: list[str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Every cell of ``path`` as text (missing values as NA), or None if the file cannot be read.

    A tidy file is parsed by pyarrow when it is installed (the ``engine`` extra); any other file,
    or any file without pyarrow, by pandas' C parser after the structure checks. Both give the
    same frame: text columns of pandas' ``str`` dtype, missing values as NaN.
    """
    if not path.is_file():
        return None, [Problem(file, None, None, None, "file", "file is missing")]
    data = path.read_bytes()
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    frame = _read_fast(body, missing)
    if frame is not None:
        return frame, problems
    found = structure_problems(text, file)
    if found:
        return None, problems + found
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=missing, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:  # after the checks above: unexpected
        return None, problems + [Problem(file, None, None, None, "csv-syntax", f"cannot be parsed: {err}")]
    return frame, problems
