"""SparkXGBClassifier, SparkXGBRegressor and SparkXGBRanker: xgboost.spark's estimators on
dfml, so a program written for xgboost.spark runs by changing its imports.

They take xgboost.spark's keywords (see ``params``), fit with xgboost.dask on the session's
cluster (``training``) and give xgboost.spark's output columns (``model``). Where xgboost.spark
starts ``num_workers`` barrier tasks after a repartition, dfml trains on every Dask worker that
already holds a partition of the input: no shuffle, and ``num_workers`` is only recorded.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from xgboost import XGBClassifier, XGBRanker, XGBRegressor

from ..ml.base import Estimator
from ..ml.param import keyword_only
from ..ml.param.shared import HasProbabilityCol, HasRawPredictionCol
from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from . import training
from .model import (SparkXGBClassifierModel, SparkXGBRankerModel, SparkXGBRegressorModel,
                    XGBClassifierParams, XGBRankerParams, XGBRegressorParams, extra_reads,
                    output_schema)
from .params import XGBParams, split_kwargs, xgb_defaults

__all__ = ["SparkXGBClassifier", "SparkXGBRegressor", "SparkXGBRanker"]


class _SparkXGBEstimator(XGBParams):
    """What the three estimators share (a mixin before ``Estimator``)."""

    _xgb_cls: type = XGBRegressor
    _model_cls: type = SparkXGBRegressorModel

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._setDefault(**xgb_defaults(self._xgb_cls))
        self._spark_defaults()
        split_kwargs(self, kwargs)

    def setParams(self, **kwargs: Any) -> Any:
        """Set params by xgboost.spark's keywords (unknown ones are xgboost params)."""
        split_kwargs(self, kwargs)
        return self

    # ------------------------------------------------------------ checks
    def _validate_params(self) -> None:
        label = self._label()
        if self.getOrDefault("callbacks") is not None and not isinstance(
                self.getOrDefault("callbacks"), (list, tuple)):
            raise ValueError(f"{label}: callbacks must be a list of xgboost callbacks")
        n = self.getOrDefault("n_estimators")
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise IllegalArgumentException(f"{label}: n_estimators must be an integer >= 0, "
                                           f"got {n!r}")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        from ..ml.base import require_column
        training.feature_spec(self, schema, fitting=True)
        require_column(schema, self.getOrDefault("labelCol"), (T.NumericType,), self, "numeric")
        for p in ("weightCol", "base_margin_col", "qid_col"):
            if self._defined(p):
                require_column(schema, self.getOrDefault(p), (T.NumericType,), self, "numeric")
        if self._defined("validationIndicatorCol"):
            require_column(schema, self.getOrDefault("validationIndicatorCol"),
                           (T.BooleanType,), self, "boolean")
        return output_schema(self, schema)

    def _fit_spec(self, schema: T.StructType, sources: dict | None = None) -> Any:
        spec = super()._fit_spec(schema, sources)
        reads = tuple(dict.fromkeys(spec.reads + tuple(extra_reads(self, schema))))
        return dataclasses.replace(spec, reads=reads)

    # ------------------------------------------------------------ fit
    def _num_class(self, labels: np.ndarray) -> int:
        return 0

    def _fit(self, dataset: Any) -> Any:
        label = self._label()
        spec = training.feature_spec(self, dataset.schema, fitting=True)
        cols = {"label": self.getOrDefault("labelCol"), "weight": self._defined("weightCol"),
                "valid": self._defined("validationIndicatorCol"),
                "qid": self._defined("qid_col"), "margin": self._defined("base_margin_col")}
        if cols["qid"]:
            # xgboost needs each worker's rows in query order: sort once by query id, so the
            # partitions hold increasing ranges of queries
            dataset = dataset.orderBy(cols["qid"])
        blocks = training.build_blocks(dataset, spec, cols, label)
        with blocks:
            sizes, d, labels = training.block_facts(blocks)
            if sum(sizes) == 0:
                raise SparkException(f"{label}: the input has no rows to fit on")
            k = self._num_class(labels)
            params = self._xgb_params()
            params.pop("device", None) if params.get("device") == "cpu" else None
            if k:
                params.update({"objective": "multi:softprob", "num_class": k} if k > 2
                              else {"objective": "binary:logistic"})
            dm = {"missing": self._missing(),
                  "feature_types": self.getOrDefault("feature_types"),
                  "feature_names": self.getOrDefault("feature_names"),
                  "feature_weights": self._feature_weights()}
            if dm["feature_types"] is not None:
                dm["enable_categorical"] = True
            dm = {k_: v for k_, v in dm.items() if v is not None}
            call = {"early_stopping_rounds": self.getOrDefault("early_stopping_rounds"),
                    "callbacks": self.getOrDefault("callbacks"),
                    "xgb_model": self.getOrDefault("xgb_model")}
            call = {k_: v for k_, v in call.items() if v is not None}
            fields = {"w": bool(cols["weight"]), "qid": bool(cols["qid"]),
                      "margin": bool(cols["margin"])}
            raw, history = training.train(blocks, sizes, d, params,
                                        int(self.getOrDefault("n_estimators")), dm, fields,
                                        bool(cols["valid"]), call)
        model = self._model_cls(raw, d, history)
        return self._copyValues(model)

    def _feature_weights(self) -> Any:
        fw = self.getOrDefault("feature_weights")
        return None if fw is None else np.asarray(fw, dtype=np.float32)


