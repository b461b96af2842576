"""Normalizer, ElementwiseProduct, PolynomialExpansion, VectorSlicer, Interaction: values, row
forms (dense stays dense, sparse stays sparse), Spark's term orders, nulls, persistence and
early errors."""

import math

import numpy as np
import pytest

from dfml.ml.feature import (ElementwiseProduct, Interaction, Normalizer, PolynomialExpansion,
                             VectorAssembler, VectorSlicer)
from dfml.ml.feature.vector_ops import output_size, poly_terms, row_kron
from dfml.ml.linalg import DenseVector, SparseVector, Vectors, VectorUDT
from dfml.sql import types as T
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException

INF, NAN = math.inf, math.nan


@pytest.fixture
def vecs(spark):
    schema = T.StructType([T.StructField("id", T.LongType()), T.StructField("v", VectorUDT())])
    rows = [(0, Vectors.dense([3.0, -4.0, 0.0])), (1, Vectors.sparse(3, [0, 2], [1.0, 0.0])),
            (2, Vectors.dense([0.0, 0.0, 0.0])), (3, None), (4, Vectors.sparse(3, [], [])),
            (5, Vectors.dense([2.0, 3.0, 5.0]))]
    return spark.createDataFrame(rows, schema)


def _out(df, col="o"):
    return [getattr(r, col) for r in df.orderBy("id").collect()]


def _eq(a, b):
    return type(a) is type(b) and str(a) == str(b)


# -- Normalizer -------------------------------------------------------------------------------

@pytest.mark.parametrize("p,first", [(1.0, [3 / 7, -4 / 7, 0.0]), (2.0, [0.6, -0.8, 0.0]),
                                     (INF, [0.75, -1.0, 0.0])])
def test_normalizer(vecs, p, first):
    out = _out(Normalizer(p=p, inputCol="v", outputCol="o").transform(vecs))
    assert np.allclose(out[0].toArray(), first)
    assert _eq(out[1], SparseVector(3, [0, 2], [1.0, 0.0]))     # indices kept, zero too
    assert _eq(out[2], DenseVector([0.0, 0.0, 0.0])) and out[3] is None
    assert _eq(out[4], SparseVector(3, [], []))


def test_normalizer_general_p(vecs):
    out = _out(Normalizer(p=3.0, inputCol="v", outputCol="o").transform(vecs))
    x = np.array([2.0, 3.0, 5.0])
    assert np.allclose(out[5].toArray(), x / (np.abs(x) ** 3).sum() ** (1 / 3))
    assert Normalizer().getP() == 2.0


# -- ElementwiseProduct -----------------------------------------------------------------------

def test_elementwise_product(vecs):
    ep = ElementwiseProduct(scalingVec=Vectors.dense([1.0, 2.0, 0.5]), inputCol="v", outputCol="o")
    out = _out(ep.transform(vecs))
    assert _eq(out[0], DenseVector([3.0, -8.0, 0.0])) and out[3] is None
    assert _eq(out[1], SparseVector(3, [0, 2], [1.0, 0.0]))
    assert _eq(out[5], DenseVector([2.0, 6.0, 2.5]))


def test_elementwise_product_size_mismatch(vecs):
    ep = ElementwiseProduct(scalingVec=[1.0, 2.0], inputCol="v", outputCol="o")
    with pytest.raises(SparkException, match="size 3"):
        ep.transform(vecs).collect()
    with pytest.raises(IllegalArgumentException, match="scalingVec"):
        ElementwiseProduct(inputCol="v", outputCol="o").transform(vecs)


# -- PolynomialExpansion ----------------------------------------------------------------------

def test_poly_terms_follow_spark_order():
    assert poly_terms(2, 2) == [(0,), (0, 0), (1,), (0, 1), (1, 1)]
    assert poly_terms(3, 2) == [(0,), (0, 0), (1,), (0, 1), (1, 1), (2,), (0, 2), (1, 2),
                                (2, 2)]
    for d, k in [(1, 4), (4, 3), (6, 2)]:
        assert len(poly_terms(d, k)) == output_size(d, k) == len(set(poly_terms(d, k)))


