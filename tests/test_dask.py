"""annotate past one machine: annotate_partitions on a Dask cluster of two worker processes gives
exactly what annotate gives in one process."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe", reason="dask is not installed: pip install 'syriadata[dask]'")
distributed = pytest.importorskip("distributed", reason="distributed is not installed: pip install 'syriadata[dask]'")

import syriadata  # noqa: E402
from syriadata.engine.vectorised import annotate_partitions  # noqa: E402


def points(n: int = 20_000, seed: int = 3) -> pd.DataFrame:
    places = syriadata.load_places().dropna(subset=["latitude", "longitude"])
    rng = np.random.default_rng(seed)
    near = rng.integers(0, len(places), n)
    return pd.DataFrame({
        "latitude": places["latitude"].to_numpy()[near] + rng.normal(0, 0.05, n),
        "longitude": places["longitude"].to_numpy()[near] + rng.normal(0, 0.05, n),
        "date": (np.datetime64("2024-11-20") + rng.integers(0, 140, n)).astype("datetime64[us]"),
        "row": np.arange(n),
    })


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_annotate_partitions_matches_single_process(client):
    frame = points()
    expected = syriadata.annotate(frame, max_km=10)
    ddf = dd.from_pandas(frame, npartitions=4)
    result = annotate_partitions(ddf, max_km=10).compute()
    assert len(client.scheduler_info()["workers"]) == 2
    result = result.sort_values("row").reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected.reset_index(drop=True), check_categorical=False)
    for col in ("place_id", "controller"):  # same labels, even if a partition saw fewer categories
        assert result[col].astype("string").equals(expected[col].astype("string"))


def test_annotate_partitions_names_missing_columns():
    ddf = dd.from_pandas(points(100).drop(columns="date"), npartitions=2)
    with pytest.raises(syriadata.SyriadataError, match="date"):
        annotate_partitions(ddf)
