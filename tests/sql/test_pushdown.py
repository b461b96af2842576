"""Columns and filters reach the parquet reader: checked on dask's optimized expression."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dfml.sql import functions as F
from dfml.sql.explain import reads


@pytest.fixture(scope="module")
def parquet_path(tmp_path_factory):
    root = tmp_path_factory.mktemp("pushdown")
    for i in range(3):
        pq.write_table(pa.table({
            "a": pa.array([f"a{i}{j}" for j in range(10)], pa.string_view()),
            "b": pa.array(range(10), pa.int64()),
            "c": pa.array([float(j) for j in range(10)]),
            "x": pa.array([j + i for j in range(10)], pa.int32()),
        }), root / f"part-{i}.parquet")
    return str(root)


def test_filter_and_select_reach_the_read(spark, parquet_path):
    df = spark.read.parquet(parquet_path).filter(F.col("x") > 5).select("a", "x")
    [read] = reads(df._frame)
    assert set(read.columns) == {"a", "x"}
    assert ("x", ">", 5) in [f for conj in read.operand("filters") for f in conj]
    rows = df.collect()
    assert sorted(r.x for r in rows) == sorted(j + i for i in range(3) for j in range(10) if j + i > 5)
    assert all(set(r.asDict()) == {"a", "x"} for r in rows)


def test_conjunction_is_pushed_whole(spark, parquet_path):
    df = (spark.read.parquet(parquet_path)
          .filter((F.col("x") >= 3) & (F.col("b") < 8))
          .select("c"))
    [read] = reads(df._frame)
    assert set(read.columns) == {"c"}
    pushed = {f for conj in read.operand("filters") for f in conj}
    assert ("x", ">=", 3) in pushed and ("b", "<", 8) in pushed
    assert df.count() == sum(1 for i in range(3) for j in range(10) if j + i >= 3 and j < 8)


def test_projection_after_with_column(spark, parquet_path):
    df = spark.read.parquet(parquet_path).withColumn("y", F.col("b") * 2).select("y")
    [read] = reads(df._frame)
    assert read.columns == ["b"]


def test_explain_shows_columns_and_filters(spark, parquet_path, capsys):
    spark.read.parquet(parquet_path).filter(F.col("x") > 5).select("a", "x").explain()
    out = capsys.readouterr().out
    assert "columns=['a', 'x']" in out
    assert "('x', '>', 5)" in out


def test_narrow_read_keeps_a_partition_per_core(spark, tmp_path):
    """dask fuses the partitions of a read that projects few columns under a computation (here
    two files become one partition without dfml's floor); dfml stops it at defaultParallelism
    (2 here), or a two-file source ran every action on one core."""
    import numpy as np
    root = tmp_path / "wide"
    root.mkdir()
    for i in range(2):
        cols = {f"c{j}": pa.array(np.arange(50_000, dtype=np.float64) + j) for j in range(20)}
        pq.write_table(pa.table(cols), str(root / f"part-{i}.parquet"))
    df = spark.read.parquet(str(root)).select((F.col("c0") + 1).alias("d"))
    assert spark.defaultParallelism == 2
    assert df._frame.optimize().npartitions == 2
    assert df.agg(F.sum("d")).collect()[0][0] == 2 * float(np.arange(1, 50_001).sum())


def test_string_view_equality_filter_is_pushed_and_exact(spark, parquet_path):
    """Arrow cannot compare a ``string_view`` column with a string literal inside the scan; dfml's
    reader (and only dfml's: no process-wide patch of dask) re-filters after the scan."""
    df = spark.read.parquet(parquet_path).filter(F.col("a") == "a13").select("a", "b")
    [read] = reads(df._frame)
    assert ("a", "==", "a13") in [f for conj in read.operand("filters") for f in conj]
    assert [tuple(r) for r in df.collect()] == [("a13", 3)]
    narrow = spark.read.parquet(parquet_path).filter(F.col("a") == "a27").select("b")
    assert [r.b for r in narrow.collect()] == [7]


def test_dask_parquet_reader_is_not_patched():
    from dfml._dask_compat import ReadParquetPyarrowFS
    from dfml.sql.io.parquet import fragment_to_table
    assert ReadParquetPyarrowFS._fragment_to_table is not fragment_to_table
    assert ReadParquetPyarrowFS._fragment_to_table.__module__.startswith("dask.")


def test_a_window_step_reads_only_the_columns_it_needs(spark, parquet_path):
    """A Window step is opaque to dask's optimizer; dfml cuts its input to the columns the
    select list reads, so the others are neither read nor shuffled."""
    from dfml.sql import Window
    w = Window.partitionBy("a").orderBy("b")
    df = spark.read.parquet(parquet_path).select("a", F.row_number().over(w).alias("rn"))
    [read] = reads(df._frame)
    assert set(read.columns) == {"a", "b"}
    assert df.count() == spark.read.parquet(parquet_path).count()
