"""Validate a whole data package: the descriptor, every table's schema, then the cross-table checks."""
from __future__ import annotations

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
    with shared_lookups():  # the checks look up the same keys, and scan the files the reader scanned: once each
        tables, problems = {}, []
        for name in pkg.table_names:
            tables[name], found = read_table(pkg, name)
            problems += found
        broken = sorted({p.file for p in problems if p.rule in STRUCTURAL_RULES})
        if broken:
            return problems + [Problem("datapackage.json", None, None, None, "check-skipped",
                                       f"cross-table checks wait until {', '.join(broken)} can be read")]
        for check in ALL_CHECKS:
            problems += check(pkg, tables)
            _release_arrow_memory()  # a check's temporaries go back to the system before the next one runs
    return problems


def _release_arrow_memory() -> None:
    """Return the memory pyarrow's allocator keeps for reuse to the system (it counts in the peak otherwise)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
