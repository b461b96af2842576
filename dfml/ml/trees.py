"""Tree ensembles with Spark's API, trained by XGBoost: GBTClassifier/GBTRegressor,
RandomForestClassifier/RandomForestRegressor, DecisionTreeClassifier/DecisionTreeRegressor.

Spark grows its own trees; dfml hands the same problem to XGBoost's ``hist`` trees
(``max_bin`` = ``maxBins``) on the session's Dask cluster (plumbing in ``_xgb``):

- GBT: ``maxIter`` boosting rounds at learning rate ``stepSize``, ``subsamplingRate`` rows and
  ``featureSubsetStrategy`` features per tree; logistic loss (binary only, as Spark) or squared
  / absolute error.
- Random forest: each tree on a ``featureSubsetStrategy`` share of the features at each node.
  A regression forest is ``numTrees`` rounds, each tree fitted to the label itself on its own
  bootstrap sample (Poisson(``subsamplingRate``) row weights, as Spark draws them; with
  ``bootstrap=False`` a ``subsamplingRate`` share of the rows) and scaled by 1 / ``numTrees``.
  A classification forest is XGBoost's forest mode, one round of ``numTrees`` parallel trees,
  each on ``subsamplingRate`` of the rows drawn without replacement.
- Decision tree: one tree, every row and feature.
- Categorical features: slots the features column's metadata marks nominal or binary are
  split by category sets, as Spark's (``_tree_categories``).

The models are not Spark's trees node for node (XGBoost's splits minimize a second-order
loss, Spark's an impurity), but they make the same kind of model from the same params and
give Spark's output columns and types. Where the numbers necessarily differ (see each model):
a classifier's rawPrediction follows Spark's relation to its probability, not its raw values.
"""

from __future__ import annotations

from typing import Any

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._xgb import BaggedRound, GradientStep, block_facts, prune_binary, train_on_blocks
from ._linear import TrainsOnBlocks
from ._tree_categories import (categorical_arities, check_category_values, check_max_bins,
                               feature_types)
from ._tree_models import (DecisionTreeClassificationModel, DecisionTreeRegressionModel,
                           GBTClassificationModel, GBTRegressionModel,
                           RandomForestClassificationModel, RandomForestRegressionModel)
from ._tree_params import (ClassifierParams, ForestParams, GBTParams, PruneParams,
                           TreeParams, output_schema, subset_share)
from .base import Estimator
from .optim import TrainingBlocks

__all__ = ["GBTClassifier", "GBTClassificationModel", "GBTRegressor", "GBTRegressionModel",
           "RandomForestClassifier", "RandomForestClassificationModel",
           "RandomForestRegressor", "RandomForestRegressionModel",
           "DecisionTreeClassifier", "DecisionTreeClassificationModel",
           "DecisionTreeRegressor", "DecisionTreeRegressionModel"]

