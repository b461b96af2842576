"""Sketch functions (``hll_*``, ``theta_*``, ``kll_*``, ``tuple_*``) against real PySpark.

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


# ---------------------------------------------------------------- tuple sketches
_MODES = ("sum", "min", "max", "alwaysone")


def _tuple_aggs(F, df):
    """Per group: sketches of double (with NaN and nulls) and int summaries in every mode,
    read back by every reader; string keys include "" (skipped) and ties (same key twice)."""
    cols = []
    for m in _MODES:
        sd = F.tuple_sketch_agg_double("i", "d", 12, m)
        si = F.tuple_sketch_agg_integer("s", "n", 14, m)
        cols += [F.tuple_sketch_estimate_double(sd), F.tuple_sketch_theta_integer(si),
                 F.tuple_sketch_estimate_integer(si)]
        cols += [F.tuple_sketch_summary_double(sd, r) for r in _MODES]
        cols += [F.tuple_sketch_summary_integer(si, r) for r in _MODES]
    cols.append(F.tuple_sketch_summary_double(F.tuple_sketch_agg_double("l", F.col("i") % 7)))
    return df.groupBy("g").agg(*cols)


def test_tuple_estimates_and_summaries_per_group_match(frames):
    ours, theirs = frames
    assert_same(_tuple_aggs(DF, ours), _tuple_aggs(_ps(), theirs))


TUPLE_SCHEMA = "g INT, a BINARY, b BINARY, t BINARY, ia BINARY, ib BINARY"


def _tuple_rows(F, df):
    return df.filter("g < 3").groupBy("g").agg(
        F.tuple_sketch_agg_double("i", "d").alias("a"),
        F.tuple_sketch_agg_double("l", "d", 12, "min").alias("b"),
        F.theta_sketch_agg("l").alias("t"),
        F.tuple_sketch_agg_integer("i", "n", 12, "max").alias("ia"),
        F.tuple_sketch_agg_integer("l", "n").alias("ib")).orderBy("g")


def _tuple_queries(F, df):
    cols = ["g", F.tuple_sketch_summary_double(F.tuple_difference_double("a", "b")),
            F.tuple_sketch_estimate_double(F.tuple_difference_theta_double("a", "t")),
            F.tuple_sketch_summary_integer(F.tuple_difference_integer("ia", "ib"), "max"),
            F.tuple_sketch_summary_integer(F.tuple_difference_theta_integer("ib", "t"))]
    for m in _MODES:
        for r in ("sum", "min", "alwaysone"):
            cols += [F.tuple_sketch_summary_double(F.tuple_union_double("a", "b", 12, m), r),
                     F.tuple_sketch_summary_double(F.tuple_intersection_double("a", "b", m), r),
                     F.tuple_sketch_summary_double(F.tuple_union_theta_double("b", "t", 13, m), r),
                     F.tuple_sketch_summary_double(F.tuple_intersection_theta_double("a", "t", m), r),
                     F.tuple_sketch_summary_integer(F.tuple_union_integer("ia", "ib", 12, m), r),
                     F.tuple_sketch_summary_integer(F.tuple_intersection_integer("ia", "ib", m), r),
                     F.tuple_sketch_summary_integer(F.tuple_union_theta_integer("ia", "t", 12, m), r),
                     F.tuple_sketch_summary_integer(F.tuple_intersection_theta_integer("ib", "t", m), r)]
    return df.select(*cols)


def test_tuple_sketches_cross_between_engines(frames, spark, pyspark):
    ours, theirs = frames
    from_spark = _rows_of(_tuple_rows(_ps(), theirs))
    from_dfml = _rows_of(_tuple_rows(DF, ours))
    assert_same(_tuple_queries(DF, spark.createDataFrame(from_spark, TUPLE_SCHEMA)),
                _tuple_queries(_ps(), pyspark.createDataFrame(from_spark, TUPLE_SCHEMA)))
    assert_same(_tuple_queries(DF, spark.createDataFrame(from_dfml, TUPLE_SCHEMA)),
                _tuple_queries(_ps(), pyspark.createDataFrame(from_dfml, TUPLE_SCHEMA)))


def test_tuple_union_and_intersection_aggregates_over_both_engines_sketches(frames, spark, pyspark):
    ours, theirs = frames
    mixed = _rows_of(_tuple_rows(_ps(), theirs)) + _rows_of(_tuple_rows(DF, ours))
    mixed.append((9, None, None, None, None, None))

    def build(F, df):
        cols = []
        for m in _MODES:
            cols += [F.tuple_sketch_summary_double(F.tuple_union_agg_double("a", 12, m)),
                     F.tuple_sketch_summary_double(F.tuple_intersection_agg_double("b", m), "max"),
                     F.tuple_sketch_summary_integer(F.tuple_union_agg_integer("ib", 10, m), m),
                     F.tuple_sketch_estimate_integer(F.tuple_intersection_agg_integer("ia", m))]
        return df.agg(*cols)
    assert_same(build(DF, spark.createDataFrame(mixed, TUPLE_SCHEMA).repartition(3)),
                build(_ps(), pyspark.createDataFrame(mixed, TUPLE_SCHEMA)))


def test_tuple_bytes_match_for_empty_and_single_key_input(spark, pyspark):
    rows = [(None, 1.0, 2), (5, None, None), (7, float("nan"), 3), (7, 2.0, 4)]
    schema = "k INT, d DOUBLE, n INT"

    def build(F, df):
        one = df.filter("k = 7")
        return one.agg(F.tuple_sketch_agg_double("k", "d"), F.tuple_sketch_agg_double("k", "d", 12, "min"),
                       F.tuple_sketch_agg_integer("k", "n", 12, "alwaysone"),
                       F.tuple_sketch_agg_double(F.col("k").cast("string"), "d", 12, "max")).union(
            df.filter("k IS NULL").agg(F.tuple_sketch_agg_double("k", "d"), F.tuple_sketch_agg_integer("k", "n"),
                                       F.tuple_union_agg_double(F.lit(None).cast("binary")),
                                       F.tuple_intersection_agg_integer(F.lit(None).cast("binary"))))
    assert_same(build(DF, spark.createDataFrame(rows, schema)), build(_ps(), pyspark.createDataFrame(rows, schema)))


def test_tuple_column_names_and_nulls_match(spark, pyspark):
    def build(F, df):
        s = df.agg(F.tuple_sketch_agg_double("k", "v").alias("x"),
                   F.tuple_sketch_agg_integer("k", F.col("k"), F.lit(13), F.lit("MAX")).alias("y"))
        s = s.select("x", "y", F.lit(None).cast("binary").alias("z"))
        return s.select(F.tuple_sketch_estimate_double("z"), F.tuple_union_double("x", "z"),
                        F.tuple_intersection_double("x", "x"), F.tuple_difference_integer("y", "y"),
                        F.tuple_sketch_summary_integer("y", F.lit("min")),
                        F.tuple_union_theta_integer("y", "z", 5), F.tuple_intersection_theta_double("z", "x", "max"))
    rows = [(1, 1.5), (2, None), (None, 3.0)]
    ours, theirs = build(DF, spark.createDataFrame(rows, "k INT, v DOUBLE")), build(_ps(), pyspark.createDataFrame(rows, "k INT, v DOUBLE"))
    assert ours.columns == theirs.columns
    a, b = _rows_of(ours)[0], _rows_of(theirs)[0]
    assert [v is None for v in a] == [v is None for v in b]
    assert a[4] == b[4]


@pytest.mark.parametrize("case", [
    ("bad_mode", lambda F, df: df.agg(F.tuple_sketch_agg_double("k", "v", 12, "avg")), "TUPLE_INVALID_SKETCH_MODE"),
    ("bad_mode_summary", lambda F, df: df.select(F.tuple_sketch_summary_integer(F.lit(b"x"), "first")),
     "TUPLE_INVALID_SKETCH_MODE"),
    ("lg_too_small", lambda F, df: df.agg(F.tuple_union_agg_integer("b", 3)), "SKETCH_INVALID_LG_NOM_ENTRIES"),
    ("lg_too_large", lambda F, df: df.select(F.tuple_union_theta_double("b", "b", 27)), "SKETCH_INVALID_LG_NOM_ENTRIES"),
    ("not_binary", lambda F, df: df.select(F.tuple_sketch_estimate_double("k")), "UNEXPECTED_INPUT_TYPE"),
    ("not_binary_agg", lambda F, df: df.agg(F.tuple_intersection_agg_double("k")), "UNEXPECTED_INPUT_TYPE"),
    ("bool_summary", lambda F, df: df.agg(F.tuple_sketch_agg_integer("k", F.col("k") > 0)), "UNEXPECTED_INPUT_TYPE"),
    ("lg_not_constant", lambda F, df: df.agg(F.tuple_sketch_agg_double("k", "v", F.col("k"))), "NON_FOLDABLE_INPUT"),
], ids=lambda c: c[0] if isinstance(c, tuple) else "")
def test_tuple_bad_arguments_are_refused_like_spark(spark, pyspark, case):
    from pyspark.errors import AnalysisException as PsAnalysisException
    _, build, error = case
    rows, schema = [(1, 1.0, None)], "k INT, v DOUBLE, b BINARY"
    with pytest.raises(PsAnalysisException, match=error):
        build(_ps(), pyspark.createDataFrame(rows, schema)).collect()
    with pytest.raises(DfmlAnalysisException, match=error):
        build(DF, spark.createDataFrame(rows, schema)).collect()


def test_tuple_sketch_of_the_other_summary_type_is_refused(spark, pyspark):
    from pyspark.errors import PySparkException
    from dfml.sql.errors import PySparkException as DfmlException

    def build(F, df):
        return df.agg(F.tuple_sketch_agg_double("k", "v").alias("s")).select(F.tuple_sketch_summary_integer("s"))
    # Spark notices only when the misread entries run past the buffer (here: three entries);
    # dfml checks the image's length against the summary size, so it always refuses
    rows = [(1, 1.0), (2, float("nan")), (3, 30.0)]
    with pytest.raises(PySparkException, match="TUPLE_INVALID_INPUT_SKETCH_BUFFER"):
        build(_ps(), pyspark.createDataFrame(rows, "k INT, v DOUBLE")).collect()
    with pytest.raises(DfmlException, match="TUPLE_INVALID_INPUT_SKETCH_BUFFER"):
        build(DF, spark.createDataFrame(rows, "k INT, v DOUBLE")).collect()


def test_tuple_lg_nom_entries_4_is_refused_by_name(spark):
    with pytest.raises(NotImplementedError, match="lgNomEntries=4"):
        DF.tuple_sketch_agg_double("k", "v", 4)


def test_tuple_parameter_names_are_pysparks():
    import inspect

    from pyspark.sql import functions as PF
    names = [n for n in dir(PF) if n.startswith("tuple_") and n.endswith(("_double", "_integer"))]
    assert len(names) == 24
    for n in names:
        assert list(inspect.signature(getattr(DF, n)).parameters) == \
            list(inspect.signature(getattr(PF, n)).parameters), n
