"""Functions m-z whose PySpark docstring examples dfml failed (pmod, trim with a trim column,
max_by/min_by with k, mode's deterministic name, stack's padding, unix_micros..., rand/randn
seeds...), against real PySpark: same rows, types and generated names, on inputs with nulls,
NaN and ties. One PySpark session for the module (the session fixture)."""

from __future__ import annotations

import datetime as dt

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from tests.parity.helpers import assert_same

NAN = float("nan")


def _run(spark, pyspark, rows, schema, build, rel=1e-9, ordered=False):
    from pyspark.sql import functions as PF
    ours = build(spark.createDataFrame(rows, schema), F)
    theirs = build(pyspark.createDataFrame(rows, schema), PF)
    assert_same(ours, theirs, rel=rel, ordered=ordered)


PMOD_ROWS = [(1.0, NAN), (NAN, 2.0), (10.0, 3.0), (NAN, NAN), (-3.0, 4.0), (-10.0, 3.0),
             (-5.0, -6.0), (7.0, -8.0), (1.0, 2.0), (None, 2.0), (3.0, None), (-0.5, 0.25)]


def test_pmod_takes_the_dividends_sign_rule(spark, pyspark):
    _run(spark, pyspark, PMOD_ROWS, "a double, b double", lambda d, f: d.select("*", f.pmod("a", "b")))
    ints = [(7, -8), (-7, 8), (-7, -8), (7, 8), (None, 3), (0, -3), (-9, 3)]
    _run(spark, pyspark, ints, "a bigint, b int", lambda d, f: d.select(f.pmod("a", "b"), f.pmod(d.a, 3)))


TRIM_ROWS = [("**Spark*", "*"), ("==Spark=", "="), (None, "*"), ("xSx", None), ("", "x"),
             ("  a  ", " "), ("abcba", "ab")]


@pytest.mark.parametrize("name", ["trim", "ltrim", "rtrim"])
def test_trim_with_a_trim_column(spark, pyspark, name):
    _run(spark, pyspark, TRIM_ROWS, "value string, t string",
         lambda d, f: d.select("*", getattr(f, name)("value", "t"),
                               getattr(f, name)("value", f.lit("*")), getattr(f, name)("value")))


BY_ROWS = [("a", 10), ("b", 50), ("c", None), (None, 40), ("e", 45), ("f", 5), ("g", 5)]


def test_max_by_min_by_with_k(spark, pyspark):
    # the tie (f, g at 5) is left out of the compared picks: Spark's order inside a tie depends
    # on its heap, not on arrival
    _run(spark, pyspark, BY_ROWS, "x string, y int",
         lambda d, f: d.select(f.max_by("x", "y", 1), f.max_by("x", "y", 4), f.max_by("x", "y", 5)))
    _run(spark, pyspark, BY_ROWS, "x string, y int",
         lambda d, f: d.filter("y > 100").select(f.max_by("x", "y", 2)))
    with pytest.raises(AnalysisException, match="between"):
        spark.createDataFrame(BY_ROWS, "x string, y int").select(F.max_by("x", "y", 0))


def test_mode_deterministic_name(spark, pyspark):
    rows = [(-10,), (0,), (10,), (None,), (0,), (10,)]
    _run(spark, pyspark, rows, "col int", lambda d, f: d.select(f.mode("col", True)))


STACK_ROWS = [(1, 2, 3), (None, 5, 6)]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_stack_pads_with_nulls(spark, pyspark, n):
    _run(spark, pyspark, STACK_ROWS, "a int, b int, c int",
         lambda d, f: d.select("*", f.stack(f.lit(n), d.a, d.b, "c")))
    _run(spark, pyspark, STACK_ROWS, "a int, b int, c int",
         lambda d, f: d.select(f.stack(f.lit(2), d.a, f.lit("x"), "c").alias("x", "y")))


def test_unix_micros_millis_seconds(spark, pyspark):
    rows = [(dt.datetime(2015, 7, 22, 10, 0),), (None,), (dt.datetime(1969, 12, 31, 23, 59, 59, 999500),)]
    _run(spark, pyspark, rows, "ts timestamp",
         lambda d, f: d.select(f.unix_micros("ts"), f.unix_millis("ts"), f.unix_seconds("ts")))


