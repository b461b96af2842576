"""What the tree parity modules compare: each library's tree estimator fitted on its own copy
of the same rows (over one or several seeds), scored on the held-out rows (AUC of the class-1
probability, or RMSE), with its output schema and its three most important features."""

from __future__ import annotations

import numpy as np

import dfml.ml.classification as dc
import dfml.ml.regression as dr


def score(predictions, label, classifier):
    """Held-out AUC of the class-1 probability, or RMSE of the prediction."""
    if classifier:
        from sklearn.metrics import roc_auc_score
        rows = predictions.select(label, "probability").collect()
        return roc_auc_score([r[0] for r in rows], [r[1][1] for r in rows])
    rows = np.array(predictions.select(label, "prediction").collect(), dtype=float)
    return float(np.sqrt(np.mean((rows[:, 0] - rows[:, 1]) ** 2)))


def fit_both(frames, name, params, label):
    """[(mean score over the seeds, output schema, top-3 features, importance total)] for dfml
    then PySpark; ``frames`` is ((train, test) of dfml, (train, test) of PySpark) and
    ``params`` may hold ``seeds`` (a tuple) or ``seed``."""
    import pyspark.ml.classification as pc
    import pyspark.ml.regression as pr
    classifier = "Classifier" in name
    params = dict(params)
    seeds = params.pop("seeds", (params.pop("seed", 1),))
    results = []
    for (train, test), mod in ((frames[0], dc if classifier else dr),
                               (frames[1], pc if classifier else pr)):
        scores = []
        for seed in seeds:
            model = getattr(mod, name)(labelCol=label, seed=seed, **params).fit(train)
            out = model.transform(test)
            scores.append(score(out, label, classifier))
        imp = model.featureImportances.toArray()
        results.append((float(np.mean(scores)),
                        [(f.name, f.dataType.simpleString()) for f in out.schema.fields],
                        set(np.argsort(-imp)[:3].tolist()), float(imp.sum())))
    return results


def assert_scores_close(ours, theirs, classifier):
    """AUC within 0.01, or RMSE within 2% (issue 11's bars)."""
    if classifier:
        assert abs(ours - theirs) <= 0.01, (ours, theirs)
    else:
        assert abs(ours - theirs) <= 0.02 * theirs, (ours, theirs)
