"""HashingTF, FeatureHasher, CountVectorizer and IDF through dfml and real PySpark on the same
rows (unicode terms, empty lists, repeated terms, ties in counts): vector indices and values
equal exactly, IDF weights to 1e-9, vocabularies in the same order, ``show(truncate=False)``
text the same, and the same output metadata."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

import dfml.ml.feature as DM
from dfml.sql import functions as DF

NAN = float("nan")

DOCS = [
    (0, ["spark", "dask", "dask", "é", "日本語", "😀"]),
    (1, []),
    (2, ["a", "b", "c", "a", "b", "c"]),            # ties: a, b, c counted twice each
    (3, ["\uff01", "😀", "B", "b", "ß", "ﬃ"]),     # U+FF01 vs a supplementary char: Java order
    (4, ["", "dask", "x" * 13, "naïve", "naïve"]),
    (5, ["c", "b", "a"]),
    (6, ["lonely"]),
]
SCHEMA = "id int, w array<string>"


def _show(df) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        df.show(truncate=False)
    return buf.getvalue()


def _vectors(df, col="o"):
    """(id, kind, size, indices, values) per row, ordered by id."""
    out = []
    for r in df.orderBy("id").select("id", col).collect():
        v = r[col]
        sparse = hasattr(v, "indices")
        out.append((r.id, sparse, int(v.size), [int(i) for i in v.indices] if sparse else None,
                    [float(x) for x in (v.values if sparse else v.toArray())]))
    return out


def _same_vectors(a, b, rel=0.0):
    assert [x[:4] for x in a] == [y[:4] for y in b]
    for x, y in zip(a, b):
        if rel == 0.0:
            assert np.array_equal(x[4], y[4], equal_nan=True), (x, y)
        else:
            assert np.allclose(x[4], y[4], rtol=rel, atol=0.0, equal_nan=True), (x, y)


@pytest.fixture
def docs(both):
    return both(DOCS, SCHEMA)


@pytest.mark.parametrize("num_features,binary", [(1 << 18, False), (16, False), (16, True),
                                                 (1000, False)])
def test_hashing_tf(docs, num_features, binary):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = docs
    ours = DM.HashingTF(inputCol="w", outputCol="o", numFeatures=num_features, binary=binary)
    theirs = PM.HashingTF(inputCol="w", outputCol="o", numFeatures=num_features, binary=binary)
    a, b = ours.transform(ours_df), theirs.transform(theirs_df)
    _same_vectors(_vectors(a), _vectors(b))
    assert _show(a.orderBy("id")) == _show(b.orderBy("id"))
    assert a.schema["o"].metadata == b.schema["o"].metadata
    for term in ["a", "é", "😀", "", "x" * 13, 7, True, 2.5]:
        assert ours.indexOf(term) == theirs.indexOf(term), term


def test_hashing_tf_non_string_terms(both):
    """Numbers (-0.0 and NaN included), booleans and null terms hash as Spark's."""
    import pyspark.ml.feature as PM
    rows = [(0, [1, 2, 2, -7, None]), (1, [2147483647]), (2, [])]
    ours_df, theirs_df = both(rows, "id int, w array<int>")
    a = DM.HashingTF(inputCol="w", outputCol="o", numFeatures=50).transform(ours_df)
    b = PM.HashingTF(inputCol="w", outputCol="o", numFeatures=50).transform(theirs_df)
    _same_vectors(_vectors(a), _vectors(b))
    for rows, schema in [
            ([(0, [1, 5000000000, 5000000000]), (1, [-1])], "id int, w array<bigint>"),
            ([(0, [1.5, -0.0, 0.0, NAN, 1e300]), (1, [2.0, None])], "id int, w array<double>"),
            ([(0, [1.5, -0.0, NAN]), (1, [3.25])], "id int, w array<float>"),
            ([(0, [True, False, True, None]), (1, [])], "id int, w array<boolean>")]:
        ours_df, theirs_df = both(rows, schema)
        a = DM.HashingTF(inputCol="w", outputCol="o", numFeatures=50).transform(ours_df)
        b = PM.HashingTF(inputCol="w", outputCol="o", numFeatures=50).transform(theirs_df)
        _same_vectors(_vectors(a), _vectors(b))


