"""Casts that overflow, dotted names and decimals: the same input through dfml and PySpark
(ANSI off, as conftest configures), compared row by row and type by type."""

from __future__ import annotations

import pytest

from dfml.sql import functions as DF
from dfml.sql.errors import AnalysisException

from .helpers import assert_same

TEXTS = ["1", "-1", " 12 ", "\t7\n", "1.9", "-1.9", "127", "128", "-129", "32767", "32768",
         "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
         "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e3", "1.5e2",
         "abc", "", None, "+5", "0x10", "99999999999999999999", "1.", ".5", ".", "-.", "+", "-",
         "--1", "1 2", "2147483647.9", "9223372036854775807.5", "007"]
INTEGRAL = ["byte", "short", "int", "long"]


def _casts(F, df, col):
    return df.select(col, *[F.col(col).cast(t).alias(t) for t in INTEGRAL])


def test_string_to_integral_casts(both, pyspark):
    from pyspark.sql import functions as PF
    ours, theirs = both([(t,) for t in TEXTS], "s string")
    assert_same(_casts(DF, ours, "s"), _casts(PF, theirs, "s"))


def test_double_to_integral_casts(both):
    from pyspark.sql import functions as PF
    rows = [(v,) for v in [1.9, -1.9, 1e10, -1e10, 3e19, -3e19, float("nan"), float("inf"),
                           float("-inf"), 127.5, 128.0, 300.0, -300.0, 2147483647.9, None]]
    ours, theirs = both(rows, "d double")
    assert_same(_casts(DF, ours, "d"), _casts(PF, theirs, "d"))


def test_integral_narrowing_casts(both):
    from pyspark.sql import functions as PF
    rows = [(v,) for v in [1, 127, 128, 255, 256, -129, 32768, 2147483648, -2147483649,
                           9223372036854775807, -9223372036854775808, None]]
    ours, theirs = both(rows, "l long")
    assert_same(_casts(DF, ours, "l"), _casts(PF, theirs, "l"))
    assert_same(_casts(DF, ours.select(DF.col("l").cast("int").alias("i")), "i"),
                _casts(PF, theirs.select(PF.col("l").cast("int").alias("i")), "i"))


# ---------------------------------------------------------------- dotted names
NESTED = [({"b": 1, "c": 2}, 10), ({"b": None, "c": 4}, None)]
NESTED_SCHEMA = "a struct<b:int,c:int>, `a.b` int"


@pytest.mark.parametrize("cols", [["a.b"], ["`a.b`"], ["a.c", "`a.b`"], ["A.B"], ["`a`.`b`"],
                                  ["`a`.b", "a"]], ids=str)
def test_dotted_names_resolve_as_spark(both, cols):
    ours, theirs = both(NESTED, NESTED_SCHEMA)
    assert_same(ours.select(*cols), theirs.select(*cols))


def test_dotted_column_needs_backticks(both):
    from pyspark.errors import AnalysisException as PAE
    ours, theirs = both([(10, 1)], "`x.y` int, z int")
    with pytest.raises(PAE, match="UNRESOLVED_COLUMN"):
        theirs.select("x.y").collect()
    with pytest.raises(AnalysisException, match=r"UNRESOLVED_COLUMN.*`x`\.`y`"):
        ours.select("x.y")
    assert_same(ours.select("`x.y`", "z"), theirs.select("`x.y`", "z"))
    assert_same(ours.withColumn("w", DF.col("`x.y`") + 1),
                theirs.withColumn("w", theirs["`x.y`"] + 1))
    assert ours.drop("x.y").columns == theirs.drop("x.y").columns


def test_field_of_a_non_struct_is_refused(both):
    from pyspark.errors import AnalysisException as PAE
    ours, theirs = both([(10, 1)], "`x.y` int, z int")
    with pytest.raises(PAE, match="INVALID_EXTRACT_BASE_FIELD_TYPE"):
        theirs.select("`x.y`.q").collect()
    with pytest.raises(AnalysisException, match="INVALID_EXTRACT_BASE_FIELD_TYPE"):
        ours.select("`x.y`.q")


