"""AFTSurvivalRegression without PySpark: save/load round trip in Spark's layout, Spark's
checks on the label and censor (named), the quantiles of one row, and the printed model."""

from __future__ import annotations

import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml.linalg import Vectors
from dfml.ml.regression import AFTSurvivalRegression, AFTSurvivalRegressionModel
from dfml.sql.errors import IllegalArgumentException

ROWS = [(1.218, 1.0, Vectors.dense(1.560, -0.605)), (2.949, 0.0, Vectors.dense(0.346, 2.158)),
        (3.627, 0.0, Vectors.dense(1.380, 0.231)), (0.273, 1.0, Vectors.dense(0.520, 1.151)),
        (4.199, 0.0, Vectors.dense(0.795, -0.226))]


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame(ROWS, ["label", "censor", "features"])


def test_save_load_and_quantiles(df, tmp_path):
    model = AFTSurvivalRegression(quantilesCol="q", quantileProbabilities=[0.3, 0.6]).fit(df)
    path = str(tmp_path / "aft")
    model.save(path)
    table = pq.read_table(os.path.join(path, "data/part-00000.parquet"))
    assert table.column_names == ["coefficients", "intercept", "scale"]
    loaded = AFTSurvivalRegressionModel.load(path)
    assert (loaded.coefficients, loaded.intercept, loaded.scale) == \
        (model.coefficients, model.intercept, model.scale)
    rows = loaded.transform(df).select("prediction", "q").collect()
    assert rows == model.transform(df).select("prediction", "q").collect()
    v = ROWS[0][2]
    assert np.isclose(rows[0].prediction, model.predict(v))
    assert np.allclose(rows[0].q.toArray(), model.predictQuantiles(v).toArray())
    lam = model.predict(v)
    assert np.allclose(model.predictQuantiles(v).toArray(),
                       lam * (-np.log1p(-np.array([0.3, 0.6]))) ** model.scale)
    assert repr(model) == f"AFTSurvivalRegressionModel: uid={model.uid}, numFeatures=2"


def test_bad_label_and_censor_are_named(spark):
    bad_label = spark.createDataFrame([(0.0, 1.0, Vectors.dense(1.0)), (1.0, 0.0, Vectors.dense(2.0))],
                                      ["label", "censor", "features"])
    with pytest.raises(Exception, match="label \\(lifetime\\) must be > 0"):
        AFTSurvivalRegression().fit(bad_label)
    bad_censor = spark.createDataFrame([(1.0, 2.0, Vectors.dense(1.0))],
                                       ["label", "censor", "features"])
    with pytest.raises(Exception, match="censor must be 1.0 or 0.0"):
        AFTSurvivalRegression().fit(bad_censor)


def test_bad_params_are_named(df):
    with pytest.raises(IllegalArgumentException, match="quantileProbabilities"):
        AFTSurvivalRegression(quantileProbabilities=[0.0, 0.5]).fit(df)
    with pytest.raises(Exception, match="`cens`"):
        AFTSurvivalRegression(censorCol="cens").fit(df)
