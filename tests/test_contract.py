"""One contract test for every table the descriptor defines (found by introspection)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import syriadata
from syriadata.contract.descriptor import read_package
from syriadata.contract.schema import dtype_for

PKG = read_package()
TABLES = PKG.table_names


def test_named_loaders_match_resources():
    """The loaders module defines one load_<table> per resource, and syriadata.load_<table> is it."""
    import syriadata.loaders as loaders

    generated = {n[len("load_"):] for n, f in vars(loaders).items()
                 if n.startswith("load_") and n != "load_all" and callable(f)}
    assert generated == set(TABLES)
    for name in TABLES:
        wrapper = getattr(syriadata, f"load_{name}")
        assert wrapper is getattr(loaders, f"load_{name}") and wrapper.__name__ == f"load_{name}"
        assert PKG.resource(name)["title"] in wrapper.__doc__


@pytest.mark.parametrize("name", TABLES)
def test_table_loads_typed(name):
    frame = syriadata.load(name)
    fields = PKG.fields(name)
    assert list(frame.columns) == [f["name"] for f in fields]
    for field in fields:
        assert frame[field["name"]].dtype == dtype_for(field), field["name"]
    pk = PKG.primary_key(name)
    assert not frame.duplicated(pk).any()
    assert getattr(syriadata, f"load_{name}")().equals(frame)


@pytest.mark.parametrize("name", TABLES)
def test_closed_vocabularies_are_categoricals_with_labels(name):
    for field in PKG.fields(name):
        enum = field.get("constraints", {}).get("enum")
        if field["type"] == "string" and enum:
            # v2 `categories` carry the meaning, `enum` the enforcement: they must agree
            assert [c["value"] for c in field["categories"]] == enum
            assert all(c.get("label") for c in field["categories"])
            assert isinstance(dtype_for(field), pd.CategoricalDtype)


def test_unknown_table_has_friendly_error():
    with pytest.raises(KeyError, match="choose from: admin1"):
        syriadata.load("event")


def test_version_is_semver_and_matches_descriptor():
    import re

    assert re.fullmatch(r"\d+\.\d+\.\d+", syriadata.__version__)
    assert syriadata.__version__ == PKG.descriptor["version"]


def test_bundled_package_is_valid():
    problems = syriadata.validate_package()
    assert problems == [], "\n".join(map(str, problems))


def _frictionless_cli() -> str:
    beside = Path(sys.executable).with_name("frictionless")  # the test environment's own script
    found = str(beside) if beside.exists() else shutil.which("frictionless")
    assert found, "the frictionless CLI is part of the test extra: pip install -e '.[test]'"
    return found


def test_frictionless_validate_datapackage_json():
    """Exactly what the contract promises: `frictionless validate datapackage.json` reports valid."""
    result = subprocess.run([_frictionless_cli(), "validate", "datapackage.json"], cwd=PKG.root,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hashes_and_sizes_are_current():
    from syriadata.contract.checks import file_sha256

    for res in PKG.descriptor["resources"]:
        path = PKG.root / res["path"]
        assert res["bytes"] == path.stat().st_size, res["name"]
        assert res["hash"] == f"sha256:{file_sha256(path)}", res["name"]
