"""OneVsRest through dfml and real PySpark on the same rows: with LogisticRegression as the
base classifier the per-class coefficients and intercepts agree to 1e-6 and the predictions
are equal (plain, penalized with weights, run two at a time, labels with an absent class);
with NaiveBayes (a classifier fitted by aggregation, not on blocks) the predictions and
rawPrediction agree too."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.classification import LogisticRegression as DLR, NaiveBayes as DNB, \
    OneVsRest as DOVR
from dfml.ml.linalg import Vectors as DV

RNG = np.random.default_rng(5)
N = 150
X = RNG.normal(size=(N, 3)) * [1.0, 2.0, 0.5]
Y = np.argmax(X @ RNG.normal(size=(3, 3)) + RNG.normal(size=(N, 3)) * 0.7, axis=1).astype(float)
W = np.round(RNG.uniform(0.5, 2.0, size=N), 2)


def _frames(spark, pyspark, X, Y):
    from pyspark.ml.linalg import Vectors as PV

    def rows(V):
        return [(float(y), float(w), V.dense([float(v) for v in x]))
                for y, w, x in zip(Y, W, X)]
    cols = ["label", "w", "features"]
    return spark.createDataFrame(rows(DV), cols), pyspark.createDataFrame(rows(PV), cols)


@pytest.fixture(scope="module")
def data(spark, pyspark):
    return _frames(spark, pyspark, X, Y)


CASES = [(dict(), dict()), (dict(regParam=0.05), dict(weightCol="w")),
         (dict(regParam=0.01, fitIntercept=False), dict(parallelism=2))]


def _compare(ours_df, theirs_df, ours, theirs):
    assert len(ours.models) == len(theirs.models)
    for a, b in zip(ours.models, theirs.models):
        assert a.getLabelCol() == b.getLabelCol()
        assert np.allclose(a.coefficients.toArray(), b.coefficients.toArray(), rtol=1e-6,
                           atol=1e-8), (a.coefficients, b.coefficients)
        assert np.isclose(a.intercept, b.intercept, rtol=1e-6, atol=1e-8)
    mine = ours.transform(ours_df).collect()
    spark_rows = theirs.transform(theirs_df).collect()
    assert ours.transform(ours_df).columns == theirs.transform(theirs_df).columns
    assert [r.prediction for r in mine] == [r.prediction for r in spark_rows]
    assert np.allclose([r.rawPrediction.toArray() for r in mine],
                       [r.rawPrediction.toArray() for r in spark_rows], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("lr,ovr", CASES, ids=["plain", "weighted-l2", "parallel-no-intercept"])
def test_one_vs_rest_logistic_matches_spark(data, lr, ovr):
    from pyspark.ml.classification import LogisticRegression as PLR, OneVsRest as POVR
    ours_df, theirs_df = data
    ours = DOVR(classifier=DLR(**lr), **ovr).fit(ours_df)
    theirs = POVR(classifier=PLR(**lr), **ovr).fit(theirs_df)
    _compare(ours_df, theirs_df, ours, theirs)


def test_one_vs_rest_counts_classes_by_the_largest_label(spark, pyspark):
    """Class 2 has no rows: Spark still fits (and scores) a model for it."""
    from pyspark.ml.classification import LogisticRegression as PLR, OneVsRest as POVR
    y = np.where(Y == 2, 3.0, Y)
    ours_df, theirs_df = _frames(spark, pyspark, X, y)
    ours = DOVR(classifier=DLR(regParam=0.1)).fit(ours_df)
    theirs = POVR(classifier=PLR(regParam=0.1)).fit(theirs_df)
    assert len(ours.models) == 4
    _compare(ours_df, theirs_df, ours, theirs)


def test_one_vs_rest_naive_bayes_matches_spark(spark, pyspark):
    from pyspark.ml.classification import NaiveBayes as PNB, OneVsRest as POVR
    ours_df, theirs_df = _frames(spark, pyspark, np.abs(X), Y)
    ours = DOVR(classifier=DNB(smoothing=0.5)).fit(ours_df)
    theirs = POVR(classifier=PNB(smoothing=0.5)).fit(theirs_df)
    for a, b in zip(ours.models, theirs.models):
        assert np.allclose(a.theta.toArray(), b.theta.toArray(), rtol=1e-6)
    mine = ours.transform(ours_df).collect()
    spark_rows = theirs.transform(theirs_df).collect()
    assert [r.prediction for r in mine] == [r.prediction for r in spark_rows]
    assert np.allclose([r.rawPrediction.toArray() for r in mine],
                       [r.rawPrediction.toArray() for r in spark_rows], rtol=1e-6)
