"""Bucketizer, QuantileDiscretizer, Binarizer: buckets and their edges, NaN/null handling,
multi-column forms, the fitted splits, fused fits, persistence and early errors."""

import math

import numpy as np
import pytest

from dfml.ml import Pipeline
from dfml.ml.feature import (Binarizer, Bucketizer, QuantileDiscretizer, StandardScaler,
                             VectorAssembler)
from dfml.ml.feature.bucketizers import distinct_splits
from dfml.ml.linalg import DenseVector, SparseVector, Vectors
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException

INF, NAN = math.inf, math.nan


@pytest.fixture
def nums(spark):
    rows = [(0, 1.0, 3), (1, NAN, 0), (2, None, -2), (3, -0.5, 7), (4, 5.0, 1), (5, -INF, 2)]
    return spark.createDataFrame(rows, "id int, x double, n int")


def _col(df, name="b"):
    return [getattr(r, name) for r in df.orderBy("id").collect()]


# -- Bucketizer -------------------------------------------------------------------------------

def test_bucketizer_keep_puts_nan_in_extra_bucket(nums):
    b = Bucketizer(splits=[-INF, 0.0, 1.0, INF], inputCol="x", outputCol="b", handleInvalid="keep")
    assert _col(b.transform(nums)) == [2.0, 3.0, None, 0.0, 2.0, 0.0]


def test_bucketizer_skip_drops_nan_and_null_rows(nums):
    b = Bucketizer(splits=[-INF, 0.0, 1.0, INF], inputCol="x", outputCol="b", handleInvalid="skip")
    out = b.transform(nums).orderBy("id").collect()
    assert [r.id for r in out] == [0, 3, 4, 5] and [r.b for r in out] == [2.0, 0.0, 2.0, 0.0]


def test_bucketizer_error_on_nan(spark):
    df = spark.createDataFrame([(0, 1.0), (1, NAN)], "id int, x double")
    b = Bucketizer(splits=[-INF, 0.0, INF], inputCol="x", outputCol="b")
    assert b.getHandleInvalid() == "error"
    with pytest.raises(SparkException, match="NaN"):
        b.transform(df).collect()


def test_bucketizer_edges(spark):
    """Buckets are [lo, hi); the last split belongs to the last bucket; -0.0 sorts below a
    0.0 split, as in Spark; a value outside the splits fails even with 'keep'."""
    df = spark.createDataFrame([(0, -1.0), (1, 0.0), (2, 2.0), (3, 3.0), (4, -0.0)],
                               "id int, x double")
    b = Bucketizer(splits=[-1.0, 0.0, 2.0, 3.0], inputCol="x", outputCol="b")
    assert _col(b.transform(df)) == [0.0, 1.0, 2.0, 2.0, 0.0]
    wide = spark.createDataFrame([(0, 3.5)], "id int, x double")
    with pytest.raises(SparkException, match="outside the splits"):
        b.setHandleInvalid("keep").transform(wide).collect()


def test_bucketizer_integer_input_and_schema(nums):
    b = Bucketizer(splits=[-INF, 0.0, 2.0, INF], inputCol="n", outputCol="b")
    out = b.transform(nums)
    assert out.schema["b"].dataType.simpleString() == "double"
    assert _col(out) == [2.0, 1.0, 0.0, 2.0, 1.0, 2.0]


def test_bucketizer_multi_column(spark):
    df = spark.createDataFrame([(0, 1.0, NAN), (1, NAN, 1.0), (2, 0.5, 0.5)],
                               "id int, x double, y double")
    b = Bucketizer(splitsArray=[[-INF, 0.0, INF], [0.0, 1.0, 2.0]], inputCols=["x", "y"],
                   outputCols=["a", "b"], handleInvalid="keep")
    out = b.transform(df).orderBy("id").collect()
    assert [(r.a, r.b) for r in out] == [(1.0, 2.0), (2.0, 1.0), (1.0, 0.0)]
    skip = b.copy().setHandleInvalid("skip").transform(df).collect()
    assert [(r.id, r.a, r.b) for r in skip] == [(2, 1.0, 0.0)]


