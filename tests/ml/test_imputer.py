"""Imputer: surrogates per strategy, what counts as missing, typed outputs, surrogateDF, the
median's tolerance over partitions, fused fits, persistence and early errors."""

import math

import numpy as np
import pytest

from dfml.ml import Pipeline
from dfml.ml.feature import Imputer, ImputerModel, StandardScaler, VectorAssembler
from dfml.sql.errors import AnalysisException, IllegalArgumentException

NAN = float("nan")


@pytest.fixture
def df(spark):
    rows = [(0, 1, 1.0, 2.0), (1, None, NAN, 2.0), (2, 4, -1.0, None), (3, 4, 3.0, 3.0),
            (4, 2, 3.0, 3.0)]
    return spark.createDataFrame(rows, "id int, a int, b double, c float")


def _fit(df, **kw):
    return Imputer(inputCols=["a", "b", "c"], outputCols=["ao", "bo", "co"], **kw).fit(df)


def _rows(model, df):
    return model.transform(df).orderBy("id").collect()


@pytest.mark.parametrize("strategy,expected", [
    ("mean", {"a": 2.75, "b": 1.5, "c": 2.5}),
    ("median", {"a": 2.0, "b": 1.0, "c": 2.0}),      # the value of rank ceil(n / 2)
    ("mode", {"a": 4.0, "b": 3.0, "c": 2.0})])       # c: 2 and 3 tie, the smaller wins
def test_surrogates(df, strategy, expected):
    m = _fit(df, strategy=strategy)
    assert m.surrogateDF.collect()[0].asDict() == pytest.approx(expected)
    assert m.surrogateDF.schema.simpleString() == "struct<a:double,b:double,c:double>"


def test_outputs_keep_input_types_and_fill_nulls_and_nan(df):
    """The int column gets the mean truncated (2.75 -> 2), the float column the mean as float."""
    out = _fit(df).transform(df)
    assert out.schema.simpleString().endswith("ao:int,bo:double,co:float>")
    rows = out.orderBy("id").collect()
    assert rows[1].ao == 2 and rows[1].bo == 1.5 and rows[2].co == 2.5
    assert (rows[0].ao, rows[0].bo, rows[0].co) == (1, 1.0, 2.0)


def test_missing_value_other_than_nan(df):
    """With missingValue=-1 the fit leaves both -1 and NaN out, the transform replaces -1 and
    nulls but keeps NaN."""
    m = _fit(df, missingValue=-1.0)
    assert m.surrogateDF.collect()[0].b == pytest.approx(7 / 3)
    rows = _rows(m, df)
    assert math.isnan(rows[1].bo) and rows[2].bo == pytest.approx(7 / 3)
    assert rows[1].ao == 2  # null is always missing


def test_single_column_form(df):
    m = Imputer(inputCol="b", outputCol="bo", strategy="median").fit(df)
    assert [r.bo for r in _rows(m, df)] == [1.0, 1.0, -1.0, 3.0, 3.0]


def test_integer_missing_value(spark):
    d = spark.createDataFrame([(0, 5), (1, 0), (2, 7), (3, 0), (4, -3)], "id int, x long")
    m = Imputer(inputCol="x", outputCol="y", missingValue=0.0).fit(d)
    assert m.surrogateDF.collect()[0].x == pytest.approx(3.0)
    assert [r.y for r in _rows(m, d)] == [5, 3, 7, 3, -3]
    neg = Imputer(inputCol="x", outputCol="y", missingValue=5.0, strategy="mean").fit(d)
    assert [r.y for r in _rows(neg, d)][0] == 1  # mean 1 of 0, 7, 0, -3 = 1.0


