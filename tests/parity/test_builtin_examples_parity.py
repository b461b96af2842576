"""The behaviours behind PySpark's docstring examples of functions a-l, against real PySpark:
VALUES lists typed as Spark types an inline table, createDataFrame's inference of mixed values,
array()/map()/lit(list), generators with repeated output names and ``s.*``, instr with start and
occurrence, trims with a trim column, binary concat and pads, count(DISTINCT a, b). Rows,
types and the printed text (show, printSchema) are compared, on inputs with nulls, NaN and ties."""

from __future__ import annotations

import contextlib
import io

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException, SparkException
from tests.parity.helpers import assert_same

NAN = float("nan")


def _printed(action) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        action()
    return out.getvalue()


def _same_text(ours, theirs, truncate=True) -> None:
    """Same rows, the same show() text and the same printSchema() tree."""
    assert _printed(lambda: ours.show(truncate=truncate)) == \
        _printed(lambda: theirs.show(truncate=truncate))
    assert _printed(ours.printSchema) == _printed(theirs.printSchema)


VALUES = [
    "SELECT * FROM VALUES (-0.5), (0.5), (NULL) AS TAB(value)",
    "SELECT * FROM VALUES (1.25), (100.5), (100.5)",
    "SELECT * FROM VALUES (1, 'a'), (2.5, 'b'), (1e0, NULL)",
    "SELECT * FROM VALUES (CAST(1 AS TINYINT)), (CAST(2 AS SMALLINT)), (NULL)",
    "SELECT * FROM VALUES (NULL), (NULL)",
    "SELECT * FROM VALUES (DATE'2020-01-01'), (TIMESTAMP'2020-01-01 10:00:00')",
    "SELECT * FROM VALUES (1,ARRAY(1,2,3,NULL)), (2,ARRAY()), (3,NULL) AS t(i,a)",
    "SELECT * FROM VALUES (1,MAP(1,2,3,4,5,NULL)), (2,MAP()), (3,NULL) AS t(i,m)",
    'SELECT * FROM VALUES (1,ARRAY(NAMED_STRUCT("a",1,"b",2), NULL, NAMED_STRUCT("a",3,"b",4))), '
    '(2,ARRAY()), (3,NULL) AS t(i,s)',
    "SELECT value + 1 AS v FROM VALUES (-0.5), (0.5), (NULL) AS TAB(value)",
]


@pytest.mark.parametrize("query", VALUES)
def test_values_list_is_one_relation_of_common_types(spark, pyspark, query):
    _same_text(spark.sql(query), pyspark.sql(query))


def test_values_list_of_incompatible_types_is_refused(spark):
    with pytest.raises(AnalysisException, match="INCOMPATIBLE_TYPES_IN_INLINE_TABLE"):
        spark.sql("SELECT * FROM VALUES (1, 'a'), ('x', 2)")
    with pytest.raises(AnalysisException, match="NUM_COLUMNS_MISMATCH"):
        spark.sql("SELECT * FROM VALUES (1, 'a'), (2)")


INFERRED = [
    ([[1], ["apple"], [2], [None]], ["c"]),
    ([(["apple", 1, "cherry", None],)], ["data"]),
    ([([["a", "b", "c"], [1, 2, 3]],)], ["data"]),
    ([(True, "x"), ("y", 1.5)], None),
]


@pytest.mark.parametrize("rows,names", INFERRED)
def test_create_dataframe_merges_atomic_values_into_strings(spark, pyspark, rows, names):
    _same_text(spark.createDataFrame(rows, names), pyspark.createDataFrame(rows, names))


def test_array_functions_over_inferred_strings(spark, pyspark):
    rows = [(["apple", 1, "cherry", None],), (None,), ([2, 10],)]
    ours, theirs = spark.createDataFrame(rows, ["data"]), pyspark.createDataFrame(rows, ["data"])
    from pyspark.sql import functions as PF
    build = lambda d, f: d.select(f.array_min("data"), f.array_max("data"), f.array_size("data"))  # noqa: E731
    _same_text(build(ours, F), build(theirs, PF))
    flat = [([["a", "b"], [1, 2, None]],)]
    _same_text(spark.createDataFrame(flat, ["d"]).select(F.flatten("d")),
               pyspark.createDataFrame(flat, ["d"]).select(PF.flatten("d")))
    ties = [[1], ["apple"], [2], [1], [None]]
    assert_same(spark.createDataFrame(ties, ["c"]).agg(F.sort_array(F.array_agg("c")).alias("l")),
                pyspark.createDataFrame(ties, ["c"]).agg(PF.sort_array(PF.array_agg("c")).alias("l")))


def test_empty_collections_and_list_literals(spark, pyspark):
    from pyspark.sql import functions as PF
    build = lambda d, f: d.select(f.array(), f.lit([1, 2, 3]), f.lit([[1.5], None]),  # noqa: E731
                                  f.lit(["a", None]), f.lit([]))
    _same_text(build(spark.range(2), F), build(pyspark.range(2), PF))
    q = "SELECT array() a, map() IS NULL m, array(NULL) an"
    assert_same(spark.sql(q), pyspark.sql(q), check_types=False)
    with pytest.raises(ValueError, match="COLUMN_IN_LIST"):
        F.lit([F.col("a")])


