"""The catalog against PySpark: databases, persistent views, table properties and DDL,
partitions, functions, and the session's builder, newSession, emptyDataFrame and tvf.

Both sessions write into scratch warehouses (the fixtures set ``spark.sql.warehouse.dir``);
names are this module's own (``cp_*``) and are dropped first, since the sessions are shared."""

from __future__ import annotations

import pytest

ROWS = [(1, "a", 2.0), (2, None, float("nan")), (3, "a", None), (3, "b", -0.5)]
SCHEMA = "k int, s string, x double"


def _error(fn):
    with pytest.raises(Exception) as e:
        fn()
    return str(e.value).split("\n;")[0].split(";\n'")[0].split("\n\tat ")[0]


def _rows(df):
    return sorted((tuple("NaN" if isinstance(v, float) and v != v else v for v in r)
                   for r in df.collect()), key=repr)


def _on_both(spark, pyspark, *statements):
    for s in (spark, pyspark):
        for q in statements:
            s.sql(q)


def _clean(spark, pyspark):
    _on_both(spark, pyspark, "DROP VIEW IF EXISTS cp_v1", "DROP VIEW IF EXISTS cp_v2",
             "DROP VIEW IF EXISTS cp_v3", "DROP TABLE IF EXISTS cp_t",
             "DROP TABLE IF EXISTS cp_parts", "DROP TABLE IF EXISTS cp_types",
             "DROP DATABASE IF EXISTS cp_db1 CASCADE", "DROP DATABASE IF EXISTS cp_db2 CASCADE")


def test_databases(spark, pyspark):
    _clean(spark, pyspark)

    def facts(s):
        c = s.catalog
        out = [c.databaseExists("cp_db1")]
        c.createDatabase("cp_db1")
        s.sql("CREATE SCHEMA IF NOT EXISTS cp_db2 COMMENT 'second one'")
        s.sql("CREATE DATABASE IF NOT EXISTS cp_db2")
        c.createDatabase("cp_db1", ifNotExists=True)
        out += [c.databaseExists("cp_db1"), c.databaseExists("spark_catalog.cp_db2"),
                [d.name for d in c.listDatabases() if d.name.startswith(("cp_", "def"))],
                [d.name for d in c.listDatabases("cp_*")],
                s.sql("SHOW DATABASES LIKE 'cp*'").collect(), s.sql("SHOW SCHEMAS").columns]
        for name in ("cp_db1", "cp_db2", "default"):
            d = c.getDatabase(name)
            out.append((d.name, d.catalog, d.description, d.locationUri.rsplit("/", 1)[-1]
                        if name != "default" else "<root>"))
        out += [_error(lambda: c.createDatabase("cp_db1")),
                _error(lambda: s.sql("CREATE DATABASE cp_db2")),
                _error(lambda: c.getDatabase("cp_nope")),
                _error(lambda: c.dropDatabase("default")),
                _error(lambda: c.setCurrentDatabase("cp_nope")),
                _error(lambda: s.sql("USE cp_nope"))]
        s.sql("USE default")
        c.setCurrentDatabase("default")
        c.dropDatabase("cp_db1")
        s.sql("DROP DATABASE cp_db2 CASCADE")
        s.sql("DROP SCHEMA IF EXISTS cp_db2")
        c.dropDatabase("cp_db1", ifExists=True)
        out += [_error(lambda: c.dropDatabase("cp_db1")),
                _error(lambda: s.sql("DROP DATABASE cp_db2")),
                c.databaseExists("cp_db1"), c.currentDatabase()]
        return out

    assert facts(spark) == facts(pyspark)


