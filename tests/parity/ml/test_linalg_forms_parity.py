"""dfml.ml.linalg against pyspark.ml.linalg: the same expressions print the same text (repr and
str), give the same values, and raise the same errors; model attributes come back in the form
(dense/sparse, layout) Spark gives them and print like PySpark's up to round-off."""

from __future__ import annotations

import re

import numpy as np
import pytest

import dfml.ml.linalg as D

VECTOR_EXPRS = [
    "Vectors.dense([1.0, 2.0])", "Vectors.dense(1, 2)", "Vectors.dense([])",
    "Vectors.dense([1/3, 2e10, 1e-7, -2.5e-5, float('nan'), float('inf'), 123456.789, 1e20])",
    "Vectors.sparse(3, {0: 1.0})", "Vectors.sparse(5, [1, 3], [1/3, 1e20])",
    "Vectors.sparse(3, [], [])", "Vectors.sparse(3, [(2, 1.0), (0, 3.0)])",
    "Vectors.zeros(2)", "SparseVector(4, {1: 1.0, 3: 5.5})", "DenseVector([1, 2])",
    "v + u", "v - u", "v * 2", "2 * v", "v / 2", "2 / v", "-v", "v * u", "v / u", "v + 1",
    "2 - v", "v % 2", "v.dot(u)", "s.dot([1, 2, 3])", "s.dot(Vectors.dense([1, 2, 3]))",
    "s.dot(Vectors.sparse(3, {0: 2.0}))", "v.norm(2)", "v.norm(1)", "s.norm(float('inf'))",
    "Vectors.norm(u, 1)", "Vectors.squared_distance(v, u)", "s.squared_distance(Vectors.dense([1, 2, 3]))",
    "s.squared_distance(Vectors.sparse(3, {2: 3.0}))", "v.squared_distance([1, 2])",
    "v.squared_distance(Vectors.dense([1, 2, 3]))", "v.dot(s)", "s.squared_distance(v)",
    "Vectors.squared_distance(Vectors.sparse(2, {0: 1}), Vectors.sparse(3, {0: 1}))",
    "s.numNonzeros()", "Vectors.sparse(3, {0: 1.0, 2: 0.0}).numNonzeros()", "v.numNonzeros()",
    "v.toArray()", "s.toArray()", "s.indices", "s.values", "v.values", "len(s)", "len(v)",
    "s[0]", "s[-1]", "v[-1]", "v[5]", "s[3]", "s[-4]", "v.mean()", "v.sum()",
    "s == Vectors.dense([1, 0, 0])", "Vectors.dense([1, 0, 0]) == s", "v == Vectors.dense([1, 2.0])",
    "Vectors.sparse(3, {0: 1.0, 2: 0.0}) == s", "Vectors.sparse(3, {0: 1.0, 2: 0.0}) == Vectors.dense([1, 0, 0])",
    "v != u", "v == [1, 2]", "hash(s)", "hash(Vectors.dense([1, 0, 0]))", "hash(v)",
    "hash(Vectors.dense([]))", "hash(Vectors.dense([0.0, -0.0, 1.5, 2]))",
    "hash(Vectors.sparse(4, [2, 3], [1.5, 2]))", "hash(Vectors.dense([float('nan'), -3.25]))",
    "SparseVector(3, [0, 0], [1, 2])", "SparseVector(3, [1, 0], [1, 2])", "SparseVector(3, [3], [1])",
    "SparseVector(3, {-1: 1.0})", "SparseVector(3, [0], [1, 2])", "s + s", "s * 2", "abs(v)",
    "str(Vectors.dense([1e20, 1e-7]))", "v.dot(np.reshape([1., 2., 3., 4.], (2, 2), order='F'))",
    "Vectors.sparse(4, [1, 3], [3.0, 4.0]).dot(np.array([[1, 1], [2, 2], [3, 3], [4, 4]]))",
    "s.dot(np.zeros((2, 2)))", "v.dot(np.reshape([1., 2., 3.], (3, 1), order='F'))", "v.dot(range(1, 3))",
]

