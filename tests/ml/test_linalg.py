"""Vectors print as Spark prints them and convert to matrices without per-row Python."""

import numpy as np
import pyarrow as pa
import pytest
import scipy.sparse as sp

from dfml.ml.linalg import (DenseVector, SparseVector, VectorUDT, Vectors, csr_to_arrow,
                            dense_to_arrow, to_matrix, vectors_to_arrow)


def test_printing_matches_pyspark():
    d = Vectors.dense([1.0, 0.0, 3.5])
    s = Vectors.sparse(4, [0, 2], [1.0, 3.0])
    assert str(d) == "[1.0,0.0,3.5]" and repr(d) == "DenseVector([1.0, 0.0, 3.5])"
    assert str(s) == "(4,[0,2],[1.0,3.0])" and repr(s) == "SparseVector(4, {0: 1.0, 2: 3.0})"
    assert Vectors.sparse(3, {2: 1.0, 0: 2.0}).indices.tolist() == [0, 2]


def test_vector_math_and_equality():
    s = SparseVector(3, [1], [2.0])
    assert s == DenseVector([0.0, 2.0, 0.0])
    assert s[1] == 2.0 and s[0] == 0.0 and s.numNonzeros() == 1
    assert s.dot(DenseVector([1.0, 1.0, 1.0])) == 2.0
    with pytest.raises(AssertionError, match="out of the size"):  # Spark's error type
        SparseVector(2, [5], [1.0])


def test_mixed_column_to_csr_and_back():
    arr = vectors_to_arrow([DenseVector([1.0, 0.0, 2.0]), SparseVector(3, [1], [5.0])])
    m = to_matrix(arr)
    assert sp.issparse(m)
    assert m.toarray().tolist() == [[1.0, 0.0, 2.0], [0.0, 5.0, 0.0]]
    back = csr_to_arrow(m)
    assert VectorUDT().deserialize(back[1].as_py()) == SparseVector(3, [1], [5.0])


def test_dense_column_is_one_buffer():
    m = np.arange(6, dtype=float).reshape(3, 2)
    arr = dense_to_arrow(m, mask=np.array([False, True, False]))
    assert arr.null_count == 1
    assert VectorUDT().deserialize(arr[2].as_py()) == DenseVector([4.0, 5.0])
    good = arr.filter(arr.is_valid())
    out = to_matrix(good)
    assert isinstance(out, np.ndarray) and out.tolist() == [[0.0, 1.0], [4.0, 5.0]]


def test_vector_columns_in_a_dataframe(spark, tmp_path):
    df = spark.createDataFrame([(1.0, Vectors.dense(1, 2)), (0.0, Vectors.sparse(2, [1], [3.0])),
                                (1.0, None)], ["label", "features"])
    assert df.schema["features"].dataType == VectorUDT()
    assert df.schema.simpleString() == "struct<label:double,features:vector>"
    df.write.parquet(str(tmp_path / "v"))
    back = spark.read.parquet(str(tmp_path / "v"))
    assert back.schema["features"].dataType == VectorUDT()
    rows = sorted(back.collect(), key=lambda r: (r.features is None, r.label))
    assert rows[0].features == Vectors.sparse(2, [1], [3.0])
    assert rows[1].features == Vectors.dense(1, 2) and rows[2].features is None


def test_show_prints_vectors_as_spark(spark, capsys):
    df = spark.createDataFrame([(Vectors.dense(1.0, 1e-5),), (Vectors.sparse(3, [2], [2.0]),)], ["v"])
    df.show()
    out = capsys.readouterr().out
    assert out.splitlines()[3:5] == ["| [1.0,1.0E-5]|", "|(3,[2],[2.0])|"]
    df.printSchema()
    assert " |-- v: vector (nullable = true)" in capsys.readouterr().out


def test_vector_functions(spark):
    from dfml.ml.functions import array_to_vector, vector_to_array
    df = spark.createDataFrame([(Vectors.sparse(3, [1], [2.0]),), (None,)], ["v"])
    rows = df.select(vector_to_array("v").alias("a")).collect()
    assert rows[0].a == [0.0, 2.0, 0.0] and rows[1].a is None
    back = df.select(vector_to_array("v").alias("a")).select(array_to_vector("a").alias("w")).collect()
    assert back[0].w == DenseVector([0.0, 2.0, 0.0])
    assert pa  # noqa