def test_dataframe_attribute_named_col_is_the_column(spark, pyspark):
    """PySpark's DataFrame has no ``col`` method: ``df.col`` is the column named col."""
    rows = [([1, 2, None, 2], 2), ([3], None), (None, 1)]
    from pyspark.sql import functions as PF
    ours = spark.createDataFrame(rows, "data array<bigint>, col bigint")
    theirs = pyspark.createDataFrame(rows, "data array<bigint>, col bigint")
    _same_text(ours.select(F.array_position(ours.data, ours.col), F.array_remove(ours.data, ours.col)),
               theirs.select(PF.array_position(theirs.data, theirs.col),
                             PF.array_remove(theirs.data, theirs.col)))


GENERATORS = [
    lambda d, f: d.select("*", f.inline(d.a)),
    lambda d, f: d.select("*", f.inline("a").alias("c1", "c2")),
    lambda d, f: d.select("*", f.explode("a").alias("a")),
    lambda d, f: d.select(f.explode("a").alias("s")).select("s.*"),
    lambda d, f: d.select(f.col("a").getItem(0).alias("s")).select("s.*", "s"),
]


@pytest.mark.parametrize("build", GENERATORS)
def test_generators_with_repeated_names_and_struct_star(spark, pyspark, build):
    q = 'SELECT ARRAY(NAMED_STRUCT("a",1,"b",2), NULL, NAMED_STRUCT("a",1,"b",2)) AS a'
    from pyspark.sql import functions as PF
    assert_same(build(spark.sql(q), F), build(pyspark.sql(q), PF))
    assert build(spark.sql(q), F)._show_string() == build(pyspark.sql(q), PF)._jdf.showString(
        20, 20, False)


INSTR_ROWS = [("aabcdaba", 1, 1), ("abaXaba", -1, 2), ("aaaa", 2, None), ("héllo", None, 3),
              (None, 1, 1), ("", 1, 1)]


@pytest.mark.parametrize("sub", ["a", "aa", "aba", "l", ""])
def test_instr_with_start_and_occurrence(spark, pyspark, sub):
    from pyspark.sql import functions as PF
    ours = spark.createDataFrame(INSTR_ROWS, "s string, k int, o int")
    theirs = pyspark.createDataFrame(INSTR_ROWS, "s string, k int, o int")
    args = [(1, 1), (1, 2), (2, 2), (0, 1), (-1, 1), (-1, 2), (-3, 2), (-4, 1), (1, 4), (9, 1),
            (-9, 1), (3,)]
    build = lambda d, f: d.select(f.instr("s", sub), *[f.instr("s", sub, *a) for a in args],  # noqa: E731
                                  f.instr("s", sub, f.col("k")), f.instr("s", sub, 1, f.col("o")))
    assert_same(build(ours, F), build(theirs, PF))


def test_instr_refuses_an_occurrence_below_one(spark):
    with pytest.raises(SparkException, match="INVALID_PARAMETER_VALUE.OCCURRENCE"):
        F.instr("s", "a", 1, 0)
    df = spark.createDataFrame([("a", 0)], "s string, k int")
    with pytest.raises(Exception, match="INVALID_PARAMETER_VALUE.OCCURRENCE"):
        df.select(F.instr("s", "a", 1, F.col("k"))).collect()


def test_trims_with_a_trim_column(spark, pyspark):
    from pyspark.sql import functions as PF
    rows = [("**Spark*", "*"), ("==Spark=", "=="), (None, "*"), ("xyx", None), ("abcSparkcba", "abc"),
            ("  a ", ""), ("  a ", " ")]
    build = lambda d, f: d.select("*", f.ltrim("value", "t"), f.rtrim("value", "t"),  # noqa: E731
                                  f.trim("value", "t"), f.ltrim("value", f.lit("*")),
                                  f.rtrim("value", f.lit(None)), f.ltrim("value"))
    _same_text(build(spark.createDataFrame(rows, ["value", "t"]), F),
               build(pyspark.createDataFrame(rows, ["value", "t"]), PF))


def test_binary_concat_and_pads(spark, pyspark):
    from pyspark.sql import functions as PF
    rows = [(bytearray(b"abc"), bytearray(b"def"), "x"), (None, bytearray(b""), "y"),
            (bytearray(b"\x00\xff"), bytearray(b"z"), None)]
    build = lambda d, f: d.select(f.concat(d.a, d.b), f.concat(d.b, d.s), f.concat(d.a),  # noqa: E731
                                  f.concat(d.a, f.lit(None)), f.concat(d.b, f.lit(b"\x01")),
                                  f.upper(d.b), f.lpad(d.s, 4, f.lit(b"uv")),
                                  f.rpad(d.s, 3, f.lit(b"\x75")))
    _same_text(build(spark.createDataFrame(rows, ["a", "b", "s"]), F),
               build(pyspark.createDataFrame(rows, ["a", "b", "s"]), PF))


def test_count_distinct_of_several_columns(spark, pyspark):
    from pyspark.sql import functions as PF
    rows = [(1, "a", 1.0), (1, "a", 1.0), (1, None, 2.0), (2, "b", NAN), (2, "b", NAN),
            (None, "c", -0.0), (3, "c", 0.0), (3, "c", -0.0)]
    schema = "x bigint, s string, d double"
    ours, theirs = spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)
    build = lambda d, f: d.select(f.count_distinct(d.x, d.s), f.count_distinct("x", "s", "d"),  # noqa: E731
                                  f.countDistinct("s", "d"), f.count_distinct("s", f.lit(None)))
    _same_text(build(ours, F), build(theirs, PF))
    grouped = lambda d, f: d.groupBy("x").agg(f.count_distinct("s", "d")).orderBy("x")  # noqa: E731
    _same_text(grouped(ours, F), grouped(theirs, PF))
