"""LinearSVC through dfml and real PySpark on the same rows: coefficients and intercept agree
at maxIter 100 (with and without intercept, standardization, an L2 penalty, weights), and so
do the rawPrediction and prediction columns."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.classification import LinearSVC as DSVC
from dfml.ml.linalg import Vectors as DV

RNG = np.random.default_rng(11)
N = 200
X = RNG.normal(size=(N, 3)) * [1.0, 3.0, 0.5] + [0.5, -1.0, 0.0]
Y = ((X @ [1.0, -0.4, 2.0] + 0.3 + RNG.normal(size=N)) > 0).astype(float)
W = np.round(RNG.uniform(0.5, 2.0, size=N), 2)

CASES = [dict(), dict(regParam=0.1), dict(regParam=0.05, standardization=False),
         dict(regParam=0.1, fitIntercept=False), dict(regParam=0.02, weightCol="w")]
IDS = ["plain", "l2", "l2-raw", "no-intercept", "weighted"]


@pytest.fixture(scope="module")
def data(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV

    def rows(V):
        return [(float(y), float(w), V.dense([float(v) for v in x]))
                for y, w, x in zip(Y, W, X)]
    cols = ["label", "w", "features"]
    return spark.createDataFrame(rows(DV), cols), pyspark.createDataFrame(rows(PV), cols)


@pytest.mark.parametrize("params", CASES, ids=IDS)
def test_linear_svc_matches_spark(data, params):
    from pyspark.ml.classification import LinearSVC as PSVC
    ours_df, theirs_df = data
    ours, theirs = DSVC(**params).fit(ours_df), PSVC(**params).fit(theirs_df)
    a = np.append(ours.coefficients.toArray(), ours.intercept)
    b = np.append(theirs.coefficients.toArray(), theirs.intercept)
    assert np.allclose(a, b, rtol=1e-6, atol=1e-9), (a, b)
    mine = ours.transform(ours_df).select("rawPrediction", "prediction").collect()
    spark_rows = theirs.transform(theirs_df).select("rawPrediction", "prediction").collect()
    assert [r[1] for r in mine] == [r[1] for r in spark_rows]
    assert np.allclose([r[0].toArray() for r in mine], [r[0].toArray() for r in spark_rows],
                       rtol=1e-4, atol=1e-6)