def test_polynomial_expansion(spark):
    rows = [(0, Vectors.dense([2.0, 3.0, 5.0])), (1, Vectors.sparse(3, [0, 2], [2.0, 5.0])),
            (2, Vectors.dense([0.0, NAN, 2.0])), (3, Vectors.dense([NAN, 0.0, 2.0]))]
    df = spark.createDataFrame(rows, ["id", "v"])
    out = _out(PolynomialExpansion(inputCol="v", outputCol="o").transform(df))
    assert list(out[0]) == [2.0, 4.0, 3.0, 6.0, 9.0, 5.0, 10.0, 15.0, 25.0]
    assert _eq(out[1], SparseVector(9, [0, 1, 5, 6, 8], [2.0, 4.0, 5.0, 10.0, 25.0]))
    # a zero factor short-cuts the product before a NaN reaches it, as in Spark
    assert str(list(out[2])) == str([0.0, 0.0, NAN, NAN, NAN, 2.0, 0.0, NAN, 4.0])
    assert str(list(out[3])) == str([NAN, NAN, 0.0, 0.0, 0.0, 2.0, NAN, 0.0, 4.0])
    cubic = _out(PolynomialExpansion(degree=3, inputCol="v", outputCol="o").transform(df))
    assert cubic[0].size == 19 and cubic[0][18] == 125.0 and cubic[1][18] == 125.0


def test_polynomial_expansion_sparse_matches_dense(spark):
    rng = np.random.default_rng(0)
    x = np.round(rng.normal(size=(20, 5)), 2)
    x[rng.random((20, 5)) < 0.5] = 0.0
    rows = [(i, Vectors.sparse(5, [int(j) for j in np.flatnonzero(r)],
                               [float(v) for v in r[r != 0]]))
            for i, r in enumerate(x)]
    sparse = _out(PolynomialExpansion(degree=3, inputCol="v", outputCol="o")
                  .transform(spark.createDataFrame(rows, ["id", "v"])))
    dense = _out(PolynomialExpansion(degree=3, inputCol="v", outputCol="o").transform(
        spark.createDataFrame([(i, Vectors.dense(r.tolist())) for i, r in enumerate(x)],
                              ["id", "v"])))
    for s, d in zip(sparse, dense):
        assert isinstance(s, SparseVector) and np.allclose(s.toArray(), d.toArray())


def test_polynomial_expansion_bad_degree(vecs, graphs):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match="degree"):
        PolynomialExpansion(degree=0, inputCol="v", outputCol="o").transform(vecs)
    assert n.count == 0


# -- VectorSlicer -----------------------------------------------------------------------------

def test_vector_slicer_indices(spark):
    df = spark.createDataFrame([(0, Vectors.dense([1.0, 2.0, 3.0, 4.0])),
                                (1, Vectors.sparse(4, [1, 3], [5.0, 0.0]))], ["id", "v"])
    out = _out(VectorSlicer(indices=[3, 1], inputCol="v", outputCol="o").transform(df))
    assert _eq(out[0], DenseVector([4.0, 2.0])) and _eq(out[1], SparseVector(2, [1], [5.0]))
    with pytest.raises(SparkException, match="index 7 is out of range"):
        VectorSlicer(indices=[7], inputCol="v", outputCol="o").transform(df).collect()


def test_vector_slicer_names_from_metadata():
    """Names resolve through Spark's ``ml_attr`` metadata when a schema carries it (dfml
    DataFrames do not keep field metadata yet, so this checks the resolution on a schema)."""
    meta = {"ml_attr": {"num_attrs": 3, "attrs": {"numeric": [
        {"name": "a", "idx": 0}, {"name": "b", "idx": 1}, {"name": "c", "idx": 2}]}}}
    schema = T.StructType([T.StructField("id", T.LongType()),
                           T.StructField("v", VectorUDT(), True, meta)])
    vs = VectorSlicer(names=["c", "a"], indices=[1], inputCol="v", outputCol="o")
    assert vs._selected(schema) == [1, 2, 0]
    assert vs.transformSchema(schema)["o"].dataType == VectorUDT()
    with pytest.raises(IllegalArgumentException, match="same features"):
        VectorSlicer(names=["b"], indices=[1], inputCol="v", outputCol="o").transformSchema(schema)
    with pytest.raises(IllegalArgumentException, match="no feature named 'zz'"):
        VectorSlicer(names=["zz"], inputCol="v", outputCol="o").transformSchema(schema)
    with pytest.raises(IllegalArgumentException, match="out of range for the 3 features"):
        VectorSlicer(indices=[5], inputCol="v", outputCol="o").transformSchema(schema)


