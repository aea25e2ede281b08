"""Derive pandas dtypes and pandera schemas from the Table Schemas in ``datapackage.json``.

pandera's own ``from_frictionless_schema`` maps dates to strings, ignores the closed vocabularies and
drops foreign keys, so this small converter does the mapping we need; foreign keys and the other
cross-table rules live in :mod:`syriadata.checks`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

DATE_DTYPE = np.dtype("datetime64[us]")


def dtype_for(field: dict[str, Any]):
    """The pandas dtype a Table Schema field loads as."""
    kind = field["type"]
    enum = field.get("constraints", {}).get("enum")
    if kind == "string" and enum:
        return pd.CategoricalDtype(enum, ordered=bool(field.get("categoriesOrdered", False)))
    return {
        "string": pd.StringDtype(),
        "integer": pd.Int64Dtype(),
        "number": np.dtype("float64"),
        "boolean": pd.BooleanDtype(),
        "date": DATE_DTYPE,
    }[kind]


def dtypes(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["name"]: dtype_for(f) for f in fields}


def pandera_schema(fields: list[dict[str, Any]], primary_key: list[str], name: str):
    """A pandera ``DataFrameSchema`` equivalent to one Table Schema (less its foreign keys)."""
    import pandera.pandas as pa

    columns = {}
    for field in fields:
        cons = dict(field.get("constraints", {}))
        if field["name"] in primary_key:  # key fields are never empty; a single-field key is unique
            cons["required"] = True
            cons["unique"] = cons.get("unique", False) or len(primary_key) == 1
        checks = []
        if "enum" in cons:
            checks.append(pa.Check.isin(cons["enum"], name="enum"))
        if "pattern" in cons:
            # Table Schema patterns match the whole value (XML Schema semantics)
            checks.append(pa.Check.str_matches(rf"(?:{cons['pattern']})\Z", name="pattern"))
        if "minimum" in cons:
            checks.append(pa.Check.ge(cons["minimum"], name="minimum"))
        if "maximum" in cons:
            checks.append(pa.Check.le(cons["maximum"], name="maximum"))
        columns[field["name"]] = pa.Column(
            dtype_for(field),
            nullable=not cons.get("required", False),
            unique=bool(cons.get("unique", False)),
            checks=checks,
            title=field.get("title"),
            description=field.get("description"),
        )
    return pa.DataFrameSchema(
        columns,
        unique=primary_key if len(primary_key) > 1 else None,
        strict=True,
        ordered=True,
        name=name,
    )
