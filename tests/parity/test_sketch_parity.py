"""Sketch functions (``hll_*``, ``theta_*``, ``kll_*``) against real PySpark.

Three kinds of agreement: the same estimates, quantiles and column names for the same input
(dfml's frame split into several partitions, so partial sketches are merged); the same bytes
for small inputs where the format is deterministic (HLL, Theta); and sketches that cross over:
built by PySpark, collected as bytes and queried by dfml, and the other way round.
"""

from __future__ import annotations

import pytest

from dfml.sql import functions as DF
from dfml.sql.errors import AnalysisException as DfmlAnalysisException

from .helpers import assert_same

ROWS = [(g, i, i * 7 % 23, f"s{i % 17}" if i % 5 else "", float(i % 13) / 4 if i % 11 else None,
         None if i % 9 == 0 else i % 29)
        for g in range(3) for i in range(g * 40, g * 40 + 90)]
ROWS += [(1, 999, None, None, float("nan"), None), (3, 1000, None, None, None, None)]
SCHEMA = "g INT, i INT, l BIGINT, s STRING, d DOUBLE, n INT"


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return (spark.createDataFrame(ROWS, SCHEMA).repartition(4),
            pyspark.createDataFrame(ROWS, SCHEMA))


def _pair(F, df):
    return df.groupBy("g").agg(
        F.hll_sketch_estimate(F.hll_sketch_agg("i")),
        F.hll_sketch_estimate(F.hll_sketch_agg("l", 10)),
        F.hll_sketch_estimate(F.hll_sketch_agg("s")),
        F.hll_sketch_estimate(F.hll_sketch_agg("n")),
        F.theta_sketch_estimate(F.theta_sketch_agg("i")),
        F.theta_sketch_estimate(F.theta_sketch_agg("s", 14)),
        F.theta_sketch_estimate(F.theta_sketch_agg("d")),
        F.kll_sketch_get_n_bigint(F.kll_sketch_agg_bigint("l")),
        F.kll_sketch_get_quantile_bigint(F.kll_sketch_agg_bigint("i"), F.lit(0.5)),
        F.kll_sketch_get_quantile_double(F.kll_sketch_agg_double("d", 300), F.lit(0.9)),
        F.kll_sketch_get_rank_double(F.kll_sketch_agg_double("d"), F.lit(1.0)),
    )


def test_estimates_per_group_match(frames):
    ours, theirs = frames
    # group 3 has no double: its KLL sketch is empty, which quantile queries refuse (below)
    assert_same(_pair(DF, ours.filter("g < 3")), _pair(_ps(), theirs.filter("g < 3")))


def test_quantile_of_an_empty_kll_sketch_is_an_error(spark, pyspark):
    from pyspark.errors import PySparkException
    from dfml.sql.errors import PySparkException as DfmlException

    def build(F, df):
        return df.agg(F.kll_sketch_get_quantile_double(F.kll_sketch_agg_double("d"), F.lit(0.5)))
    with pytest.raises(PySparkException, match="KLL_INVALID_INPUT_SKETCH_BUFFER"):
        build(_ps(), pyspark.createDataFrame([(None,)], "d DOUBLE")).collect()
    with pytest.raises(DfmlException, match="KLL_INVALID_INPUT_SKETCH_BUFFER"):
        build(DF, spark.createDataFrame([(None,)], "d DOUBLE")).collect()


def _ps():
    from pyspark.sql import functions as PF
    return PF


def test_hll_and_theta_bytes_match_for_small_input(spark, pyspark):
    rows = [(1, 1, "a", 1.5), (2, 2, "b", 2.5), (2, 2, "b", float("nan")), (3, None, "", None)]
    schema = "i INT, l BIGINT, s STRING, d DOUBLE"

    def build(F, df):
        return df.agg(F.hll_sketch_agg("i"), F.hll_sketch_agg("l"), F.hll_sketch_agg("s"),
                      F.theta_sketch_agg("i"), F.theta_sketch_agg("l"), F.theta_sketch_agg("s"),
                      F.theta_sketch_agg("d"))
    ours, theirs = build(DF, spark.createDataFrame(rows, schema)), build(_ps(), pyspark.createDataFrame(rows, schema))
    assert_same(ours, theirs)


