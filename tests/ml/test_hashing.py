"""HashingTF, FeatureHasher, CountVectorizer, IDF: the shared Murmur3 kernel against known
values, vocabulary order and filters, IDF weights, fused fits (pass counting), persistence and
errors that name the column or parameter."""

import math

import numpy as np
import pyarrow as pa
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import (IDF, CountVectorizer, CountVectorizerModel, FeatureHasher,
                             HashingTF, IDFModel, StandardScaler, VectorAssembler)
from dfml.ml.linalg import SparseVector, Vectors
from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException, IllegalArgumentException
from dfml.sql.murmur3 import hash_binary_array, non_negative_mod


@pytest.fixture
def docs(spark):
    rows = [(0, ["b", "a", "c", "d"]), (1, ["d", "c", "b", "a", "zz", "é"]), (2, []),
            (3, ["a", "a", "a", "日本語"])]
    return spark.createDataFrame(rows, "id int, w array<string>")


def _out(stage, df, col="o"):
    return [r[col] for r in stage.transform(df).orderBy("id").collect()]


# -- the kernel ------------------------------------------------------------------------------

def test_murmur3_indices_equal_sparks():
    """Indices PySpark 4 gives these terms with numFeatures=1000 (lengths 0..5 cover every
    tail length; multi-byte UTF-8 included)."""
    terms = ["a", "ab", "abc", "abcd", "abcde", "é", "日本語", ""]
    got = non_negative_mod(hash_binary_array(pa.array(terms), 42, standard=True), 1000)
    assert got.tolist() == [467, 919, 976, 100, 384, 903, 400, 372]
    assert [HashingTF(numFeatures=1000).indexOf(t) for t in terms] == got.tolist()


def test_sql_hash_of_strings_unchanged(spark):
    """F.hash keeps Spark's older tail rule (each tail byte mixed alone) on the shared kernel."""
    df = spark.createDataFrame([("",), ("a",), ("abcde",), ("日本語",), (None,)], "s string")
    got = [r[0] for r in df.select(F.hash("s")).collect()]
    assert got == [142593372, 1485273170, 814637928, -1143049834, 42]  # PySpark 4


def test_long_and_short_terms_in_one_partition():
    """Rows with very different lengths hash in one call as they do alone."""
    terms = ["x" * k for k in range(0, 70, 3)] + ["é" * 11]
    together = hash_binary_array(pa.array(terms), 42, True)
    alone = [hash_binary_array(pa.array([t]), 42, True)[0] for t in terms]
    assert together.tolist() == [int(a) for a in alone]
    sliced = hash_binary_array(pa.array(["zz"] + terms)[1:], 42, True)
    assert sliced.tolist() == together.tolist()


# -- HashingTF / FeatureHasher ----------------------------------------------------------------

def test_hashing_tf_counts_and_binary(spark, docs):
    tf = HashingTF(inputCol="w", outputCol="o", numFeatures=1000)
    out = _out(tf, docs)
    assert out[0] == SparseVector(1000, [165, 467, 768, 890], [1.0] * 4)
    assert out[2] == SparseVector(1000, [], [])
    assert out[3] == SparseVector(1000, [400, 467], [1.0, 3.0])
    assert _out(tf.setBinary(True), docs)[3] == SparseVector(1000, [400, 467], [1.0, 1.0])
    field = tf.transform(docs).schema["o"]
    assert field.metadata == {"ml_attr": {"num_attrs": 1000}}


def test_hashing_tf_numbers_and_null_terms(spark):
    df = spark.createDataFrame([(0, [1, 2, None, 2])], "id int, w array<int>")
    v = _out(HashingTF(inputCol="w", outputCol="o", numFeatures=100), df)[0]
    # a null term hashes to the seed (42); 1 and 2 as Spark's hashInt
    assert 42 in v.indices.tolist() and v.values.sum() == 4.0


