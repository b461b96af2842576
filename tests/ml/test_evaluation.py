"""Evaluators: hand-computed metrics, one graph per evaluate, errors before any work, Spark's
weight checks, binning of the curves, params and persistence."""

import math

import numpy as np
import pytest

from dfml.ml.evaluation import (BinaryClassificationEvaluator, Evaluator,
                                MulticlassClassificationEvaluator, RegressionEvaluator)
from dfml.ml.evaluation import binary_curves
from dfml.ml.linalg import Vectors
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException


@pytest.fixture
def scores(spark):
    # scores with a tie at 0.5 (one positive, one negative)
    rows = [(0.9, 1.0, 1.0), (0.5, 1.0, 2.0), (0.5, 0.0, 1.0), (0.3, 0.0, 1.0), (0.1, 1.0, 0.5)]
    return spark.createDataFrame(rows, ["s", "label", "w"]).repartition(2)


def _roc(points):
    xs, ys = zip(*points)
    return sum((xs[i + 1] - xs[i]) * (ys[i + 1] + ys[i]) / 2 for i in range(len(xs) - 1))


def test_binary_known_values(scores, graphs):
    ev = BinaryClassificationEvaluator(rawPredictionCol="s")
    n = graphs()
    auc = ev.evaluate(scores)
    assert n.count == 1
    # thresholds 0.9, 0.5, 0.3, 0.1 -> (fpr, tpr); P = 3, N = 2
    assert auc == pytest.approx(_roc([(0, 0), (0, 1 / 3), (0.5, 2 / 3), (1, 2 / 3), (1, 1),
                                      (1, 1)]))
    pr = ev.evaluate(scores, {ev.metricName: "areaUnderPR"})
    # (recall, precision): first point takes the precision of the top threshold
    assert pr == pytest.approx(_roc([(0, 1), (1 / 3, 1), (2 / 3, 2 / 3), (2 / 3, 0.5),
                                     (1, 0.6)]))
    weighted = ev.copy({ev.weightCol: "w"}).evaluate(scores)
    # P = 3.5, N = 2
    assert weighted == pytest.approx(_roc([(0, 0), (0, 1 / 3.5), (0.5, 3 / 3.5), (1, 3 / 3.5),
                                           (1, 1), (1, 1)]))
    assert ev.isLargerBetter()
    assert ev.getMetricName() == "areaUnderROC"  # evaluate(params) left the evaluator alone


def test_binary_vector_scores(spark):
    rows = [(Vectors.dense([0.1, 0.9]), 1.0), (Vectors.sparse(2, [1], [0.3]), 0.0),
            (Vectors.sparse(2, [], []), 0.0), (Vectors.dense([0.5, 0.5]), 1.0)]
    df = spark.createDataFrame(rows, ["rawPrediction", "label"])
    assert BinaryClassificationEvaluator().evaluate(df) == 1.0


def test_binning_groups_sorted_distinct_scores():
    keys = np.arange(10, dtype=np.int64)  # only the order of the keys matters here
    pos = np.arange(10, dtype=float)
    neg = np.ones(10)
    _, tp, fp = binary_curves(keys, pos, neg, 3)  # 10 // 3 = 3 scores a bin, last bin 1
    assert tp.tolist() == [24.0, 39.0, 45.0, 45.0]
    assert fp.tolist() == [3.0, 6.0, 9.0, 10.0]
    _, tp, _ = binary_curves(keys, pos, neg, 6)  # 10 // 6 = 1 < 2: no grouping
    assert len(tp) == 10
    _, tp, _ = binary_curves(keys, pos, neg, 0)
    assert len(tp) == 10


def test_binary_empty_and_one_class(spark):
    empty = spark.createDataFrame([], "s double, label double")
    ev = BinaryClassificationEvaluator(rawPredictionCol="s")
    assert ev.evaluate(empty) == 0.5
    with pytest.raises(SparkException, match="empty collection"):
        ev.setMetricName("areaUnderPR").evaluate(empty)
    pos = spark.createDataFrame([(0.2, 1.0), (0.7, 1.0)], ["s", "label"])
    # no negatives: every false positive rate is 0, so the curve climbs the y axis
    assert BinaryClassificationEvaluator(rawPredictionCol="s").evaluate(pos) == 1.0


