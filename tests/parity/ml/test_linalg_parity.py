"""Vectors, matrices and model attributes print and compute as PySpark's (issue 10)."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.linalg as DL

VALUES = [1.0, 2.123456789, -3.0, 1e-7, 123456.789, 0.0]


def _both():
    import pyspark.ml.linalg as PL
    return DL, PL


@pytest.mark.parametrize("make", [
    lambda L: L.DenseVector(VALUES),
    lambda L: L.SparseVector(6, {1: 2.123456789, 3: -1e-7}),
    lambda L: L.Vectors.sparse(4, [0, 3], [1.5, -2.0]),
    lambda L: L.Vectors.zeros(3),
    lambda L: L.DenseMatrix(2, 3, [1.0, 2.5, 3.0, 4.123456, 5.0, 6.0]),
    lambda L: L.DenseMatrix(2, 2, [1.0, 2.0, 3.0, 4.0], True),
    lambda L: L.DenseMatrix(5, 4, list(np.arange(20.0) / 7)),
    lambda L: L.SparseMatrix(2, 3, [0, 1, 3, 3], [1, 0, 1], [2.0, 3.5, 4.0]),
    lambda L: L.SparseMatrix(2, 2, [0, 2, 3], [0, 1, 1], [2.0, 3.0, 4.0], True),
    lambda L: L.Matrices.sparse(20, 1, [0, 18], list(range(18)), list(np.arange(18.0) + 0.5)),
    lambda L: L.DenseMatrix(2, 3, [1.0, 2.5, 3.0, 4.123456, 5.0, 6.0]).toSparse(),
])
def test_str_and_repr_equal_pyspark(make):
    ours, theirs = (make(L) for L in _both())
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)
    assert np.array_equal(ours.toArray(), theirs.toArray())


@pytest.mark.parametrize("op", [
    lambda u, v: u + v, lambda u, v: u - v, lambda u, v: u * 2, lambda u, v: 2 * u,
    lambda u, v: u / 4, lambda u, v: -u, lambda u, v: 1 - u, lambda u, v: u % 3,
    lambda u, v: u * v, lambda u, v: u.dot(v), lambda u, v: u.squared_distance(v),
    lambda u, v: u.norm(1), lambda u, v: u.norm(2), lambda u, v: u.numNonzeros(),
])
def test_dense_vector_arithmetic(op):
    out = []
    for L in _both():
        u, v = L.DenseVector([1.0, -2.5, 0.0]), L.DenseVector([0.5, 4.0, -1.0])
        r = op(u, v)
        out.append(float(r) if isinstance(r, (int, float, np.number)) else repr(r))
    assert out[0] == out[1]


@pytest.mark.parametrize("call", [
    lambda L: L.Vectors.squared_distance(L.DenseVector([1.0, 2.0]), L.DenseVector([1.0])),
    lambda L: L.DenseVector([1.0, 2.0]).dot(L.DenseVector([1.0])),
])
def test_dimension_mismatch_raises_as_pyspark(call):
    for L in _both():
        with pytest.raises(AssertionError, match="dimension mismatch"):
            call(L)


def test_model_attributes_print_as_spark(spark, pyspark):
    """Coefficient matrices and vectors in Spark's compressed forms (CSR after L1)."""
    import pyspark.ml.classification as PC
    import pyspark.ml.regression as PR
    import dfml.ml.classification as DC
    import dfml.ml.regression as DR
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 8))
    yb = (X[:, 0] - X[:, 1] + rng.normal(size=80) > 0).astype(float)
    ym = np.digitize(X[:, 0] + rng.normal(size=80), [-0.5, 0.5]).astype(float)
    cases = [("lr", yb, {}), ("lr", yb, {"regParam": 0.15, "elasticNetParam": 1.0}),
             ("lr", ym, {}), ("lr", ym, {"regParam": 0.1, "elasticNetParam": 1.0}),
             ("lin", yb, {"regParam": 0.5, "elasticNetParam": 1.0}), ("lin", yb, {})]
    for kind, y, params in cases:
        texts = []
        for C, R, L, sess in ((DC, DR, DL, spark), (PC, PR, __import__("pyspark.ml.linalg",
                                                                      fromlist=["x"]), pyspark)):
            df = sess.createDataFrame([(float(a), L.DenseVector(x.tolist())) for a, x in zip(y, X)],
                                      ["label", "features"])
            if kind == "lin":
                m = R.LinearRegression(**params).fit(df)
                texts.append(repr(m.coefficients))
                continue
            m = C.LogisticRegression(maxIter=30, **params).fit(df)
            t = [repr(m.coefficientMatrix), str(m.coefficientMatrix), repr(m.interceptVector)]
            if not m.isMultinomial if hasattr(m, "isMultinomial") and not callable(
                    m.isMultinomial) else m.numClasses == 2:
                t.append(repr(m.coefficients))
            texts.append(t)
        assert texts[0] == texts[1], (kind, params)