def test_median_over_partitions_within_tolerance(spark):
    rng = np.random.default_rng(5)
    x = rng.exponential(size=5000)
    x[::7] = np.nan
    d = spark.createDataFrame([(i, float(v)) for i, v in enumerate(x)], ["id", "x"]).repartition(6)
    eps = 0.01
    m = Imputer(inputCol="x", outputCol="y", strategy="median", relativeError=eps).fit(d)
    s = np.sort(x[~np.isnan(x)])
    got = m.surrogateDF.collect()[0].x
    lo, hi = np.searchsorted(s, got, "left"), np.searchsorted(s, got, "right")
    assert lo - eps * len(s) <= math.ceil(0.5 * len(s)) <= hi + eps * len(s)
    mode = Imputer(inputCol="x", outputCol="y", strategy="mode").fit(d)
    assert mode.surrogateDF.collect()[0].x == s[0]  # every value once: the smallest


def test_all_missing_column_fails_at_fit(spark):
    d = spark.createDataFrame([(1.0, NAN), (2.0, None), (3.0, -1.0)], "a double, b double")
    with pytest.raises(ValueError, match="b"):
        Imputer(inputCols=["a", "b"], outputCols=["x", "y"]).fit(d.limit(2))
    assert Imputer(inputCol="b", outputCol="y").fit(d).surrogateDF.collect()[0].b == -1.0
    with pytest.raises(ValueError, match="b"):
        Imputer(inputCol="b", outputCol="y", missingValue=-1.0, strategy="mode").fit(d)


def test_fused_with_scaler_in_one_pass(spark, df):
    stages = [Imputer(inputCols=["b"], outputCols=["bo"], strategy="median"),
              VectorAssembler(inputCols=["id"], outputCol="v"),
              StandardScaler(inputCol="v", outputCol="s")]
    model = Pipeline(stages=stages).fit(df)
    assert model.fitPasses == 1
    assert model.stages[0].surrogateDF.collect()[0].b == 1.0


def test_round_trip(df, tmp_path):
    m = _fit(df, strategy="mode", missingValue=-1.0)
    path = str(tmp_path / "imp")
    m.write().overwrite().save(path)
    loaded = ImputerModel.load(path)
    assert loaded.uid == m.uid and loaded.getStrategy() == "mode"
    assert loaded.getMissingValue() == -1.0
    assert loaded.surrogateDF.collect() == m.surrogateDF.collect()
    assert str(_rows(loaded, df)) == str(_rows(m, df))
    nan_default = _fit(df)
    nan_default.save(str(tmp_path / "n"))
    assert math.isnan(ImputerModel.load(str(tmp_path / "n")).getMissingValue())


def test_defaults():
    imp = Imputer()
    assert imp.getStrategy() == "mean" and math.isnan(imp.getMissingValue())
    assert imp.getRelativeError() == 0.001


@pytest.mark.parametrize("kw,exc,match", [
    ({"inputCols": ["bb"], "outputCols": ["o"]}, AnalysisException, "Did you mean `b`"),
    ({"inputCols": ["id", "s"], "outputCols": ["o", "p"]}, TypeError, "numeric"),
    ({"inputCols": ["b"], "outputCols": ["o"], "strategy": "max"}, IllegalArgumentException,
     "strategy"),
    ({"inputCols": ["a", "b"], "outputCols": ["o"]}, IllegalArgumentException, "outputCols"),
    ({"inputCols": ["b"], "outputCols": ["id"]}, ValueError, "already exists"),
    ({"inputCol": "b", "inputCols": ["b"], "outputCols": ["o"]}, IllegalArgumentException,
     "not both"),
    ({}, IllegalArgumentException, "inputCol"),
    ({"inputCol": "b", "outputCol": "o", "relativeError": 2.0}, IllegalArgumentException,
     "relativeError")])
def test_errors_before_any_work(spark, graphs, kw, exc, match):
    d = spark.createDataFrame([(1, "x", 1.0)], "id int, s string, b double")
    n = graphs()
    with pytest.raises(exc, match=match):
        Imputer(**kw).fit(d)
    assert n.count == 0