def test_multiclass_known_values(spark, graphs):
    rows = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (2.0, 1.0)]
    df = spark.createDataFrame(rows, ["prediction", "label"])
    ev = MulticlassClassificationEvaluator()
    n = graphs()
    assert ev.evaluate(df) == pytest.approx(0.5 * (2 / 3) + 0.5 * 0.5)  # f1 per class
    assert n.count == 1
    expect = {"accuracy": 0.5, "weightedPrecision": 0.75, "weightedRecall": 0.5,
              "weightedTruePositiveRate": 0.5, "weightedFalsePositiveRate": 0.25,
              "hammingLoss": 0.5}
    for metric, value in expect.items():
        assert ev.evaluate(df, {ev.metricName: metric}) == pytest.approx(value), metric
    by_label = {"precisionByLabel": 0.5, "recallByLabel": 0.5, "truePositiveRateByLabel": 0.5,
                "falsePositiveRateByLabel": 0.5, "fMeasureByLabel": 0.5}
    for metric, value in by_label.items():
        got = ev.evaluate(df, {ev.metricName: metric, ev.metricLabel: 1.0})
        assert got == pytest.approx(value), metric
    # class 1: p = 1/2, r = 1/2; class 0: p = 1, r = 1/2; F(beta=2) = 5pr / (4p + r)
    f2 = ev.evaluate(df, {ev.metricName: "weightedFMeasure", ev.beta: 2.0})
    assert f2 == pytest.approx(0.5 * (5 * 0.5 / 4.5) + 0.5 * (5 * 0.25 / 2.5))
    assert not ev.copy({ev.metricName: "hammingLoss"}).isLargerBetter()
    assert ev.copy({ev.metricName: "precisionByLabel"}).isLargerBetter()
    with pytest.raises(SparkException, match="label 2.0 does not occur"):
        ev.evaluate(df, {ev.metricName: "recallByLabel", ev.metricLabel: 2.0})


def test_multiclass_log_loss(spark):
    rows = [(1.0, 1.0, Vectors.dense([0.2, 0.8]), 1.0), (0.0, 0.0, Vectors.dense([0.6, 0.4]), 3.0),
            (0.0, 1.0, Vectors.sparse(2, [0], [1.0]), 1.0)]
    df = spark.createDataFrame(rows, ["prediction", "label", "probability", "w"])
    ev = MulticlassClassificationEvaluator(metricName="logLoss")
    eps = 1e-15
    assert ev.evaluate(df) == pytest.approx((-math.log(0.8) - math.log(0.6) - math.log(eps)) / 3)
    assert ev.setWeightCol("w").evaluate(df) == pytest.approx(
        (-math.log(0.8) - 3 * math.log(0.6) - math.log(eps)) / 5)
    assert not ev.isLargerBetter()
    bad = spark.createDataFrame([(0.0, 0.5, Vectors.dense([0.5, 0.5]))],
                                ["prediction", "label", "probability"])
    with pytest.raises(SparkException, match="Invalid label 0.5"):
        MulticlassClassificationEvaluator(metricName="logLoss").evaluate(bad)
    with pytest.raises(IllegalArgumentException, match="probabilityCol is needed"):
        MulticlassClassificationEvaluator(metricName="logLoss").evaluate(df.drop("probability"))


