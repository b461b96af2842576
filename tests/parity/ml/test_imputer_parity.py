"""Imputer through dfml and real PySpark on the same rows: surrogates (surrogateDF), output
types and every output row agree, for each strategy, several missingValues and column types.
Medians are exact here in both (Spark's summaries merge nothing below 1 / (2 * relativeError)
rows); a 3000-row case checks both medians lie within relativeError * n ranks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dfml.ml.feature import Imputer as DImputer

NAN = float("nan")
SCHEMA = "id int, a int, b double, c float, d long, e double"


def _rows() -> list[tuple]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(30):
        a = None if i % 7 == 3 else int(rng.integers(-3, 4))
        b = [NAN, None, -1.0, 0.0][i % 4] if i % 3 == 0 else float(np.round(rng.normal(), 2))
        c = None if i % 5 == 1 else float(rng.integers(0, 4)) / 2  # ties for the mode
        d = 0 if i % 4 == 2 else int(rng.integers(10, 13)) * 1_000_000_007
        e = -1.0 if i % 6 == 5 else float(rng.integers(-2, 3))
        out.append((i, a, b, c, d, e))
    return out


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    rows = _rows()
    return spark.createDataFrame(rows, SCHEMA), pyspark.createDataFrame(rows, SCHEMA)


def _same(x, y, rel=1e-6):
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, float) or isinstance(y, float):
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=rel, abs_tol=1e-12)
    return type(x) is type(y) and x == y


def _check(frames, **params):
    from pyspark.ml.feature import Imputer as PImputer
    ours_df, theirs_df = frames
    ours = DImputer(**params).fit(ours_df)
    theirs = PImputer(**params).fit(theirs_df)
    so, st = ours.surrogateDF, theirs.surrogateDF
    assert so.columns == st.columns
    assert so.schema.simpleString() == st.schema.simpleString()
    assert all(_same(x, y) for x, y in zip(so.collect()[0], st.collect()[0])), \
        (so.collect(), st.collect())
    out_o, out_t = ours.transform(ours_df), theirs.transform(theirs_df)
    assert out_o.schema.simpleString() == out_t.schema.simpleString()
    ro, rt = out_o.orderBy("id").collect(), out_t.orderBy("id").collect()
    assert len(ro) == len(rt)
    for a, b in zip(ro, rt):
        assert all(_same(x, y) for x, y in zip(a, b)), (a, b)


COLS = dict(inputCols=["a", "b", "c", "d", "e"], outputCols=["ao", "bo", "co", "do", "eo"])


@pytest.mark.parametrize("strategy", ["mean", "median", "mode"])
@pytest.mark.parametrize("missing", [NAN, -1.0, 0.0])
def test_strategies_and_missing_values(frames, strategy, missing):
    _check(frames, strategy=strategy, missingValue=missing, **COLS)


@pytest.mark.parametrize("strategy", ["mean", "median", "mode"])
def test_single_column(frames, strategy):
    _check(frames, strategy=strategy, inputCol="c", outputCol="co")


def test_median_relative_error_zero(frames):
    _check(frames, strategy="median", relativeError=0.0, **COLS)


def test_median_large_input_within_rank_tolerance(spark, pyspark):
    """3000 values with relativeError 0.01: both medians within 0.01 * n ranks of the exact
    one (Spark's summaries compress at this size, so the values themselves may differ)."""
    from pyspark.ml.feature import Imputer as PImputer
    rng = np.random.default_rng(11)
    x = rng.lognormal(size=3000)
    rows = [(i, None if i % 10 == 0 else float(v)) for i, v in enumerate(x)]
    params = dict(inputCol="x", outputCol="y", strategy="median", relativeError=0.01)
    ours = DImputer(**params).fit(spark.createDataFrame(rows, "id int, x double").repartition(3))
    theirs = PImputer(**params).fit(pyspark.createDataFrame(rows, "id int, x double")
                                    .repartition(3))
    s = np.sort([v for _, v in rows if v is not None])
    k = math.ceil(0.01 * len(s))
    for m in (ours, theirs):
        got = m.surrogateDF.collect()[0].x
        lo, hi = np.searchsorted(s, got, "left"), np.searchsorted(s, got, "right")
        assert lo - k <= math.ceil(0.5 * len(s)) <= hi + k


def test_all_missing_column_fails_in_both(spark, pyspark):
    from pyspark.ml.feature import Imputer as PImputer
    rows = [(1.0, NAN), (2.0, None), (3.0, NAN)]
    with pytest.raises(Exception, match="surrogate cannot be computed"):
        PImputer(inputCols=["a", "b"], outputCols=["x", "y"]).fit(
            pyspark.createDataFrame(rows, "a double, b double"))
    with pytest.raises(ValueError, match="no surrogate can be computed.*b"):
        DImputer(inputCols=["a", "b"], outputCols=["x", "y"]).fit(
            spark.createDataFrame(rows, "a double, b double"))


def test_string_column_rejected_by_both(spark, pyspark, graphs):
    from pyspark.ml.feature import Imputer as PImputer
    rows = [("x", 1.0)]
    with pytest.raises(Exception, match="numeric"):
        PImputer(inputCols=["s"], outputCols=["o"]).fit(
            pyspark.createDataFrame(rows, "s string, b double"))
    n = graphs()
    with pytest.raises(TypeError, match="numeric"):
        DImputer(inputCols=["s"], outputCols=["o"]).fit(
            spark.createDataFrame(rows, "s string, b double"))
    assert n.count == 0


@pytest.mark.parametrize("strategy", ["mean", "median", "mode"])
def test_short_byte_decimal_columns(spark, pyspark, strategy):
    """Every numeric type is accepted; the output keeps it (byte mean -1.33 -> -1, decimal
    mean 1.0 -> 1.00)."""
    import decimal
    D = decimal.Decimal
    rows = [(0, 1, 2, D("1.25")), (1, None, -3, None), (2, 4, None, D("2.50")),
            (3, -2, -3, D("-0.75"))]
    schema = "id int, s short, y byte, m decimal(10,2)"
    _check((spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)),
           strategy=strategy, inputCols=["s", "y", "m"], outputCols=["so", "yo", "mo"])
