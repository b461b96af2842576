"""Fits stopped by maxIter land where Spark's do: dfml's L-BFGS and OWL-QN follow Breeze's
iterations, so coefficients, intercepts, objectiveHistory and totalIterations equal Spark's
after 1, 3 and 10 iterations and at convergence (1e-6 relative; in practice ~1e-13)."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.classification as DC
import dfml.ml.regression as DR
from dfml.ml.linalg import Vectors as DV

CONFIGS = {
    "binomial": ("lr", "binary", {}),
    "binomial_l1": ("lr", "binary", {"regParam": 0.05, "elasticNetParam": 1.0}),
    "binomial_enet_unstandardized": ("lr", "binary", {"regParam": 0.03, "elasticNetParam": 0.5,
                                                      "standardization": False}),
    "binomial_l2_weighted": ("lr", "binary", {"regParam": 0.1, "weightCol": "w"}),
    "binomial_no_intercept": ("lr", "binary", {"fitIntercept": False}),
    "multinomial": ("lr", "multi", {}),
    "multinomial_l1_weighted": ("lr", "multi", {"regParam": 0.04, "elasticNetParam": 0.8,
                                                "weightCol": "w"}),
    "multinomial_unstandardized": ("lr", "multi", {"regParam": 0.02, "standardization": False}),
    "linear": ("lin", "real", {}),
    "linear_l1": ("lin", "real", {"regParam": 0.1, "elasticNetParam": 1.0}),
    "linear_enet_weighted_unstandardized": ("lin", "real", {
        "regParam": 0.2, "elasticNetParam": 0.3, "standardization": False, "weightCol": "w"}),
    "linear_no_intercept": ("lin", "real", {"fitIntercept": False, "regParam": 0.05}),
}


def _data(kind: str) -> list[tuple]:
    rng = np.random.default_rng(7)
    n, d = 150, 4
    X = rng.normal(size=(n, d)) * [1.0, 3.0, 0.5, 2.0] + [0.0, 1.0, -2.0, 5.0]
    X[:, 2] = np.round(X[:, 2], 1)  # ties
    if kind == "binary":
        y = (X @ [0.5, -0.3, 1.0, 0.2] + rng.normal(size=n) > 1).astype(float)
    elif kind == "multi":
        y = np.digitize(X[:, 0] + 0.3 * X[:, 3] + rng.normal(size=n), [0.5, 2.0]).astype(float)
    else:
        y = X @ [1.5, -0.7, 2.0, 0.1] + 3.0 + rng.normal(size=n)
    w = np.round(rng.uniform(0.2, 3.0, n), 2)
    return [(float(a), float(b), x.tolist()) for a, b, x in zip(y, w, X)]


def _fit(module, kind: str, df, params: dict, max_iter: int):
    if kind == "lr":
        m = module.LogisticRegression(maxIter=max_iter, **params).fit(df)
        coef = m.coefficientMatrix.toArray().ravel().tolist() + m.interceptVector.toArray().tolist()
    else:
        m = module.LinearRegression(maxIter=max_iter, solver="l-bfgs", **params).fit(df)
        coef = m.coefficients.toArray().tolist() + [m.intercept]
    return coef, list(m.summary.objectiveHistory), m.summary.totalIterations


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_fits_stopped_by_max_iter_equal_spark(spark, pyspark, name):
    import pyspark.ml.classification as PC
    import pyspark.ml.regression as PR
    from pyspark.ml.linalg import Vectors as PV
    kind, labels, params = CONFIGS[name]
    rows = _data(labels)
    ours = spark.createDataFrame([(y, w, DV.dense(x)) for y, w, x in rows],
                                 ["label", "w", "features"]).repartition(2)
    theirs = pyspark.createDataFrame([(y, w, PV.dense(x)) for y, w, x in rows],
                                     ["label", "w", "features"])
    for max_iter in (1, 3, 10, 100):
        a_coef, a_hist, a_iters = _fit(DC if kind == "lr" else DR, kind, ours, params, max_iter)
        b_coef, b_hist, b_iters = _fit(PC if kind == "lr" else PR, kind, theirs, params, max_iter)
        where = f"{name}, maxIter={max_iter}"
        assert a_iters == b_iters, where
        assert a_hist == pytest.approx(b_hist, rel=1e-6, abs=1e-12), where
        assert a_coef == pytest.approx(b_coef, rel=1e-6, abs=1e-9), where
        # exact zeros of an L1 fit are Spark's zeros
        assert [c == 0.0 for c in a_coef] == [c == 0.0 for c in b_coef], where
