"""Normalizer, ElementwiseProduct, PolynomialExpansion, VectorSlicer and Interaction through
dfml and real PySpark on the same rows: every output vector agrees to 1e-6 relative (NaNs in the
same places) and is dense or sparse in both alike."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dfml.ml.feature as DM
from dfml.ml.linalg import Vectors as DV

NAN, INF = math.nan, math.inf


def _rows(kind, d=5, n=40, nan=False):
    rng = np.random.default_rng({"dense": 1, "sparse": 2, "mixed": 3}[kind] + 10 * d)
    out = []
    for i in range(n):
        x = np.round(rng.normal(size=d) * 2, 3)
        x[rng.random(d) < 0.4] = 0.0
        if nan and i % 7 == 0:
            x[i % d] = NAN
        if kind == "sparse" or (kind == "mixed" and i % 2):
            keep = (x != 0) | (rng.random(d) < 0.1)          # a few explicit zeros
            idx = [int(j) for j in np.flatnonzero(keep)]
            out.append((i, (d, idx, [float(x[j]) for j in idx])))
        else:
            out.append((i, [float(v) for v in x]))
    return out


def _frames(spark, pyspark, kind, **kw):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, V.sparse(*v) if isinstance(v, tuple) else V.dense(v))
                for i, v in _rows(kind, **kw)]
    return (spark.createDataFrame(make(DV), ["id", "v"]),
            pyspark.createDataFrame(make(PV), ["id", "v"]))


def _compare(ours_df, theirs_df):
    ours = ours_df.orderBy("id").select("id", "o").collect()
    theirs = theirs_df.orderBy("id").select("id", "o").collect()
    assert [r.id for r in ours] == [r.id for r in theirs]
    for a, b in zip(ours, theirs):
        assert type(a.o).__name__ == type(b.o).__name__, (a.id, a.o, b.o)
        if type(b.o).__name__ == "SparseVector":
            assert list(a.o.indices) == list(b.o.indices), (a.id, a.o, b.o)
        assert np.allclose(a.o.toArray(), b.o.toArray(), rtol=1e-6, atol=1e-12,
                           equal_nan=True), (a.id, a.o, b.o)


def _run(spark, pyspark, kind, name, params, **kw):
    import pyspark.ml.feature as PM
    ours, theirs = _frames(spark, pyspark, kind, **kw)
    _compare(getattr(DM, name)(inputCol="v", outputCol="o", **params).transform(ours),
             getattr(PM, name)(inputCol="v", outputCol="o", **params).transform(theirs))


KINDS = ["dense", "sparse", "mixed"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("p", [1.0, 2.0, 3.5, INF])
def test_normalizer(spark, pyspark, kind, p):
    _run(spark, pyspark, kind, "Normalizer", {"p": p}, nan=(p == 2.0))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sparse_scale", [False, True])
def test_elementwise_product(spark, pyspark, kind, sparse_scale):
    from pyspark.ml.linalg import Vectors as PV
    ours, theirs = _frames(spark, pyspark, kind, nan=True)
    import pyspark.ml.feature as PM
    s = [0.5, 0.0, -2.0, 3.0, 1.0]
    dv = DV.sparse(5, [0, 2], [0.5, -2.0]) if sparse_scale else DV.dense(s)
    pv = PV.sparse(5, [0, 2], [0.5, -2.0]) if sparse_scale else PV.dense(s)
    _compare(DM.ElementwiseProduct(scalingVec=dv, inputCol="v", outputCol="o").transform(ours),
             PM.ElementwiseProduct(scalingVec=pv, inputCol="v", outputCol="o").transform(theirs))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("degree,d", [(1, 5), (2, 5), (3, 4), (4, 3)])
def test_polynomial_expansion(spark, pyspark, kind, degree, d):
    _run(spark, pyspark, kind, "PolynomialExpansion", {"degree": degree}, d=d, nan=(degree == 2))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("indices", [[0], [4, 1, 2], [3, 0, 1, 2, 4]])
def test_vector_slicer(spark, pyspark, kind, indices):
    _run(spark, pyspark, kind, "VectorSlicer", {"indices": indices}, nan=True)


def test_vector_slicer_errors_in_both(spark, pyspark):
    import pyspark.ml.feature as PM
    ours, theirs = _frames(spark, pyspark, "dense")
    for mod, df in ((DM, ours), (PM, theirs)):
        for params in ({}, {"indices": [1, 1]}, {"indices": [-1]}, {"names": ["a"]}):
            with pytest.raises(Exception):
                mod.VectorSlicer(inputCol="v", outputCol="o", **params).transform(df).collect()
        with pytest.raises(Exception):
            mod.VectorSlicer(indices=[9], inputCol="v", outputCol="o").transform(df).collect()


def _interaction_frames(spark, pyspark):
    """Vector columns built by VectorAssembler on both sides (Spark's Interaction needs their
    attribute metadata); rows come out dense or sparse as the assembler compresses them."""
    import pyspark.ml.feature as PM
    rng = np.random.default_rng(5)
    rows = []
    for i in range(30):
        x = np.round(rng.normal(size=7), 2)
        x[rng.random(7) < 0.5] = 0.0
        rows.append((i, int(rng.integers(-2, 3))) + tuple(float(v) for v in x))
    cols = ["id", "k", "a", "b", "c", "d", "e", "f", "g"]
    frames = []
    for mod, sess in ((DM, spark), (PM, pyspark)):
        df = sess.createDataFrame(rows, cols)
        df = mod.VectorAssembler(inputCols=["b", "c", "d"], outputCol="u").transform(df)
        df = mod.VectorAssembler(inputCols=["e", "f", "g", "a"], outputCol="w").transform(df)
        frames.append(df)
    return frames


@pytest.mark.parametrize("cols", [["a", "u"], ["u", "w"], ["k", "u", "w"], ["w", "a", "u"],
                                  ["u"], ["a", "k"]])
def test_interaction(spark, pyspark, cols):
    import pyspark.ml.feature as PM
    ours, theirs = _interaction_frames(spark, pyspark)
    _compare(DM.Interaction(inputCols=cols, outputCol="o").transform(ours),
             PM.Interaction(inputCols=cols, outputCol="o").transform(theirs))


@pytest.mark.parametrize("handle", ["error", "skip", "keep"])
def test_assembler_nan_in_a_numeric_input(spark, pyspark, handle):
    """A NaN in a numeric input is invalid as a null is: 'error' fails (dfml let it through),
    'skip' drops the row, 'keep' keeps it; a NaN inside an input vector is not checked."""
    import pyspark.ml.feature as PM
    rows = [(1.0, float("nan"), 2.0), (2.0, 3.0, None), (4.0, 5.0, 6.0)]
    outs = []
    for mod, sess in ((DM, spark), (PM, pyspark)):
        df = sess.createDataFrame(rows, "a double, b double, c double")
        va = mod.VectorAssembler(inputCols=["a", "b"], outputCol="v", handleInvalid=handle)
        try:
            outs.append(sorted(str(r.v) for r in va.transform(df).collect()))
        except Exception as e:  # noqa: BLE001 - compared below: both must fail, on the NaN
            assert "NaN" in str(e), str(e)[:300]
            outs.append("error")
    assert outs[0] == outs[1]
    assert (outs[0] == "error") == (handle == "error")


def test_assembler_nan_inside_a_vector_input_passes(spark, pyspark):
    import pyspark.ml.feature as PM
    rows = [(1.0, float("nan")), (2.0, 3.0)]
    outs = []
    for mod, sess in ((DM, spark), (PM, pyspark)):
        df = mod.VectorAssembler(inputCols=["a", "b"], outputCol="u", handleInvalid="keep") \
            .transform(sess.createDataFrame(rows, ["a", "b"]))
        out = mod.VectorAssembler(inputCols=["u", "a"], outputCol="v").transform(df)
        outs.append(sorted(str(r.v) for r in out.collect()))
    assert outs[0] == outs[1]
