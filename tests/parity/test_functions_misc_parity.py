"""The remaining scalar and aggregate functions against PySpark: ``histogram_numeric`` (bins,
Spark's random tie-breaks, NaN, nulls, the input's type for the centres), ``collect_union``,
``map_zip_with``, the ``reflect`` family and the interval constructors (``make_ym_interval``,
``make_interval``, ``try_make_interval``: PySpark cannot collect these, so their printed text
and schema are compared), with the text ``show()`` prints and the column
names Spark generates."""

from __future__ import annotations

import contextlib
import io

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException, SparkException
from tests.parity.helpers import assert_same


def _shown(df, truncate=False) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        df.show(truncate=truncate)
    return buf.getvalue()


HIST_ROWS = [(1, 1.0, 3), (1, 2.0, 3), (1, None, None), (1, float("nan"), 1), (1, 2.0, 5),
             (2, 5.0, 7), (2, 3.0, 0), (2, 1.0, 9), (2, 7.0, 3), (2, 3.0, 3), (3, None, None)]
HIST_DDL = "g int, v double, n long"


@pytest.mark.parametrize("col,nb", [("v", 2), ("v", 3), ("n", 2), ("n", 3)])
def test_histogram_numeric_groups(both, col, nb):
    from pyspark.sql import functions as PF
    ours, theirs = both(HIST_ROWS, HIST_DDL)
    a = ours.coalesce(1).groupBy("g").agg(F.histogram_numeric(col, F.lit(nb))).orderBy("g")
    b = theirs.coalesce(1).groupBy("g").agg(PF.histogram_numeric(col, PF.lit(nb))).orderBy("g")
    assert_same(a, b, ordered=True)
    assert _shown(a) == _shown(b)


def test_histogram_numeric_ties_follow_sparks_generator(spark, pyspark):
    """Evenly spaced values tie at every merge: Spark picks among them with its seeded
    java.util.Random, and so must dfml to print the same bins."""
    from pyspark.sql import functions as PF
    for n, nb in ((100, 5), (37, 4), (12, 7)):
        a = spark.range(n, numPartitions=1).select(F.histogram_numeric("id", F.lit(nb)))
        b = pyspark.range(n, numPartitions=1).select(PF.histogram_numeric("id", PF.lit(nb)))
        assert _shown(a) == _shown(b)
        assert a.schema.simpleString() == b.schema.simpleString()


def test_histogram_numeric_float_and_sql(spark, pyspark):
    from pyspark.sql import functions as PF
    rows = [(1.5,), (2.5,), (0.25,), (9.75,), (3.0,)]
    a = spark.createDataFrame(rows, "v float").coalesce(1)
    b = pyspark.createDataFrame(rows, "v float").coalesce(1)
    assert _shown(a.select(F.histogram_numeric("v", F.lit(2)))) == \
        _shown(b.select(PF.histogram_numeric("v", PF.lit(2))))
    assert _shown(a.selectExpr("histogram_numeric(v, 3)")) == \
        _shown(b.selectExpr("histogram_numeric(v, 3)"))


def test_histogram_numeric_refusals(spark, pyspark):
    from pyspark.errors import AnalysisException as PAnalysisException
    from pyspark.sql import functions as PF
    with pytest.raises(PAnalysisException, match="VALUE_OUT_OF_RANGE"):
        pyspark.range(3).select(PF.histogram_numeric("id", PF.lit(1))).collect()
    with pytest.raises(AnalysisException, match="VALUE_OUT_OF_RANGE"):
        spark.range(3).select(F.histogram_numeric("id", F.lit(1)))
    with pytest.raises(AnalysisException, match="UNEXPECTED_INPUT_TYPE"):
        spark.range(3).select(F.histogram_numeric(F.lit("a"), F.lit(3)))


UNION_ROWS = [("a", [1, 2]), ("a", [2, None, 3]), ("b", [4]), ("b", None), ("c", None),
              ("c", []), ("d", [5, 5])]