@pytest.mark.parametrize("params,match", [
    ({}, "at least one feature"), ({"indices": [1, 1]}, "distinct"),
    ({"indices": [-1]}, "non-negative"), ({"names": ["a", "a"]}, "distinct"),
    ({"names": ["a"]}, "no ML attribute|has none")])
def test_vector_slicer_bad_params(vecs, graphs, params, match):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match=match):
        VectorSlicer(inputCol="v", outputCol="o", **params).transform(vecs)
    assert n.count == 0


# -- Interaction ------------------------------------------------------------------------------

def test_row_kron_matches_numpy():
    import scipy.sparse as sp
    a = sp.random(6, 3, density=0.5, format="csr", random_state=1)
    b = sp.random(6, 4, density=0.5, format="csr", random_state=2)
    got = row_kron(a, b).toarray()
    want = np.stack([np.kron(a[i].toarray()[0], b[i].toarray()[0]) for i in range(6)])
    assert np.allclose(got, want)


def test_interaction(spark):
    raw = spark.createDataFrame([(0, 2.0, 1.0, 0.0, 4.0, 0.0, 5.0),
                                 (1, 0.0, 1.0, 2.0, 3.0, 0.0, 0.0),
                                 (2, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0)],
                                ["id", "x", "a", "b", "c", "d", "e"])
    df = VectorAssembler(inputCols=["d", "e"], outputCol="s").transform(
        VectorAssembler(inputCols=["a", "b", "c"], outputCol="v").transform(raw))
    out = _out(Interaction(inputCols=["x", "v", "s"], outputCol="o").transform(df))
    assert _eq(out[0], SparseVector(6, [1, 5], [10.0, 40.0]))   # x * v[i] * s[j] at 2i + j
    assert _eq(out[1], SparseVector(6, [], []))
    one = _out(Interaction(inputCols=["v"], outputCol="o").transform(df))
    assert _eq(one[0], DenseVector([1.0, 0.0, 4.0])) and _eq(one[2], SparseVector(3, [], []))
    nums = _out(Interaction(inputCols=["x", "c"], outputCol="o").transform(df))
    assert _eq(nums[0], DenseVector([8.0]))


def test_interaction_errors(spark, graphs):
    df = spark.createDataFrame([(0, 1.0, None, True, "a")],
                               "id int, x double, y double, b boolean, s string")
    n = graphs()
    for cols, exc, match in [([], IllegalArgumentException, "at least one"),
                             (["x", "x"], IllegalArgumentException, "distinct"),
                             (["x", "b"], TypeError, "numeric or a vector"),
                             (["x", "s"], TypeError, "numeric or a vector"),
                             (["x", "z"], AnalysisException, "does not exist")]:
        with pytest.raises(exc, match=match):
            Interaction(inputCols=cols, outputCol="o").transform(df)
    assert n.count == 0
    with pytest.raises(SparkException, match="cannot be null"):
        Interaction(inputCols=["x", "y"], outputCol="o").transform(df).collect()


# -- persistence ------------------------------------------------------------------------------

@pytest.mark.parametrize("stage", [
    Normalizer(p=INF, inputCol="v", outputCol="o"),
    ElementwiseProduct(scalingVec=Vectors.sparse(3, [1], [2.0]), inputCol="v", outputCol="o"),
    PolynomialExpansion(degree=3, inputCol="v", outputCol="o"),
    VectorSlicer(indices=[2, 0], inputCol="v", outputCol="o"),
    Interaction(inputCols=["id", "v"], outputCol="o")])
def test_round_trip(vecs, tmp_path, stage):
    df = vecs.na.drop()
    path = str(tmp_path / "s")
    stage.save(path)
    loaded = type(stage).load(path)
    assert loaded.uid == stage.uid
    assert loaded.extractParamMap() == stage.extractParamMap()
    assert str(loaded.transform(df).collect()) == str(stage.transform(df).collect())
