"""TargetEncoder through dfml and real PySpark on the same rows: encodings to 1e-6 relative for
binary and continuous targets and several smoothings, with null categories, null labels (left
out of the fit), unseen categories under keep and error; the saved data table holds the same
categories, counts and stats as Spark's."""

from __future__ import annotations

import glob
import math

import pyarrow.parquet as pq
import pytest

SCHEMA = "a double, b int, y double, z double"
ROWS = [(0.0, 1, 1.0, 2.5), (1.0, 0, 0.0, 1.0), (0.0, 1, 1.0, 3.0), (2.0, 1, 0.0, 0.5),
        (None, 0, 1.0, 2.0), (1.0, None, 1.0, None), (2.0, 0, None, 4.0), (3.0, 1, 0.0, 7.0),
        (0.0, 2, 0.0, -1.5), (1.0, 2, 1.0, 10.0)]
TEST_ROWS = [(9.0, 1), (None, None), (0.0, 7), (2.0, 2)]


def _enc(df, cols):
    return [tuple(r[c] for c in cols) for r in df.collect()]


def _close(xs, ys):
    assert len(xs) == len(ys)
    for x, y in zip(xs, ys):
        for a, b in zip(x, y):
            if isinstance(a, float) or isinstance(b, float):
                assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-6,
                                                                         abs_tol=1e-12), (x, y)
            else:
                assert a == b, (x, y)


def _pair(kwargs):
    from pyspark.ml.feature import TargetEncoder as PTE

    from dfml.ml.feature import TargetEncoder
    return TargetEncoder(**kwargs), PTE(**kwargs)


@pytest.mark.parametrize("kwargs", [
    {"targetType": "binary", "labelCol": "y"},
    {"targetType": "binary", "labelCol": "y", "smoothing": 2.0},
    {"targetType": "continuous", "labelCol": "z", "smoothing": 1.0, "handleInvalid": "keep"},
    {"targetType": "continuous", "labelCol": "z", "smoothing": 0.0, "handleInvalid": "keep"},
    {"targetType": "binary", "labelCol": "y", "smoothing": 0.5, "handleInvalid": "keep"}])
def test_encodings(both, spark, pyspark, kwargs):
    ours, theirs = both(ROWS, SCHEMA)
    d, p = _pair({"inputCols": ["a", "b"], "outputCols": ["ea", "eb"], **kwargs})
    dm, pm = d.fit(ours), p.fit(theirs)
    cols = ["a", "b", "ea", "eb"]
    _close(_enc(dm.transform(ours), cols), _enc(pm.transform(theirs), cols))
    if kwargs.get("handleInvalid") == "keep":
        t_ours = spark.createDataFrame(TEST_ROWS, "a double, b int")
        t_theirs = pyspark.createDataFrame(TEST_ROWS, "a double, b int")
        _close(_enc(dm.transform(t_ours), cols), _enc(pm.transform(t_theirs), cols))


def test_unseen_fails_with_error(both, spark, pyspark):
    ours, theirs = both(ROWS, SCHEMA)
    d, p = _pair({"inputCol": "a", "outputCol": "ea", "labelCol": "y"})
    with pytest.raises(Exception, match="Unseen value 9.0 in feature a"):
        d.fit(ours).transform(spark.createDataFrame(TEST_ROWS, "a double, b int")).collect()
    with pytest.raises(Exception, match="Unseen value 9.0 in feature a"):
        p.fit(theirs).transform(pyspark.createDataFrame(TEST_ROWS, "a double, b int")).collect()


def test_bad_categories_fail(both):
    ours, theirs = both([(0.5, 1.0), (1.0, 0.0)], "a double, y double")
    d, p = _pair({"inputCol": "a", "outputCol": "ea", "labelCol": "y"})
    with pytest.raises(Exception, match="non-negative integers"):
        p.fit(theirs).transform(theirs).collect()
    with pytest.raises(Exception, match="non-negative integers"):
        d.fit(ours).transform(ours).collect()


@pytest.mark.parametrize("target", ["binary", "continuous"])
def test_saved_data_as_spark(both, tmp_path, target):
    ours, theirs = both(ROWS, SCHEMA)
    label = "y" if target == "binary" else "z"
    d, p = _pair({"inputCols": ["a", "b"], "outputCols": ["ea", "eb"], "labelCol": label,
                  "targetType": target, "smoothing": 1.0, "handleInvalid": "keep"})
    d.fit(ours).save(str(tmp_path / "ours"))
    p.fit(theirs).save(str(tmp_path / "theirs"))

    def rows(path):
        t = pq.read_table(glob.glob(str(path / "data" / "*.parquet"))[0])
        out = {}
        for r in t.to_pylist():
            out[r["index"]] = sorted(zip(r["categories"], r["counts"], r["stats"]))
        return out
    a, b = rows(tmp_path / "ours"), rows(tmp_path / "theirs")
    assert a.keys() == b.keys()
    for k in a:
        _close(a[k], b[k])
    from dfml.ml.feature import TargetEncoderModel
    loaded = TargetEncoderModel.load(str(tmp_path / "ours"))
    cols = ["a", "b", "ea", "eb"]
    _close(_enc(loaded.transform(ours), cols), _enc(d.fit(ours).transform(ours), cols))