def test_regression_known_values(spark, graphs):
    rows = [(1.0, 2.0), (2.0, 2.5), (3.0, 2.0), (4.0, 5.5)]
    df = spark.createDataFrame(rows, ["prediction", "label"]).repartition(3)
    p = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([2.0, 2.5, 2.0, 5.5])
    ev = RegressionEvaluator()
    n = graphs()
    assert ev.evaluate(df) == pytest.approx(math.sqrt(np.mean((y - p) ** 2)))
    assert n.count == 1
    expect = {"mse": np.mean((y - p) ** 2), "mae": np.mean(np.abs(y - p)),
              "r2": 1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2),
              "var": np.mean((p - y.mean()) ** 2)}
    for metric, value in expect.items():
        assert ev.evaluate(df, {ev.metricName: metric}) == pytest.approx(value), metric
    origin = ev.copy({ev.metricName: "r2", ev.throughOrigin: True}).evaluate(df)
    assert origin == pytest.approx(1 - np.sum((y - p) ** 2) / np.sum(y ** 2))
    assert not ev.isLargerBetter() and ev.copy({ev.metricName: "r2"}).isLargerBetter()


def test_regression_weights(spark):
    rows = [(1.0, 2.0, 1.0), (2.0, 2.5, 3.0), (3.0, 2.0, 0.0), (4.0, 5.5, 0.5)]
    df = spark.createDataFrame(rows, ["prediction", "label", "w"])
    p, y, w = (np.array(c) for c in zip(*rows))
    ev = RegressionEvaluator(metricName="mae", weightCol="w")
    assert ev.evaluate(df) == pytest.approx(np.sum(w * np.abs(y - p)) / w.sum())
    with pytest.raises(IllegalArgumentException, match="Nothing has been added"):
        ev.evaluate(spark.createDataFrame([(1.0, 1.0, 0.0)], ["prediction", "label", "w"]))


@pytest.mark.parametrize("rows,match", [
    ([(0.1, 1.0, -1.0)], "MUST NOT be Negative or Infinity, but got -1.0"),
    ([(0.1, 1.0, float("inf"))], "MUST NOT be Negative or Infinity"),
    ([(0.1, 1.0, float("nan"))], "MUST NOT be Null or NaN"),
    ([(0.1, 1.0, None)], "MUST NOT be Null or NaN"),
])
def test_bad_weights_fail_the_evaluation(spark, rows, match):
    df = spark.createDataFrame(rows, "prediction double, label double, w double")
    for ev in (BinaryClassificationEvaluator(rawPredictionCol="prediction", weightCol="w"),
               MulticlassClassificationEvaluator(weightCol="w"),
               RegressionEvaluator(weightCol="w")):
        with pytest.raises(SparkException, match=match):
            ev.evaluate(df)


def test_null_values_fail_the_evaluation(spark):
    df = spark.createDataFrame([(None, 1.0), (0.5, 0.0)], "prediction double, label double")
    with pytest.raises(SparkException, match="null"):
        RegressionEvaluator().evaluate(df)
    df = spark.createDataFrame([(0.3, None), (0.5, 0.0)], "prediction double, label double")
    with pytest.raises(SparkException, match="null"):
        BinaryClassificationEvaluator(rawPredictionCol="prediction").evaluate(df)


