"""Sketch functions without PySpark: partial sketches merged across partitions, parameter and
input errors named. Agreement with Spark itself is in tests/parity/test_sketch_parity.py."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException, PySparkException


def _estimates(df):
    return df.groupBy("g").agg(
        F.hll_sketch_estimate(F.hll_sketch_agg("v")).alias("h"),
        F.theta_sketch_estimate(F.theta_sketch_agg("v")).alias("t"),
        F.kll_sketch_get_n_bigint(F.kll_sketch_agg_bigint("v")).alias("n"),
        F.kll_sketch_get_quantile_bigint(F.kll_sketch_agg_bigint("v"), F.lit(1.0)).alias("mx"),
    ).orderBy("g").collect()


def test_partial_sketches_merge_to_the_one_partition_answer(spark):
    rows = [(i % 3, i % 50 if i % 7 else None) for i in range(300)]
    df = spark.createDataFrame(rows, "g INT, v BIGINT")
    one, many = _estimates(df.repartition(1)), _estimates(df.repartition(5))
    assert one == many
    assert [r.h for r in one] == [len({v for g, v in rows if g == k and v is not None}) for k in range(3)]
    assert [r.n for r in one] == [sum(1 for g, v in rows if g == k and v is not None) for k in range(3)]


@pytest.mark.parametrize("build, message", [
    (lambda: F.hll_sketch_agg("v", 3), "HLL_INVALID_LG_K"),
    (lambda: F.theta_sketch_agg("v", 27), "THETA_INVALID_LG_NOM_ENTRIES"),
    (lambda: F.kll_sketch_agg_bigint("v", 7), "KLL_INVALID_K"),
])
def test_out_of_range_parameters_are_refused_when_built(build, message):
    with pytest.raises(AnalysisException, match=message):
        build()


def test_parameters_must_be_constants(spark):
    with pytest.raises(AnalysisException, match="lgConfigK must be a constant"):
        F.hll_sketch_agg("v", F.col("k"))


def test_a_malformed_sketch_names_the_function(spark):
    df = spark.createDataFrame([(b"\x01\x02\x03",)], "b BINARY")
    with pytest.raises(PySparkException, match="HLL_INVALID_INPUT_SKETCH_BUFFER.*hll_sketch_estimate"):
        df.select(F.hll_sketch_estimate("b")).collect()
    with pytest.raises(PySparkException, match="THETA_INVALID_INPUT_SKETCH_BUFFER.*theta_union_agg"):
        df.agg(F.theta_union_agg("b")).collect()


def test_binary_input_hashes_like_its_text_and_refuses_non_utf8(spark):
    df = spark.createDataFrame([(b"ab", "ab"), (b"cd", "cd")], "b BINARY, s STRING")
    r = df.agg(F.hll_sketch_agg("b").alias("x"), F.hll_sketch_agg("s").alias("y")).first()
    assert bytes(r.x) == bytes(r.y)
    bad = spark.createDataFrame([(b"\xff\xfe",)], "b BINARY")
    with pytest.raises(PySparkException, match="not UTF-8"):
        bad.agg(F.theta_sketch_agg("b")).collect()


def test_null_sketches_give_null_and_are_skipped_by_union_aggregates(spark):
    df = spark.createDataFrame([(1, 5), (1, 6), (2, None)], "g INT, v INT")
    s = df.groupBy("g").agg(F.theta_sketch_agg("v").alias("t")).withColumn(
        "t", F.when(F.col("g") == 1, F.col("t")))
    assert s.select(F.theta_sketch_estimate("t").alias("e")).orderBy("e").collect()[0].e is None
    assert s.agg(F.theta_sketch_estimate(F.theta_union_agg("t"))).first()[0] == 2


def test_count_min_sketch_matches_sparks_documented_bytes(spark):
    out = spark.range(100).select(F.hex(F.count_min_sketch("id", 1.0, 0.3, 2)).alias("h")).first().h
    assert out == ("0000000100000000000000640000000100000002000000005D96391C"
                   "00000000000000320000000000000032")
