"""Warehouse tables beyond what PySpark can be compared on: tables outlive the session, a
failed write leaves neither files nor a catalog entry, errors come before any graph runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from dfml.sql.tables import CATALOG_FILE, Warehouse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _frame(spark):
    return spark.createDataFrame([(1, "a", 2.0), (2, None, 3.5)], "k int, s string, x double")


def test_a_table_outlives_its_session(spark):
    spark.sql("DROP TABLE IF EXISTS tt_persist")
    _frame(spark).write.partitionBy("s").saveAsTable("tt_persist")
    warehouse = spark.conf.get("spark.sql.warehouse.dir")
    code = textwrap.dedent(f"""
        from dfml.sql import SparkSession
        s = SparkSession.builder.master("local[1]").config("spark.dfml.progress", "false") \\
            .config("spark.sql.warehouse.dir", {warehouse!r}).getOrCreate()
        t = s.table("tt_persist")
        print(t.columns, sorted(r.k for r in t.collect()), s.catalog.listColumns("tt_persist")[-1].isPartition)
        s.stop()
    """)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "['k', 'x', 's'] [1, 2] True"
    with open(os.path.join(warehouse, CATALOG_FILE)) as f:
        entry = json.load(f)["tables"]["tt_persist"]
    assert entry["format"] == "parquet" and entry["partitionBy"] == ["s"]


def test_a_failed_write_leaves_no_table_behind(spark):
    spark.sql("DROP TABLE IF EXISTS tt_failed")

    @F.udf("int")
    def boom(k):
        raise ValueError("no")

    with pytest.raises(Exception, match="no"):
        _frame(spark).withColumn("b", boom("k")).write.saveAsTable("tt_failed")
    warehouse = Warehouse(spark)
    assert warehouse.lookup("tt_failed") is None
    assert not os.path.exists(os.path.join(warehouse.root, "tt_failed"))
    assert not [n for n in os.listdir(warehouse.root) if "tt_failed" in n]


def test_a_failed_insert_keeps_the_old_rows(spark):
    spark.sql("DROP TABLE IF EXISTS tt_keep")
    _frame(spark).write.saveAsTable("tt_keep")
    bad = spark.createDataFrame([(2**40, "z", 1.0)], "k long, s string, x double")
    with pytest.raises(Exception, match="CAST_OVERFLOW_IN_TABLE_INSERT"):
        bad.write.insertInto("tt_keep", overwrite=True)
    assert sorted(r.k for r in spark.table("tt_keep").collect()) == [1, 2]


def test_errors_come_before_any_graph(spark, graphs):
    spark.sql("DROP TABLE IF EXISTS tt_err")
    df = _frame(spark)
    df.write.saveAsTable("tt_err")
    counter = graphs()
    with pytest.raises(AnalysisException, match="NOT_ENOUGH_DATA_COLUMNS"):
        df.select("k").write.insertInto("tt_err")
    with pytest.raises(AnalysisException, match="CANNOT_SAFELY_CAST"):
        df.select("s", "s", "x").write.insertInto("tt_err")
    with pytest.raises(AnalysisException, match="TABLE_OR_VIEW_ALREADY_EXISTS"):
        df.write.saveAsTable("tt_err")
    with pytest.raises(AnalysisException, match="TABLE_OR_VIEW_NOT_FOUND"):
        df.write.insertInto("tt_nope")
    with pytest.raises(AnalysisException, match="SCHEMA_NOT_FOUND"):
        df.write.saveAsTable("otherdb.tt_err")
    assert counter.count == 0


def test_a_stray_directory_is_not_taken_over(spark):
    spark.sql("DROP TABLE IF EXISTS tt_stray")
    root = Warehouse(spark).root
    os.makedirs(os.path.join(root, "tt_stray"), exist_ok=True)
    with pytest.raises(AnalysisException, match="LOCATION_ALREADY_EXISTS"):
        _frame(spark).write.saveAsTable("tt_stray")
    os.rmdir(os.path.join(root, "tt_stray"))


def test_reading_a_table_is_lazy_and_pushes_filters_down(spark):
    from dfml.sql.explain import reads
    spark.sql("DROP TABLE IF EXISTS tt_push")
    _frame(spark).write.saveAsTable("tt_push")
    q = spark.sql("select x from tt_push where k > 1")
    [read] = reads(q._frame)
    assert "s" not in read.columns and "x" in read.columns
    assert ("k", ">", 1) in [f for conj in read.operand("filters") for f in conj]
    assert [r.x for r in q.collect()] == [3.5]


def test_drop_table_removes_its_files(spark):
    spark.sql("DROP TABLE IF EXISTS tt_drop")
    _frame(spark).write.saveAsTable("tt_drop")
    root = Warehouse(spark).root
    assert os.path.isdir(os.path.join(root, "tt_drop"))
    spark.catalog.dropTable("tt_drop")
    assert not os.path.exists(os.path.join(root, "tt_drop"))
    assert not spark.catalog.tableExists("tt_drop")


def test_catalog_create_table_is_empty_and_typed(spark):
    spark.sql("DROP TABLE IF EXISTS tt_create")
    df = spark.catalog.createTable("tt_create", schema="a int, b array<string>")
    assert df.schema.simpleString() == "struct<a:int,b:array<string>>" and df.count() == 0
    spark.sql("INSERT INTO tt_create SELECT 1, array('x', 'y')")
    assert spark.table("tt_create").collect()[0].b == ["x", "y"]


def test_databases_views_and_properties_outlive_the_session(spark):
    """What Spark keeps only in a Hive metastore, dfml keeps in the catalog file: a new
    session (a new process) sees the databases, persistent views and table properties."""
    for q in ("DROP VIEW IF EXISTS tt_view", "DROP TABLE IF EXISTS tt_props",
              "DROP DATABASE IF EXISTS tt_db"):
        spark.sql(q)
    spark.sql("CREATE DATABASE tt_db COMMENT 'kept'")
    spark.sql("CREATE TABLE tt_props (k INT, p INT) USING parquet PARTITIONED BY (p) "
              "TBLPROPERTIES ('owner' = 'me')")
    spark.sql("INSERT INTO tt_props PARTITION (p = 7) SELECT 1")
    spark.sql("CREATE VIEW tt_view (kk) AS SELECT k + 1 FROM tt_props")
    warehouse = spark.conf.get("spark.sql.warehouse.dir")
    code = textwrap.dedent(f"""
        from dfml.sql import SparkSession
        s = SparkSession.builder.master("local[1]").config("spark.dfml.progress", "false") \\
            .config("spark.sql.warehouse.dir", {warehouse!r}).getOrCreate()
        c = s.catalog
        print(c.getDatabase("tt_db").description, c.getTableProperties("tt_props"),
              [p.partition for p in c.listPartitions("tt_props")],
              s.table("tt_view").collect(), c.getTable("tt_view").tableType)
        s.stop()
    """)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == \
        "kept {'owner': 'me'} ['p=7'] [Row(kk=2)] VIEW"
    with open(os.path.join(warehouse, CATALOG_FILE)) as f:
        stored = json.load(f)
    assert stored["views"]["tt_view"]["sql"] == "SELECT k + 1 FROM tt_props"
    assert stored["databases"]["tt_db"]["description"] == "kept"
    for q in ("DROP VIEW tt_view", "DROP TABLE tt_props", "DROP DATABASE tt_db"):
        spark.sql(q)  # the session (and its warehouse) is shared with other test modules


def test_tables_stay_in_the_default_database(spark):
    """dfml's tables live in ``default``: a name in another database that exists is refused
    clearly (not created in ``default``), one that does not is SCHEMA_NOT_FOUND as in Spark."""
    spark.sql("CREATE DATABASE IF NOT EXISTS tt_other")
    with pytest.raises(AnalysisException, match="UNSUPPORTED_FEATURE.*`tt_other`"):
        spark.sql("CREATE TABLE tt_other.t (a INT) USING parquet")
    with pytest.raises(AnalysisException, match="UNSUPPORTED_FEATURE"):
        spark.sql("USE tt_other")
    with pytest.raises(AnalysisException, match="SCHEMA_NOT_FOUND"):
        spark.sql("CREATE TABLE tt_nope.t (a INT) USING parquet")
    assert spark.catalog.currentDatabase() == "default"
    spark.sql("DROP DATABASE tt_other")
    assert not spark.catalog.databaseExists("tt_other")


def test_new_session_shares_the_cluster_not_the_views(spark):
    child = spark.newSession()
    spark.range(2).createOrReplaceTempView("tt_parent_view")
    try:
        assert child.client is spark.client and child is not spark
        assert not child.catalog.tableExists("tt_parent_view")
        child.conf.set("spark.tt.key", "child")
        assert spark.conf.get("spark.tt.key") is None
        assert child.range(3).count() == 3 and child.graphs_run == 1
    finally:
        spark.catalog.dropTempView("tt_parent_view")
