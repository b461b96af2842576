"""Window steps: shuffles shared per partitioning, Spark's analysis errors, the one-partition
warning and the public names (values are checked against PySpark in tests/parity)."""

from __future__ import annotations

import warnings

import pytest

from dfml.sql import AnalysisException, Window
from dfml.sql import functions as F
from dfml.sql.window import Window as WindowFromModule, WindowSpec


@pytest.fixture
def df(spark):
    rows = [(i % 3, float(i % 5), f"s{i}") for i in range(20)]
    return spark.createDataFrame(rows, "k int, x double, s string").repartition(4)


def _shuffles(d) -> int:
    """Shuffles in the lowered graph (dask-expr's ``RearrangeByColumn``, before optimization)."""
    return sum(type(n).__name__ in ("RearrangeByColumn", "Shuffle") for n in d._frame.expr.walk())


def test_window_exprs_of_one_partitioning_share_one_shuffle(df):
    w = Window.partitionBy("k").orderBy("x")
    d = df.select(F.row_number().over(w).alias("a"), F.sum("x").over(w.rowsBetween(-1, 1)).alias("b"),
                  F.rank().over(Window.partitionBy("k").orderBy(F.desc("s"))).alias("c"))
    assert _shuffles(d) == 1
    assert d.count() == 20


def test_two_partitionings_two_shuffles(df):
    d = df.select(F.row_number().over(Window.partitionBy("k").orderBy("x")).alias("a"),
                  F.row_number().over(Window.partitionBy("s").orderBy("x")).alias("b"))
    assert _shuffles(d) == 2


def test_window_step_is_in_the_plan(df):
    d = df.withColumn("r", F.row_number().over(Window.partitionBy("k").orderBy("x")))
    assert "Window [row_number() OVER (PARTITION BY k ORDER BY x ASC NULLS FIRST" in \
        d._plan.children[0].label()
    assert d.columns == ["k", "x", "s", "r"]


def test_no_partition_warns_and_moves_to_one_partition(df):
    d = df.select(F.row_number().over(Window.orderBy("x", "s")).alias("r"))
    with pytest.warns(UserWarning, match="single partition"):  # at the action, as Spark
        rows = d.collect()
    assert sorted(r.r for r in rows) == list(range(1, 21))


@pytest.mark.parametrize("build, cls", [
    (lambda: F.row_number(), "WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE"),
    (lambda: F.rank().over(Window.partitionBy("k")), "WINDOW_FUNCTION_FRAME_NOT_ORDERED"),
    (lambda: F.count_distinct("x").over(Window.partitionBy("k")), "DISTINCT_WINDOW_FUNCTION_UNSUPPORTED"),
    (lambda: F.sum("x").over(Window.partitionBy("k").rangeBetween(-1, 1)),
     "DATATYPE_MISMATCH.RANGE_FRAME_WITHOUT_ORDER"),
    (lambda: F.sum("x").over(Window.orderBy("x", "k").rangeBetween(-1, 1)),
     "DATATYPE_MISMATCH.RANGE_FRAME_MULTI_ORDER"),
    (lambda: F.sum("x").over(Window.orderBy("s").rangeBetween(-1, 1)),
     "DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE"),
    (lambda: F.ntile(0).over(Window.orderBy("x")), "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE"),
    (lambda: F.col("x").over(Window.orderBy("x")), "UNSUPPORTED_EXPR_FOR_WINDOW"),
])
def test_analysis_errors_as_spark(df, build, cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AnalysisException, match=cls.replace(".", r"\.")):
            df.select(build())


def test_lag_with_a_frame_is_refused(df):
    with pytest.raises(AnalysisException, match="Cannot specify window frame for lag"):
        df.select(F.lag("x").over(Window.partitionBy("k").orderBy("x").rowsBetween(-1, 1)))


def test_window_in_filter_is_refused(df):
    with pytest.raises(AnalysisException, match="WINDOW_FUNCTION_NOT_ALLOWED_IN_CLAUSE"):
        df.filter(F.row_number().over(Window.partitionBy("k").orderBy("x")) == 1)