@pytest.mark.parametrize("make,exc,match", [
    (lambda: BinaryClassificationEvaluator(rawPredictionCol="nope"), AnalysisException,
     "`nope` does not exist"),
    (lambda: BinaryClassificationEvaluator(rawPredictionCol="i"), IllegalArgumentException,
     "must be of type equal to one of the following types: \\[double, vector\\]"),
    (lambda: BinaryClassificationEvaluator(rawPredictionCol="d", labelCol="s"),
     IllegalArgumentException, "Column s must be of type numeric"),
    (lambda: BinaryClassificationEvaluator(rawPredictionCol="d", labelCol="b"),
     IllegalArgumentException, "Column b must be of type numeric"),
    (lambda: BinaryClassificationEvaluator(rawPredictionCol="d", weightCol="s"),
     IllegalArgumentException, "Column s must be of type numeric"),
    (lambda: BinaryClassificationEvaluator(rawPredictionCol="d", metricName="auc"),
     IllegalArgumentException, "metricName given invalid value 'auc'"),
    (lambda: BinaryClassificationEvaluator(rawPredictionCol="d", numBins=-1),
     IllegalArgumentException, "numBins given invalid value -1"),
    (lambda: MulticlassClassificationEvaluator(predictionCol="i"), IllegalArgumentException,
     "Column i must be of type double"),
    (lambda: MulticlassClassificationEvaluator(predictionCol="d", metricName="f2"),
     IllegalArgumentException, "metricName given invalid value"),
    (lambda: MulticlassClassificationEvaluator(predictionCol="d", eps=0.5),
     IllegalArgumentException, "eps given invalid value 0.5"),
    (lambda: MulticlassClassificationEvaluator(predictionCol="d", beta=0.0),
     IllegalArgumentException, "beta given invalid value 0.0"),
    (lambda: MulticlassClassificationEvaluator(predictionCol="d", metricLabel=-1.0),
     IllegalArgumentException, "metricLabel given invalid value -1.0"),
    (lambda: MulticlassClassificationEvaluator(predictionCol="d", metricName="logLoss",
                                               probabilityCol="d"),
     IllegalArgumentException,
     r"Column d must be of type equal to one of the following types: \[vector, array<double>"),
    (lambda: RegressionEvaluator(predictionCol="i"), IllegalArgumentException,
     "\\[double, float\\]"),
    (lambda: RegressionEvaluator(predictionCol="d", labelCol="missing"), AnalysisException,
     "`missing` does not exist"),
    (lambda: RegressionEvaluator(predictionCol="d", metricName="rmsle"),
     IllegalArgumentException, "metricName given invalid value 'rmsle'"),
])
def test_errors_before_any_work(spark, graphs, make, exc, match):
    df = spark.createDataFrame([(1.0, 1, "a", True, 1.0)],
                               "d double, i int, s string, b boolean, label double")
    n = graphs()
    with pytest.raises(exc, match=match):
        make().evaluate(df)
    assert n.count == 0


def test_evaluate_params_must_be_a_map(spark):
    df = spark.createDataFrame([(1.0, 1.0)], ["prediction", "label"])
    with pytest.raises(TypeError, match="param map"):
        RegressionEvaluator().evaluate(df, [("metricName", "mse")])


def test_params_setters_and_defaults():
    ev = BinaryClassificationEvaluator()
    assert (ev.getRawPredictionCol(), ev.getLabelCol(), ev.getMetricName(), ev.getNumBins()) == \
        ("rawPrediction", "label", "areaUnderROC", 1000)
    assert not ev.isDefined("weightCol")
    assert ev.setNumBins(5).setWeightCol("w").getNumBins() == 5 and ev.getWeightCol() == "w"
    m = MulticlassClassificationEvaluator(metricName="logLoss", eps=1e-6)
    assert (m.getMetricName(), m.getEps(), m.getBeta(), m.getMetricLabel(), m.getProbabilityCol(),
            m.getPredictionCol()) == ("logLoss", 1e-6, 1.0, 0.0, "probability", "prediction")
    r = RegressionEvaluator().setParams(metricName="r2", throughOrigin=True)
    assert r.getMetricName() == "r2" and r.getThroughOrigin() is True
    assert isinstance(r, Evaluator)
    with pytest.raises(TypeError):
        BinaryClassificationEvaluator("s")


@pytest.mark.parametrize("ev", [
    BinaryClassificationEvaluator(rawPredictionCol="score", numBins=7, weightCol="w"),
    MulticlassClassificationEvaluator(metricName="fMeasureByLabel", metricLabel=2.0, beta=0.5),
    RegressionEvaluator(metricName="r2", throughOrigin=True),
])
def test_save_load_round_trip(ev, tmp_path, spark):
    path = str(tmp_path / "ev")
    ev.save(path)
    loaded = type(ev).load(path)
    assert loaded.uid == ev.uid
    assert {p.name: v for p, v in loaded.extractParamMap().items()} == \
        {p.name: v for p, v in ev.extractParamMap().items()}
    assert {p.name for p in loaded._paramMap} == {p.name for p in ev._paramMap}
    ev.write().overwrite().save(path)
    from dfml.ml.util import ModelLoadError
    other = RegressionEvaluator if not isinstance(ev, RegressionEvaluator) else \
        BinaryClassificationEvaluator
    with pytest.raises(ModelLoadError):
        other.load(path)
