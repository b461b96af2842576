"""pyspark.ml.stat through dfml and real PySpark on the same rows: Correlation matrices (pearson,
spearman with ties, a constant feature), ChiSquareTest statistics, degrees of freedom and
p-values (nested and flattened), and every Summarizer metric, weighted and not, in select and
groupBy().agg, to 1e-6; the shown Summarizer output character for character."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.linalg import Vectors as DV
from tests.parity.ml.test_show_text_parity import same_text

NAN = float("nan")


def _rows(n: int = 40, seed: int = 7) -> list[tuple]:
    """(id, group, label, weight, features): ties, a constant feature, sparse rows, a zero
    weight."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        x = np.array([float(rng.integers(0, 4)), round(float(rng.normal()), 3), 2.0,
                      float(rng.integers(0, 3)) * (i % 2)])
        x[1] += x[0]
        feats = ("s", [int(j) for j in np.flatnonzero(x)], [float(v) for v in x[x != 0]]) \
            if i % 3 == 0 else [float(v) for v in x]
        out.append((i, ["a", "b"][i % 2], float(int(x[0]) % 2 + (i % 5 == 0)),
                    [1.0, 2.5, 0.0, 0.5][i % 4], feats))
    return out


def _frames(spark, pyspark, rows=None):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, g, lab, w, V.sparse(4, f[1], f[2]) if isinstance(f, tuple) else V.dense(f))
                for i, g, lab, w, f in rows or _rows()]
    cols = ["id", "g", "label", "weight", "features"]
    return spark.createDataFrame(make(DV), cols), pyspark.createDataFrame(make(PV), cols)


def _close(a, b, rel=1e-6):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlation(spark, pyspark, method):
    from pyspark.ml.stat import Correlation as PC

    from dfml.ml.stat import Correlation as DC
    ours_df, theirs_df = _frames(spark, pyspark)
    ours, theirs = DC.corr(ours_df, "features", method), PC.corr(theirs_df, "features", method)
    assert ours.columns == theirs.columns == [f"{method}(features)"]
    a, b = ours.collect()[0][0], theirs.collect()[0][0]
    assert _close(a.toArray(), b.toArray())
    assert type(a).__name__ == type(b).__name__ and bool(a.isTransposed) == bool(b.isTransposed)
    assert ours.schema.simpleString() == theirs.schema.simpleString()


@pytest.mark.parametrize("flatten", [False, True])
def test_chi_square(spark, pyspark, flatten):
    from pyspark.ml.stat import ChiSquareTest as PT

    from dfml.ml.stat import ChiSquareTest as DT
    ours_df, theirs_df = _frames(spark, pyspark)
    ours = DT.test(ours_df, "features", "label", flatten)
    theirs = PT.test(theirs_df, "features", "label", flatten)
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    if flatten:
        a = ours.orderBy("featureIndex").collect()
        b = theirs.orderBy("featureIndex").collect()
        assert [r.degreesOfFreedom for r in a] == [r.degreesOfFreedom for r in b]
        assert _close([r.statistic for r in a], [r.statistic for r in b])
        assert _close([r.pValue for r in a], [r.pValue for r in b])
    else:
        a, b = ours.collect()[0], theirs.collect()[0]
        assert a.degreesOfFreedom == b.degreesOfFreedom
        assert _close(a.statistics.toArray(), b.statistics.toArray())
        assert _close(a.pValues.toArray(), b.pValues.toArray())


METRICS = ["mean", "sum", "variance", "std", "count", "numNonZeros", "max", "min", "normL2",
           "normL1"]


def _value(v):
    return v.toArray() if hasattr(v, "toArray") else v


@pytest.mark.parametrize("weighted", [False, True])
def test_summarizer_metrics(spark, pyspark, weighted):
    from pyspark.ml.stat import Summarizer as PS

    from dfml.ml.stat import Summarizer as DS
    ours_df, theirs_df = _frames(spark, pyspark)

    def summary(S, df):
        w = df.weight if weighted else None
        return df.select(S.metrics(*METRICS).summary(df.features, w).alias("s"),
                         S.variance(df.features, w), S.count(df.features, w))
    a, b = summary(DS, ours_df), summary(PS, theirs_df)
    assert a.columns == b.columns
    ra, rb = a.collect()[0], b.collect()[0]
    for m in METRICS:
        assert _close(_value(ra.s[m]), _value(rb.s[m])), m
    assert _close(ra[1].toArray(), rb[1].toArray()) and ra[2] == rb[2]


def test_summarizer_in_group_by(spark, pyspark):
    from pyspark.ml.stat import Summarizer as PS

    from dfml.ml.stat import Summarizer as DS
    ours_df, theirs_df = _frames(spark, pyspark)

    def agg(S, df):
        return df.groupBy("g").agg(S.metrics("mean", "std", "max", "count").summary(
            df.features, df.weight).alias("s"), S.normL1(df.features)).orderBy("g")
    a, b = agg(DS, ours_df).collect(), agg(PS, theirs_df).collect()
    assert [r.g for r in a] == [r.g for r in b]
    for ra, rb in zip(a, b):
        for m in ("mean", "std", "max", "count"):
            assert _close(_value(ra.s[m]), _value(rb.s[m])), m
        assert _close(ra[2].toArray(), rb[2].toArray())


def test_summarizer_show_text(spark, pyspark):
    from pyspark.ml.stat import Summarizer as PS

    from dfml.ml.stat import Summarizer as DS
    ours_df, theirs_df = _frames(spark, pyspark, _rows(6))
    a = ours_df.select(DS.metrics("mean", "count", "min").summary(ours_df.features),
                       DS.max(ours_df.features, ours_df.weight))._show_string(20, truncate=False)
    b = theirs_df.select(PS.metrics("mean", "count", "min").summary(theirs_df.features),
                         PS.max(theirs_df.features, theirs_df.weight))._jdf.showString(20, 0,
                                                                                       False)
    assert same_text(a, b), a + "\n" + b
