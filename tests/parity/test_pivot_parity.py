"""groupBy().pivot() against real PySpark: values given or found, nulls and NaN among the pivot
values, missing (group, value) pairs, one or several aggregates, the numeric shortcuts."""

from __future__ import annotations

import pytest

from dfml.sql import AnalysisException
from dfml.sql import functions as F
from tests.parity.helpers import assert_same

NAN = float("nan")
ROWS = [("a", "x", 1, 1.0, 1.5), ("a", "y", 2, None, NAN), ("b", "x", 3, 3.0, 2.5),
        ("b", None, 4, 4.0, NAN), ("c", "x", None, 5.0, None), ("a", "x", 6, NAN, 1.5)]
SCHEMA = "k string, p string, v int, w double, d double"

CASES = {
    "sum_found_values": lambda d, f: d.groupBy("k").pivot("p").sum("v"),
    "values_given": lambda d, f: d.groupBy("k").pivot("p", ["x", "z"]).agg(f.sum("v")),
    "several_aggregates": lambda d, f: d.groupBy("k").pivot("p", ["x", "y"]).agg(
        f.sum("v"), f.avg("w").alias("aw"), f.max("w")),
    "count_missing_pairs_null": lambda d, f: d.groupBy("k").pivot("p").count(),
    "global": lambda d, f: d.groupBy().pivot("k").sum("v"),
    "int_values": lambda d, f: d.groupBy("p").pivot("v").agg(f.first("w")),
    "numeric_shortcut_all": lambda d, f: d.groupBy("k").pivot("p").sum(),
    "nan_pivot_values": lambda d, f: d.groupBy("k").pivot("d").agg(f.count("v")),
    "nan_value_given": lambda d, f: d.groupBy("k").pivot("d", [NAN, 1.5]).agg(f.sum("v")),
    "expression_keys": lambda d, f: d.groupBy(f.upper("k").alias("K")).pivot("p", ["x"]).agg(
        f.collect_list("v"), f.min("v")),
    "avg_mean_min_max": lambda d, f: d.groupBy("k").pivot("p", ["x", "y"]).avg("w"),
}


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


@pytest.mark.parametrize("case", sorted(CASES))
def test_pivot(frames, case):
    from pyspark.sql import functions as PF
    ours, theirs = frames
    assert_same(CASES[case](ours, F), CASES[case](theirs, PF))


def test_pivot_errors_before_work(frames, graphs):
    ours, _ = frames
    c = graphs()
    with pytest.raises(AnalysisException, match="nope"):
        ours.groupBy("k").pivot("nope", ["x"])
    with pytest.raises(AnalysisException):
        ours.groupBy("k").pivot("p", ["x"]).pivot("p", ["y"])
    assert c.count == 0


def test_pivot_with_values_reads_once(frames, graphs):
    ours, _ = frames
    c = graphs()
    ours.groupBy("k").pivot("p", ["x", "y"]).sum("v").collect()
    assert c.count == 1
