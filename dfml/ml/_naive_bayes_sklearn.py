"""A fitted NaiveBayesModel as the scikit-learn estimator of its type.

The estimators are built from the model's numbers alone (no refit): scikit-learn's fitted
attributes are set so its joint log likelihood equals Spark's raw scores up to a per-row
constant, hence the same probabilities and predictions. Spark smooths the class priors of the
discrete types; the exported ``class_log_prior_`` is Spark's ``pi`` itself, so they agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["to_sklearn"]


def to_sklearn(model: Any) -> Any:
    from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB
    kind = model.getOrDefault("modelType")
    pi, theta = model.pi.toArray(), model.theta.toArray()
    k, d = theta.shape
    alpha = model.getOrDefault("smoothing")
    if kind == "gaussian":
        est = GaussianNB()
        est.theta_, est.var_ = theta.copy(), model.sigma.toArray().copy()
        est.class_prior_, est.class_count_ = np.exp(pi), np.exp(pi)
        est.epsilon_ = 0.0
    else:
        cls = {"multinomial": MultinomialNB, "complement": ComplementNB,
               "bernoulli": BernoulliNB}[kind]
        est = cls(alpha=alpha)
        if kind == "bernoulli":
            est.binarize = None  # Spark's bernoulli inputs are already 0/1
        est.class_log_prior_ = pi.copy()
        est.feature_log_prob_ = theta.copy()
        est.class_count_ = np.exp(pi)
        est.feature_count_ = np.zeros((k, d))
        if kind == "complement":
            est.feature_all_ = np.zeros(d)
    est.classes_ = np.arange(k, dtype=float)
    est.n_features_in_ = d
    return est


def pipeline_step(model: Any) -> Any:
    """The model as the last step of an exported scikit-learn Pipeline (``export.to_sklearn``):
    predict/predict_proba by the scikit-learn estimator above, and the same output columns as
    the dfml model (rawPrediction computed as Spark's)."""
    from .classification_nb import raw_scores
    from .export import _matrix, _PredictStep, _vector_column
    est = to_sklearn(model)
    fcol = model.getFeaturesCol()
    outs = (model.getRawPredictionCol(), model.getProbabilityCol(), model.getPredictionCol())
    kind = model.getOrDefault("modelType")
    sigma = model.sigma.toArray() if kind == "gaussian" else None
    thresholds = np.asarray(model.getThresholds(), float) if model.isSet("thresholds") else None

    def fn(X: Any) -> dict:
        x = _matrix(X[fcol])
        prob = est.predict_proba(x)
        cols = {}
        if outs[0]:
            raw = raw_scores(kind, x, model.pi.toArray(), model.theta.toArray(), sigma)
            cols[outs[0]] = _vector_column(raw, X.index)
        if outs[1]:
            cols[outs[1]] = _vector_column(prob, X.index)
        if outs[2]:
            from .classification_nb import predictions
            cols[outs[2]] = predictions(None, prob, thresholds)
        return cols
    return _PredictStep("NaiveBayesModel", fn, outs[2], outs[1] or None,
                        list(range(model.numClasses)))