def test_feature_hasher_real_and_categorical(spark):
    df = spark.createDataFrame(
        [(2.0, True, "1", "foo", 0, 1.5), (3.0, False, "2", "bar", None, 0.0),
         (None, None, None, None, 7, float("nan"))],
        "real double, bool boolean, stringNum string, string string, i int, d double")
    fh = FeatureHasher(inputCols=["real", "bool", "stringNum", "string", "i", "d"],
                       outputCol="f", numFeatures=64)
    rows = [r.f for r in fh.transform(df).collect()]
    # PySpark 4's output for the same rows (a 0.0 value stays an explicit entry)
    assert rows[0] == SparseVector(64, [11, 28, 46, 51, 54, 58], [2.0, 0.0, 1.0, 1.0, 1.0, 1.5])
    assert rows[1] == SparseVector(64, [9, 11, 42, 52, 58], [1.0, 3.0, 1.0, 1.0, 0.0])
    assert rows[2].indices.tolist() == [28, 58] and math.isnan(rows[2].values[1])
    cat = fh.setCategoricalCols(["i", "d"]).setInputCols(["real", "i", "d"])
    rows = [r.f for r in cat.transform(df).collect()]
    assert rows[0] == SparseVector(64, [11, 52, 61], [2.0, 1.0, 1.0])
    assert rows[2] == SparseVector(64, [20, 53], [1.0, 1.0])


# -- CountVectorizer --------------------------------------------------------------------------

def test_vocabulary_order_ties_and_filters(spark):
    rows = [(0, ["\uff01", "😀", "b", "B", "a", "a"]), (1, ["a", "c", "c", "c"]), (2, []),
            (3, ["b", "zz", "é", "é"])]
    df = spark.createDataFrame(rows, "id int, w array<string>")
    m = CountVectorizer(inputCol="w", outputCol="o").fit(df)
    # count descending; ties in Java's (UTF-16) string order, so the emoji precedes U+FF01
    assert m.vocabulary == ["a", "c", "b", "é", "B", "zz", "😀", "\uff01"]
    assert _out(m, df)[0] == SparseVector(8, [0, 2, 4, 6, 7], [2.0, 1.0, 1.0, 1.0, 1.0])
    m2 = CountVectorizer(inputCol="w", outputCol="o", minDF=2, vocabSize=3, minTF=0.3,
                         binary=True).fit(df)
    assert m2.vocabulary == ["a", "b"]
    assert _out(m2, df) == [SparseVector(2, [0], [1.0])] + [SparseVector(2, [], [])] * 3
    frac = CountVectorizer(inputCol="w", outputCol="o", minDF=0.5, maxDF=0.5).fit(df)
    assert frac.vocabulary == ["a", "b"]
    assert repr(m).endswith(", vocabularySize=8")


def test_tie_on_count_ignores_document_frequency(spark):
    df = spark.createDataFrame([(0, ["q", "q", "p"]), (1, ["p"])], "id int, w array<string>")
    assert CountVectorizer(inputCol="w", outputCol="o").fit(df).vocabulary == ["p", "q"]
    assert CountVectorizer(inputCol="w", outputCol="o", vocabSize=1).fit(df).vocabulary == ["p"]


def test_vocabulary_over_partitions_equals_one_partition(spark):
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(40)]
    rows = [(i, [str(w) for w in rng.choice(words, size=int(rng.integers(0, 9)))])
            for i in range(300)]
    one = spark.createDataFrame(rows, "id int, w array<string>").coalesce(1)
    many = spark.createDataFrame(rows, "id int, w array<string>").repartition(4)
    a = CountVectorizer(inputCol="w", outputCol="o", minDF=3).fit(one)
    b = CountVectorizer(inputCol="w", outputCol="o", minDF=3).fit(many)
    assert a.vocabulary == b.vocabulary


def test_from_vocabulary(spark, docs):
    m = CountVectorizerModel.from_vocabulary(["a", "zz", "nope"], inputCol="w", outputCol="o")
    assert _out(m, docs)[1] == SparseVector(3, [0, 1], [1.0, 1.0])
    assert m.transform(docs).schema["o"].metadata == {"ml_attr": {"num_attrs": 3, "attrs": {}}}


