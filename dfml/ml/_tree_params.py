"""The params of dfml's tree estimators and models (names, defaults and ranges are Spark's),
how ``featureSubsetStrategy`` becomes XGBoost's per-node feature share, and the output schema
of a tree model."""

from __future__ import annotations

import math
from typing import Any

from ..sql import types as T
from ..sql.errors import IllegalArgumentException
from ._linear import check_ranges, require_training_columns
from .base import require_absent
from .linalg import VectorUDT
from .param import Param, Params, TypeConverters as TC
from .param.shared import (HasFeaturesCol, HasLabelCol, HasMaxIter, HasPredictionCol,
                           HasProbabilityCol, HasRawPredictionCol, HasSeed, HasThresholds,
                           HasWeightCol)

__all__ = ["TreeParams", "PruneParams", "GBTParams", "ForestParams", "ClassifierParams",
           "subset_share", "output_schema"]

_D = Params._dummy()


class TreeParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasWeightCol, HasSeed):
    maxDepth = Param(_D, "maxDepth", "maximum depth of a tree (>= 0; 0 is a single leaf)",
                     TC.toInt)
    maxBins = Param(_D, "maxBins", "number of bins continuous features are cut into (>= 2)",
                    TC.toInt)
    minInstancesPerNode = Param(_D, "minInstancesPerNode",
                                "fewest rows each child of a split must get (>= 1)", TC.toInt)
    minWeightFractionPerNode = Param(_D, "minWeightFractionPerNode",
                                     "smallest share of the weight a child must get, in [0, 0.5)",
                                     TC.toFloat)
    minInfoGain = Param(_D, "minInfoGain", "smallest gain a split must bring (>= 0)",
                        TC.toFloat)
    maxMemoryInMB = Param(_D, "maxMemoryInMB", "accepted for Spark compatibility (XGBoost sizes "
                          "its own histograms)", TC.toInt)
    cacheNodeIds = Param(_D, "cacheNodeIds", "accepted for Spark compatibility", TC.toBoolean)
    checkpointInterval = Param(_D, "checkpointInterval", "accepted for Spark compatibility",
                               TC.toInt)
    impurity = Param(_D, "impurity", "split criterion name (Spark's); XGBoost's splits "
                     "minimize the training loss", TC.toString)
    leafCol = Param(_D, "leafCol", "column of each row's leaf in every tree (a vector of leaf "
                    "positions counted left to right); empty for none", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxDepth=5, maxBins=32, minInstancesPerNode=1, minInfoGain=0.0,
                         maxMemoryInMB=256, cacheNodeIds=False, checkpointInterval=10,
                         leafCol="", minWeightFractionPerNode=0.0)
        self._setDefault(**self._defaults)

    # the defaults that differ between Spark's classes (lossType, impurity, validationTol)
    _defaults: dict = {}

    def _ranges(self) -> list:
        return [("maxDepth", lambda v: 0 <= v <= 30, "in [0, 30]"),
                ("maxBins", lambda v: v >= 2, ">= 2"),
                ("minInstancesPerNode", lambda v: v >= 1, ">= 1"),
                ("minInfoGain", lambda v: v >= 0, ">= 0"),
                ("minWeightFractionPerNode", lambda v: 0 <= v < 0.5, "in [0, 0.5)"),
                ("checkpointInterval", lambda v: v == -1 or v >= 1, "-1 or >= 1")]

    def _check_params(self) -> None:
        check_ranges(self, self._ranges())


class EnsembleParams(Params):
    subsamplingRate = Param(_D, "subsamplingRate", "share of the rows each tree learns from, "
                            "in (0, 1]", TC.toFloat)
    featureSubsetStrategy = Param(_D, "featureSubsetStrategy", "features considered per split: "
                                  "auto, all, onethird, sqrt, log2, a count n or a share in "
                                  "(0, 1]", TC.toString)

    def _ranges(self) -> list:
        return super()._ranges() + [("subsamplingRate", lambda v: 0 < v <= 1, "in (0, 1]")]

    def _check_params(self) -> None:
        super()._check_params()
        subset_share(self.getOrDefault("featureSubsetStrategy"), 10, self)