def test_persistent_views(spark, pyspark, both):
    _clean(spark, pyspark)
    d, p = both(ROWS, SCHEMA)
    d.write.saveAsTable("cp_t")
    p.write.saveAsTable("cp_t")

    def facts(s):
        c = s.catalog
        s.sql("CREATE VIEW cp_v1 AS SELECT k, x * 2 AS twice FROM cp_t WHERE s IS NOT NULL")
        s.sql("CREATE VIEW IF NOT EXISTS cp_v1 AS SELECT 1")
        s.sql("CREATE VIEW cp_v2 (kk, ss) AS SELECT k, s FROM cp_t")
        s.sql("CREATE VIEW cp_v3 AS SELECT 1")
        s.sql("CREATE OR REPLACE VIEW cp_v3 AS SELECT 2 AS c, 'a' AS d")
        s.createDataFrame([(1,)], "a int").createOrReplaceTempView("cp_tmp")
        out = [_rows(s.table("cp_v1")), _rows(s.sql("SELECT * FROM cp_v2 WHERE kk > 1")),
               s.table("cp_v3").collect(), s.table("cp_v2").columns,
               s.table("cp_v1").schema.simpleString(),
               [tuple(t) for t in c.listTables(pattern="cp_*")],
               [tuple(t) for t in c.listViews(pattern="cp_v*")],
               tuple(c.getTable("cp_v1")), [tuple(col) for col in c.listColumns("cp_v3")],
               c.tableExists("cp_v1"), c.tableExists("default.cp_v2"),
               c.tableExists("spark_catalog.default.cp_v3"), c.tableExists("cp_v2", "default"),
               c.getTableProperties("cp_v1"), c.getCreateTableString("cp_v1"),
               _error(lambda: s.sql("CREATE VIEW cp_v1 AS SELECT 1")),
               _error(lambda: s.sql("CREATE VIEW cp_t AS SELECT 1")),
               _error(lambda: s.sql("CREATE OR REPLACE VIEW cp_t AS SELECT 1")),
               _error(lambda: s.sql("CREATE VIEW cp_vx AS SELECT * FROM cp_tmp")),
               _error(lambda: s.sql("CREATE VIEW cp_vx (a, b) AS SELECT 1")),
               _error(lambda: s.sql("DROP VIEW cp_t")),
               _error(lambda: c.dropView("cp_t")),
               _error(lambda: c.dropView("cp_nope")),
               _error(lambda: c.analyzeTable("cp_v1"))]
        c.dropView("cp_v1")
        c.dropView("cp_v1", ifExists=True)
        s.sql("DROP VIEW cp_v2")
        s.sql("DROP TABLE cp_v3")  # DROP TABLE drops a view too
        s.catalog.dropTempView("cp_tmp")
        out += [c.tableExists("cp_v1"), c.tableExists("cp_v2"), c.tableExists("cp_v3"),
                [t.name for t in c.listTables(pattern="cp_*")]]
        return out

    assert facts(spark) == facts(pyspark)


def test_table_properties_ddl_and_partitions(spark, pyspark):
    _clean(spark, pyspark)
    statements = [
        "CREATE TABLE cp_types (a BIGINT, b DOUBLE, c STRING, d ARRAY<INT>, e MAP<STRING, INT>, "
        "f STRUCT<x: INT, y: STRING>, g DECIMAL(10,2), h DATE, i TIMESTAMP, j BOOLEAN, "
        "`we ird` INT) USING parquet TBLPROPERTIES ('k2' = 'v2', 'a1' = 'b1')",
        "CREATE TABLE cp_parts (id INT, s STRING, p INT) USING parquet PARTITIONED BY (p)",
        "INSERT INTO cp_parts PARTITION (p = 1) SELECT 1, 'x'",
        "INSERT INTO cp_parts PARTITION (p = 2) SELECT NULL, NULL",
        "INSERT INTO cp_parts SELECT 3, 'z', NULL",
        "CREATE TABLE cp_t USING parquet AS SELECT 1 AS k",
    ]
    _on_both(spark, pyspark, *statements)

    def facts(s):
        c = s.catalog
        return [c.getTableProperties("cp_types"), c.getTableProperties("cp_parts"),
                c.getCreateTableString("cp_types"), c.getCreateTableString("cp_parts"),
                c.getCreateTableString("cp_t"),
                [tuple(x) for x in c.listPartitions("cp_parts")],
                s.sql("SHOW PARTITIONS cp_parts").collect(),
                _rows(s.table("cp_parts")),
                c.analyzeTable("cp_parts"), c.analyzeTable("cp_t", noScan=True),
                _error(lambda: c.listPartitions("cp_t")),
                _error(lambda: c.listPartitions("cp_nope")),
                _error(lambda: c.getTableProperties("cp_nope")),
                _error(lambda: c.getCreateTableString("cp_nope")),
                _error(lambda: c.analyzeTable("cp_nope")),
                _error(lambda: s.sql("INSERT INTO cp_parts PARTITION (q = 1) SELECT 1, 'x'")),
                _error(lambda: s.sql("INSERT INTO cp_parts PARTITION (p = 1) SELECT 1"))]

    assert facts(spark) == facts(pyspark)


