"""The params of dfml's xgboost.spark estimators, and how their constructor keywords map to them.

xgboost.spark's estimators take xgboost's own parameter names (``max_depth``, ``n_estimators``,
``eta``...) as keywords beside a few column names in snake case (``features_col``,
``label_col``...) that stand for Spark's camel-case params. Programs written for it rely on
that spelling, so dfml accepts the same keywords and stores them the same way:

- every keyword of xgboost's scikit-learn estimator (``XGBClassifier().get_params()``) is a
  Param of its own, with xgboost's default (``n_estimators`` defaults to 100, as there);
- the snake-case column names set Spark's ``featuresCol``, ``labelCol``... params (a list given
  as ``features_col`` sets ``features_cols``: one numeric column per feature);
- any other keyword is an xgboost booster param (``eta``, ``seed``...) kept in
  ``arbitrary_params_dict`` and handed to xgboost as given.

The Param objects are built from the installed xgboost when this module is imported, so a new
xgboost keyword is accepted without a dfml release.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..ml.param import Param, Params, TypeConverters as TC
from ..ml.param.shared import (HasFeaturesCol, HasLabelCol, HasPredictionCol,
                               HasProbabilityCol, HasRawPredictionCol, HasWeightCol)

__all__ = ["XGBParams", "ALIASES", "UNSUPPORTED", "xgb_param_mixin", "split_kwargs"]

# snake-case keyword -> Spark param
ALIASES = {"features_col": "featuresCol", "label_col": "labelCol", "weight_col": "weightCol",
           "raw_prediction_col": "rawPredictionCol", "prediction_col": "predictionCol",
           "probability_col": "probabilityCol",
           "validation_indicator_col": "validationIndicatorCol"}
_CAMEL = {v: k for k, v in ALIASES.items()}

# keywords xgboost.spark refuses, with what to use instead (the same refusals, so a program
# that works on dfml works on xgboost.spark too)
UNSUPPORTED = {
    "enable_categorical": "set feature_types and mark categorical features with 'c'",
    "n_jobs": "the workers' threads are set by the cluster", "nthread": "the workers' threads "
    "are set by the cluster", "sample_weight": "use weight_col", "eval_set": "use "
    "validation_indicator_col", "sample_weight_eval_set": "use weight_col with "
    "validation_indicator_col", "base_margin": "use base_margin_col", "base_margin_eval_set":
    "use base_margin_col", "group": "use qid_col", "qid": "use qid_col", "eval_group": "use "
    "qid_col", "eval_qid": "use qid_col", "evals": "use validation_indicator_col",
    "evals_result": "read the model's training_summary", "output_margin": "read the "
    "rawPrediction column", "validate_features": "", "arbitrary_params_dict": "pass the "
    "params as keywords"}

# keywords of XGBModel.fit / predict that xgboost.spark keeps as params
FIT_PARAMS = ("verbose", "xgb_model", "feature_weights")
PREDICT_PARAMS = ("iteration_range",)
# params that are not booster params: they shape the data, the rounds or the training call
NON_BOOSTER = {"missing", "n_estimators", "feature_types", "feature_weights", "feature_names",
               "early_stopping_rounds", "callbacks", "importance_type", "verbose", "xgb_model",
               "iteration_range", "enable_categorical", "n_jobs"}


def _plain(v: Any) -> Any:
    """numpy scalars as Python values (params are saved as JSON)."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def xgb_defaults(xgb_cls: type) -> dict[str, Any]:
    """xgboost's scikit-learn keywords and their defaults, as xgboost.spark starts from."""
    out = {k: _plain(v) for k, v in xgb_cls().get_params().items() if k not in UNSUPPORTED}
    out["n_estimators"] = 100
    for k in FIT_PARAMS + PREDICT_PARAMS:
        out.setdefault(k, True if k == "verbose" else None)
    return out


@functools.lru_cache(maxsize=None)
def _xgb_names(xgb_cls: type) -> frozenset:
    return frozenset(xgb_defaults(xgb_cls))


def xgb_param_mixin(name: str, xgb_cls: type) -> type:
    """A Params class with one Param per xgboost keyword of ``xgb_cls`` (built at import)."""
    attrs: dict[str, Any] = {"__module__": __name__, "__qualname__": name}
    for key in xgb_defaults(xgb_cls):
        attrs[key] = Param(Params._dummy(), key, f"xgboost's {key} (see "
                           f"{xgb_cls.__name__}'s documentation)", _plain)
    return type(name, (Params,), attrs)