def test_unix_micros_reads_the_stored_wall_time_in_the_process_zone(spark, monkeypatch):
    # a stored timestamp is the process zone's wall-clock time (as collect() gives it back):
    # 10:00 in Los Angeles is 17:00 UTC (Spark's docstring value)
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    df = spark.createDataFrame([(dt.datetime(2015, 7, 22, 10, 0),)], "ts timestamp")
    row = df.select(F.unix_micros("ts"), F.unix_seconds("ts")).collect()[0]
    assert tuple(row) == (1437584400000000, 1437584400)


def test_try_make_timestamp_ltz_keeps_its_zone_in_the_name(spark, pyspark):
    rows = [(2014, 12, 28, 6, 30, 45.887, "CET"), (2014, 13, 28, 6, 30, 45.887, "CET")]
    schema = "year int, month int, day int, hour int, min int, sec double, tz string"
    _run(spark, pyspark, rows, schema, lambda d, f: d.select(
        f.try_make_timestamp_ltz("year", "month", d.day, d.hour, d.min, d.sec, "tz").isNull()))
    ours = spark.createDataFrame(rows, schema)
    assert ours.select(F.try_make_timestamp_ltz("year", "month", "day", "hour", "min", "sec", "tz")).columns \
        == ["try_make_timestamp_ltz(year, month, day, hour, min, sec, tz)"]
    assert ours.select(F.try_make_timestamp("year", "month", "day", "hour", "min", "sec", "tz")).columns \
        == ["try_make_timestamp(year, month, day, hour, min, sec)"]


@pytest.mark.parametrize("parts", [1, 3])
def test_seeded_random_values_are_sparks(spark, pyspark, parts):
    from pyspark.sql import functions as PF

    def build(s, f):
        return s.range(0, 40, 1, parts).select(
            "id", f.rand(42), f.randn(42), f.rand(-7), f.randn(0), f.randstr(16, 3), f.randstr(0, 5),
            f.uniform(5, 105, 3), f.uniform(f.lit(-1.5), f.lit(2.5), f.lit(9)), f.uuid(seed=123))
    assert_same(build(spark, F), build(pyspark, PF), ordered=True, rel=1e-12)


def test_randn_many_rows_and_percentiles(spark, pyspark):
    from pyspark.sql import functions as PF

    def build(s, f):
        key = (f.col("id") % 3).alias("key")
        df = s.range(0, 1000, 1, 1).select(key, (f.randn(42) + key * 10).alias("value"))
        return df.groupBy("key").agg(f.percentile("value", f.lit(0.5), f.lit(1)),
                                     f.percentile_approx("value", f.lit(0.5), f.lit(1000000)),
                                     f.sum("value"))
    assert_same(build(spark, F), build(pyspark, PF), rel=1e-9)


def test_reverse_strings_arrays_binaries(spark, pyspark):
    rows = [([2, 1, 3], "Spark SQL", bytearray(b"\xca\xfe")), ([], "", bytearray(b"")),
            (None, None, None), ([None, 4], "é", bytearray(b"\x01"))]
    _run(spark, pyspark, rows, "a array<int>, s string, b binary",
         lambda d, f: d.select(f.reverse("a"), f.reverse("s"), f.hex(f.reverse("b"))))
    _run(spark, pyspark, rows, "a array<int>, s string, b binary",
         lambda d, f: d.filter("s != ''").select(f.reverse("a")))


def test_pad_with_a_binary_pad(spark, pyspark):
    rows = [("abcd",), ("xyz",), ("12",), (None,), ("abcdefgh",)]
    _run(spark, pyspark, rows, "s string",
         lambda d, f: d.select("*", f.rpad(d.s, 6, f.lit(b"uv")), f.lpad("s", 5, b"\xc3\xa9")))


REGEX_ROWS = [("100-200", r"(\d+)", "--"), ("a1b22", r"\d", "<$0>"), (None, "x", "y"),
              ("abc", None, "y"), ("", "^", "z")]


def test_regexp_replace_columns_and_position(spark, pyspark):
    _run(spark, pyspark, REGEX_ROWS, "str string, pattern string, replacement string",
         lambda d, f: d.select("*", f.regexp_replace("str", r"(\d+)", "--"),
                               f.regexp_replace(f.col("str"), f.col("pattern"), f.col("replacement")),
                               f.regexp_replace("str", r"(\d+)", "--", 5),
                               f.regexp_replace("str", "pattern", f.lit("#"), 2)))


