"""MinHashLSH and BucketedRandomProjectionLSH: Java's random stream, the hash families, the
hashes column's form, joins and neighbours, persistence and early errors."""

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml.feature import (BucketedRandomProjectionLSH, BucketedRandomProjectionLSHModel,
                             MinHashLSH, MinHashLSHModel)
from dfml.ml.feature.lsh_hashes import HASH_PRIME, minhash_coefficients
from dfml.ml.java_random import JavaRandom, strict_log
from dfml.ml.linalg import DenseVector, Vectors
from dfml.sql.errors import AnalysisException, IllegalArgumentException


@pytest.fixture(scope="module")
def sets(spark):
    rows = [(0, Vectors.sparse(6, [0, 1, 2], [1.0, 1.0, 1.0])),
            (1, Vectors.sparse(6, [2, 3, 4], [1.0, 1.0, 1.0])),
            (2, Vectors.sparse(6, [0, 2, 4], [1.0, 1.0, 1.0])),
            (3, Vectors.dense([0.0, 5.0, 0.0, 2.0, 0.0, 0.0]))]
    return spark.createDataFrame(rows, ["id", "features"])


@pytest.fixture(scope="module")
def points(spark):
    rows = [(0, Vectors.dense([-1.0, -1.0])), (1, Vectors.dense([-1.0, 1.0])),
            (2, Vectors.dense([1.0, -1.0])), (3, Vectors.dense([1.0, 1.0]))]
    return spark.createDataFrame(rows, ["id", "features"])


def test_java_random_stream():
    # java.util.Random(42): nextInt(10) x3 and nextGaussian, as the JDK gives them
    r = JavaRandom(42)
    assert [r.nextInt(10) for _ in range(3)] == [0, 3, 8]
    # bit for bit: the log is StrictMath's (fdlibm's), which math.log misses in the last bit
    # for this one
    assert JavaRandom(42).nextGaussian() == 1.1419053154730547


@pytest.mark.parametrize("x,want", [(0.5, -0.6931471805599453), (1.0, 0.0), (2.0, 0.6931471805599453),
                                    (0.1, -2.3025850929940455), (1e6, 13.815510557964274)])
def test_strict_log(x, want):
    assert strict_log(x) == want


def test_minhash_coefficients_in_range():
    c = minhash_coefficients(3, 50)
    assert c.shape == (50, 2)
    assert (c[:, 0] >= 1).all() and (c[:, 0] <= HASH_PRIME - 1).all() and (c[:, 1] >= 0).all()


def test_minhash_hashes_by_formula(sets):
    model = MinHashLSH(inputCol="features", outputCol="h", numHashTables=3, seed=1).fit(sets)
    rows = model.transform(sets).orderBy("id").collect()
    a, b = model._coef[:, 0], model._coef[:, 1]
    for r in rows:
        idx = [i for i, v in enumerate(r.features.toArray()) if v != 0]
        want = [min(((1 + i) * int(x) + int(y)) % HASH_PRIME for i in idx) for x, y in zip(a, b)]
        assert all(isinstance(h, DenseVector) and len(h) == 1 for h in r.h)
        assert [h[0] for h in r.h] == want
    assert repr(model) == f"MinHashLSHModel: uid={model.uid}, numHashTables=3"


def test_brp_hashes_are_floored_projections(points):
    model = BucketedRandomProjectionLSH(inputCol="features", outputCol="h", bucketLength=0.5,
                                        numHashTables=2, seed=3).fit(points)
    assert np.allclose(np.linalg.norm(model._units, axis=1), 1.0)
    for r in model.transform(points).collect():
        want = np.floor(model._units @ r.features.toArray() / 0.5)
        assert [h[0] for h in r.h] == want.tolist()


def test_similarity_join_and_neighbours(points):
    model = BucketedRandomProjectionLSH(inputCol="features", outputCol="h", bucketLength=10.0,
                                        numHashTables=2, seed=3).fit(points)
    joined = model.approxSimilarityJoin(points, points, 2.1, distCol="d")
    assert joined.columns == ["datasetA", "datasetB", "d"]
    pairs = sorted((r.datasetA.id, r.datasetB.id, r.d) for r in joined.collect())
    assert len(pairs) == len({p[:2] for p in pairs})  # found by both tables, kept once
    assert {(a, b) for a, b, _ in pairs} >= {(0, 1), (1, 0), (0, 0), (1, 3)}
    assert all(d < 2.1 for *_, d in pairs)
    near = model.approxNearestNeighbors(points, Vectors.dense([0.9, 0.9]), 2).collect()
    assert [r.id for r in near][0] == 3 and near[0].distCol == pytest.approx(np.hypot(.1, .1))
    assert near[0].h is not None  # the hashes column comes along, as in Spark


def test_join_plan_has_no_cross_join(points):
    model = BucketedRandomProjectionLSH(inputCol="features", outputCol="h", bucketLength=1.0,
                                        seed=3).fit(points)
    plan = model.approxSimilarityJoin(points, points, 1.0)._plan_string() \
        if hasattr(points, "_plan_string") else ""
    assert "cross" not in plan.lower() and "cartesian" not in plan.lower()


@pytest.mark.parametrize("cls,extra", [(MinHashLSHModel, {}),
                                       (BucketedRandomProjectionLSHModel, {"bucketLength": 1.5})])
def test_save_load_round_trip(cls, extra, sets, tmp_path):
    est = (MinHashLSH if cls is MinHashLSHModel else BucketedRandomProjectionLSH)(
        inputCol="features", outputCol="h", numHashTables=3, seed=9, **extra)
    model = est.fit(sets)
    path = str(tmp_path / "m")
    model.save(path)
    column = "randCoefficients" if cls is MinHashLSHModel else "randMatrix"
    assert column in pq.read_table(f"{path}/data/part-00000.parquet").column_names
    loaded = cls.load(path)
    assert loaded.transform(sets).collect() == model.transform(sets).collect()
    assert sorted(map(str, loaded.approxSimilarityJoin(sets, sets, 0.9).collect())) == \
        sorted(map(str, model.approxSimilarityJoin(sets, sets, 0.9).collect()))


def test_param_errors(sets, points, spark):
    with pytest.raises(IllegalArgumentException, match="numHashTables"):
        MinHashLSH(inputCol="features", outputCol="h", numHashTables=0).fit(sets)
    with pytest.raises(IllegalArgumentException, match="bucketLength must be set"):
        BucketedRandomProjectionLSH(inputCol="features", outputCol="h").fit(points)
    with pytest.raises(IllegalArgumentException, match="bucketLength"):
        BucketedRandomProjectionLSH(inputCol="features", outputCol="h", bucketLength=0.0).fit(points)
    with pytest.raises(AnalysisException, match="feature"):
        MinHashLSH(inputCol="feature", outputCol="h").fit(sets)
    with pytest.raises(TypeError, match="vector"):
        MinHashLSH(inputCol="id", outputCol="h").fit(sets)
    model = MinHashLSH(inputCol="features", outputCol="h").fit(sets)
    with pytest.raises(IllegalArgumentException, match="numNearestNeighbors"):
        model.approxNearestNeighbors(sets, Vectors.sparse(6, [1], [1.0]), 0)
    with pytest.raises(IllegalArgumentException, match="non zero entry"):
        model.approxNearestNeighbors(sets, Vectors.sparse(6, [], []), 2)
    with pytest.raises(ValueError, match="already exists"):
        model.transform(model.transform(sets))
