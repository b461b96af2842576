"""repartitionByRange, freqItems, inputFiles, sameSemantics and Column.transform against PySpark."""

from __future__ import annotations

import pytest

ROWS = [(14, "Tom", 1.0), (23, "Alice", None), (16, "Bob", float("nan")), (16, "Ann", 2.0),
        (None, "Zed", 3.0), (7, None, 3.0), (30, "Tom", -1.0), (23, "Eve", 0.0)]
SCHEMA = "age int, name string, x double"


def _fns():
    from pyspark.sql import functions as PF

    from dfml.sql import functions as DF
    return DF, PF


def _partition_of_rows(df, F, *args):
    out = df.repartitionByRange(*args).select("*", F.spark_partition_id().alias("pid")).collect()
    return sorted((tuple("NaN" if isinstance(v, float) and v != v else v for v in r)
                   for r in out), key=repr)


@pytest.mark.parametrize("args", [
    lambda F: (2, "age"),
    lambda F: (3, "age", "name"),
    lambda F: (3, F.col("age").desc()),
    lambda F: (2, F.col("name").asc_nulls_last()),
    lambda F: (4, "x"),
    lambda F: (3, F.col("age") % 5),
], ids=["one_key", "two_keys", "desc", "nulls_last", "nan_key", "expression"])
def test_rows_land_in_the_partition_spark_puts_them(both, args):
    d, p = both(ROWS, SCHEMA)
    DF, PF = _fns()
    assert _partition_of_rows(d, DF, *args(DF)) == _partition_of_rows(p, PF, *args(PF))


def test_freq_items_on_few_distinct_values(both):
    rows = [(1, 11, "a"), (1, 11, None), (3, 10, "b"), (4, 8, "a"), (4, 8, None), (None, 8, "a")]
    d, p = both(rows, "c1 int, c2 long, c3 string")
    got = d.freqItems(["c1", "c2", "c3"]).collect()[0]
    want = p.freqItems(["c1", "c2", "c3"]).collect()[0]
    assert d.freqItems(["c1", "c2", "c3"]).columns == p.freqItems(["c1", "c2", "c3"]).columns
    assert [sorted(v, key=repr) for v in got] == [sorted(v, key=repr) for v in want]
    assert d.freqItems(["c1"]).schema.simpleString() == p.freqItems(["c1"]).schema.simpleString()


def test_freq_items_keeps_the_frequent_ones_with_high_support(both):
    rows = [(i % 3 if i % 2 else 7,) for i in range(40)]
    d, p = both(rows, "v int")
    got = set(d.freqItems(["v"], 0.4).collect()[0][0])
    want = set(p.freqItems(["v"], 0.4).collect()[0][0])
    assert 7 in got and got == want


def test_input_files_and_same_semantics(spark, pyspark, tmp_path):
    for i, s in enumerate((spark, pyspark)):
        path = str(tmp_path / f"j{i}")
        s.createDataFrame([(1, "a"), (2, "b")], "k int, v string").repartition(1) \
            .write.json(path, mode="overwrite")
        files = s.read.json(path).inputFiles()
        assert len(files) == 1 and files[0].startswith("file:") and files[0].endswith(".json")
    checks = []
    for s in (spark, pyspark):
        a, b = s.range(10), s.range(10)
        checks.append((a.withColumn("c", a.id * 2).sameSemantics(b.withColumn("c", b.id * 2)),
                       a.withColumn("c", a.id * 2).sameSemantics(b.withColumn("c", b.id + 2)),
                       a.withColumn("c", a.id * 2).sameSemantics(b.withColumn("d", b.id * 2)),
                       a.filter("id > 2").sameSemantics(b.filter("id > 3"))))
    assert checks[0] == checks[1]


def test_column_transform(both):
    d, p = both([("  hello  ",), (None,)], "t string")
    DF, PF = _fns()
    got = d.select(d.t.transform(DF.trim).transform(DF.upper).alias("r"))
    want = p.select(p.t.transform(PF.trim).transform(PF.upper).alias("r"))
    assert got.collect() == want.collect()
    assert d.select(d.t.transform(DF.trim)).columns == p.select(p.t.transform(PF.trim)).columns