@pytest.mark.parametrize("params,match", [
    ({"splits": [0.0, 1.0], "inputCol": "x"}, "at least three"),
    ({"splits": [0.0, 2.0, 1.0], "inputCol": "x"}, "strictly increasing"),
    ({"splits": [0.0, NAN, 1.0], "inputCol": "x"}, "strictly increasing"),
    ({"splits": [0.0, 1.0, 2.0], "inputCol": "x", "handleInvalid": "foo"}, "handleInvalid"),
    ({"splits": [0.0, 1.0, 2.0]}, "exactly one of inputCol and inputCols"),
    ({"splits": [0.0, 1.0, 2.0], "inputCol": "x", "inputCols": ["x"]}, "not both"),
    ({"splitsArray": [[0.0, 1.0, 2.0]], "inputCols": ["x", "n"], "outputCols": ["a", "b"]},
     "same length"),
    ({"splits": [0.0, 1.0, 2.0], "splitsArray": [[0.0, 1.0, 2.0]], "inputCols": ["x"],
      "outputCols": ["a"]}, "must not be set: splits"),
    ({"inputCol": "x"}, "must be set: splits"),
])
def test_bucketizer_bad_params_fail_before_work(nums, graphs, params, match):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match=match):
        Bucketizer(**params).transform(nums)
    assert n.count == 0


def test_bucketizer_bad_columns(spark, nums):
    with pytest.raises(AnalysisException, match="Did you mean `x`"):
        Bucketizer(splits=[0.0, 1.0, 2.0], inputCol="xx", outputCol="b").transform(nums)
    s = spark.createDataFrame([("a",)], "s string")
    with pytest.raises(TypeError, match="numeric"):
        Bucketizer(splits=[0.0, 1.0, 2.0], inputCol="s", outputCol="b").transform(s)
    with pytest.raises(ValueError, match="already exists"):
        Bucketizer(splits=[0.0, 1.0, 2.0], inputCol="x", outputCol="n").transform(nums)


def test_bucketizer_round_trip(nums, tmp_path):
    b = Bucketizer(splitsArray=[[-INF, 0.0, INF], [-INF, 1.0, 4.0, INF]], inputCols=["x", "n"],
                   outputCols=["a", "b"], handleInvalid="keep")
    b.save(str(tmp_path / "b"))
    loaded = Bucketizer.load(str(tmp_path / "b"))
    assert loaded.uid == b.uid and loaded.getSplitsArray() == b.getSplitsArray()
    assert str(loaded.transform(nums).collect()) == str(b.transform(nums).collect())


# -- QuantileDiscretizer ----------------------------------------------------------------------

@pytest.fixture
def skewed(spark):
    vals = [1, 1, 1, 1, 2, 3, 3, 4, 5, 100]
    rows = [(i, float(v)) for i, v in enumerate(vals)] + [(20, NAN), (21, None)]
    return spark.createDataFrame(rows, "id int, x double")


def test_distinct_splits():
    assert distinct_splits([1.0, -0.0, 0.0, 0.0, 3.0]) == [-INF, 0.0, INF]
    assert distinct_splits([1.0, 2.0, 2.0, 5.0]) == [-INF, 2.0, INF]


def test_quantile_discretizer_fits_a_bucketizer(skewed):
    qd = QuantileDiscretizer(numBuckets=4, inputCol="x", outputCol="b", handleInvalid="keep")
    model = qd.fit(skewed)
    assert isinstance(model, Bucketizer) and model.uid == qd.uid
    assert model.getSplits() == [-INF, 1.0, 2.0, 4.0, INF]   # ranks ceil(q * 10): 3, 5, 8
    assert model.getHandleInvalid() == "keep" and model.getOutputCol() == "b"
    assert _col(model.transform(skewed)) == [1.0] * 4 + [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, None]


