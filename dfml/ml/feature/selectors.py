"""Feature selectors: ChiSqSelector, UnivariateFeatureSelector, VarianceThresholdSelector.

Each fit is one pass of aggregations (``_selector_scores``), so ``Pipeline.fit`` runs it in the
same pass as the other aggregation fits that read the same input. The models keep the chosen
feature indices in the order Spark reports them (ChiSqSelector and VarianceThresholdSelector
in index order, UnivariateFeatureSelector best first) and all output vectors hold the chosen
features in index order. The output column carries Spark's ML attributes: the chosen slots'
own attributes when the input has any (so names survive), else default ones (nominal for
ChiSqSelector, which treats features as categories; numeric otherwise).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql import types as T
from ...sql.errors import IllegalArgumentException
from ..base import (Aggregation, Estimator, Model, model_string, partition_column, require_absent,
                    require_column)
from ..linalg import VectorUDT, csr_to_arrow, dense_to_arrow
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasFeaturesCol, HasLabelCol, HasOutputCol
from ._selector_scores import p_values, score_aggregation, select_indices
from .assembler import mixed_rows_to_arrow
from .scalers import map_vector_rows, moments_aggregation

__all__ = ["ChiSqSelector", "ChiSqSelectorModel", "UnivariateFeatureSelector",
           "UnivariateFeatureSelectorModel", "VarianceThresholdSelector",
           "VarianceThresholdSelectorModel", "attr_group"]

MODES = ("numTopFeatures", "percentile", "fpr", "fdr", "fwe")


def _who(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def attr_group(slots: list[tuple[str, dict]]) -> dict:
    """A vector column's metadata as Spark's AttributeGroup writes it from per-slot
    (kind, attribute): numeric slots with nothing to say are left out of ``attrs`` (which is
    present even when empty), every other slot is listed with its ``idx``."""
    groups: dict[str, list[dict]] = {}
    for i, (kind, attr) in enumerate(slots):
        if kind == "numeric" and not attr:
            continue
        groups.setdefault(kind, []).append({**attr, "idx": i})
    return {"ml_attr": {"num_attrs": len(slots), "attrs": groups}}


def input_slots(field: T.StructField) -> list[tuple[str, dict]] | None:
    """(kind, attribute) per slot of a vector column whose metadata lists attributes; None when
    it lists none (a size alone does not count, as in Spark)."""
    ml = (field.metadata or {}).get("ml_attr") or {}
    if "attrs" not in ml or ml.get("num_attrs") is None:
        return None
    from ..attributes import slot_attributes
    return slot_attributes(field)


# -- the models -------------------------------------------------------------------------------

class _SelectKernel:
    """Keeps the chosen slots of each vector: a dense row stays dense, a sparse row stays
    sparse with its nonzero entries at chosen slots (re-indexed), as Spark's selector models
    do."""

    def __init__(self, indices: list[int], column: str):
        self.indices = np.asarray(sorted(indices), dtype=np.int64)
        self.column = column

    def __call__(self, a: Any) -> pa.Array:
        return map_vector_rows(a, self._rows)

    def _rows(self, m: Any, sparse_rows: np.ndarray) -> pa.Array:
        if len(self.indices) and self.indices[-1] >= m.shape[1]:
            raise IllegalArgumentException(
                f"feature selector: selected feature {int(self.indices[-1])} is out of range for "
                f"the vectors of size {m.shape[1]} in column `{self.column}`")
        if sp.issparse(m) and sparse_rows.all() and len(self.indices):
            return csr_to_arrow(sp.csr_matrix(m[:, self.indices]))
        d = (m.toarray() if sp.issparse(m) else m)[:, self.indices]
        if sparse_rows.any() or not len(self.indices):  # (dense_to_arrow needs a column)
            return mixed_rows_to_arrow(d, sparse_rows)
        return dense_to_arrow(d)


class _SelectorModel(Model, HasFeaturesCol, HasOutputCol):
    """A fitted selector: ``selectedFeatures``; transform keeps those slots (index order)."""

    _nominal_defaults = False

    def __init__(self, selectedFeatures: list[int] | None = None):
        super().__init__()
        self.selectedFeatures = None if selectedFeatures is None else [int(i) for i in selectedFeatures]

    def _init_loaded(self) -> None:
        self.selectedFeatures = None

    def __repr__(self) -> str:
        return model_string(self, [("numSelectedFeatures", len(self.selectedFeatures))])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        require_column(schema, self.getFeaturesCol(), (VectorUDT,), self, "a vector")
        require_absent(schema, self.getOutputCol(), self)
        return T.StructType(list(schema.fields) + [T.StructField(
            self.getOutputCol(), VectorUDT(), True, self._output_metadata(schema))])

    def _output_metadata(self, schema: T.StructType) -> dict:
        chosen = sorted(self.selectedFeatures)
        slots = input_slots(schema[self.getFeaturesCol()])
        if slots is not None:
            return attr_group([slots[i] if i < len(slots) else ("numeric", {}) for i in chosen])
        kind = "nominal" if self._nominal_defaults else "numeric"
        return attr_group([(kind, {}) for _ in chosen])

    def _transform(self, dataset: Any) -> Any:
        kernel = _SelectKernel(self.selectedFeatures, self.getFeaturesCol())
        column = partition_column(type(self).__name__, [self.getFeaturesCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=self._output_metadata(dataset.schema)))

    def _save_data(self) -> pa.Table:
        return pa.table({"selectedFeatures": pa.array(
            [self.selectedFeatures], pa.list_(pa.field("element", pa.int32(), False)))})

    def _load_data(self, table: pa.Table) -> None:
        self.selectedFeatures = [int(i) for i in table.column("selectedFeatures")[0].as_py()]


def _no_rows(stage: Any) -> ValueError:
    return ValueError(f"{_who(stage)}: the input has no rows to fit on")


def _check_label(stage: Any, schema: T.StructType) -> None:
    require_column(schema, stage.getLabelCol(), (T.NumericType,), stage, "numeric")


def _selector_schema(stage: Any, schema: T.StructType, label: bool = True) -> T.StructType:
    require_column(schema, stage.getFeaturesCol(), (VectorUDT,), stage, "a vector")
    if label:
        _check_label(stage, schema)
    require_absent(schema, stage.getOutputCol(), stage)
    return T.StructType(list(schema.fields) + [T.StructField(stage.getOutputCol(), VectorUDT(), True)])


def _check_threshold(stage: Any, mode: str, value: float, param: str) -> None:
    if mode == "numTopFeatures":
        if not (value >= 1 and float(value) == int(value)):
            raise IllegalArgumentException(f"{_who(stage)}: {param} must be a positive integer "
                                           f"for selection mode numTopFeatures, got {value}")
    elif not 0.0 <= value <= 1.0:
        raise IllegalArgumentException(f"{_who(stage)}: {param} must be in [0, 1] for selection "
                                       f"mode {mode}, got {value}")


# -- ChiSqSelector ----------------------------------------------------------------------------

class _ChiSqParams(HasFeaturesCol, HasOutputCol, HasLabelCol):
    numTopFeatures = Param(Params._dummy(), "numTopFeatures",
                           "how many features to keep (selectorType numTopFeatures)", TC.toInt)
    percentile = Param(Params._dummy(), "percentile",
                       "fraction of the features to keep (selectorType percentile)", TC.toFloat)
    fpr = Param(Params._dummy(), "fpr", "highest p-value kept (selectorType fpr)", TC.toFloat)
    fdr = Param(Params._dummy(), "fdr", "false discovery rate bound (selectorType fdr)",
                TC.toFloat)
    fwe = Param(Params._dummy(), "fwe", "family-wise error rate bound (selectorType fwe)",
                TC.toFloat)
    selectorType = Param(Params._dummy(), "selectorType", "how features are chosen: "
                         + ", ".join(MODES), TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(numTopFeatures=50, selectorType="numTopFeatures", percentile=0.1,
                         fpr=0.05, fdr=0.05, fwe=0.05)


class ChiSqSelector(Estimator, _ChiSqParams):
    """Keeps the features most dependent on a categorical label by Pearson's chi-squared test
    (features are treated as categories): the ``numTopFeatures`` or ``percentile`` with the
    smallest p-values, or those passing an ``fpr``, ``fdr`` (Benjamini-Hochberg) or ``fwe``
    (Bonferroni) bound."""

    @keyword_only
    def __init__(self, *, numTopFeatures: int = 50, featuresCol: str = "features",
                 outputCol: str | None = None, labelCol: str = "label",
                 selectorType: str = "numTopFeatures", percentile: float = 0.1,
                 fpr: float = 0.05, fdr: float = 0.05, fwe: float = 0.05):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, numTopFeatures: int = 50, featuresCol: str = "features",
                  outputCol: str | None = None, labelCol: str = "label",
                  selectorType: str = "numTopFeatures", percentile: float = 0.1,
                  fpr: float = 0.05, fdr: float = 0.05, fwe: float = 0.05) -> "ChiSqSelector":
        return self._set(**self._input_kwargs)

    def _mode_threshold(self) -> tuple[str, float]:
        mode = self.getSelectorType()
        if mode not in MODES:
            raise IllegalArgumentException(f"{_who(self)}: selectorType must be one of "
                                           f"{', '.join(MODES)}, got {mode!r}")
        param = {"numTopFeatures": "numTopFeatures"}.get(mode, mode)
        value = float(self.getOrDefault(param))
        _check_threshold(self, mode, value, param)
        return mode, value

    def _validate_params(self) -> None:
        self._mode_threshold()
        for p in ("percentile", "fpr", "fdr", "fwe"):
            if not 0.0 <= self.getOrDefault(p) <= 1.0:
                raise IllegalArgumentException(f"{_who(self)}: {p} must be in [0, 1], got "
                                               f"{self.getOrDefault(p)}")
        if self.getNumTopFeatures() < 1:
            raise IllegalArgumentException(f"{_who(self)}: numTopFeatures must be at least 1, "
                                           f"got {self.getNumTopFeatures()}")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return _selector_schema(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [score_aggregation("chi2", self.getFeaturesCol(), self.getLabelCol(), _who(self))]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "ChiSqSelectorModel":
        if results[0] is None:
            raise _no_rows(self)
        p, stat = p_values("chi2", results[0], _who(self))
        mode, value = self._mode_threshold()
        model = ChiSqSelectorModel(sorted(select_indices(p, mode, value)))
        model._scores = ("chi2", p, stat)
        return self._copyValues(model)


class ChiSqSelectorModel(_SelectorModel, _ChiSqParams):
    """Fitted ChiSqSelector: ``selectedFeatures`` in index order."""

    _nominal_defaults = True

    def to_sklearn(self) -> Any:
        """A fitted scikit-learn ``SelectKBest(chi2)`` keeping the same features."""
        return _select_k_best(self, "chi2")


# -- UnivariateFeatureSelector ----------------------------------------------------------------

_TESTS = {("categorical", "categorical"): "chi2", ("continuous", "categorical"): "anova",
          ("continuous", "continuous"): "fregression"}
_DEFAULT_THRESHOLD = {"numTopFeatures": 50.0, "percentile": 0.1, "fpr": 0.05, "fdr": 0.05,
                      "fwe": 0.05}


class _UnivariateParams(HasFeaturesCol, HasOutputCol, HasLabelCol):
    featureType = Param(Params._dummy(), "featureType",
                        "the kind of the features: categorical or continuous", TC.toString)
    labelType = Param(Params._dummy(), "labelType",
                      "the kind of the label: categorical or continuous", TC.toString)
    selectionMode = Param(Params._dummy(), "selectionMode", "how features are chosen: "
                          + ", ".join(MODES), TC.toString)
    selectionThreshold = Param(Params._dummy(), "selectionThreshold",
                               "the bound of the selection mode (a count for numTopFeatures, a "
                               "fraction or p-value otherwise)", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(selectionMode="numTopFeatures")


class UnivariateFeatureSelector(Estimator, _UnivariateParams):
    """Keeps the features most related to the label by a univariate test Spark picks from the
    feature and label types: chi-squared (categorical/categorical), ANOVA F (continuous
    features, categorical label) or F-regression (both continuous). ``selectionThreshold``
    defaults to 50 for numTopFeatures, 0.1 for percentile and 0.05 otherwise."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", outputCol: str | None = None,
                 labelCol: str = "label", selectionMode: str = "numTopFeatures"):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", outputCol: str | None = None,
                  labelCol: str = "label", selectionMode: str = "numTopFeatures"
                  ) -> "UnivariateFeatureSelector":
        return self._set(**self._input_kwargs)

    def _test_kind(self) -> str:
        for p in ("featureType", "labelType"):
            if not self.isDefined(p):
                raise IllegalArgumentException(f"{_who(self)}: set {p} (categorical or "
                                               f"continuous)")
            if self.getOrDefault(p) not in ("categorical", "continuous"):
                raise IllegalArgumentException(f"{_who(self)}: {p} must be categorical or "
                                               f"continuous, got {self.getOrDefault(p)!r}")
        key = (self.getFeatureType(), self.getLabelType())
        if key not in _TESTS:
            raise IllegalArgumentException(f"{_who(self)}: featureType {key[0]} with labelType "
                                           f"{key[1]} is not supported")
        return _TESTS[key]

    def _mode_threshold(self) -> tuple[str, float]:
        mode = self.getSelectionMode()
        if mode not in MODES:
            raise IllegalArgumentException(f"{_who(self)}: selectionMode must be one of "
                                           f"{', '.join(MODES)}, got {mode!r}")
        value = float(self.getOrDefault("selectionThreshold")) \
            if self.isDefined("selectionThreshold") else _DEFAULT_THRESHOLD[mode]
        _check_threshold(self, mode, value, "selectionThreshold")
        return mode, value

    def _validate_params(self) -> None:
        self._test_kind()
        self._mode_threshold()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return _selector_schema(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [score_aggregation(self._test_kind(), self.getFeaturesCol(), self.getLabelCol(),
                                  _who(self))]

    def _model_from(self, results: list[Any], schema: T.StructType
                    ) -> "UnivariateFeatureSelectorModel":
        if results[0] is None:
            raise _no_rows(self)
        kind = self._test_kind()
        p, stat = p_values(kind, results[0], _who(self))
        mode, value = self._mode_threshold()
        model = UnivariateFeatureSelectorModel(select_indices(p, mode, value))
        model._scores = (kind, p, stat)
        return self._copyValues(model)


class UnivariateFeatureSelectorModel(_SelectorModel, _UnivariateParams):
    """Fitted UnivariateFeatureSelector: ``selectedFeatures``, best first (as Spark lists
    them); the output holds them in index order."""

    def to_sklearn(self) -> Any:
        """A fitted scikit-learn ``SelectKBest`` (chi2, f_classif or f_regression, as the
        types say) keeping the same features."""
        kind = _TESTS.get((self.getOrDefault("featureType"), self.getOrDefault("labelType")))
        return _select_k_best(self, {"chi2": "chi2", "anova": "f_classif",
                                     "fregression": "f_regression"}[kind])


# -- VarianceThresholdSelector ----------------------------------------------------------------

class _VarianceParams(HasFeaturesCol, HasOutputCol):
    varianceThreshold = Param(Params._dummy(), "varianceThreshold",
                              "features whose sample variance is not above this are dropped",
                              TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(varianceThreshold=0.0)


class VarianceThresholdSelector(Estimator, _VarianceParams):
    """Drops the features whose sample variance is at most ``varianceThreshold`` (by default,
    the constant ones); a feature whose min equals its max counts as variance 0 exactly."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", outputCol: str | None = None,
                 varianceThreshold: float = 0.0):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", outputCol: str | None = None,
                  varianceThreshold: float = 0.0) -> "VarianceThresholdSelector":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        if not self.getVarianceThreshold() >= 0:
            raise IllegalArgumentException(f"{_who(self)}: varianceThreshold must be >= 0, got "
                                           f"{self.getVarianceThreshold()}")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return _selector_schema(self, schema, label=False)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [moments_aggregation(self.getFeaturesCol())]

    def _model_from(self, results: list[Any], schema: T.StructType
                    ) -> "VarianceThresholdSelectorModel":
        mom = results[0]
        if mom is None:
            raise _no_rows(self)
        n = mom["n"]
        var = mom["m2"] / (n - 1) if n > 1 else np.zeros_like(mom["m2"])
        var = np.where(mom["max"] == mom["min"], 0.0, var)
        keep = [j for j in range(len(var)) if var[j] > self.getVarianceThreshold()]
        model = VarianceThresholdSelectorModel(keep)
        model._variances = var
        return self._copyValues(model)


class VarianceThresholdSelectorModel(_SelectorModel, _VarianceParams):
    """Fitted VarianceThresholdSelector: ``selectedFeatures`` in index order."""

    def to_sklearn(self) -> Any:
        """A fitted scikit-learn ``VarianceThreshold`` keeping the same features (its
        ``variances_`` are the sample variances when this model was fitted here, else 1 for
        the kept features and 0 for the others)."""
        from sklearn.feature_selection import VarianceThreshold
        d = _width(self)
        var = getattr(self, "_variances", None)
        if var is None or len(var) != d:
            var = np.zeros(d)
            var[self.selectedFeatures] = 1.0
        sk = VarianceThreshold(threshold=float(self.getVarianceThreshold()))
        sk.variances_ = np.asarray(var, dtype=float)
        if var is not getattr(self, "_variances", None):
            sk.threshold = 0.5
        sk.n_features_in_ = d
        return sk


def _width(model: Any) -> int:
    d = getattr(model, "_num_features", None)
    if d is None:
        var = getattr(model, "_variances", None)
        scores = getattr(model, "_scores", None)
        d = len(var) if var is not None else len(scores[1]) if scores is not None else None
    if d is None:
        d = max(model.selectedFeatures, default=-1) + 1
    return int(d)


def _select_k_best(model: Any, func: str) -> Any:
    """SelectKBest whose scores rank the chosen features first, in Spark's order; p-values
    are the test's when this model was fitted here."""
    import sklearn.feature_selection as fs
    d = _width(model)
    chosen = list(model.selectedFeatures)
    scores = np.zeros(d)
    for rank, j in enumerate(chosen):
        scores[j] = float(d + len(chosen) - rank)
    sk = fs.SelectKBest(getattr(fs, func), k=len(chosen))
    sk.scores_ = scores
    fitted = getattr(model, "_scores", None)
    sk.pvalues_ = fitted[1] if fitted is not None and len(fitted[1]) == d else None
    sk.n_features_in_ = d
    return sk