MATRIX_EXPRS = [
    "m", "mt", "sm", "smt", "Matrices.dense(2, 2, [1/3, 2e10, 1e-7, 5])", "Matrices.dense(0, 0, [])",
    "Matrices.sparse(2, 3, [0, 1, 1, 3], [1, 0, 1], [1.0, 2, 3])", "big", "bigs",
    "DenseMatrix(2, 2, range(4), isTransposed=True)", "SparseMatrix(2, 2, [0, 2, 3], [0, 1, 1], [2, 3, 4], True)",
    "m[1, 0]", "mt[0, 1]", "sm[0, 1]", "sm[1, 2]", "smt[0, 2]", "m[2, 0]", "m[-1, 0]", "m[0, 2]",
    "sm[5, 0]", "smt[0, -1]", "m.toArray()", "mt.toArray()", "sm.toArray()", "smt.toArray()",
    "bigs.toArray().sum()", "m.toSparse()", "mt.toSparse()", "sm.toDense()", "smt.toDense()",
    "Matrices.dense(2, 2, [0, 0, 0, 0]).toSparse()", "m == DenseMatrix(2, 2, [0, 1, 2, 3.0])",
    "m == m.toSparse()", "mt == DenseMatrix(2, 3, [1, 4, 2, 5, 3, 6])", "sm == sm.toDense()",
    "m == mt", "hash(m)", "m.numRows", "m.numCols", "mt.isTransposed", "sm.colPtrs", "sm.rowIndices",
    "sm.values", "m.values", "SparseMatrix(2, 3, [0, 1, 3], [0], [1.0])",
    "SparseMatrix(2, 3, [0, 1, 1, 3], [0], [1.0, 2.0])", "DenseMatrix(2, 2, [1, 2, 3])",
]

SETUP = ("v = Vectors.dense([1.0, 2.0]); u = Vectors.dense([3.0, 4.5]); s = Vectors.sparse(3, {0: 1.0});"
         "m = DenseMatrix(2, 2, [0, 1, 2, 3]); mt = DenseMatrix(2, 3, [1, 2, 3, 4, 5, 6], True);"
         "sm = SparseMatrix(2, 3, [0, 1, 1, 3], [1, 0, 1], [1.0, 2, 3]);"
         "smt = SparseMatrix(2, 3, [0, 2, 3], [0, 2, 1], [1.0, 2, 3], True);"
         "big = DenseMatrix(20, 20, list(range(400)));"
         "bigs = Matrices.sparse(30, 30, list(range(31)), list(range(30)), [i / 3 for i in range(30)])")


def _outcome(module, expr: str):
    """(repr, str) of the result, or the error's type and message; numpy scalars compare as
    their Python values (PySpark returns numpy scalars where dfml may return floats)."""
    ns = dict(module.__dict__)
    exec(SETUP, ns)
    try:
        val = eval(expr, ns)
    except Exception as e:  # noqa: BLE001 - the error itself is compared
        return ("error", type(e).__name__, str(e))
    if isinstance(val, np.ndarray):
        return ("array", val.dtype.str, val.shape, repr(val.tolist()))
    if isinstance(val, (np.floating, np.integer, np.bool_)):
        val = val.item()
    return ("value", type(val).__name__ if not isinstance(val, (int, float, bool)) else "num",
            repr(val), str(val))


@pytest.mark.parametrize("expr", VECTOR_EXPRS + MATRIX_EXPRS)
def test_same_text_values_and_errors(expr):
    import pyspark.ml.linalg as P
    ours, theirs = _outcome(D, expr), _outcome(P, expr)
    if theirs[0] == "error" and theirs[2] == "":
        ours = ours[:2] + ("",)  # PySpark's bare assert: dfml says more, the type must match
    assert ours == theirs


def test_public_names_and_import_paths():
    import pyspark.ml.linalg as P
    import pyspark.sql.types as PT
    from dfml.sql.types import Row
    assert Row(a=1).a == 1 and hasattr(PT, "Row")
    from dfml.ml.linalg import (DenseMatrix, Matrices, Matrix, MatrixUDT, SparseMatrix,  # noqa
                                Vector, VectorUDT)
    assert set(P.__all__) <= set(D.__all__)
    assert MatrixUDT().simpleString() == P.MatrixUDT().simpleString() == "matrix"
    assert [f.name for f in MatrixUDT().sqlType().fields] == \
        [f.name for f in P.MatrixUDT.sqlType().fields]


def test_pickle_round_trip():
    """Pickled and back, as rows travel to workers: same values, and the repr PySpark's
    round trip gives (it turns ``isTransposed`` into 0/1)."""
    import pickle

    import pyspark.ml.linalg as P
    ours, theirs = dict(D.__dict__), dict(P.__dict__)
    exec(SETUP, ours)
    exec(SETUP, theirs)
    for name in ("v", "s", "m", "mt", "sm", "smt"):
        back = pickle.loads(pickle.dumps(ours[name]))
        assert type(back) is type(ours[name]) and back == ours[name]
        assert repr(back) == repr(pickle.loads(pickle.dumps(theirs[name])))


# ---------------------------------------------------------------- forms chosen by fitted models

def _skeleton(text: str) -> str:
    """A printed attribute with its numbers blanked: the form must match exactly (whitespace
    aside: numpy pads a grid's columns by the digits round-off leaves)."""
    return re.sub(r"\s+", "", re.sub(r"-?\d+\.\d*(e[-+]?\d+)?", "#", text))


def _nums(text: str) -> np.ndarray:
    return np.array([float(x) for x in re.findall(r"-?\d+\.\d*(?:e[-+]?\d+)?", text)])