def test_quantile_discretizer_merges_equal_quantiles(spark):
    df = spark.createDataFrame([(i, 1.0 if i < 6 else 2.0) for i in range(10)], "id int, x double")
    m = QuantileDiscretizer(numBuckets=5, inputCol="x", outputCol="b").fit(df)
    assert m.getSplits() == [-INF, 1.0, 2.0, INF]


def test_quantile_discretizer_multi_column(skewed):
    m = QuantileDiscretizer(numBucketsArray=[2, 3], inputCols=["x", "id"],
                            outputCols=["a", "b"]).fit(skewed)
    assert m.getSplitsArray() == [[-INF, 2.0, INF], [-INF, 3.0, 7.0, INF]]
    same = QuantileDiscretizer(numBuckets=3, inputCols=["x", "id"],
                               outputCols=["a", "b"]).fit(skewed)
    assert same.getSplitsArray() == [[-INF, 1.0, 3.0, INF], [-INF, 3.0, 7.0, INF]]


def test_quantile_discretizer_over_partitions(spark):
    """Many partitions, relativeError 0.01: each inner split within eps * n ranks."""
    rng = np.random.default_rng(3)
    x = rng.lognormal(size=5000)
    df = spark.createDataFrame([(i, float(v)) for i, v in enumerate(x)],
                               "id int, x double").repartition(6)
    m = QuantileDiscretizer(numBuckets=10, inputCol="x", outputCol="b", relativeError=0.01).fit(df)
    s, splits = np.sort(x), m.getSplits()
    assert len(splits) == 11
    for j, v in enumerate(splits[1:-1], start=1):
        lo, hi = np.searchsorted(s, v, "left"), np.searchsorted(s, v, "right")
        assert lo - 50 <= math.ceil(j / 10 * len(s)) <= hi + 50


def test_quantile_discretizer_fuses_in_pipeline(spark, skewed):
    df = skewed.na.drop()
    stages = [QuantileDiscretizer(numBuckets=3, inputCol="x", outputCol="b"),
              VectorAssembler(inputCols=["x", "id"], outputCol="v"),
              StandardScaler(inputCol="v", outputCol="s")]
    model = Pipeline(stages=stages).fit(df)
    assert model.fitPasses == 1
    assert model.stages[0].getSplits() == stages[0].fit(df).getSplits()


@pytest.mark.parametrize("params,match", [
    ({"numBuckets": 1, "inputCol": "x"}, "at least 2"),
    ({"numBucketsArray": [2, 1], "inputCols": ["x", "id"], "outputCols": ["a", "b"]},
     "at least 2"),
    ({"numBuckets": 3, "numBucketsArray": [2, 2], "inputCols": ["x", "id"],
      "outputCols": ["a", "b"]}, "not both"),
    ({"numBucketsArray": [2], "inputCols": ["x", "id"], "outputCols": ["a", "b"]}, "2 names"),
    ({"numBucketsArray": [2], "inputCol": "x"}, "inputCols only"),
    ({"relativeError": 1.5, "inputCol": "x"}, "relativeError"),
    ({"inputCol": "x", "handleInvalid": "drop"}, "handleInvalid"),
])
def test_quantile_discretizer_bad_params(skewed, graphs, params, match):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match=match):
        QuantileDiscretizer(**params).fit(skewed)
    assert n.count == 0


def test_quantile_discretizer_all_nan_column(spark):
    df = spark.createDataFrame([(0, NAN), (1, None)], "id int, x double")
    with pytest.raises(IllegalArgumentException, match="no values"):
        QuantileDiscretizer(numBuckets=3, inputCol="x", outputCol="b").fit(df)


def test_quantile_discretizer_round_trip(skewed, tmp_path):
    qd = QuantileDiscretizer(numBuckets=3, inputCol="x", outputCol="b", relativeError=0.01,
                             handleInvalid="skip")
    qd.save(str(tmp_path / "qd"))
    loaded = QuantileDiscretizer.load(str(tmp_path / "qd"))
    assert loaded.uid == qd.uid and loaded.getRelativeError() == 0.01
    m = loaded.fit(skewed)
    m.save(str(tmp_path / "m"))
    back = Bucketizer.load(str(tmp_path / "m"))
    assert back.getSplits() == m.getSplits()
    assert str(back.transform(skewed).collect()) == str(m.transform(skewed).collect())