class XGBParams(HasFeaturesCol, HasLabelCol, HasWeightCol, HasPredictionCol):
    """The Spark-side params every xgboost.spark estimator and model has."""

    # Python objects, not saved (xgboost.spark pickles callbacks; dfml never pickles)
    _saved_elsewhere = ("callbacks", "xgb_model")

    features_cols = Param(Params._dummy(), "features_cols", "numeric feature columns (set by "
                          "giving features_col a list)", TC.toListString)
    validationIndicatorCol = Param(Params._dummy(), "validationIndicatorCol", "boolean column: "
                                   "true marks a validation row", TC.toString)
    base_margin_col = Param(Params._dummy(), "base_margin_col", "column of each row's initial "
                            "margin", TC.toString)
    qid_col = Param(Params._dummy(), "qid_col", "query id column (ranking)", TC.toString)
    pred_contrib_col = Param(Params._dummy(), "pred_contrib_col", "output column of each "
                             "feature's contribution to the prediction (SHAP values)",
                             TC.toString)
    num_workers = Param(Params._dummy(), "num_workers", "training tasks xgboost.spark would "
                        "start; dfml trains on every Dask worker that holds a partition",
                        TC.toInt)
    device = Param(Params._dummy(), "device", "cpu (or cuda, where the workers have GPUs)",
                   TC.toString)
    force_repartition = Param(Params._dummy(), "force_repartition", "accepted for "
                              "compatibility; dfml trains on the partitions as they are",
                              TC.toBoolean)
    repartition_random_shuffle = Param(Params._dummy(), "repartition_random_shuffle",
                                       "accepted for compatibility", TC.toBoolean)
    enable_sparse_data_optim = Param(Params._dummy(), "enable_sparse_data_optim", "read sparse "
                                     "vectors' absent entries as missing, not 0", TC.toBoolean)
    feature_names = Param(Params._dummy(), "feature_names", "names of the features",
                          TC.identity)
    launch_tracker_on_driver = Param(Params._dummy(), "launch_tracker_on_driver", "accepted "
                                     "for compatibility", TC.toBoolean)
    arbitrary_params_dict = Param(Params._dummy(), "arbitrary_params_dict", "xgboost params "
                                  "given as keywords that are not declared params", TC.identity)

    def _spark_defaults(self) -> None:
        self._setDefault(featuresCol="features", labelCol="label", predictionCol="prediction",
                         features_cols=[], num_workers=1, device="cpu", force_repartition=False,
                         repartition_random_shuffle=False, enable_sparse_data_optim=False,
                         feature_names=None, launch_tracker_on_driver=True,
                         arbitrary_params_dict={})

    def _defined(self, name: str) -> str | None:
        """The value of a column param when set to a non-empty name, else None."""
        if self.hasParam(name) and self.isDefined(name):
            v = self.getOrDefault(name)
            return v or None
        return None

    def _label(self) -> str:
        return f"{type(self).__name__} ({self.uid})"

    def _xgb_params(self) -> dict[str, Any]:
        """The xgboost booster params: every declared xgboost param with a value, then the
        arbitrary ones (which win, as in xgboost.spark)."""
        out = {}
        names = _xgb_names(self._xgb_cls)
        for p in self.params:
            if p.name in names and p.name not in NON_BOOSTER and self.isDefined(p):
                v = self.getOrDefault(p)
                if v is not None:
                    out[p.name] = v
        out.update(self.getOrDefault("arbitrary_params_dict") or {})
        return out

    def _missing(self) -> float:
        v = self.getOrDefault("missing") if self.hasParam("missing") else math.nan
        return math.nan if v is None else float(v)


def split_kwargs(stage: Any, kwargs: dict) -> dict:
    """Set ``kwargs`` on ``stage`` as xgboost.spark's ``setParams`` does: aliases to Spark's
    params, a list ``features_col`` to ``features_cols``, declared params as themselves, the
    rest into ``arbitrary_params_dict``; a named error for a keyword xgboost.spark refuses."""
    extra = {}
    name = type(stage).__name__
    for k, v in kwargs.items():
        if k == "features_cols":
            raise ValueError(f"{name}: set the feature columns with features_col=[...], not "
                             f"features_cols")
        if k in _CAMEL:
            raise ValueError(f"{name}: use the keyword {_CAMEL[k]!r}, not {k!r}")
        if k == "features_col" and isinstance(v, (list, tuple)):
            if not v or not all(isinstance(c, str) for c in v):
                raise ValueError(f"{name}: features_col as a list must name one or more "
                                 f"columns, got {v!r}")
            stage._set(features_cols=list(v))
            continue
        k = ALIASES.get(k, k)
        if k in UNSUPPORTED:
            hint = UNSUPPORTED[k]
            raise ValueError(f"{name}: unsupported param {k!r}" + (f"; {hint}" if hint else ""))
        if stage.hasParam(k):
            if v is None:
                stage.clear(k)
            else:
                stage._set(**{k: v})
        else:
            extra[k] = _plain(v)
    if extra:
        have = dict(stage.getOrDefault("arbitrary_params_dict") or {})
        stage._set(arbitrary_params_dict={**have, **extra})
    return extra
