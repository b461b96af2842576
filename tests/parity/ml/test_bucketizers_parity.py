"""Bucketizer, QuantileDiscretizer and Binarizer through dfml and real PySpark on the same rows:
splits, bucket indices and binarized values agree exactly, and so does whether each output
vector is dense or sparse. QuantileDiscretizer's quantiles are exact in both on these inputs
(fewer than 1 / (2 * relativeError) rows)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dfml.ml.feature as DM
from dfml.ml.linalg import Vectors as DV

INF, NAN = math.inf, math.nan


def _numbers(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=n) * 3, 1)
    y = rng.integers(0, 6, size=n).astype(float)   # many ties
    rows = []
    for i in range(n):
        xi = None if i % 17 == 3 else (NAN if i % 11 == 5 else float(x[i]))
        yi = NAN if i % 13 == 7 else float(y[i])
        rows.append((i, xi, yi, int(y[i]) - 2))
    return rows


SCHEMA = "id int, x double, y double, k int"


def _pair(spark, pyspark, rows, schema=SCHEMA):
    return spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)


def _same_rows(ours, theirs, cols):
    a = [tuple(r[c] for c in cols) for r in ours.orderBy("id").collect()]
    b = [tuple(r[c] for c in cols) for r in theirs.orderBy("id").collect()]
    assert str(a) == str(b)  # str: NaN equals NaN


@pytest.mark.parametrize("handle", ["keep", "skip"])
@pytest.mark.parametrize("splits", [[-INF, -2.0, 0.0, 0.5, 3.0, INF], [-INF, 0.0, INF]])
def test_bucketizer(spark, pyspark, handle, splits):
    import pyspark.ml.feature as PM
    ours, theirs = _pair(spark, pyspark, _numbers())
    params = dict(splits=splits, inputCol="x", outputCol="b", handleInvalid=handle)
    _same_rows(DM.Bucketizer(**params).transform(ours), PM.Bucketizer(**params).transform(theirs),
               ["id", "b"])


def test_bucketizer_integer_and_finite_splits(spark, pyspark):
    import pyspark.ml.feature as PM
    ours, theirs = _pair(spark, pyspark, _numbers())
    params = dict(splits=[-2.0, 0.0, 1.0, 3.0], inputCol="k", outputCol="b")
    _same_rows(DM.Bucketizer(**params).transform(ours), PM.Bucketizer(**params).transform(theirs),
               ["id", "b"])


@pytest.mark.parametrize("handle", ["keep", "skip"])
def test_bucketizer_multi_column(spark, pyspark, handle):
    import pyspark.ml.feature as PM
    ours, theirs = _pair(spark, pyspark, _numbers())
    params = dict(splitsArray=[[-INF, 0.0, INF], [-1.0, 2.0, 4.0, 6.0], [-INF, -1.0, 1.0, INF]],
                  inputCols=["x", "y", "k"], outputCols=["a", "b", "c"], handleInvalid=handle)
    _same_rows(DM.Bucketizer(**params).transform(ours), PM.Bucketizer(**params).transform(theirs),
               ["id", "a", "b", "c"])


def test_bucketizer_errors_in_both(spark, pyspark):
    import pyspark.ml.feature as PM
    ours, theirs = _pair(spark, pyspark, _numbers())
    for mod in (DM, PM):   # NaN with 'error'; then a value below the first split
        df = ours if mod is DM else theirs
        with pytest.raises(Exception, match="NaN"):
            b = mod.Bucketizer(splits=[-INF, 0.0, INF], inputCol="x", outputCol="b")
            b.transform(df).collect()
        with pytest.raises(Exception, match="out"):
            mod.Bucketizer(splits=[0.0, 1.0, INF], inputCol="y", outputCol="b",
                           handleInvalid="skip").transform(df.withColumn("y", df.y - 1.0)).collect()
        with pytest.raises(Exception):
            mod.Bucketizer(splits=[0.0, 1.0], inputCol="y", outputCol="b").transform(df)


@pytest.mark.parametrize("num", [2, 3, 4, 7, 10])
@pytest.mark.parametrize("handle", ["keep", "skip"])
def test_quantile_discretizer(spark, pyspark, num, handle):
    import pyspark.ml.feature as PM
    ours, theirs = _pair(spark, pyspark, _numbers(300, seed=num))
    params = dict(numBuckets=num, inputCol="x", outputCol="b", handleInvalid=handle)
    a, b = DM.QuantileDiscretizer(**params).fit(ours), PM.QuantileDiscretizer(**params).fit(theirs)
    assert a.getSplits() == b.getSplits()
    _same_rows(a.transform(ours), b.transform(theirs), ["id", "b"])


def test_quantile_discretizer_ties_and_multi_column(spark, pyspark):
    import pyspark.ml.feature as PM
    ours, theirs = _pair(spark, pyspark, _numbers(200, seed=9))
    for params in (dict(numBucketsArray=[4, 10, 3], inputCols=["x", "y", "k"],
                        outputCols=["a", "b", "c"], handleInvalid="keep"),
                   dict(numBuckets=5, inputCols=["x", "y", "k"], outputCols=["a", "b", "c"],
                        handleInvalid="keep"),
                   dict(numBuckets=4, inputCols=["y", "k"], outputCols=["b", "c"],
                        relativeError=0.0, handleInvalid="keep")):
        a = DM.QuantileDiscretizer(**params).fit(ours)
        b = PM.QuantileDiscretizer(**params).fit(theirs)
        assert a.getSplitsArray() == b.getSplitsArray(), params
        _same_rows(a.transform(ours), b.transform(theirs), ["id"] + params["outputCols"])


def _vectors(kind):
    rng = np.random.default_rng({"dense": 1, "sparse": 2, "mixed": 3}[kind])
    out = []
    for i in range(40):
        x = np.round(rng.normal(size=7), 2)
        x[rng.random(7) < 0.4] = 0.0
        if i % 9 == 0:
            x[2] = NAN
        if kind == "sparse" or (kind == "mixed" and i % 2):
            idx = [int(j) for j in np.flatnonzero(x != 0)]
            out.append((i, float(x[0]), (7, idx, [float(x[j]) for j in idx])))
        else:
            out.append((i, float(x[0]), [float(v) for v in x]))
    return out


@pytest.mark.parametrize("kind", ["dense", "sparse", "mixed"])
@pytest.mark.parametrize("threshold", [0.0, 0.3, -0.4])
def test_binarizer(spark, pyspark, kind, threshold):
    import pyspark.ml.feature as PM
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, x, V.sparse(*v) if isinstance(v, tuple) else V.dense(v))
                for i, x, v in _vectors(kind)]
    ours = spark.createDataFrame(make(DV), ["id", "x", "v"])
    theirs = pyspark.createDataFrame(make(PV), ["id", "x", "v"])
    params = dict(thresholds=[threshold, threshold / 2], inputCols=["v", "x"],
                  outputCols=["o", "d"])
    a = DM.Binarizer(**params).transform(ours).orderBy("id").collect()
    b = PM.Binarizer(**params).transform(theirs).orderBy("id").collect()
    assert [r.d for r in a] == [r.d for r in b]
    for ra, rb in zip(a, b):
        assert type(ra.o).__name__ == type(rb.o).__name__, (ra.id, ra.o, rb.o)
        assert list(ra.o.toArray()) == list(rb.o.toArray())


def test_binarizer_rejects_non_double_in_both(spark, pyspark):
    import pyspark.ml.feature as PM
    ours, theirs = _pair(spark, pyspark, _numbers())
    with pytest.raises(Exception, match="not supported"):
        PM.Binarizer(inputCol="k", outputCol="o").transform(theirs)
    with pytest.raises(ValueError, match="double or a vector"):
        DM.Binarizer(inputCol="k", outputCol="o").transform(ours)