def test_window_without_over_in_with_column_is_refused(df):
    with pytest.raises(AnalysisException, match="WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE"):
        df.withColumn("r", F.row_number())


def test_spec_is_a_value_and_module_path_matches_pyspark():
    assert WindowFromModule is Window
    a = Window.partitionBy("k").orderBy("x").rowsBetween(-1, Window.unboundedFollowing)
    b = WindowSpec().partitionBy(["k"]).orderBy(["x"]).rowsBetween(-1, Window.unboundedFollowing)
    assert a == b and hash(a) == hash(b)
    with pytest.raises(TypeError, match="start must be an int"):
        Window.rowsBetween(1.5, 2)
    with pytest.raises(TypeError, match="WindowSpec"):
        F.sum("x").over("k")


@pytest.mark.parametrize("precision,magnitude", [(17, 15), (25, 15), (38, 15), (25, 22)])
def test_small_decimal_frame_sums_are_exact(precision, magnitude):
    """The int64 way of summing decimal frames (any declared precision whose values fit an int64;
    a sum widens decimal(15, 2) to decimal(25, 2)) gives what exact decimal arithmetic gives, and
    values beyond an int64 still sum exactly."""
    import decimal
    import random

    import numpy as np
    import pyarrow as pa

    from dfml.sql.window_frames import frame_reduce
    rnd = random.Random(3)
    values = [None if rnd.random() < 0.1
              else decimal.Decimal(rnd.randint(-10**magnitude, 10**magnitude)) / 100
              for _ in range(500)]
    x = pa.array(values, pa.decimal128(precision, 2)).slice(7)
    n = len(x)
    lo = np.array([rnd.randint(0, i) for i in range(n)])
    hi = np.array([rnd.randint(i, n) for i in range(n)])
    got = frame_reduce(x, "sum", lo, hi).to_pylist()
    plain = [v or decimal.Decimal(0) for v in x.to_pylist()]
    assert got == [sum(plain[a:b], decimal.Decimal(0)) for a, b in zip(lo, hi)]


def test_shuffled_partitions_keep_arrow_types(spark):
    """After dask's P2P shuffle (windows, joins) decimal, array and struct columns arrive in
    the next kernel Arrow-backed, not as Python objects (a window over decimals was 3x slower)."""
    import decimal

    import pandas as pd
    df = spark.createDataFrame(
        [(i % 3, decimal.Decimal(i) / 100, [i, None], (i, "x")) for i in range(30)],
        "k int, d decimal(25, 2), a array<int>, s struct<n:int, t:string>")
    shuffled = df._frame.shuffle(on="k", npartitions=3)
    kinds = shuffled.map_partitions(
        lambda p: pd.DataFrame({"c": list(p.columns), "t": [str(t) for t in p.dtypes]}),
        meta={"c": object, "t": object}).compute()
    assert (kinds.groupby("c")["t"].nunique() == 1).all()
    assert set(kinds["t"]) >= {"decimal128(25, 2)[pyarrow]", "large_list<item: int32>[pyarrow]"}
    assert "object" not in set(kinds["t"])


def test_window_and_repartition_over_array_and_struct_columns(spark):
    """A window or a repartition by key of a frame with array, map or struct columns used to fail
    in the shuffle ("P2P ... failed during barrier phase"); the values come through unchanged."""
    rows = [(i % 3, [i, None], {"k": i}, (i, "x")) for i in range(12)]
    df = spark.createDataFrame(rows, "k int, a array<int>, m map<string,int>, s struct<n:int,t:string>")
    w = Window.partitionBy("k").orderBy(F.col("a")[0])
    got = df.select("k", "a", "m", "s", F.row_number().over(w).alias("r")).collect()
    assert sorted((r.a[0], r.r) for r in got) == sorted((i, i // 3 + 1) for i in range(12))
    assert all(r.a == [r.s.n, None] and r.m == {"k": r.s.n} for r in got)
    again = df.repartition(3, "k").collect()
    assert sorted(tuple(r.a) for r in again) == sorted((i, None) for i in range(12))