# ----------------------------------------------------------------------- estimators
class _TreeEstimator(TrainsOnBlocks):
    """What every tree estimator shares: checks, the fit on blocks and the XGBoost params (a
    mixin before ``Estimator``: only the concrete estimators are registered stage classes)."""

    _kind = "dt"            # gbt, rf or dt
    _classifier = False
    _model_cls: type = None  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._set(**{k: v for k, v in kwargs.items() if v is not None})

    def setParams(self, **kwargs: Any) -> Any:
        return self._set(**{k: v for k, v in kwargs.items() if v is not None})

    def _validate_params(self) -> None:
        self._check_params()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return output_schema(self, schema, fitting=True)

    def _validation_col(self) -> str | None:
        if self.hasParam("validationIndicatorCol") and self.isSet("validationIndicatorCol"):
            return self.getOrDefault("validationIndicatorCol") or None
        return None

    def _block_inputs(self) -> Any:
        # a validation split needs one more column in each block: this fit builds its own
        return None if self._validation_col() else super()._block_inputs()

    def _arities(self, dataset: Any) -> dict[int, int]:
        """The categorical slots of the features column (see _tree_categories)."""
        name = self.getFeaturesCol()
        if name not in dataset.schema.fieldNames():
            return {}
        return categorical_arities(dataset.schema[name])

    def _fit(self, dataset: Any) -> Any:
        # the category counts against maxBins before any work (the row count is checked too,
        # once known)
        check_max_bins(self._arities(dataset), self.getOrDefault("maxBins"), 1 << 62)
        valid = self._validation_col()
        if valid is None:
            return super()._fit(dataset)
        from .base import require_column
        require_column(dataset.schema, valid, (T.BooleanType,), self, "boolean")
        feats, label, weight = super()._block_inputs()
        blocks = _validation_blocks(dataset, feats, label, weight, valid, self._name())
        return self._fit_blocks(blocks, dataset, validation=True)

    def _name(self) -> str:
        return f"{type(self).__name__} ({self.uid})"

    def _fit_blocks(self, blocks: TrainingBlocks, dataset: Any,
                    validation: bool = False) -> Any:
        with blocks:
            sizes, d, lo, hi, whole = block_facts(blocks)
            if sum(sizes) == 0:
                raise SparkException(f"{self._name()}: the input has no rows to fit on")
            k = self._num_classes(lo, hi, whole) if self._classifier else 0
            arities = {i: a for i, a in self._arities(dataset).items() if i < d}
            check_max_bins(arities, self.getOrDefault("maxBins"), sum(sizes))
            check_category_values(blocks, arities)
            params, rounds = self._xgb_params(d, k)
            if arities:
                # partition-based splits for every categorical feature (categories ordered by
                # their gradient statistics, as Spark orders them by mean label), any number
                # of categories on a side, as Spark's
                params.update(max_cat_to_onehot=1, max_cat_threshold=max(arities.values()))
            weighted = super()._block_inputs()[2] is not None
            raw, kept = train_on_blocks(blocks, sizes, d, weighted, params, rounds,
                                        self.getOrDefault("maxBins"), validation,
                                        boosting=self._kind == "gbt", obj=self._objective(),
                                        feature_types=feature_types(arities, d))
        if self._classifier and self._kind != "gbt" and k == 2 and \
                self.getOrDefault("pruneTree"):
            raw = prune_binary(raw)
        trees = kept if self._kind == "gbt" else (
            self.getOrDefault("numTrees") if self._kind == "rf" else 1)
        model = self._model_cls(raw, d, k, trees)
        return self._copyValues(model)

    def _num_classes(self, lo: float, hi: float, whole: bool) -> int:
        if lo < 0 or not whole:
            raise SparkException(f"{self._name()}: label column `{self.getLabelCol()}` must hold "
                                 f"class indices 0, 1, 2...; found values from {lo} to {hi}")
        k = max(int(hi) + 1, 2)
        if self._kind == "gbt" and k > 2:
            raise IllegalArgumentException(
                f"{self._name()}: GBTClassifier supports binary classification only (labels 0 "
                f"and 1), but the label `{self.getLabelCol()}` goes up to {int(hi)}")
        if self.isSet("thresholds") and len(self.getOrDefault("thresholds")) != k:
            raise IllegalArgumentException(
                f"{self._name()}: thresholds has {len(self.getOrDefault('thresholds'))} values "
                f"but the label has {k} classes")
        return k

    def _xgb_params(self, d: int, k: int) -> tuple[dict, int]:
        """XGBoost's params for this estimator's Spark params, and the boosting rounds."""
        forest = self._kind == "rf"
        p: dict[str, Any] = {"tree_method": "hist", "max_depth": self.getOrDefault("maxDepth"),
                             "seed": self.getOrDefault("seed") & 0x7FFFFFFF,
                             "gamma": self.getOrDefault("minInfoGain"), "verbosity": 0}
        if self._classifier:
            p.update({"objective": "multi:softprob", "num_class": k} if k > 2
                     else {"objective": "binary:logistic"})
            hess = 0.25 if k <= 2 else (1.0 / k) * (1.0 - 1.0 / k)
        else:
            loss = self.getOrDefault("lossType").lower() if self.hasParam("lossType") \
                else "squared"
            p["objective"] = "reg:absoluteerror" if loss == "absolute" else "reg:squarederror"
            hess = 1.0
        m = self.getOrDefault("minInstancesPerNode")
        p["min_child_weight"] = 0.0 if m <= 1 else m * hess
        if self._kind == "gbt":
            # Spark's squared and log losses are twice the usual ones (its trees fit 2x the
            # residual, its log loss lives on the F = margin / 2 scale), so one of its steps of
            # stepSize moves a prediction as far as an XGBoost step of twice that rate
            rate = self.getOrDefault("stepSize")
            if p["objective"] != "reg:absoluteerror":
                rate *= 2.0
            p.update(learning_rate=rate,
                     subsample=self.getOrDefault("subsamplingRate"),
                     colsample_bynode=subset_share(self.getOrDefault("featureSubsetStrategy"),
                                                   d, self))
            # a leaf is the mean residual, as Spark's; a classifier starts from p = 1/2 as
            # Spark's first tree, fitted to the labels, does
            p["reg_lambda"] = 0.0
            if self._classifier:
                p["base_score"] = 0.5
            return p, self.getOrDefault("maxIter")
        # a forest or a single tree: one round from a flat start, leaves the mean of the rows
        p.update(learning_rate=1.0, reg_lambda=0.0)
        if self._classifier and k <= 2:
            p["base_score"] = 0.5  # a leaf's probability is above 1/2 iff its majority is 1
        if not forest:
            return p, 1
        p["colsample_bynode"] = subset_share(self.getOrDefault("featureSubsetStrategy"), d,
                                             self, True, self._classifier)
        trees = self.getOrDefault("numTrees")
        if self._classifier:
            p.update(num_parallel_tree=trees, subsample=self.getOrDefault("subsamplingRate"))
            return p, 1
        # a regression forest is bagged round by round (see BaggedRound): each round grows one
        # tree on freshly drawn row weights, scaled by 1 / numTrees, from a zero start
        p.update(learning_rate=1.0 / trees, base_score=0.0)
        return p, trees

    def _objective(self) -> Any:
        """The custom objective XGBoost trains with, if any: Spark's gradient step for a GBT
        classifier, per-tree bootstrap weights for a regression forest."""
        if self._kind == "gbt" and self._classifier:
            return GradientStep()
        if self._kind == "rf" and not self._classifier:
            return BaggedRound(self.getOrDefault("seed"), self.getOrDefault("subsamplingRate"),
                               self.getOrDefault("bootstrap"))
        return None


