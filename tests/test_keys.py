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


def test_validate_compacts_few_valued_text_to_categories(monkeypatch):
    """validate's own form of a table: text of few distinct values as categories, the rest as one
    contiguous chunk, every value kept (here: 12 rows, 2 distinct holders; 12 distinct ids; the
    first chunk is the sample)."""
    import pyarrow as pa

    from syriadata.contract import validate

    ids = pa.chunked_array([pa.array([f"E{i}" for i in range(8)], pa.large_string()),
                            pa.array([f"E{i}" for i in range(8, 12)], pa.large_string())])
    holders = pa.chunked_array([pa.array(["x", "y", None, "x", "y", "x", "x", "y"], pa.large_string()),
                                pa.array(["y", "y", "x", "x"], pa.large_string())])
    dtype = pd.StringDtype("pyarrow")
    frame = pd.DataFrame({"id": pd.array(ids, dtype=dtype), "holder": pd.array(holders, dtype=dtype)})
    want = frame.astype(object)
    out = validate._compact(frame)
    assert isinstance(out["holder"].dtype, pd.CategoricalDtype)
    assert isinstance(out["id"].dtype, pd.StringDtype) and out["id"].array._pa_array.num_chunks == 1
    assert out.astype(object).where(out.notna(), None).equals(want.where(want.notna(), None))


def test_isin_a_categorical_reference_counts_only_categories_in_use():
    ref = pd.Series(pd.Categorical(["b", "a", None], categories=["a", "b", "z"]))
    got = keys.isin(pd.Series(["a", "z", None, "b", "q"], dtype="string"), ref)
    assert got.tolist() == [True, False, False, True, False]  # "z" is a category no cell holds
