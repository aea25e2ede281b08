"""Property tests: generated CSV text, bytes and descriptors never crash ``validate`` or the loaders.

Each input either validates (and loads as a DataFrame) or gives problems / a ``SyriadataError``;
any other exception is a bug. Explicit examples pin the cases that once crashed.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syriadata.errors import SyriadataError
from syriadata.loaders import load
from syriadata.contract.problems import Problem
from syriadata.contract.validate import validate_package

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TYPES = ["string", "integer", "number", "boolean", "date", "datetime", "geopoint"]


@st.composite
def fields(draw):
    n = draw(st.integers(1, 4))
    names = draw(st.lists(st.sampled_from(["id", "a", "b", "c", "when", "n"]), min_size=n, max_size=n, unique=True))
    out = []
    for name in names:
        kind = draw(st.sampled_from(TYPES))
        cons = {}
        if draw(st.booleans()):
            cons["required"] = True
        if draw(st.booleans()):
            cons["unique"] = True
        if kind == "string" and draw(st.booleans()):
            cons["enum"] = draw(st.lists(st.sampled_from(["x", "y", "z", "é"]), min_size=1, max_size=3, unique=True))
        if kind == "string" and draw(st.booleans()):
            cons["pattern"] = draw(st.sampled_from(["[a-z]+", "\\d{2}", "(", ".*"]))
        if kind in ("integer", "number") and draw(st.booleans()):
            cons["minimum"] = draw(st.integers(-5, 5))
        out.append({"name": name, "type": kind, **({"constraints": cons} if cons else {})})
    return out


CELL = st.one_of(
    st.sampled_from(["", "x", "y", "1", "-1", "2.5", "true", "false", "2024-12-06", "06/12/2024", "2999-01-01",
                     "=1+1", "@x", '"', '""', "a,b", "a\nb", " x ", "\t", "NaN", "é", "\u0645\u062f\u064a\u0646\u0629"]),
    st.text(max_size=6),
)


def csv_text(columns: list[str], rows: list[list[str]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue()


def write_package(folder: Path, descriptor, csv_bytes: bytes) -> None:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    text = descriptor if isinstance(descriptor, str) else json.dumps(descriptor)
    (folder / "datapackage.json").write_text(text, encoding="utf-8")
    (folder / "data" / "t.csv").write_bytes(csv_bytes)


def descriptor_for(schema_fields, primary_key=None) -> dict:
    schema = {"fields": schema_fields}
    if primary_key:
        schema["primaryKey"] = primary_key
    return {"name": "fuzz", "version": "1.0.0",
            "resources": [{"name": "t", "path": "data/t.csv", "schema": schema}]}


def check_contract(folder: Path) -> None:
    """validate returns problems (or raises SyriadataError); load returns a frame or raises SyriadataError."""
    try:
        problems = validate_package(folder)
    except SyriadataError:
        problems = None
    else:
        assert all(isinstance(p, Problem) for p in problems)
    try:
        frame = load("t", root=folder)
    except SyriadataError:
        return
    assert isinstance(frame, pd.DataFrame)
    if problems is not None:  # a table that loads cleanly has no problems of its own schema
        assert not [p for p in problems if p.file == "data/t.csv" and p.rule not in ("sort-order", "trailing-space",
                                                                                      "line-endings")]


@SETTINGS
@given(schema_fields=fields(), rows=st.lists(st.lists(CELL, min_size=0, max_size=5), max_size=6),
       with_pk=st.booleans())
@example(schema_fields=[{"name": "id", "type": "string"}], rows=[["a"], ["a"]], with_pk=True)
@example(schema_fields=[{"name": "when", "type": "date"}], rows=[["06/12/2024"]], with_pk=False)
@example(schema_fields=[{"name": "n", "type": "integer", "constraints": {"minimum": 0}}], rows=[["-1"], ["x"]],
         with_pk=False)
@example(schema_fields=[{"name": "a", "type": "string"}], rows=[[], ["=cmd"]], with_pk=False)
def test_generated_tables(schema_fields, rows, with_pk):
    names = [f["name"] for f in schema_fields]
    pk = [names[0]] if with_pk else None
    with tempfile.TemporaryDirectory() as tmp:
        write_package(Path(tmp), descriptor_for(schema_fields, pk), csv_text(names, rows).encode("utf-8"))
        check_contract(Path(tmp))


@SETTINGS
@given(data=st.binary(max_size=200))
@example(data=b"")
@example(data=b"\xef\xbb\xbfid\nx\n")
@example(data=b'id\n"unterminated\n')
@example(data=b"id\n\xe9\n")
@example(data=b"id\x00\n")
def test_generated_bytes(data):
    with tempfile.TemporaryDirectory() as tmp:
        write_package(Path(tmp), descriptor_for([{"name": "id", "type": "string"}]), data)
        check_contract(Path(tmp))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=10)


@SETTINGS
@given(descriptor=st.one_of(
    JSON,
    st.fixed_dictionaries({"version": JSON, "resources": JSON}),
    st.fixed_dictionaries({"version": st.just("1.0.0"), "resources": st.lists(st.fixed_dictionaries(
        {"name": st.sampled_from(["t", "u", ""]), "path": st.one_of(JSON, st.sampled_from(
            ["data/t.csv", "../t.csv", "/etc/passwd", "data\\t.csv", "http://x/t.csv", "data/../data/t.csv"])),
         "schema": st.one_of(JSON, st.just({"fields": [{"name": "id"}]}))}), max_size=2)}),
    st.text(max_size=30)))
@example(descriptor={"version": "1", "resources": [{"name": "t", "path": "data/t.csv", "schema": {"fields": [
    {"name": "id", "type": "string", "constraints": {"pattern": 5}}]}}]})
@example(descriptor={"version": "1", "resources": [{"name": "t", "path": "data/t.csv", "schema": {"fields": [
    {"name": "id", "constraints": []}], "primaryKey": 3}}]})
def test_generated_descriptors(descriptor):
    with tempfile.TemporaryDirectory() as tmp:
        write_package(Path(tmp), descriptor, b"id\nx\n")
        check_contract(Path(tmp))
