"""Logistic regression summaries as Spark's: the binary curves as DataFrames (roc, pr,
by-threshold), methods where Spark has methods (fMeasureByLabel, weightedFMeasure), the
evaluation summary of ``model.evaluate``; values equal to 1e-6."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.classification as DC
from dfml.ml.linalg import Vectors as DV

CURVES = ["roc", "pr", "fMeasureByThreshold", "precisionByThreshold", "recallByThreshold"]


def _rows(kind: str, n: int = 60) -> list[tuple]:
    rng = np.random.default_rng(11)
    x = np.round(rng.normal(size=(n, 2)), 1)     # rounded: tied scores
    if kind == "binary":
        y = (x[:, 0] + rng.normal(size=n) > 0.3).astype(float)
    else:
        y = np.digitize(x[:, 0] + rng.normal(size=n), [-0.5, 0.5]).astype(float)
    w = np.round(rng.uniform(0.5, 2.0, n), 1)
    return [(float(a), float(b), v.tolist()) for a, b, v in zip(y, w, x)]


def _fit(spark, pyspark, kind: str, **params):
    import pyspark.ml.classification as PC
    from pyspark.ml.linalg import Vectors as PV
    rows = _rows(kind)
    ours = spark.createDataFrame([(y, w, DV.dense(v)) for y, w, v in rows], ["label", "w", "features"])
    theirs = pyspark.createDataFrame([(y, w, PV.dense(v)) for y, w, v in rows],
                                     ["label", "w", "features"])
    return (DC.LogisticRegression(maxIter=20, **params).fit(ours), ours,
            PC.LogisticRegression(maxIter=20, **params).fit(theirs), theirs)


def _table(df) -> list[tuple]:
    return [tuple(r) for r in df.collect()]


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_training_summary_curves(spark, pyspark, weighted):
    params = {"weightCol": "w"} if weighted else {}
    ours, _, theirs, _ = _fit(spark, pyspark, "binary", **params)
    a, b = ours.summary, theirs.summary
    assert type(a).__name__ == type(b).__name__ == "BinaryLogisticRegressionTrainingSummary"
    for name in CURVES:
        da, db = getattr(a, name), getattr(b, name)
        assert da.columns == db.columns, name
        ta, tb = _table(da), _table(db)
        assert len(ta) == len(tb), name
        assert np.allclose(np.array(ta), np.array(tb), rtol=1e-6, atol=1e-9), name
    assert a.areaUnderROC == pytest.approx(b.areaUnderROC, rel=1e-6)
    assert a.scoreCol == b.scoreCol


def test_evaluate_gives_the_evaluation_summary(spark, pyspark):
    ours, ours_df, theirs, theirs_df = _fit(spark, pyspark, "binary")
    a, b = ours.evaluate(ours_df), theirs.evaluate(theirs_df)
    assert type(a).__name__ == type(b).__name__ == "BinaryLogisticRegressionSummary"
    assert a.accuracy == pytest.approx(b.accuracy, rel=1e-9)
    assert np.allclose(np.array(_table(a.roc)), np.array(_table(b.roc)), rtol=1e-6)


def test_multinomial_summary_methods(spark, pyspark):
    ours, _, theirs, _ = _fit(spark, pyspark, "multi", weightCol="w")
    a, b = ours.summary, theirs.summary
    assert type(a).__name__ == type(b).__name__ == "LogisticRegressionTrainingSummary"
    for beta in (1.0, 0.5, 2.0):
        assert a.fMeasureByLabel(beta) == pytest.approx(b.fMeasureByLabel(beta), rel=1e-9)
        assert a.weightedFMeasure(beta) == pytest.approx(b.weightedFMeasure(beta), rel=1e-9)
    assert a.fMeasureByLabel() == pytest.approx(b.fMeasureByLabel(), rel=1e-9)
    for name in ("accuracy", "weightedPrecision", "weightedRecall", "weightedTruePositiveRate",
                 "weightedFalsePositiveRate", "labels", "precisionByLabel", "recallByLabel",
                 "truePositiveRateByLabel", "falsePositiveRateByLabel", "totalIterations"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-9), name
    assert a.objectiveHistory == pytest.approx(b.objectiveHistory, rel=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_linear_regression_summary_members(spark, pyspark, weighted):
    import pyspark.ml.regression as PR
    from pyspark.ml.linalg import Vectors as PV
    import dfml.ml.regression as DR
    rows = _rows("binary")
    params = {"weightCol": "w"} if weighted else {}
    a = DR.LinearRegression(**params).fit(spark.createDataFrame(
        [(y + v[0], w, DV.dense(v)) for y, w, v in rows], ["label", "w", "features"])).summary
    b = PR.LinearRegression(**params).fit(pyspark.createDataFrame(
        [(y + v[0], w, PV.dense(v)) for y, w, v in rows], ["label", "w", "features"])).summary
    names = [n for n in dir(b) if not n.startswith("_")]
    assert [n for n in names if not hasattr(a, n)] == []
    assert a.devianceResiduals == pytest.approx(b.devianceResiduals, rel=1e-6)
    assert sorted(r[0] for r in a.residuals.collect()) == pytest.approx(
        sorted(r[0] for r in b.residuals.collect()), rel=1e-6, abs=1e-9)
    for name in ("r2", "r2adj", "rootMeanSquaredError", "meanAbsoluteError", "numInstances",
                 "degreesOfFreedom", "explainedVariance", "coefficientStandardErrors",
                 "tValues", "pValues"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-6), name
