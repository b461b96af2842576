"""BisectingKMeans through dfml and real PySpark on the same rows.

dfml starts each split from the points Spark does (java.util.Random with the seed), but the
order Spark visits clusters of a level follows its hash maps; on groups far apart both must
end at the same tree: the same leaf centers (compared as sorted rows) to 1e-6, the same
trainingCost and computeCost to 1e-6 relative, the same clusterSizes and the same grouping of
the rows. Output columns and the printed model must be Spark's."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.clustering as DC
from dfml.ml.linalg import Vectors as DV

# two pairs of groups far apart (in position and direction), the groups of a pair close: the
# divisive splits are then clear at every level (a first split between the pairs, then within
# them, the heavier pair first)
GROUPS = np.array([[-50.0, 8.0, 1.0], [-50.0, -8.0, 1.0], [50.0, 8.0, -1.0], [50.0, -8.0, -1.0]])
SIZES = [14, 14, 10, 10]


def _rows(weighted: bool):
    rng = np.random.default_rng(3)
    out = []
    labels = np.repeat(np.arange(4), SIZES)
    for i, g in enumerate(labels):
        p = GROUPS[g] + np.round(rng.normal(scale=0.7, size=3), 4)
        out.append((i, [float(v) for v in p], float(1 + i % 3) if weighted else 1.0))
    return out


def _fit_both(spark, pyspark, weighted=False, **params):
    from pyspark.ml.clustering import BisectingKMeans as PB
    from pyspark.ml.linalg import Vectors as PV
    rows = _rows(weighted)
    ours = spark.createDataFrame([(r[0], DV.dense(r[1]), r[2]) for r in rows], ["id", "features", "w"])
    theirs = pyspark.createDataFrame([(r[0], PV.dense(r[1]), r[2]) for r in rows],
                                     ["id", "features", "w"])
    if weighted:
        params["weightCol"] = "w"
    return DC.BisectingKMeans(**params).fit(ours), ours, PB(**params).fit(theirs), theirs


def _sorted(model):
    return np.array(sorted(tuple(c) for c in model.clusterCenters()))


def _grouping(model, df):
    centers = model.clusterCenters()
    return {r.id: tuple(np.round(centers[r.prediction], 6))
            for r in model.transform(df).select("id", "prediction").collect()}


@pytest.mark.parametrize("k,weighted,measure", [(4, False, "euclidean"), (4, True, "euclidean"),
                                                (3, False, "euclidean"), (4, False, "cosine")])
def test_same_tree_as_spark_on_separated_groups(spark, pyspark, k, weighted, measure):
    m, ours, pm, theirs = _fit_both(spark, pyspark, weighted, k=k, seed=1,
                                    distanceMeasure=measure)
    assert np.allclose(_sorted(m), _sorted(pm), atol=1e-6)
    assert m.summary.trainingCost == pytest.approx(pm.summary.trainingCost, rel=1e-6)
    assert m.computeCost(ours) == pytest.approx(pm.computeCost(theirs), rel=1e-6)
    assert sorted(m.summary.clusterSizes) == sorted(pm.summary.clusterSizes)
    mine, spark_ = _grouping(m, ours), _grouping(pm, theirs)
    assert {i: tuple(np.round(v, 4)) for i, v in mine.items()} == \
        {i: tuple(np.round(v, 4)) for i, v in spark_.items()}
    assert m.summary.k == pm.summary.k and m.summary.numIter == pm.summary.numIter


def test_columns_print_and_defaults_as_spark(spark, pyspark):
    from pyspark.ml.clustering import BisectingKMeans as PB
    m, ours, pm, theirs = _fit_both(spark, pyspark, k=4, seed=1)
    assert m.transform(ours).columns == pm.transform(theirs).columns
    assert [f.dataType.simpleString() for f in m.transform(ours).schema.fields] == \
        [f.dataType.simpleString() for f in pm.transform(theirs).schema.fields]
    assert str(m).replace(m.uid, "U") == str(pm).replace(pm.uid, "U")
    for p in ("k", "maxIter", "minDivisibleClusterSize", "distanceMeasure", "predictionCol"):
        assert DC.BisectingKMeans().getOrDefault(p) == PB().getOrDefault(p)


def test_min_divisible_size_stops_splits_as_spark(spark, pyspark):
    m, _, pm, _ = _fit_both(spark, pyspark, k=4, seed=1, minDivisibleClusterSize=30.0)
    assert len(m.clusterCenters()) == len(pm.clusterCenters())
    assert np.allclose(_sorted(m), _sorted(pm), atol=1e-6)
    assert m.summary.clusterSizes == pm.summary.clusterSizes or \
        sorted(m.summary.clusterSizes) == sorted(pm.summary.clusterSizes)
