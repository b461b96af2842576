"""PCA: components and explained variance against numpy's covariance SVD (up to each
component's sign), sparse and multi-partition fits, the fused fit, persistence, early errors."""

import numpy as np
import pytest

from dfml.ml import Pipeline
from dfml.ml.feature import PCA, PCAModel, StandardScaler, VectorAssembler
from dfml.ml.feature.pca import covariance_aggregation
from dfml.ml.linalg import DenseMatrix, DenseVector, Vectors, VectorUDT
from dfml.sql import types as T
from dfml.sql.errors import AnalysisException, IllegalArgumentException


def _data(n=60, d=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d) * 100


def _frame(spark, x, parts=1):
    df = spark.createDataFrame([(i, Vectors.dense(r.tolist())) for i, r in enumerate(x)],
                               ["id", "v"])
    return df.repartition(parts) if parts > 1 else df


def _expected(x, k):
    u, s, _ = np.linalg.svd(np.cov(x, rowvar=False))
    return u[:, :k], (s / s.sum())[:k]


def _same_up_to_sign(a, b, rtol=1e-8):
    signs = np.sign(np.sum(a * b, axis=0))
    return np.allclose(a * signs, b, rtol=rtol, atol=1e-10)


@pytest.mark.parametrize("parts", [1, 4])
def test_pca_components_and_variance(spark, parts):
    x = _data()
    model = PCA(k=3, inputCol="v", outputCol="o").fit(_frame(spark, x, parts))
    pc, ev = _expected(x, 3)
    assert isinstance(model.pc, DenseMatrix) and (model.pc.numRows, model.pc.numCols) == (4, 3)
    assert _same_up_to_sign(model.pc.toArray(), pc)
    assert isinstance(model.explainedVariance, DenseVector)
    assert np.allclose(model.explainedVariance.toArray(), ev, rtol=1e-10)
    out = model.transform(_frame(spark, x)).orderBy("id").collect()
    proj = np.array([r.o.toArray() for r in out])
    assert all(isinstance(r.o, DenseVector) for r in out)
    assert np.allclose(proj, x @ model.pc.toArray(), rtol=1e-10)   # not centred, as Spark


def test_pca_sparse_and_mixed_rows(spark):
    rng = np.random.default_rng(1)
    x = np.round(rng.normal(size=(40, 5)), 2)
    x[rng.random((40, 5)) < 0.6] = 0.0
    rows = []
    for i, r in enumerate(x):
        nz = [int(j) for j in np.flatnonzero(r)]
        rows.append((i, Vectors.sparse(5, nz, [float(r[j]) for j in nz]) if i % 2
                     else Vectors.dense(r.tolist())))
    df = spark.createDataFrame(rows, ["id", "v"]).repartition(3)
    model = PCA(k=5, inputCol="v", outputCol="o").fit(df)
    pc, ev = _expected(x, 5)
    assert _same_up_to_sign(model.pc.toArray(), pc, rtol=1e-7)
    assert np.allclose(model.explainedVariance.toArray(), ev) and np.isclose(ev.sum(), 1.0)
    got = np.array([r.o.toArray() for r in model.transform(df).orderBy("id").collect()])
    assert np.allclose(got, x @ model.pc.toArray())


def test_covariance_aggregation_merges_exactly():
    import pandas as pd
    from dfml.ml.linalg import vectors_to_arrow
    x = _data(90, 3, seed=2) + 1e6           # a large offset: Chan's merge keeps precision
    agg = covariance_aggregation("v")
    parts = [agg.chunk(pd.DataFrame({"v": pd.Series(pd.arrays.ArrowExtensionArray(
        vectors_to_arrow([Vectors.dense(r.tolist()) for r in chunk])))}))
        for chunk in np.array_split(x, 5)]
    acc = agg.combine(parts)
    assert acc["n"] == 90
    assert np.allclose(acc["M"] / 89, np.cov(x, rowvar=False), rtol=1e-8)


def test_null_rows_are_skipped_and_stay_null(spark):
    schema = T.StructType([T.StructField("id", T.LongType()), T.StructField("v", VectorUDT())])
    rows = [(0, Vectors.dense([1.0, 2.0])), (1, None), (2, Vectors.dense([3.0, 1.0])),
            (3, Vectors.dense([0.0, 5.0]))]
    df = spark.createDataFrame(rows, schema)
    model = PCA(k=1, inputCol="v", outputCol="o").fit(df)
    x = np.array([[1.0, 2.0], [3.0, 1.0], [0.0, 5.0]])
    assert _same_up_to_sign(model.pc.toArray(), _expected(x, 1)[0])
    out = model.transform(df).orderBy("id").collect()
    assert out[1].o is None and out[0].o is not None


def test_pca_fuses_in_pipeline(spark):
    df = spark.createDataFrame([(float(i), float(i * i % 7), float(i % 3)) for i in range(30)],
                               ["a", "b", "c"])
    stages = [VectorAssembler(inputCols=["a", "b", "c"], outputCol="v"),
              PCA(k=2, inputCol="v", outputCol="p"), StandardScaler(inputCol="v", outputCol="s")]
    model = Pipeline(stages=stages).fit(df)
    assert model.fitPasses == 1
    alone = PCA(k=2, inputCol="v", outputCol="p").fit(stages[0].transform(df))
    assert np.allclose(model.stages[1].pc.toArray(), alone.pc.toArray())


def test_round_trip(spark, tmp_path):
    df = _frame(spark, _data())
    model = PCA(k=2, inputCol="v", outputCol="o").fit(df)
    model.save(str(tmp_path / "m"))
    loaded = PCAModel.load(str(tmp_path / "m"))
    assert loaded.uid == model.uid and loaded.getK() == 2
    assert loaded.pc == model.pc and loaded.explainedVariance == model.explainedVariance
    assert loaded.transform(df).collect() == model.transform(df).collect()
    PCA(k=3, inputCol="v").save(str(tmp_path / "e"))
    assert PCA.load(str(tmp_path / "e")).getK() == 3


def test_errors(spark, graphs):
    df = _frame(spark, _data(10, 3))
    n = graphs()
    with pytest.raises(IllegalArgumentException, match="set k"):
        PCA(inputCol="v", outputCol="o").fit(df)
    with pytest.raises(IllegalArgumentException, match="at least 1"):
        PCA(k=0, inputCol="v", outputCol="o").fit(df)
    with pytest.raises(AnalysisException, match="Did you mean `v`"):
        PCA(k=1, inputCol="vv", outputCol="o").fit(df)
    with pytest.raises(TypeError, match="must be a vector"):
        PCA(k=1, inputCol="id", outputCol="o").fit(df)
    assert n.count == 0
    with pytest.raises(IllegalArgumentException, match="more than the 3 features"):
        PCA(k=4, inputCol="v", outputCol="o").fit(df)
    with pytest.raises(IllegalArgumentException, match="at least 2 rows"):
        PCA(k=1, inputCol="v", outputCol="o").fit(df.limit(1))