def test_empty_and_all_null_input(spark, pyspark):
    def build(F, df):
        return df.agg(F.hll_sketch_agg("v"), F.theta_sketch_agg("v"), F.kll_sketch_agg_bigint("v"),
                      F.kll_sketch_agg_double(F.col("v").cast("double")),
                      F.hll_union_agg(F.col("b")), F.theta_union_agg("b"),
                      F.kll_merge_agg_bigint("b"), F.kll_merge_agg_double("b"))
    for rows in ([], [(None, None)]):
        assert_same(build(DF, spark.createDataFrame(rows, "v INT, b BINARY")),
                    build(_ps(), pyspark.createDataFrame(rows, "v INT, b BINARY")))


def _sketch_rows(F, df):
    return df.filter("g < 3").groupBy("g").agg(
        F.hll_sketch_agg("i").alias("h"), F.hll_sketch_agg("l", 14).alias("h14"),
        F.theta_sketch_agg("i").alias("t"), F.theta_sketch_agg("l").alias("t2"),
        F.kll_sketch_agg_bigint("i").alias("kb"), F.kll_sketch_agg_double("d").alias("kd"),
        F.kll_sketch_agg_float(F.col("d").cast("float")).alias("kf")).orderBy("g")


def _queries(F, df):
    return df.select(
        "g", F.hll_sketch_estimate("h"), F.hll_sketch_estimate(F.hll_union("h", "h14", True)),
        F.theta_sketch_estimate("t"), F.theta_sketch_estimate(F.theta_union("t", "t2")),
        F.theta_sketch_estimate(F.theta_intersection("t", "t2")),
        F.theta_sketch_estimate(F.theta_difference("t", "t2")),
        F.kll_sketch_get_n_bigint("kb"), F.kll_sketch_get_n_double("kd"),
        F.kll_sketch_get_quantile_bigint("kb", F.array(F.lit(0.0), F.lit(0.25), F.lit(1.0))),
        F.kll_sketch_get_rank_bigint("kb", F.lit(50)),
        F.kll_sketch_get_quantile_float("kf", F.lit(0.5)),
        F.kll_sketch_get_rank_float("kf", F.lit(1.25)),
        F.kll_sketch_get_n_bigint(F.kll_sketch_merge_bigint("kb", "kb")),
        F.kll_sketch_to_string_bigint("kb"), F.kll_sketch_to_string_double("kd"))


def _rows_of(df):
    return [tuple(bytes(v) if isinstance(v, (bytes, bytearray)) else v for v in r)
            for r in df.collect()]


SKETCH_SCHEMA = "g INT, h BINARY, h14 BINARY, t BINARY, t2 BINARY, kb BINARY, kd BINARY, kf BINARY"


def test_sketches_cross_between_engines(frames, spark, pyspark):
    ours, theirs = frames
    from_spark = _rows_of(_sketch_rows(_ps(), theirs))
    from_dfml = _rows_of(_sketch_rows(DF, ours))
    # the same queries over Spark's sketches (read by dfml) and over dfml's (read by Spark)
    assert_same(_queries(DF, spark.createDataFrame(from_spark, SKETCH_SCHEMA)),
                _queries(_ps(), pyspark.createDataFrame(from_spark, SKETCH_SCHEMA)))
    assert_same(_queries(DF, spark.createDataFrame(from_dfml, SKETCH_SCHEMA)),
                _queries(_ps(), pyspark.createDataFrame(from_dfml, SKETCH_SCHEMA)))


def test_union_and_merge_aggregates_over_both_engines_sketches(frames, spark, pyspark):
    ours, theirs = frames
    mixed = _rows_of(_sketch_rows(_ps(), theirs)) + _rows_of(_sketch_rows(DF, ours))

    def build(F, df):
        return df.agg(F.hll_sketch_estimate(F.hll_union_agg("h")),
                      F.hll_sketch_estimate(F.hll_union_agg("h14", True)),
                      F.theta_sketch_estimate(F.theta_union_agg("t")),
                      F.theta_sketch_estimate(F.theta_intersection_agg("t")),
                      F.kll_sketch_get_n_bigint(F.kll_merge_agg_bigint("kb")),
                      F.kll_sketch_get_quantile_bigint(F.kll_merge_agg_bigint("kb", 1000), F.lit(0.5)),
                      F.kll_sketch_get_n_double(F.kll_merge_agg_double("kd")))
    assert_same(build(DF, spark.createDataFrame(mixed, SKETCH_SCHEMA).repartition(3)),
                build(_ps(), pyspark.createDataFrame(mixed, SKETCH_SCHEMA)))


