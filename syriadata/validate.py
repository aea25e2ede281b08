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
    broken = {p.file for p in problems if p.rule in ("file", "header")}
    for check in ALL_CHECKS:
        try:
            problems += check(pkg, tables)
        except Exception as err:  # a table too broken to check across: say so, keep the report whole
            if not broken:
                raise
            problems.append(Problem("datapackage.json", None, None, None, "check-skipped",
                                    f"{check.__name__} could not run until {', '.join(sorted(broken))} "
                                    f"can be read ({type(err).__name__})"))
    return problems
