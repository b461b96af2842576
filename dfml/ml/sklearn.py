"""scikit-learn estimators as Spark-style pipeline stages, on the session's cluster.

- ``SklearnEstimator(estimator=...)``: any scikit-learn estimator fitted on a features column
  (a label column too for a supervised one). The partitions are read on the workers and
  brought together on *one worker*, never the client; an input larger than ``maxBytes``
  (by default half the smallest worker's memory limit) is refused with an error that names
  ``Incremental``.
- ``Incremental(estimator=..., epochs, shuffleBlocks, seed)``: streams the partitions one
  after the other through the estimator's ``partial_fit`` (out-of-core: at most two partitions
  are in memory at once, so data larger than the cluster's memory trains).
- ``ParallelPostFit(model=...)``: a scikit-learn model fitted anywhere, applied per partition:
  ``predict`` to ``predictionCol``, ``predict_proba`` to ``probabilityCol`` (a vector),
  ``transform`` to ``outputCol`` (a vector). Nothing is collected. The fitted models of the
  two estimators above are ``SklearnModel``, which does the same.
- ``joblib_backend(spark)``: scikit-learn's own ``n_jobs`` parallelism (GridSearchCV,
  RandomForestClassifier...) run on the session's Dask workers.

Only public scikit-learn APIs are used (fit, partial_fit, predict, predict_proba, transform).
Stages save in Spark's layout with the scikit-learn object stored by skops (``pip install
dfml[sklearn]``), never pickle; loading refuses any type skops does not trust by default.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from ..sql import _engine
from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from .base import Estimator, Model, Transformer, partition_column, require_column
from .linalg import VectorUDT, as_struct_array, dense_to_arrow, to_matrix
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasLabelCol, HasOutputCol, HasPredictionCol,
                           HasProbabilityCol, HasSeed, HasWeightCol)

__all__ = ["SklearnEstimator", "Incremental", "SklearnModel", "ParallelPostFit",
           "joblib_backend"]


# ---------------------------------------------------------------- storage (skops, not pickle)
def _dumps(obj: Any, stage: str) -> bytes:
    try:
        import skops.io as sio
    except ImportError:
        raise ImportError(f"{stage}: saving a scikit-learn object needs skops (pip install "
                          f"'dfml[sklearn]'); dfml never pickles") from None
    return sio.dumps(obj)


def _loads(data: bytes, stage: str) -> Any:
    from .util import ModelLoadError
    try:
        import skops.io as sio
    except ImportError:
        raise ImportError(f"{stage}: loading a scikit-learn object needs skops (pip install "
                          f"'dfml[sklearn]')") from None
    untrusted = sio.get_untrusted_types(data=data)
    if untrusted:
        raise ModelLoadError(f"{stage}: the saved scikit-learn object holds types skops does "
                             f"not trust: {', '.join(untrusted)}; refusing to load it")
    return sio.loads(data)


# ---------------------------------------------------------------- rows to arrays
def _features(part: pd.DataFrame, col: str, stage: str) -> Any:
    arr = as_struct_array(part[col])
    if arr.null_count:
        raise SparkException(f"{stage}: column `{col}` holds a null vector; drop or impute "
                             f"those rows before fitting")
    return to_matrix(arr)


class _Rows:
    """One partition as (X, y, w) arrays (picklable: it runs on the workers)."""

    __name__ = "sklearn_rows"

    def __init__(self, features: str, label: str | None, weight: str | None, stage: str):
        self.features, self.label, self.weight, self.stage = features, label, weight, stage

    def __call__(self, part: pd.DataFrame) -> tuple:
        X = _features(part, self.features, self.stage)
        y = w = None
        if self.label:
            y = part[self.label].to_numpy()
            if pd.isna(y).any():
                raise SparkException(f"{self.stage}: label column `{self.label}` holds nulls")
        if self.weight:
            w = pd.to_numeric(part[self.weight]).to_numpy(dtype=np.float64, na_value=np.nan)
            if np.isnan(w).any():
                raise SparkException(f"{self.stage}: weight column `{self.weight}` holds nulls")
        return X, y, w


def _size(rows: tuple) -> tuple[int, int]:
    X = rows[0]
    nbytes = X.data.nbytes if hasattr(X, "data") and hasattr(X, "indices") else X.nbytes
    return X.shape[0], int(nbytes + (rows[1].nbytes if rows[1] is not None else 0))


def _stack(parts: list) -> tuple:
    import scipy.sparse as sp
    parts = [p for p in parts if p[0].shape[0]]
    if not parts:
        raise SparkException("the input has no rows to fit on")
    Xs = [p[0] for p in parts]
    d = max(x.shape[1] for x in Xs)
    if any(sp.issparse(x) for x in Xs):
        X = sp.vstack([sp.csr_matrix(x, shape=(x.shape[0], d)) for x in Xs]).tocsr()
    else:
        X = np.vstack([np.hstack([x, np.zeros((x.shape[0], d - x.shape[1]))]) for x in Xs])
    y = np.concatenate([p[1] for p in parts]) if parts[0][1] is not None else None
    w = np.concatenate([p[2] for p in parts]) if parts[0][2] is not None else None
    return X, y, w


def _fit_kwargs(method: Any, w: Any, stage: str) -> dict:
    if w is None:
        return {}
    if "sample_weight" not in inspect.signature(method).parameters:
        raise IllegalArgumentException(f"{stage}: the estimator's {method.__name__} takes no "
                                       f"sample_weight; unset weightCol")
    return {"sample_weight": w}


class _FitAll:
    """Fit a clone of the estimator on every partition's rows, on one worker."""

    __name__ = "sklearn_fit"

    def __init__(self, estimator: Any, stage: str):
        self.estimator, self.stage = estimator, stage

    def __call__(self, *parts: tuple) -> Any:
        from sklearn.base import clone
        X, y, w = _stack(list(parts))
        est = clone(self.estimator)
        kw = _fit_kwargs(est.fit, w, self.stage)
        return est.fit(X, **kw) if y is None else est.fit(X, y, **kw)


