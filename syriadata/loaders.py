"""Typed, validated loaders for every table of the data package.

``load(name)`` reads a CSV as text, converts each column to the dtype its Table Schema declares,
and validates it with a pandera schema derived from the same descriptor. The named wrappers
(``load_control_events()`` ...) are generated from the descriptor's resource list.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .csvfile import read_cells
from .descriptor import Package, read_package
from .errors import UsageError
from .problems import DataValidationError, Problem, csv_line as _line
from .schema import DATE_DTYPE, dtype_for, pandera_schema

# pandera check names -> the rule names used in reports (the same words frictionless uses)
_PANDERA_RULES = {
    "not_nullable": "required",
    "field_uniqueness": "unique",
    "multiple_fields_uniqueness": "primary-key",
    "enum": "enum", "isin": "enum",
    "pattern": "pattern", "str_matches": "pattern",
    "minimum": "minimum", "greater_than_or_equal_to": "minimum",
    "maximum": "maximum", "less_than_or_equal_to": "maximum",
}


def _convert(raw: pd.Series, field: dict[str, Any]) -> tuple[pd.Series, pd.Series, str]:
    """Convert text to the field's dtype; return the typed column, a mask of bad cells, and the rule."""
    kind = field["type"]
    present = raw.notna()
    dtype = dtype_for(field)
    if kind == "string":
        enum = field.get("constraints", {}).get("enum")
        if enum:
            bad = present & ~raw.isin(enum)
            return raw.where(~bad).astype(dtype), bad, "enum"
        return raw.astype(dtype), pd.Series(False, index=raw.index), "type"
    if kind == "date":
        typed = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        bad = present & typed.isna()
        return typed.astype(DATE_DTYPE), bad, "type-date"
    if kind == "integer":
        ok = raw.str.fullmatch(r"[+-]?\d+").fillna(False).astype(bool)
        bad = present & ~ok
        return pd.to_numeric(raw.where(ok)).astype(dtype), bad, "type-integer"
    if kind == "number":
        typed = pd.to_numeric(raw, errors="coerce")
        bad = present & typed.isna()
        return typed.astype(dtype), bad, "type-number"
    if kind == "boolean":
        mapping = {"true": True, "false": False}
        bad = present & ~raw.isin(list(mapping))
        return raw.map(mapping).astype(dtype), bad, "type-boolean"
    raise ValueError(f"field type {kind!r} of {field['name']!r} is not supported by the loader")


#: first characters that make a spreadsheet run a cell as a formula (CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def read_table(pkg: Package, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one table; return the typed frame and every problem found (never raises on bad data)."""
    res = pkg.resource(name)
    file = res["path"]
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    raw, problems = read_cells(pkg.path(name), file, res["schema"].get("missingValues", [""]))
    if raw is None:
        empty = pd.DataFrame({f["name"]: pd.Series(dtype=dtype_for(f)) for f in fields})
        return empty, problems
    if list(raw.columns) != names:
        problems.append(Problem(file, 1, None, ",".join(raw.columns), "header",
                                f"header must be exactly: {','.join(names)}"))
        for col in sorted(set(names) - set(raw.columns)):
            raw[col] = pd.Series(pd.NA, index=raw.index, dtype="object")
        raw = raw[names]
    typed = {}
    for field in fields:
        col = field["name"]
        typed[col], bad, rule = _convert(raw[col], field)
        for idx in raw.index[bad]:
            problems.append(Problem(file, _line(idx), col, raw.at[idx, col], rule,
                                    f"cannot be read as {field['type']}"
                                    + (f" from {{{', '.join(field['constraints']['enum'])}}}" if rule == "enum" else "")))
        if field["type"] == "string":
            formula = raw[col].str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
            for idx in raw.index[formula]:
                problems.append(Problem(file, _line(idx), col, raw.at[idx, col], "formula-prefix",
                                        "text starting with = + - @, a tab or a carriage return runs as a formula "
                                        "in spreadsheets; reword it (or put the sign later in the text)"))
    frame = pd.DataFrame(typed, index=raw.index)
    problems += schema_problems(pkg, name, frame, skip_rules={"enum"})
    return frame, problems


def schema_problems(pkg: Package, name: str, frame: pd.DataFrame, skip_rules=frozenset()) -> list[Problem]:
    """Run the pandera schema of ``name`` on ``frame`` and translate its failures into problems."""
    import pandera.errors

    schema = pandera_schema(pkg.fields(name), pkg.primary_key(name), name)
    file = pkg.resource(name)["path"]
    try:
        schema.validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
    problems = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        rule = _PANDERA_RULES.get(check.split("(")[0], check)
        if rule in skip_rules:
            continue
        column = case.column if isinstance(case.column, str) else None
        value = None if pd.isna(case.failure_case) else str(case.failure_case)
        if isinstance(value, str) and value.startswith("NaT"):
            value = None
        problems.append(Problem(file, _line(case.index), column, value, rule, f"breaks the {rule} rule of the schema"))
    return problems


@lru_cache(maxsize=64)
def _load_cached(root: Path, name: str, mtime_ns: tuple) -> pd.DataFrame:
    pkg = read_package(root)
    frame, problems = read_table(pkg, name)
    if problems:
        raise DataValidationError(problems)
    return frame


def _root_for(root, version, offline):
    if version is None:
        return root
    if root is not None:
        raise UsageError("give either root= (a package folder) or version=, not both")
    from .releases import release_root

    return release_root(version, offline=offline)


def load(name: str, *, root: str | Path | None = None, version: str | None = None,
         offline: bool = False) -> pd.DataFrame:
    """Load one table as a typed pandas DataFrame, validated against its schema.

    ``root`` is a data package folder; by default the one bundled with the library. ``version``
    loads a published release instead: the installed one from the package itself, another from
    the verified download cache (downloaded on first use unless ``offline=True``).
    Raises ``DataValidationError`` listing every problem if the table breaks its schema.
    """
    root = _root_for(root, version, offline)
    pkg = read_package(root)
    name = pkg.current_name(name)
    pkg.resource(name)  # friendly error for an unknown name
    path = pkg.path(name)
    # the cache is keyed on both files, so an edited CSV or descriptor is read again
    mtime = (path.stat().st_mtime_ns if path.exists() else 0, (pkg.root / "datapackage.json").stat().st_mtime_ns)
    return _load_cached(pkg.root, name, mtime).copy()


def load_all(*, root: str | Path | None = None, version: str | None = None,
             offline: bool = False) -> dict[str, pd.DataFrame]:
    """Every table of the package, by name."""
    root = _root_for(root, version, offline)
    return {name: load(name, root=root) for name in read_package(root).table_names}


def _make_loader(name: str, title: str, description: str):
    def loader(*, root: str | Path | None = None, version: str | None = None, offline: bool = False) -> pd.DataFrame:
        return load(name, root=root, version=version, offline=offline)

    loader.__name__ = f"load_{name}"
    loader.__qualname__ = loader.__name__
    loader.__doc__ = f"Load the ``{name}`` table ({title}): {description}\n\nSame as ``load({name!r})``."
    return loader


def _named_loaders() -> dict[str, Any]:
    pkg = read_package()
    return {f"load_{r['name']}": _make_loader(r["name"], r.get("title", r["name"]), r.get("description", ""))
            for r in pkg.descriptor["resources"]}


globals().update(_named_loaders())
