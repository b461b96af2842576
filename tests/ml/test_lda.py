"""LDA (online variational Bayes): topics recovered on a synthetic corpus with clear topics,
the model's outputs and forms, the bound, persistence, and errors (optimizer='em' refused).

The recovery bar: three topics over disjoint 8-term vocabularies, 30 documents each drawn
from one topic; after the fit every topic's 8 heaviest terms are one true topic's terms (each
true topic found once), and each document's most probable topic is its own for >= 95% of
documents."""

import numpy as np
import pytest

from dfml.ml.clustering import LDA, LDAModel, LocalLDAModel
from dfml.ml.linalg import DenseMatrix, Vectors
from dfml.sql.errors import AnalysisException, IllegalArgumentException

K, TERMS, DOCS = 3, 8, 30


@pytest.fixture
def corpus(spark):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(K * DOCS):
        t = i % K
        counts = np.zeros(K * TERMS)
        for w in rng.integers(t * TERMS, (t + 1) * TERMS, size=25):
            counts[w] += 1
        nz = np.flatnonzero(counts)
        rows.append((i, t, Vectors.sparse(K * TERMS, nz.tolist(), counts[nz].tolist())))
    return spark.createDataFrame(rows, ["id", "topic", "features"]).repartition(2)


def _fit(corpus, **kw):
    params = dict(k=K, maxIter=30, seed=3, subsamplingRate=0.5, learningOffset=1.0)
    params.update(kw)
    return LDA(**params).fit(corpus)


def test_topics_are_recovered(corpus):
    model = _fit(corpus)
    topics = model.describeTopics(TERMS).orderBy("topic").collect()
    assert [r.topic for r in topics] == [0, 1, 2]
    found = []
    for r in topics:
        owners = {i // TERMS for i in r.termIndices}
        assert len(owners) == 1, r.termIndices
        found.append(owners.pop())
        assert r.termWeights == sorted(r.termWeights, reverse=True)
    assert sorted(found) == [0, 1, 2]
    out = model.transform(corpus).collect()
    hits = sum(found[int(np.argmax(r.topicDistribution.toArray()))] == r.topic for r in out)
    assert hits >= 0.95 * len(out)
    assert all(r.topicDistribution.toArray().sum() == pytest.approx(1.0) for r in out)


def test_model_forms_and_bound(corpus, spark):
    model = _fit(corpus, maxIter=5)
    assert isinstance(model, LDAModel) and isinstance(model, LocalLDAModel)
    assert not model.isDistributed() and model.vocabSize() == K * TERMS
    tm = model.topicsMatrix()
    assert isinstance(tm, DenseMatrix) and (tm.numRows, tm.numCols) == (K * TERMS, K)
    assert len(model.estimatedDocConcentration()) == K
    assert repr(model) == f"LocalLDAModel: uid={model.uid}, k=3, numFeatures=24"
    ll, lp = model.logLikelihood(corpus), model.logPerplexity(corpus)
    tokens = 25 * K * DOCS
    assert ll < 0 and lp == pytest.approx(-ll / tokens)
    better = _fit(corpus)
    assert better.logPerplexity(corpus) < lp  # more iterations fit better
    assert model.transform(corpus).columns == ["id", "topic", "features", "topicDistribution"]
    empty = spark.createDataFrame([(Vectors.sparse(K * TERMS, [], []),)], ["features"])
    assert model.transform(empty).collect()[0].topicDistribution.toArray().tolist() == [0.0] * K


def test_save_load_round_trip(corpus, tmp_path):
    model = _fit(corpus, maxIter=3)
    model.save(str(tmp_path / "lda"))
    back = LocalLDAModel.load(str(tmp_path / "lda"))
    assert back.uid == model.uid and back.getK() == K
    assert back.topicsMatrix() == model.topicsMatrix()
    assert back.estimatedDocConcentration() == model.estimatedDocConcentration()
    assert back.logLikelihood(corpus) == pytest.approx(model.logLikelihood(corpus))
    LDA(k=4, learningDecay=0.7).save(str(tmp_path / "est"))
    est = LDA.load(str(tmp_path / "est"))
    assert est.getK() == 4 and est.getLearningDecay() == 0.7


def test_defaults_and_errors(corpus):
    lda = LDA()
    assert (lda.getK(), lda.getMaxIter(), lda.getOptimizer(), lda.getLearningOffset(),
            lda.getLearningDecay(), lda.getSubsamplingRate(),
            lda.getTopicDistributionCol()) == (10, 20, "online", 1024.0, 0.51, 0.05,
                                                "topicDistribution")
    with pytest.raises(NotImplementedError, match="optimizer='em' is not implemented"):
        LDA(optimizer="em").fit(corpus)
    with pytest.raises(IllegalArgumentException, match="subsamplingRate"):
        LDA(subsamplingRate=0.0).fit(corpus)
    with pytest.raises(IllegalArgumentException, match="k must be > 1"):
        LDA(k=1).fit(corpus)
    with pytest.raises(AnalysisException, match="`words`"):
        LDA(featuresCol="words").fit(corpus)
    with pytest.raises(IllegalArgumentException, match="docConcentration"):
        LDA(k=3, docConcentration=[0.1, 0.2]).fit(corpus)