class _PartialFit:
    """One step of Incremental: ``partial_fit`` on one partition (rows shuffled with a seed)."""

    __name__ = "sklearn_partial_fit"

    def __init__(self, rows: _Rows, classes: Any, seed: int | None):
        self.rows, self.classes, self.seed = rows, classes, seed

    def __call__(self, est: Any, part: pd.DataFrame) -> Any:
        X, y, w = self.rows(part)
        if X.shape[0] == 0:
            return est
        if self.seed is not None:
            order = np.random.default_rng(self.seed).permutation(X.shape[0])
            X = X[order]
            y = y[order] if y is not None else None
            w = w[order] if w is not None else None
        kw = _fit_kwargs(est.partial_fit, w, self.rows.stage)
        if self.classes is not None:
            kw["classes"] = self.classes
        return est.partial_fit(X, **kw) if y is None else est.partial_fit(X, y, **kw)


# ---------------------------------------------------------------- prediction
class _Apply:
    """Per-partition kernel: one output column of a fitted scikit-learn model."""

    __name__ = "sklearn_predict"

    def __init__(self, model: Any, method: str, d: int | None, out: T.DataType):
        self.model, self.method, self.d, self.out = model, method, d, out

    def __call__(self, features: Any) -> pa.Array:
        arr = as_struct_array(features)
        mask = None
        if arr.null_count:
            mask = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
            arr = arr.filter(arr.is_valid())
        X = to_matrix(arr, size=self.d)
        if len(arr):
            res = np.asarray(getattr(self.model, self.method)(X))
        else:
            res = np.zeros((0,) if isinstance(self.out, (T.DoubleType, T.StringType))
                           else (0, 1))
        if isinstance(self.out, VectorUDT):
            res = np.asarray(res, np.float64).reshape(res.shape[0], -1)
            if mask is not None:
                full = np.zeros((len(mask), res.shape[1]))
                full[~mask] = res
                res = full
            return dense_to_arrow(res, mask)
        values: list = res.tolist()
        if mask is not None:
            it = iter(values)
            values = [None if m else next(it) for m in mask]
        if isinstance(self.out, T.StringType):
            return pa.array([None if v is None else str(v) for v in values], pa.string())
        return pa.array(values, pa.float64())


class _ApplyParams(HasFeaturesCol, HasPredictionCol, HasProbabilityCol, HasOutputCol):
    """Output columns of a fitted scikit-learn model; an empty name turns a column off."""

    _sk_model: Any = None

    def _outputs(self) -> list[tuple[str, str, T.DataType]]:
        m = self._sk_model
        out = []
        if hasattr(m, "predict") and self.getOrDefault("predictionCol"):
            classes = getattr(m, "classes_", None)
            numeric = classes is None or np.issubdtype(np.asarray(classes).dtype, np.number)
            out.append((self.getOrDefault("predictionCol"), "predict",
                        T.DoubleType() if numeric else T.StringType()))
        if hasattr(m, "predict_proba") and self.getOrDefault("probabilityCol"):
            out.append((self.getOrDefault("probabilityCol"), "predict_proba", VectorUDT()))
        if hasattr(m, "transform") and self.isDefined("outputCol") and \
                self.getOrDefault("outputCol"):
            out.append((self.getOrDefault("outputCol"), "transform", VectorUDT()))
        return out

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        require_column(schema, self.getFeaturesCol(), (VectorUDT,), self, "a vector")
        if self._sk_model is None:
            raise IllegalArgumentException(f"{type(self).__name__} ({self.uid}): no fitted "
                                           f"scikit-learn model")
        fields = list(schema.fields)
        for name, _, dt in self._outputs():
            fields = [f for f in fields if f.name != name] + [T.StructField(name, dt, True)]
        return T.StructType(fields)

    def _transform(self, dataset: Any) -> Any:
        d = getattr(self._sk_model, "n_features_in_", None)
        outs = {name: partition_column(f"{type(self).__name__}.{method}",
                                       [self.getFeaturesCol()],
                                       _Apply(self._sk_model, method, d, dt), dt)
                for name, method, dt in self._outputs()}
        return dataset.withColumns(outs) if outs else dataset

    def _save_data(self) -> pa.Table:
        return pa.table({"skops": pa.array([_dumps(self._sk_model, self._name())], pa.binary())})

    def _load_data(self, table: pa.Table) -> None:
        self._sk_model = _loads(table.column("skops")[0].as_py(), self._name())

    def _init_loaded(self) -> None:
        self._sk_model = None

    def _name(self) -> str:
        return f"{type(self).__name__} ({self.uid})"


