"""BisectingKMeans: the divisive tree on clear groups, prediction by walking the tree, costs,
Spark's java.util.Random for split starts, persistence and early named errors."""

import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml.java_random import JavaRandom
from dfml.ml.clustering import BisectingKMeans, BisectingKMeansModel
from dfml.ml.linalg import Vectors
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException

GROUPS = np.array([[-50.0, 8.0], [-50.0, -8.0], [50.0, 8.0], [50.0, -8.0]])
SIZES = [6, 6, 4, 4]


def _points():
    offs = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [-0.5, -0.25], [0.25, 0.25], [0.1, 0.3]])
    return np.vstack([g + offs[:n] for g, n in zip(GROUPS, SIZES)])


@pytest.fixture
def blobs(spark):
    rows = [(i, Vectors.dense(p.tolist())) for i, p in enumerate(_points())]
    return spark.createDataFrame(rows, ["id", "features"]).repartition(3)


def test_java_random_matches_java():
    r = JavaRandom(42)
    assert r.nextDouble() == 0.7275636800328681
    assert JavaRandom(0).nextDouble() == 0.730967787376657


def test_four_leaves_are_the_group_means(blobs):
    model = BisectingKMeans(k=4, seed=1).fit(blobs)
    X = _points()
    bounds = np.cumsum([0] + SIZES)
    want = sorted(tuple(X[bounds[g]:bounds[g + 1]].mean(axis=0)) for g in range(4))
    got = sorted(tuple(c) for c in model.clusterCenters())
    assert np.allclose(got, want, atol=1e-9)
    cost = sum(((X[bounds[g]:bounds[g + 1]] - X[bounds[g]:bounds[g + 1]].mean(axis=0)) ** 2)
               .sum() for g in range(4))
    assert model.summary.trainingCost == pytest.approx(cost, rel=1e-9)
    assert model.computeCost(blobs) == pytest.approx(cost, rel=1e-9)
    assert sorted(model.summary.clusterSizes) == [4, 4, 6, 6]
    rows = model.transform(blobs).orderBy("id").collect()
    assert [model.predict(r.features) for r in rows] == [r.prediction for r in rows]
    assert repr(model) == (f"BisectingKMeansModel: uid={model.uid}, k=4, "
                           f"distanceMeasure=euclidean, numFeatures=2")


def test_k3_splits_the_heavier_pair(blobs):
    model = BisectingKMeans(k=3, seed=1).fit(blobs)
    xs = sorted(c[0] for c in model.clusterCenters())
    assert xs[0] < -40 and xs[1] < -40 and xs[2] > 40  # the 12-row pair was split
    assert sorted(model.summary.clusterSizes) == [6, 6, 8]


def test_min_divisible_fraction_and_size(blobs):
    assert len(BisectingKMeans(k=4, minDivisibleClusterSize=0.9).fit(blobs)
               .clusterCenters()) == 2
    assert len(BisectingKMeans(k=4, minDivisibleClusterSize=9.0).fit(blobs)
               .clusterCenters()) == 3


def test_save_load_round_trip(blobs, tmp_path):
    model = BisectingKMeans(k=4, seed=3).fit(blobs)
    path = str(tmp_path / "bkm")
    model.save(path)
    table = pq.read_table(os.path.join(path, "data", "part-00000.parquet"))
    assert table.num_rows == 7 and "children" in table.column_names
    loaded = BisectingKMeansModel.load(path)
    assert loaded.uid == model.uid and not loaded.hasSummary
    assert all(np.array_equal(a, b) for a, b in zip(loaded.clusterCenters(),
                                                    model.clusterCenters()))
    assert loaded.transform(blobs).orderBy("id").collect() == \
        model.transform(blobs).orderBy("id").collect()
    BisectingKMeans(k=5, minDivisibleClusterSize=0.5).save(str(tmp_path / "est"))
    back = BisectingKMeans.load(str(tmp_path / "est"))
    assert back.getK() == 5 and back.getMinDivisibleClusterSize() == 0.5


def test_errors_name_the_problem(blobs):
    with pytest.raises(IllegalArgumentException, match="k must be > 1"):
        BisectingKMeans(k=1).fit(blobs)
    with pytest.raises(IllegalArgumentException, match="distanceMeasure"):
        BisectingKMeans(distanceMeasure="manhattan").fit(blobs)
    with pytest.raises(AnalysisException, match="`feats`"):
        BisectingKMeans(featuresCol="feats").fit(blobs)
    with pytest.raises(SparkException, match="no rows"):
        BisectingKMeans().fit(blobs.filter("id < 0"))
    model = BisectingKMeans(k=2).fit(blobs)
    with pytest.raises(IllegalArgumentException, match="size 3"):
        model.predict(Vectors.dense([1.0, 2.0, 3.0]))
