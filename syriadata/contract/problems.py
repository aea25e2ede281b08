"""Validation problems: where (file, row, column), what (value) and which rule was broken."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import SyriadataError


def csv_line(index) -> int | None:
    """CSV line number of a frame row read with a default RangeIndex (the header is line 1)."""
    try:
        return int(index) + 2
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule. ``row`` is the 1-based line number in the CSV file (the header is line 1)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = "" if self.value is None else f" value {self.value!r}:"
        return f"{where}:{value} [{self.rule}] {self.message}"


class DataValidationError(SyriadataError, ValueError):
    """Raised when data does not satisfy the contract in ``datapackage.json``."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=_sort_key)
        super().__init__(format_problems(self.problems))


def _sort_key(p: Problem):
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.rule, p.value or "")


def format_problems(problems: list[Problem], limit: int | None = None) -> str:
    """A readable report: a count line, then one line per problem."""
    problems = sorted(problems, key=_sort_key)
    shown = problems if limit is None else problems[:limit]
    lines = [f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"]
    lines += [f"  {p}" for p in shown]
    if len(shown) < len(problems):
        lines.append(f"  ... and {len(problems) - len(shown)} more")
    return "\n".join(lines)
