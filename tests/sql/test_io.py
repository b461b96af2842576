"""Reading and writing: types survive, modes behave as Spark's, writes are atomic."""

from __future__ import annotations

import datetime as dt
import decimal
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dfml.sql import AnalysisException, functions as F

ROWS = [
    (1, "a", 1.5, True, dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5), [1, 2]),
    (2, None, None, None, None, None, None),
    (3, "c,d", float("nan"), False, dt.date(1999, 12, 31), dt.datetime(2000, 1, 1), []),
]
SCHEMA = "id INT, s STRING, d DOUBLE, b BOOLEAN, day DATE, ts TIMESTAMP, xs ARRAY<INT>"


@pytest.fixture
def df(spark):
    return spark.createDataFrame(ROWS, SCHEMA)


def same_rows(a, b):
    def norm(r):
        return tuple("nan" if isinstance(v, float) and v != v else v for v in r)
    return sorted(map(norm, a), key=repr) == sorted(map(norm, b), key=repr)


def test_parquet_round_trip_keeps_types_and_nulls(spark, df, tmp_path):
    out = str(tmp_path / "t")
    df.write.parquet(out)
    back = spark.read.parquet(out)
    assert back.schema.simpleString() == df.schema.simpleString()
    assert same_rows(back.collect(), df.collect())
    names = sorted(os.listdir(out))
    assert "_SUCCESS" in names and all(n.startswith("part-") for n in names if n != "_SUCCESS")


def test_arrow_native_types_are_normalized(spark, tmp_path):
    path = tmp_path / "native.parquet"
    pq.write_table(pa.table({
        "s": pa.array(["x", None, "z"], pa.string_view()),
        "p": pa.array([decimal.Decimal("1.25"), None, decimal.Decimal("-3.50")], pa.decimal128(15, 2)),
        "d": pa.array([dt.date(2020, 1, 1), dt.date(2021, 6, 30), None], pa.date32()),
        "u": pa.array([1, 2, 3], pa.uint16()),
    }), path)
    df = spark.read.option("decimalAsDouble", True).parquet(str(path))  # the fast path
    assert df.dtypes == [("s", "string"), ("p", "double"), ("d", "date"), ("u", "smallint")]
    rows = df.filter(F.col("s").isNotNull()).orderBy("u").collect()
    assert [tuple(r) for r in rows] == [("x", 1.25, dt.date(2020, 1, 1), 1), ("z", -3.5, None, 3)]


def test_decimals_kept_when_asked(spark, tmp_path):
    path = tmp_path / "dec.parquet"
    pq.write_table(pa.table({"p": pa.array([decimal.Decimal("1.25")], pa.decimal128(15, 2))}), path)
    spark.conf.set("spark.dfml.parquet.decimalAsDouble", "false")
    try:
        df = spark.read.parquet(str(path))
        assert df.dtypes == [("p", "decimal(15,2)")]
        assert df.collect()[0].p == decimal.Decimal("1.25")
    finally:
        spark.conf.unset("spark.dfml.parquet.decimalAsDouble")


def test_mode_error_names_the_path(spark, df, tmp_path):
    out = str(tmp_path / "t")
    df.write.parquet(out)
    with pytest.raises(AnalysisException, match=r"PATH_ALREADY_EXISTS.*" + str(tmp_path / "t")):
        df.write.parquet(out)


def test_modes_overwrite_append_ignore(spark, df, tmp_path):
    out = str(tmp_path / "t")
    df.write.parquet(out)
    df.write.mode("append").parquet(out)
    assert spark.read.parquet(out).count() == 6
    df.limit(1).write.mode("overwrite").parquet(out)
    assert spark.read.parquet(out).count() == 1
    df.write.mode("ignore").parquet(out)
    assert spark.read.parquet(out).count() == 1


def test_unknown_mode_is_refused(df):
    with pytest.raises(ValueError, match="'sometimes'"):
        df.write.mode("sometimes")


def test_overwriting_the_source_is_refused_before_work(spark, df, tmp_path, graphs):
    out = str(tmp_path / "t")
    df.write.parquet(out)
    src = spark.read.parquet(out).filter(F.col("id") > 1)
    counter = graphs()
    with pytest.raises(AnalysisException, match=r"UNSUPPORTED_OVERWRITE.*" + str(tmp_path / "t")):
        src.write.mode("overwrite").parquet(out)
    assert counter.count == 0
    assert spark.read.parquet(out).count() == 3


def _fail_on_second_row(part):
    if (part["id"] == 2).any():
        raise RuntimeError("disk full")
    return part


def test_failed_write_leaves_nothing(spark, df, tmp_path):
    # one partition's task fails on a worker after others may have written their files
    failing = df._new(df.repartition(3)._frame.map_partitions(_fail_on_second_row,
                                                              meta=df._frame._meta))
    with pytest.raises(RuntimeError, match="disk full"):
        failing.write.parquet(str(tmp_path / "t"))
    assert os.listdir(tmp_path) == []


