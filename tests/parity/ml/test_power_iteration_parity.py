"""PowerIterationClustering through dfml and real PySpark on the same edges: on graphs with
clear communities (dense inside, a few weak edges between) both must put the vertices in the
same groups, compared up to a renumbering of the clusters; the output columns and types as
Spark's."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import dfml.ml.clustering as DC


def _communities(sizes, weighted):
    rng = np.random.default_rng(5)
    edges, start = [], 0
    for size in sizes:
        members = range(start, start + size)
        for a, b in itertools.combinations(members, 2):
            if rng.random() < 0.8:
                edges.append((a, b, float(np.round(1.0 + rng.random(), 3)) if weighted else 1.0))
        start += size
    # weak links between consecutive communities
    bounds = np.cumsum([0] + list(sizes))
    for i in range(len(sizes) - 1):
        edges.append((int(bounds[i]), int(bounds[i + 1]), 0.05))
    return edges


def _partition(rows):
    groups: dict = {}
    for r in rows:
        groups.setdefault(r.cluster, set()).add(r.id)
    return sorted(sorted(g) for g in groups.values())


@pytest.mark.parametrize("sizes,weighted,init", [((8, 10), True, "random"),
                                                 ((8, 10), False, "degree"),
                                                 ((6, 9, 12), True, "degree")])
def test_same_communities_as_spark(spark, pyspark, sizes, weighted, init):
    from pyspark.ml.clustering import PowerIterationClustering as PP
    edges = _communities(sizes, weighted)
    ours = spark.createDataFrame(edges, ["src", "dst", "weight"])
    theirs = pyspark.createDataFrame(edges, ["src", "dst", "weight"])
    params = dict(k=len(sizes), maxIter=40, initMode=init, weightCol="weight")
    got = DC.PowerIterationClustering(**params).assignClusters(ours)
    want = PP(**params).assignClusters(theirs)
    assert _partition(got.collect()) == _partition(want.collect())
    assert got.columns == want.columns == ["id", "cluster"]
    assert [f.dataType.simpleString() for f in got.schema.fields] == \
        [f.dataType.simpleString() for f in want.schema.fields]


def test_docstring_graph_and_defaults_as_spark(spark, pyspark):
    from pyspark.ml.clustering import PowerIterationClustering as PP
    data = [(1, 0, 0.5), (2, 0, 0.5), (2, 1, 0.7), (3, 0, 0.5), (3, 1, 0.7), (3, 2, 0.9),
            (4, 0, 0.5), (4, 1, 0.7), (4, 2, 0.9), (4, 3, 1.1),
            (5, 0, 0.5), (5, 1, 0.7), (5, 2, 0.9), (5, 3, 1.1), (5, 4, 1.3)]
    got = DC.PowerIterationClustering(k=2, weightCol="weight", maxIter=40).assignClusters(
        spark.createDataFrame(data, ["src", "dst", "weight"]))
    want = PP(k=2, weightCol="weight", maxIter=40).assignClusters(
        pyspark.createDataFrame(data, ["src", "dst", "weight"]))
    assert _partition(got.collect()) == _partition(want.collect())
    for p in ("k", "maxIter", "initMode", "srcCol", "dstCol"):
        assert DC.PowerIterationClustering().getOrDefault(p) == PP().getOrDefault(p)