def test_sql_hash_of_strings(docs):
    """F.hash runs on the same Murmur3 kernel; its string values stay Spark's."""
    from pyspark.sql import functions as PF
    ours_df, theirs_df = docs
    a = ours_df.select("id", DF.explode("w").alias("t")).select("id", "t", DF.hash("t").alias("h"))
    b = theirs_df.select("id", PF.explode("w").alias("t")).select("id", "t",
                                                                   PF.hash("t").alias("h"))
    key = lambda r: (r[0], r[1])  # noqa: E731
    assert sorted(map(tuple, a.collect()), key=key) == sorted(map(tuple, b.collect()), key=key)


@pytest.mark.parametrize("cats", [None, ["i", "d"], ["i"], ["f", "s", "big", "real"]])
def test_feature_hasher(both, cats):
    import pyspark.ml.feature as PM
    rows = [(0, 2.0, True, "1", "foo", 0, 1.5, 3, 1.1, 2),
            (1, 3.0, False, "2", "bår", None, 0.0, -4, 1e10, -3),
            (2, None, None, None, None, 7, NAN, 0, None, None),
            (3, -0.5, True, "", "日本", 1, 2.0, 10, -0.0, 0),
            (4, 1e10, False, "1", "foo", 0, -2.5, 5000000000, 0.001, 7)]
    schema = ("id int, real double, bool boolean, stringNum string, string string, i int, "
              "d double, big bigint, f float, s smallint")
    ours_df, theirs_df = both(rows, schema)
    cols = ["real", "bool", "stringNum", "string", "i", "d", "big", "f", "s"]
    kw = {"categoricalCols": cats} if cats else {}
    a = DM.FeatureHasher(inputCols=cols, outputCol="o", numFeatures=64, **kw).transform(ours_df)
    b = PM.FeatureHasher(inputCols=cols, outputCol="o", numFeatures=64, **kw).transform(theirs_df)
    _same_vectors(_vectors(a), _vectors(b))
    assert _show(a.orderBy("id")) == _show(b.orderBy("id"))
    assert a.schema["o"].metadata == b.schema["o"].metadata


@pytest.mark.parametrize("params", [
    {}, {"vocabSize": 3}, {"vocabSize": 4}, {"minDF": 2.0}, {"minDF": 0.25}, {"maxDF": 1.0},
    {"minDF": 0.1, "maxDF": 0.3}, {"minTF": 2.0}, {"minTF": 0.3}, {"binary": True},
    {"binary": True, "minTF": 2.0, "vocabSize": 5}])
def test_count_vectorizer(docs, params):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = docs
    ours = DM.CountVectorizer(inputCol="w", outputCol="o", **params).fit(ours_df)
    theirs = PM.CountVectorizer(inputCol="w", outputCol="o", **params).fit(theirs_df)
    assert ours.vocabulary == theirs.vocabulary
    a, b = ours.transform(ours_df), theirs.transform(theirs_df)
    _same_vectors(_vectors(a), _vectors(b))
    assert _show(a.orderBy("id")) == _show(b.orderBy("id"))
    assert a.schema["o"].metadata == b.schema["o"].metadata
    assert repr(ours).split(", ", 1)[1] == repr(theirs).split(", ", 1)[1]


def test_count_vectorizer_many_ties_over_partitions(both):
    """Many terms with equal counts, spread over partitions: the vocabulary cut at vocabSize
    keeps the same terms in the same order."""
    import pyspark.ml.feature as PM
    rng = np.random.default_rng(11)
    words = [f"w{i:02d}" for i in range(30)] + ["Ä", "ä", "a", "Z", "ｚ", "𝔷"]
    rows = [(i, [str(w) for w in rng.choice(words, size=int(rng.integers(0, 6)))])
            for i in range(120)]
    ours_df, theirs_df = both(rows, SCHEMA)
    for params in ({}, {"vocabSize": 10}, {"minDF": 3.0, "vocabSize": 12}):
        ours = DM.CountVectorizer(inputCol="w", outputCol="o", **params).fit(
            ours_df.repartition(3))
        theirs = PM.CountVectorizer(inputCol="w", outputCol="o", **params).fit(
            theirs_df.repartition(3))
        assert ours.vocabulary == theirs.vocabulary, params