# -- Binarizer --------------------------------------------------------------------------------

@pytest.fixture
def mixed(spark):
    rows = [(0, 1.0, Vectors.dense([0.5, -1.0, NAN, 2.0]), Vectors.sparse(6, [1, 3], [3.0, -2.0])),
            (1, NAN, Vectors.dense([0.0, 0.0, 0.0, 0.0]), Vectors.sparse(6, [], [])),
            (2, None, Vectors.dense([1.0, 1.0, 1.0, 1.0]),
             Vectors.sparse(6, [0, 1, 2, 3, 4], [1.0, 1.0, 1.0, -1.0, 0.0]))]
    return spark.createDataFrame(rows, ["id", "x", "v", "s"])


def test_binarizer_doubles(mixed):
    out = Binarizer(threshold=0.5, inputCol="x", outputCol="o").transform(mixed)
    assert _col(out, "o") == [1.0, 0.0, 0.0]          # NaN and null give 0.0
    assert Binarizer().getThreshold() == 0.0


def test_binarizer_vectors_store_rows_compactly(mixed):
    out = _col(Binarizer(threshold=0.2, inputCol="s", outputCol="o").transform(mixed), "o")
    assert out[0] == SparseVector(6, [1], [1.0]) and isinstance(out[0], SparseVector)
    assert isinstance(out[2], DenseVector) and list(out[2]) == [1, 1, 1, 0, 0, 0]
    dense = _col(Binarizer(threshold=0.0, inputCol="v", outputCol="o").transform(mixed), "o")
    assert list(dense[0]) == [1.0, 0.0, 0.0, 1.0] and isinstance(dense[1], SparseVector)


def test_binarizer_negative_threshold(mixed):
    """Implicit zeros exceed a negative threshold; NaN counts as above it."""
    out = _col(Binarizer(threshold=-0.5, inputCol="s", outputCol="o").transform(mixed), "o")
    assert list(out[0]) == [1, 1, 1, 0, 1, 1] and isinstance(out[0], DenseVector)
    v = _col(Binarizer(threshold=-0.5, inputCol="v", outputCol="o").transform(mixed), "o")
    assert list(v[0]) == [1.0, 0.0, 1.0, 1.0]


def test_binarizer_multi_column(mixed):
    b = Binarizer(thresholds=[0.5, 0.0], inputCols=["x", "v"], outputCols=["a", "b"])
    rows = b.transform(mixed).orderBy("id").collect()
    assert [r.a for r in rows] == [1.0, 0.0, 0.0] and list(rows[0].b) == [1.0, 0.0, 0.0, 1.0]
    one = Binarizer(threshold=1.0, inputCols=["x", "v"], outputCols=["a", "b"]).transform(mixed)
    assert _col(one, "b")[0] == SparseVector(4, [3], [1.0])


@pytest.mark.parametrize("params,match", [
    ({"thresholds": [1.0], "inputCol": "x"}, "inputCols only"),
    ({"thresholds": [1.0], "inputCols": ["x", "v"], "outputCols": ["a", "b"]}, "same length"),
    ({"threshold": 1.0, "thresholds": [1.0, 2.0], "inputCols": ["x", "v"],
      "outputCols": ["a", "b"]}, "not both"),
    ({"inputCol": "id"}, "must be double or a vector"),
])
def test_binarizer_bad_params(mixed, graphs, params, match):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match=match):
        Binarizer(**params).transform(mixed)
    assert n.count == 0


def test_binarizer_round_trip(mixed, tmp_path):
    b = Binarizer(thresholds=[0.5, -1.0], inputCols=["x", "s"], outputCols=["a", "b"])
    b.save(str(tmp_path / "b"))
    loaded = Binarizer.load(str(tmp_path / "b"))
    assert loaded.getThresholds() == [0.5, -1.0]
    assert str(loaded.transform(mixed).collect()) == str(b.transform(mixed).collect())