class SklearnModel(_ApplyParams, Model):
    """A scikit-learn model fitted by SklearnEstimator or Incremental (``sklearnModel``)."""

    def __init__(self, model: Any = None):
        super().__init__()
        self._setDefault(outputCol="")
        self._sk_model = model

    @property
    def sklearnModel(self) -> Any:
        return self._sk_model


class ParallelPostFit(_ApplyParams, Transformer):
    """A scikit-learn model fitted anywhere, applied to each partition where it lives."""

    @keyword_only
    def __init__(self, *, model: Any = None, featuresCol: str = "features",
                 predictionCol: str = "prediction", probabilityCol: str = "probability",
                 outputCol: str = "") -> None:
        super().__init__()
        self._setDefault(outputCol="")
        kw = dict(self._input_kwargs)
        self._sk_model = kw.pop("model", None)
        if self._sk_model is None:
            raise IllegalArgumentException("ParallelPostFit: give the fitted model as model=...")
        self._set(**kw)

    def getModel(self) -> Any:
        return self._sk_model


# ---------------------------------------------------------------- estimators
class _FitParams(HasFeaturesCol, HasLabelCol, HasWeightCol, HasPredictionCol, HasProbabilityCol,
                 HasOutputCol):
    """Columns of the two estimators: an empty ``labelCol`` fits without a label."""

    _sk_estimator: Any = None

    def _init(self, kwargs: dict) -> None:
        self._setDefault(outputCol="")
        est = kwargs.pop("estimator", None)
        if est is None or not hasattr(est, "fit"):
            raise IllegalArgumentException(f"{type(self).__name__}: give a scikit-learn "
                                           f"estimator as estimator=..., got {est!r}")
        self._sk_estimator = est
        self._set(**kwargs)

    def getEstimator(self) -> Any:
        return self._sk_estimator

    def _columns(self) -> tuple[str, str | None, str | None]:
        label = self.getOrDefault("labelCol") or None
        weight = self.getOrDefault("weightCol") if self.isDefined("weightCol") else None
        return self.getFeaturesCol(), label, weight or None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        feats, label, weight = self._columns()
        require_column(schema, feats, (VectorUDT,), self, "a vector")
        if label:
            require_column(schema, label, (), self, "")
        if weight:
            require_column(schema, weight, (T.NumericType,), self, "numeric")
        return schema

    def _model(self, fitted: Any) -> SklearnModel:
        return self._copyValues(SklearnModel(fitted))

    def _name(self) -> str:
        return f"{type(self).__name__} ({self.uid})"

    def _save_data(self) -> pa.Table:
        return pa.table({"skops": pa.array([_dumps(self._sk_estimator, self._name())],
                                           pa.binary())})

    def _load_data(self, table: pa.Table) -> None:
        self._sk_estimator = _loads(table.column("skops")[0].as_py(), self._name())


def _worker_memory(client: Any) -> int | None:
    limits = [w.get("memory_limit") or 0 for w in client.scheduler_info()["workers"].values()]
    limits = [m for m in limits if m]
    return min(limits) if limits else None


