"""Long transformation chains build and run (issue 15: a 100-step withColumn chain used to hit
RecursionError, and each step on a 500-column frame cost a tenth of a second to build).
Timings are in bench/chains.py; these tests pin the behaviour and the values."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F


def _frame(spark, ncols: int, nrows: int = 12):
    rows = [tuple(float(i * 10 + j) for j in range(ncols)) for i in range(nrows)]
    return spark.createDataFrame(rows, [f"c{j}" for j in range(ncols)])


@pytest.mark.parametrize("ncols", [10, 500])
def test_thousand_step_with_column_chain(spark, ncols):
    df = _frame(spark, ncols)
    for i in range(1000):
        df = df.withColumn(f"x{i % 7}", F.col("c0") + i)
    assert len(df.columns) == ncols + 7
    rows = df.select("c0", "x0", "x6").orderBy("c0").collect()
    # x0 was last set at step 994 (994 % 7 == 0), x6 at step 993
    assert [(r.c0, r.x0, r.x6) for r in rows][:2] == [(0.0, 994.0, 993.0), (10.0, 1004.0, 1003.0)]


@pytest.mark.parametrize("ncols", [10, 500])
def test_thousand_step_alternating_filter_chain(spark, ncols):
    df = _frame(spark, ncols)
    for i in range(1000):
        if i % 2:
            df = df.filter(F.col("y") < 1000 - i)      # keeps rows with c0 + i < 1000 - i
        else:
            df = df.withColumn("y", F.col("c0") + i)
    # last filter (i = 999) sees y = c0 + 998: keeps c0 + 998 < 1; the i = 1 one: c0 < 999
    # the binding one is the last: c0 < -997 is false for every row
    assert df.count() == 0
    kept = _frame(spark, ncols)
    for i in range(400):
        kept = kept.withColumn("y", F.col("c0") * 2).filter(F.col("y") > i / 10)
    # the binding filter is the last: 2 * c0 > 39.9
    assert sorted(r.c0 for r in kept.select("c0").collect()) == [float(10 * i) for i in range(2, 12)]


def test_aggregate_after_a_thousand_steps(spark):
    df = _frame(spark, 10)
    for i in range(1000):
        df = df.withColumn("x", F.col("c1") + i)
    out = df.groupBy((F.col("c0") % 20).alias("k")).agg(F.sum("x").alias("s")).orderBy("k").collect()
    assert [(r.k, r.s) for r in out] == [(0.0, sum(10 * i + 1 + 999.0 for i in range(0, 12, 2))),
                                         (10.0, sum(10 * i + 1 + 999.0 for i in range(1, 12, 2)))]


def test_a_filter_over_a_random_column_is_not_moved_below_it(spark):
    """Moving the filter below the projection would draw the random numbers twice."""
    df = spark.range(200).withColumn("r", F.rand(7)).filter(F.col("r") > 0.5).select("id", "r")
    rows = df.collect()
    assert rows and all(r.r > 0.5 for r in rows)


def test_an_alternating_chain_lowers_to_a_shallow_dask_tree(spark):
    df = _frame(spark, 10)
    for i in range(300):
        df = df.filter(F.col("c0") > -i) if i % 2 else df.withColumn("y", F.col("c0") + i)
    expr = df._frame.expr
    depth, frontier = 0, [expr]
    while frontier:
        depth += 1
        frontier = [d for e in frontier for d in e.dependencies()]
    assert depth < 30, depth