class _ValidBlock:
    """Per-partition builder of a block that also carries the validation indicator."""

    __name__ = "validation_block"

    def __init__(self, features: str, label: str, weight: str | None, valid: str, stage: str):
        self.args = (features, label, weight, stage)
        self.valid = valid

    def __call__(self, part: Any) -> Any:
        from .optim.blocks import make_block
        block = make_block(part, *self.args)
        flags = part[self.valid]
        if flags.isna().any():
            raise SparkException(f"{self.args[3]}: validation column `{self.valid}` holds nulls")
        block.valid = flags.to_numpy(dtype=bool)
        return block


def _validation_blocks(dataset: Any, feats: str, label: str, weight: str | None, valid: str,
                       stage: str) -> TrainingBlocks:
    from dask import delayed
    from ..sql import _engine
    session = _engine.session_of(dataset)
    cols = [feats, label, valid] + ([weight] if weight else [])
    build = delayed(_ValidBlock(feats, label, weight, valid, stage), pure=True)
    futures = _engine.submit(session, [build(p) for p in _engine.partitions(dataset, cols)])
    return TrainingBlocks(dataset, feats, label, weight, stage, futures=futures)


class GBTClassifier(_TreeEstimator, Estimator, ClassifierParams, GBTParams, TreeParams):
    """Gradient-boosted trees for a binary label (logistic loss)."""

    _kind, _classifier, _model_cls = "gbt", True, GBTClassificationModel
    _losses = GBTClassificationModel._losses
    _defaults = GBTClassificationModel._defaults


class GBTRegressor(_TreeEstimator, Estimator, GBTParams, TreeParams):
    """Gradient-boosted trees for a numeric label (squared or absolute error)."""

    _kind, _model_cls = "gbt", GBTRegressionModel
    _losses = GBTRegressionModel._losses
    _defaults = GBTRegressionModel._defaults


class RandomForestClassifier(_TreeEstimator, Estimator, ClassifierParams, PruneParams,
                             ForestParams, TreeParams):
    """A forest of trees voting on class probabilities."""

    _kind, _classifier, _model_cls = "rf", True, RandomForestClassificationModel
    _defaults = RandomForestClassificationModel._defaults


class RandomForestRegressor(_TreeEstimator, Estimator, ForestParams, TreeParams):
    """A forest of regression trees, their predictions averaged."""

    _kind, _model_cls = "rf", RandomForestRegressionModel
    _defaults = RandomForestRegressionModel._defaults


class DecisionTreeClassifier(_TreeEstimator, Estimator, ClassifierParams, PruneParams, TreeParams):
    """One classification tree."""

    _kind, _classifier, _model_cls = "dt", True, DecisionTreeClassificationModel
    _defaults = DecisionTreeClassificationModel._defaults


class DecisionTreeRegressor(_TreeEstimator, Estimator, TreeParams):
    """One regression tree."""

    _kind, _model_cls = "dt", DecisionTreeRegressionModel
    _defaults = DecisionTreeRegressionModel._defaults
    varianceCol = DecisionTreeRegressionModel.varianceCol
