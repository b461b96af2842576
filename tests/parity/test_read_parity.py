"""The same files read by dfml and by PySpark: listing, mergeSchema, schema drift, parse modes,
compression and encodings give the same rows, or the same error class naming the same file."""

from __future__ import annotations

import bz2
import gzip
import os
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .helpers import assert_same


def put(path, table):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(table, path)


def write(path, data, opener=open):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with opener(path, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode())
    return path


def ints(*values, t=pa.int64()):
    return pa.table({"a": pa.array(values, t)})


def error_class(run):
    """The ``[ERROR_CLASS]`` an action raises, and its message."""
    with pytest.raises(Exception) as info:
        run()
    text = str(info.value)
    found = re.search(r"\[([A-Z_]+(?:\.[A-Z_]+)*)\]", text)
    return (found.group(1) if found else None), text


# ---------------------------------------------------------------- listing

def test_listing_reads_every_visible_file(spark, pyspark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/part-0.parquet", ints(1))
    put(f"{d}/data", ints(2))
    put(f"{d}/x.txt", ints(3))
    put(f"{d}/_hidden", ints(4))
    put(f"{d}/.dot.parquet", ints(5))
    put(f"{d}/_sub/f.parquet", ints(6))
    put(f"{d}/.sub/f.parquet", ints(7))
    put(f"{d}/plain/f.parquet", ints(8))
    write(f"{d}/_SUCCESS", b"")
    assert_same(spark.read.parquet(d), pyspark.read.parquet(d))
    assert_same(spark.read.option("recursiveFileLookup", "true").parquet(d),
                pyspark.read.option("recursiveFileLookup", "true").parquet(d))


# ---------------------------------------------------------------- mergeSchema and drift

@pytest.mark.parametrize("first, second", [
    (pa.table({"a": pa.array([1], pa.int64()), "b": ["x"]}),
     pa.table({"c": [1.5], "a": pa.array([2], pa.int64())})),
    (pa.table({"c": [1.5], "a": pa.array([2], pa.int64())}),
     pa.table({"a": pa.array([1], pa.int64()), "b": ["x"]})),
    (pa.table({"a": pa.array([None], pa.null())}), ints(7, t=pa.int32())),
])
def test_merge_schema(spark, pyspark, tmp_path, first, second):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", first)
    put(f"{d}/p2.parquet", second)
    assert_same(spark.read.option("mergeSchema", "true").parquet(d),
                pyspark.read.option("mergeSchema", "true").parquet(d))


def test_merge_schema_conflict(spark, pyspark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", ints(1, t=pa.int32()))
    put(f"{d}/p2.parquet", ints(2 ** 40))
    ours, _ = error_class(lambda: spark.read.option("mergeSchema", "true").parquet(d).collect())
    theirs, _ = error_class(lambda: pyspark.read.option("mergeSchema", "true").parquet(d).collect())
    assert ours == theirs == "CANNOT_MERGE_SCHEMAS"


@pytest.mark.parametrize("first, second", [
    (ints(1), pa.table({"a": ["s"]})),
    (pa.table({"a": ["s"]}), ints(1)),
    (ints(1, t=pa.int32()), ints(2 ** 40)),
    (pa.table({"a": pa.array([None, None], pa.null()), "k": [1, 2]}),
     pa.table({"a": pa.array([1], pa.int64()), "k": [3]})),
])
def test_schema_drift_error(spark, pyspark, tmp_path, first, second):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", first)
    put(f"{d}/p2.parquet", second)
    ours, our_text = error_class(lambda: spark.read.parquet(d).collect())
    theirs, their_text = error_class(lambda: pyspark.read.parquet(d).collect())
    assert ours == theirs == "FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH"
    assert "p2.parquet" in our_text and "p2.parquet" in their_text


@pytest.mark.parametrize("first, second", [
    (ints(2 ** 40), ints(1, t=pa.int32())),  # a narrower file reads widened
    (pa.table({"a": [1], "b": [1]}), pa.table({"a": [2]})),  # a missing column is null
    (pa.table({"a": [1]}), pa.table({"a": [2], "b": [2]})),  # an extra column is not read
])
def test_files_that_fit_the_first_schema(spark, pyspark, tmp_path, first, second):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", first)
    put(f"{d}/p2.parquet", second)
    assert_same(spark.read.parquet(d), pyspark.read.parquet(d))


# ---------------------------------------------------------------- CSV modes

RAGGED = "a,b,c\n1,2,3\n4,5\n6,7,8,9\nx,10,11\n"


@pytest.mark.parametrize("mode, schema, infer", [
    ("PERMISSIVE", "a INT, b INT, c INT", None),
    ("PERMISSIVE", "a INT, b INT, c INT, _corrupt_record STRING", None),
    ("DROPMALFORMED", "a INT, b INT, c INT", None),
    ("PERMISSIVE", None, None),
    ("DROPMALFORMED", None, None),
    ("PERMISSIVE", None, "true"),
    ("bogus", "a INT, b INT, c INT", None),
])
def test_csv_modes(spark, pyspark, tmp_path, mode, schema, infer):
    path = write(str(tmp_path / "r.csv"), RAGGED)

    def read(session):
        r = session.read.option("header", "true").option("mode", mode)
        if infer:
            r = r.option("inferSchema", infer)
        if schema:
            r = r.schema(schema)
        return r.csv(path)
    assert_same(read(spark), read(pyspark))


@pytest.mark.parametrize("multiline", ["false", "true"])
def test_csv_quoted_newline(spark, pyspark, tmp_path, multiline):
    path = write(str(tmp_path / "q.csv"), 'a,b\n\n1,"x\ny"\n\n2,z\n3,"w"\n')

    def read(session):
        return session.read.option("header", "true").option("multiLine", multiline) \
            .schema("a INT, b STRING, _corrupt_record STRING").csv(path)
    assert_same(read(spark), read(pyspark))


def test_csv_failfast(spark, pyspark, tmp_path):
    path = write(str(tmp_path / "r.csv"), RAGGED)

    def run(session):
        return lambda: session.read.option("header", "true").option("mode", "FAILFAST") \
            .schema("a INT, b INT, c INT").csv(path).collect()
    ours, our_text = error_class(run(spark))
    theirs, their_text = error_class(run(pyspark))
    assert ours == theirs == "FAILED_READ_FILE.NO_HINT"
    assert "r.csv" in our_text and "r.csv" in their_text


# ---------------------------------------------------------------- JSON modes

BAD_JSON = '{"a":1,"b":"x"}\n{"a":2,\n{"a":"3","b":"z"}\n\n{"a":4}\n[1,2]\n'


@pytest.mark.parametrize("mode, schema", [
    ("PERMISSIVE", None),
    ("DROPMALFORMED", None),
    ("PERMISSIVE", "a LONG, b STRING"),
    ("PERMISSIVE", "a LONG, b STRING, _corrupt_record STRING"),
    ("DROPMALFORMED", "a LONG, b STRING"),
])
def test_json_modes(spark, pyspark, tmp_path, mode, schema):
    path = write(str(tmp_path / "r.json"), BAD_JSON)

    def read(session):
        r = session.read.option("mode", mode)
        return (r.schema(schema) if schema else r).json(path)
    assert_same(read(spark), read(pyspark))


def test_json_failfast(spark, pyspark, tmp_path):
    path = write(str(tmp_path / "r.json"), BAD_JSON)
    ours, _ = error_class(lambda: spark.read.option("mode", "FAILFAST").json(path).collect())
    theirs, _ = error_class(lambda: pyspark.read.option("mode", "FAILFAST").json(path).collect())
    assert ours == theirs == "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION"
    with_schema = lambda s: lambda: s.read.schema("a LONG, b STRING").option("mode", "FAILFAST") \
        .json(path).collect()  # noqa: E731
    ours, our_text = error_class(with_schema(spark))
    theirs, _ = error_class(with_schema(pyspark))
    assert ours == theirs == "FAILED_READ_FILE.NO_HINT"
    assert "r.json" in our_text


# ---------------------------------------------------------------- compression and encoding

def test_compressed_files(spark, pyspark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/c/a.csv.gz", "a,b\n1,x\n2,y\n", gzip.open)
    write(f"{d}/c/b.csv.bz2", "a,b\n3,z\n", bz2.open)
    with pa.CompressedOutputStream(f"{d}/c/d.csv.zst", "zstd") as fh:
        fh.write(b"a,b\n5,v\n")
    write(f"{d}/j/a.json.gz", '{"a":1}\n{"a":2}\n', gzip.open)
    for session_read in (lambda s: s.read.option("header", "true").option("inferSchema", "true")
                         .csv(f"{d}/c"), lambda s: s.read.json(f"{d}/j")):
        assert_same(session_read(spark), session_read(pyspark))


def test_latin1_csv(spark, pyspark, tmp_path):
    path = write(str(tmp_path / "l1.csv"), "name,v\ncafé,1\nZürich,2\n".encode("latin-1"))
    for opts in ({"encoding": "ISO-8859-1"}, {"charset": "iso-8859-1"}, {}):
        assert_same(spark.read.option("header", "true").options(**opts).csv(path),
                    pyspark.read.option("header", "true").options(**opts).csv(path))


def test_text_source(spark, pyspark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/a.txt", "l1\r\n\nl3\n")
    write(f"{d}/b.txt.gz", "g1\ng2", gzip.open)
    assert_same(spark.read.text(d), pyspark.read.text(d))
    assert_same(spark.read.text(d, wholetext=True), pyspark.read.text(d, wholetext=True))
    path = write(f"{d}/s/x", "a;b;")
    assert_same(spark.read.text(path, lineSep=";"), pyspark.read.text(path, lineSep=";"))


def test_json_multiline(spark, pyspark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/one.json", '{\n  "a": 1,\n  "b": "x"\n}\n')
    write(f"{d}/many.json", '[\n {"a": 2},\n {"a": 3, "b": "y"}\n]\n')
    write(f"{d}/bad.json", '{\n  "a": 4,\n')
    assert_same(spark.read.option("multiLine", "true").json(d),
                pyspark.read.option("multiLine", "true").json(d))


@pytest.mark.parametrize("bad", ["README", "q.parquet"])  # first, or after a good file
def test_a_file_that_is_not_parquet(spark, pyspark, tmp_path, bad):
    d = str(tmp_path)
    write(f"{d}/{bad}", b"PAR1 not parquet PAR1")
    put(f"{d}/p.parquet", ints(1))
    ours, our_text = error_class(lambda: spark.read.parquet(d).collect())
    theirs, their_text = error_class(lambda: pyspark.read.parquet(d).collect())
    assert ours == theirs
    assert bad in our_text and bad in their_text


def test_partitioned_directories(spark, pyspark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/k=1/part", pa.table({"a": pa.array([1], pa.int64())}))
    put(f"{d}/k=2/part.parquet", pa.table({"a": pa.array([2], pa.int64()), "b": ["y"]}))
    put(f"{d}/k=2/.part.crc", pa.table({"a": pa.array([9], pa.int64())}))
    write(f"{d}/_SUCCESS", b"")
    assert_same(spark.read.parquet(d), pyspark.read.parquet(d))
    assert_same(spark.read.option("mergeSchema", "true").parquet(d),
                pyspark.read.option("mergeSchema", "true").parquet(d))


def test_csv_number_text(spark, pyspark, tmp_path):
    """Text at the edges of what an int or double column accepts."""
    ints_text = ["+3", " 7", "1_000", "3000000000", "0x1F", "-0", "12"]
    doubles_text = [" 1.5 ", "NaN", "Infinity", "-Infinity", "1e3", "1_0.5", "Inf", "-Inf", ".5"]
    lines = [f"{i},{d}" for i, d in zip(ints_text + ["1"] * 9, doubles_text + ["1.0"] * 7)]
    path = write(str(tmp_path / "n.csv"), "\n".join(lines) + "\n")

    def read(session):
        return session.read.schema("i INT, d DOUBLE, _corrupt_record STRING").csv(path)
    assert_same(read(spark), read(pyspark))


@pytest.mark.parametrize("column", [["1", "2"], ["1", "3000000000"], [" 1 ", "2"], ["1", "1.5"],
                                    ["1", "x"], ["true", "False"], ["2024-01-02", "2024-02-03"],
                                    ["1", ""], ["NaN", "1.0"]])
def test_csv_inferred_types(spark, pyspark, tmp_path, column):
    path = write(str(tmp_path / "t.csv"), "v\n" + "\n".join(column) + "\n")

    def read(session):
        return session.read.option("header", "true").option("inferSchema", "true").csv(path)
    assert_same(read(spark), read(pyspark))


def test_empty_files_are_skipped(spark, pyspark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/p/a_empty", b"")
    put(f"{d}/p/b.parquet", ints(1))
    assert_same(spark.read.parquet(f"{d}/p"), pyspark.read.parquet(f"{d}/p"))
    write(f"{d}/c/a.csv", b"")
    write(f"{d}/c/b.csv", "x,y\n1,2\n")
    assert_same(spark.read.option("header", "true").csv(f"{d}/c"),
                pyspark.read.option("header", "true").csv(f"{d}/c"))
