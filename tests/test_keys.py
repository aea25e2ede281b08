"""The key look-ups of the cross-table checks (syriadata.contract.keys), against hand-worked answers."""
from __future__ import annotations

import pandas as pd
import pytest

from syriadata.contract import keys

REF = pd.Series(["a", "b", "c", "d"], dtype="string")


@pytest.mark.parametrize("values, expected", [
    (["a", "a", "b", "c", "d", "d"], [0, 0, 1, 2, 3, 3]),   # sorted, every key: the merge path
    (["a", "c", "c", "b", "d"], [0, 2, 2, 1, 3]),           # unsorted: hashed
    (["a", "b", "c", "e"], [0, 1, 2, -1]),                  # an unknown key
    (["b", None, "d"], [1, -1, 3]),                         # a missing value
])
def test_positions(values, expected):
    assert keys.positions(pd.Series(values, dtype="string"), REF).tolist() == expected
    assert keys.isin(pd.Series(values, dtype="string"), REF).tolist() == [e >= 0 for e in expected]


def test_positions_of_categories_and_first_of_repeated_reference():
    cats = pd.Series(pd.Categorical(["d", None, "a"]))
    assert keys.positions(cats, REF).tolist() == [3, -1, 0]
    assert keys.positions(pd.Series(["b"], dtype="string"), pd.Series(["a", "b", "b"], dtype="string")).tolist() == [1]


def test_shared_lookups_compute_once(monkeypatch):
    calls = []
    real = keys._sorted_positions
    monkeypatch.setattr(keys, "_sorted_positions", lambda a, r: calls.append(1) or real(a, r))
    links = pd.Series(["a", "a", "b", "c", "d"], dtype="string")
    with keys.shared_lookups():
        first = keys.positions(links, REF)
        again = keys.positions(links, REF)
    assert first.tolist() == again.tolist() == [0, 0, 1, 2, 3] and len(calls) == 1
    keys.positions(links, REF)  # outside the block: computed again
    assert len(calls) == 2


@pytest.mark.parametrize("columns, expected", [
    ([["a", "a", "b"], ["2", "3", "1"]], True),
    ([["a", "a", "b"], ["3", "2", "1"]], False),   # equal first column, second out of order
    ([["b", "a"], ["1", "2"]], False),
    ([["é", "z"]], False),                         # byte order: é (0xC3 0xA9) after z
])
def test_sorted_rows(columns, expected):
    import pyarrow as pa

    assert keys.sorted_rows([pa.array(c, pa.large_string()) for c in columns]) is expected


def test_codes_of_categories_use_their_codes():
    cat = pd.Series(pd.Categorical(["b", None, "a", "b"], categories=["a", "b", "c"]))
    idx, labels = keys.codes(cat)
    assert idx.tolist() == [1, -1, 0, 1] and labels == ["a", "b", "c"]  # an unused category is a label too
    idx, labels = keys.codes(pd.Series(["b", None, "a", "b"], dtype="string"))
    assert [labels[i] if i >= 0 else None for i in idx] == ["b", None, "a", "b"]


def test_validate_holds_text_in_one_chunk():
    """validate's own form of a table: each Arrow text column one contiguous chunk, values kept."""
    import pyarrow as pa

    from syriadata.contract import validate

    ids = pa.chunked_array([pa.array(["E0", "E1", None], pa.large_string()), pa.array(["E3"], pa.large_string())])
    frame = pd.DataFrame({"id": pd.array(ids, dtype=pd.StringDtype("pyarrow")), "n": [1, 2, 3, 4]})
    out = validate._compact(frame.copy())
    assert out["id"].array._pa_array.num_chunks == 1
    assert out["id"].tolist() == frame["id"].tolist() and out["n"].tolist() == [1, 2, 3, 4]


def test_validate_holds_few_valued_foreign_keys_as_codes():
    """A foreign key into a table with at most a quarter of this table's rows is held as codes (its
    referenced table bounds its distinct values); one into a table as large is not. The bundled
    files (1,150 events, 3,072 links) against referenced tables of 2 places, 1,000 actors and
    1,000,000 events."""
    from syriadata.contract import validate
    from syriadata.contract.descriptor import read_package

    pkg = read_package(None)
    tables = {"places": pd.DataFrame({"place_id": ["a", "b"]}), "actors": pd.DataFrame({"actor_id": range(1000)}),
              "control_events": pd.DataFrame({"event_id": range(10 ** 6)})}
    few = validate._few_valued(pkg, "control_events", tables)
    assert "place_id" in few and "controller_before" not in few  # 1,000 actors > a quarter of the rows
    links = validate._few_valued(pkg, "event_sources", tables)
    assert "event_id" not in links  # its referenced table is larger than it


def test_isin_a_categorical_reference_counts_only_categories_in_use():
    ref = pd.Series(pd.Categorical(["b", "a", None], categories=["a", "b", "z"]))
    got = keys.isin(pd.Series(["a", "z", None, "b", "q"], dtype="string"), ref)
    assert got.tolist() == [True, False, False, True, False]  # "z" is a category no cell holds
