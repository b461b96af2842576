"""Window functions against real PySpark: same rows in, same columns, types and values out.

The data has ties, nulls and NaN in the order key, a null partition key and one-row
partitions, so ranks, peers and frame edges all get exercised."""

from __future__ import annotations

import warnings

import pytest

from tests.parity.helpers import assert_same

ROWS = [
    (1, "a", 1.0, 10), (1, "b", None, 20), (1, "c", 1.0, 30), (1, "d", 2.5, None),
    (1, "e", float("nan"), 50), (1, "f", 4.0, 60), (2, "g", 3.0, 70), (2, "h", 3.0, 80),
    (2, None, -1.0, 90), (None, "i", 7.0, 100), (None, "j", None, None), (3, "k", 0.0, 5),
]
SCHEMA = "k int, s string, x double, n int"


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


def _both(frames, build):
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW
    ours, theirs = frames
    assert_same(ours.select("k", "s", build(DF, DW)), theirs.select("k", "s", build(PF, PW)))


def _w(W, F):
    return W.partitionBy("k").orderBy("x", "s")


# ---------------------------------------------------------------- ranking
@pytest.mark.parametrize("fn", ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist"])
def test_ranking_with_ties(frames, fn):
    _both(frames, lambda F, W: getattr(F, fn)().over(W.partitionBy("k").orderBy("x")))


@pytest.mark.parametrize("fn", ["rank", "dense_rank", "cume_dist", "percent_rank"])
def test_ranking_desc_nulls_last(frames, fn):
    _both(frames, lambda F, W: getattr(F, fn)().over(
        W.partitionBy("k").orderBy(F.col("x").desc_nulls_last())))


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_ntile(frames, n):
    _both(frames, lambda F, W: F.ntile(n).over(_w(W, F)))


def test_row_number_two_keys_mixed_directions(frames):
    _both(frames, lambda F, W: F.row_number().over(
        W.partitionBy("k").orderBy(F.desc("n"), F.asc_nulls_last("s"))))


def test_rank_without_partition(frames):
    with warnings.catch_warnings():  # all rows in one partition: warned, as Spark does
        warnings.simplefilter("ignore")
        _both(frames, lambda F, W: F.rank().over(W.orderBy("x")))


# ---------------------------------------------------------------- offsets
@pytest.mark.parametrize("args", [(), (2,), (1, 0.0), (-1,), (3, -9.5)])
def test_lag(frames, args):
    _both(frames, lambda F, W: F.lag("x", *args).over(_w(W, F)))


@pytest.mark.parametrize("args", [(), (2, "zz")])
def test_lead_string(frames, args):
    _both(frames, lambda F, W: F.lead("s", *args).over(_w(W, F)))


@pytest.mark.parametrize("ignore", [False, True])
def test_nth_value(frames, ignore):
    _both(frames, lambda F, W: F.nth_value("n", 2, ignore).over(_w(W, F)))


@pytest.mark.parametrize("fn", ["first", "last"])
@pytest.mark.parametrize("ignore", [False, True])
def test_first_last(frames, fn, ignore):
    _both(frames, lambda F, W: getattr(F, fn)("n", ignore).over(_w(W, F)))


@pytest.mark.parametrize("fn", ["first", "last"])
def test_first_last_rows_frame(frames, fn):
    _both(frames, lambda F, W: getattr(F, fn)("n", True).over(_w(W, F).rowsBetween(-1, 1)))


# ---------------------------------------------------------------- aggregates and frames
@pytest.mark.parametrize("fn", ["sum", "count", "min", "max", "avg"])
def test_aggregate_default_running_range_frame(frames, fn):
    """Ordered, no frame: RANGE up to the current row, ties (peers) included."""
    _both(frames, lambda F, W: getattr(F, fn)("n").over(W.partitionBy("k").orderBy("x")))


@pytest.mark.parametrize("fn", ["sum", "count", "min", "max", "avg", "stddev", "var_pop"])
def test_aggregate_whole_partition(frames, fn):
    _both(frames, lambda F, W: getattr(F, fn)("n").over(W.partitionBy("k")))


def test_sum_double_with_nan(frames):
    _both(frames, lambda F, W: F.sum("x").over(_w(W, F)))


def test_min_max_strings(frames):
    _both(frames, lambda F, W: F.min("s").over(_w(W, F).rowsBetween(-2, 0)))
    _both(frames, lambda F, W: F.max("s").over(_w(W, F).rowsBetween(0, 2)))


def test_max_double_with_nan_is_nan(frames):
    _both(frames, lambda F, W: F.max("x").over(W.partitionBy("k")))


@pytest.mark.parametrize("fn", ["collect_list", "collect_set"])
@pytest.mark.parametrize("frame", ["default", "rows", "whole"])
def test_collect_list_and_set(frames, fn, frame):
    def build(F, W):
        w = {"default": _w(W, F), "rows": _w(W, F).rowsBetween(-1, 1),
             "whole": W.partitionBy("k")}[frame]
        return F.sort_array(getattr(F, fn)("n").over(w))  # unordered: any order is Spark's
    _both(frames, build)


def test_count_star(frames):
    _both(frames, lambda F, W: F.count("*").over(_w(W, F)))


@pytest.mark.parametrize("bounds", [(-1, 1), (-2, 0), (0, 2), (1, 3), (-3, -1),
                                    ("up", 0), (0, "uf"), ("up", "uf"), ("up", -1), (2, "uf")])
def test_rows_between(frames, bounds):
    def b(W, v):
        return {"up": W.unboundedPreceding, "uf": W.unboundedFollowing}.get(v, v)
    _both(frames, lambda F, W: F.sum("n").over(_w(W, F).rowsBetween(b(W, bounds[0]), b(W, bounds[1]))))


@pytest.mark.parametrize("bounds", [(-1, 1), (-2, 0), (0, 2), (1, 3), ("up", 1), (-1, "uf"),
                                    (0, 0), ("up", "uf")])
def test_range_between_numeric(frames, bounds):
    def b(W, v):
        return {"up": W.unboundedPreceding, "uf": W.unboundedFollowing}.get(v, v)
    _both(frames, lambda F, W: F.sum("n").over(
        W.partitionBy("k").orderBy("x").rangeBetween(b(W, bounds[0]), b(W, bounds[1]))))


@pytest.mark.parametrize("bounds", [(-1, 1), (0, 2)])
def test_range_between_desc_int_key(frames, bounds):
    _both(frames, lambda F, W: F.count("s").over(
        W.partitionBy("k").orderBy(F.desc("n")).rangeBetween(*bounds)))


def test_rows_frame_without_order_is_whole_partition_when_unbounded(frames):
    _both(frames, lambda F, W: F.sum("n").over(
        W.partitionBy("k").rowsBetween(W.unboundedPreceding, W.unboundedFollowing)))


# ---------------------------------------------------------------- names, types, composition
def test_column_names_and_types(frames):
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def cols(F, W):
        w = W.partitionBy("k").orderBy("x")
        return [F.row_number().over(w), F.rank().over(w), F.dense_rank().over(w),
                F.percent_rank().over(w), F.ntile(2).over(w), F.cume_dist().over(w),
                F.lag("x").over(w), F.lag("x", 2, 0.0).over(w), F.lead("s", 1, "z").over(w),
                F.nth_value("x", 2).over(w), F.nth_value("x", 2, True).over(w),
                F.sum("n").over(w), F.count("x").over(w), F.avg("n").over(W.partitionBy("k")),
                F.sum("x").over(w.rowsBetween(-1, W.unboundedFollowing)),
                F.sum("x").over(w.rangeBetween(-2, 3)), F.max("k").over(W.orderBy(F.desc("x"))),
                F.sum("x").over(W.partitionBy())]
    ours, theirs = frames[0].select(*cols(DF, DW)), frames[1].select(*cols(PF, PW))
    assert ours.columns == theirs.columns
    assert [(f.dataType.simpleString(), f.nullable) for f in ours.schema.fields] == \
        [(f.dataType.simpleString(), f.nullable) for f in theirs.schema.fields]


def test_expression_over_window_results_and_with_column(frames):
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def build(df, F, W):
        w = W.partitionBy("k").orderBy("x")
        return (df.withColumn("r", F.row_number().over(w))
                  .withColumn("d", F.col("n") - F.lag("n", 1, 0).over(w))
                  .select("k", "s", "r", "d", (F.sum("n").over(w) * 2 + F.rank().over(w)).alias("z")))
    assert_same(build(frames[0], DF, DW), build(frames[1], PF, PW))


def test_two_specs_in_one_select(frames):
    _both(frames, lambda F, W: F.row_number().over(W.partitionBy("k").orderBy("s")) * 100
          + F.dense_rank().over(W.orderBy(F.desc("n"))))


def test_filter_on_window_result_keeps_top_row(frames):
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def build(df, F, W):
        w = W.partitionBy("k").orderBy(F.desc("n"))
        return df.withColumn("r", F.row_number().over(w)).filter(F.col("r") == 1)
    assert_same(build(frames[0], DF, DW), build(frames[1], PF, PW))


def test_window_constants_match_spark():
    from dfml.sql import Window as DW
    from dfml.sql.window import Window as DW2
    from pyspark.sql import Window as PW
    assert DW is DW2
    assert (DW.unboundedPreceding, DW.unboundedFollowing, DW.currentRow) == \
        (PW.unboundedPreceding, PW.unboundedFollowing, PW.currentRow)


def test_rank_over_a_frame_made_from_a_bare_type_schema(spark, pyspark):
    """``createDataFrame(values, "int")`` (PySpark's rank examples) is one column, ``value``."""
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW
    ours = spark.createDataFrame([1, 1, 2, 3, 3, 4], "int")
    theirs = pyspark.createDataFrame([1, 1, 2, 3, 3, 4], "int")
    assert_same(ours.withColumn("r", DF.rank().over(DW.orderBy("value"))),
                theirs.withColumn("r", PF.rank().over(PW.orderBy("value"))))


def test_many_input_partitions_string_keys(frames):
    """Rows of one window partition start in different dask partitions (the shuffle gathers
    them); the partition key is a string with a null."""
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW
    ours, theirs = frames[0].repartition(3), frames[1].repartition(3)

    def cols(F, W):
        w = W.partitionBy(F.col("k") % 2).orderBy(F.desc_nulls_first("s"))
        return ["k", "s", F.row_number().over(w).alias("r"), F.sum("n").over(w).alias("t"),
                F.lead("x").over(w).alias("l")]
    assert_same(ours.select(*cols(DF, DW)), theirs.select(*cols(PF, PW)))


def test_date_and_boolean_order_keys(spark, pyspark):
    import datetime as dt
    rows = [(1, dt.date(2024, 1, 2), True), (1, dt.date(2024, 1, 1), False),
            (1, None, True), (1, dt.date(2024, 1, 2), None), (2, dt.date(2023, 5, 5), False)]
    schema = "g int, d date, b boolean"
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def cols(F, W):
        return ["g", "d", "b", F.dense_rank().over(W.partitionBy("g").orderBy("d")).alias("x"),
                F.rank().over(W.partitionBy("g").orderBy(F.desc("b"), "d")).alias("y")]
    assert_same(spark.createDataFrame(rows, schema).select(*cols(DF, DW)),
                pyspark.createDataFrame(rows, schema).select(*cols(PF, PW)))


@pytest.mark.parametrize("fn", ["sum", "avg", "min", "max"])
def test_decimal_aggregates_over_frames(spark, pyspark, fn):
    import decimal
    D = decimal.Decimal
    rows = [(1, D("1.50"), 1), (1, D("2.25"), 2), (1, None, 3), (1, D("-0.75"), 4),
            (2, D("99999.99"), 1), (2, D("0.01"), 2)]
    schema = "g int, d decimal(7,2), o int"
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def cols(F, W):
        w = W.partitionBy("g").orderBy("o")
        return ["g", "o", getattr(F, fn)("d").over(w).alias("run"),
                getattr(F, fn)("d").over(w.rowsBetween(-1, 0)).alias("pair")]
    assert_same(spark.createDataFrame(rows, schema).select(*cols(DF, DW)),
                pyspark.createDataFrame(rows, schema).select(*cols(PF, PW)))


def test_float_partition_keys_nan_null_and_signed_zero(spark, pyspark):
    """NaN keys form one partition, nulls another, and -0.0 joins 0.0 (Spark normalizes)."""
    rows = [(1.0, 1), (float("nan"), 2), (None, 3), (float("nan"), 4), (None, 5), (-0.0, 6),
            (0.0, 7)]
    schema = "k double, n int"
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def cols(F, W):
        return ["n", F.row_number().over(W.partitionBy("k").orderBy("n")).alias("r"),
                F.count("*").over(W.partitionBy("k")).alias("c")]
    assert_same(spark.createDataFrame(rows, schema).repartition(3).select(*cols(DF, DW)),
                pyspark.createDataFrame(rows, schema).select(*cols(PF, PW)))


def test_windows_over_group_aggregates(frames):
    """Spark aggregates first, then runs the windows over the aggregated rows."""
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def build(df, F, W):
        return df.groupBy("k").agg(
            F.sum("n").alias("t"), F.rank().over(W.orderBy(F.desc(F.count("*")), "k")).alias("r"),
            F.sum(F.max("n")).over(W.orderBy("k")), F.lag(F.min("s")).over(W.orderBy("k")))
    assert_same(build(frames[0], DF, DW), build(frames[1], PF, PW))


def test_window_beside_a_global_aggregate(frames):
    from dfml.sql import functions as DF, Window as DW
    from pyspark.sql import functions as PF, Window as PW

    def build(df, F, W):
        return df.select(F.sum("n"), F.count("*").over(W.partitionBy()))
    assert_same(build(frames[0], DF, DW), build(frames[1], PF, PW))
