"""Column expressions and functions: the same select through dfml and real PySpark.

Each case is ``(id, build)`` where ``build(F, df)`` returns a DataFrame; it runs once with
``dfml.sql.functions`` over a dfml frame and once with ``pyspark.sql.functions`` over a PySpark
frame of the same rows. Names, Spark types and values must agree (floats to 1e-9 relative).
"""

from __future__ import annotations

import datetime as dt

import pytest

from dfml.sql import functions as DF

from .helpers import assert_same

ROWS = [
    (1, 10, 100, 1.5, 2.0, "apple", True, dt.date(2024, 1, 15), dt.datetime(2024, 1, 15, 8, 30, 5), "a,b,c"),
    (2, -3, None, -0.5, 0.0, "Banana", False, dt.date(2023, 12, 31), dt.datetime(2023, 12, 31, 23, 59, 59), "x"),
    (3, None, 7, None, 3.25, None, None, None, None, None),
    (4, 0, -8, 2.0, float("nan"), "  cherry pie  ", True, dt.date(2020, 2, 29), dt.datetime(2020, 2, 29, 0, 0, 1), ""),
    (5, 7, 2, 10.0, -4.0, "date", False, dt.date(1999, 6, 1), dt.datetime(1999, 6, 1, 12, 0, 0), "p,,q"),
]
SCHEMA = ("id INT, a INT, b BIGINT, x DOUBLE, y DOUBLE, s STRING, flag BOOLEAN, d DATE, "
          "ts TIMESTAMP, csv STRING")


def C(F, name):
    return F.col(name)


