"""LinearSVC without PySpark: Spark's saved layout, the binary-label check, the threshold on
the margin, and the scikit-learn export."""

from __future__ import annotations

import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml.classification import LinearSVC, LinearSVCModel
from dfml.ml.linalg import Vectors
from dfml.sql.errors import IllegalArgumentException

ROWS = [(0.0, Vectors.dense(0.0, 1.0)), (0.0, Vectors.dense(1.0, 0.5)),
        (1.0, Vectors.dense(2.0, 2.0)), (1.0, Vectors.dense(3.0, 1.5)),
        (0.0, Vectors.dense(0.5, 0.0)), (1.0, Vectors.dense(2.5, 3.0))]


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame(ROWS, ["label", "features"])


def test_save_load_and_sklearn(df, tmp_path):
    model = LinearSVC(regParam=0.1).fit(df)
    path = str(tmp_path / "svc")
    model.save(path)
    table = pq.read_table(os.path.join(path, "data/part-00000.parquet"))
    assert table.column_names == ["coefficients", "intercept"]
    loaded = LinearSVCModel.load(path)
    assert loaded.coefficients == model.coefficients and loaded.intercept == model.intercept
    got = loaded.transform(df).select("rawPrediction", "prediction").collect()
    assert got == model.transform(df).select("rawPrediction", "prediction").collect()
    X = np.array([r[1].toArray() for r in ROWS])
    assert list(model.to_sklearn().predict(X)) == [r[1] for r in got]
    assert np.allclose(model.to_sklearn().decision_function(X), [r[0][1] for r in got])


def test_threshold_moves_predictions(df):
    model = LinearSVC(regParam=0.1).fit(df)
    model.setThreshold(1e9)
    assert {r[0] for r in model.transform(df).select("prediction").collect()} == {0.0}


def test_more_than_two_classes_is_an_error(spark):
    three = spark.createDataFrame([(float(i % 3), Vectors.dense(float(i))) for i in range(6)],
                                  ["label", "features"])
    with pytest.raises(IllegalArgumentException, match="only supports binary classification"):
        LinearSVC().fit(three)


def test_param_range_error_names_the_stage(df):
    with pytest.raises(IllegalArgumentException, match=r"LinearSVC \(.*\): regParam must be >= 0"):
        LinearSVC(regParam=-0.5).fit(df)
