"""FMClassifier and FMRegressor through dfml and real PySpark: the same training rows (with
pairwise interactions in the target), both solvers, with and without regParam. The factors
start from the same java.util.Random draws and every step uses all rows, so the fitted
factors, linear weights and intercept equal Spark's to 1e-9 and so do the held-out AUC and
RMSE; the fitted attributes are shaped as Spark's."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.classification import FMClassifier as DFMC
from dfml.ml.evaluation import BinaryClassificationEvaluator as DBCE, RegressionEvaluator as DRE
from dfml.ml.linalg import Vectors as DV
from dfml.ml.regression import FMRegressor as DFMR

RNG = np.random.default_rng(8)
N, D = 400, 4
X = RNG.normal(size=(N, D))
SCORE = X @ [0.5, -0.3, 0.2, 0.0] + 1.2 * X[:, 0] * X[:, 1] - 0.8 * X[:, 2] * X[:, 3]
Y_REG = SCORE + 0.1 * RNG.normal(size=N)
Y_CLS = (SCORE + 0.05 * RNG.normal(size=N) > 0).astype(float)


def _frames(spark, pyspark, y):
    from pyspark.ml.linalg import Vectors as PV

    def rows(V, lo, hi):
        return [(float(t), V.dense([float(v) for v in x])) for t, x in zip(y[lo:hi], X[lo:hi])]
    cut = 300
    return ((spark.createDataFrame(rows(DV, 0, cut), ["label", "features"]),
             spark.createDataFrame(rows(DV, cut, N), ["label", "features"])),
            (pyspark.createDataFrame(rows(PV, 0, cut), ["label", "features"]),
             pyspark.createDataFrame(rows(PV, cut, N), ["label", "features"])))


CASES = [dict(stepSize=0.05, maxIter=300, factorSize=4, seed=1),
         dict(solver="gd", stepSize=0.5, maxIter=300, factorSize=4, seed=2, regParam=0.001),
         dict(stepSize=0.05, maxIter=50, factorSize=3, seed=5, regParam=0.01)]
IDS = ["adamW", "gd", "adamW-decay"]


def _same_coefficients(ours, theirs):
    np.testing.assert_allclose(ours.factors.toArray(), theirs.factors.toArray(), atol=1e-9)
    np.testing.assert_allclose(ours.linear.toArray(), theirs.linear.toArray(), atol=1e-9)
    assert abs(ours.intercept - theirs.intercept) < 1e-9


@pytest.mark.parametrize("params", CASES, ids=IDS)
def test_fm_regressor_matches_spark(spark, pyspark, params):
    from pyspark.ml.evaluation import RegressionEvaluator as PRE
    from pyspark.ml.regression import FMRegressor as PFMR
    (otr, ote), (ptr, pte) = _frames(spark, pyspark, Y_REG)
    ours, theirs = DFMR(**params).fit(otr), PFMR(**params).fit(ptr)
    a = DRE(metricName="rmse").evaluate(ours.transform(ote))
    b = PRE(metricName="rmse").evaluate(theirs.transform(pte))
    _same_coefficients(ours, theirs)
    assert abs(a - b) <= 1e-9 * b, (a, b)
    assert ours.factors.numRows == theirs.factors.numRows == D
    assert ours.factors.numCols == theirs.factors.numCols == params["factorSize"]
    assert len(ours.linear) == len(theirs.linear) == D


@pytest.mark.parametrize("params", CASES, ids=IDS)
def test_fm_classifier_matches_spark(spark, pyspark, params):
    from pyspark.ml.classification import FMClassifier as PFMC
    from pyspark.ml.evaluation import BinaryClassificationEvaluator as PBCE
    (otr, ote), (ptr, pte) = _frames(spark, pyspark, Y_CLS)
    ours, theirs = DFMC(**params).fit(otr), PFMC(**params).fit(ptr)
    a = DBCE().evaluate(ours.transform(ote))
    b = PBCE().evaluate(theirs.transform(pte))
    _same_coefficients(ours, theirs)
    assert abs(a - b) <= 1e-9 * b, (a, b)
    mine = ours.transform(ote).columns
    assert mine == theirs.transform(pte).columns


# the history ends with one more objective when the steps run out, not when the fit converges
@pytest.mark.parametrize("params", [CASES[2], dict(CASES[1], maxIter=40, tol=0.02)],
                         ids=["all-steps", "converged"])
def test_fm_classifier_summaries_match_spark(spark, pyspark, params):
    from pyspark.ml.classification import FMClassifier as PFMC
    (otr, ote), (ptr, pte) = _frames(spark, pyspark, Y_CLS)
    ours, theirs = DFMC(**params).fit(otr), PFMC(**params).fit(ptr)
    a, b = ours.summary(), theirs.summary()
    np.testing.assert_allclose(a.objectiveHistory, b.objectiveHistory, rtol=1e-9)
    assert a.totalIterations == b.totalIterations
    for name in ("accuracy", "areaUnderROC", "weightedPrecision", "weightedRecall"):
        assert abs(getattr(a, name) - getattr(b, name)) < 1e-9, name
    ea, eb = ours.evaluate(ote), theirs.evaluate(pte)
    assert abs(ea.areaUnderROC - eb.areaUnderROC) < 1e-9
    assert abs(ea.accuracy - eb.accuracy) < 1e-12
    assert ours.hasSummary and theirs.hasSummary
