"""Model selection (``pyspark.ml.tuning``): a grid of param maps, and two validators that fit
every candidate on training data, score it on held-out data, and refit the best on everything.

``CrossValidator`` scores each candidate on ``numFolds`` folds (the user's ``foldCol``, or a
seeded random split) and keeps the mean and standard deviation of its metric;
``TrainValidationSplit`` scores each on one random split. How the folds are cut, materialized
and released, and how a Pipeline's fixed prefix is fitted once per fold instead of once per
candidate, is in ``_tuning_run``; their saved layout (Spark's: ``estimator/``, ``evaluator/``,
param maps as JSON in the metadata, ``bestModel/``, ``subModels/``) in ``_tuning_io``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..sql.errors import IllegalArgumentException
from ._tuning_io import (ValidatorModelWriter, cv_model_metadata, load_validator_parts,
                         save_validator_parts, tvs_model_metadata)
from ._tuning_run import evaluate_candidates, k_folds, train_validation
from .base import Estimator, Model
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import HasSeed

__all__ = ["ParamGridBuilder", "CrossValidator", "CrossValidatorModel", "TrainValidationSplit",
           "TrainValidationSplitModel"]

_D = Params._dummy()


class ParamGridBuilder:
    """Builds the list of param maps a validator tries: every combination of the values given
    to ``addGrid``, each also holding the fixed values given to ``baseOn``."""

    def __init__(self) -> None:
        self._param_grid: dict[Param, list] = {}

    def addGrid(self, param: Param, values: list) -> "ParamGridBuilder":
        if not isinstance(param, Param):
            raise TypeError(f"ParamGridBuilder.addGrid: param must be a Param (a stage's "
                            f"attribute such as lr.regParam), got {type(param).__name__}")
        self._param_grid[param] = list(values)
        return self

    def baseOn(self, *args: Any) -> "ParamGridBuilder":
        """Fix params in every map: a dict ``{param: value}`` or ``(param, value)`` pairs."""
        if args and isinstance(args[0], dict):
            return self.baseOn(*args[0].items())
        for pair in args:
            param, value = pair
            self.addGrid(param, [value])
        return self

    def build(self) -> list[dict]:
        """Every combination (the param added last varies fastest), each value checked by its
        param's converter, so a bad value fails here rather than mid-fit."""
        keys = list(self._param_grid)
        out = []
        for combo in itertools.product(*(self._param_grid[k] for k in keys)):
            out.append({k: _convert(k, v) for k, v in zip(keys, combo)})
        return out


def _convert(param: Param, value: Any) -> Any:
    try:
        return param.typeConverter(value)
    except TypeError as e:
        raise TypeError(f"ParamGridBuilder: value {value!r} for param {param.name!r}: "
                        f"{e}") from None


class _ValidatorParams(HasSeed):
    """Params both validators (and their models) share."""

    estimator = Param(_D, "estimator", "estimator to be cross-validated")
    estimatorParamMaps = Param(_D, "estimatorParamMaps", "estimator param maps")
    evaluator = Param(_D, "evaluator",
                      "evaluator used to select hyper-parameters that maximize the validator "
                      "metric")


class _SavesParts:
    """Listed first among a validator's (or its model's) bases, so these persistence hooks
    win over ``Persistable``'s defaults: estimator, evaluator and param maps (and a model's
    best and sub-models) are saved as Spark saves them, see ``_tuning_io``."""

    _saved_elsewhere = ("estimator", "evaluator", "estimatorParamMaps")

    def _save_parts(self, save_child: Any) -> dict:
        return save_validator_parts(self, save_child)

    def _load_parts(self, meta: dict, load_child: Any, exists: Any) -> None:
        load_validator_parts(self, meta, load_child, exists)


