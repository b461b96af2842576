"""unpivot/melt and small DataFrame members against PySpark: row order, common value type,
nulls and NaN kept apart, Spark's error with no value columns."""

from __future__ import annotations

import pytest

from dfml.sql import AnalysisException
from dfml.sql import functions as F
from tests.parity.helpers import assert_same

ROWS = [(1, 11, 1.1, "a"), (2, 12, None, "b"), (3, None, float("nan"), None)]
SCHEMA = "id int, i int, d double, s string"


@pytest.mark.parametrize("build", [
    lambda d, f: d.unpivot("id", ["i", "d"], "var", "val"),
    lambda d, f: d.unpivot(["id", "s"], None, "k", "v"),
    lambda d, f: d.melt(ids=[f.col("id")], values=["i"], variableColumnName="x", valueColumnName="y"),
    lambda d, f: d.unpivot([], ["i", "d"], "var", "val"),
    lambda d, f: d.unpivot("id", [f.col("i"), f.col("id")], "var", "val"),
], ids=["two_values", "all_other_columns", "melt_column_ids", "no_ids", "columns_as_values"])
def test_unpivot(both, build):
    from pyspark.sql import functions as PF
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(build(ours, F), build(theirs, PF), ordered=True)
    assert build(ours, F).schema.simpleString() == build(theirs, PF).schema.simpleString()


def test_unpivot_needs_value_columns(both):
    ours, theirs = both(ROWS, SCHEMA)
    with pytest.raises(AnalysisException) as err:
        ours.unpivot(["id", "i", "d", "s"], None, "k", "v")
    with pytest.raises(Exception) as spark_err:
        theirs.unpivot(["id", "i", "d", "s"], None, "k", "v").schema
    assert err.value.getErrorClass() == spark_err.value.getCondition()


def test_small_members(both):
    ours, theirs = both(ROWS, SCHEMA)
    assert ours.withMetadata("i", {"c": "x"}).schema["i"].metadata == \
        theirs.withMetadata("i", {"c": "x"}).schema["i"].metadata
    assert (ours.isLocal(), ours.isStreaming) == (theirs.isLocal(), theirs.isStreaming)
    assert ours.toArrow().schema.equals(theirs.toArrow().schema)
    assert ours.toArrow().to_pylist() == theirs.toArrow().to_pylist() or \
        str(ours.toArrow().to_pylist()) == str(theirs.toArrow().to_pylist())


def test_bitwise_and_try_cast(both):
    from pyspark.sql import functions as PF
    rows = [(2, "Alice", 5, 7), (None, "12", None, 1), (12, "-3", 10, -1), (-8, " 4 ", 3, 0)]
    ours, theirs = both(rows, "a int, name string, b int, l bigint")
    build = lambda d: d.select(d.name.try_cast("long"), d.name.try_cast("double").alias("dbl"),
                               d.a.bitwiseAND(d.b), d.a.bitwiseOR(3), d.a.bitwiseXOR(d.b),
                               d.a.bitwiseAND(d.l), d.l.bitwiseXOR(-1))
    assert_same(build(ours), build(theirs), ordered=False)


@pytest.mark.parametrize("build", [
    lambda d: d.sort(1), lambda d: d.sort(-1, 2), lambda d: d.orderBy(-3, "id"),
    lambda d: d.groupBy(1).count(), lambda d: d.groupBy([d.s, 2]).count(),
    lambda d: d.groupBy(4).max(),
], ids=["sort_1", "sort_desc", "order_by_mixed", "group_by_1", "group_by_list", "group_by_max"])
def test_column_ordinals(both, build):
    ours, theirs = both(ROWS + [(4, 11, 0.5, "a")], SCHEMA)
    ordered = "sort" in build.__code__.co_names or "orderBy" in build.__code__.co_names
    assert_same(build(ours), build(theirs), ordered=ordered)


@pytest.mark.parametrize("level", [None, 1, 2, 3])
def test_print_schema_levels(spark, pyspark, level):
    schema = "a long, b struct<c: int, d: struct<e: string, f: array<struct<g: int>>>>, h map<string, int>"
    ours = spark.createDataFrame([], schema).schema.treeString(level)
    theirs = pyspark.createDataFrame([], schema)._jdf.schema().treeString(level or 2147483647)
    assert ours == theirs


def test_extraction_names(both):
    ours, theirs = both([({"key": "value"}, (1, "x"))], "d map<string,string>, s struct<a:int,b:string>")
    for build in (lambda d: d.select(d.d.key, d.s.a, d.s["b"]),
                  lambda d: d.select(d.d["key"]), lambda d: d.select(d.d.getItem("key"))):
        assert build(ours).columns == build(theirs).columns
        assert_same(build(ours), build(theirs))


def test_offset_and_partition_ids(spark, pyspark):
    from pyspark.sql import functions as PF
    for n in (0, 1, 4, 10):
        a = spark.range(0, 10, 1, 3).orderBy(F.col("id").desc()).offset(n)
        b = pyspark.range(0, 10, 1, 3).orderBy(PF.col("id").desc()).offset(n)
        assert_same(a, b, ordered=True)
    ids = lambda s, f: s.range(0, 10, 1, 3).select(f.spark_partition_id().alias("p")).distinct().sort("p")
    assert_same(ids(spark, F), ids(pyspark, PF), ordered=True)
    one = lambda s, f: s.range(0, 10, 1, 3).coalesce(1).select(f.spark_partition_id()).distinct()
    assert_same(one(spark, F), one(pyspark, PF))
    with pytest.raises(ValueError):
        spark.range(3).offset(-1)


def test_storage_levels(spark, pyspark):
    from pyspark import StorageLevel as PSL

    from dfml import StorageLevel as DSL
    for s, L in ((spark, DSL), (pyspark, PSL)):
        a, b = s.range(4), s.range(5)
        got = (repr(a.storageLevel), repr(a.cache().storageLevel),
               repr(b.persist(L.DISK_ONLY_2).storageLevel), str(L.MEMORY_AND_DISK_DESER))
        a.unpersist(), b.unpersist()
        if s is spark:
            ours = got
        else:
            assert ours == got
