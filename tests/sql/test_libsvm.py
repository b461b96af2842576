"""The libsvm data source: parsing as Spark parses, the size scan, line-aligned blocks,
compressed files, column pruning, errors, and writing."""

from __future__ import annotations

import gzip
import math
import os

import numpy as np
import pytest

from dfml.ml.linalg import DenseVector, SparseVector, Vectors
from dfml.sql import AnalysisException
from dfml.sql.errors import IllegalArgumentException, SparkException

TEXT = ("1 1:0.5 3:2.0\n"
        "0 2:-1.5e2 \n"
        "# a comment\n"
        "\n"
        "  +1 4:0\n"
        "-1\n"
        "2.5 1:1 2:2 3:3 4:4 10:1d\r\n")


def _write(tmp_path, text, name="data.txt"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def _vec(v):
    kind = "sparse" if isinstance(v, SparseVector) else "dense"
    return kind, v.size, v.toArray().tolist()


def test_reads_labels_and_sparse_features(spark, tmp_path, graphs):
    path = _write(tmp_path, TEXT)
    n = graphs()
    df = spark.read.format("libsvm").load(path)
    assert n.count == 1  # the scan for the number of features
    assert df.schema.simpleString() == "struct<label:double,features:vector>"
    rows = df.collect()
    assert [r.label for r in rows] == [1.0, 0.0, 1.0, -1.0, 2.5]
    f = [r.features for r in rows]
    assert all(isinstance(v, SparseVector) and v.size == 10 for v in f)
    assert f[0] == Vectors.sparse(10, [0, 2], [0.5, 2.0])
    assert f[1] == Vectors.sparse(10, [1], [-150.0])
    assert len(f[2].indices) == 0  # an explicit 0 is not stored, as in Spark
    assert f[4] == Vectors.sparse(10, [0, 1, 2, 3, 9], [1.0, 2.0, 3.0, 4.0, 1.0])


def test_num_features_option_skips_the_scan(spark, tmp_path, graphs):
    path = _write(tmp_path, TEXT)
    n = graphs()
    df = spark.read.format("libsvm").option("numFeatures", 20).load(path)
    assert n.count == 0
    assert {r.features.size for r in df.collect()} == {20}
    small = spark.read.format("libsvm").option("numFeatures", "3").load(path)
    with pytest.raises(SparkException, match="feature index 10 .* beyond numFeatures=3"):
        small.collect()
    # 0 or less means "not given": scan
    assert spark.read.format("libsvm").option("numFeatures", 0).load(path).first() \
        .features.size == 10


def test_dense_vector_type(spark, tmp_path):
    path = _write(tmp_path, TEXT)
    rows = spark.read.format("libsvm").option("vectorType", "dense").load(path).collect()
    assert all(isinstance(r.features, DenseVector) for r in rows)
    assert rows[0].features.toArray().tolist() == [0.5, 0, 2.0] + [0.0] * 7
    with pytest.raises(IllegalArgumentException, match="vectorType"):
        spark.read.format("libsvm").option("vectorType", "csr").load(path)


def test_java_number_spellings(spark, tmp_path):
    path = _write(tmp_path, "1 3:NaN 5:Infinity 7:1e400 8:-2.5f\n")
    (row,) = spark.read.format("libsvm").load(path).collect()
    v = row.features
    assert v.size == 8 and v.indices.tolist() == [2, 4, 6, 7]
    assert math.isnan(v[2]) and v[4] == math.inf and v[6] == math.inf and v[7] == -2.5
    for bad in ("1 3:inf\n", "1 3:1_0\n", "1_0 3:1\n", "abc 3:1\n", "1 x:1\n", "1 3\n",
                "1 3:1.0 # comment\n", "1 3:1.0\t4:1.0\n"):
        p = _write(tmp_path, bad, f"bad{abs(hash(bad))}.txt")
        with pytest.raises(SparkException):
            spark.read.format("libsvm").load(p)


@pytest.mark.parametrize("text,match", [
    ("1 0:1.0\n", "found current=-1, previous=-1"),
    ("1 3:1.0 2:1.0\n", "found current=1, previous=2"),
    ("1 3:1.0 3:2.0\n", "found current=2, previous=2"),
])
def test_indices_one_based_and_increasing(spark, tmp_path, text, match):
    path = _write(tmp_path, text)
    with pytest.raises(SparkException, match=match):
        spark.read.format("libsvm").load(path)
    df = spark.read.format("libsvm").option("numFeatures", 10).load(path)  # no scan: at the action
    with pytest.raises(SparkException, match=match):
        df.collect()


def _random_text(seed, n):
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        idx = np.sort(rng.choice(50, size=int(rng.integers(0, 8)), replace=False)) + 1
        vals = np.round(rng.normal(size=len(idx)), 3)
        lines.append(" ".join([str(float(rng.integers(0, 3)))] +
                              [f"{j}:{v}" for j, v in zip(idx, vals)]))
        if i % 37 == 0:
            lines.append("# comment")
    return "\n".join(lines) + "\n"


def test_blocks_split_on_line_boundaries(spark, tmp_path):
    text = _random_text(1, 400)
    path = _write(tmp_path, text)
    whole = spark.read.format("libsvm").option("numFeatures", 50).load(path)
    assert whole._frame.npartitions == 1
    spark.conf.set("spark.sql.files.maxPartitionBytes", "997")
    try:
        split = spark.read.format("libsvm").load(path)
        assert split._frame.npartitions == math.ceil(len(text.encode()) / 997)
        a = [(r.label, _vec(r.features)) for r in split.collect()]
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    b = [(r.label, _vec(r.features)) for r in whole.collect()]
    assert len(a) == 400 and a == b  # every line once, in file order


def test_directory_of_files_and_compressed_files(spark, tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    (d / "part-1.txt").write_text("1 1:1\n0 2:2\n")
    with gzip.open(d / "part-2.txt.gz", "wt") as fh:
        fh.write("1 5:5\n")
    (d / "_SUCCESS").write_text("")
    (d / ".hidden").write_text("garbage")
    df = spark.read.format("libsvm").load(str(d))
    rows = sorted((r.label, _vec(r.features)) for r in df.collect())
    assert rows == [(0.0, ("sparse", 5, [0, 2.0, 0, 0, 0])),
                    (1.0, ("sparse", 5, [0, 0, 0, 0, 5.0])),
                    (1.0, ("sparse", 5, [1.0, 0, 0, 0, 0]))]


def test_reading_only_the_label_prunes_the_features(spark, tmp_path):
    path = _write(tmp_path, TEXT)
    df = spark.read.format("libsvm").option("numFeatures", 10).load(path).select("label")
    expr = df._frame.optimize().expr
    reads = [e for e in expr.walk() if type(e).__name__ == "FromMapProjectable"]
    assert reads and list(reads[0].operand("columns")) == ["label"]
    assert [r.label for r in df.collect()] == [1.0, 0.0, 1.0, -1.0, 2.5]


def test_empty_input_needs_num_features(spark, tmp_path):
    path = _write(tmp_path, "# nothing\n\n")
    with pytest.raises(SparkException, match="numFeatures"):
        spark.read.format("libsvm").load(path)
    assert spark.read.format("libsvm").option("numFeatures", 4).load(path).count() == 0


def test_write_round_trip_and_text(spark, tmp_path, graphs):
    rows = [(1.0, Vectors.dense([0.0, 1.5, 0.0])), (0.0, Vectors.sparse(3, [0, 2], [0.0, 1e-7])),
            (2.0, Vectors.sparse(3, [], []))]
    df = spark.createDataFrame(rows, ["label", "features"])
    out = str(tmp_path / "out")
    n = graphs()
    df.coalesce(1).write.format("libsvm").save(out)
    assert n.count == 1
    parts = [f for f in os.listdir(out) if f.endswith(".libsvm")]
    assert len(parts) == 1 and os.path.exists(os.path.join(out, "_SUCCESS"))
    text = open(os.path.join(out, parts[0])).read()
    assert text == "1.0 1:0.0 2:1.5 3:0.0\n0.0 1:0.0 3:1.0E-7\n2.0\n"  # Spark's lines
    back = spark.read.format("libsvm").load(out).collect()
    assert [(r.label, r.features.toArray().tolist()) for r in back] == \
        [(1.0, [0.0, 1.5, 0.0]), (0.0, [0.0, 0.0, 1e-7]), (2.0, [0.0, 0.0, 0.0])]
    with pytest.raises(AnalysisException, match="PATH_ALREADY_EXISTS"):
        df.write.format("libsvm").save(out)
    df.write.mode("overwrite").format("libsvm").save(out)


@pytest.mark.parametrize("make", [
    lambda df: df.withColumn("x", df.label),
    lambda df: df.select("features", "label"),
    lambda df: df.select(df.label.cast("int").alias("label"), "features"),
])
def test_write_needs_label_and_vector(spark, tmp_path, graphs, make):
    df = spark.createDataFrame([(1.0, Vectors.dense([1.0]))], ["label", "features"])
    n = graphs()
    with pytest.raises(AnalysisException, match="Illegal schema for libsvm data"):
        make(df).write.format("libsvm").save(str(tmp_path / "o"))
    assert n.count == 0 and not os.path.exists(tmp_path / "o")


def test_unknown_format(spark, tmp_path):
    path = _write(tmp_path, TEXT)
    with pytest.raises(AnalysisException, match="DATA_SOURCE_NOT_FOUND"):
        spark.read.format("svmlight").load(path)
    df = spark.createDataFrame([(1.0,)], ["a"])
    with pytest.raises(AnalysisException, match="DATA_SOURCE_NOT_FOUND"):
        df.write.format("svmlight").save(str(tmp_path / "o"))
    assert spark.read.format("org.apache.spark.ml.source.libsvm").load(path).count() == 5


def test_fast_and_exact_parsers_agree():
    """Blocks of plain lines are converted by numpy in one call; a block with any other line
    is parsed token by token. Both give the same numbers, bit for bit."""
    from dfml.ml.source.libsvm import parse_libsvm
    rng = np.random.default_rng(4)
    lines = []
    for _ in range(300):
        idx = np.sort(rng.choice(100, size=int(rng.integers(0, 6)), replace=False)) + 1
        vals = rng.normal(size=len(idx)) * 10.0 ** rng.integers(-300, 300, len(idx))
        lines.append(" ".join([repr(float(rng.normal()))] +
                              [f"{j}:{float(v)!r}" for j, v in zip(idx, vals)]))
    fast = parse_libsvm("\n".join(lines))
    exact = parse_libsvm("\n".join(lines + ["0 1:1d"]))  # one Java-only spelling: exact path
    for a, b in zip(fast, exact):
        assert np.array_equal(a, b[:len(a)] if a.ndim else b)
    assert exact[0][-1] == 0.0 and exact[3][-1] == 1.0