# ---------------------------------------------------------------- exact decimals
import contextlib  # noqa: E402
import decimal  # noqa: E402
import io  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

D = decimal.Decimal


@pytest.fixture
def decimal_file(tmp_path):
    """One parquet file both engines read: decimals of two precisions, an int, a double."""
    path = tmp_path / "dec"
    path.mkdir()
    pq.write_table(pa.table({
        "k": pa.array(["a", "a", "b", None, "b"]),
        "p": pa.array([D("12345678901234567.89"), D("0.01"), D("-3.50"), None, D("2.25")],
                      pa.decimal128(19, 2)),
        "q": pa.array([D("1.5"), D("2.0"), None, D("3.3"), D("-1.1")], pa.decimal128(5, 1)),
        "i": pa.array([1, 2, 3, None, 5], pa.int32()),
        "d": pa.array([1.5, 2.0, None, 0.1, 3.0]),
        "s": pa.array(["1.235", "abc", "99999.999", None, " -2.5e1 "]),
    }), path / "part-0.parquet")
    return str(path)


def _exact(df):
    """Types and values as text, so decimals compare digit for digit (scale included)."""
    return df.dtypes, sorted((tuple(str(v) for v in r) for r in df.collect()), key=repr)


def _both_read(spark, pyspark, path):
    return spark.read.parquet(path), pyspark.read.parquet(path)


DECIMAL_CASES = [
    ("aggregates", lambda F, df: df.agg(F.sum("p"), F.avg("p"), F.sum("q"), F.avg("q"),
                                        F.min("p"), F.max("q"), F.count("p"))),
    ("grouped", lambda F, df: df.groupBy("k").agg(F.sum("p"), F.avg("q"), F.avg("p"))),
    ("add_sub", lambda F, df: df.select(df.p + df.q, df.p - df.q, df.p + df.i, df.q - 1, 1 - df.q)),
    ("mul_div", lambda F, df: df.select(df.p * df.q, df.q * df.i, df.q * 2, df.p / df.q,
                                        df.q / df.i, df.q / 0, df.i / df.q)),
    ("with_double", lambda F, df: df.select(df.p + df.d, df.q * 1.5, df.q > 1, df.q == 1.5)),
    ("casts_from", lambda F, df: df.select(*[c.alias(f"c{j}") for j, c in enumerate([
        df.p.cast("double"), df.q.cast("string"), df.p.cast("string"), df.q.cast("int"),
        df.p.cast("long"), df.p.cast("int"), df.p.cast("decimal(5,2)"),
        df.q.cast("decimal(10,3)"), df.p.cast("decimal(18,1)")])])),
    ("casts_to", lambda F, df: df.select(*[c.alias(f"c{j}") for j, c in enumerate([
        df.d.cast("decimal(10,2)"), df.d.cast("decimal(2,1)"), df.i.cast("decimal(5,1)"),
        df.i.cast("decimal(2,1)"), df.s.cast("decimal(5,2)"), df.s.cast("decimal(10,3)")])])),
]


@pytest.mark.parametrize("case", DECIMAL_CASES, ids=[c[0] for c in DECIMAL_CASES])
def test_decimal_parity(spark, pyspark, decimal_file, case):
    from pyspark.sql import functions as PF
    from dfml.sql import functions as DF
    ours, theirs = _both_read(spark, pyspark, decimal_file)
    build = case[1]
    assert _exact(build(DF, ours)) == _exact(build(PF, theirs))


