"""Type reliability (issue 15): casts that overflow, dotted names, exact decimals.

Each test pins a case that gave a wrong value or a raw Arrow error before; the same inputs run
through real PySpark in tests/parity/test_types_parity.py.
"""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException

TEXTS = ["1", " 12 ", "1.9", "-1.9", "128", "-129", "32768", "2147483648", "-2147483649",
         "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e3", "abc",
         "", None, "+5", "0x10", ".5", ".", "-", "2147483647.9", "9223372036854775807.5"]


def _cast_all(spark, rows, schema, col, types):
    df = spark.createDataFrame(rows, schema)
    return [tuple(r) for r in df.select(*[F.col(col).cast(t).alias(t) for t in types]).collect()]


def test_string_out_of_range_to_int_is_null_not_wrapped(spark):
    # was -2147483648 (parsed through a double, then an unchecked cast)
    got = _cast_all(spark, [("2147483648",), ("-2147483649",), ("99999999999",)], "s string", "s",
                    ["int"])
    assert got == [(None,), (None,), (None,)]


def test_string_out_of_range_to_long_is_null_not_an_arrow_error(spark):
    got = _cast_all(spark, [("9223372036854775808",), ("9223372036854775807",),
                            ("-9223372036854775808",)], "s string", "s", ["long"])
    assert got == [(None,), (9223372036854775807,), (-9223372036854775808,)]


def test_string_to_integral_all_widths(spark):
    got = _cast_all(spark, [(t,) for t in TEXTS], "s string", "s", ["byte", "short", "int", "long"])
    as_dict = dict(zip(TEXTS, got))
    assert as_dict["128"] == (None, 128, 128, 128)
    assert as_dict["32768"] == (None, None, 32768, 32768)
    assert as_dict["1e3"] == (None, None, None, None)        # no exponent in integral text
    assert as_dict["2147483647.9"] == (None, None, 2147483647, 2147483647)
    assert as_dict["9223372036854775807.5"] == (None, None, None, 9223372036854775807)
    assert as_dict["."] == (0, 0, 0, 0)
    assert as_dict["-"] == (None, None, None, None)
    assert as_dict[" 12 "] == (12, 12, 12, 12)


def test_long_to_int_wraps(spark):
    # was an Arrow "Integer value ... not in range" error at the action
    got = _cast_all(spark, [(2147483648,), (-2147483649,), (300,)], "l long", "l",
                    ["int", "short", "byte"])
    assert got == [(-2147483648, 0, 0), (2147483647, -1, -1), (300, 300, 44)]


def test_double_to_byte_goes_through_int(spark):
    # was clamped at the byte's limits (127); Spark saturates at int's, then wraps
    got = _cast_all(spark, [(1e10,), (128.0,), (float("nan"),)], "d double", "d",
                    ["byte", "short", "int"])
    assert got == [(-1, -1, 2147483647), (-128, 128, 128), (0, 0, 0)]


# ---------------------------------------------------------------- dotted names
@pytest.fixture
def dotted(spark):
    return spark.createDataFrame([({"b": 1, "c": 2}, 10)], "a struct<b:int,c:int>, `a.b` int")


def test_dotted_name_is_a_struct_field_not_the_dotted_column(dotted):
    # was 10: the top-level column literally named "a.b" won over field b of struct a
    out = dotted.select(F.col("a.b"))
    assert out.columns == ["b"]
    assert out.collect()[0][0] == 1


def test_backticks_name_the_dotted_column(dotted):
    out = dotted.select(F.col("`a.b`"), "`a`.`c`")
    assert out.columns == ["a.b", "c"]
    assert tuple(out.collect()[0]) == (10, 2)


def test_dotted_name_without_struct_is_unresolved(spark):
    df = spark.createDataFrame([(10, 1)], "`x.y` int, z int")
    with pytest.raises(AnalysisException, match=r"UNRESOLVED_COLUMN.*`x`\.`y`.*`x\.y`"):
        df.select("x.y")
    with pytest.raises(AnalysisException, match="UNRESOLVED_COLUMN"):
        df["x.y"]
    assert df.select(df["`x.y`"]).collect()[0][0] == 10
    # names the API takes literally still work with the dotted column
    assert df.withColumn("w", F.col("`x.y`") + 1).columns == ["x.y", "z", "w"]
    assert df.drop("x.y").columns == ["z"]
    assert df.select("*").columns == ["x.y", "z"]


def test_dotted_projection_chain_keeps_the_struct_field(dotted):
    # collapsing projections must not swap the struct path for the dotted column
    out = dotted.select("a", "`a.b`").select(F.col("a.b").alias("f"), F.col("`a.b`").alias("g"))
    assert tuple(out.collect()[0]) == (1, 10)


# ---------------------------------------------------------------- exact decimals
import decimal  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

BIG = decimal.Decimal("12345678901234567.89")