class SklearnEstimator(_FitParams, Estimator):
    """Fit any scikit-learn estimator on one worker, from partitions read on the workers."""

    maxBytes = Param(Params._dummy(), "maxBytes", "largest input (features and label bytes) "
                     "fitted on one worker; 0: half the smallest worker's memory limit", TC.toInt)

    @keyword_only
    def __init__(self, *, estimator: Any = None, featuresCol: str = "features",
                 labelCol: str = "label", weightCol: str | None = None,
                 predictionCol: str = "prediction", probabilityCol: str = "probability",
                 outputCol: str = "", maxBytes: int = 0) -> None:
        super().__init__()
        self._setDefault(maxBytes=0)
        self._init(dict(self._input_kwargs))

    def _fit(self, dataset: Any) -> SklearnModel:
        feats, label, weight = self._columns()
        session = _engine.session_of(dataset)
        client = _engine.client_of(session)
        cols = [c for c in (feats, label, weight) if c]
        from dask import delayed
        build = delayed(_Rows(feats, label, weight, self._name()), pure=True)
        parts = _engine.submit(session, [build(p) for p in _engine.partitions(dataset, cols)])
        try:
            sizes = client.gather(client.map(_size, parts, pure=False))
            total = sum(b for _, b in sizes)
            limit = self.getOrDefault("maxBytes") or (_worker_memory(client) or 0) // 2
            if limit and total > limit:
                raise SparkException(
                    f"{self._name()}: the input holds {total:,} bytes of features and labels, "
                    f"more than the {limit:,} one worker may fit (maxBytes); train it with "
                    f"Incremental(estimator=...) and an estimator that has partial_fit")
            fitted = client.submit(_FitAll(self._sk_estimator, self._name()), *parts,
                                   pure=False).result()
        finally:
            parts.clear()
        return self._model(fitted)


class Incremental(_FitParams, HasSeed, Estimator):
    """Stream the partitions in order through ``partial_fit``, ``epochs`` times (out-of-core)."""

    epochs = Param(Params._dummy(), "epochs", "passes over the data", TC.toInt)
    shuffleBlocks = Param(Params._dummy(), "shuffleBlocks", "visit the partitions (and the "
                          "rows in each) in a new random order every epoch", TC.toBoolean)
    classes = Param(Params._dummy(), "classes", "every class label (a classifier's first "
                    "partial_fit needs them; found with one pass when unset)", TC.toList)

    @keyword_only
    def __init__(self, *, estimator: Any = None, featuresCol: str = "features",
                 labelCol: str = "label", weightCol: str | None = None,
                 predictionCol: str = "prediction", probabilityCol: str = "probability",
                 outputCol: str = "", epochs: int = 1, shuffleBlocks: bool = True,
                 seed: int | None = None, classes: list | None = None) -> None:
        super().__init__()
        self._setDefault(epochs=1, shuffleBlocks=True, seed=0)
        self._init(dict(self._input_kwargs))
        if not hasattr(self._sk_estimator, "partial_fit"):
            raise IllegalArgumentException(
                f"Incremental: {type(self._sk_estimator).__name__} has no partial_fit; use "
                f"SklearnEstimator for data that fits on one worker")

    def _classes(self, dataset: Any, label: str | None) -> Any:
        from sklearn.base import is_classifier
        if self.isSet("classes"):
            return np.asarray(self.getOrDefault("classes"))
        if not label or not is_classifier(self._sk_estimator):
            return None
        found = [r[0] for r in dataset.select(label).distinct().collect()]
        if any(v is None for v in found):
            raise SparkException(f"{self._name()}: label column `{label}` holds nulls")
        return np.asarray(sorted(found))

    def _fit(self, dataset: Any) -> SklearnModel:
        from dask import delayed
        from distributed import wait
        from sklearn.base import clone
        if self.getOrDefault("epochs") < 1:
            raise IllegalArgumentException(f"{self._name()}: epochs must be >= 1")
        feats, label, weight = self._columns()
        classes = self._classes(dataset, label)
        session = _engine.session_of(dataset)
        rows = _Rows(feats, label, weight, self._name())
        cols = [c for c in (feats, label, weight) if c]
        rng = np.random.default_rng(self.getOrDefault("seed"))
        shuffle = self.getOrDefault("shuffleBlocks")
        est: Any = clone(self._sk_estimator)
        previous: list = []
        for _ in range(self.getOrDefault("epochs")):
            parts = _engine.partitions(dataset, cols)
            order = rng.permutation(len(parts)) if shuffle else range(len(parts))
            for i in order:
                seed = int(rng.integers(2**31)) if shuffle else None
                step = delayed(_PartialFit(rows, classes, seed), pure=False)(est, parts[int(i)])
                (est,) = _engine.submit(session, [step])
                # at most two steps in flight: a partition is read while the one before it
                # trains, never more (memory bounded by two partitions)
                if previous:
                    wait(previous)
                previous = [est]
        return self._model(est.result())


# ---------------------------------------------------------------- joblib
@contextlib.contextmanager
def joblib_backend(spark: Any, **kwargs: Any) -> Iterator[None]:
    """``with joblib_backend(spark): GridSearchCV(..., n_jobs=-1).fit(X, y)``: scikit-learn's
    joblib work runs as tasks on the session's Dask workers."""
    import joblib
    client = _engine.client_of(spark)
    with joblib.parallel_config(backend="dask", client=client, **kwargs):
        yield
