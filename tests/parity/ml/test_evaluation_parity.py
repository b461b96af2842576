"""Evaluators through dfml and real PySpark on the same rows: every metric agrees to 1e-6
relative. Binary inputs have many tied scores, weights, vector and double scores, and small
``numBins`` so the curves are down-sampled (PySpark's input is one partition, where its
per-partition grouping is the whole sorted table; dfml's input is spread over partitions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dfml.ml.evaluation as DE

MULTI = ["f1", "accuracy", "weightedPrecision", "weightedRecall", "weightedTruePositiveRate",
         "weightedFalsePositiveRate", "weightedFMeasure", "hammingLoss", "logLoss"]
BY_LABEL = ["truePositiveRateByLabel", "falsePositiveRateByLabel", "precisionByLabel",
            "recallByLabel", "fMeasureByLabel"]


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def _pair(spark, pyspark, rows, schema):
    ours = spark.createDataFrame(rows, schema).repartition(3)
    theirs = pyspark.createDataFrame(rows, schema).coalesce(1)
    return ours, theirs


def _both(ours_df, theirs_df, ours_ev, theirs_ev):
    a, b = ours_ev.evaluate(ours_df), theirs_ev.evaluate(theirs_df)
    assert _close(a, b), f"{ours_ev.extractParamMap()}: dfml {a} vs pyspark {b}"
    assert ours_ev.isLargerBetter() == theirs_ev.isLargerBetter()
    return a


def _binary_rows(seed: int, n: int = 300, decimals: int = 2) -> list[tuple]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(float)
    score = np.round(np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1), decimals)  # many ties
    w = np.round(rng.uniform(0, 3, n), 1)
    w[::17] = 0.0
    return [(float(s), float(l), float(x)) for s, l, x in zip(score, y, w)]


@pytest.mark.parametrize("metric", ["areaUnderROC", "areaUnderPR"])
@pytest.mark.parametrize("bins", [1000, 0, 5, 7, 30])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_double_scores(spark, pyspark, metric, bins, weighted):
    from pyspark.ml import evaluation as PE
    ours, theirs = _pair(spark, pyspark, _binary_rows(1), ["score", "label", "w"])
    kw = dict(rawPredictionCol="score", metricName=metric, numBins=bins)
    if weighted:
        kw["weightCol"] = "w"
    _both(ours, theirs, DE.BinaryClassificationEvaluator(**kw),
          PE.BinaryClassificationEvaluator(**kw))


@pytest.mark.parametrize("metric", ["areaUnderROC", "areaUnderPR"])
@pytest.mark.parametrize("bins", [1000, 3, 4])
def test_binary_vector_scores_with_ties_and_negative_zero(spark, pyspark, metric, bins):
    """Scores from a vector (entry 1; dense and sparse rows), labels that are not 0/1 (above 0.5
    is positive), ties, NaN scores and -0.0 beside 0.0 (distinct thresholds on the JVM)."""
    from pyspark.ml import evaluation as PE
    from pyspark.ml.linalg import Vectors as PV
    from dfml.ml.linalg import Vectors as DV
    rng = np.random.default_rng(7)
    base = []
    for i in range(80):
        s = float(np.round(rng.normal(), 1))
        if i % 11 == 0:
            s = float("nan")
        if i % 13 == 0:
            s = -0.0 if i % 2 else 0.0
        lab = float(rng.choice([0.0, 1.0, 2.0, 0.4, 0.7]))
        base.append((i, s, lab))

    def rows(V):
        return [(V.sparse(2, [1], [s]) if i % 3 == 0 else V.dense([1 - s, s]), lab)
                for i, s, lab in base]
    ours = spark.createDataFrame(rows(DV), ["raw", "label"]).repartition(2)
    theirs = pyspark.createDataFrame(rows(PV), ["raw", "label"]).coalesce(1)
    kw = dict(rawPredictionCol="raw", metricName=metric, numBins=bins)
    _both(ours, theirs, DE.BinaryClassificationEvaluator(**kw),
          PE.BinaryClassificationEvaluator(**kw))


def test_binary_distinct_scores_many_bins(spark, pyspark):
    """Every score distinct (no ties), 2000 rows: the default 1000 bins group scores in pairs."""
    from pyspark.ml import evaluation as PE
    rng = np.random.default_rng(3)
    y = (rng.random(2000) < 0.5).astype(float)
    s = rng.normal(y, 1.0)
    rows = [(float(a), float(b)) for a, b in zip(s, y)]
    ours, theirs = _pair(spark, pyspark, rows, ["score", "label"])
    for metric in ("areaUnderROC", "areaUnderPR"):
        for bins in (1000, 999, 0, 10):
            kw = dict(rawPredictionCol="score", metricName=metric, numBins=bins)
            _both(ours, theirs, DE.BinaryClassificationEvaluator(**kw),
                  PE.BinaryClassificationEvaluator(**kw))


def test_binary_one_class_only(spark, pyspark):
    from pyspark.ml import evaluation as PE
    rows = [(0.1, 1.0), (0.5, 1.0), (0.5, 1.0), (0.9, 1.0)]
    ours, theirs = _pair(spark, pyspark, rows, ["score", "label"])
    for metric in ("areaUnderROC", "areaUnderPR"):
        kw = dict(rawPredictionCol="score", metricName=metric)
        _both(ours, theirs, DE.BinaryClassificationEvaluator(**kw),
              PE.BinaryClassificationEvaluator(**kw))


def _multi_rows(seed: int = 5, n: int = 400) -> list:
    from pyspark.ml.linalg import Vectors as PV  # noqa: F401 (only to fail early without pyspark)
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        y = int(rng.integers(0, 4))
        p = rng.dirichlet([1, 1, 1, 1]) * 0.5
        p[y] += 0.5 * rng.random()
        p /= p.sum()
        if i % 23 == 0:
            p = np.eye(4)[(y + 1) % 4]  # p(label) = 0: clipped to eps
        if i % 29 == 0:
            p = np.eye(4)[y]  # p(label) = 1: clipped to 1 - eps
        pred = float(np.argmax(p)) if i % 31 else 4.0  # a class that is never a label
        w = float(np.round(rng.uniform(0, 2), 2))
        out.append((pred, float(y), w, [float(v) for v in p]))
    return out


def _multi_frames(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV
    from dfml.ml.linalg import Vectors as DV
    base = _multi_rows()

    def rows(V):
        return [(p, y, w, V.sparse(4, [j for j in range(4) if v[j]], [x for x in v if x])
                 if k % 2 else V.dense(v)) for k, (p, y, w, v) in enumerate(base)]
    cols = ["prediction", "label", "w", "probability"]
    return (spark.createDataFrame(rows(DV), cols).repartition(3),
            pyspark.createDataFrame(rows(PV), cols).coalesce(1))


@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_all_metrics(spark, pyspark, weighted):
    from pyspark.ml import evaluation as PE
    ours, theirs = _multi_frames(spark, pyspark)
    for metric in MULTI:
        for beta in (1.0, 0.5, 3.0):
            kw = dict(metricName=metric, beta=beta)
            if weighted:
                kw["weightCol"] = "w"
            _both(ours, theirs, DE.MulticlassClassificationEvaluator(**kw),
                  PE.MulticlassClassificationEvaluator(**kw))
    kw = dict(metricName="logLoss", eps=0.01)
    _both(ours, theirs, DE.MulticlassClassificationEvaluator(**kw),
          PE.MulticlassClassificationEvaluator(**kw))


@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_by_label(spark, pyspark, weighted):
    from pyspark.ml import evaluation as PE
    ours, theirs = _multi_frames(spark, pyspark)
    for metric in BY_LABEL:
        for label in (0.0, 1.0, 3.0):
            for beta in (1.0, 2.0):
                kw = dict(metricName=metric, metricLabel=label, beta=beta)
                if weighted:
                    kw["weightCol"] = "w"
                _both(ours, theirs, DE.MulticlassClassificationEvaluator(**kw),
                      PE.MulticlassClassificationEvaluator(**kw))


def _regression_rows(seed: int = 9, n: int = 250) -> list[tuple]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 3.0 * x + 10.0 + rng.normal(scale=2.0, size=n)
    pred = 2.8 * x + 10.5
    w = np.round(rng.uniform(0, 4, n), 2)
    w[::19] = 0.0
    return [(float(a), float(b), float(c), int(i % 5)) for i, (a, b, c) in
            enumerate(zip(pred, y, w))]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("through_origin", [False, True])
def test_regression_all_metrics(spark, pyspark, weighted, through_origin):
    from pyspark.ml import evaluation as PE
    ours, theirs = _pair(spark, pyspark, _regression_rows(),
                         "prediction double, label double, w double, ilabel int")
    for metric in ("rmse", "mse", "r2", "mae", "var"):
        for label in ("label", "ilabel"):
            kw = dict(metricName=metric, throughOrigin=through_origin, labelCol=label)
            if weighted:
                kw["weightCol"] = "w"
            _both(ours, theirs, DE.RegressionEvaluator(**kw), PE.RegressionEvaluator(**kw))


def test_regression_float_prediction_and_tiny_inputs(spark, pyspark):
    from pyspark.ml import evaluation as PE
    rows = [(1.5, 2.0, 1.0), (2.25, 2.5, 3.0), (3.0, 2.0, 0.5)]
    ours, theirs = _pair(spark, pyspark, rows, "prediction float, label double, w double")
    for metric in ("rmse", "mse", "r2", "mae", "var"):
        for w in (None, "w"):
            kw = dict(metricName=metric, **({"weightCol": w} if w else {}))
            _both(ours, theirs, DE.RegressionEvaluator(**kw), PE.RegressionEvaluator(**kw))
    one_o, one_t = _pair(spark, pyspark, rows[:1], "prediction float, label double, w double")
    kw = dict(metricName="r2")
    _both(one_o, one_t, DE.RegressionEvaluator(**kw), PE.RegressionEvaluator(**kw))


def test_params_and_defaults_match(spark, pyspark):
    from pyspark.ml import evaluation as PE
    for name in ("BinaryClassificationEvaluator", "MulticlassClassificationEvaluator",
                 "RegressionEvaluator"):
        ours, theirs = getattr(DE, name)(), getattr(PE, name)()
        assert [p.name for p in ours.params] == [p.name for p in theirs.params], name
        for p in theirs.params:
            assert ours.isDefined(p.name) == theirs.isDefined(p), (name, p.name)
            if theirs.isDefined(p):
                assert ours.getOrDefault(p.name) == theirs.getOrDefault(p), (name, p.name)


@pytest.mark.parametrize("metric", ["areaUnderROC", "areaUnderPR"])
def test_binary_on_three_class_raw_prediction_takes_entry_one(spark, pyspark, metric):
    """Spark does not refuse a 3-entry rawPrediction with labels 0..2: it scores by entry 1 and
    counts labels above 0.5 as positive. dfml gives the same number (issue 15 asked to check)."""
    from pyspark.ml.linalg import Vectors as PV
    from pyspark.ml.evaluation import BinaryClassificationEvaluator as PB
    from dfml.ml.linalg import Vectors as DV
    rng = np.random.default_rng(3)
    raw = np.round(rng.dirichlet([1, 1, 1], 40), 1)
    labels = [float(x) for x in rng.integers(0, 3, 40)]
    ours = spark.createDataFrame([(DV.dense(r.tolist()), l) for r, l in zip(raw, labels)],
                                 ["raw", "label"]).repartition(2)
    theirs = pyspark.createDataFrame([(PV.dense(r.tolist()), l) for r, l in zip(raw, labels)],
                                     ["raw", "label"]).coalesce(1)
    _both(ours, theirs, DE.BinaryClassificationEvaluator(rawPredictionCol="raw", metricName=metric),
          PB(rawPredictionCol="raw", metricName=metric))
