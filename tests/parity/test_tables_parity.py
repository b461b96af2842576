"""Warehouse tables against PySpark: saveAsTable's modes, insertInto by position and its casts,
CREATE TABLE [AS SELECT], INSERT, DROP/TRUNCATE, SHOW TABLES and the catalog's answers.

Both sessions write into scratch warehouses (the fixtures set ``spark.sql.warehouse.dir``);
each test uses its own table names and drops them first, since the sessions are shared."""

from __future__ import annotations

import pytest

ROWS = [(1, "a", 2.0), (2, None, float("nan")), (3, "a", None), (3, "b", -0.5)]
SCHEMA = "k int not null, s string, x double"


def _each(spark, pyspark, fn):
    """``fn(session, functions)`` run on both; returns (dfml result, PySpark result)."""
    from pyspark.sql import functions as PF

    from dfml.sql import functions as DF
    return fn(spark, DF), fn(pyspark, PF)


def _drop(spark, pyspark, *names):
    for s in (spark, pyspark):
        for n in names:
            s.sql(f"DROP TABLE IF EXISTS {n}")


def _rows(df):
    return sorted((tuple("NaN" if isinstance(v, float) and v != v else v for v in r)
                   for r in df.collect()), key=repr)


def _error(fn):
    with pytest.raises(Exception) as e:
        fn()
    return str(e.value).split("\n;")[0].split(";\n'")[0]


def test_save_as_table_then_read_it(spark, pyspark, both):
    _drop(spark, pyspark, "tp_a")
    d, p = both(ROWS, SCHEMA)
    d.write.saveAsTable("tp_a")
    p.write.saveAsTable("tp_a")
    dt, pt = spark.table("tp_a"), pyspark.table("tp_a")
    assert dt.schema.simpleString() == pt.schema.simpleString()
    assert [f.nullable for f in dt.schema] == [f.nullable for f in pt.schema] == [True] * 3
    assert _rows(dt) == _rows(pt)
    assert _rows(spark.read.table("default.tp_a")) == _rows(pyspark.read.table("default.tp_a"))
    assert _rows(spark.table("spark_catalog.default.tp_a")) == _rows(pt)


def test_save_modes(spark, pyspark, both):
    _drop(spark, pyspark, "tp_modes")
    d, p = both(ROWS, SCHEMA)
    d.write.saveAsTable("tp_modes")
    p.write.saveAsTable("tp_modes")
    assert _error(lambda: d.write.saveAsTable("tp_modes")) == \
        _error(lambda: p.write.saveAsTable("tp_modes"))
    counts = []
    for s, df in ((spark, d), (pyspark, p)):
        df.write.mode("append").saveAsTable("tp_modes")
        n_append = s.table("tp_modes").count()
        df.write.mode("ignore").saveAsTable("tp_modes")
        n_ignore = s.table("tp_modes").count()
        df.select("s", "k").write.mode("overwrite").saveAsTable("tp_modes")
        counts.append((n_append, n_ignore, s.table("tp_modes").count(),
                       s.table("tp_modes").schema.simpleString()))
    assert counts[0] == counts[1]


def test_append_by_name_and_column_count_error(spark, pyspark, both):
    _drop(spark, pyspark, "tp_byname")
    d, p = both(ROWS, SCHEMA)
    d.write.saveAsTable("tp_byname")
    p.write.saveAsTable("tp_byname")
    d.select("x", "k", "s").write.mode("append").saveAsTable("tp_byname")
    p.select("x", "k", "s").write.mode("append").saveAsTable("tp_byname")
    assert _rows(spark.table("tp_byname")) == _rows(pyspark.table("tp_byname"))
    assert _error(lambda: d.select("k").write.mode("append").saveAsTable("tp_byname")) == \
        _error(lambda: p.select("k").write.mode("append").saveAsTable("tp_byname"))


def test_partitioned_table_columns_and_rows(spark, pyspark, both):
    _drop(spark, pyspark, "tp_part")
    d, p = both(ROWS, SCHEMA)
    d.write.partitionBy("s").saveAsTable("tp_part")
    p.write.partitionBy("s").saveAsTable("tp_part")
    assert spark.table("tp_part").columns == pyspark.table("tp_part").columns == ["k", "x", "s"]
    assert [tuple(c) for c in spark.catalog.listColumns("tp_part")] == \
        [tuple(c) for c in pyspark.catalog.listColumns("tp_part")]
    assert _rows(spark.table("tp_part")) == _rows(pyspark.table("tp_part"))
    assert _rows(spark.table("tp_part").filter("s = 'a'")) == \
        _rows(pyspark.table("tp_part").filter("s = 'a'"))


def test_insert_into_by_position_with_casts(spark, pyspark, both):
    _drop(spark, pyspark, "tp_ins")
    d, p = both(ROWS, SCHEMA)
    d.write.saveAsTable("tp_ins")
    p.write.saveAsTable("tp_ins")

    def go(s, F):
        df = d if s is spark else p
        # long into int (fits), string stays, int into double: matched by position, not name
        df.select(F.col("k").cast("long").alias("x"), "s", F.col("k").alias("k")) \
            .write.insertInto("tp_ins")
        after_append = _rows(s.table("tp_ins"))
        df.filter("k = 3").write.insertInto("tp_ins", overwrite=True)
        return after_append, _rows(s.table("tp_ins"))

    got, want = _each(spark, pyspark, go)
    assert got == want


