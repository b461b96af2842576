"""GaussianMixture through dfml and real PySpark on the same rows.

The two draw their random start with different generators, so the fits cannot be compared
step by step; on groups far apart (in three dimensions, with different spreads and sizes) both
must reach the same maximum of the likelihood. Compared there, with the components matched by
their means: the means and covariances to 1e-4 (absolute, on values of order 1-100), the
weights and the summary's logLikelihood to 1e-6 relative, clusterSizes exactly, and each
row's probability vector to 1e-6 (absolute) after the same matching. Output columns (names,
order, types) must be Spark's.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.clustering as DC
from dfml.ml.linalg import Vectors as DV

CENTERS = np.array([[0.0, 0.0, 0.0], [30.0, 5.0, -4.0], [-6.0, 40.0, 12.0]])
SPREADS = [0.5, 1.5, 1.0]
SIZES = [20, 35, 25]


def _rows(weighted: bool) -> list[tuple]:
    rng = np.random.default_rng(7)
    out, i = [], 0
    for c, s, n in zip(CENTERS, SPREADS, SIZES):
        for _ in range(n):
            p = np.round(c + rng.normal(scale=s, size=3), 4)
            out.append((i, [float(v) for v in p], float(1 + i % 3) if weighted else 1.0))
            i += 1
    return out


def _fit_both(spark, pyspark, weighted: bool, **params):
    from pyspark.ml.clustering import GaussianMixture as PG
    from pyspark.ml.linalg import Vectors as PV
    rows = _rows(weighted)
    ours = spark.createDataFrame([(r[0], DV.dense(r[1]), r[2]) for r in rows], ["id", "features", "w"])
    theirs = pyspark.createDataFrame([(r[0], PV.dense(r[1]), r[2]) for r in rows],
                                     ["id", "features", "w"])
    if weighted:
        params["weightCol"] = "w"
    return DC.GaussianMixture(**params).fit(ours), ours, PG(**params).fit(theirs), theirs


def _order(model) -> list[int]:
    """Component indices sorted by their mean's nearest true center."""
    means = np.array([g.mean.toArray() for g in model.gaussians])
    near = [int(np.argmin(((CENTERS - m) ** 2).sum(axis=1))) for m in means]
    assert sorted(near) == [0, 1, 2], f"the fit merged groups: {means}"
    return [near.index(j) for j in range(3)]


@pytest.mark.parametrize("weighted", [False, True])
def test_same_maximum_as_spark_on_separated_groups(spark, pyspark, weighted):
    m, ours, pm, theirs = _fit_both(spark, pyspark, weighted, k=3, tol=1e-8, maxIter=300, seed=3)
    a, b = _order(m), _order(pm)
    for i, j in zip(a, b):
        assert np.allclose(m.gaussians[i].mean.toArray(), pm.gaussians[j].mean.toArray(),
                           atol=1e-4)
        assert np.allclose(m.gaussians[i].cov.toArray(), pm.gaussians[j].cov.toArray(),
                           atol=1e-4)
        assert m.weights[i] == pytest.approx(pm.weights[j], rel=1e-6)
    assert m.summary.logLikelihood == pytest.approx(pm.summary.logLikelihood, rel=1e-6)
    assert [m.summary.clusterSizes[i] for i in a] == [pm.summary.clusterSizes[j] for j in b]
    assert m.summary.k == pm.summary.k == 3
    # per-row outputs, components matched
    got = {r.id: (r.prediction, r.probability.toArray())
           for r in m.transform(ours).select("id", "prediction", "probability").collect()}
    want = {r.id: (r.prediction, r.probability.toArray())
            for r in pm.transform(theirs).select("id", "prediction", "probability").collect()}
    for rid, (pred, prob) in want.items():
        assert a[b.index(pred)] == got[rid][0]
        assert np.allclose(got[rid][1][a], prob[b], atol=1e-6)


def test_output_columns_and_printed_model_as_spark(spark, pyspark):
    m, ours, pm, theirs = _fit_both(spark, pyspark, False, k=3, seed=3)
    out, pout = m.transform(ours), pm.transform(theirs)
    assert out.columns == pout.columns
    assert [f.dataType.simpleString() for f in out.schema.fields] == \
        [f.dataType.simpleString() for f in pout.schema.fields]
    assert m.summary.probability.columns == pm.summary.probability.columns
    assert m.gaussiansDF.columns == pm.gaussiansDF.columns
    assert [f.dataType.simpleString() for f in m.gaussiansDF.schema.fields] == \
        [f.dataType.simpleString() for f in pm.gaussiansDF.schema.fields]
    assert str(m).replace(m.uid, "U") == str(pm).replace(pm.uid, "U")
    assert m.summary.cluster.columns == pm.summary.cluster.columns
    # the params and their defaults
    for p in ("k", "maxIter", "tol", "aggregationDepth", "probabilityCol", "predictionCol"):
        assert DC.GaussianMixture().getOrDefault(p) == \
            __import__("pyspark.ml.clustering", fromlist=["x"]).GaussianMixture().getOrDefault(p)


def test_max_iter_zero_reports_the_lowest_double_as_spark(spark, pyspark):
    m, _, pm, _ = _fit_both(spark, pyspark, False, k=2, maxIter=0, seed=1)
    assert m.summary.logLikelihood == pm.summary.logLikelihood
    assert m.summary.numIter == pm.summary.numIter == 0