# -- IDF --------------------------------------------------------------------------------------

def test_idf_formula_min_doc_freq_and_forms(spark):
    rows = [(0, Vectors.dense([1.0, 0.0, 2.0])), (1, Vectors.sparse(3, [1, 2], [0.0, 3.0])),
            (2, Vectors.sparse(3, [0], [-1.0]))]
    df = spark.createDataFrame(rows, ["id", "v"])
    m = IDF(inputCol="v", outputCol="o").fit(df)
    # a feature counts in a document only where its value is > 0
    assert m.docFreq == [1, 0, 2] and m.numDocs == 3
    assert np.allclose(m.idf.toArray(), [math.log(4 / 2), math.log(4 / 1), math.log(4 / 3)])
    out = _out(m, df)
    assert out[0] == Vectors.dense([math.log(2), 0.0, 2 * math.log(4 / 3)])
    assert isinstance(out[1], SparseVector) and out[1].indices.tolist() == [1, 2]
    assert repr(m).endswith(", numDocs=3, numFeatures=3")
    m2 = IDF(inputCol="v", outputCol="o", minDocFreq=2).fit(df)
    assert m2.docFreq == [0, 0, 2] and m2.idf.toArray()[:2].tolist() == [0.0, 0.0]


# -- fused fits -------------------------------------------------------------------------------

def test_pipeline_fuses_idf_count_vectorizer_and_scaler(spark, graphs):
    """HashingTF (no fit) -> IDF, CountVectorizer and StandardScaler on another column: all
    three fits share one pass, and each equals its fit alone."""
    rows = [(i, [f"t{(i * k) % 7}" for k in range(i % 5)], float(i), float(i % 3))
            for i in range(40)]
    df = spark.createDataFrame(rows, "id int, w array<string>, x double, y double")
    stages = [HashingTF(inputCol="w", outputCol="tf", numFeatures=32),
              IDF(inputCol="tf", outputCol="tfidf"),
              CountVectorizer(inputCol="w", outputCol="cv", minDF=2),
              VectorAssembler(inputCols=["x", "y"], outputCol="xy"),
              StandardScaler(inputCol="xy", outputCol="xys")]
    n = graphs()
    model = Pipeline(stages=stages).fit(df)
    assert model.fitPasses == 1 and n.count == 1
    assert "pass 1: IDF[1]" in model.explain()
    alone = IDF(inputCol="tf", outputCol="o").fit(stages[0].transform(df))
    assert np.array_equal(model.stages[1].idf.toArray(), alone.idf.toArray())
    assert model.stages[2].vocabulary == \
        CountVectorizer(inputCol="w", outputCol="o", minDF=2).fit(df).vocabulary


# -- persistence ------------------------------------------------------------------------------

def test_round_trips(spark, docs, tmp_path):
    tf = HashingTF(inputCol="w", outputCol="tf", numFeatures=50, binary=True)
    cv = CountVectorizer(inputCol="w", outputCol="cv", minTF=2.0, vocabSize=4)
    model = Pipeline(stages=[tf, IDF(inputCol="tf", outputCol="o", minDocFreq=1), cv]).fit(docs)
    path = str(tmp_path / "p")
    model.write().overwrite().save(path)
    loaded = PipelineModel.load(path)
    cvm, idfm = loaded.stages[2], loaded.stages[1]
    assert isinstance(cvm, CountVectorizerModel) and isinstance(idfm, IDFModel)
    assert cvm.vocabulary == model.stages[2].vocabulary and cvm.getMinTF() == 2.0
    assert idfm.docFreq == model.stages[1].docFreq and idfm.numDocs == 4
    assert np.array_equal(idfm.idf.toArray(), model.stages[1].idf.toArray())
    cols = ["id", "tf", "o", "cv"]
    assert loaded.transform(docs).orderBy("id").select(cols).collect() == \
        model.transform(docs).orderBy("id").select(cols).collect()
    fh = FeatureHasher(inputCols=["id"], outputCol="f", categoricalCols=["id"], numFeatures=8)
    fh.write().overwrite().save(str(tmp_path / "fh"))
    back = FeatureHasher.load(str(tmp_path / "fh"))
    assert back.getCategoricalCols() == ["id"] and back.getNumFeatures() == 8
    assert _out(back, docs, "f") == _out(fh, docs, "f")


