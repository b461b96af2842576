"""Scalers through dfml and real PySpark on the same rows: fitted vectors and every output row
(its values to 1e-6 relative and whether it is dense or sparse) agree. RobustScaler's quantiles
are exact on these small inputs in both (Spark's summaries merge nothing below
1 / (2 * relativeError) rows, dfml's sketch nothing below 4 / relativeError values); a larger
input with relativeError 0.01 checks both answers lie within the allowed rank error."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dfml.ml.feature as DM
from dfml.ml.linalg import Vectors as DV

NAN = float("nan")


def _rows(kind: str) -> list[tuple]:
    """(id, dense values) or (id, (size, indices, values)) rows of a deterministic data set."""
    rng = np.random.default_rng({"dense": 1, "sparse": 2, "mixed": 3, "nan": 4}[kind])
    out = []
    for i in range(40):
        x = np.round(rng.normal(size=5) * [1.0, 10.0, 0.01, 0.0, 3.0] + [0, 5, 0, 2.5, -1], 3)
        if kind == "nan" and i % 9 == 0:
            x[4] = NAN
        if kind == "sparse" or (kind == "mixed" and i % 2):
            keep = rng.random(5) < 0.35
            idx = [int(j) for j in np.flatnonzero(keep)]
            out.append((i, (5, idx, [float(x[j]) for j in idx])))
        else:
            out.append((i, [float(v) for v in x]))
    return out


def _frames(spark, pyspark, kind):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, V.sparse(*v) if isinstance(v, tuple) else V.dense(v)) for i, v in _rows(kind)]
    return (spark.createDataFrame(make(DV), ["id", "v"]),
            pyspark.createDataFrame(make(PV), ["id", "v"]))


def _close(a, b, rel=1e-6):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=1e-12, equal_nan=True)


def _compare(ours, theirs, attrs):
    for name in attrs:
        assert _close(getattr(ours, name).toArray(), getattr(theirs, name).toArray()), name


def _compare_outputs(ours_df, theirs_df):
    ours = ours_df.orderBy("id").select("id", "o").collect()
    theirs = theirs_df.orderBy("id").select("id", "o").collect()
    assert [r.id for r in ours] == [r.id for r in theirs]
    for a, b in zip(ours, theirs):
        assert type(a.o).__name__ == type(b.o).__name__, (a.id, a.o, b.o)
        assert _close(a.o.toArray(), b.o.toArray()), (a.id, a.o, b.o)


def _run(spark, pyspark, kind, name, params, attrs):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, kind)
    ours = getattr(DM, name)(inputCol="v", outputCol="o", **params).fit(ours_df)
    theirs = getattr(PM, name)(inputCol="v", outputCol="o", **params).fit(theirs_df)
    _compare(ours, theirs, attrs)
    _compare_outputs(ours.transform(ours_df), theirs.transform(theirs_df))


KINDS = ["dense", "sparse", "mixed", "nan"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("params", [{}, {"withMean": True}, {"withStd": False},
                                    {"withMean": True, "withStd": False}])
def test_standard_scaler(spark, pyspark, kind, params):
    _run(spark, pyspark, kind, "StandardScaler", params, ["std", "mean"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("params", [{}, {"min": -2.0, "max": 3.0}])
def test_min_max_scaler(spark, pyspark, kind, params):
    _run(spark, pyspark, kind, "MinMaxScaler", params, ["originalMin", "originalMax"])


@pytest.mark.parametrize("kind", KINDS)
def test_max_abs_scaler(spark, pyspark, kind):
    _run(spark, pyspark, kind, "MaxAbsScaler", {}, ["maxAbs"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("params", [{}, {"withCentering": True}, {"withScaling": False},
                                    {"withCentering": True, "lower": 0.1, "upper": 0.9},
                                    {"lower": 0.33, "upper": 0.5, "relativeError": 0.0125}])
def test_robust_scaler(spark, pyspark, kind, params):
    _run(spark, pyspark, kind, "RobustScaler", params, ["median", "range"])


def _within_ranks(s, value, q, k):
    """``value`` is a ``q`` quantile of sorted ``s`` give or take ``k`` ranks."""
    lo, hi = np.searchsorted(s, value, "left"), np.searchsorted(s, value, "right")
    return lo - k <= math.ceil(q * len(s)) <= hi + k


def _range_bounds(s, lower, upper, k):
    """Smallest and largest upper-minus-lower quantile difference ``k`` ranks allow."""
    def at(q, shift):
        return s[int(np.clip(math.ceil(q * len(s)) - 1 + shift, 0, len(s) - 1))]
    return at(upper, -k) - at(lower, k), at(upper, k) - at(lower, -k)


@pytest.mark.parametrize("n,eps", [(40, 0.05), (400, 0.02), (3000, 0.01)])
def test_robust_scaler_approximate_quantiles_within_rank_tolerance(spark, pyspark, n, eps):
    """Where Spark's summaries compress (n > 1 / (2 * relativeError)) their answers are
    approximate and depend on how rows fall into partitions, so dfml's cannot match them
    value for value: both medians lie within relativeError * n ranks of the exact median and
    both ranges within what that rank error allows."""
    import pyspark.ml.feature as PM
    from pyspark.ml.linalg import Vectors as PV
    rng = np.random.default_rng(n)
    x = rng.lognormal(size=(n, 2))
    ours_df = spark.createDataFrame([(i, DV.dense(r.tolist())) for i, r in enumerate(x)],
                                    ["id", "v"]).repartition(3)
    theirs_df = pyspark.createDataFrame([(i, PV.dense(r.tolist())) for i, r in enumerate(x)],
                                        ["id", "v"]).repartition(3)
    params = dict(inputCol="v", outputCol="o", relativeError=eps)
    ours = DM.RobustScaler(**params).fit(ours_df)
    theirs = PM.RobustScaler(**params).fit(theirs_df)
    k = int(math.ceil(eps * n))
    for j in range(2):
        s = np.sort(x[:, j])
        lo, hi = _range_bounds(s, 0.25, 0.75, k)
        for m in (ours, theirs):
            assert _within_ranks(s, m.median[j], 0.5, k)
            assert lo <= m.range[j] <= hi


def test_constant_nonzero_feature(spark, pyspark):
    """A feature that never varies: StandardScaler and RobustScaler give 0.0, MinMaxScaler
    the middle of its range, MaxAbsScaler 1.0."""
    import pyspark.ml.feature as PM
    from pyspark.ml.linalg import Vectors as PV
    rows = [(i, [3.0, float(i)]) for i in range(6)]
    ours_df = spark.createDataFrame([(i, DV.dense(v)) for i, v in rows], ["id", "v"])
    theirs_df = pyspark.createDataFrame([(i, PV.dense(v)) for i, v in rows], ["id", "v"])
    for name in ("StandardScaler", "RobustScaler", "MinMaxScaler", "MaxAbsScaler"):
        ours = getattr(DM, name)(inputCol="v", outputCol="o").fit(ours_df)
        theirs = getattr(PM, name)(inputCol="v", outputCol="o").fit(theirs_df)
        _compare_outputs(ours.transform(ours_df), theirs.transform(theirs_df))


@pytest.mark.parametrize("name,params", [("MinMaxScaler", {"min": 1.0, "max": 1.0}),
                                         ("RobustScaler", {"lower": 0.8, "upper": 0.2})])
def test_bad_params_rejected_by_both(spark, pyspark, graphs, name, params):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, "dense")
    with pytest.raises(Exception):
        getattr(PM, name)(inputCol="v", outputCol="o", **params).fit(theirs_df)
    n = graphs()
    with pytest.raises(ValueError):
        getattr(DM, name)(inputCol="v", outputCol="o", **params).fit(ours_df)
    assert n.count == 0