CASES = [
    # projections and naming
    ("select_names", lambda F, df: df.select("id", "a", "s")),
    ("select_star", lambda F, df: df.select("*")),
    ("select_col_alias", lambda F, df: df.select(F.col("a").alias("alpha"), df["b"].alias("beta"))),
    ("with_column_new", lambda F, df: df.withColumn("z", F.col("a") + 1)),
    ("with_column_replace", lambda F, df: df.withColumn("a", F.col("a") * 2)),
    ("with_columns", lambda F, df: df.withColumns({"p": F.col("x") * 2, "q": F.lit("k")})),
    ("with_column_renamed", lambda F, df: df.withColumnRenamed("a", "alpha")),
    ("drop", lambda F, df: df.drop("s", "ts", "d")),
    ("to_df", lambda F, df: df.select("id", "a").toDF("i", "j")),
    # arithmetic and Spark's result types
    ("add_int_int", lambda F, df: df.select(F.col("a") + F.col("id"))),
    ("add_int_long", lambda F, df: df.select(F.col("a") + F.col("b"))),
    ("add_long_double", lambda F, df: df.select(F.col("b") + F.col("x"))),
    ("sub_lit", lambda F, df: df.select(F.col("a") - 1)),
    ("rsub_lit", lambda F, df: df.select(1 - F.col("a"))),
    ("mul", lambda F, df: df.select(F.col("a") * F.col("x"))),
    ("div_int_int", lambda F, df: df.select(F.col("a") / F.col("id"))),
    ("div_by_zero", lambda F, df: df.select(F.col("a") / F.col("a"), F.col("x") / 0)),
    ("mod", lambda F, df: df.select(F.col("a") % 3, F.col("b") % F.col("a"))),
    ("mod_negative", lambda F, df: df.select(F.col("a") % -4, F.lit(-7) % F.col("id"))),
    ("negate", lambda F, df: df.select(-F.col("a"), -F.col("x"))),
    ("nested_arith", lambda F, df: df.select(((F.col("a") + 1) * 2 - F.col("id")) / 4)),
    ("lit_types", lambda F, df: df.select(F.lit(1), F.lit(2 ** 40), F.lit(1.5), F.lit("s"),
                                          F.lit(True), F.lit(None).alias("n"))),
    # comparisons and three-valued logic
    ("compare_ops", lambda F, df: df.select(F.col("a") > 0, F.col("a") >= 0, F.col("a") < 0,
                                            F.col("a") <= 0, F.col("a") == 0, F.col("a") != 0)),
    ("compare_null_lit", lambda F, df: df.select((F.col("a") == F.lit(None)).alias("c"))),
    ("compare_int_double", lambda F, df: df.select(F.col("a") > F.col("x"))),
    ("compare_strings", lambda F, df: df.select(F.col("s") > "b", F.col("s") == "date")),
    ("compare_dates", lambda F, df: df.select(F.col("d") > F.lit(dt.date(2021, 1, 1)))),
    ("and_or_nulls", lambda F, df: df.select((F.col("a") > 0) & F.col("flag"),
                                             (F.col("a") > 0) | F.col("flag"))),
    ("not", lambda F, df: df.select(~F.col("flag"), ~(F.col("a") > 1))),
    ("filter_three_valued", lambda F, df: df.filter((F.col("a") > 0) | F.col("flag"))),
    ("filter_not_null_cmp", lambda F, df: df.filter(~(F.col("a") > 0))),
    ("where", lambda F, df: df.where(F.col("x") >= 1.5).select("id")),
    ("eq_null_safe", lambda F, df: df.select(F.col("a").eqNullSafe(0), F.col("a").eqNullSafe(None))),
    ("is_null", lambda F, df: df.select(F.col("a").isNull(), F.col("s").isNotNull())),
    ("isnull_fn", lambda F, df: df.select(F.isnull("a"))),
    ("isin", lambda F, df: df.select(F.col("a").isin(0, 7, 10))),
    ("isin_list_with_null", lambda F, df: df.select(F.col("a").isin([0, None]).alias("r"))),
    ("isin_strings", lambda F, df: df.filter(F.col("s").isin("apple", "date"))),
    ("between", lambda F, df: df.select(F.col("x").between(0, 2))),
    ("when_otherwise", lambda F, df: df.select(
        F.when(F.col("a") > 5, "big").when(F.col("a") > 0, "small").otherwise("neg"))),
    ("when_no_otherwise", lambda F, df: df.select(F.when(F.col("a") > 0, F.col("x")))),
    ("when_mixed_types", lambda F, df: df.select(
        F.when(F.col("flag"), F.col("a")).otherwise(F.col("x")).alias("m"))),
    ("coalesce", lambda F, df: df.select(F.coalesce("a", "b", F.lit(-1)))),
    ("isnan", lambda F, df: df.select(F.isnan("y"), F.isnan("x"))),
    ("nanvl", lambda F, df: df.select(F.nanvl("y", "x").alias("v"))),
    ("greatest_least", lambda F, df: df.select(F.greatest("a", "b"), F.least("a", "b"),
                                               F.greatest("x", F.lit(0.0)).alias("g0"))),
    # casts
    ("cast_int_to_double", lambda F, df: df.select(F.col("a").cast("double"))),
    ("cast_double_to_int", lambda F, df: df.select(F.col("x").cast("int"), F.col("y").cast("bigint"))),
    ("cast_to_string", lambda F, df: df.select(F.col("a").cast("string"), F.col("flag").cast("string"),
                                               F.col("d").cast("string"))),
    ("cast_double_to_string", lambda F, df: df.select(F.col("x").cast("string"))),
    ("cast_string_to_int", lambda F, df: df.select(F.col("csv").cast("int"), F.lit("42").cast("int"))),
    ("cast_bool_int", lambda F, df: df.select(F.col("flag").cast("int"), F.col("a").cast("boolean"))),
    ("cast_ts_to_date", lambda F, df: df.select(F.col("ts").cast("date"))),
    ("cast_type_object", lambda F, df: df.select(F.col("id").cast(
        __import__("dfml.sql.types" if F is DF else "pyspark.sql.types",
                   fromlist=["LongType"]).LongType()))),
    # math
    ("abs", lambda F, df: df.select(F.abs("a"), F.abs("x"))),
    ("sqrt", lambda F, df: df.select(F.sqrt("x"))),
    ("exp", lambda F, df: df.select(F.exp("x"))),
    ("log_natural", lambda F, df: df.select(F.log("x"))),
    ("log_base", lambda F, df: df.select(F.log(2.0, "x"))),
    ("log10_log1p", lambda F, df: df.select(F.log10("x"), F.log1p("x"))),
    ("pow", lambda F, df: df.select(F.pow("x", 2), F.pow(F.col("a"), F.col("id")))),
    ("round", lambda F, df: df.select(F.round("x"), F.round(F.col("x") * 1.234, 2), F.round("a", -1))),
    ("bround", lambda F, df: df.select(F.bround(F.lit(2.5)), F.bround(F.col("x"), 0))),
    ("floor_ceil", lambda F, df: df.select(F.floor("x"), F.ceil("x"), F.floor("a"))),
    ("signum", lambda F, df: df.select(F.signum("a"), F.signum("x"))),
    # strings
    ("upper_lower", lambda F, df: df.select(F.upper("s"), F.lower("s"))),
    ("length", lambda F, df: df.select(F.length("s"))),
    ("trim", lambda F, df: df.select(F.trim("s"), F.ltrim("s"), F.rtrim("s"))),
    ("concat", lambda F, df: df.select(F.concat("s", F.lit("-"), "csv"))),
    ("concat_ws", lambda F, df: df.select(F.concat_ws("|", "s", "csv"))),
    ("substring", lambda F, df: df.select(F.substring("s", 2, 3), F.substring("s", -3, 2))),
    ("substr_method", lambda F, df: df.select(F.col("s").substr(1, 4))),
    ("like", lambda F, df: df.select(F.col("s").like("%an%"), F.col("s").like("_pple"))),
    ("rlike", lambda F, df: df.select(F.col("s").rlike("^[a-c]"))),
    ("startswith_endswith_contains", lambda F, df: df.select(
        F.col("s").startswith("B"), F.col("s").endswith("e"), F.col("s").contains("an"))),
    ("regexp_replace", lambda F, df: df.select(F.regexp_replace("s", "[aeiou]", "_"))),
    ("regexp_extract", lambda F, df: df.select(F.regexp_extract("s", "([a-z]+)(e)", 1),
                                               F.regexp_extract("csv", "(\\w),(\\w)", 2))),
    ("split", lambda F, df: df.select(F.split("csv", ","))),
    ("lpad_rpad", lambda F, df: df.select(F.lpad("s", 8, "*"), F.rpad("s", 3, "#"))),
    # dates and times
    ("year_month_day", lambda F, df: df.select(F.year("d"), F.month("d"), F.dayofmonth("d"))),
    ("dayofweek_dayofyear", lambda F, df: df.select(F.dayofweek("d"), F.dayofyear("d"))),
    ("hour_minute_second", lambda F, df: df.select(F.hour("ts"), F.minute("ts"), F.second("ts"))),
    ("year_of_timestamp", lambda F, df: df.select(F.year("ts"), F.month("ts"))),
    ("to_date", lambda F, df: df.select(F.to_date(F.lit("2024-03-05")), F.to_date("ts"))),
    ("to_date_format", lambda F, df: df.select(F.to_date(F.lit("05/03/2024"), "dd/MM/yyyy"))),
    ("to_timestamp", lambda F, df: df.select(F.to_timestamp(F.lit("2024-03-05 10:11:12")))),
    ("date_format", lambda F, df: df.select(F.date_format("ts", "yyyy/MM/dd HH:mm"),
                                            F.date_format("d", "dd.MM.yy"))),
    ("date_add_sub", lambda F, df: df.select(F.date_add("d", 10), F.date_sub("d", 1))),
    ("datediff", lambda F, df: df.select(F.datediff(F.lit(dt.date(2024, 3, 1)), F.col("d")))),
    ("months_between", lambda F, df: df.select(F.months_between(F.lit(dt.date(2024, 3, 31)), "d"))),
    ("unix_timestamp", lambda F, df: df.select(F.unix_timestamp("ts"))),
    ("from_unixtime", lambda F, df: df.select(F.from_unixtime(F.col("b") * 100000))),
    # arrays and structs
    ("array_size", lambda F, df: df.select(F.size(F.split("csv", ",")))),
    ("array_fn", lambda F, df: df.select(F.array("a", "id"))),
    ("array_contains", lambda F, df: df.select(F.array_contains(F.split("csv", ","), "b"))),
    ("sort_array", lambda F, df: df.select(F.sort_array(F.split("csv", ",")),
                                           F.sort_array(F.split("csv", ","), asc=False))),
    ("element_at", lambda F, df: df.select(F.element_at(F.split("csv", ","), 1),
                                           F.element_at(F.split("csv", ","), -1))),
    ("get_item", lambda F, df: df.select(F.split("csv", ",").getItem(1).alias("second"))),
    ("struct", lambda F, df: df.select(F.struct("id", "s").alias("st"))),
    ("struct_field", lambda F, df: df.select(F.struct("id", "s").alias("st")).select("st.s")),
    ("explode", lambda F, df: df.select("id", F.explode(F.split("csv", ",")).alias("part"))),
    # misc
    ("hash", lambda F, df: df.select(F.hash("a"), F.hash("s"), F.hash("a", "s"))),
    ("hash_double_bool", lambda F, df: df.select(F.hash("x"), F.hash("flag"), F.hash("b"))),
]


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


@pytest.mark.parametrize("case_id,build", CASES, ids=[c[0] for c in CASES])
def test_column_parity(frames, case_id, build):
    from pyspark.sql import functions as PF
    ours, theirs = frames
    assert_same(build(DF, ours), build(PF, theirs))
