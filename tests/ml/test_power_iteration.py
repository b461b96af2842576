"""PowerIterationClustering: communities found, Spark's input rules (both directions, self
loops ignored, non-negative similarities, integer ids), params, persistence and errors."""

import itertools

import pytest

from dfml.ml.clustering import PowerIterationClustering
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException


def _two_cliques(spark, loops=False):
    edges = [(a, b, 1.0) for a, b in itertools.combinations(range(5), 2)]
    edges += [(a, b, 1.0) for a, b in itertools.combinations(range(10, 16), 2)]
    edges += [(4, 10, 0.01)]
    if loops:
        edges += [(3, 3, 50.0), (12, 12, 50.0)]
    return spark.createDataFrame(edges, ["src", "dst", "weight"])


def _groups(df):
    out = {}
    for r in df.collect():
        out.setdefault(r.cluster, set()).add(r.id)
    return sorted(sorted(g) for g in out.values())


@pytest.mark.parametrize("init", ["random", "degree"])
def test_two_cliques_are_the_two_clusters(spark, init):
    res = PowerIterationClustering(k=2, initMode=init, weightCol="weight").assignClusters(
        _two_cliques(spark))
    assert res.columns == ["id", "cluster"]
    assert [f.dataType.simpleString() for f in res.schema.fields] == ["bigint", "int"]
    assert _groups(res) == [[0, 1, 2, 3, 4], [10, 11, 12, 13, 14, 15]]


def test_self_loops_are_ignored_and_weight_defaults_to_one(spark):
    res = PowerIterationClustering(k=2).assignClusters(_two_cliques(spark, loops=True))
    assert _groups(res) == [[0, 1, 2, 3, 4], [10, 11, 12, 13, 14, 15]]


def test_params_and_persistence(tmp_path):
    pic = PowerIterationClustering(k=3, maxIter=7, initMode="degree", srcCol="a", dstCol="b",
                                   weightCol="w")
    assert (pic.getK(), pic.getMaxIter(), pic.getInitMode(), pic.getSrcCol(),
            pic.getDstCol(), pic.getWeightCol()) == (3, 7, "degree", "a", "b", "w")
    pic.save(str(tmp_path / "pic"))
    back = PowerIterationClustering.load(str(tmp_path / "pic"))
    assert back.uid == pic.uid and back.getK() == 3 and back.getInitMode() == "degree"
    assert back.setK(4).getK() == 4


def test_errors_name_the_problem(spark):
    df = _two_cliques(spark)
    with pytest.raises(IllegalArgumentException, match="k must be > 1"):
        PowerIterationClustering(k=1).assignClusters(df)
    with pytest.raises(IllegalArgumentException, match="initMode"):
        PowerIterationClustering(initMode="kmeans").assignClusters(df)
    with pytest.raises(AnalysisException, match="`source`"):
        PowerIterationClustering(srcCol="source").assignClusters(df)
    with pytest.raises(TypeError, match="`weight`"):
        PowerIterationClustering(srcCol="weight").assignClusters(df)
    neg = spark.createDataFrame([(0, 1, 1.0), (1, 2, -2.0)], ["src", "dst", "weight"])
    with pytest.raises(SparkException, match=r"nonnegative but found s\(1, 2\) = -2.0"):
        PowerIterationClustering(weightCol="weight").assignClusters(neg)
