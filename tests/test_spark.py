"""The Spark recipe (docs/benchmarks.md): ``arrow_batch_annotator`` over Arrow record batches gives
``annotate``'s answers; under a local Spark session too, when pyspark and a Java runtime are present."""
from __future__ import annotations

import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import syriadata
from fixtures import TOY
from syriadata.engine.vectorised import SPARK_ANNOTATED_FIELDS, annotator, arrow_batch_annotator

PLACES = pd.DataFrame({"place_id": ["hama", "daraa", "homs"], "latitude": [35.13179, 32.6189, 34.72405],
                       "longitude": [36.75783, 36.10213, 36.72559]})


def _points(n=400, seed=5):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"latitude": rng.uniform(32.5, 35.3, n), "longitude": rng.uniform(36, 37, n),
                         "date": pd.Timestamp("2024-12-01") + pd.to_timedelta(rng.integers(0, 10, n), unit="D")})


def _as_text(frame):
    return frame.astype({c: "string" for c in ("place_id", "controller")}).reset_index(drop=True)


def test_arrow_batches_match_annotate():
    pa = pytest.importorskip("pyarrow")
    pts = _points()
    want = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=60)
    run = arrow_batch_annotator(annotator(PLACES, TOY, max_km=60))
    batches = pa.Table.from_pandas(pts, preserve_index=False).to_batches(max_chunksize=97)
    got = pa.Table.from_batches(list(run(iter(batches)))).to_pandas()
    assert len(batches) == 5  # the comparison crosses batch edges
    assert got["controller"].notna().sum() > 100
    pd.testing.assert_frame_equal(_as_text(want), _as_text(got), check_dtype=False)
    names = [f.split()[0] for f in SPARK_ANNOTATED_FIELDS.split(",")]
    assert list(got.columns) == [*pts.columns, *names]


def test_spark_map_in_arrow_matches_annotate(monkeypatch):
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime")
    from pyspark.sql import SparkSession

    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # the workers run this interpreter, with its packages
    spark = SparkSession.builder.master("local[2]").appName("syriadata-test").getOrCreate()
    try:
        pts = _points()
        run = arrow_batch_annotator(annotator(PLACES, TOY, max_km=60))
        sdf = spark.createDataFrame(pts)
        schema = f"{sdf.schema.simpleString()[7:-1]},{SPARK_ANNOTATED_FIELDS}"
        got = sdf.mapInArrow(run, schema=f"struct<{schema}>").toPandas()
        want = syriadata.annotate(pts, events=TOY, places=PLACES, max_km=60)
        got = got.sort_values(["latitude", "longitude"]).reset_index(drop=True)
        want = want.sort_values(["latitude", "longitude"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(_as_text(want)[["place_id", "controller"]],
                                      _as_text(got)[["place_id", "controller"]], check_dtype=False)
    finally:
        spark.stop()