def test_count_vectorizer_from_vocabulary(docs):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = docs
    vocab = ["a", "dask", "😀", "missing"]
    ours = DM.CountVectorizerModel.from_vocabulary(vocab, "w", "o", minTF=1.0, binary=False)
    theirs = PM.CountVectorizerModel.from_vocabulary(vocab, "w", "o", minTF=1.0, binary=False)
    _same_vectors(_vectors(ours.transform(ours_df)), _vectors(theirs.transform(theirs_df)))


@pytest.mark.parametrize("min_doc_freq", [0, 1, 2, 3])
def test_idf_on_term_frequencies(docs, min_doc_freq):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = docs
    ours_tf = DM.HashingTF(inputCol="w", outputCol="tf", numFeatures=24).transform(ours_df)
    theirs_tf = PM.HashingTF(inputCol="w", outputCol="tf", numFeatures=24).transform(theirs_df)
    ours = DM.IDF(inputCol="tf", outputCol="o", minDocFreq=min_doc_freq).fit(ours_tf)
    theirs = PM.IDF(inputCol="tf", outputCol="o", minDocFreq=min_doc_freq).fit(theirs_tf)
    assert np.allclose(ours.idf.toArray(), theirs.idf.toArray(), rtol=1e-9, atol=0)
    assert list(ours.docFreq) == list(theirs.docFreq) and ours.numDocs == theirs.numDocs
    assert repr(ours).split(", ", 1)[1] == repr(theirs).split(", ", 1)[1]
    a, b = ours.transform(ours_tf), theirs.transform(theirs_tf)
    _same_vectors(_vectors(a), _vectors(b), rel=1e-9)
    assert a.schema["o"].metadata == b.schema["o"].metadata


def test_idf_dense_sparse_and_non_positive(spark, pyspark):
    """Dense and sparse rows mixed, explicit zeros, negatives and NaN: a feature counts only
    where it is > 0; each row keeps its form and stored indices."""
    import pyspark.ml.feature as PM
    from pyspark.ml.linalg import Vectors as PV

    from dfml.ml.linalg import Vectors as DV
    rows = [(0, [1.0, 0.0, 2.0, -1.0]), (1, (4, [1, 2], [0.0, 3.0])), (2, [0.5, NAN, 0.0, 4.0]),
            (3, (4, [0, 3], [-2.0, 1.0])), (4, (4, [], []))]

    def make(V):  # vector rows need each engine's own Vectors
        return [(i, V.sparse(*v) if isinstance(v, tuple) else V.dense(v)) for i, v in rows]
    ours_df = spark.createDataFrame(make(DV), ["id", "v"])
    theirs_df = pyspark.createDataFrame(make(PV), ["id", "v"])
    ours = DM.IDF(inputCol="v", outputCol="o").fit(ours_df)
    theirs = PM.IDF(inputCol="v", outputCol="o").fit(theirs_df)
    assert np.allclose(ours.idf.toArray(), theirs.idf.toArray(), rtol=1e-9, atol=0)
    assert list(ours.docFreq) == list(theirs.docFreq)
    _same_vectors(_vectors(ours.transform(ours_df)), _vectors(theirs.transform(theirs_df)),
                  rel=1e-9)


def test_pipeline_tf_idf_equals_pysparks(docs):
    """HashingTF -> IDF and CountVectorizer -> IDF as pipelines (fits fused in dfml)."""
    import pyspark.ml as PML
    import pyspark.ml.feature as PM

    import dfml.ml as DML
    ours_df, theirs_df = docs

    def stages(M):
        return [M.HashingTF(inputCol="w", outputCol="tf", numFeatures=20),
                M.IDF(inputCol="tf", outputCol="o"),
                M.CountVectorizer(inputCol="w", outputCol="cv", minDF=2.0),
                M.IDF(inputCol="cv", outputCol="cvidf")]
    ours = DML.Pipeline(stages=stages(DM)).fit(ours_df)
    theirs = PML.Pipeline(stages=stages(PM)).fit(theirs_df)
    assert ours.stages[2].vocabulary == theirs.stages[2].vocabulary
    a, b = ours.transform(ours_df), theirs.transform(theirs_df)
    for col in ("o", "cvidf"):
        _same_vectors(_vectors(a, col), _vectors(b, col), rel=1e-9)
    assert math.isclose(ours.stages[1].idf[0], theirs.stages[1].idf[0], rel_tol=1e-9)