def test_defaults_match_spark():
    tf, cv, idf = HashingTF(), CountVectorizer(), IDF()
    assert (tf.getNumFeatures(), tf.getBinary()) == (1 << 18, False)
    assert FeatureHasher().getNumFeatures() == 1 << 18
    assert (cv.getVocabSize(), cv.getMinDF(), cv.getMaxDF(), cv.getMinTF(), cv.getBinary()) == \
        (1 << 18, 1.0, float(2 ** 63 - 1), 1.0, False)
    assert idf.getMinDocFreq() == 0


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("stage,err,match", [
    (HashingTF(inputCol="ww", outputCol="o"), AnalysisException, "Did you mean `w`"),
    (HashingTF(inputCol="id", outputCol="o"), TypeError, "`id` must be an array"),
    (HashingTF(inputCol="w", outputCol="id"), ValueError, "already exists"),
    (HashingTF(inputCol="w", outputCol="o", numFeatures=0), IllegalArgumentException,
     "numFeatures must be > 0"),
    (FeatureHasher(inputCols=["id", "w"], outputCol="o"), IllegalArgumentException,
     "column `w` is array<string>"),
    (FeatureHasher(outputCol="o"), IllegalArgumentException, "set inputCols"),
])
def test_transform_errors_before_work(spark, graphs, docs, stage, err, match):
    n = graphs()
    with pytest.raises(err, match=match):
        stage.transform(docs)
    assert n.count == 0


@pytest.mark.parametrize("est,err,match", [
    (CountVectorizer(inputCol="id", outputCol="o"), TypeError, "`id` must be array<string>"),
    (CountVectorizer(inputCol="w", outputCol="o", vocabSize=0), IllegalArgumentException,
     "vocabSize must be > 0"),
    (CountVectorizer(inputCol="w", outputCol="o", minDF=3.0, maxDF=2.0),
     IllegalArgumentException, r"maxDF \(2.0\) must be >= minDF \(3.0\)"),
    (CountVectorizer(inputCol="w", outputCol="o", minTF=-1.0), IllegalArgumentException,
     "minTF must be >= 0"),
    (IDF(inputCol="w", outputCol="o"), TypeError, "`w` must be a vector"),
    (IDF(inputCol="v", outputCol="o", minDocFreq=-1), IllegalArgumentException,
     "minDocFreq must be >= 0"),
])
def test_fit_errors_before_work(spark, graphs, docs, est, err, match):
    n = graphs()
    with pytest.raises(err, match=match):
        est.fit(docs)
    assert n.count == 0


def test_data_errors_name_the_column(spark):
    nulls = spark.createDataFrame([(0, None), (1, ["a"])], "id int, w array<string>")
    with pytest.raises(Exception, match="column `w` holds a null array"):
        CountVectorizer(inputCol="w", outputCol="o").fit(nulls)
    with pytest.raises(Exception, match="column `w` holds a null array"):
        HashingTF(inputCol="w", outputCol="o").transform(nulls).collect()
    docs = spark.createDataFrame([(0, ["a"])], "id int, w array<string>")
    with pytest.raises(IllegalArgumentException, match="vocabulary is empty"):
        CountVectorizer(inputCol="w", outputCol="o", minDF=2).fit(docs)
    vecs = spark.createDataFrame([(Vectors.dense([1.0]),), (None,)], ["v"])
    with pytest.raises(Exception, match="column `v` holds a null vector"):
        IDF(inputCol="v", outputCol="o").fit(vecs)
    m = IDF(inputCol="v", outputCol="o").fit(vecs.dropna())
    wide = spark.createDataFrame([(Vectors.dense([1.0, 2.0]),)], ["v"])
    with pytest.raises(Exception, match="have size 2, the model has 1 features"):
        m.transform(wide).collect()
