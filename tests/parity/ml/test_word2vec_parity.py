"""Word2Vec through dfml and real PySpark on the same corpus, compared on behaviour.

SGD runs cannot agree bit for bit (Spark's updates are sequential in the JVM with its own random
stream; dfml's come in small numpy batches from numpy's), so the comparison is what the vectors
mean, on generated sentences drawn from four topic vocabularies plus common filler words:

- the vocabulary (minCount) is exactly Spark's, and the vector size;
- the bar for synonyms: for every topic word, the top-5 synonyms of both implementations are
  all words of the same topic (5 of 5; the filler words never get in), and on average the two
  top-5 lists share at least 3 words;
- transform's output has Spark's schema, one dense vector of the right size per row, and an
  empty document maps to an empty sparse vector in both;
- synonyms of a vector query and getVectors' schema match Spark's forms.
"""

from __future__ import annotations

import numpy as np
import pytest

TOPICS = {
    "animals": ["cat", "dog", "horse", "cow", "sheep", "goat", "mouse", "tiger"],
    "food": ["bread", "cheese", "apple", "rice", "pasta", "soup", "salad", "cake"],
    "space": ["planet", "star", "moon", "orbit", "comet", "galaxy", "rocket", "nebula"],
    "music": ["guitar", "piano", "drum", "violin", "song", "melody", "chord", "rhythm"],
}
FILLER = ["the", "a", "and", "of", "with"]
TOPIC_OF = {w: t for t, ws in TOPICS.items() for w in ws}


def _corpus(n: int = 2000, length: int = 10) -> list[tuple]:
    """Sentences each about one topic: 75% topic words, 25% filler; plus a rare word (below
    minCount) and an empty document."""
    rng = np.random.default_rng(7)
    names = sorted(TOPICS)
    rows = []
    for i in range(n):
        words = TOPICS[names[rng.integers(len(names))]]
        rows.append((i, [words[rng.integers(len(words))] if rng.random() < 0.75
                         else FILLER[rng.integers(len(FILLER))] for _ in range(length)]))
    rows.append((n, ["rareword", "rareword", "cat"]))
    rows.append((n + 1, []))
    return rows


@pytest.fixture(scope="module")
def fitted(spark, pyspark):
    from pyspark.ml.feature import Word2Vec as PW

    from dfml.ml.feature import Word2Vec as DW
    schema = "id long, text array<string>"
    rows = _corpus()
    ours_df, theirs_df = spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)
    params = dict(vectorSize=30, minCount=5, inputCol="text", outputCol="v", seed=11, maxIter=2)
    return (DW(**params).fit(ours_df), PW(**params).fit(theirs_df), ours_df, theirs_df)


def test_vocabulary_and_vector_size_equal(fitted):
    ours, theirs, _, _ = fitted
    ours_v = {r.word: r.vector for r in ours.getVectors().collect()}
    theirs_v = {r.word: r.vector for r in theirs.getVectors().collect()}
    assert set(ours_v) == set(theirs_v)
    assert "rareword" not in ours_v
    assert {len(v) for v in ours_v.values()} == {len(v) for v in theirs_v.values()} == {30}
    assert ours.getVectors().schema.simpleString() == theirs.getVectors().schema.simpleString()


def test_synonyms_stay_in_topic_and_overlap_spark(fitted):
    ours, theirs, _, _ = fitted
    overlaps = []
    for word, topic in TOPIC_OF.items():
        a = [w for w, _ in ours.findSynonymsArray(word, 5)]
        b = [w for w, _ in theirs.findSynonymsArray(word, 5)]
        assert all(TOPIC_OF.get(w) == topic for w in a), (word, a)
        assert all(TOPIC_OF.get(w) == topic for w in b), (word, b)  # the oracle behaves too
        overlaps.append(len(set(a) & set(b)))
    assert np.mean(overlaps) >= 3.0, overlaps


def test_find_synonyms_forms(fitted):
    ours, theirs, _, _ = fitted
    a, b = ours.findSynonyms("cat", 3), theirs.findSynonyms("cat", 3)
    assert a.schema.simpleString() == b.schema.simpleString()
    assert a.count() == b.count() == 3
    assert all(-1.0 <= r.similarity <= 1.0 for r in a.collect())
    vec = ours.getVectors().filter("word = 'moon'").first().vector
    near = [w for w, _ in ours.findSynonymsArray(vec, 3)]
    assert near[0] == "moon"  # a vector query leaves no word out


def test_transform_schema_shape_and_empty_document(fitted):
    ours, theirs, ours_df, theirs_df = fitted
    a, b = ours.transform(ours_df), theirs.transform(theirs_df)
    assert a.schema.simpleString() == b.schema.simpleString()
    ra = {r.id: r.v for r in a.collect()}
    rb = {r.id: r.v for r in b.collect()}
    assert set(ra) == set(rb)
    assert {len(v) for v in ra.values()} == {30}
    empty = max(ra)
    assert np.all(ra[empty].toArray() == 0) and np.all(rb[empty].toArray() == 0)
    assert type(ra[empty]).__name__ == type(rb[empty]).__name__ == "SparseVector"
    assert type(ra[0]).__name__ == type(rb[0]).__name__ == "DenseVector"
    # a document's vector is the mean of its words' vectors over its full length
    vectors = {r.word: r.vector.toArray() for r in ours.getVectors().collect()}
    doc = dict(_corpus())[empty - 1]
    want = sum(vectors[w] for w in doc if w in vectors) / len(doc)
    assert np.allclose(ra[empty - 1].toArray(), want, rtol=1e-6)
