"""Results dfml used to get wrong, each against real PySpark: multiset EXCEPT ALL and
INTERSECT ALL, first/last/any_value keeping nulls, headers never cut by show(), atomic DDL
schemas, tuples inferred as structs."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from tests.parity.helpers import assert_same

LEFT = [(1, "x"), (1, "x"), (1, "x"), (2, None), (2, None), (3, "z"), (None, None)]
RIGHT = [(1, "x"), (2, None), (2, None), (2, None), (3, "z"), (3, "z"), (None, None)]


@pytest.mark.parametrize("method", ["exceptAll", "intersectAll", "subtract", "intersect"])
def test_set_operations_keep_multiplicity(both, method):
    (a, pa_), (b, pb) = both(LEFT, "k int, v string"), both(RIGHT, "k int, v string")
    assert_same(getattr(a, method)(b), getattr(pa_, method)(pb))
    assert_same(getattr(b, method)(a), getattr(pb, method)(pa_))


def test_except_all_widens_types(both):
    (a, pa_), (b, pb) = both([(1,), (1,), (2,)], "x int"), both([(1.0,)], "x double")
    assert_same(a.exceptAll(b), pa_.exceptAll(pb))


ROWS = [(1, None, 1), (1, 5, 2), (1, 7, None), (2, 3, 4), (2, None, None), (3, None, None)]


@pytest.mark.parametrize("build", [
    lambda f: [f.first("v"), f.last("v"), f.any_value("v")],
    lambda f: [f.first("v", True), f.last("v", True), f.any_value("v", True)],
    lambda f: [f.first("w"), f.last("w", ignorenulls=True), f.collect_list("v")],
], ids=["keep_nulls", "ignore_nulls", "mixed_with_lists"])
def test_first_last_any_value(spark, pyspark, build):
    from pyspark.sql import functions as PF
    # one partition: first and last follow the input order, which both engines keep here
    ours = spark.createDataFrame(ROWS, "k int, v int, w int").coalesce(1)
    theirs = pyspark.createDataFrame(ROWS, "k int, v int, w int").coalesce(1)
    assert_same(ours.groupBy("k").agg(*build(F)), theirs.groupBy("k").agg(*build(PF)))
    assert_same(ours.agg(*build(F)), theirs.agg(*build(PF)))


@pytest.mark.parametrize("truncate", [True, 5, False])
def test_show_never_cuts_headers(both, truncate):
    ours, theirs = both([(1, "a" * 30, None)], "averyveryveryverylongcolumnname_over_twenty int, v string, w_is_long double")
    width = 20 if truncate is True else (0 if truncate is False else truncate)
    assert ours._show_string(truncate=truncate) == theirs._jdf.showString(20, width, False)
    assert ours._show_string(truncate=truncate, vertical=True) == theirs._jdf.showString(20, width, True)


@pytest.mark.parametrize("schema,rows", [
    ("int", [1, 2, None]), ("string", ["a", None]), ("double", [1.5, float("nan")]),
    ("array<int>", [[1, 2], None]), ("struct<a:int,b:string>", [(1, "x"), (2, None)]),
    ("a int, b string", [(1, "x")]), ("a: int, b: string", [(1, "x")]),
])
def test_schema_strings(both, schema, rows):
    ours, theirs = both(rows, schema)
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    assert_same(ours, theirs)


@pytest.mark.parametrize("rows", [
    [((1, "a"),), ((2, None),)],
    [([(1, "a"), (2, "b")],)],
    [((1, (2.5, True)),)],
], ids=["tuple", "list_of_tuples", "nested"])
def test_tuples_infer_structs(both, rows):
    ours, theirs = both(rows, ["s"])
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    assert_same(ours, theirs)


def test_round_of_decimals_narrows_the_scale(both):
    import decimal
    rows = [(decimal.Decimal("1.255"),), (decimal.Decimal("-2.345"),), (None,),
            (decimal.Decimal("999.995"),)]
    ours, theirs = both(rows, "d decimal(6,3)")
    from pyspark.sql import functions as PF
    build = lambda d, f: d.select(f.round("d", 1), f.round("d", 2), f.bround("d", 2),
                                  f.round("d"), f.round("d", -1), f.round("d", 5),
                                  f.round(f.lit(decimal.Decimal("9.95")), 1))
    assert_same(build(ours, F), build(theirs, PF))


def test_missing_struct_field_is_field_not_found(both):
    from dfml.sql import AnalysisException
    ours, theirs = both([((1, "a"),)], "s struct<a:int,b:string>")
    with pytest.raises(AnalysisException) as err:
        ours.select("s.c")
    with pytest.raises(Exception) as spark_err:
        theirs.select("s.c")
    assert err.value.getErrorClass() == spark_err.value.getCondition() == "FIELD_NOT_FOUND"
    assert str(err.value) in str(spark_err.value)


@pytest.mark.parametrize("existing,new", [("A", "q"), ("a", "A"), ("missing", "q"), ("C", "c2")])
def test_with_column_renamed_resolves_names_ignoring_case(both, existing, new):
    ours, theirs = both([(1, 2.0, "x")], "a int, b double, c string")
    assert_same(ours.withColumnRenamed(existing, new), theirs.withColumnRenamed(existing, new))


@pytest.mark.parametrize("kwargs", [{}, {"truncate": False}, {"vertical": True}, {"truncate": 5}])
def test_show_escapes_control_characters(spark, pyspark, kwargs):
    rows = [("a\tb", ["x\ny", "q\rz"], {"k\tk": "v\x0bv"}), ("\x07\x08\x0c\\n", None, None)]
    ddl = "s string, a array<string>, m map<string,string>"
    ours = spark.createDataFrame(rows, ddl)._show_string(**kwargs)
    theirs = pyspark.createDataFrame(rows, ddl)._show_string(**kwargs)
    assert ours == theirs
