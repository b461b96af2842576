"""Reading files the world hands over: Spark's listing rules, mergeSchema, schema drift named,
CSV/JSON parse modes, compression by extension, encodings, and errors that name the file."""

from __future__ import annotations

import bz2
import gzip
import logging
import lzma
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dfml.sql import AnalysisException
from dfml.sql.errors import IllegalArgumentException, SparkException
from dfml.sql.io.files import FileReadError
from dfml.sql.task_logs import QuietTaskFailures


def put(path, table):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(table, path)
    return path


def write(path, data, opener=open):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with opener(path, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode())
    return path


def col(spark_df, name):
    return sorted((r[name] for r in spark_df.collect()), key=lambda v: (v is None, v))


def ints(*values, t=pa.int64()):
    return pa.table({"a": pa.array(values, t)})


# ---------------------------------------------------------------- listing

def test_parquet_reads_every_visible_file_whatever_its_name(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/part-0.parquet", ints(1))
    put(f"{d}/data", ints(2))
    put(f"{d}/x.txt", ints(3))
    put(f"{d}/_hidden", ints(4))
    put(f"{d}/.dot.parquet", ints(5))
    put(f"{d}/_tmp/f.parquet", ints(6))
    put(f"{d}/.sub/f.parquet", ints(7))
    write(f"{d}/_SUCCESS", b"")
    assert col(spark.read.parquet(d), "a") == [1, 2, 3]


def test_plain_subdirectories_are_read_only_with_recursive_file_lookup(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/a.parquet", ints(1))
    put(f"{d}/sub/b", ints(2))
    assert col(spark.read.parquet(d), "a") == [1]
    assert col(spark.read.option("recursiveFileLookup", "true").parquet(d), "a") == [1, 2]


def test_partition_directories_read_files_without_extension(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/k=1/part", ints(1))
    put(f"{d}/k=2/part.parquet", ints(2))
    rows = sorted(tuple(r) for r in spark.read.parquet(d).collect())
    assert rows == [(1, 1), (2, 2)]


def test_csv_listing_skips_hidden_and_reads_any_extension(spark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/a.csv", "1\n")
    write(f"{d}/b.data", "2\n")
    write(f"{d}/.c.csv", "3\n")
    write(f"{d}/_SUCCESS", "")
    assert col(spark.read.csv(d), "_c0") == ["1", "2"]


# ---------------------------------------------------------------- mergeSchema

def test_merge_schema_option_keeps_columns_of_some_files(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", pa.table({"a": pa.array([1], pa.int64()), "b": ["x"]}))
    put(f"{d}/p2.parquet", pa.table({"c": [1.5], "a": pa.array([2], pa.int64())}))
    df = spark.read.option("mergeSchema", "true").parquet(d)
    assert df.dtypes == [("a", "bigint"), ("b", "string"), ("c", "double")]
    assert sorted(tuple(r) for r in df.collect()) == [(1, "x", None), (2, None, 1.5)]
    assert spark.read.parquet(d).columns == ["a", "b"]  # without it: the first file's schema


def test_merge_schema_conf(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", pa.table({"a": pa.array([1], pa.int64())}))
    put(f"{d}/p2.parquet", pa.table({"a": pa.array([2], pa.int64()), "z": ["q"]}))
    spark.conf.set("spark.sql.parquet.mergeSchema", "true")
    try:
        assert spark.read.parquet(d).columns == ["a", "z"]
        assert spark.read.option("mergeSchema", "false").parquet(d).columns == ["a"]
    finally:
        spark.conf.unset("spark.sql.parquet.mergeSchema")


def test_merge_schema_refuses_two_types_for_one_column(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", ints(1, t=pa.int32()))
    put(f"{d}/p2.parquet", ints(2 ** 40))
    with pytest.raises(AnalysisException, match=r"CANNOT_MERGE_SCHEMAS.*`a` is int.*p2.parquet and bigint"):
        spark.read.option("mergeSchema", "true").parquet(d)


def test_merge_schema_null_column_merges_with_int(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", pa.table({"a": pa.array([None], pa.null())}))
    put(f"{d}/p2.parquet", ints(7, t=pa.int32()))
    df = spark.read.option("mergeSchema", "true").parquet(d)
    assert df.dtypes == [("a", "int")]
    assert col(df, "a") == [7, None]


def test_merge_schema_on_partitioned_directories(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/k=1/p.parquet", pa.table({"a": pa.array([1], pa.int64())}))
    put(f"{d}/k=2/p.parquet", pa.table({"a": pa.array([2], pa.int64()), "b": ["y"]}))
    df = spark.read.option("mergeSchema", "true").parquet(d)
    assert df.columns == ["a", "b", "k"]
    assert sorted(tuple(r) for r in df.collect()) == [(1, None, 1), (2, "y", 2)]


# ---------------------------------------------------------------- drift without mergeSchema

@pytest.mark.parametrize("first, second, expected, stored", [
    (ints(1), pa.table({"a": ["s"]}), "bigint", "BINARY"),
    (pa.table({"a": ["s"]}), ints(1), "string", "INT64"),
    (ints(1, t=pa.int32()), ints(2 ** 40), "int", "INT64"),
    (pa.table({"a": pa.array([None], pa.null())}), ints(5), "int", "INT64"),
])
def test_schema_drift_names_file_column_and_types(spark, tmp_path, first, second, expected, stored):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", first)
    put(f"{d}/p2.parquet", second)
    df = spark.read.parquet(d)
    with pytest.raises(SparkException) as info:
        df.collect()
    err = info.value
    assert isinstance(err, FileReadError)
    assert err.getErrorClass() == "FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH"
    assert err.path.endswith("p2.parquet") and err.column == "a"
    msg = str(err)
    assert "p2.parquet" in msg and "`a`" in msg and expected in msg and stored in msg


def test_drift_on_a_partitioned_read_is_named_too(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/k=1/p.parquet", ints(1))
    put(f"{d}/k=2/p.parquet", pa.table({"a": ["s"]}))
    with pytest.raises(FileReadError, match=r"PARQUET_COLUMN_DATA_TYPE_MISMATCH.*k=2.*`a`"):
        spark.read.parquet(d).collect()


def test_narrower_file_after_wider_one_reads_widened(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", ints(2 ** 40))
    put(f"{d}/p2.parquet", ints(1, t=pa.int32()))
    df = spark.read.parquet(d)
    assert df.dtypes == [("a", "bigint")]
    assert col(df, "a") == [1, 2 ** 40]


def test_drift_in_an_unread_column_does_not_fail_and_filters_still_push_down(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", pa.table({"a": pa.array([1, 2], pa.int64()), "b": pa.array([1, 2], pa.int64())}))
    put(f"{d}/p2.parquet", pa.table({"a": pa.array([3], pa.int64()), "b": ["s"]}))
    df = spark.read.parquet(d)
    assert col(df.filter(df.a > 1).select("a"), "a") == [2, 3]


# ---------------------------------------------------------------- CSV modes

RAGGED = "a,b,c\n1,2,3\n4,5\n6,7,8,9\nx,10,11\n"


@pytest.fixture
def ragged(tmp_path):
    return write(str(tmp_path / "r.csv"), RAGGED)


def rows(df):
    return sorted((tuple(r) for r in df.collect()), key=repr)


def test_csv_permissive_nulls_and_corrupt_column(spark, ragged):
    schema = "a INT, b INT, c INT, _corrupt_record STRING"
    df = spark.read.option("header", "true").schema(schema).csv(ragged)
    assert rows(df) == sorted([(1, 2, 3, None), (4, 5, None, "4,5"), (6, 7, 8, "6,7,8,9"),
                               (None, 10, 11, "x,10,11")], key=repr)
    plain = spark.read.option("header", "true").schema("a INT, b INT, c INT").csv(ragged)
    assert rows(plain) == sorted([(1, 2, 3), (4, 5, None), (6, 7, 8), (None, 10, 11)], key=repr)


def test_csv_custom_corrupt_column_name(spark, ragged):
    df = spark.read.option("header", "true").option("columnNameOfCorruptRecord", "bad") \
        .schema("a INT, b INT, c INT, bad STRING").csv(ragged)
    assert [r.bad for r in df.collect() if r.bad] == ["4,5", "6,7,8,9", "x,10,11"]


def test_csv_corrupt_column_must_be_a_string(spark, ragged):
    with pytest.raises(AnalysisException, match="INVALID_CORRUPT_RECORD_TYPE"):
        spark.read.schema("a INT, _corrupt_record INT").csv(ragged)


def test_csv_dropmalformed(spark, ragged):
    df = spark.read.option("header", "true").option("mode", "DROPMALFORMED") \
        .schema("a INT, b INT, c INT").csv(ragged)
    assert rows(df) == [(1, 2, 3)]
    strings = spark.read.option("header", "true").option("mode", "dropmalformed").csv(ragged)
    assert rows(strings) == [("1", "2", "3"), ("x", "10", "11")]


def test_csv_failfast_names_file_and_line(spark, ragged):
    df = spark.read.option("header", "true").option("mode", "FAILFAST").schema("a INT, b INT, c INT").csv(ragged)
    with pytest.raises(FileReadError, match=r"r\.csv.*MALFORMED_RECORD_IN_PARSING.*line 3 of .*r\.csv: '4,5'"):
        df.collect()


def test_csv_failfast_names_the_column_that_does_not_parse(spark, tmp_path):
    path = write(str(tmp_path / "b.csv"), "1,2\n3,x\n")
    df = spark.read.option("mode", "FAILFAST").schema("a INT, b INT").csv(path)
    with pytest.raises(FileReadError, match=r"line 2 .*column `b`: 'x' is not int") as info:
        df.collect()
    assert info.value.column == "b" and info.value.path.endswith("b.csv")


def test_json_failfast_names_the_field(spark, tmp_path):
    path = write(str(tmp_path / "b.json"), '{"a":1}\n{"a":"x"}\n')
    df = spark.read.option("mode", "FAILFAST").schema("a LONG").json(path)
    with pytest.raises(FileReadError, match=r"line 2 .*field `a` is not bigint") as info:
        df.collect()
    assert info.value.column == "a"


def test_csv_unknown_mode_is_permissive(spark, ragged):
    df = spark.read.option("header", "true").option("mode", "bogus").schema("a INT, b INT, c INT").csv(ragged)
    assert len(df.collect()) == 4


def test_csv_inference_sees_every_column_of_ragged_rows(spark, tmp_path):
    path = write(str(tmp_path / "r.csv"), "a,b\n1,2\n3\n")
    df = spark.read.option("header", "true").option("inferSchema", "true").csv(path)
    assert df.dtypes == [("a", "int"), ("b", "int")]
    assert rows(df) == [(1, 2), (3, None)]


def test_csv_blank_lines_are_skipped_and_quoted_newlines_need_multiline(spark, tmp_path):
    path = write(str(tmp_path / "q.csv"), 'a,b\n\n1,"x\ny"\n\n2,z\n')
    reader = spark.read.option("header", "true").schema("a INT, b STRING, _corrupt_record STRING")
    assert rows(reader.option("multiLine", "true").csv(path)) == [(1, "x\ny", None), (2, "z", None)]
    # as in Spark, without multiLine a record is one line
    assert rows(reader.option("multiLine", "false").csv(path)) == sorted(
        [(1, "x", None), (None, None, 'y"'), (2, "z", None)], key=repr)


# ---------------------------------------------------------------- JSON modes

BAD_JSON = '{"a":1,"b":"x"}\n{"a":2,\n{"a":"3","b":"z"}\n\n{"a":4}\n'


@pytest.fixture
def bad_json(tmp_path):
    return write(str(tmp_path / "r.json"), BAD_JSON)


def test_json_permissive_inferred_gains_corrupt_record(spark, bad_json):
    df = spark.read.json(bad_json)
    assert df.columns == ["_corrupt_record", "a", "b"]
    assert rows(df) == sorted([(None, "1", "x"), ('{"a":2,', None, None), (None, "3", "z"),
                               (None, "4", None)], key=repr)


def test_json_no_corrupt_column_when_every_line_parses(spark, tmp_path):
    path = write(str(tmp_path / "ok.json"), '{"a":1}\n{"a":2}\n')
    assert spark.read.json(path).columns == ["a"]


def test_json_dropmalformed_and_failfast_inferred(spark, bad_json):
    df = spark.read.option("mode", "DROPMALFORMED").json(bad_json)
    assert df.columns == ["a", "b"]
    assert rows(df) == sorted([("1", "x"), ("3", "z"), ("4", None)], key=repr)
    with pytest.raises(SparkException, match=r"MALFORMED_RECORD_IN_PARSING.*line 2"):
        spark.read.option("mode", "FAILFAST").json(bad_json)


def test_json_with_schema_type_mismatch_is_malformed(spark, bad_json):
    schema = "a LONG, b STRING, _corrupt_record STRING"
    df = spark.read.schema(schema).json(bad_json)
    assert rows(df) == sorted([(1, "x", None), (None, None, '{"a":2,'),
                               (None, "z", '{"a":"3","b":"z"}'), (4, None, None)], key=repr)
    dropped = spark.read.schema("a LONG, b STRING").option("mode", "DROPMALFORMED").json(bad_json)
    assert rows(dropped) == [(1, "x"), (4, None)]
    failing = spark.read.schema("a LONG, b STRING").option("mode", "FAILFAST").json(bad_json)
    with pytest.raises(FileReadError, match=r"r\.json.*line 2"):
        failing.collect()


def test_json_non_object_lines_are_corrupt_and_arrays_of_objects_are_rows(spark, tmp_path):
    path = write(str(tmp_path / "a.json"), '[1,2]\n{"a":1}\n"str"\n[{"a":2},{"a":3}]\n')
    df = spark.read.json(path)
    assert rows(df) == sorted([("[1,2]", None), (None, 1), ('"str"', None), (None, 2), (None, 3)],
                              key=repr)


def test_json_corrupt_name_from_session_conf(spark, bad_json):
    spark.conf.set("spark.sql.columnNameOfCorruptRecord", "oops")
    try:
        assert spark.read.json(bad_json).columns == ["a", "b", "oops"]
    finally:
        spark.conf.unset("spark.sql.columnNameOfCorruptRecord")


# ---------------------------------------------------------------- compression and encoding

def test_compressed_csv_by_extension(spark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/a.csv.gz", "a,b\n1,x\n2,y\n", gzip.open)
    write(f"{d}/b.csv.bz2", "a,b\n3,z\n", bz2.open)
    write(f"{d}/c.csv.xz", "a,b\n4,w\n", lzma.open)
    with pa.CompressedOutputStream(f"{d}/d.csv.zst", "zstd") as fh:
        fh.write(b"a,b\n5,v\n")
    df = spark.read.option("header", "true").option("inferSchema", "true").csv(d)
    assert df.dtypes == [("a", "int"), ("b", "string")]
    assert rows(df) == [(1, "x"), (2, "y"), (3, "z"), (4, "w"), (5, "v")]


def test_compressed_json(spark, tmp_path):
    path = write(str(tmp_path / "a.json.gz"), '{"a":1}\n{"a":2}\n', gzip.open)
    assert col(spark.read.json(path), "a") == [1, 2]


def test_latin1_csv_with_encoding_and_charset(spark, tmp_path):
    path = write(str(tmp_path / "l1.csv"), "name,v\ncafé,1\nZürich,2\n".encode("latin-1"))
    for key in ("encoding", "charset"):
        df = spark.read.option("header", "true").option(key, "ISO-8859-1").csv(path)
        assert col(df, "name") == ["Zürich", "café"]
    # without the option the bytes that are not UTF-8 read as U+FFFD, as in Spark
    assert col(spark.read.option("header", "true").csv(path), "name") == ["Z\ufffdrich", "caf\ufffd"]


def test_unknown_charset_is_refused(spark, tmp_path):
    path = write(str(tmp_path / "x.csv"), "a\n")
    with pytest.raises(IllegalArgumentException, match=r"INVALID_PARAMETER_VALUE.CHARSET.*latin1"):
        spark.read.option("charset", "latin1").csv(path)


# ---------------------------------------------------------------- errors inside read tasks

def test_unreadable_parquet_file_is_named(spark, tmp_path):
    d = str(tmp_path)
    put(f"{d}/p1.parquet", ints(1))
    write(f"{d}/p2.parquet", b"PAR1 this is not parquet at all PAR1")
    with pytest.raises(FileReadError, match=r"FAILED_READ_FILE.NO_HINT.*p2\.parquet"):
        spark.read.parquet(f"{d}/p1.parquet", f"{d}/p2.parquet").collect()


def test_file_deleted_after_planning_is_named(spark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/a.csv", "1\n")
    gone = write(f"{d}/b.csv", "2\n")
    df = spark.read.csv(d)
    os.remove(gone)
    with pytest.raises(FileReadError, match=r"FILE_NOT_EXIST.*b\.csv"):
        df.collect()


def test_worker_does_not_log_a_task_failure_the_action_raises(spark):
    def record(exc_text):
        return logging.LogRecord("distributed.worker", logging.ERROR, __file__, 1,
                                 "Compute Failed\nKey: %s\nState: %s\nTask: %s\nException: %r\n"
                                 "Traceback: %r\n", ("k", "executing", "t", exc_text, "tb"), None)
    quiet = QuietTaskFailures()
    assert not quiet.filter(record("FileReadError('[FAILED_READ_FILE.NO_HINT] ...')"))
    assert not quiet.filter(record("ZeroDivisionError('division by zero')"))
    other = logging.LogRecord("distributed.worker", logging.ERROR, __file__, 1, "other %s", ("x",), None)
    assert quiet.filter(other)
    installed = spark.client.run(lambda: any(
        type(f).__name__ == "QuietTaskFailures" for f in logging.getLogger("distributed.worker").filters))
    # every worker has it from the start (the session's worker setup imports the reader)
    assert installed and all(installed.values())


def test_text_source_lines_and_compression(spark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/a.txt", "l1\r\n\nl3\n")
    write(f"{d}/b.txt.gz", "g1\ng2", gzip.open)
    assert spark.read.text(d).columns == ["value"]
    assert col(spark.read.text(d), "value") == ["", "g1", "g2", "l1", "l3"]
    assert col(spark.read.text(d, wholetext=True), "value") == ["g1\ng2", "l1\r\n\nl3\n"]
    assert col(spark.read.format("text").option("lineSep", ";").load(
        write(f"{d}/s/x", "a;b;")), "value") == ["a", "b"]


def test_json_multiline_documents(spark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/one.json", '{\n  "a": 1,\n  "b": "x"\n}\n')
    write(f"{d}/many.json", '[\n {"a": 2},\n {"a": 3, "b": "y"}\n]\n')
    df = spark.read.option("multiLine", "true").json(d)
    assert df.columns == ["a", "b"]
    assert rows(df) == sorted([(1, "x"), (2, None), (3, "y")], key=repr)


def test_a_file_that_is_not_parquet_is_named_while_planning(spark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/README", "not parquet")
    put(f"{d}/p.parquet", ints(1))
    with pytest.raises(FileReadError, match=r"FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER.*README"):
        spark.read.parquet(d)


def test_latin1_json_with_encoding(spark, tmp_path):
    path = write(str(tmp_path / "l1.json"), '{"n":"café"}\n'.encode("latin-1"))
    assert col(spark.read.option("encoding", "ISO-8859-1").json(path), "n") == ["café"]


def test_empty_files_in_a_directory_are_skipped(spark, tmp_path):
    d = str(tmp_path)
    write(f"{d}/p/a_empty", b"")
    put(f"{d}/p/b.parquet", ints(1))
    assert col(spark.read.parquet(f"{d}/p"), "a") == [1]
    write(f"{d}/c/a.csv", b"")
    write(f"{d}/c/b.csv", "x,y\n1,2\n")
    assert rows(spark.read.option("header", "true").csv(f"{d}/c")) == [("1", "2")]
