"""Read one table of a data package: text cells to the dtypes its Table Schema declares, and
every problem found (never raising on bad data). The loaders and ``validate`` build on this."""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .csvfile import FORMULA_PREFIXES, read_cells
from .descriptor import Package
from .problems import Problem, csv_line as _line
from .schema import DATE_DTYPE, dtype_for, pandera_schema
from .typedread import read_typed


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
            # factorise the column once (few distinct values), then place each distinct value in the enum
            codes, uniques = pd.factorize(raw)
            where = dtype.categories.get_indexer(pd.Index(uniques, dtype=object))
            codes = np.where(codes >= 0, where[np.maximum(codes, 0)] if len(where) else -1, -1)
            bad = present & pd.Series(codes < 0, index=raw.index)
            return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=raw.index, name=raw.name), bad, "enum"
        return raw.astype(dtype), pd.Series(False, index=raw.index), "type"
    if kind == "date":
        typed = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        exact = raw.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)  # strptime takes "2024-12-1" too
        bad = present & (typed.isna() | ~exact)
        typed = typed.where(~bad)
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


_FORMULA_START = "[" + "".join(re.escape(p) for p in FORMULA_PREFIXES) + "]"


def read_table(pkg: Package, name: str, as_codes=frozenset()) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one table; return the typed frame and every problem found (never raises on bad data).
    ``as_codes``: text columns the fast path may return as categories (see ``read_typed``).

    A tidy file that breaks no rule is read by :func:`~syriadata.contract.typedread.read_typed`
    (vectorised); any other is read cell by cell below, which finds and reports every problem.
    """
    res = pkg.resource(name)
    file = res["path"]
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    missing = res["schema"].get("missingValues", [""])
    path = pkg.path(name)
    if path.is_file():  # a valid tidy table loads without the cell-by-cell reading below
        typed = read_typed(path, fields, pkg.primary_key(name), missing, as_codes)
        if typed is not None:
            return typed, []
    raw, problems = read_cells(path, file, missing)
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
            formula = raw[col].str.match(_FORMULA_START).fillna(False).astype(bool)  # one pass: startswith(FORMULA_PREFIXES)
            for idx in raw.index[formula]:
                problems.append(Problem(file, _line(idx), col, raw.at[idx, col], "formula-prefix",
                                        "text starting with = + - @, a tab or a carriage return runs as a formula "
                                        "in spreadsheets; reword it (or put the sign later in the text)"))
    frame = pd.DataFrame(typed, index=raw.index)
    problems += schema_problems(pkg, name, frame, skip_rules={"enum"})
    return frame, problems


def _rule_text(rule: str, field: dict | None) -> str:
    """What the broken rule asks for, in words."""
    cons = (field or {}).get("constraints", {})
    return {"pattern": f"does not match the pattern {cons.get('pattern')!r}",
            "minimum": f"is below the minimum {cons.get('minimum')}",
            "maximum": f"is above the maximum {cons.get('maximum')}",
            "required": "is empty but required",
            "unique": "repeats a value that must be unique",
            "primary-key": "repeats the primary key of another row"}.get(rule, f"breaks the {rule} rule of the schema")


def _passes(frame: pd.DataFrame, fields: list[dict], key: list[str]) -> bool:
    """True if ``frame`` certainly passes its pandera schema (the same rules, vectorised).

    pandera costs about 0.7 s per million rows even on valid data; these checks cost a fraction
    of that. Only when one fails does pandera run, so every report still comes from pandera.
    """
    import re

    for field in fields:
        col, cons = frame[field["name"]], dict(field.get("constraints", {}))
        if field["name"] in key:
            cons["required"] = True
            cons["unique"] = cons.get("unique", False) or len(key) == 1
        present = col.dropna()
        if cons.get("required") and len(present) != len(col):
            return False
        if cons.get("unique") and col.duplicated().any():  # pandera counts repeated empty cells too
            return False
        if "pattern" in cons and len(present):
            text = present.astype(str)
            if not text.str.fullmatch(re.compile(cons["pattern"])).all():
                return False
        if "minimum" in cons and len(present) and (present < cons["minimum"]).any():
            return False
        if "maximum" in cons and len(present) and (present > cons["maximum"]).any():
            return False
    return not (len(key) > 1 and frame.duplicated(key).any())


def schema_problems(pkg: Package, name: str, frame: pd.DataFrame, skip_rules=frozenset()) -> list[Problem]:
    """Run the pandera schema of ``name`` on ``frame`` and translate its failures into problems."""
    if _passes(frame, pkg.fields(name), pkg.primary_key(name)):
        return []
    import pandera.errors

    schema = pandera_schema(pkg.fields(name), pkg.primary_key(name), name)
    fields = {f["name"]: f for f in pkg.fields(name)}
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
        problems.append(Problem(file, _line(case.index), column, value, rule, _rule_text(rule, fields.get(column))))
    return problems


def read_tables(pkg: Package, names=None) -> dict[str, pd.DataFrame]:
    """Tables of ``pkg`` by name, each validated against its schema; DataValidationError lists every problem."""
    from .problems import DataValidationError

    out, problems = {}, []
    for name in names or pkg.table_names:
        out[name], found = read_table(pkg, name)
        problems += found
    if problems:
        raise DataValidationError(problems)
    return out