def test_functions(spark, pyspark):
    from pyspark.sql import functions as PF

    from dfml.sql import functions as DF
    spark.udf.register("cp_udf", DF.udf(lambda v: v, "int"))
    pyspark.udf.register("cp_udf", PF.udf(lambda v: v, "int"))

    def facts(s):
        c = s.catalog
        return [c.functionExists("count"), c.functionExists("COUNT"), c.functionExists("cp_udf"),
                c.functionExists("default.count"), c.functionExists("nope_fn"),
                c.functionExists("spark_catalog.default.nope_fn"),
                [f.name for f in c.listFunctions(pattern="to_d*|abs")],
                [f.name for f in c.listFunctions(pattern="co?nt")],
                c.listFunctions(pattern="*not_existing_func*"),
                [(f.name, f.catalog, f.namespace, f.isTemporary)
                 for f in c.listFunctions(pattern="cp_udf|coalesce")],
                c.getFunction("abs").name, c.getFunction("ABS").isTemporary,
                _error(lambda: c.getFunction("nope_fn")),
                list(type(c.getFunction("abs"))._fields)]

    assert facts(spark) == facts(pyspark)
    spark_names = {f.name for f in pyspark.catalog.listFunctions()}
    listed = {f.name for f in spark.catalog.listFunctions()}
    assert listed - spark_names == set()  # every name dfml lists is one of Spark's
    assert {"abs", "count", "to_date", "explode", "cp_udf"} <= listed


def test_current_catalog(spark, pyspark):
    for s in (spark, pyspark):
        s.catalog.setCurrentCatalog("spark_catalog")
        assert s.catalog.currentCatalog() == "spark_catalog"
    assert "CATALOG_NOT_FOUND" in _error(lambda: spark.catalog.setCurrentCatalog("cp_other"))
    assert "CATALOG_NOT_FOUND" in _error(lambda: pyspark.catalog.setCurrentCatalog("cp_other"))


def test_session_members(spark, pyspark):
    from dfml.sql import SparkSession as D
    from pyspark.sql import SparkSession as P
    assert repr(D.builder.master("local")).split(" object")[0].replace("dfml", "pyspark") == \
        repr(P.builder.master("local")).split(" object")[0]
    assert D.builder is not D.builder and isinstance(D.builder, D.Builder)
    assert repr(spark.newSession()).startswith("<dfml.sql.session.SparkSession object ")
    assert repr(pyspark.newSession()).startswith("<pyspark.sql.session.SparkSession object ")

    def facts(s):
        child = s.newSession()
        s.createDataFrame([(1,)], "a int").createOrReplaceTempView("cp_only_parent")
        child.conf.set("spark.cp.key", "child")
        empty = s.emptyDataFrame("name STRING, age INT")
        return [child.catalog.tableExists("cp_only_parent"),
                s.conf.get("spark.cp.key", None), child.conf.get("spark.cp.key"),
                child.version == s.version, child is s,
                empty.schema.simpleString(), empty.count(),
                s.emptyDataFrame(empty.schema).columns,
                s.createDataFrame([{"name": "Alice", "age": 1, "b": 2.5},
                                   {"name": None, "age": None, "b": float("nan")}]).columns]

    try:
        assert facts(spark) == facts(pyspark)
    finally:
        for s in (spark, pyspark):
            s.catalog.dropTempView("cp_only_parent")


def test_table_valued_functions_print_as_spark(spark, pyspark, capsys):
    from pyspark.sql import functions as PF

    from dfml.sql import functions as DF

    def shown(s, F):
        t = s.tvf
        frames = [t.explode(F.array(F.lit(1), F.lit(None), F.lit(3))),
                  t.explode_outer(F.lit(None).cast("array<int>")),
                  t.posexplode(F.array(F.lit("a"), F.lit(None))),
                  t.posexplode_outer(F.lit(None).cast("array<double>")),
                  t.explode(F.create_map(F.lit("x"), F.lit(float("nan")))),
                  t.inline(F.array(F.struct(F.lit(1).alias("a"), F.lit(None).cast("string")
                                            .alias("b")))),
                  t.inline_outer(F.lit(None).cast("array<struct<a:int,b:string>>")),
                  t.stack(F.lit(2), F.lit(1), F.lit(2), F.lit(3), F.lit(4)),
                  t.range(2, 5)]
        for df in frames:
            df.show()
        return capsys.readouterr().out

    assert shown(spark, DF) == shown(pyspark, PF)
