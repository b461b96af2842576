"""LogisticRegression and LinearRegression through dfml and real PySpark on the same rows:
coefficients and intercepts agree to 1e-4 relative (with and without L1, standardization,
intercept, weights; binomial and multinomial; both linear solvers), so do the output columns
and the linear training summary."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.classification import LogisticRegression as DLR
from dfml.ml.linalg import Vectors as DV
from dfml.ml.regression import LinearRegression as DLinR

RNG = np.random.default_rng(0)
N = 300
X = RNG.normal(size=(N, 4)) * [1.0, 5.0, 0.2, 2.0] + [0.0, 3.0, 1.0, -2.0]
Z = X @ [0.8, -0.3, 2.0, 0.5] - 0.2 + RNG.normal(size=N)
LABELS = {"binomial": (Z > 0).astype(float), "multinomial": np.digitize(Z, [-1.0, 1.0]).astype(float),
          "regression": X @ [1.5, -0.7, 3.0, 0.2] + 4.0 + RNG.normal(size=N)}
W = RNG.uniform(0.5, 2.0, size=N)

CASES = [dict(), dict(regParam=0.1), dict(regParam=0.1, elasticNetParam=1.0),
         dict(regParam=0.05, elasticNetParam=0.5, standardization=False),
         dict(regParam=0.1, fitIntercept=False), dict(regParam=0.02, weightCol="w")]
IDS = ["plain", "l2", "l1", "elastic-raw", "no-intercept", "weighted"]


def _frames(spark, pyspark, kind):
    from pyspark.ml.linalg import Vectors as PV
    y = LABELS[kind]

    def rows(V):
        # every third row sparse, to run the sparse kernels too
        return [(i, float(t), float(w), V.sparse(4, {j: float(v) for j, v in enumerate(x)})
                 if i % 3 == 0 else V.dense([float(v) for v in x]))
                for i, (t, w, x) in enumerate(zip(y, W, X))]
    cols = ["id", "label", "w", "features"]
    return spark.createDataFrame(rows(DV), cols), pyspark.createDataFrame(rows(PV), cols)


def _close(a, b, rel):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=rel * max(1.0, np.abs(b).max()) * 1e-2)


@pytest.fixture(scope="module")
def data(spark, pyspark):
    return {k: _frames(spark, pyspark, k) for k in LABELS}


@pytest.mark.parametrize("family", ["binomial", "multinomial"])
@pytest.mark.parametrize("params", CASES, ids=IDS)
def test_logistic_coefficients(data, family, params):
    from pyspark.ml.classification import LogisticRegression as PLR
    ours_df, theirs_df = data[family]
    ours, theirs = DLR(**params).fit(ours_df), PLR(**params).fit(theirs_df)
    assert ours.numClasses == theirs.numClasses
    assert _close(ours.coefficientMatrix.toArray(), theirs.coefficientMatrix.toArray(), 1e-4)
    assert _close(ours.interceptVector.toArray(), theirs.interceptVector.toArray(), 1e-4)
    if params.get("elasticNetParam") == 1.0:  # exact zeros where Spark has them
        assert np.array_equal(ours.coefficientMatrix.toArray() == 0,
                              theirs.coefficientMatrix.toArray() == 0)


@pytest.mark.parametrize("family", ["binomial", "multinomial"])
def test_logistic_outputs(data, family):
    from pyspark.ml.classification import LogisticRegression as PLR
    ours_df, theirs_df = data[family]
    params = dict(regParam=0.05, threshold=0.4) if family == "binomial" else \
        dict(regParam=0.05, thresholds=[0.3, 0.5, 0.2])
    ours = DLR(**params).fit(ours_df).transform(ours_df).orderBy("id").collect()
    theirs = PLR(**params).fit(theirs_df).transform(theirs_df).orderBy("id").collect()
    for a, b in zip(ours, theirs):
        # margins near 0 inherit the coefficients' error in absolute, not relative, terms
        assert np.allclose(a.rawPrediction.toArray(), b.rawPrediction.toArray(), rtol=1e-4, atol=1e-5)
        assert np.allclose(a.probability.toArray(), b.probability.toArray(), rtol=1e-4, atol=1e-6)
    mismatched = sum(a.prediction != b.prediction for a, b in zip(ours, theirs))
    assert mismatched <= 1  # a row within 1e-4 of the threshold may fall either side


@pytest.mark.parametrize("solver", ["normal", "l-bfgs"])
@pytest.mark.parametrize("params", CASES, ids=IDS)
def test_linear_coefficients_and_summary(data, solver, params):
    from pyspark.ml.regression import LinearRegression as PLinR
    ours_df, theirs_df = data["regression"]
    ours = DLinR(solver=solver, **params).fit(ours_df)
    theirs = PLinR(solver=solver, **params).fit(theirs_df)
    assert _close(ours.coefficients.toArray(), theirs.coefficients.toArray(), 1e-4)
    assert ours.intercept == pytest.approx(theirs.intercept, rel=1e-4, abs=1e-8)
    a, b = ours.summary, theirs.summary
    for metric in ("r2", "r2adj", "rootMeanSquaredError", "meanSquaredError",
                   "meanAbsoluteError", "explainedVariance"):
        assert getattr(a, metric) == pytest.approx(getattr(b, metric), rel=1e-4), metric
    assert a.numInstances == b.numInstances and a.degreesOfFreedom == b.degreesOfFreedom
    if solver == "normal" and params.get("elasticNetParam", 0.0) == 0.0:
        for metric in ("coefficientStandardErrors", "tValues", "pValues"):
            assert _close(getattr(a, metric), getattr(b, metric), 1e-4), metric


def test_linear_predictions(data):
    from pyspark.ml.regression import LinearRegression as PLinR
    ours_df, theirs_df = data["regression"]
    ours = DLinR(regParam=0.1).fit(ours_df).transform(ours_df).orderBy("id").collect()
    theirs = PLinR(regParam=0.1).fit(theirs_df).transform(theirs_df).orderBy("id").collect()
    assert _close([r.prediction for r in ours], [r.prediction for r in theirs], 1e-6)