def test_import_paths():
    from dfml.sql.types import Row  # noqa: F401 - as pyspark.sql.types.Row
    import pyspark.ml.linalg as PL
    public = {n for n in dir(PL) if not n.startswith("_") and n[0].isupper()
              and isinstance(getattr(PL, n), type)
              and getattr(PL, n).__module__ == "pyspark.ml.linalg"}
    assert public - set(dir(DL)) == set()


def test_model_reprs_and_attributes_print_as_spark(spark, pyspark):
    """``print(model)`` and the fitted attributes programs print, per feature model."""
    import re

    import pyspark.ml as PML
    import pyspark.ml.feature as PM
    import dfml.ml as DML
    import dfml.ml.feature as DM
    texts = []
    for F, ML, L, sess in ((DM, DML, DL, spark),
                           (PM, PML, __import__("pyspark.ml.linalg", fromlist=["x"]), pyspark)):
        df = sess.createDataFrame([(L.DenseVector([1.0, 0.0, 3.0]), 1.0, "x", "p"),
                                   (L.DenseVector([2.0, 0.0, 5.5]), 0.0, "y", "q"),
                                   (L.DenseVector([0.0, 1.0, 1.0]), 1.0, "x", "q")],
                                  ["v", "label", "c", "d"])
        models = [F.StandardScaler(inputCol="v", outputCol="o", withMean=True).fit(df),
                  F.MinMaxScaler(inputCol="v", outputCol="o", min=-1.0, max=2.5).fit(df),
                  F.MaxAbsScaler(inputCol="v", outputCol="o").fit(df),
                  F.RobustScaler(inputCol="v", outputCol="o", withCentering=True).fit(df),
                  F.PCA(k=2, inputCol="v", outputCol="o").fit(df),
                  F.StringIndexer(inputCols=["c", "d"], outputCols=["a", "b"]).fit(df),
                  F.Imputer(inputCols=["label"], outputCols=["l2"], strategy="median").fit(df),
                  F.OneHotEncoder(inputCol="label", outputCol="oh", dropLast=False).fit(df),
                  ML.Pipeline(stages=[F.VectorAssembler(inputCols=["label"], outputCol="x")])
                  .fit(df)]
        t = [re.sub(r"_[0-9a-f]{12}", "_UID", repr(m)) for m in models]
        t += [str(models[0].mean), str(models[0].std), str(models[1].originalMax),
              str(models[2].maxAbs), str(models[3].median), repr(models[4].pc),
              str(models[4].explainedVariance.toArray().round(6).tolist()),
              str(models[5].labelsArray)]
        ss = models[0].setOutputCol("other")
        t.append(type(ss).__name__ + ss.getOutputCol())
        # numbers to 10 significant digits: the last digits of a mean are round-off
        texts.append([re.sub(r"-?\d+\.\d+(e-?\d+)?", lambda m: f"{float(m.group()):.10g}", x)
                      for x in t])
    assert texts[0] == texts[1]
