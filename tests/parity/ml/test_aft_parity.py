"""AFTSurvivalRegression through dfml and real PySpark on the same rows: coefficients,
intercept and scale agree to 1e-6 relative (with and without an intercept, a feature that is
constant, Spark's own docstring rows), and so do the prediction and quantiles columns."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.linalg import Vectors as DV
from dfml.ml.regression import AFTSurvivalRegression as DAFT

RNG = np.random.default_rng(21)
N = 200
X = RNG.normal(size=(N, 3)) * [1.0, 0.5, 2.0] + [0.0, 1.0, -1.0]
LOG_T = X @ [0.3, -0.5, 0.2] + 1.0 + 0.6 * np.log(-np.log(RNG.uniform(size=N)))
T_ = np.exp(LOG_T)
CENSOR = (RNG.uniform(size=N) < 0.7).astype(float)


def _frames(spark, pyspark, rows_of):
    from pyspark.ml.linalg import Vectors as PV
    cols = ["label", "censor", "features"]
    return spark.createDataFrame(rows_of(DV), cols), pyspark.createDataFrame(rows_of(PV), cols)


def _compare(ours_df, theirs_df, params):
    from pyspark.ml.regression import AFTSurvivalRegression as PAFT
    ours, theirs = DAFT(**params).fit(ours_df), PAFT(**params).fit(theirs_df)
    a = np.append(ours.coefficients.toArray(), [ours.intercept, ours.scale])
    b = np.append(theirs.coefficients.toArray(), [theirs.intercept, theirs.scale])
    assert np.allclose(a, b, rtol=1e-6, atol=1e-9), (a, b)
    cols = ["prediction"] + (["quantiles"] if params.get("quantilesCol") else [])
    mine = ours.transform(ours_df).select(*cols).collect()
    spark_rows = theirs.transform(theirs_df).select(*cols).collect()
    assert np.allclose([r[0] for r in mine], [r[0] for r in spark_rows], rtol=1e-5)
    if len(cols) == 2:
        assert np.allclose([r[1].toArray() for r in mine], [r[1].toArray() for r in spark_rows],
                           rtol=1e-5)
    return ours, theirs


CASES = [dict(quantilesCol="quantiles"), dict(fitIntercept=False),
         dict(quantileProbabilities=[0.3, 0.6], quantilesCol="quantiles", maxIter=5)]


@pytest.mark.parametrize("params", CASES, ids=["default", "no-intercept", "max-iter-5"])
def test_aft_matches_spark(spark, pyspark, params):
    def rows(V):
        return [(float(t), float(c), V.dense([float(v) for v in x]))
                for t, c, x in zip(T_, CENSOR, X)]
    _compare(*_frames(spark, pyspark, rows), params)


def test_aft_constant_feature_matches_spark(spark, pyspark):
    def rows(V):
        return [(float(t), float(c), V.dense([float(x[0]), 2.0]))
                for t, c, x in zip(T_, CENSOR, X)]
    ours, _ = _compare(*_frames(spark, pyspark, rows), dict())
    assert ours.coefficients[1] == 0.0


def test_aft_docstring_rows_match_spark(spark, pyspark):
    """The rows of Spark's docstring (one sparse vector among dense ones)."""
    def rows(V):
        return [(1.0, 1.0, V.dense(1.0)), (1e-40, 0.0, V.sparse(1, [], []))]
    _compare(*_frames(spark, pyspark, rows), dict(quantilesCol="quantiles"))
