"""The multilayer perceptron's summaries: the multiclass metrics LogisticRegression's summary
computes (from the model's predictions, when first asked for), and for the training summary
the objective history.

A module of its own because it builds on ``classification``, which imports ``mlp``: the model
imports this one when it first makes a summary, by which time ``classification`` is loaded.
"""

from __future__ import annotations

from .classification import LogisticRegressionSummary, LogisticRegressionTrainingSummary

__all__ = ["MultilayerPerceptronClassificationSummary",
           "MultilayerPerceptronClassificationTrainingSummary"]


class MultilayerPerceptronClassificationSummary(LogisticRegressionSummary):
    """Accuracy, per-label and weighted metrics of a model on a data set."""

    @property
    def weightCol(self) -> str | None:
        return None  # the perceptron has no weight column


class MultilayerPerceptronClassificationTrainingSummary(
        MultilayerPerceptronClassificationSummary, LogisticRegressionTrainingSummary):
    """The summary of the training data, plus the objective at every solver state."""
