"""Rewrite a package's CSV files canonically and record their sizes and hashes in the descriptor.

Canonical form keeps diffs readable: UTF-8, LF, one header row, rows sorted by primary key,
cells without surrounding spaces, minimal quoting. Files are replaced atomically.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from .._atomic import atomic_write
from .csvfile import STRUCTURAL_RULES, read_cells
from .descriptor import read_package
from .problems import DataValidationError


def canonical_csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False, name=None))
    return buf.getvalue().encode("utf-8")


def tidy_package(root: str | Path | None = None) -> list[str]:
    """Canonicalise every table of the package at ``root`` and refresh ``bytes``/``hash``.

    Parameters
    ----------
    root : a data package folder; None for the bundled package.

    Returns the names of the files whose bytes changed. A byte-order mark is removed. If any file
    cannot be read exactly (not UTF-8, an unterminated quote, ragged rows), nothing is written and
    ``DataValidationError`` lists the problems.
    """
    pkg = read_package(root)
    changed, pending = [], []
    for res in pkg.descriptor["resources"]:
        path = pkg.path(res["name"])
        raw, problems = read_cells(path, res["path"], [])
        broken = [p for p in problems if p.rule in STRUCTURAL_RULES]
        if broken:  # never rewrite a file that cannot be read exactly: the fix is the user's
            raise DataValidationError(broken)
        raw = raw.apply(lambda col: col.str.strip().str.replace("\r\n", "\n").str.replace("\r", "\n"))
        pk = res["schema"].get("primaryKey", [])
        pk = [pk] if isinstance(pk, str) else pk
        if pk and set(pk) <= set(raw.columns):
            raw = raw.sort_values(pk, kind="stable")
        pending.append((res, path, canonical_csv(raw)))
    for res, path, data in pending:  # every file was readable: now write
        if path.read_bytes() != data:
            atomic_write(path, data)
            changed.append(res["path"])
        res["bytes"] = len(data)
        res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    text = json.dumps(pkg.descriptor, indent=2, ensure_ascii=False) + "\n"
    atomic_write(pkg.root / "datapackage.json", text.encode("utf-8"))
    return changed