class SparkXGBRegressor(_SparkXGBEstimator, Estimator, XGBRegressorParams):
    """XGBoost regression as a pipeline stage (xgboost.spark's SparkXGBRegressor)."""

    _xgb_cls, _model_cls = XGBRegressor, SparkXGBRegressorModel

    @keyword_only
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.isDefined("qid_col") and self.getOrDefault("qid_col"):
            raise ValueError(f"{self._label()}: a regressor takes no qid_col (use "
                             f"SparkXGBRanker for ranking)")


class SparkXGBClassifier(_SparkXGBEstimator, Estimator, XGBClassifierParams, HasProbabilityCol,
                         HasRawPredictionCol):
    """XGBoost classification as a pipeline stage (xgboost.spark's SparkXGBClassifier): the
    objective is chosen from the label's distinct values (two: binary:logistic; more:
    multi:softprob), so it cannot be set."""

    _xgb_cls, _model_cls = XGBClassifier, SparkXGBClassifierModel

    @keyword_only
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setDefault(objective=None)

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.isDefined("qid_col") and self.getOrDefault("qid_col"):
            raise ValueError(f"{self._label()}: a classifier takes no qid_col")
        if self.getOrDefault("objective"):
            raise ValueError(f"{self._label()}: objective cannot be set on a classifier; it "
                             f"follows the number of classes in the label")

    def _num_class(self, labels: np.ndarray) -> int:
        k = len(labels)
        col = self.getOrDefault("labelCol")
        if k > 1000 or np.any(labels != np.arange(k)):
            shown = ", ".join(f"{v:g}" for v in labels[:5]) + (", ..." if k > 5 else "")
            raise SparkException(f"{self._label()}: label column `{col}` must hold the class "
                                 f"indices 0, 1, ..., k-1; found {shown}")
        return max(k, 2)


class SparkXGBRanker(_SparkXGBEstimator, Estimator, XGBRankerParams):
    """XGBoost learning to rank as a pipeline stage (xgboost.spark's SparkXGBRanker); the rows
    of one query are grouped by ``qid_col``, which must be set."""

    _xgb_cls, _model_cls = XGBRanker, SparkXGBRankerModel

    @keyword_only
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def _validate_params(self) -> None:
        super()._validate_params()
        if not self._defined("qid_col"):
            raise ValueError(f"{self._label()}: a ranker needs qid_col (the query id column)")
