"""Tree models through dfml (XGBoost) and real PySpark on the same 20k rows (six numeric
features, a nonlinear target with an interaction, two noise features, a few tied values): the
held-out AUC (classifiers) is within 0.01 of PySpark's and the RMSE (regressors) within 2%,
with the same params; the output columns and their types are the same; the three most
important features are the same set."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.feature import VectorAssembler as DVA
from tests.parity.ml.tree_scores import assert_scores_close, fit_both

pytestmark = pytest.mark.slow

RNG = np.random.default_rng(11)
N = 20000
X = RNG.normal(size=(N, 6))
X[::50, 4] = 0.0  # ties in a noise feature
X[:, 5] = np.round(X[:, 5], 1)  # and a feature of few distinct values
# nonlinear in each feature, an interaction with a marginal effect too (a product of two
# centred features alone has none, and greedy trees of either library find it only by luck)
F = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 - 1 + X[:, 2] + 0.5 * X[:, 2] * X[:, 3]
Y_CLS = (F + 0.3 * RNG.normal(size=N) > 0).astype(float)
Y_REG = F + 0.3 * RNG.normal(size=N)
TEST = np.arange(N) % 5 == 0
COLS = [f"x{i}" for i in range(6)] + ["ycls", "yreg", "test"]
ROWS = [tuple(map(float, x)) + (float(a), float(b), bool(t))
        for x, a, b, t in zip(X, Y_CLS, Y_REG, TEST)]

CASES = [("GBTClassifier", dict(maxIter=20, maxDepth=5)),
         ("RandomForestClassifier", dict(numTrees=20, maxDepth=6)),
         ("DecisionTreeClassifier", dict(maxDepth=6)),
         ("GBTRegressor", dict(maxIter=20, maxDepth=5)),
         # 20 trees with a third of 6 features per node vary by ~2.5% RMSE from seed to seed in
         # either library (Spark's also through its split candidates, drawn from a seeded sample
         # of the rows, so more trees do not steady it), and three seeds' means differed by 3%
         # by chance (Spark 0.957 over seeds 1-3, 0.983 over 1-20). Over seeds 1-20 the means
         # agree: Spark 0.983 +- 0.006, dfml 0.982 +- 0.004 (100 trees, seeds 1-8: 0.968 +- 0.006
         # and 0.973 +- 0.003), so this case compares the means over ten seeds
         ("RandomForestRegressor", dict(numTrees=20, maxDepth=6, seeds=tuple(range(1, 11)))),
         ("DecisionTreeRegressor", dict(maxDepth=6))]


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    from pyspark.ml.feature import VectorAssembler as PVA

    def split(df, va):
        df = va(inputCols=COLS[:6], outputCol="features").transform(df)
        return df.filter("not test"), df.filter("test")
    return (split(spark.createDataFrame(ROWS, COLS), DVA),
            split(pyspark.createDataFrame(ROWS, COLS), PVA))


@pytest.mark.parametrize("name,params", CASES,
                         ids=[c.values[0] if hasattr(c, "values") else c[0] for c in CASES])
def test_trees_score_like_spark(frames, name, params):
    classifier = "Classifier" in name
    label = "ycls" if classifier else "yreg"
    (ours, schema, top, total), (theirs, p_schema, p_top, _) = fit_both(frames, name, params, label)
    assert_scores_close(ours, theirs, classifier)
    assert schema == p_schema
    assert top == p_top
    assert total == pytest.approx(1.0)
