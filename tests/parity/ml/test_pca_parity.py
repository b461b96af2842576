"""PCA through dfml and real PySpark on the same rows: explainedVariance and the components
agree to 1e-6 relative, each component up to its sign (Spark's signs come from its LAPACK
fallback and cannot be reproduced in general; see dfml/ml/feature/pca.py), and the projected
rows agree with the same per-component signs."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.feature as DM
from dfml.ml.linalg import Vectors as DV


def _rows(kind, n=50, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d) * 10
    if kind != "dense":
        x[rng.random((n, d)) < 0.5] = 0.0
    out = []
    for i, r in enumerate(x):
        if kind == "sparse" or (kind == "mixed" and i % 2):
            nz = [int(j) for j in np.flatnonzero(r)]
            out.append((i, (d, nz, [float(r[j]) for j in nz])))
        else:
            out.append((i, [float(v) for v in r]))
    return out


def _frames(spark, pyspark, kind, **kw):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, V.sparse(*v) if isinstance(v, tuple) else V.dense(v))
                for i, v in _rows(kind, **kw)]
    return (spark.createDataFrame(make(DV), ["id", "v"]).repartition(3),
            pyspark.createDataFrame(make(PV), ["id", "v"]).repartition(3))


def _close(a, b):
    return np.allclose(a, b, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", ["dense", "sparse", "mixed"])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_pca(spark, pyspark, kind, k):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, kind, seed=k)
    ours = DM.PCA(k=k, inputCol="v", outputCol="o").fit(ours_df)
    theirs = PM.PCA(k=k, inputCol="v", outputCol="o").fit(theirs_df)
    assert _close(ours.explainedVariance.toArray(), theirs.explainedVariance.toArray())
    a, b = ours.pc.toArray(), theirs.pc.toArray()
    assert a.shape == b.shape == (6, k)
    signs = np.sign(np.sum(a * b, axis=0))
    assert _close(a * signs, b)
    pa_ = np.array([r.o.toArray() for r in ours.transform(ours_df).orderBy("id").collect()])
    pb = np.array([r.o.toArray() for r in theirs.transform(theirs_df).orderBy("id").collect()])
    assert _close(pa_ * signs, pb)


def test_pca_errors_in_both(spark, pyspark):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, "dense")
    for mod, df in ((DM, ours_df), (PM, theirs_df)):
        with pytest.raises(Exception, match="k"):
            mod.PCA(k=7, inputCol="v", outputCol="o").fit(df)
        with pytest.raises(Exception):
            mod.PCA(k=0, inputCol="v", outputCol="o").fit(df)
        with pytest.raises(Exception, match="rows"):
            mod.PCA(k=1, inputCol="v", outputCol="o").fit(df.limit(1))