def test_collect_union(both):
    from pyspark.sql import functions as PF
    ours, theirs = both(UNION_ROWS, "k string, value array<int>")
    a = ours.groupBy("k").agg(F.sort_array(F.collect_union("value")).alias("u")).orderBy("k")
    b = theirs.groupBy("k").agg(PF.sort_array(PF.collect_union("value")).alias("u")).orderBy("k")
    assert_same(a, b, ordered=True)
    assert _shown(a) == _shown(b)
    a = ours.groupBy("k").agg(F.collect_union("value"))
    b = theirs.groupBy("k").agg(PF.collect_union("value"))
    assert a.columns == b.columns and a.schema.simpleString() == b.schema.simpleString()


def test_collect_union_nan(both):
    from pyspark.sql import functions as PF
    rows = [([1.0, float("nan")],), ([float("nan"), 2.0],)]
    ours, theirs = both(rows, "value array<double>")
    assert_same(ours.select(F.sort_array(F.collect_union("value"))),
                theirs.select(PF.sort_array(PF.collect_union("value"))))


MAP_ROWS = [(1, {"A": 1.0, "B": 2.0}, {"A": 3.0, "C": 4.0}), (2, None, {"A": 1.0}),
            (3, {"x": None}, {}), (4, {"n": float("nan")}, {"n": 1.0}), (5, {}, {})]
MAP_DDL = "id int, m1 map<string,double>, m2 map<string,double>"
MAP_CASES = {
    "sum": lambda f: f.map_zip_with("m1", "m2", lambda k, a, b: a + b),
    "coalesce": lambda f: f.map_zip_with("m1", "m2", lambda k, a, b: f.coalesce(a, b)),
    "key_and_outer": lambda f: f.map_zip_with(
        "m1", "m2", lambda k, a, b: f.concat(k, f.lit(":"), f.col("id").cast("string"))),
    "when": lambda f: f.map_zip_with(
        "m1", "m2", lambda k, a, b: f.when(k == "A", a + b).otherwise(a - b)),
}


@pytest.mark.parametrize("name", list(MAP_CASES))
def test_map_zip_with(both, name):
    from pyspark.sql import functions as PF
    ours, theirs = both(MAP_ROWS, MAP_DDL)
    a = ours.select("id", MAP_CASES[name](F).alias("z"))
    b = theirs.select("id", MAP_CASES[name](PF).alias("z"))
    assert_same(a, b)
    a, b = ours.select(MAP_CASES[name](F)), theirs.select(MAP_CASES[name](PF))
    assert a.columns == b.columns and a.schema.simpleString() == b.schema.simpleString()


def test_map_zip_with_widens_keys_and_prints(spark, pyspark):
    from pyspark.sql import functions as PF
    rows, ddl = [({1: "a", 2: "c"}, {1.5: "b", 1.0: "d"})], "m1 map<int,string>, m2 map<double,string>"
    a = spark.createDataFrame(rows, ddl).select(
        F.map_zip_with("m1", "m2", lambda k, x, y: F.concat_ws("-", x, y)))
    b = pyspark.createDataFrame(rows, ddl).select(
        PF.map_zip_with("m1", "m2", lambda k, x, y: PF.concat_ws("-", x, y)))
    assert a.schema.simpleString() == b.schema.simpleString()
    assert_same(a, b)
    sql = "map_zip_with(m1, m2, (k, v1, v2) -> v1 * 2)"
    a = spark.createDataFrame(MAP_ROWS, MAP_DDL).where("id = 1").selectExpr(sql)
    b = pyspark.createDataFrame(MAP_ROWS, MAP_DDL).where("id = 1").selectExpr(sql)
    assert a.columns == b.columns
    assert_same(a, b)
    with pytest.raises(AnalysisException, match="DATATYPE_MISMATCH"):
        spark.createDataFrame(MAP_ROWS, MAP_DDL).select(F.map_zip_with("id", "m2", lambda k, x, y: x))


