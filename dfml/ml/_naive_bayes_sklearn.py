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