def test_failed_overwrite_keeps_the_old_data(spark, df, tmp_path):
    out = str(tmp_path / "t")
    df.write.parquet(out)
    failing = df._new(df._frame.map_partitions(_fail_on_second_row, meta=df._frame._meta))
    with pytest.raises(RuntimeError, match="disk full"):
        failing.write.mode("overwrite").parquet(out)
    assert sorted(os.listdir(tmp_path)) == ["t"]
    assert spark.read.parquet(out).count() == 3


def test_write_is_one_graph(spark, df, tmp_path, graphs):
    counter = graphs()
    df.write.parquet(str(tmp_path / "t"))
    assert counter.count == 1


def test_partition_by_round_trip(spark, tmp_path):
    df = spark.createDataFrame([(1, "x", 10), (2, "y", 20), (3, "x", 30), (4, None, 40)],
                               "id INT, k STRING, v INT")
    out = str(tmp_path / "p")
    df.write.partitionBy("k").parquet(out)
    assert sorted(os.listdir(out)) == ["_SUCCESS", "k=__HIVE_DEFAULT_PARTITION__", "k=x", "k=y"]
    back = spark.read.parquet(out)
    assert back.columns == ["id", "v", "k"]
    assert sorted(tuple(r) for r in back.select("id", "k", "v").collect()) == \
        sorted(tuple(r) for r in df.collect())


def test_csv_round_trip_with_header(spark, df, tmp_path):
    out = str(tmp_path / "c")
    df.drop("xs").write.csv(out, header=True)
    text = "".join(open(os.path.join(out, f)).read() for f in sorted(os.listdir(out)) if f.endswith(".csv"))
    assert "1,a,1.5,true,2024-01-02" in text
    back = spark.read.csv(out, header=True, inferSchema=True)
    assert back.dtypes[:4] == [("id", "int"), ("s", "string"), ("d", "double"), ("b", "boolean")]
    assert back.filter(F.col("id") == 3).first().s == "c,d"


def test_csv_without_schema_inference_is_strings(spark, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("1,x\n2,y\n")
    df = spark.read.csv(str(path))
    assert df.dtypes == [("_c0", "string"), ("_c1", "string")]
    assert [tuple(r) for r in df.collect()] == [("1", "x"), ("2", "y")]


def test_json_round_trip(spark, df, tmp_path):
    out = str(tmp_path / "j")
    df.select("id", "s", "b", "xs").write.json(out)
    back = spark.read.json(out)
    assert back.columns == ["b", "id", "s", "xs"]  # inferred JSON fields come sorted by name
    assert back.dtypes == [("b", "boolean"), ("id", "bigint"), ("s", "string"), ("xs", "array<bigint>")]
    got = {r.id: (r.s, r.b, r.xs) for r in back.collect()}
    assert got == {1: ("a", True, [1, 2]), 2: (None, None, None), 3: ("c,d", False, [])}


def test_missing_path_is_named(spark, tmp_path):
    with pytest.raises(AnalysisException, match=r"PATH_NOT_FOUND.*nowhere"):
        spark.read.parquet(str(tmp_path / "nowhere"))


def test_format_load_and_save(spark, df, tmp_path):
    out = str(tmp_path / "f")
    df.select("id").write.format("parquet").mode("overwrite").save(out)
    assert spark.read.format("parquet").load(out).count() == 3


def test_a_projection_of_literals_keeps_every_row(spark, tmp_path):
    """A select that reads no column of the files (only literals) still has one row per row:
    dask fuses small reads, and Arrow's concat of column-less tables used to lose them all."""
    for i in range(3):
        pq.write_table(pa.table({"id": list(range(i * 4, i * 4 + 4))}), tmp_path / f"part-{i}.parquet")
    df = spark.read.parquet(str(tmp_path))
    assert df.select(F.lit(1.5).alias("x")).collect() == [(1.5,)] * 12
    assert df.select((F.lit(1) + 1).alias("y")).count() == 12
    assert len(df.select(F.lit("a")).toPandas()) == 12


def test_partition_ids_after_a_keyed_repartition_of_parquet(spark, tmp_path):
    """Each parquet file labels its rows from 0; after ``repartition(n, col)`` a column computed
    from the shuffled rows must still line up with them (it failed with "cannot reindex on an
    axis with duplicate labels" under ``distinct``, as in PySpark's repartition docstring)."""
    from dfml.sql import functions as F
    path = str(tmp_path / "p")
    spark.createDataFrame([(i, f"n{i}") for i in range(64)], "id long, name string") \
        .repartition(9).write.parquet(path)
    df = spark.read.parquet(path).withColumn("age", F.col("id") - 32)
    parts = df.repartition(7, "age").select(F.spark_partition_id().alias("p")).distinct()
    got = sorted(r.p for r in parts.collect())
    assert got and set(got) <= set(range(7)) and len(got) == len(set(got))
    ranged = spark.range(0, 64, 1, 9).repartition(7, "id").select(F.spark_partition_id().alias("p"))
    assert ranged.distinct().count() <= 7