@pytest.mark.parametrize("make", [
    lambda df, F: df.select("x", "s"),                      # not enough columns
    lambda df, F: df.select("k", "s", "x", "x"),            # too many
    lambda df, F: df.select("s", "s", "x"),                 # string into int
], ids=["not_enough", "too_many", "unsafe_cast"])
def test_insert_into_errors_match(spark, pyspark, both, make):
    _drop(spark, pyspark, "tp_inserr")
    d, p = both(ROWS, SCHEMA)
    d.write.saveAsTable("tp_inserr")
    p.write.saveAsTable("tp_inserr")
    from pyspark.sql import functions as PF

    from dfml.sql import functions as DF
    assert _error(lambda: make(d, DF).write.insertInto("tp_inserr")) == \
        _error(lambda: make(p, PF).write.insertInto("tp_inserr"))
    assert spark.table("tp_inserr").count() == 4  # nothing written


def test_insert_overflow_fails_the_write_as_spark(spark, pyspark, both):
    _drop(spark, pyspark, "tp_over")
    d, p = both(ROWS, SCHEMA)
    d.write.saveAsTable("tp_over")
    p.write.saveAsTable("tp_over")
    for df in (d, p):  # x holds NaN, which no int can take
        with pytest.raises(Exception, match="CAST_OVERFLOW_IN_TABLE_INSERT"):
            df.select("x", "s", "x").write.insertInto("tp_over")
    assert _rows(spark.table("tp_over")) == _rows(pyspark.table("tp_over"))


def test_sql_create_insert_show_drop(spark, pyspark):
    _drop(spark, pyspark, "tp_sql1", "tp_sql2", "tp_sql3")
    statements = [
        "CREATE TABLE tp_sql1 (a INT, b STRING) USING parquet",
        "INSERT INTO tp_sql1 VALUES (1, 'x'), (2, 'y'), (NULL, 'z')",
        "INSERT INTO tp_sql1 (b, a) VALUES ('w', 7)",
        "CREATE TABLE tp_sql2 USING parquet PARTITIONED BY (b) AS SELECT a, b FROM tp_sql1 "
        "WHERE a > 1",
        "INSERT INTO tp_sql2 SELECT a * 10, b FROM tp_sql1 WHERE a = 1",
        "CREATE TABLE IF NOT EXISTS tp_sql2 (q INT) USING parquet",
        "CREATE TABLE tp_sql3 AS SELECT b, count(*) AS n FROM tp_sql1 GROUP BY b",
        "INSERT OVERWRITE TABLE tp_sql3 SELECT 'only', 1L",
        "TRUNCATE TABLE tp_sql1",
    ]
    for q in statements:
        got, want = spark.sql(q), pyspark.sql(q)
        assert got.columns == want.columns == [] and got.collect() == want.collect() == [], q
    for t in ("tp_sql1", "tp_sql2", "tp_sql3"):
        assert spark.table(t).schema.simpleString() == pyspark.table(t).schema.simpleString()
        assert _rows(spark.table(t)) == _rows(pyspark.table(t)), t
    show = "SHOW TABLES LIKE 'tp_sql*'"
    assert spark.sql(show).collect() == pyspark.sql(show).collect()
    assert spark.sql(show).schema == spark.sql(show).schema
    replace = "CREATE OR REPLACE TABLE tp_sql3 USING parquet AS SELECT 2 AS b"
    assert _error(lambda: spark.sql(replace)) == _error(lambda: pyspark.sql(replace))
    assert _error(lambda: spark.sql("CREATE TABLE tp_sql1 (a INT) USING parquet")) == \
        _error(lambda: pyspark.sql("CREATE TABLE tp_sql1 (a INT) USING parquet"))
    for s in (spark, pyspark):
        s.sql("DROP TABLE tp_sql3")
    assert _error(lambda: spark.sql("DROP TABLE tp_sql3")) == \
        _error(lambda: pyspark.sql("DROP TABLE tp_sql3"))
    assert spark.sql(show).collect() == pyspark.sql(show).collect()


def test_catalog_sees_tables_and_views(spark, pyspark, both):
    _drop(spark, pyspark, "tp_cat_b", "tp_cat_a")
    d, p = both(ROWS, SCHEMA)
    for s, df in ((spark, d), (pyspark, p)):
        df.write.saveAsTable("tp_cat_b")
        df.write.saveAsTable("tp_cat_a")
        df.filter("k = 1").createOrReplaceTempView("tp_cat_a")  # a view shadows the table

    def facts(s):
        listed = [tuple(t) for t in s.catalog.listTables(pattern="tp_cat*")]
        return (listed, s.catalog.tableExists("tp_cat_b"), s.catalog.tableExists("default.tp_cat_a"),
                s.catalog.tableExists("tp_cat_zz"), tuple(s.catalog.getTable("tp_cat_b")),
                s.table("tp_cat_a").count(), [db.name for db in s.catalog.listDatabases()],
                s.catalog.databaseExists("default"), s.catalog.currentDatabase())

    try:
        assert facts(spark) == facts(pyspark)
    finally:
        for s in (spark, pyspark):
            s.catalog.dropTempView("tp_cat_a")
    assert spark.table("tp_cat_a").count() == pyspark.table("tp_cat_a").count() == 4
    assert _error(lambda: spark.table("tp_cat_zz")) == _error(lambda: pyspark.table("tp_cat_zz"))
