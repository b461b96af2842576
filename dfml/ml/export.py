"""``PipelineModel.to_sklearn()``: a fitted pipeline as a scikit-learn Pipeline over pandas.

For serving without Dask or Spark: each fitted dfml stage becomes a small scikit-learn
transformer holding only numbers and labels (numpy arrays), applied to a pandas DataFrame with
the same input columns; vector columns travel between steps as object columns of 1-d numpy
arrays. ``predict``/``predict_proba`` of the exported pipeline match dfml's ``prediction`` and
``probability`` columns, and ``transform`` returns every column dfml would add. Only stages
whose fitted state is plain numbers can be exported; any other stage raises a clear error.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.pipeline import Pipeline as SkPipeline

__all__ = ["to_sklearn", "EXPORTERS"]


def _matrix(col: pd.Series) -> np.ndarray:
    """A vector column (1-d arrays, or DenseVector/SparseVector objects) as a 2-d array."""
    rows = [v.toArray() if hasattr(v, "toArray") else np.asarray(v, dtype=float) for v in col]
    return np.vstack(rows) if rows else np.zeros((0, 0))


def _vector_column(m: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(list(m), index=index, dtype=object)


class _ColumnStep(BaseEstimator, TransformerMixin):
    """A fitted stage: ``fn(frame) -> {column: values}`` adds or replaces columns."""

    def __init__(self, name: str = "", fn: Callable[[pd.DataFrame], dict] | None = None):
        self.name, self.fn = name, fn

    def fit(self, X: pd.DataFrame, y: Any = None) -> "_ColumnStep":
        return self

    def __sklearn_is_fitted__(self) -> bool:
        """Always fitted: the state came from the dfml model."""
        return True

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        out = X.copy()
        for k, v in self.fn(X).items():
            out[k] = v
        return out


class _PredictStep(_ColumnStep, ClassifierMixin):
    """The last stage of a classification pipeline: predict/predict_proba as well as transform."""

    def __init__(self, name: str = "", fn: Callable | None = None, prediction: str = "prediction",
                 probability: str | None = "probability", classes: Any = None):
        super().__init__(name, fn)
        self.prediction, self.probability, self.classes = prediction, probability, classes

    @property
    def classes_(self) -> np.ndarray:
        return np.asarray(self.classes)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.fn(X)[self.prediction], dtype=float)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        if self.probability is None:
            raise AttributeError("this model has no probabilities")
        return _matrix(self.fn(X)[self.probability])


class _RegressStep(_PredictStep, RegressorMixin):
    pass


# ---------------------------------------------------------------- per-stage exporters

def _string_indexer(m: Any) -> _ColumnStep:
    ins = m.getInputCols() if m.isSet("inputCols") else [m.getInputCol()]
    outs = m.getOutputCols() if m.isSet("outputCols") else [m.getOutputCol()]
    labels = [list(l) for l in m.labelsArray]
    handle = m.getHandleInvalid()

    def fn(X: pd.DataFrame) -> dict:
        res = {}
        for c, o, labs in zip(ins, outs, labels):
            lookup = {v: float(i) for i, v in enumerate(labs)}
            vals = X[c].astype(object).where(X[c].notna(), None)
            keys = [None if v is None else (v if isinstance(v, str) else _spark_str(v)) for v in vals]
            idx = [lookup.get(k, np.nan) if k is not None else np.nan for k in keys]
            idx = np.asarray(idx, dtype=float)
            bad = np.isnan(idx)
            if bad.any():
                if handle == "keep":
                    idx[bad] = float(len(labs))
                elif handle == "error":
                    first = keys[int(np.flatnonzero(bad)[0])]
                    raise ValueError(f"StringIndexer: unseen label {first!r} in column {c!r}")
            res[o] = idx
        return res
    return _ColumnStep(f"StringIndexerModel({','.join(ins)})", fn)


def _spark_str(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        from ..sql.formatting import format_double
        return format_double(float(v))
    return str(v)


def _one_hot(m: Any) -> _ColumnStep:
    ins = m.getInputCols() if m.isSet("inputCols") else [m.getInputCol()]
    outs = m.getOutputCols() if m.isSet("outputCols") else [m.getOutputCol()]
    sizes = list(m.categorySizes)
    drop_last, keep = m.getDropLast(), m.getHandleInvalid() == "keep"

    def fn(X: pd.DataFrame) -> dict:
        res = {}
        for c, o, k in zip(ins, outs, sizes):
            width = k + (1 if keep else 0)
            width_out = width - 1 if drop_last else width
            idx = np.asarray(X[c], dtype=float)
            if not keep and ((idx >= k) | (idx < 0)).any():
                raise ValueError(f"OneHotEncoder: index out of range in column {c!r}")
            m_ = np.zeros((len(X), width_out))
            rows = np.flatnonzero(idx < width_out)
            m_[rows, idx[rows].astype(int)] = 1.0
            res[o] = _vector_column(m_, X.index)
        return res
    return _ColumnStep("OneHotEncoderModel", fn)


def _assembler(m: Any) -> _ColumnStep:
    ins, out = m.getInputCols(), m.getOutputCol()

    def fn(X: pd.DataFrame) -> dict:
        blocks = []
        for c in ins:
            first = X[c].iloc[0] if len(X) else 0.0
            if hasattr(first, "toArray") or isinstance(first, np.ndarray):
                blocks.append(_matrix(X[c]))
            else:
                blocks.append(np.asarray(X[c], dtype=float).reshape(-1, 1))
        return {out: _vector_column(np.hstack(blocks), X.index)}
    return _ColumnStep("VectorAssembler", fn)


def _standard_scaler(m: Any) -> _ColumnStep:
    std, mean = m.std.toArray(), m.mean.toArray()
    scale = np.where(std != 0, 1.0 / np.where(std != 0, std, 1.0), 0.0) if m.getWithStd() \
        else np.ones_like(std)
    center = m.getWithMean()

    def fn(X: pd.DataFrame) -> dict:
        x = _matrix(X[m.getInputCol()])
        return {m.getOutputCol(): _vector_column(((x - mean) if center else x) * scale, X.index)}
    return _ColumnStep("StandardScalerModel", fn)


def _imputer(m: Any) -> _ColumnStep:
    ins = m.getInputCols() if m.isSet("inputCols") else [m.getInputCol()]
    outs = m.getOutputCols() if m.isSet("outputCols") else [m.getOutputCol()]
    surrogates = dict(m._surrogates)
    missing = m.getMissingValue()

    def fn(X: pd.DataFrame) -> dict:
        """Nulls and ``missingValue`` become the surrogate; an integer column stays integer
        (surrogate truncated toward zero, as dfml and Spark do). In a pandas float column a
        null is NaN, so NaN always counts as missing there."""
        res = {}
        for c, o in zip(ins, outs):
            col = X[c]
            integer = pd.api.types.is_integer_dtype(col.dtype)
            v = col.astype("float64").to_numpy(na_value=np.nan) if integer else \
                np.asarray(col, dtype=float)
            bad = np.isnan(v) if np.isnan(missing) else (np.isnan(v) | (v == missing))
            v = v.copy()
            fill = surrogates[c]
            v[bad] = float(np.trunc(fill)) if integer else fill
            res[o] = v.astype(np.int64) if integer else v
        return res
    return _ColumnStep("ImputerModel", fn)


def _logistic(m: Any) -> _PredictStep:
    from .classification import predictions_from_raw, raw_scores
    k = m.numClasses
    kernels = {what: m._kernel(what) for what in ("raw", "probability", "prediction")}
    fcol = m.getFeaturesCol()
    outs = (m.getRawPredictionCol(), m.getProbabilityCol(), m.getPredictionCol())

    def fn(X: pd.DataFrame) -> dict:
        x = _matrix(X[fcol])
        k0 = kernels["raw"]
        raw = raw_scores(x, k0.B, k0.b0, k0.multinomial)
        cols = {}
        for name, what in zip(outs, ("raw", "probability", "prediction")):
            if name:  # the same thresholds and rules as the dfml model's own kernels
                kk = kernels[what]
                v = predictions_from_raw(raw, kk.multinomial, what, kk.threshold, kk.thresholds)
                cols[name] = v if what == "prediction" else _vector_column(v, X.index)
        return cols
    return _PredictStep("LogisticRegressionModel", fn, outs[2], outs[1] or None, list(range(k)))


def _linear(m: Any) -> _RegressStep:
    coef, icpt = m.coefficients.toArray(), float(m.intercept)
    fcol, out = m.getFeaturesCol(), m.getPredictionCol()

    def fn(X: pd.DataFrame) -> dict:
        return {out: _matrix(X[fcol]) @ coef + icpt}
    return _RegressStep("LinearRegressionModel", fn, out, None, None)


def _naive_bayes(m: Any) -> _PredictStep:
    """predict/predict_proba by the model's scikit-learn estimator (MultinomialNB, GaussianNB,
    ... per model type), rawPrediction computed as Spark's, thresholds applied as dfml's."""
    from .classification_nb import predictions, raw_scores
    est = m.to_sklearn()
    kind, fcol = m.getModelType(), m.getFeaturesCol()
    outs = (m.getRawPredictionCol(), m.getProbabilityCol(), m.getPredictionCol())
    sigma = m.sigma.toArray() if kind == "gaussian" else None
    thresholds = np.asarray(m.getThresholds(), float) if m.isSet("thresholds") else None

    def fn(X: pd.DataFrame) -> dict:
        x = _matrix(X[fcol])
        prob = est.predict_proba(x)
        cols = {}
        if outs[0]:
            raw = raw_scores(kind, x, m.pi.toArray(), m.theta.toArray(), sigma)
            cols[outs[0]] = _vector_column(raw, X.index)
        if outs[1]:
            cols[outs[1]] = _vector_column(prob, X.index)
        if outs[2]:
            cols[outs[2]] = predictions(prob, thresholds)
        return cols
    return _PredictStep("NaiveBayesModel", fn, outs[2], outs[1] or None,
                        list(range(m.numClasses)))


EXPORTERS: dict[str, Callable[[Any], _ColumnStep]] = {
    "StringIndexerModel": _string_indexer,
    "OneHotEncoderModel": _one_hot,
    "VectorAssembler": _assembler,
    "StandardScalerModel": _standard_scaler,
    "ImputerModel": _imputer,
    "LogisticRegressionModel": _logistic,
    "LinearRegressionModel": _linear,
    "NaiveBayesModel": _naive_bayes,
}


def to_sklearn(model: Any) -> SkPipeline:
    """The fitted dfml PipelineModel as an equivalent scikit-learn Pipeline over pandas."""
    steps = []
    for i, stage in enumerate(model.stages):
        name = type(stage).__name__
        if name not in EXPORTERS:
            raise NotImplementedError(
                f"to_sklearn: stage {i} ({name}) has no scikit-learn export; exportable stages: "
                f"{', '.join(sorted(EXPORTERS))}")
        steps.append((f"{i:02d}_{name}", EXPORTERS[name](stage)))
    return SkPipeline(steps)
