"""Spark's NaN rules against real PySpark: NaN = NaN, NaN above every number (comparisons,
sorting, min/max, greatest/least), NaN keys grouping and joining together, -0.0 = 0.0, and NaN
kept apart from null."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from tests.parity.helpers import assert_same

NAN = float("nan")
ROWS = [(1, NAN, 1.0), (2, 1.0, NAN), (3, None, 2.0), (4, NAN, NAN), (5, -0.0, 0.0),
        (6, 5.0, None), (7, 1.0, 1.0)]
SCHEMA = "id int, a double, b double"


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


def _run(frames, build):
    ours, theirs = frames
    from pyspark.sql import functions as PF
    assert_same(build(ours, F), build(theirs, PF))


COMPARISONS = {
    "eq_cols": lambda d, f: d.select("id", (f.col("a") == f.col("b")).alias("r")),
    "ne_cols": lambda d, f: d.select("id", (f.col("a") != f.col("b")).alias("r")),
    "lt_cols": lambda d, f: d.select("id", (f.col("a") < f.col("b")).alias("r")),
    "le_cols": lambda d, f: d.select("id", (f.col("a") <= f.col("b")).alias("r")),
    "gt_cols": lambda d, f: d.select("id", (f.col("a") > f.col("b")).alias("r")),
    "ge_cols": lambda d, f: d.select("id", (f.col("a") >= f.col("b")).alias("r")),
    "gt_number": lambda d, f: d.select("id", (f.col("a") > 0).alias("r")),
    "ge_number": lambda d, f: d.select("id", (f.col("a") >= 1.0).alias("r")),
    "lt_number": lambda d, f: d.select("id", (f.col("a") < 2).alias("r")),
    "ne_number": lambda d, f: d.select("id", (f.col("a") != 1.0).alias("r")),
    "number_lt_col": lambda d, f: d.select("id", (f.lit(2.0) < f.col("a")).alias("r")),
    "eq_nan_literal": lambda d, f: d.select("id", (f.col("a") == f.lit(NAN)).alias("r")),
    "lt_nan_literal": lambda d, f: d.select("id", (f.col("a") < f.lit(NAN)).alias("r")),
    "le_nan_literal": lambda d, f: d.select("id", (f.col("a") <= f.lit(NAN)).alias("r")),
    "gt_nan_literal": lambda d, f: d.select("id", (f.col("a") > f.lit(NAN)).alias("r")),
    "ge_nan_literal": lambda d, f: d.select("id", (f.col("a") >= f.lit(NAN)).alias("r")),
    "ne_nan_literal": lambda d, f: d.select("id", (f.col("a") != f.lit(NAN)).alias("r")),
    "nan_literals": lambda d, f: d.select("id", (f.lit(NAN) == f.lit(NAN)).alias("r"),
                                          (f.lit(NAN) > f.lit(1e308)).alias("s")),
    "eq_null_safe": lambda d, f: d.select("id", f.col("a").eqNullSafe(f.col("b")).alias("r")),
    "neg_zero": lambda d, f: d.select("id", (f.col("a") == 0.0).alias("r")),
    "filter_gt": lambda d, f: d.filter(f.col("a") > 1.0).select("id"),
    "filter_eq_nan": lambda d, f: d.filter(f.col("a") == f.lit(NAN)).select("id"),
    "between": lambda d, f: d.select("id", f.col("a").between(0.0, NAN).alias("r")),
    "isin": lambda d, f: d.select("id", f.col("a").isin(NAN, 5.0).alias("r")),
    "isnan_isnull": lambda d, f: d.select("id", f.isnan("a").alias("n"), f.isnull("a").alias("u")),
}


@pytest.mark.parametrize("case", sorted(COMPARISONS))
def test_comparisons(frames, case):
    _run(frames, COMPARISONS[case])


AGGREGATES = {
    "max_min": lambda d, f: d.agg(f.max("a"), f.min("a"), f.max("b"), f.min("b")),
    "max_all_nan": lambda d, f: d.filter(f.col("id") == 4).agg(f.max("a"), f.min("a")),
    "grouped_max": lambda d, f: d.groupBy((f.col("id") % 2).alias("k")).agg(f.max("a"), f.min("b")),
    "group_nan_keys": lambda d, f: d.groupBy("a").agg(f.count("*").alias("n"), f.sum("id").alias("s")),
    "distinct_nan": lambda d, f: d.select("a").distinct(),
    "count_distinct": lambda d, f: d.agg(f.countDistinct("a")),
    "sum_avg_nan": lambda d, f: d.agg(f.sum("a"), f.avg("b")),
    "greatest_least": lambda d, f: d.select("id", f.greatest("a", "b").alias("g"),
                                            f.least("a", "b").alias("l")),
    "max_by_group_neg_zero": lambda d, f: d.filter(f.col("id") == 5).groupBy("a").count(),
}


@pytest.mark.parametrize("case", sorted(AGGREGATES))
def test_aggregates(frames, case):
    _run(frames, AGGREGATES[case])


@pytest.mark.parametrize("build", [
    lambda d, f: d.orderBy("a", "id"),
    lambda d, f: d.orderBy(f.col("a").desc(), "id"),
    lambda d, f: d.orderBy(f.col("b").asc_nulls_last(), "id"),
    lambda d, f: d.orderBy(f.col("b").desc_nulls_first(), "id"),
], ids=["asc", "desc", "asc_nulls_last", "desc_nulls_first"])
def test_sorting(frames, build):
    ours, theirs = frames
    from pyspark.sql import functions as PF
    assert_same(build(ours, F), build(theirs, PF), ordered=True)


def test_nan_join_keys_match(spark, pyspark):
    left = [(NAN, "l1"), (1.0, "l2"), (None, "l3")]
    right = [(NAN, "r1"), (1.0, "r2"), (None, "r3")]
    for how in ("inner", "left", "full"):
        ours = spark.createDataFrame(left, "k double, l string").join(
            spark.createDataFrame(right, "k double, r string"), "k", how)
        theirs = pyspark.createDataFrame(left, "k double, l string").join(
            pyspark.createDataFrame(right, "k double, r string"), "k", how)
        assert_same(ours, theirs)


def test_nan_through_cast_and_show(frames):
    ours, theirs = frames
    from pyspark.sql import functions as PF
    build = lambda d, f: d.select("id", f.col("a").cast("string").alias("s"),
                                  f.col("a").cast("float").alias("x"), (f.col("a") * 2).alias("m"))
    assert_same(build(ours, F), build(theirs, PF))
    assert ours.orderBy("id")._show_string() == theirs.orderBy("id")._jdf.showString(20, 20, False)


def test_nan_over_windows(frames):
    from pyspark.sql import Window as PW, functions as PF
    from dfml.sql import Window as W
    ours, theirs = frames

    def build(d, f, w):
        part = w.partitionBy((f.col("id") % 2).alias("g"))
        ordered = part.orderBy("a", "id")
        return d.select("id", f.max("a").over(part).alias("mx"), f.min("b").over(part).alias("mn"),
                        f.rank().over(ordered).alias("r"), f.first("a").over(ordered).alias("f"))
    assert_same(build(ours, F, W), build(theirs, PF, PW))


ARRAYS = {
    "sort_array": lambda f: [f.sort_array("a"), f.sort_array("a", False)],
    "array_max_min": lambda f: [f.array_max("a"), f.array_min("a")],
    "array_contains_nan": lambda f: [f.array_contains("a", NAN), f.array_contains("a", 0.0)],
    "array_distinct": lambda f: [f.array_distinct("a")],
}


@pytest.mark.parametrize("case", sorted(ARRAYS))
def test_nan_in_arrays(both, case):
    from pyspark.sql import functions as PF
    rows = [([4.0, NAN, None, 1.0, -0.0, NAN],), ([NAN],), ([],), (None,), ([2.0, 0.0, -0.0],)]
    ours, theirs = both(rows, "a array<double>")
    assert_same(ours.select(*ARRAYS[case](F)), theirs.select(*ARRAYS[case](PF)))


def test_collect_set_of_nan_and_signed_zeros(both):
    from pyspark.sql import functions as PF
    rows = [(1, NAN), (1, NAN), (1, 0.0), (1, -0.0), (1, None), (2, 1.0)]
    ours, theirs = both(rows, "k int, x double")
    build = lambda d, f: d.groupBy("k").agg(f.sort_array(f.collect_set("x")).alias("s"),
                                            f.size(f.collect_list("x")).alias("n"))
    assert_same(build(ours, F), build(theirs, PF))