def test_kll_summary_text_matches_for_small_sketches(spark, pyspark):
    rows = [(float(i) / 3, i) for i in range(1, 40)] + [(None, None), (float("nan"), 7)]

    def build(F, df):
        return df.agg(F.kll_sketch_to_string_double(F.kll_sketch_agg_double("d")),
                      F.kll_sketch_to_string_bigint(F.kll_sketch_agg_bigint("i", 100)),
                      F.kll_sketch_to_string_float(F.kll_sketch_agg_float(F.col("d").cast("float"))))
    assert_same(build(DF, spark.createDataFrame(rows, "d DOUBLE, i INT")),
                build(_ps(), pyspark.createDataFrame(rows, "d DOUBLE, i INT")))


@pytest.mark.parametrize("case", [
    ("hll_short", lambda F: F.hll_sketch_agg(F.col("v").cast("short"))),
    ("hll_double", lambda F: F.hll_sketch_agg(F.col("v").cast("double"))),
    ("theta_bool", lambda F: F.theta_sketch_agg(F.col("v").cast("boolean"))),
    ("kll_bigint_double", lambda F: F.kll_sketch_agg_bigint(F.col("v").cast("double"))),
    ("kll_float_int", lambda F: F.kll_sketch_agg_float("v")),
    ("estimate_int", lambda F: F.hll_sketch_estimate("v")),
    ("quantile_of_string", lambda F: F.kll_sketch_get_quantile_double("v", F.lit(0.5))),
], ids=lambda c: c[0])
def test_wrong_input_types_are_refused_like_spark(spark, pyspark, case):
    from pyspark.errors import AnalysisException as PsAnalysisException
    name, build = case
    scalar = name in ("estimate_int", "quantile_of_string")
    run = (lambda df, col: df.select(col)) if scalar else (lambda df, col: df.agg(col))
    with pytest.raises(PsAnalysisException) as theirs:
        run(pyspark.createDataFrame([(1,)], "v INT"), build(_ps())).collect()
    with pytest.raises(DfmlAnalysisException) as ours:
        run(spark.createDataFrame([(1,)], "v INT"), build(DF)).collect()
    assert "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE" in str(theirs.value)
    assert "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE" in str(ours.value)
    want = str(theirs.value).split("however")[1].split("SQLSTATE")[0].strip(" .;")
    assert want in str(ours.value)


def test_different_lg_config_k_is_an_error_unless_allowed(spark, pyspark):
    from pyspark.errors import PySparkException
    from dfml.sql.errors import PySparkException as DfmlException

    def build(F, df, allow):
        s = df.agg(F.hll_sketch_agg("id", 12).alias("s")).union(df.agg(F.hll_sketch_agg("id", 14).alias("s")))
        return s.agg(F.hll_sketch_estimate(F.hll_union_agg("s", allow)))
    assert_same(build(DF, spark.range(50), True), build(_ps(), pyspark.range(50), True))
    with pytest.raises(PySparkException, match="HLL_UNION_DIFFERENT_LG_K"):
        build(_ps(), pyspark.range(50), False).collect()
    with pytest.raises(DfmlException, match="HLL_UNION_DIFFERENT_LG_K"):
        build(DF, spark.range(50), False).collect()


def test_count_min_sketch_bytes_match(spark, pyspark):
    rows = [(i % 7, i * 31 - 50, f"w{i % 5}" if i % 4 else None, bytes([i % 3, 200, i % 11]))
            for i in range(60)] + [(7, None, "", b"")]
    schema = "g INT, v BIGINT, s STRING, b BINARY"

    def build(F, df):
        return df.groupBy("g").agg(F.count_min_sketch("v", 0.1, 0.95, 7),
                                   F.count_min_sketch("s", F.lit(0.5), F.lit(0.5), F.lit(11)),
                                   F.count_min_sketch(F.col("g").cast("int"), 0.2, 0.9, 1111111111111111111),
                                   F.count_min_sketch("b", 0.3, 0.7, -3))
    assert_same(build(DF, spark.createDataFrame(rows, schema).repartition(3)),
                build(_ps(), pyspark.createDataFrame(rows, schema)))


def test_parameter_names_are_pysparks():
    import inspect

    from pyspark.sql import functions as PF
    names = [n for n in dir(PF) if n.startswith(("hll_", "theta_", "kll_", "count_min"))]
    assert len(names) == 33
    for n in names:
        assert list(inspect.signature(getattr(DF, n)).parameters) == \
            list(inspect.signature(getattr(PF, n)).parameters), n