REFLECT_ROWS = [("a b&c/é~*!", -3, 2.5, "A5CF6C42-0C85-418F-AF6C-3E4E5B1328F2", True, None),
                ("", 0, float("nan"), "1-2-3-4-5", False, None),
                ("x+y%20z", 7, -0.0, "a5cf6c42-0c85-418f-af6c-3e4e5b1328f2", None, None)]
REFLECT_DDL = "s string, i int, x double, u string, b boolean, n string"
REFLECT_CASES = [
    ("java.net.URLEncoder", "encode", "s", "UTF-8"), ("java.net.URLEncoder", "encode", "s"),
    ("java.net.URLDecoder", "decode", "s", "UTF-8"), ("java.util.UUID", "fromString", "u"),
    ("java.lang.Math", "abs", "i"), ("java.lang.Math", "abs", "x"), ("java.lang.Math", "sqrt", "x"),
    ("java.lang.Math", "max", "i", 2), ("java.lang.Math", "max", "x", 1.0),
    ("java.lang.Math", "pow", "x", 2.0), ("java.lang.Math", "round", "x"),
    ("java.lang.Math", "floorDiv", "i", 2), ("java.lang.Math", "floorMod", "i", 2),
    ("java.lang.Math", "exp", "x"), ("java.lang.Math", "log", "x"),
    ("java.lang.Math", "floor", "x"), ("java.lang.Math", "signum", "x"),
    ("java.lang.Math", "toDegrees", "x"),
    ("java.lang.String", "valueOf", "x"), ("java.lang.String", "valueOf", "i"),
    ("java.lang.String", "valueOf", "b"), ("java.lang.String", "valueOf", "n"),
]


def _reflect_args(f, case):
    cls, method, *rest = case
    args = [f.lit(cls), f.lit(method)]
    args += [f.col(a) if isinstance(a, str) and a in "sixubn" and len(a) == 1 else f.lit(a)
             for a in rest]
    return args


@pytest.mark.parametrize("case", REFLECT_CASES, ids=lambda c: ".".join(map(str, c)))
def test_reflect(both, case):
    from pyspark.sql import functions as PF
    ours, theirs = both(REFLECT_ROWS, REFLECT_DDL)
    name = "try_reflect" if case[2] in ("b", "u") or case[1] == "decode" else "reflect"
    a = ours.select(getattr(F, name)(*_reflect_args(F, case)))
    b = theirs.select(getattr(PF, name)(*_reflect_args(PF, case)))
    assert_same(a, b, ordered=True)
    assert a.columns == b.columns


def test_reflect_names_nulls_and_refusals(both):
    from pyspark.errors import AnalysisException as PAnalysisException
    from pyspark.sql import functions as PF
    ours, theirs = both(REFLECT_ROWS, REFLECT_DDL)
    # a null argument makes the Java call throw: reflect fails the action, try_reflect is null
    assert_same(ours.select(F.try_reflect(F.lit("java.lang.Math"), F.lit("abs"), F.col("n").cast("int"))),
                theirs.select(PF.try_reflect(PF.lit("java.lang.Math"), PF.lit("abs"),
                                             PF.col("n").cast("int"))))
    with pytest.raises(SparkException):
        ours.select(F.reflect(F.lit("java.util.UUID"), F.lit("fromString"), "n")).collect()
    a = ours.selectExpr("reflect('java.lang.Math', 'abs', i)", "java_method('java.lang.String', 'valueOf', x)")
    b = theirs.selectExpr("reflect('java.lang.Math', 'abs', i)", "java_method('java.lang.String', 'valueOf', x)")
    assert_same(a, b, ordered=True)
    for bad, cls in (((F.lit("java.lang.Nope"), F.lit("x")), "UNEXPECTED_CLASS_TYPE"),
                     ((F.lit("java.lang.Math"), F.lit("nope"), "x"), "UNEXPECTED_STATIC_METHOD"),
                     ((F.lit("java.lang.Math"), F.lit("abs"), "s"), "UNEXPECTED_STATIC_METHOD"),
                     (("s", F.lit("x")), "NON_FOLDABLE_INPUT"),
                     ((F.lit("java.lang.Math"),), "WRONG_NUM_ARGS")):
        with pytest.raises(AnalysisException, match=cls):
            ours.select(F.reflect(*bad))
        pbad = tuple(PF.lit(c._expr.value) if not isinstance(c, str) else c for c in bad)
        with pytest.raises(PAnalysisException, match=cls):
            theirs.select(PF.reflect(*pbad)).collect()


