"""Validate a whole data package: every table's schema, then the cross-table checks."""
from __future__ import annotations

from pathlib import Path

from .checks import ALL_CHECKS
from .descriptor import read_package
from .loaders import read_table
from .problems import Problem


def validate_package(root: str | Path | None = None) -> list[Problem]:
    """Every problem in the package at ``root`` (default: bundled); an empty list means valid."""
    pkg = read_package(root)
    tables, problems = {}, []
    for name in pkg.table_names:
        tables[name], found = read_table(pkg, name)
        problems += found
    for check in ALL_CHECKS:
        problems += check(pkg, tables)
    return problems