class _Fitting(Params):
    parallelism = Param(_D, "parallelism",
                        "the number of threads to use when running parallel algorithms (>= 1)",
                        TC.toInt)
    collectSubModels = Param(_D, "collectSubModels",
                             "whether to collect a list of sub-models trained during tuning",
                             TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(parallelism=1, collectSubModels=False)


class _CrossValidatorParams(_ValidatorParams):
    numFolds = Param(_D, "numFolds", "number of folds for cross validation", TC.toInt)
    foldCol = Param(_D, "foldCol",
                    "column of user-specified fold numbers (integers in [0, numFolds)); when "
                    "set, no random split is made", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(numFolds=3, foldCol="")


class _TrainValidationSplitParams(_ValidatorParams):
    trainRatio = Param(_D, "trainRatio",
                       "ratio between training set and validation set (>= 0, <= 1)", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(trainRatio=0.75)


class _Validator(_SavesParts, Estimator, _Fitting):
    """What CrossValidator and TrainValidationSplit share: checks, copy, the best index."""

    def _validate_params(self) -> None:
        for name in ("estimator", "evaluator", "estimatorParamMaps"):
            if not self.isDefined(name):
                raise IllegalArgumentException(f"{type(self).__name__} ({self.uid}): param "
                                               f"{name} must be set before fit")
        if self.getOrDefault("parallelism") < 1:
            raise self._invalid("parallelism")
        maps = self.getOrDefault("estimatorParamMaps")
        if not isinstance(maps, (list, tuple)) or not all(isinstance(m, dict) for m in maps):
            raise TypeError(f"{type(self).__name__} ({self.uid}): estimatorParamMaps must be a "
                            f"list of param maps (dicts), as ParamGridBuilder().build() returns")
        if not maps:
            raise IllegalArgumentException(f"{type(self).__name__} ({self.uid}): "
                                           f"estimatorParamMaps is empty")
        if not isinstance(self.getOrDefault("estimator"), Estimator):
            raise TypeError(f"{type(self).__name__} ({self.uid}): estimator must be an Estimator")

    def _invalid(self, name: str) -> IllegalArgumentException:
        return IllegalArgumentException(
            f"{self.uid} parameter {name} given invalid value {self.getOrDefault(name)!r}.")

    def transformSchema(self, schema: Any) -> Any:
        return self.getOrDefault("estimator").transformSchema(schema)

    def _fit_spec(self, schema: Any, sources: Any = None) -> Any:
        """A validator in a pipeline is a barrier: it reads its input many times."""
        from .fitspec import ITERATIVE, FitSpec
        spec = super(Estimator, self)._fit_spec(schema)
        return FitSpec(spec.reads, spec.writes, ITERATIVE, drops_rows=spec.drops_rows)

    def _best(self, metrics: list[float]) -> int:
        if self.getOrDefault("evaluator").isLargerBetter():
            return int(np.argmax(metrics))
        return int(np.argmin(metrics))

    def copy(self, extra: dict | None = None) -> "_Validator":
        """A copy whose estimator and evaluator are copies too (with ``extra`` applied); the
        param maps are shared, as Spark's copy shares them."""
        extra = extra or {}
        that = Params.copy(self, extra)
        if self.isSet("estimator"):
            that._set(estimator=self.getOrDefault("estimator").copy(extra))
        if self.isSet("evaluator"):
            that._set(evaluator=self.getOrDefault("evaluator").copy(extra))
        return that


class CrossValidator(_Validator, _CrossValidatorParams):
    """K-fold cross validation: each param map is fitted on ``numFolds - 1`` folds and scored
    on the remaining one, for every fold; the map with the best mean metric is refitted on
    the whole input."""

    @keyword_only
    def __init__(self, *, estimator: Any = None, estimatorParamMaps: Any = None,
                 evaluator: Any = None, numFolds: int = 3, seed: int | None = None,
                 parallelism: int = 1, collectSubModels: bool = False, foldCol: str = ""):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, estimator: Any = None, estimatorParamMaps: Any = None,
                  evaluator: Any = None, numFolds: int = 3, seed: int | None = None,
                  parallelism: int = 1, collectSubModels: bool = False,
                  foldCol: str = "") -> "CrossValidator":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.getOrDefault("numFolds") < 2:
            raise self._invalid("numFolds")

    def _fit(self, dataset: Any) -> "CrossValidatorModel":
        est, maps = self.getOrDefault("estimator"), self.getOrDefault("estimatorParamMaps")
        eva, n = self.getOrDefault("evaluator"), self.getOrDefault("numFolds")
        collect = self.getOrDefault("collectSubModels")
        metrics_all, sub_models = [], [] if collect else None
        for train, validation in k_folds(dataset, n, self.getOrDefault("foldCol"),
                                             self.getOrDefault("seed"), self):
            metrics, models = evaluate_candidates(
                est, maps, eva, train, validation, self.getOrDefault("parallelism"), collect)
            metrics_all.append(metrics)
            if collect:
                sub_models.append(models)
        avg = [float(x) for x in np.mean(metrics_all, axis=0)]
        std = [float(x) for x in np.std(metrics_all, axis=0)]
        best = est.fit(dataset, maps[self._best(avg)])
        return self._copyValues(CrossValidatorModel(best, avg, sub_models, std))


class CrossValidatorModel(_SavesParts, Model, _CrossValidatorParams):
    """The best model a CrossValidator found (``bestModel``, what ``transform`` applies), the
    mean and standard deviation of each param map's metric over the folds, and, when
    collected, ``subModels[fold][map]``."""

    def __init__(self, bestModel: Any = None, avgMetrics: list | None = None,
                 subModels: list | None = None, stdMetrics: list | None = None):
        super().__init__()
        self.bestModel = bestModel
        self.avgMetrics = list(avgMetrics or [])
        self.subModels = subModels
        self.stdMetrics = list(stdMetrics or [])

    def _init_loaded(self) -> None:
        self.bestModel, self.avgMetrics, self.subModels, self.stdMetrics = None, [], None, []

    def transformSchema(self, schema: Any) -> Any:
        return self.bestModel.transformSchema(schema)

    def _transform(self, dataset: Any) -> Any:
        return self.bestModel.transform(dataset)

    def copy(self, extra: dict | None = None) -> "CrossValidatorModel":
        """A copy (with ``extra`` applied to it and to the best model; sub-models are copied
        without it, as Spark does)."""
        extra = extra or {}
        subs = [[m.copy() for m in fold] for fold in self.subModels] \
            if self.subModels is not None else None
        that = CrossValidatorModel(self.bestModel.copy(extra), list(self.avgMetrics), subs,
                                   list(self.stdMetrics))
        that._resetUid(self.uid)
        return self._copyValues(that, extra)

    def write(self) -> Any:
        return ValidatorModelWriter(self)

    def _save_extra_metadata(self) -> dict:
        return cv_model_metadata(self)

    def _load_extra_metadata(self, meta: dict) -> None:
        self.avgMetrics = [float(x) for x in meta.get("avgMetrics", [])]
        self.stdMetrics = [float(x) for x in meta.get("stdMetrics", [])]


class TrainValidationSplit(_Validator, _TrainValidationSplitParams):
    """One random split (``trainRatio`` of the rows to train on, by ``seed``): each param map
    is fitted on the training part and scored on the rest; the best is refitted on all."""

    @keyword_only
    def __init__(self, *, estimator: Any = None, estimatorParamMaps: Any = None,
                 evaluator: Any = None, trainRatio: float = 0.75, parallelism: int = 1,
                 collectSubModels: bool = False, seed: int | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, estimator: Any = None, estimatorParamMaps: Any = None,
                  evaluator: Any = None, trainRatio: float = 0.75, parallelism: int = 1,
                  collectSubModels: bool = False,
                  seed: int | None = None) -> "TrainValidationSplit":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        super()._validate_params()
        if not 0.0 <= self.getOrDefault("trainRatio") <= 1.0:
            raise self._invalid("trainRatio")

    def _fit(self, dataset: Any) -> "TrainValidationSplitModel":
        est, maps = self.getOrDefault("estimator"), self.getOrDefault("estimatorParamMaps")
        eva = self.getOrDefault("evaluator")
        collect = self.getOrDefault("collectSubModels")
        train, validation = train_validation(dataset, self.getOrDefault("trainRatio"),
                                                 self.getOrDefault("seed"), self)
        metrics, models = evaluate_candidates(
            est, maps, eva, train, validation, self.getOrDefault("parallelism"), collect)
        best = est.fit(dataset, maps[self._best(metrics)])
        return self._copyValues(TrainValidationSplitModel(best, metrics,
                                                          models if collect else None))


class TrainValidationSplitModel(_SavesParts, Model, _TrainValidationSplitParams):
    """The best model a TrainValidationSplit found, each param map's ``validationMetrics``,
    and, when collected, ``subModels[map]``."""

    def __init__(self, bestModel: Any = None, validationMetrics: list | None = None,
                 subModels: list | None = None):
        super().__init__()
        self.bestModel = bestModel
        self.validationMetrics = list(validationMetrics or [])
        self.subModels = subModels

    def _init_loaded(self) -> None:
        self.bestModel, self.validationMetrics, self.subModels = None, [], None

    def transformSchema(self, schema: Any) -> Any:
        return self.bestModel.transformSchema(schema)

    def _transform(self, dataset: Any) -> Any:
        return self.bestModel.transform(dataset)

    def copy(self, extra: dict | None = None) -> "TrainValidationSplitModel":
        extra = extra or {}
        subs = [m.copy() for m in self.subModels] if self.subModels is not None else None
        that = TrainValidationSplitModel(self.bestModel.copy(extra),
                                         list(self.validationMetrics), subs)
        that._resetUid(self.uid)
        return self._copyValues(that, extra)

    def write(self) -> Any:
        return ValidatorModelWriter(self)

    def _save_extra_metadata(self) -> dict:
        return tvs_model_metadata(self)

    def _load_extra_metadata(self, meta: dict) -> None:
        self.validationMetrics = [float(x) for x in meta.get("validationMetrics", [])]
