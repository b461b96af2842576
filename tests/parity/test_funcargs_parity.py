"""Function-level parity with real PySpark: auto-generated column names, Column arguments where
Spark accepts them, and dates/timestamps compared with strings.

Names are compared for (nearly) every function dfml.sql.functions offers, each called with simple
arguments: ``df.select(F.x(...)).columns`` must be what PySpark prints, since programs select the
result by that name and ``show()`` prints it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dfml.sql import functions as DF

from .helpers import assert_same

ROWS = [
    (1, 2, 1.5, -2.25, "abcabc", "b", ",", 2, [1, 2, 2], [3, None], {"key": 1},
     dt.date(2024, 1, 15), dt.datetime(2024, 1, 15, 8, 30, 5), True, "2024-01-31"),
    (2, None, -0.5, None, None, "x", None, None, None, [4], None,
     None, None, None, None),
    (3, 3, None, 4.0, "hello world", None, "o", 1, [5], None, {"other": 2},
     dt.date(2024, 2, 29), dt.datetime(2024, 2, 1, 0, 0, 0), False, "not a date"),
    (4, -1, 2.5, 0.0, "a,b,,c", ",", ",", -1, [], [], {},
     dt.date(2023, 12, 31), dt.datetime(2024, 1, 1, 10, 0, 0), True, "2024-1-5"),
]
SCHEMA = ("id INT, n INT, x DOUBLE, y DOUBLE, s STRING, s2 STRING, sep STRING, k INT, "
          "arr ARRAY<INT>, arr2 ARRAY<INT>, m MAP<STRING, INT>, d DATE, ts TIMESTAMP, "
          "b BOOLEAN, ds STRING")


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


# (id, build(F) -> Column): one function call each, with simple arguments
NAME_CASES = [
    ("abs", lambda F: F.abs("x")), ("acos", lambda F: F.acos("x")),
    ("add_months", lambda F: F.add_months("d", 1)), ("any_value", lambda F: F.any_value("x")),
    ("approx_count_distinct", lambda F: F.approx_count_distinct("x")),
    ("approxCountDistinct", lambda F: F.approxCountDistinct("x")),
    ("array", lambda F: F.array("x", "y")), ("array_contains", lambda F: F.array_contains("arr", 1)),
    ("array_distinct", lambda F: F.array_distinct("arr")), ("array_max", lambda F: F.array_max("arr")),
    ("array_min", lambda F: F.array_min("arr")), ("asin", lambda F: F.asin("x")),
    ("atan", lambda F: F.atan("x")), ("atan2", lambda F: F.atan2("x", "y")),
    ("avg", lambda F: F.avg("x")), ("bround", lambda F: F.bround("x", 1)),
    ("cbrt", lambda F: F.cbrt("x")), ("ceil", lambda F: F.ceil("x")),
    ("ceiling", lambda F: F.ceiling("x")), ("ceiling_lit", lambda F: F.ceiling(F.lit(-0.1))),
    ("ceil_lit", lambda F: F.ceil(F.lit(-0.1))),
    ("coalesce", lambda F: F.coalesce("x", "y")), ("collect_list", lambda F: F.collect_list("x")),
    ("collect_set", lambda F: F.collect_set("x")), ("concat", lambda F: F.concat("s", "s2")),
    ("concat_ws", lambda F: F.concat_ws("-", "s", "s2")), ("corr", lambda F: F.corr("x", "y")),
    ("cos", lambda F: F.cos("x")), ("count", lambda F: F.count("x")),
    ("count_star", lambda F: F.count("*")),
    ("countDistinct", lambda F: F.countDistinct("x")),
    ("count_distinct", lambda F: F.count_distinct("x")),
    ("covar_pop", lambda F: F.covar_pop("x", "y")), ("covar_samp", lambda F: F.covar_samp("x", "y")),
    ("current_date", lambda F: F.current_date()),
    ("current_timestamp", lambda F: F.current_timestamp()),
    ("date_add", lambda F: F.date_add("d", 1)), ("date_format", lambda F: F.date_format("d", "yyyy")),
    ("date_sub", lambda F: F.date_sub("d", 1)), ("datediff", lambda F: F.datediff("d", "d")),
    ("dayofmonth", lambda F: F.dayofmonth("d")), ("dayofweek", lambda F: F.dayofweek("d")),
    ("dayofyear", lambda F: F.dayofyear("d")), ("degrees", lambda F: F.degrees("x")),
    ("e", lambda F: F.e()), ("element_at", lambda F: F.element_at("arr", 1)),
    ("exp", lambda F: F.exp("x")), ("explode", lambda F: F.explode("arr")),
    ("explode_outer", lambda F: F.explode_outer("arr")), ("expm1", lambda F: F.expm1("x")),
    ("first", lambda F: F.first("x")), ("floor", lambda F: F.floor("x")),
    ("from_unixtime", lambda F: F.from_unixtime("n")), ("greatest", lambda F: F.greatest("x", "y")),
    ("hash", lambda F: F.hash("x")), ("hour", lambda F: F.hour("ts")),
    ("hypot", lambda F: F.hypot("x", "y")), ("ifnull", lambda F: F.ifnull("x", "y")),
    ("initcap", lambda F: F.initcap("s")), ("instr", lambda F: F.instr("s", "b")),
    ("isnan", lambda F: F.isnan("x")), ("isnotnull", lambda F: F.isnotnull("x")),
    ("isnull", lambda F: F.isnull("x")), ("kurtosis", lambda F: F.kurtosis("x")),
    ("last", lambda F: F.last("x")), ("last_day", lambda F: F.last_day("d")),
    ("least", lambda F: F.least("x", "y")), ("length", lambda F: F.length("s")),
    ("lit_int", lambda F: F.lit(1)), ("lit_str", lambda F: F.lit("a")),
    ("ln", lambda F: F.ln("x")), ("locate", lambda F: F.locate("b", "s")),
    ("locate_pos", lambda F: F.locate("b", "s", 2)),
    ("log", lambda F: F.log("x")), ("log_base", lambda F: F.log(2.0, "x")),
    ("log10", lambda F: F.log10("x")), ("log1p", lambda F: F.log1p("x")),
    ("log2", lambda F: F.log2("x")), ("lower", lambda F: F.lower("s")),
    ("lpad", lambda F: F.lpad("s", 5, "*")), ("ltrim", lambda F: F.ltrim("s")),
    ("max", lambda F: F.max("x")), ("mean", lambda F: F.mean("x")), ("min", lambda F: F.min("x")),
    ("minute", lambda F: F.minute("ts")), ("month", lambda F: F.month("d")),
    ("months_between", lambda F: F.months_between("d", "d")),
    ("nanvl", lambda F: F.nanvl("x", "y")), ("negative", lambda F: F.negative("x")),
    ("nullif", lambda F: F.nullif("x", "y")), ("nvl", lambda F: F.nvl("x", "y")),
    ("percentile_approx", lambda F: F.percentile_approx("x", 0.5)), ("pi", lambda F: F.pi()),
    ("pmod", lambda F: F.pmod("n", F.lit(2))), ("posexplode", lambda F: F.posexplode("arr")),
    ("positive", lambda F: F.positive("x")), ("pow", lambda F: F.pow("x", "y")),
    ("power", lambda F: F.power("x", "y")), ("quarter", lambda F: F.quarter("d")),
    ("radians", lambda F: F.radians("x")), ("rand", lambda F: F.rand(1)),
    ("randn", lambda F: F.randn(1)),
    ("regexp_extract", lambda F: F.regexp_extract("s", "(a)", 1)),
    ("regexp_replace", lambda F: F.regexp_replace("s", "a", "b")),
    ("repeat", lambda F: F.repeat("s", 2)), ("reverse", lambda F: F.reverse("s")),
    ("rint", lambda F: F.rint("x")), ("round", lambda F: F.round("x")),
    ("round_scale", lambda F: F.round("x", 1)), ("rpad", lambda F: F.rpad("s", 5, "*")),
    ("rtrim", lambda F: F.rtrim("s")), ("second", lambda F: F.second("ts")),
    ("sign", lambda F: F.sign("x")), ("signum", lambda F: F.signum("x")),
    ("sin", lambda F: F.sin("x")), ("size", lambda F: F.size("arr")),
    ("skewness", lambda F: F.skewness("x")), ("sort_array", lambda F: F.sort_array("arr")),
    ("split", lambda F: F.split("s", ",")), ("sqrt", lambda F: F.sqrt("x")),
    ("std", lambda F: F.std("x")), ("stddev", lambda F: F.stddev("x")),
    ("stddev_pop", lambda F: F.stddev_pop("x")), ("stddev_samp", lambda F: F.stddev_samp("x")),
    ("struct", lambda F: F.struct("x", "y")), ("substring", lambda F: F.substring("s", 1, 2)),
    ("sum", lambda F: F.sum("x")), ("sum_distinct", lambda F: F.sum_distinct("x")),
    ("sumDistinct", lambda F: F.sumDistinct("x")), ("tan", lambda F: F.tan("x")),
    ("to_date", lambda F: F.to_date("ds")), ("to_date_fmt", lambda F: F.to_date("ds", "yyyy-MM-dd")),
    ("to_timestamp", lambda F: F.to_timestamp("ds")), ("translate", lambda F: F.translate("s", "a", "b")),
    ("trim", lambda F: F.trim("s")), ("unix_timestamp", lambda F: F.unix_timestamp("ds")),
    ("upper", lambda F: F.upper("s")), ("var_pop", lambda F: F.var_pop("x")),
    ("var_samp", lambda F: F.var_samp("x")), ("variance", lambda F: F.variance("x")),
    ("weekofyear", lambda F: F.weekofyear("d")), ("year", lambda F: F.year("d")),
    ("when", lambda F: F.when(F.col("b"), 1)),
    ("when_otherwise", lambda F: F.when(F.col("b"), 1).otherwise(0)),
    ("monotonically_increasing_id", lambda F: F.monotonically_increasing_id()),
    ("struct_getitem", lambda F: F.struct("x", "y")["x"]),
    ("ceil_scale", lambda F: F.ceil("x", 1)), ("ceiling_scale", lambda F: F.ceiling("x", 1)),
    ("floor_scale", lambda F: F.floor("x", F.lit(1))), ("round_lit", lambda F: F.round("x", F.lit(2))),
    # Column methods that name their result
    ("map_getitem_bracket", lambda F: F.col("m")["key"]),
    ("map_getitem", lambda F: F.col("m").getItem("key")),
    ("array_getitem", lambda F: F.col("arr")[0]),
    ("substr_method", lambda F: F.col("s").substr(1, 2)),
    ("between", lambda F: F.col("x").between(0, 1)),
    ("isin", lambda F: F.col("x").isin(1.5, 2.5)),
    ("cast", lambda F: F.col("x").cast("int")),
    ("cast_expr", lambda F: (F.col("x") + 1).cast("int")),
    ("not", lambda F: ~F.col("b")),
    ("neg", lambda F: -F.col("x")),
]


@pytest.mark.parametrize("build", [c[1] for c in NAME_CASES], ids=[c[0] for c in NAME_CASES])
def test_generated_column_names(frames, build):
    import pyspark.sql.functions as PF
    ours, theirs = frames
    assert ours.select(build(DF)).columns == theirs.select(build(PF)).columns


# (id, build(F, df) -> DataFrame): values, types and names against PySpark, nulls included
VALUE_CASES = [
    # Column arguments where Spark takes them
    ("round_lit_scale", lambda F, df: df.select(F.round("x", F.lit(1)), F.bround("y", F.lit(1)))),
    ("ceil_floor_scale", lambda F, df: df.select(F.ceil("x", 1), F.floor("y", 1), F.ceiling("x", 0),
                                                 F.floor("n", F.lit(-1)))),
    ("lpad_rpad_columns", lambda F, df: df.select(F.lpad("s", F.col("k"), F.col("s2")),
                                                  F.rpad("s", F.lit(8), F.col("sep")),
                                                  F.lpad("s", F.col("n"), "*"))),
    ("split_columns", lambda F, df: df.select(F.split("s", F.col("sep")), F.split("s", ",", F.col("k")),
                                              F.split("s", F.lit("[,o]"), 2))),
    ("instr_column", lambda F, df: df.select(F.instr("s", F.col("s2")), F.instr("s", F.lit("b")))),
    ("substring_columns", lambda F, df: df.select(F.substring("s", F.col("k"), F.col("n")),
                                                  F.substring("s", "n", "k"),
                                                  F.col("s").substr(F.col("k"), F.col("n")),
                                                  F.col("s").substr(F.lit(2), F.lit(3)))),
    ("repeat_column", lambda F, df: df.select(F.repeat("s", F.col("k")), F.repeat("s2", 2))),
    ("locate_pos", lambda F, df: df.select(F.locate("b", "s"), F.locate("o", F.col("s"), 6))),
    ("date_shift_columns", lambda F, df: df.select(F.date_add("d", F.col("k")), F.date_sub("d", "k"),
                                                   F.date_sub("d", F.col("n")),
                                                   F.add_months("d", F.col("k")), F.add_months("d", -1))),
    ("concat_arrays", lambda F, df: df.select(F.concat("arr", "arr2"), F.concat(F.col("arr"), F.array("n")))),
    ("concat_strings", lambda F, df: df.select(F.concat("s", "s2"), F.concat("s", F.lit("!")))),
    # dates and timestamps compared with strings: the string is cast to the column's type
    ("date_ge_str", lambda F, df: df.filter(F.col("d") >= "2024-01-01").select("id")),
    ("date_between_str", lambda F, df: df.select(F.col("d").between("2024-01-01", "2024-02-01"))),
    ("date_le_cast_lit", lambda F, df: df.filter(F.col("d") <= F.lit("2024-02-29").cast("date"))
     .select("id")),
    ("ts_gt_str", lambda F, df: df.select("id", F.col("ts") > "2024-01-01 10:00:00")),
    ("date_eq_bad_str", lambda F, df: df.select(F.col("d") == "not a date", F.col("d") < "2024-1-20")),
    ("date_vs_str_column", lambda F, df: df.select(F.col("d") >= F.col("ds"))),
    ("str_lit_cast_date", lambda F, df: df.select(F.lit("2024-1-5").cast("date"),
                                                  F.lit(" 2024-02-30 ").cast("date"),
                                                  F.lit("2024-01-01 10:00").cast("timestamp"))),
]


@pytest.mark.parametrize("build", [c[1] for c in VALUE_CASES], ids=[c[0] for c in VALUE_CASES])
def test_values(frames, build):
    import pyspark.sql.functions as PF
    ours, theirs = frames
    assert_same(build(DF, ours), build(PF, theirs))
