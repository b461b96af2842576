"""OneVsRest: a multiclass classifier made of one binary classifier per class, as Spark's.

Class ``i``'s classifier learns "label == i" against the rest. The ``k`` binary fits are
independent, so ``parallelism`` of them run at once, each in a thread submitting its own
graphs to the session's cluster (graphs built one thread at a time under ``GRAPH_LOCK``; the
waits overlap). A classifier that trains on blocks (LogisticRegression, LinearSVC) reads the
input once: the blocks are built a single time and each class relabels them in worker memory,
instead of ``k`` reads of the input.

The model scores a row with every binary model and keeps each one's confidence in "its" class
(element 1 of the binary rawPrediction): those ``k`` numbers are the rawPrediction, and the
prediction is the first class with the highest one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from .attributes import nominal_values
from .base import Estimator, Model, partition_column, require_absent, require_column
from .linalg import VectorUDT, as_struct_array, dense_to_arrow, to_matrix
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasLabelCol, HasPredictionCol, HasRawPredictionCol,
                           HasWeightCol)

__all__ = ["OneVsRest", "OneVsRestModel"]


class _OneVsRestParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasRawPredictionCol,
                       HasWeightCol):
    classifier = Param(Params._dummy(), "classifier", "base binary classifier")

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(featuresCol="features", labelCol="label", predictionCol="prediction",
                         rawPredictionCol="rawPrediction")

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_column(schema, self.getFeaturesCol(), (VectorUDT,), self, "a vector")
        if fitting:
            require_column(schema, self.getLabelCol(), (T.NumericType,), self, "numeric")
        fields = list(schema.fields)
        for p, dt in (("rawPredictionCol", VectorUDT()), ("predictionCol", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, dt, True))
        return T.StructType(fields)

    def _weight(self) -> str | None:
        return (self.getOrDefault("weightCol") or None) if self.isDefined("weightCol") else None


class OneVsRest(Estimator, _OneVsRestParams):
    """Reduces multiclass classification to one binary classification per class."""

    _saved_elsewhere = ("classifier",)  # saved as a stage directory, not JSON

    parallelism = Param(Params._dummy(), "parallelism",
                        "the number of threads to use when running parallel algorithms (>= 1)",
                        TC.toInt)

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", rawPredictionCol: str = "rawPrediction",
                 classifier: Any = None, weightCol: str | None = None, parallelism: int = 1):
        super().__init__()
        self._setDefault(parallelism=1)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", rawPredictionCol: str = "rawPrediction",
                  classifier: Any = None, weightCol: str | None = None,
                  parallelism: int = 1) -> "OneVsRest":
        return self._set(**self._input_kwargs)

    def copy(self, extra: dict | None = None) -> "OneVsRest":
        """A copy whose classifier is a copy too (a grid that changes the classifier's params
        through this copy must not change this one's)."""
        that = super().copy(extra)
        if that.isDefined("classifier") and that.getOrDefault("classifier") is not None:
            that._set(classifier=that.getOrDefault("classifier").copy())
        return that

    def _validate_params(self) -> None:
        name = f"OneVsRest ({self.uid})"
        clf = self.getOrDefault("classifier") if self.isDefined("classifier") else None
        if clf is None:
            raise IllegalArgumentException(f"{name}: param classifier is not set; give it a "
                                           f"binary classifier such as LogisticRegression")
        if not isinstance(clf, Estimator) or not clf.hasParam("rawPredictionCol"):
            raise IllegalArgumentException(f"{name}: classifier must be a classifier with a "
                                           f"rawPredictionCol, got {type(clf).__name__}")
        if self.getOrDefault("parallelism") < 1:
            raise IllegalArgumentException(f"{name}: parallelism must be >= 1, got "
                                           f"{self.getOrDefault('parallelism')}")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit(self, dataset: Any) -> "OneVsRestModel":
        from .fit_parallel import fit_binary_models
        clf = self.getOrDefault("classifier")
        weight = self._weight()
        if weight and not clf.hasParam("weightCol"):
            import warnings
            warnings.warn(f"OneVsRest ({self.uid}): weightCol is ignored, as "
                          f"{type(clf).__name__} does not take weights")
            weight = None
        if weight:
            require_column(dataset.schema, weight, (T.NumericType,), self, "numeric")
        known = nominal_values(dataset.schema[self.getLabelCol()])
        models = fit_binary_models(self, clf, dataset, weight,
                                   len(known) if known else None)
        return self._copyValues(OneVsRestModel(models))

    def _save_parts(self, save_child: Any) -> dict:
        save_child(self.getOrDefault("classifier"), "classifier")
        return {}

    def _load_parts(self, meta: dict, load_child: Any, exists: Any) -> None:
        self._set(classifier=load_child("classifier"))


class _Combine:
    """Per-partition kernel: element 1 of each binary model's rawPrediction, as the
    per-class scores (``raw``) or their first argmax (``prediction``); null where the
    features are null."""

    def __init__(self, what: str):
        self.what = what

    def __call__(self, *raws: Any) -> pa.Array:
        arrs = [as_struct_array(r) for r in raws]
        mask = np.zeros(len(arrs[0]), dtype=bool)
        for a in arrs:
            if a.null_count:
                mask |= np.asarray(a.is_null().to_numpy(zero_copy_only=False))
        scores = np.zeros((len(mask), len(arrs)))
        keep = pa.array(~mask)
        for j, a in enumerate(arrs):
            m = to_matrix(a.filter(keep) if mask.any() else a)
            col = m[:, 1].toarray() if hasattr(m, "toarray") else m[:, 1]
            scores[~mask, j] = np.asarray(col, dtype=np.float64).reshape(-1)
        null = mask if mask.any() else None
        if self.what == "prediction":
            return pa.array(np.argmax(scores, axis=1).astype(np.float64), type=pa.float64(),
                            mask=null)
        return dense_to_arrow(scores, null)


class OneVsRestModel(Model, _OneVsRestParams):
    """The fitted binary models, one per class (``models[i]`` scores class ``i``)."""

    _saved_elsewhere = ("classifier",)

    def __init__(self, models: list | None = None):
        super().__init__()
        self.models = list(models or [])

    def _init_loaded(self) -> None:
        self.models = []

    @property
    def numClasses(self) -> int:
        return len(self.models)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        if not self.models:
            raise SparkException(f"OneVsRestModel ({self.uid}) has no models")
        tmp = [f"{self.uid}_raw{i}" for i in range(len(self.models))]
        df = dataset
        for col, m in zip(tmp, self.models):
            extra = {m.rawPredictionCol: col, m.featuresCol: self.getFeaturesCol()}
            for p in ("predictionCol", "probabilityCol"):
                if m.hasParam(p):
                    extra[m.getParam(p)] = ""
            df = m.copy(extra).transform(df)
        outs = {}
        for p, what, dt in (("rawPredictionCol", "raw", VectorUDT()),
                            ("predictionCol", "prediction", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                outs[col] = partition_column(f"OneVsRestModel.{what}", tmp, _Combine(what), dt)
        return (df.withColumns(outs) if outs else df).drop(*tmp)

    def copy(self, extra: dict | None = None) -> "OneVsRestModel":
        that = super().copy(extra)
        that.models = [m.copy() for m in self.models]
        return that

    # persistence: Spark's layout, the classifier under classifier/ and model i under model_i/
    def _save_extra_metadata(self) -> dict:
        return {"numClasses": len(self.models), "labelMetadata": {}}

    def _load_extra_metadata(self, meta: dict) -> None:
        self._num_saved = int(meta.get("numClasses", 0))

    def _save_parts(self, save_child: Any) -> dict:
        if self.isDefined("classifier") and self.getOrDefault("classifier") is not None:
            save_child(self.getOrDefault("classifier"), "classifier")
        for i, m in enumerate(self.models):
            save_child(m, f"model_{i}")
        return {}

    def _load_parts(self, meta: dict, load_child: Any, exists: Any) -> None:
        if exists("classifier"):
            self._set(classifier=load_child("classifier"))
        n = int(meta.get("numClasses", 0))
        missing = [i for i in range(n) if not exists(f"model_{i}")]
        if missing:
            from .util import ModelLoadError
            raise ModelLoadError(f"OneVsRestModel ({self.uid}): model_{missing[0]} is missing "
                                 f"from the saved model ({n} classes)")
        self.models = [load_child(f"model_{i}") for i in range(n)]