class GBTParams(EnsembleParams, HasMaxIter):
    stepSize = Param(_D, "stepSize", "learning rate, in (0, 1]", TC.toFloat)
    lossType = Param(_D, "lossType", "loss the boosting minimizes", TC.toString)
    validationTol = Param(_D, "validationTol", "accepted for Spark compatibility (a validation "
                          "set stops the boosting at the first round that does not improve it)",
                          TC.toFloat)
    validationIndicatorCol = Param(_D, "validationIndicatorCol", "boolean column: true marks "
                                   "rows held out to stop the boosting early", TC.toString)
    _losses: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxIter=20, stepSize=0.1, subsamplingRate=1.0,
                         featureSubsetStrategy="all")

    def _ranges(self) -> list:
        return super()._ranges() + [("maxIter", lambda v: v >= 0, ">= 0"),
                                    ("stepSize", lambda v: 0 < v <= 1, "in (0, 1]")]

    def _check_params(self) -> None:
        super()._check_params()
        if self.getOrDefault("lossType").lower() not in self._losses:
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): lossType must be one of "
                f"{', '.join(self._losses)}, got {self.getOrDefault('lossType')!r}")


class ForestParams(EnsembleParams):
    numTrees = Param(_D, "numTrees", "number of trees (>= 1)", TC.toInt)
    bootstrap = Param(_D, "bootstrap", "draw each tree's rows with replacement (Poisson "
                      "weights; regression forests; a classification forest samples without "
                      "replacement either way)", TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(numTrees=20, subsamplingRate=1.0, featureSubsetStrategy="auto",
                         bootstrap=True)

    def _ranges(self) -> list:
        return super()._ranges() + [("numTrees", lambda v: v >= 1, ">= 1")]


class ClassifierParams(HasProbabilityCol, HasRawPredictionCol, HasThresholds):

    def _check_params(self) -> None:
        super()._check_params()
        if self.isSet("thresholds"):
            ts = self.getOrDefault("thresholds")
            if any(t < 0 for t in ts) or sum(1 for t in ts if t == 0) > 1:
                raise IllegalArgumentException(f"{type(self).__name__} ({self.uid}): thresholds "
                                               f"must be >= 0 with at most one 0, got {ts}")


class PruneParams(Params):
    """Spark's pruneTree (random forest and decision tree classifiers, not GBT)."""

    pruneTree = Param(_D, "pruneTree", "merge sibling leaves that predict the same class "
                      "(forests and single trees of two classes)", TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(pruneTree=True)


def subset_share(strategy: str, d: int, stage: Any, forest: bool = False,
                 classifier: bool = False) -> float:
    """``featureSubsetStrategy`` as the share of ``d`` features XGBoost samples per node,
    counting features as Spark does (rounding up)."""
    s = str(strategy).strip().lower()
    if s == "auto":
        s = ("sqrt" if classifier else "onethird") if forest else "all"
    d = max(d, 1)
    named = {"all": d, "sqrt": math.ceil(math.sqrt(d)), "log2": max(1, math.ceil(math.log2(d))),
             "onethird": math.ceil(d / 3.0)}
    if s in named:
        return named[s] / d
    try:
        if s.isdigit() and int(s) >= 1:
            return min(int(s), d) / d
        share = float(s)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise IllegalArgumentException(
            f"{type(stage).__name__} ({stage.uid}): featureSubsetStrategy must be auto, all, "
            f"onethird, sqrt, log2, an integer >= 1 or a share in (0, 1], got {strategy!r}")
    return math.ceil(share * d) / d


def output_schema(stage: Any, schema: T.StructType, fitting: bool) -> T.StructType:
    require_training_columns(stage, schema, fitting)
    fields = list(schema.fields)
    outs = [("rawPredictionCol", VectorUDT()), ("probabilityCol", VectorUDT())] \
        if stage._classifier else []
    outs = outs + [("predictionCol", T.DoubleType()), ("leafCol", VectorUDT())]
    for p, dt in outs:
        name = stage.getOrDefault(p)
        if name:
            require_absent(schema, name, stage)
            fields.append(T.StructField(name, dt, True))
    return T.StructType(fields)
