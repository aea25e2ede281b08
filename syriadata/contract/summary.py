"""What ``syriadata info`` shows, without pandas: version, row counts and coverage from the files.

``summarise()`` reads the descriptor and the bytes of each table; it neither types nor validates
the tables (``syriadata validate`` does), so it stays fast on a large package. Row counts are
exact for any file the CSV reader accepts: newlines inside quoted cells (the notes hold some) are
not record ends.
"""
from __future__ import annotations

import csv
from pathlib import Path

from .descriptor import read_package


def count_records(data: bytes) -> int:
    """Data records in the bytes of a CSV file, its header not counted (a valid table has no blank rows).

    A newline ends a record only outside quotes. Splitting at every double quote gives pieces that
    alternate outside, inside, outside ... a quoted cell (an escaped ``""`` closes and reopens it),
    so the record ends are the newlines of the even pieces.
    """
    if b'"' in data:
        outside = data.split(b'"')[::2]
    else:
        outside = [data]
    lines = sum(piece.count(b"\n") for piece in outside)
    if data and not data.endswith(b"\n"):
        lines += 1  # the last record has no newline
    records = lines - 1  # the header
    return max(records, 0)


def _coverage(path: Path, start: str, end: str) -> tuple[str | None, str | None]:
    """Earliest ``start`` and latest ``end`` (ISO dates compare as text) of a table, read with ``csv``."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header or start not in header or end not in header:
            return None, None
        i, j = header.index(start), header.index(end)
        width = max(i, j)
        lo = hi = None
        for record in reader:
            if len(record) <= width:
                continue
            a, b = record[i], record[j]
            if a and (lo is None or a < lo):
                lo = a
            if b and (hi is None or b > hi):
                hi = b
    return lo, hi


def summarise(root: str | Path | None = None) -> dict:
    """Version, licences, row counts per table and the coverage of the package at ``root`` (default: bundled).

    Returns ``{"name", "version", "root", "licenses", "tables": {name: rows}, "coverage": {"table",
    "start", "end"} or None}``; a missing file counts as 0 rows. ``coverage`` is the earliest window
    start and the latest window end of the table declaring ``x-chain`` (``control_events``): the
    first baseline and the last sourced day.
    """
    pkg = read_package(root)
    tables = {}
    for name in pkg.table_names:
        path = pkg.path(name)
        tables[name] = count_records(path.read_bytes()) if path.is_file() else 0
    coverage = None
    for name in pkg.table_names:
        res = pkg.resource(name)
        if res.get("x-chain") and res.get("x-window") and tables[name]:
            window = res["x-window"]
            start, end = _coverage(pkg.path(name), window["start"], window["end"])
            coverage = {"table": name, "start": start, "end": end}
            break
    return {
        "name": pkg.descriptor.get("name"),
        "version": pkg.version,
        "root": str(pkg.root),
        "licenses": [lic.get("name") for lic in pkg.descriptor.get("licenses", [])],
        "tables": tables,
        "coverage": coverage,
    }