INTERVAL_ROWS = [(2014, 12, 1, -1, 3, 30, 1.001001), (None, 1, 0, 0, 0, 0, 0.0),
                 (-1, -13, 0, 0, -25, 0, -0.5), (0, 0, 0, 0, 0, 0, 59.9999999),
                 (0, 0, 2, 0, 0, -61, 0.0), (0, 0, 0, 0, 0, 0, float("nan"))]
INTERVAL_DDL = "y int, m int, w int, d int, h int, mi int, s double"
INTERVAL_CASES = {
    "ym": lambda f: f.make_ym_interval("y", "m"),
    "ym_years_only": lambda f: f.make_ym_interval("y"),
    "ym_empty": lambda f: f.make_ym_interval(),
    "calendar_all": lambda f: f.make_interval("y", "m", "w", "d", "h", "mi", "s"),
    "calendar_some": lambda f: f.make_interval("y", "m", "w"),
    "calendar_empty": lambda f: f.make_interval(),
    "calendar_seconds_only": lambda f: f.make_interval(secs=f.lit(0.000001)),
    "try_calendar": lambda f: f.try_make_interval("y", "m", "w", "d", "h", "mi", "s"),
    "try_overflow": lambda f: f.try_make_interval(f.lit(2147483647), f.lit(12)),
    "calendar_overflow": lambda f: f.make_interval(f.lit(2147483647), f.lit(12)),
}


@pytest.mark.parametrize("name", list(INTERVAL_CASES))
def test_interval_constructors_print_as_spark(both, name):
    from pyspark.sql import functions as PF
    ours, theirs = both(INTERVAL_ROWS[:-1] if "calendar" in name else INTERVAL_ROWS, INTERVAL_DDL)
    a = ours.coalesce(1).select(INTERVAL_CASES[name](F))
    b = theirs.coalesce(1).select(INTERVAL_CASES[name](PF))
    assert a.columns == b.columns
    assert a.schema.simpleString() == b.schema.simpleString()
    assert _shown(a) == _shown(b)
    assert _shown(a, truncate=True) == _shown(b, truncate=True)


def test_interval_overflow_errors(spark, pyspark):
    from pyspark.sql import functions as PF

    from dfml.sql.errors import ArithmeticException
    for f, P, err in ((F, spark, ArithmeticException), (PF, pyspark, Exception)):
        with pytest.raises(err, match="INTERVAL_ARITHMETIC_OVERFLOW"):
            P.range(1).select(f.make_ym_interval(f.lit(2147483647), f.lit(12))).show()
    # outside ANSI mode (dfml's semantics) a calendar interval that overflows is null
    assert _shown(spark.range(1).select(F.make_interval(F.lit(2147483647), F.lit(12)))) == \
        _shown(pyspark.range(1).select(PF.make_interval(PF.lit(2147483647), PF.lit(12))))


def test_interval_sql_names(spark, pyspark):
    sql = ["make_ym_interval(1)", "make_interval(1, 2, 3, 4, 5, 6, 7.5)", "make_ym_interval(1, 2)"]
    a, b = spark.range(1).selectExpr(*sql), pyspark.range(1).selectExpr(*sql)
    assert a.columns == b.columns
    assert _shown(a) == _shown(b)
