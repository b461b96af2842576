"""GeneralizedLinearRegression through dfml and real PySpark on the same rows: coefficients,
intercept and every summary figure agree to 1e-6 relative for each family and link (with and
without intercept, weights, offsets and an L2 penalty), and so do predictions, link
predictions and residuals."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.linalg import Vectors as DV
from dfml.ml.regression import GeneralizedLinearRegression as DGLR

RNG = np.random.default_rng(7)
N = 120
X = RNG.normal(size=(N, 3)) * [1.0, 0.5, 2.0] + [0.2, -0.1, 0.5]
W = np.round(RNG.uniform(0.5, 3.0, size=N), 1)
OFF = RNG.uniform(-0.2, 0.2, size=N)
ETA = X @ [0.3, -0.4, 0.1] + 0.2
LABELS = {
    "gaussian": ETA * 2 + 1 + RNG.normal(size=N),
    "positive": np.exp(ETA) * RNG.gamma(4.0, 0.25, size=N) + 0.05,
    "binary": (RNG.uniform(size=N) < 1 / (1 + np.exp(-ETA))).astype(float),
    "count": RNG.poisson(np.exp(ETA)).astype(float),
}
# an identity-link poisson fit needs means well inside (0, inf): counts around 6
LABELS["shifted"] = LABELS["count"] + 5.0

CASES = [
    ("gaussian", "gaussian", {}),
    ("gaussian", "gaussian", dict(regParam=0.3)),
    ("gaussian", "gaussian", dict(fitIntercept=False, weightCol="w")),
    ("gaussian", "gaussian", dict(offsetCol="off", weightCol="w")),
    ("gaussian-log", "positive", dict(family="gaussian", link="log")),
    ("gaussian-inverse", "positive", dict(family="gaussian", link="inverse")),
    ("binomial", "binary", dict(family="binomial")),
    ("binomial-w-l2", "binary", dict(family="binomial", weightCol="w", regParam=0.1)),
    ("binomial-probit", "binary", dict(family="binomial", link="probit")),
    ("binomial-cloglog", "binary", dict(family="binomial", link="cloglog")),
    ("poisson", "count", dict(family="poisson")),
    ("poisson-offset", "count", dict(family="poisson", offsetCol="off", weightCol="w")),
    ("poisson-sqrt", "count", dict(family="poisson", link="sqrt")),
    ("poisson-identity", "shifted", dict(family="poisson", link="identity")),
    ("poisson-nointercept", "count", dict(family="poisson", fitIntercept=False)),
    ("gamma", "positive", dict(family="gamma", link="log")),
    ("gamma-inverse-w", "positive", dict(family="gamma", weightCol="w")),
    ("gamma-identity", "positive", dict(family="gamma", link="identity")),
    ("tweedie-1.5", "count", dict(family="tweedie", variancePower=1.5, linkPower=0.0)),
    ("tweedie-default-link", "positive", dict(family="tweedie", variancePower=1.6)),
    ("tweedie-2.5-offset", "positive", dict(family="tweedie", variancePower=2.5,
                                            linkPower=0.0, offsetCol="off")),
    ("tweedie-as-poisson", "count", dict(family="tweedie", variancePower=1.0, linkPower=0.0)),
]
IDS = [c[0] for c in CASES]


def _rows(V, y):
    return [(float(t), float(w), float(o), V.sparse(3, {j: float(v) for j, v in enumerate(x)})
             if i % 4 == 0 else V.dense([float(v) for v in x]))
            for i, (t, w, o, x) in enumerate(zip(y, W, OFF, X))]


@pytest.fixture(scope="module")
def data(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV
    cols = ["label", "w", "off", "features"]
    return {k: (spark.createDataFrame(_rows(DV, y), cols), pyspark.createDataFrame(_rows(PV, y), cols))
            for k, y in LABELS.items()}


def close(a, b, rel=1e-6):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=1e-12)


def _figure(summary, name):
    try:
        v = getattr(summary, name)
    except Exception as e:  # Spark refuses some figures for some families
        return type(e).__name__
    return v


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_glr_matches_spark(data, case):
    from pyspark.ml.regression import GeneralizedLinearRegression as PGLR
    _, label, params = case
    ours_df, theirs_df = data[label]
    ours = DGLR(linkPredictionCol="eta", **params).fit(ours_df)
    theirs = PGLR(linkPredictionCol="eta", **params).fit(theirs_df)
    assert close(ours.coefficients.toArray(), theirs.coefficients.toArray())
    assert close([ours.intercept], [theirs.intercept])
    s, t = ours.summary, theirs.summary
    assert s.numIterations == t.numIterations
    for name in ("numInstances", "rank", "degreesOfFreedom", "residualDegreeOfFreedom",
                 "residualDegreeOfFreedomNull"):
        assert getattr(s, name) == getattr(t, name), name
    for name in ("deviance", "nullDeviance", "dispersion", "aic", "coefficientStandardErrors",
                 "tValues", "pValues"):
        a, b = _figure(s, name), _figure(t, name)
        if isinstance(b, str):  # an error in Spark must be an error here
            assert isinstance(a, str), (name, a, b)
        else:
            assert close(a, b), (name, a, b)
    mine = ours.transform(ours_df).select("prediction", "eta").collect()
    spark_rows = theirs.transform(theirs_df).select("prediction", "eta").collect()
    assert close([tuple(r) for r in mine], [tuple(r) for r in spark_rows])
    for kind in ("deviance", "pearson", "working", "response"):
        a = [r[0] for r in s.residuals(kind).collect()]
        b = [r[0] for r in t.residuals(kind).collect()]
        assert close(a, b), kind


TEXT_CASES = [dict(), dict(family="poisson", weightCol="w"), dict(family="tweedie", variancePower=1.5),
              dict(family="gamma", link="log", fitIntercept=False)]


@pytest.mark.parametrize("params", TEXT_CASES, ids=["gaussian", "poisson", "tweedie", "gamma"])
def test_printed_summary_matches_spark(spark, pyspark, params):
    """The R-like table Spark prints for a training summary, with names from ML attributes
    (a VectorAssembler) and without them (``features_<i>``)."""
    from pyspark.ml.feature import VectorAssembler as PVA
    from pyspark.ml.regression import GeneralizedLinearRegression as PGLR
    from dfml.ml.feature import VectorAssembler as DVA
    rows = [(1.0, 1.0, 0.5, 2.0), (3.0, 2.0, 1.5, 1.0), (2.0, 3.0, 0.2, 1.0),
            (5.0, 4.0, 2.5, 3.0), (4.0, 5.0, 1.0, 2.0), (7.0, 6.0, 3.0, 1.0)]
    cols = ["label", "a", "b", "w"]
    ours = DVA(inputCols=["a", "b"], outputCol="features").transform(spark.createDataFrame(rows, cols))
    theirs = PVA(inputCols=["a", "b"], outputCol="features").transform(pyspark.createDataFrame(rows, cols))
    assert repr(DGLR(**params).fit(ours).summary) == repr(PGLR(**params).fit(theirs).summary)
    plain = [(r[0], DV.dense(r[1], r[2])) for r in rows]
    from pyspark.ml.linalg import Vectors as PV
    ours = spark.createDataFrame(plain, ["label", "features"])
    theirs = pyspark.createDataFrame([(r[0], PV.dense(r[1], r[2])) for r in rows], ["label", "features"])
    params = {k: v for k, v in params.items() if k != "weightCol"}
    assert repr(DGLR(**params).fit(ours).summary) == repr(PGLR(**params).fit(theirs).summary)
    m = DGLR(family="poisson", link="log").fit(ours)
    assert repr(m).split(", ", 1)[1] == "family=poisson, link=log, numFeatures=2"