@pytest.fixture
def small_decimal_file(tmp_path):
    """Decimals whose products and sums need more than 38 digits by type (Spark's precision-loss
    rule applies) but whose values fit int64, so dfml computes them in int64: halves to round,
    both signs, zeros, nulls, and TPC-H Q1's decimal(15,2) columns."""
    path = tmp_path / "small"
    path.mkdir()
    pq.write_table(pa.table({
        "a": pa.array([D("0.05"), D("-0.05"), D("0.0123456789"), D(0), None, D("-0.0499999999")],
                      pa.decimal128(38, 10)),
        "b": pa.array([D("0.00001"), D("0.00001"), D("-2.25"), D("1.5"), D(1), D("0.00001")],
                      pa.decimal128(10, 5)),
        "e": pa.array([D("5E-18"), D("-1.5E-17"), D("0.01234567890123456789"), None, D(0),
                       D("4.99E-18")], pa.decimal128(38, 20)),
        "x": pa.array([D("901.50"), D("-0.01"), D("12345.67"), None, D(0), D("99999.99")],
                      pa.decimal128(15, 2)),
        "y": pa.array([D("0.05"), D("0.10"), None, D("0.00"), D("0.07"), D("0.01")],
                      pa.decimal128(15, 2)),
    }), path / "part-0.parquet")
    return str(path)


def test_decimal_precision_loss_parity(spark, pyspark, small_decimal_file):
    ours, theirs = _both_read(spark, pyspark, small_decimal_file)

    def build(df):
        return df.select(df.a * df.b, df.b * df.a, df.e + df.a, df.a - df.e, df.e - 1,
                         df.x * (1 - df.y) * (1 + df.y), df.a * df.b * df.x)
    assert _exact(build(ours)) == _exact(build(theirs))


def test_decimal_show_parity(spark, pyspark, decimal_file):
    from pyspark.sql import functions as PF
    from dfml.sql import functions as DF
    ours, theirs = _both_read(spark, pyspark, decimal_file)

    def shown(F, df):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            df.select("p", "q").show()
            df.agg(F.sum("p"), F.avg("q")).show(truncate=False)
        return buf.getvalue()
    assert shown(DF, ours) == shown(PF, theirs)


def test_decimal_sum_overflow_parity(spark, pyspark, tmp_path):
    from pyspark.sql import functions as PF
    from dfml.sql import functions as DF
    path = tmp_path / "big"
    path.mkdir()
    nines = D("9" * 37)
    pq.write_table(pa.table({"k": ["x"] * 20 + ["y"],
                             "v": pa.array([nines] * 21, pa.decimal128(37, 0))}), path / "p.parquet")
    ours, theirs = _both_read(spark, pyspark, str(path))
    assert _exact(ours.groupBy("k").agg(DF.sum("v"), DF.avg("v"))) == \
        _exact(theirs.groupBy("k").agg(PF.sum("v"), PF.avg("v")))
    assert _exact(ours.agg(DF.sum("v"))) == _exact(theirs.agg(PF.sum("v")))


def test_reflected_operator_names_parity(both):
    # Spark's ``1 + c``, ``2 * c``, ``True & b``, ``False | b`` put the column first in the
    # generated name (``(c + 1)``); ``1 - c`` and ``5 % c`` keep the literal first
    rows = [(1, None, True), (None, 2.5, None), (3, float("nan"), False)]
    ours, theirs = both(rows, "x int, y double, b boolean")

    def build(df):
        return df.select(1 + df.x, 2 * df.y, 1 - df.x, 5 % df.x, True & df.b, False | df.b)
    assert build(ours).columns == build(theirs).columns
    assert [tuple(map(str, r)) for r in build(ours).collect()] == \
        [tuple(map(str, r)) for r in build(theirs).collect()]


def test_ambiguous_names_parity(both):
    from pyspark.errors import AnalysisException as PAE
    ours, theirs = both([(1, 2)], "a int, A int")
    for df, exc in ((theirs, PAE), (ours, AnalysisException)):
        with pytest.raises(exc, match=r"\[AMBIGUOUS_REFERENCE\]"):
            df.select("a").collect()
    ours, theirs = both([({"b": 1, "B": 2},)], "s struct<b:int,B:int>")
    for df, exc in ((theirs, PAE), (ours, AnalysisException)):
        with pytest.raises(exc, match="AMBIGUOUS_REFERENCE_TO_FIELDS"):
            df.select("s.b").collect()
