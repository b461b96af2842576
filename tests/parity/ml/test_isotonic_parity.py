"""IsotonicRegression through dfml and real PySpark on the same rows: boundaries and
predictions agree to 1e-9 relative (ties in features and in labels, zero weights, antitonic,
a vector feature picked by featureIndex, a plain double feature), and so do transformed
predictions at, between and outside the boundaries."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.linalg import Vectors as DV
from dfml.ml.regression import IsotonicRegression as DIso

RNG = np.random.default_rng(3)
N = 200
F0 = np.round(RNG.uniform(0, 10, size=N), 1)   # many repeated feature values
F1 = RNG.normal(size=N)
Y = np.round(np.sqrt(F0) + RNG.normal(scale=0.6, size=N), 1)  # ties in labels too
Wt = np.round(RNG.uniform(0, 2, size=N), 1)   # some zero weights
Wt[::17] = 0.0

CASES = [dict(), dict(isotonic=False), dict(weightCol="w"), dict(featureIndex=1),
         dict(isotonic=False, weightCol="w", featureIndex=1)]
IDS = ["plain", "antitonic", "weighted", "index1", "antitonic-weighted-index1"]


@pytest.fixture(scope="module")
def data(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV

    def rows(V):
        return [(float(y), float(w), float(a), V.dense([float(a), float(b)]) if i % 5
                 else V.sparse(2, {0: float(a), 1: float(b)}))
                for i, (y, w, a, b) in enumerate(zip(Y, Wt, F0, F1))]
    cols = ["label", "w", "x", "features"]
    return spark.createDataFrame(rows(DV), cols), pyspark.createDataFrame(rows(PV), cols)


def close(a, b, rel=1e-9):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=1e-12)


@pytest.mark.parametrize("params", CASES, ids=IDS)
def test_isotonic_matches_spark(data, params):
    from pyspark.ml.regression import IsotonicRegression as PIso
    ours_df, theirs_df = data
    ours, theirs = DIso(**params).fit(ours_df), PIso(**params).fit(theirs_df)
    assert close(ours.boundaries.toArray(), theirs.boundaries.toArray())
    assert close(ours.predictions.toArray(), theirs.predictions.toArray())
    a = [r[0] for r in ours.transform(ours_df).select("prediction").collect()]
    b = [r[0] for r in theirs.transform(theirs_df).select("prediction").collect()]
    assert close(a, b)
    for x in (-1.0, 0.0, 0.05, 3.33, 9.95, 100.0):
        assert abs(ours.predict(x) - theirs.predict(x)) <= 1e-9 * max(1.0, abs(theirs.predict(x)))


def test_double_feature_column_and_new_points(data):
    """A numeric (not vector) features column; predictions on points the fit never saw."""
    from pyspark.ml.regression import IsotonicRegression as PIso
    ours_df, theirs_df = data
    ours = DIso(featuresCol="x").fit(ours_df)
    theirs = PIso(featuresCol="x").fit(theirs_df)
    assert close(ours.boundaries.toArray(), theirs.boundaries.toArray())
    assert close(ours.predictions.toArray(), theirs.predictions.toArray())
    assert repr(ours).split(", ", 1)[1] == repr(theirs).split(", ", 1)[1]
