"""Acceptance (issue 13, item 2, on small data): the text pipeline Tokenizer -> StopWordsRemover
-> HashingTF -> IDF -> LogisticRegression reads its parquet source once. The three transforms
need no fit; IDF's document counts are the only aggregation, and the LogisticRegression's
training blocks are built in that same pass (from HashingTF's output, with the fitted IDF
applied to them in memory), so the fit is one read and one graph. Another ready aggregation
(a CountVectorizer on the same tokens) joins the same pass. The model equals one fitted stage
by stage, and it scores the way the stages scored separately."""

import numpy as np
import pandas as pd
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.classification import LogisticRegression
from dfml.ml.feature import IDF, CountVectorizer, HashingTF, StopWordsRemover, Tokenizer

WORDS = ["alpha", "beta", "gamma", "delta", "kappa", "sigma", "omega", "theta", "zeta", "iota"]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    rng = np.random.default_rng(5)
    n = 600
    label = (rng.random(n) < 0.5).astype(float)
    docs = []
    for y in label:
        k = rng.integers(4, 12)
        words = list(rng.choice(WORDS[:6] if y else WORDS[4:], size=k))
        words += list(rng.choice(["the", "The", "a", "of", "and"], size=3))
        rng.shuffle(words)
        docs.append(" ".join(words))
    path = str(tmp_path_factory.mktemp("textpasses") / "docs.parquet")
    pd.DataFrame({"id": np.arange(n), "text": docs, "label": label}).to_parquet(path)
    return path


def _stages(extra=()):
    return [Tokenizer(inputCol="text", outputCol="words"),
            StopWordsRemover(inputCol="words", outputCol="filtered"),
            HashingTF(inputCol="filtered", outputCol="tf", numFeatures=64),
            *extra,
            IDF(inputCol="tf", outputCol="features"),
            LogisticRegression(regParam=0.01, maxIter=30)]


def _reads(spark, source, before):
    return sum(1 for p in spark.parquet_reads[before:] if source in p)


def test_fit_reads_the_source_once(spark, source, graphs):
    df = spark.read.parquet(source)
    before = len(spark.parquet_reads)
    n = graphs()
    model = Pipeline(stages=_stages()).fit(df)
    assert _reads(spark, source, before) == 1 == model.fitPasses == n.count
    text = model.explain()
    assert text.startswith("Pipeline fit: 1 pass(es) over the input for 2 estimator(s)")
    assert ("pass 1: IDF[3] reads ['tf'] (aggregations); LogisticRegression[4] reads "
            "['features', 'label'] (iterative, trained on blocks built in this pass with IDF[3] "
            "applied in memory)") in text
    assert model.stages[-1].summary.areaUnderROC > 0.9


def test_other_ready_aggregations_share_the_pass(spark, source, graphs):
    df = spark.read.parquet(source)
    stages = _stages([CountVectorizer(inputCol="filtered", outputCol="counts")])
    before = len(spark.parquet_reads)
    n = graphs()
    model = Pipeline(stages=stages).fit(df)
    assert _reads(spark, source, before) == 1 == model.fitPasses == n.count
    assert "pass 1: CountVectorizer[3] reads ['filtered'] (aggregations); IDF[4]" in \
        model.explain()
    assert len(model.stages[3].vocabulary) == len(WORDS)


def test_blocks_with_idf_in_memory_give_the_stagewise_fit(spark, source):
    """The LogisticRegression trained on blocks weighted in memory equals one fitted on the
    IDFModel's output computed the ordinary way, and the pipeline scores as the stages do."""
    df = spark.read.parquet(source)
    model = Pipeline(stages=_stages()).fit(df)
    features = PipelineModel(model.stages[:-1]).transform(df)
    alone = LogisticRegression(regParam=0.01, maxIter=30).fit(features)
    ours = model.stages[-1]
    assert np.allclose(ours.coefficients.toArray(), alone.coefficients.toArray(), rtol=1e-8,
                       atol=1e-12)
    assert ours.intercept == pytest.approx(alone.intercept, rel=1e-8)
    got = model.transform(df).orderBy("id").select("probability").collect()
    want = alone.transform(features).orderBy("id").select("probability").collect()
    assert np.allclose([r[0][1] for r in got], [r[0][1] for r in want], rtol=1e-9)


def test_idf_block_kernel_checks_the_size(spark, source):
    from dfml.ml.optim.blocks import Block
    import scipy.sparse as sp
    df = spark.read.parquet(source)
    model = Pipeline(stages=_stages()).fit(df)
    block = Block(sp.csr_matrix(np.ones((2, 3))), np.zeros(2), None)
    with pytest.raises(Exception, match="size 3, the model has 64 features"):
        model.stages[-2]._block_kernel()(block)
