"""Evaluators over array columns as Spark treats them: MulticlassClassificationEvaluator's
logLoss reads an array<double> or array<float> probability column as vectors (same value as
PySpark), BinaryClassificationEvaluator refuses an array rawPrediction column as PySpark does."""

from __future__ import annotations

import pytest

import dfml.ml.evaluation as DE
from dfml.sql.errors import IllegalArgumentException

ROWS = [([0.9, 0.1], 0.0, 0.0), ([0.3, 0.7], 1.0, 1.0), ([0.6, 0.4], 1.0, 0.0),
        ([0.2, 0.8], 0.0, 1.0), ([0.45, 0.55], 1.0, 1.0), ([1.0, 0.0], 1.0, 0.0)]


@pytest.mark.parametrize("element", ["double", "float"])
def test_log_loss_over_array_probabilities_equals_spark(both, element):
    import pyspark.ml.evaluation as PE
    ours, theirs = both(ROWS, f"p array<{element}>, label double, prediction double")
    a = DE.MulticlassClassificationEvaluator(probabilityCol="p", metricName="logLoss")
    b = PE.MulticlassClassificationEvaluator(probabilityCol="p", metricName="logLoss")
    assert a.evaluate(ours) == pytest.approx(b.evaluate(theirs), rel=1e-12)


def test_binary_evaluator_refuses_array_raw_predictions_as_spark(both):
    import pyspark.ml.evaluation as PE
    from pyspark.errors import IllegalArgumentException as PIAE
    ours, theirs = both(ROWS, "p array<double>, label double, prediction double")
    with pytest.raises(PIAE, match="array<double>"):
        PE.BinaryClassificationEvaluator(rawPredictionCol="p").evaluate(theirs)
    with pytest.raises(IllegalArgumentException, match="array<double>"):
        DE.BinaryClassificationEvaluator(rawPredictionCol="p").evaluate(ours)
