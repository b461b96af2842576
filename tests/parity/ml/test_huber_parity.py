"""LinearRegression(loss="huber") lands where Spark's does: same L-BFGS-B iterates over
[scaled coefficients, intercept, sigma], so coefficients, intercept, scale, objectiveHistory and
totalIterations equal Spark's after a few iterations and at convergence; and Spark's refusals
(elastic net, normal solver) are dfml's."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.regression as DR
from dfml.ml.linalg import Vectors as DV
from dfml.sql.errors import IllegalArgumentException

CONFIGS = {
    "plain": {},
    "l2": {"regParam": 0.1},
    "l2_unstandardized_weighted": {"regParam": 0.05, "standardization": False, "weightCol": "w"},
    "no_intercept": {"fitIntercept": False},
    "epsilon_2": {"epsilon": 2.0, "weightCol": "w"},
}


def _rows() -> list[tuple]:
    rng = np.random.default_rng(11)
    n, d = 120, 3
    X = rng.normal(size=(n, d)) * [1.0, 2.5, 0.4] + [0.5, -1.0, 3.0]
    X[:, 2] = np.round(X[:, 2], 1)  # ties
    y = X @ [1.2, -0.4, 2.0] + 1.0 + rng.standard_t(2, size=n)  # heavy tails: outliers
    y[::17] += 25.0
    w = np.round(rng.uniform(0.2, 3.0, n), 2)
    return [(float(a), float(b), x.tolist()) for a, b, x in zip(y, w, X)]


def _fit(module, df, params: dict, max_iter: int):
    m = module.LinearRegression(loss="huber", maxIter=max_iter, **params).fit(df)
    return (m.coefficients.toArray().tolist() + [m.intercept, m.scale],
            list(m.summary.objectiveHistory), m.summary.totalIterations)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_huber_fits_equal_spark(spark, pyspark, name):
    import pyspark.ml.regression as PR
    from pyspark.ml.linalg import Vectors as PV
    rows = _rows()
    params = CONFIGS[name]
    ours = spark.createDataFrame([(y, w, DV.dense(x)) for y, w, x in rows],
                                 ["label", "w", "features"]).repartition(2)
    theirs = pyspark.createDataFrame([(y, w, PV.dense(x)) for y, w, x in rows],
                                     ["label", "w", "features"])
    for max_iter in (1, 5, 100):
        a, a_hist, a_iters = _fit(DR, ours, params, max_iter)
        b, b_hist, b_iters = _fit(PR, theirs, params, max_iter)
        where = f"{name}, maxIter={max_iter}"
        assert a_iters == b_iters, where
        assert a_hist == pytest.approx(b_hist, rel=1e-6, abs=1e-12), where
        assert a == pytest.approx(b, rel=1e-6, abs=1e-9), where


def test_huber_constant_label_and_refusals_equal_spark(spark, pyspark):
    import pyspark.ml.regression as PR
    from pyspark.ml.linalg import Vectors as PV
    from pyspark.errors import IllegalArgumentException as PIAE
    rows = [(2.0, [1.0, 0.5]), (2.0, [2.0, -1.0]), (2.0, [0.0, 3.0])]
    ours = spark.createDataFrame([(y, DV.dense(x)) for y, x in rows], ["label", "features"])
    theirs = pyspark.createDataFrame([(y, PV.dense(x)) for y, x in rows], ["label", "features"])
    a = DR.LinearRegression(loss="huber").fit(ours)
    b = PR.LinearRegression(loss="huber").fit(theirs)
    assert (str(a.coefficients), a.intercept, a.scale) == (str(b.coefficients), b.intercept,
                                                           b.scale)
    for params in ({"elasticNetParam": 0.5, "regParam": 0.1}, {"solver": "normal"}):
        with pytest.raises(PIAE) as theirs_err:
            PR.LinearRegression(loss="huber", **params).fit(theirs)
        with pytest.raises(IllegalArgumentException) as ours_err:
            DR.LinearRegression(loss="huber", **params).fit(ours)
        assert str(ours_err.value) in str(theirs_err.value)
