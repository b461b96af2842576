"""Word2Vec: the Huffman tree, the vocabulary, transform's averages, synonyms, several training
tasks, persistence in Spark's layout and early errors."""

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml import Pipeline
from dfml.ml.feature import Tokenizer, Word2Vec, Word2VecModel
from dfml.ml.linalg import DenseVector, SparseVector
from dfml.ml.feature.w2v_train import encode_sentences, huffman_paths
from dfml.sql.errors import AnalysisException, IllegalArgumentException

A = ["cat", "dog", "horse", "cow"]
B = ["star", "moon", "planet", "comet"]


def _docs(n=400):
    rng = np.random.default_rng(3)
    rows = []
    for i in range(n):
        words = A if i % 2 else B
        rows.append((i, [words[k] for k in rng.integers(0, 4, size=8)] + ["the", "the"]))
    return rows


@pytest.fixture(scope="module")
def docs(spark):
    return spark.createDataFrame(_docs() + [(10_000, []), (10_001, ["unknown", "cat"])],
                                 "id long, text array<string>")


@pytest.fixture(scope="module")
def model(docs):
    return Word2Vec(vectorSize=8, minCount=2, inputCol="text", outputCol="v", seed=5,
                    maxIter=2).fit(docs)


def test_defaults_are_sparks():
    w = Word2Vec()
    assert (w.getVectorSize(), w.getMinCount(), w.getNumPartitions(), w.getStepSize(),
            w.getMaxIter(), w.getWindowSize(), w.getMaxSentenceLength()) == \
        (100, 5, 1, 0.025, 1, 5, 1000)
    assert isinstance(w.getSeed(), int)


def test_huffman_tree_gives_frequent_words_short_paths():
    codes, points, depth = huffman_paths(np.array([50, 20, 10, 5, 5]))
    assert depth[0] <= depth[1] <= depth[2] <= depth[4]
    assert all(points[w, 0] == 3 for w in range(5))  # every path starts at the root (V - 2)
    paths = {tuple(codes[w, :depth[w]]) for w in range(5)}
    assert len(paths) == 5  # a prefix code: distinct paths
    assert huffman_paths(np.array([7]))[2].tolist() == [1]


def test_sentences_drop_unknown_words_then_split():
    flat, lengths = encode_sentences([["a", "x", "b", "a", "b"], []], {"a": 0, "b": 1}, 3)
    assert flat.tolist() == [0, 1, 0, 1] and lengths.tolist() == [3, 1]


def test_vocabulary_by_count_and_min_count(model):
    words = [r.word for r in model.getVectors().collect()]
    assert words[0] == "the" and set(words) == set(A + B + ["the"])
    assert "unknown" not in words
    assert repr(model) == f"Word2VecModel: uid={model.uid}, numWords=9, vectorSize=8"


def test_synonyms_separate_the_topics(model):
    for w in A:
        near = [s for s, _ in model.findSynonymsArray(w, 3)]
        assert w not in near and set(near) <= set(A), (w, near)
    rows = model.findSynonyms("moon", 2).collect()
    assert [r.word for r in rows] == [s for s, _ in model.findSynonymsArray("moon", 2)]
    sims = [r.similarity for r in rows]
    assert sims == sorted(sims, reverse=True)


def test_transform_is_the_mean_over_the_full_length(model, docs):
    vecs = {r.word: r.vector.toArray() for r in model.getVectors().collect()}
    rows = {r.id: r.v for r in model.transform(docs).collect()}
    assert rows[10_000] == SparseVector(8, [], [])  # an empty document, as Spark gives it
    assert all(isinstance(v, DenseVector) for i, v in rows.items() if i != 10_000)
    out = {i: v.toArray() for i, v in rows.items()}
    assert np.allclose(out[10_001], vecs["cat"] / 2)
    doc = dict(_docs())[0]
    assert np.allclose(out[0], sum(vecs[w] for w in doc) / len(doc))


def test_in_a_pipeline_after_a_tokenizer(spark):
    rows = [(i, " ".join(d)) for i, d in _docs(100)]
    df = spark.createDataFrame(rows, "id long, s string")
    pipe = Pipeline(stages=[Tokenizer(inputCol="s", outputCol="t"),
                            Word2Vec(inputCol="t", outputCol="v", vectorSize=4, minCount=1)])
    out = pipe.fit(df).transform(df).select("v").collect()
    assert len(out) == 100 and all(len(r.v) == 4 for r in out)


def test_several_training_tasks(docs):
    m = Word2Vec(vectorSize=8, minCount=2, inputCol="text", outputCol="v", seed=5,
                 numPartitions=3, maxIter=2).fit(docs)
    near = [s for s, _ in m.findSynonymsArray("star", 3)]
    assert set(near) <= set(B), near


def test_same_seed_same_vectors(docs):
    fit = Word2Vec(vectorSize=4, minCount=2, inputCol="text", outputCol="v", seed=9).fit
    a, b = fit(docs), fit(docs)
    assert np.array_equal(a._vectors, b._vectors)


def test_save_load_round_trip(model, docs, tmp_path):
    path = str(tmp_path / "w2v")
    model.save(path)
    table = pq.read_table(f"{path}/data/part-00000.parquet")
    assert table.schema.field("word").type == "string"
    assert table.schema.field("vector").type.value_type == "float"
    loaded = Word2VecModel.load(path)
    assert loaded.getVectorSize() == 8 and loaded.uid == model.uid
    assert loaded.transform(docs).collect() == model.transform(docs).collect()
    assert loaded.findSynonymsArray("cat", 3) == model.findSynonymsArray("cat", 3)


@pytest.mark.parametrize("param,value", [("vectorSize", 0), ("windowSize", 0),
                                         ("numPartitions", 0), ("maxSentenceLength", 0),
                                         ("minCount", -1), ("maxIter", -1), ("stepSize", 0.0)])
def test_bad_params_are_named(docs, param, value):
    with pytest.raises(IllegalArgumentException, match=param):
        Word2Vec(inputCol="text", outputCol="v", **{param: value}).fit(docs)


def test_bad_input_is_named(spark, docs, model):
    with pytest.raises(IllegalArgumentException, match="minCount"):
        Word2Vec(inputCol="text", outputCol="v", minCount=10_000).fit(docs)
    nums = spark.createDataFrame([(1, [1, 2])], "id long, text array<long>")
    with pytest.raises(IllegalArgumentException, match="array<string>"):
        Word2Vec(inputCol="text", outputCol="v").fit(nums)
    with pytest.raises(AnalysisException, match="txt"):
        Word2Vec(inputCol="txt", outputCol="v").fit(docs)
    with pytest.raises(IllegalArgumentException, match="vocabulary"):
        model.findSynonymsArray("zebra", 2)
    with pytest.raises(IllegalArgumentException, match="num"):
        model.findSynonymsArray("cat", 0)
    with pytest.raises(IllegalArgumentException, match="size 3"):
        model.findSynonymsArray([1.0, 2.0, 3.0], 2)