def _same_print(a, b, tol=2e-3):
    for fa, fb in ((repr(a), repr(b)), (str(a), str(b))):
        assert _skeleton(fa) == _skeleton(fb), (fa, fb)
        na, nb = _nums(fa), _nums(fb)
        assert np.allclose(na, nb, rtol=tol, atol=tol), (fa, fb)


RNG = np.random.default_rng(3)
N = 200
X = RNG.normal(size=(N, 10))
X[:, 9] = 0.0
Z = X[:, 0] * 1.5 - X[:, 1] + 0.3 * RNG.normal(size=N)


def _frame(session, vectors, labels):
    rows = [(float(t), vectors.dense([float(v) for v in x])) for t, x in zip(labels, X)]
    return session.createDataFrame(rows, ["label", "features"])


FITS = {
    "binomial": ((Z > 0).astype(float), dict(maxIter=100)),
    "binomial-l1": ((Z > 0).astype(float), dict(maxIter=100, regParam=0.1, elasticNetParam=1.0)),
    "multinomial": (np.digitize(Z, [-1.0, 1.0]).astype(float), dict(maxIter=100, regParam=0.01)),
    "multinomial-l1": (np.digitize(Z, [-1.0, 1.0]).astype(float),
                       dict(maxIter=100, regParam=0.1, elasticNetParam=1.0)),
}


@pytest.mark.parametrize("case", list(FITS))
def test_logistic_regression_attribute_forms(spark, pyspark, case):
    from pyspark.ml.classification import LogisticRegression as PLR
    from pyspark.ml.linalg import Vectors as PV

    from dfml.ml.classification import LogisticRegression as DLR
    y, params = FITS[case]
    dm = DLR(**params).fit(_frame(spark, D.Vectors, y))
    pm = PLR(**params).fit(_frame(pyspark, PV, y))
    _same_print(dm.coefficientMatrix, pm.coefficientMatrix)
    _same_print(dm.interceptVector, pm.interceptVector)
    if not case.startswith("multi"):
        _same_print(dm.coefficients, pm.coefficients)


def test_linear_regression_l1_coefficients_form(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV
    from pyspark.ml.regression import LinearRegression as PLinR

    from dfml.ml.regression import LinearRegression as DLinR
    params = dict(regParam=0.3, elasticNetParam=1.0)
    dm = DLinR(**params).fit(_frame(spark, D.Vectors, Z))
    pm = PLinR(**params).fit(_frame(pyspark, PV, Z))
    _same_print(dm.coefficients, pm.coefficients)


def test_pca_and_scaler_attribute_forms(spark, pyspark):
    from pyspark.ml.feature import PCA as PPCA
    from pyspark.ml.feature import MinMaxScaler as PMM
    from pyspark.ml.feature import StandardScaler as PSS
    from pyspark.ml.linalg import Vectors as PV

    from dfml.ml.feature import PCA as DPCA
    from dfml.ml.feature import MinMaxScaler as DMM
    from dfml.ml.feature import StandardScaler as DSS
    dd, pd_ = _frame(spark, D.Vectors, Z), _frame(pyspark, PV, Z)
    dp = DPCA(k=2, inputCol="features").fit(dd)
    pp = PPCA(k=2, inputCol="features").fit(pd_)
    # principal components are defined up to sign: compare the forms, and values up to sign
    assert _skeleton(repr(dp.pc)).replace("-", "") == _skeleton(repr(pp.pc)).replace("-", "")
    assert np.allclose(np.abs(dp.pc.toArray()), np.abs(pp.pc.toArray()), atol=1e-6)
    _same_print(dp.explainedVariance, pp.explainedVariance)
    ds = DSS(inputCol="features", withMean=True).fit(dd)
    ps = PSS(inputCol="features", withMean=True).fit(pd_)
    _same_print(ds.mean, ps.mean)
    _same_print(ds.std, ps.std)
    dmm, pmm = DMM(inputCol="features").fit(dd), PMM(inputCol="features").fit(pd_)
    _same_print(dmm.originalMin, pmm.originalMin)
    _same_print(dmm.originalMax, pmm.originalMax)


def test_vector_assembler_rows_compressed(spark, pyspark):
    from pyspark.ml.feature import VectorAssembler as PVA

    from dfml.ml.feature import VectorAssembler as DVA
    rows = [(0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (1.0, 2.0, 0.0), (0.0, 0.0, 5.0)]
    cols = ["a", "b", "c"]

    def out(VA, session):
        df = VA(inputCols=cols, outputCol="v").transform(session.createDataFrame(rows, cols))
        return [(repr(r.v), str(r.v)) for r in df.collect()]
    assert out(DVA, spark) == out(PVA, pyspark)
    assert out(DVA, spark)[0][1] == "(3,[],[])"
