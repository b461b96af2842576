"""repartitionByRange, freqItems, inputFiles, sameSemantics, Column.transform, transpose,
zipWithIndex, isLocal, repartitionById, the GroupedData repr and the shell helpers (__dir__,
key completions) against PySpark."""

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


def _text(df):
    """What show() prints, for dfml and PySpark frames alike."""
    if hasattr(df, "_jdf"):
        return df._jdf.showString(20, 20, False)
    return df._show_string()


TRANSPOSE_ROWS = [("b", 1, 2.0), ("a", None, float("nan")), (None, 7, 8.0), ("b", 5, 6.0),
                  ("c", 3, None)]


@pytest.mark.parametrize("index", [None, "id", "v2"], ids=["first", "by_name", "double_index"])
def test_transpose_sorts_the_index_drops_nulls_and_keeps_ties(both, index):
    d, p = both(TRANSPOSE_ROWS, "id string, v1 long, v2 double")
    if index == "v2":  # string and long values share no type: Spark's error, named alike
        from dfml.sql.errors import AnalysisException
        with pytest.raises(AnalysisException, match="TRANSPOSE_NO_LEAST_COMMON_TYPE.*STRING.*BIGINT"):
            d.transpose(index)
        with pytest.raises(Exception, match="TRANSPOSE_NO_LEAST_COMMON_TYPE.*STRING.*BIGINT"):
            p.transpose(index)
        return
    a, b = (x.transpose(index) if index else x.transpose() for x in (d, p))
    assert a.columns == b.columns
    assert a.schema.simpleString() == b.schema.simpleString()
    assert [f.nullable for f in a.schema.fields] == [f.nullable for f in b.schema.fields]
    assert _text(a) == _text(b)


def test_transpose_by_column_object_and_numeric_index(both):
    d, p = both([(2, 1, 2.5), (1, 3, 1.0), (2, 0, 0.5)], "id int, v1 int, v2 double")
    assert _text(d.transpose(d.id)) == _text(p.transpose(p.id))
    d1, p1 = both([(2.5, 1), (1.0, 2)], "k double, v int")
    assert _text(d1.transpose()) == _text(p1.transpose())
    d2, p2 = both([(2,), (1,)], "id int")  # no value columns: names only, no rows
    assert d2.transpose().columns == p2.transpose().columns
    assert _text(d2.transpose()) == _text(p2.transpose())


def test_zip_with_index_numbers_rows_in_order(both):
    rows = [("b", 1), ("a", None), (None, 3), ("b", 1)]
    d, p = both(rows, "id string, v long")
    for args in [(), ("row_id",), ("id",)]:  # "id" adds a second column of that name
        a, b = d.zipWithIndex(*args), p.zipWithIndex(*args)
        assert a.columns == b.columns
        assert _text(a) == _text(b)
        assert [f.nullable for f in a.schema.fields] == [f.nullable for f in b.schema.fields]
    assert d.repartition(3).zipWithIndex().select("index").orderBy("index").collect() == \
        [(i,) for i in range(4)]


def test_is_local_as_spark_answers(spark, pyspark):
    import pandas as pd
    for s in (spark, pyspark):
        s.createDataFrame([(1, "a")], "x int, y string").createOrReplaceTempView("local_probe")
    answers = []
    for s in (spark, pyspark):
        df = s.createDataFrame([(1, "a")], "x int, y string")
        pdf = s.createDataFrame(pd.DataFrame({"a": [1, 2]}))
        answers.append([df.isLocal(), df.select("x").isLocal(), s.range(3).isLocal(),
                        pdf.isLocal(), pdf.select("a").isLocal(),
                        s.sql("SHOW TABLES").isLocal(), s.sql("SELECT 1").isLocal()])
    assert answers[0] == answers[1]


def test_dir_and_key_completions(both):
    from pyspark.sql import functions as PF

    from dfml.sql import functions as DF
    d, p = both([(1, 2, 3)], "id long, `name 1` int, `1` int")
    d = d.withColumn("i_like_pancakes", DF.lit(1)).withColumn("inputFiles", DF.lit(2))
    p = p.withColumn("i_like_pancakes", PF.lit(1)).withColumn("inputFiles", PF.lit(2))
    pick = lambda x: [a for a in dir(x) if a[0] == "i"][:7]  # noqa: E731
    assert pick(d) == pick(p)
    assert d._ipython_key_completions_() == p._ipython_key_completions_()
    assert str(type(d.na)).endswith("dataframe.DataFrameNaFunctions'>")
    assert str(type(d.stat)).endswith("dataframe.DataFrameStatFunctions'>")


@pytest.mark.parametrize("by", [lambda F, df: (3, "p"), lambda F, df: (3, F.col("p") + 1),
                                lambda F, df: (1, df.p), lambda F, df: (4, F.col("p") * -3)],
                         ids=["name", "expression", "one", "negative"])
def test_repartition_by_id_puts_rows_where_spark_does(both, by):
    rows = [(0, 0), (1, None), (2, -1), (3, 5), (4, 2), (5, 7), (6, 2)]
    d, p = both(rows, "id long, p int")
    DF, PF = _fns()
    a, b = d.repartitionById(*by(DF, d)), p.repartitionById(*by(PF, p))
    assert a.getNumPartitions() == b.rdd.getNumPartitions()
    assert a.columns == b.columns
    assert _partition_of_rows(a, DF, 1, "id") == _partition_of_rows(b, PF, 1, "id")
    got = sorted(a.select("id", DF.spark_partition_id()).collect())
    assert got == sorted(b.select("id", PF.spark_partition_id()).collect())


def test_repartition_by_id_needs_an_int_column(both):
    from dfml.sql.errors import AnalysisException
    d, p = both([(1, 2)], "id long, p int")
    with pytest.raises(AnalysisException, match='requires the "INT" type, however "id" has the type "BIGINT"'):
        d.repartitionById(2, "id")
    with pytest.raises(Exception, match='requires the "INT" type, however "id" has the type "BIGINT"'):
        p.repartitionById(2, "id")


def test_grouped_data_repr(both):
    DF, PF = _fns()
    d, p = both([(0, 0)], "id long, `p q` int")
    for make in [lambda x, F: x.groupBy(F.col("id")), lambda x, F: x.groupBy("id"),
                 lambda x, F: x.groupBy(x["p q"]), lambda x, F: x.groupBy("p q", x.id),
                 lambda x, F: x.groupBy(x.id.alias("z")), lambda x, F: x.groupBy(1),
                 lambda x, F: x.groupBy(), lambda x, F: x.rollup("id"), lambda x, F: x.cube(x.id),
                 lambda x, F: x.groupingSets([["id"]], "id")]:
        assert repr(make(d, DF)) == repr(make(p, PF))
