"""FMClassifier's summaries: the binary metrics LogisticRegression's binary summary computes
(from the model's probabilities, when first asked for) and, for the training summary, the
objective of each step.

A module of its own because it builds on ``classification``, which imports ``fm``: the model
imports this one when it first makes a summary, by which time ``classification`` is loaded.
"""

from __future__ import annotations

from .classification import BinaryLogisticRegressionSummary, LogisticRegressionTrainingSummary

__all__ = ["FMClassificationSummary", "FMClassificationTrainingSummary"]


class FMClassificationSummary(BinaryLogisticRegressionSummary):
    """Accuracy, per-label metrics and the areas under the curves of a model on a data set."""

    @property
    def weightCol(self) -> str | None:
        return None  # Spark's factorization machines take no weight column


class FMClassificationTrainingSummary(FMClassificationSummary, LogisticRegressionTrainingSummary):
    """The summary of the training data, plus the objective after every step (Spark counts
    ``totalIterations`` as the history's length less one here too, though FM's history has one
    entry per step and no initial state)."""
