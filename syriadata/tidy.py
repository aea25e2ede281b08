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

from ._atomic import atomic_write
from .descriptor import read_package


def canonical_csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False, name=None))
    return buf.getvalue().encode("utf-8")


def tidy_package(root: str | Path | None = None) -> list[str]:
    """Canonicalise every table of the package at ``root`` and refresh ``bytes``/``hash``.

    Returns the names of the files whose bytes changed.
    """
    pkg = read_package(root)
    changed = []
    for res in pkg.descriptor["resources"]:
        path = pkg.root / res["path"]
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        raw = raw.apply(lambda col: col.str.strip().str.replace("\r\n", "\n").str.replace("\r", "\n"))
        pk = res["schema"].get("primaryKey", [])
        pk = [pk] if isinstance(pk, str) else pk
        if pk:
            raw = raw.sort_values(pk, kind="stable")
        data = canonical_csv(raw)
        if path.read_bytes() != data:
            atomic_write(path, data)
            changed.append(res["path"])
        res["bytes"] = len(data)
        res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    text = json.dumps(pkg.descriptor, indent=2, ensure_ascii=False) + "\n"
    atomic_write(pkg.root / "datapackage.json", text.encode("utf-8"))
    return changed