SPLIT_ROWS = [("oneAtwoBthreeC", "[ABC]", 2), ("1A2B3C", "[1-9]+", 1), ("aa2bb3cc4", "[1-9]+", -1),
              (None, "x", 1), ("a,b", None, 1), ("a,b,c", ",", None)]


def test_split_pattern_and_limit_columns(spark, pyspark):
    _run(spark, pyspark, SPLIT_ROWS, "s string, p string, l int",
         lambda d, f: d.select("*", f.split(d.s, d.p), f.split("s", d.p, "l"), f.split("s", f.lit(","), 1),
                               f.split("s", ",", 0)))


def test_day_and_month_names_of_timestamp_text(spark, pyspark):
    rows = [("2015-04-08 13:08:15",), ("2024-10-31",), (None,), ("2024-02-30",), ("junk",)]
    _run(spark, pyspark, rows, "ts string",
         lambda d, f: d.select("*", f.monthname("ts"), f.weekday("ts"), f.dayname("ts")))


def test_schema_of_csv_with_a_separator(spark, pyspark):
    from pyspark.sql import functions as PF

    def build(s, f):
        return s.range(1).select(f.schema_of_csv(f.lit("1|a|true"), {"sep": "|"}),
                                 f.schema_of_csv(f.lit("1||true"), {"sep": "|"}),
                                 f.schema_of_csv(f.lit('"1";"a";"2.5"'), {"delimiter": ";"}))
    assert_same(build(spark, F), build(pyspark, PF))
    with pytest.raises(NotImplementedError, match="header"):
        F.schema_of_csv(F.lit("1"), {"sep": "|", "header": "true"})


def test_to_csv_with_array_fields(spark, pyspark):
    rows = [(1, ["a", None, "b,c"], [1.5, NAN], [[1], None]), (2, [], None, [[]]),
            (3, None, [None, -0.0], None)]
    _run(spark, pyspark, rows, "k int, a array<string>, d array<double>, n array<array<int>>",
         lambda d, f: d.select(f.to_csv(f.struct("k", "a", "d", "n"))))


def test_schema_of_json_unquoted_field_names(spark, pyspark):
    from pyspark.sql import functions as PF
    doc = '{a: 1, "b:c": "x: y", $d_1 : [1.5], e:{f:true}}'

    def build(s, f):
        return s.range(1).select(f.schema_of_json(f.lit('{"a": 0}')),
                                 f.schema_of_json(doc, {"allowUnquotedFieldNames": "true"}))
    assert_same(build(spark, F), build(pyspark, PF))


def test_maps_with_array_keys_empty_maps_and_last_win(spark, pyspark):
    from pyspark.sql import functions as PF
    queries = ["SELECT map(array(1, 2), 'a', array(3, 4), 'b') AS data",
               "SELECT map(1, 'a', 2, 'b') AS data"]
    for q in queries:
        assert_same(*[s.sql(q).select(f.sort_array(f.map_keys("data")),
                                      f.sort_array(f.map_entries("data"), False))
                      for s, f in ((spark, F), (pyspark, PF))])
    assert spark.sql("SELECT map() AS data").select(F.map_keys("data"), F.map_values("data")) \
        .collect()[0] == ([], [])
    assert spark.conf.get("spark.sql.mapKeyDedupPolicy") == "EXCEPTION"
    q = "SELECT map(1, 'a', 1, 'b', 2, 'c', 1, 'd') AS data"
    try:
        for s in (spark, pyspark):
            s.conf.set("spark.sql.mapKeyDedupPolicy", "LAST_WIN")
        assert_same(spark.sql(q).select(F.map_keys("data"), F.map_values("data")),
                    pyspark.sql(q).select(PF.map_keys("data"), PF.map_values("data")), ordered=True)
    finally:
        for s in (spark, pyspark):
            s.conf.set("spark.sql.mapKeyDedupPolicy", "EXCEPTION")
    with pytest.raises(Exception, match="DUPLICATED_MAP_KEY"):
        spark.sql(q).collect()


def test_sort_array_of_structs(spark, pyspark):
    rows = [([{"a": 1, "b": None}, {"a": 1, "b": 0}, None, {"a": 0, "b": 5}],), (None,), ([],)]
    _run(spark, pyspark, rows, "x array<struct<a:int,b:int>>",
         lambda d, f: d.select(f.sort_array("x"), f.sort_array("x", False)))