@pytest.fixture
def prices(tmp_path):
    path = tmp_path / "prices.parquet"
    pq.write_table(pa.table({
        "k": pa.array(["a", "a", "b"]),
        "p": pa.array([BIG, decimal.Decimal("0.01"), decimal.Decimal("-3.50")], pa.decimal128(19, 2)),
        "q": pa.array([decimal.Decimal("1.5"), None, decimal.Decimal("-1.1")], pa.decimal128(5, 1)),
    }), path)
    return str(path)


def test_parquet_decimals_are_exact_by_default(spark, prices):
    # was double: 12345678901234567.89 summed to 1.2345678901234568e16
    df = spark.read.parquet(prices)
    assert df.dtypes == [("k", "string"), ("p", "decimal(19,2)"), ("q", "decimal(5,1)")]
    assert df.collect()[0].p == BIG
    row = df.agg(F.sum("p").alias("s"), F.avg("q").alias("a")).collect()[0]
    assert row.s == BIG + decimal.Decimal("0.01") - decimal.Decimal("3.50")
    assert row.a == decimal.Decimal("0.20000")


def test_decimal_sum_and_avg_types(spark, prices):
    out = spark.read.parquet(prices).groupBy("k").agg(F.sum("p"), F.avg("p"), F.avg("q"))
    assert out.dtypes[1:] == [("sum(p)", "decimal(29,2)"), ("avg(p)", "decimal(23,6)"),
                              ("avg(q)", "decimal(9,5)")]
    rows = {r.k: tuple(r)[1:] for r in out.collect()}
    assert rows["a"] == (BIG + decimal.Decimal("0.01"), decimal.Decimal("6172839450617283.950000"),
                         decimal.Decimal("1.50000"))


def test_decimal_arithmetic_types_and_values(spark, prices):
    df = spark.read.parquet(prices)
    out = df.select((df.p + df.q).alias("add"), (df.p * df.q).alias("mul"),
                    (df.q * 2).alias("lit"), (df.p / df.q).alias("div"), (df.q / 0).alias("z"))
    # was an Arrow error: decimal precision 39 out of range
    assert out.dtypes == [("add", "decimal(20,2)"), ("mul", "decimal(25,3)"),
                          ("lit", "decimal(7,1)"), ("div", "decimal(26,8)"), ("z", "decimal(10,6)")]
    first = out.collect()[0]
    assert first.add == BIG + decimal.Decimal("1.5")
    assert first.mul == decimal.Decimal("18518518351851851.835")
    assert first.div == decimal.Decimal("8230452600823045.26000000")
    assert first.z is None


def test_decimal_show_prints_the_scale(spark, prices, capsys):
    spark.read.parquet(prices).agg(F.avg("q")).show()
    assert "|0.20000|" in capsys.readouterr().out


def test_decimal_casts(spark, prices):
    df = spark.read.parquet(prices)
    row = df.select(df.p.cast("double").alias("d"), df.p.cast("string").alias("s"),
                    df.p.cast("decimal(5,2)").alias("narrow"), df.q.cast("int").alias("i"),
                    F.lit("1.235").cast("decimal(4,2)").alias("half_up")).collect()[0]
    assert tuple(row) == (1.2345678901234568e16, "12345678901234567.89", None, 1,
                          decimal.Decimal("1.24"))


def test_decimal_as_double_is_an_explicit_option(spark, prices):
    assert spark.read.option("decimalAsDouble", True).parquet(prices).dtypes[1] == ("p", "double")
    spark.conf.set("dfml.sql.decimalAsDouble", "true")
    try:
        assert spark.read.parquet(prices).dtypes[1] == ("p", "double")
        assert spark.read.option("decimalAsDouble", "false").parquet(prices).dtypes[1] == \
            ("p", "decimal(19,2)")
    finally:
        spark.conf.unset("dfml.sql.decimalAsDouble")


def test_decimal_sum_overflow_is_null(spark, tmp_path):
    # Spark (ANSI off): a sum beyond decimal(38, s) is null; Arrow's decimal128 sum wrapped
    # silently to a wrong negative number
    path = tmp_path / "big.parquet"
    nines = decimal.Decimal("9" * 37)
    pq.write_table(pa.table({"k": ["x"] * 20 + ["y"],
                             "v": pa.array([nines] * 20 + [nines], pa.decimal128(37, 0))}), path)
    df = spark.read.parquet(str(path)).groupBy("k").agg(F.sum("v").alias("s"))
    assert df.dtypes == [("k", "string"), ("s", "decimal(38,0)")]
    assert {r.k: r.s for r in df.collect()} == {"x": None, "y": nines}


def test_names_differing_in_case_are_ambiguous(spark):
    # was the exact spelling silently; Spark's resolver ignores case, so both match
    df = spark.createDataFrame([(1, 2)], "a int, A int")
    with pytest.raises(AnalysisException, match="AMBIGUOUS_REFERENCE"):
        df.select("a")
    nested = spark.createDataFrame([({"b": 1, "B": 2},)], "s struct<b:int,B:int>")
    with pytest.raises(AnalysisException, match="AMBIGUOUS_REFERENCE_TO_FIELDS"):
        nested.select("s.b")
