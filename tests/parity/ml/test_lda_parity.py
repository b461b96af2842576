"""LDA through dfml and real PySpark (online optimizer) on the same synthetic corpus with clear
topics: three topics over disjoint 8-term vocabularies, 30 documents each.

The two draw different random numbers, so topics are compared on behaviour, with this bar:
both find each true topic once (a topic's 8 heaviest terms all belong to one true topic); the
documents' most probable topics agree between the two, after matching topics, for >= 95% of
documents; dfml's logPerplexity on the corpus is within 10% of Spark's. Output columns and
types (transform, describeTopics) and the topicsMatrix shape must be Spark's."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.clustering as DC
from dfml.ml.linalg import Vectors as DV

K, TERMS, DOCS = 3, 8, 30


def _rows():
    rng = np.random.default_rng(1)
    out = []
    for i in range(K * DOCS):
        t = i % K
        counts = np.zeros(K * TERMS)
        for w in rng.integers(t * TERMS, (t + 1) * TERMS, size=25):
            counts[w] += 1
        nz = np.flatnonzero(counts)
        out.append((i, nz.tolist(), counts[nz].tolist()))
    return out


def _topic_owner(model) -> list[int]:
    owners = []
    for r in model.describeTopics(TERMS).orderBy("topic").collect():
        got = {i // TERMS for i in r.termIndices}
        assert len(got) == 1, r.termIndices
        owners.append(got.pop())
    assert sorted(owners) == list(range(K))
    return owners


def test_both_recover_the_topics_and_agree(spark, pyspark):
    from pyspark.ml.clustering import LDA as PL
    from pyspark.ml.linalg import Vectors as PV
    rows = _rows()
    ours = spark.createDataFrame([(i, DV.sparse(K * TERMS, ix, v)) for i, ix, v in rows],
                                 ["id", "features"])
    theirs = pyspark.createDataFrame([(i, PV.sparse(K * TERMS, ix, v)) for i, ix, v in rows],
                                     ["id", "features"])
    params = dict(k=K, maxIter=30, seed=3, subsamplingRate=0.5, learningOffset=1.0,
                  optimizer="online")
    m, pm = DC.LDA(**params).fit(ours), PL(**params).fit(theirs)
    a, b = _topic_owner(m), _topic_owner(pm)
    mine = {r.id: a[int(np.argmax(r.topicDistribution.toArray()))]
            for r in m.transform(ours).collect()}
    spark_ = {r.id: b[int(np.argmax(r.topicDistribution.toArray()))]
              for r in pm.transform(theirs).collect()}
    assert sum(mine[i] == spark_[i] for i in mine) >= 0.95 * len(mine)
    assert m.logPerplexity(ours) == pytest.approx(pm.logPerplexity(theirs), rel=0.10)
    assert m.transform(ours).columns == pm.transform(theirs).columns
    d, pd_ = m.describeTopics(3), pm.describeTopics(3)
    assert d.columns == pd_.columns
    assert [f.dataType.simpleString() for f in d.schema.fields] == \
        [f.dataType.simpleString() for f in pd_.schema.fields]
    tm, ptm = m.topicsMatrix(), pm.topicsMatrix()
    assert (tm.numRows, tm.numCols) == (ptm.numRows, ptm.numCols)
    assert m.vocabSize() == pm.vocabSize() and m.isDistributed() == pm.isDistributed()
    assert str(m).replace(m.uid, "U") == str(pm).replace(pm.uid, "U")


def test_defaults_as_spark():
    from pyspark.ml.clustering import LDA as PL
    for p in ("k", "maxIter", "optimizer", "learningOffset", "learningDecay", "subsamplingRate",
              "optimizeDocConcentration", "topicDistributionCol", "checkpointInterval",
              "keepLastCheckpoint"):
        assert DC.LDA().getOrDefault(p) == PL().getOrDefault(p), p
