"""The fitted xgboost.spark models: the booster, xgboost.spark's output columns, persistence.

Output columns, as xgboost.spark's (in its order):
- regressor and ranker: ``prediction`` (double: the booster's prediction, computed in float32
  as xgboost does), and ``pred_contrib_col`` when set (array<double>: each feature's
  contribution, then the bias);
- classifier: ``rawPrediction`` (vector: ``[-m, m]`` for a binary margin ``m``, the class
  margins otherwise), ``prediction`` (double: the class of highest probability),
  ``probability`` (vector: sigmoid or softmax of the margins), and ``pred_contrib_col``
  (array<array<double>>, one row of contributions per margin).
A model trained with early stopping predicts with its best iteration, as xgboost's
scikit-learn models do. A null feature vector gives null outputs.

A model saves in Spark's layout: params in ``metadata/``, the booster in XGBoost's own JSON
format in ``data/`` (never a pickle); ``callbacks`` and ``xgb_model`` are Python objects and
are not saved, as xgboost.spark does not save them in its JSON either.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import expit, softmax
from xgboost import XGBClassifier, XGBRanker, XGBRegressor

from ..ml.base import Model, partition_column
from ..ml.linalg import VectorUDT, dense_to_arrow
from ..ml.param.shared import HasProbabilityCol, HasRawPredictionCol
from ..sql import types as T
from . import training
from .params import XGBParams, xgb_defaults, xgb_param_mixin

__all__ = ["SparkXGBClassifierModel", "SparkXGBRegressorModel", "SparkXGBRankerModel",
           "XGBoostTrainingSummary", "output_schema", "extra_reads"]

XGBRegressorParams = xgb_param_mixin("XGBRegressorParams", XGBRegressor)
XGBClassifierParams = xgb_param_mixin("XGBClassifierParams", XGBClassifier)
XGBRankerParams = xgb_param_mixin("XGBRankerParams", XGBRanker)

_ARRAY = T.ArrayType(T.DoubleType())


class XGBoostTrainingSummary:
    """Each evaluation metric per boosting round, on the training rows and (with a validation
    column) on the validation rows, as xgboost.spark's summary holds them."""

    def __init__(self, history: dict):
        self.train_objective_history = dict(history.get("training", {}))
        self.validation_objective_history = dict(history.get("validation", {}))

    def __repr__(self) -> str:
        return (f"XGBoostTrainingSummary(train_objective_history="
                f"{self.train_objective_history!r}, validation_objective_history="
                f"{self.validation_objective_history!r})")


def _outputs(stage: Any) -> list[tuple[str, str, T.DataType]]:
    """(column, what, type) of every output column the stage writes, in xgboost.spark's order."""
    classifier = stage.hasParam("probabilityCol")
    out = []
    if classifier and stage._defined("rawPredictionCol"):
        out.append((stage.getOrDefault("rawPredictionCol"), "raw", VectorUDT()))
    if stage._defined("predictionCol"):
        out.append((stage.getOrDefault("predictionCol"), "prediction", T.DoubleType()))
    if classifier and stage._defined("probabilityCol"):
        out.append((stage.getOrDefault("probabilityCol"), "probability", VectorUDT()))
    if stage._defined("pred_contrib_col"):
        out.append((stage.getOrDefault("pred_contrib_col"), "contrib",
                    T.ArrayType(_ARRAY) if classifier else _ARRAY))
    return out


def output_schema(stage: Any, schema: T.StructType) -> T.StructType:
    """``schema`` with the stage's output columns (a column already there is replaced)."""
    fields = list(schema.fields)
    for name, _, dt in _outputs(stage):
        fields = [f for f in fields if f.name != name]
        fields.append(T.StructField(name, dt, True))
    return T.StructType(fields)


def extra_reads(stage: Any, schema: T.StructType) -> list[str]:
    """Columns the stage reads that Spark-style ``...Col`` params do not name (the pipeline
    plans from these)."""
    names = list(stage.getOrDefault("features_cols") or [])
    names += [stage._defined(p) for p in ("qid_col", "base_margin_col")]
    return [n for n in names if n and n in schema.names]


class _Predict:
    """Per-partition kernel: one output column from the features (and base margin) columns."""

    __name__ = "xgboost_spark_predict"  # dask names tasks after this

    def __init__(self, raw: bytes, spec: Any, d: int, what: str, classifier: bool,
                 missing: float, iteration_range: tuple[int, int], margin: bool):
        self.raw, self.spec, self.d, self.what = raw, spec, d, what
        self.classifier, self.missing = classifier, missing
        self.range, self.margin = iteration_range, margin

    def _rows(self, arrays: list) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        feats = arrays[:-1] if self.margin else arrays
        mask = None
        if self.spec.kind != "columns":
            a = feats[0]
            a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
            if a.null_count:
                mask = np.asarray(a.is_null().to_numpy(zero_copy_only=False))
                a = a.filter(a.is_valid())
            feats = [a]
        X = training.feature_matrix(self.spec, feats, self.d)
        base = None
        if self.margin:
            m = arrays[-1]
            base = np.asarray(pa.compute.cast(m, pa.float64()).to_numpy(zero_copy_only=False),
                              np.float64)
            if mask is not None:
                base = base[~mask]
        return X, base, mask

    def __call__(self, *arrays: Any) -> pa.Array:
        import xgboost as xgb
        from ..ml._xgb import load_booster
        X, base, mask = self._rows(list(arrays))
        booster = load_booster(self.raw)
        n = len(X)
        if self.what == "contrib":
            out = booster.predict(xgb.DMatrix(X, base_margin=base, missing=self.missing),
                                  pred_contribs=True, iteration_range=self.range,
                                  strict_shape=self.classifier) if n else \
                np.zeros((0, 1, self.d + 1) if self.classifier else (0, self.d + 1))
            rows = np.asarray(out, np.float64).tolist()
            typ = pa.list_(pa.list_(pa.float64())) if self.classifier else pa.list_(pa.float64())
            return pa.array(_spread(rows, mask), type=typ)
        if n == 0:
            m = np.zeros(0, np.float32)
        elif base is not None or not self.classifier:
            dm = xgb.DMatrix(X, base_margin=base, missing=self.missing)
            m = booster.predict(dm, output_margin=self.classifier,
                                iteration_range=self.range)
        else:
            m = booster.inplace_predict(X, predict_type="margin", missing=self.missing,
                                        iteration_range=self.range)
        m = np.asarray(m)
        if not self.classifier:
            return _doubles(m.astype(np.float64).reshape(-1), mask)
        if m.ndim == 1 or (m.ndim == 2 and m.shape[1] == 1):
            m = m.reshape(-1)
            p1 = expit(m)
            raw = np.column_stack([-m, m])
            prob = np.column_stack([1.0 - p1, p1])
        else:
            raw, prob = m, softmax(m, axis=1)
        if self.what == "raw":
            return _vectors(raw, mask)
        if self.what == "probability":
            return _vectors(prob, mask)
        pred = np.argmax(prob, axis=1) if len(prob) else np.zeros(0)
        return _doubles(pred.astype(np.float64), mask)


def _spread(rows: list, mask: np.ndarray | None) -> list:
    if mask is None:
        return rows
    it = iter(rows)
    return [None if null else next(it) for null in mask]


def _doubles(v: np.ndarray, mask: np.ndarray | None) -> pa.Array:
    if mask is None:
        return pa.array(v, type=pa.float64())
    full = np.zeros(len(mask))
    full[~mask] = v
    return pa.array(full, type=pa.float64(), mask=mask)


def _vectors(m: np.ndarray, mask: np.ndarray | None) -> pa.Array:
    m = np.asarray(m, np.float64)
    if mask is not None:
        full = np.zeros((len(mask), m.shape[1] if m.ndim == 2 else 2))
        full[~mask] = m
        m = full
    return dense_to_arrow(m.reshape(len(m), -1), mask)


class _SparkXGBModel(XGBParams):
    """What the three models share (a mixin before ``Model``)."""

    _xgb_cls: type = XGBRegressor
    _classifier = False

    def __init__(self, booster: bytes | None = None, numFeatures: int = 0,
                 history: dict | None = None):
        super().__init__()
        self._setDefault(**xgb_defaults(self._xgb_cls))
        self._spark_defaults()
        self._raw = booster
        self._num_features = int(numFeatures)
        self.training_summary = XGBoostTrainingSummary(history) if history is not None \
            else None

    def _init_loaded(self) -> None:
        self._raw, self._num_features, self.training_summary = None, 0, None

    # ------------------------------------------------------------ the booster
    def get_booster(self) -> Any:
        """The trained ``xgboost.Booster`` (a fresh copy: changing it leaves the model alone)."""
        import xgboost as xgb
        booster = xgb.Booster()
        booster.load_model(bytearray(self._raw))
        return booster

    def get_feature_importances(self, importance_type: str = "weight") -> dict:
        """xgboost's feature scores (weight, gain, cover, total_gain or total_cover)."""
        return self.get_booster().get_score(importance_type=importance_type)

    @property
    def _xgb_sklearn_model(self) -> Any:
        """The model as xgboost's scikit-learn estimator, as xgboost.spark's model holds it."""
        est = self._xgb_cls()
        est.load_model(bytearray(self._raw))
        return est

    def _iteration_range(self) -> tuple[int, int]:
        if self.isDefined("iteration_range") and self.getOrDefault("iteration_range"):
            a, b = self.getOrDefault("iteration_range")
            return int(a), int(b)
        best = json.loads(self._raw).get("learner", {}).get("attributes", {}) \
            .get("best_iteration")
        return (0, int(best) + 1) if best is not None else (0, 0)

    # ------------------------------------------------------------ predictions
    def transformSchema(self, schema: T.StructType) -> T.StructType:
        training.feature_spec(self, schema)
        if self._defined("base_margin_col"):
            from ..ml.base import require_column
            require_column(schema, self.getOrDefault("base_margin_col"), (T.NumericType,),
                           self, "numeric")
        return output_schema(self, schema)

    def _fit_spec(self, schema: T.StructType) -> Any:
        import dataclasses
        spec = super()._fit_spec(schema)
        return dataclasses.replace(spec, reads=tuple(dict.fromkeys(
            spec.reads + tuple(extra_reads(self, schema)))))

    def _transform(self, dataset: Any) -> Any:
        spec = training.feature_spec(self, dataset.schema)
        margin = self._defined("base_margin_col")
        inputs = list(spec.columns) + ([margin] if margin else [])
        outs = {}
        for name, what, dt in _outputs(self):
            kernel = _Predict(self._raw, spec, self._num_features, what, self._classifier,
                              self._missing(), self._iteration_range(), bool(margin))
            outs[name] = partition_column(f"{type(self).__name__}.{what}", inputs, kernel, dt)
        return dataset.withColumns(outs) if outs else dataset

    # ------------------------------------------------------------ persistence
    def _save_data(self) -> pa.Table:
        return pa.table({"numFeatures": [self._num_features],
                         "booster": pa.array([self._raw], type=pa.binary()),
                         "boosterFormat": ["json"]})

    def _load_data(self, table: pa.Table) -> None:
        row = table.slice(0, 1).to_pylist()[0]
        if row.get("boosterFormat") != "json" or not row.get("booster"):
            raise ValueError(f"{type(self).__name__} data: no XGBoost JSON booster")
        self._raw = bytes(row["booster"])
        self._num_features = int(row["numFeatures"])

    @classmethod
    def read(cls) -> Any:
        return _Reader(cls)

    def __repr__(self) -> str:
        return self.uid


class _Reader:
    """Loads a model saved by dfml, or one saved by xgboost.spark itself (``metadata/`` plus
    the booster's JSON text under ``model/``), so models move over with the programs."""

    def __init__(self, cls: type):
        self.cls = cls

    def session(self, spark: Any) -> "_Reader":
        return self

    def load(self, path: str) -> Any:
        import fsspec
        from ..ml.util import MLReader
        fs, root = fsspec.core.url_to_fs(path)
        root = root.rstrip("/")
        if fs.exists(f"{root}/model") and not fs.exists(f"{root}/data"):
            return load_xgboost_spark(self.cls, fs, root, path)
        return MLReader(self.cls).load(path)


def _parts(fs: Any, folder: str) -> list[str]:
    names = [p for p in fs.ls(folder, detail=False)
             if p.rsplit("/", 1)[-1].startswith("part-")]
    return sorted(names)


def load_xgboost_spark(cls: type, fs: Any, root: str, path: str) -> Any:
    """A model from xgboost.spark's saved layout; only JSON is read (no callbacks, which
    xgboost.spark stores pickled, are loaded)."""
    from ..ml.param import Params
    from ..ml.util import ModelLoadError
    metas = _parts(fs, f"{root}/metadata")
    if not metas:
        raise ModelLoadError(f"{path}: no metadata file under metadata/")
    with fs.open(metas[0], "rb") as f:
        meta = json.loads(f.read().decode().splitlines()[0])
    saved = str(meta.get("class", ""))
    if not saved.startswith("xgboost.spark.") or saved.rsplit(".", 1)[-1] != cls.__name__:
        raise ModelLoadError(f"{path}: holds a {saved or 'model of unknown class'}, not an "
                             f"xgboost.spark {cls.__name__}")
    text = []
    for part in _parts(fs, f"{root}/model"):
        with fs.open(part, "rb") as f:
            text += f.read().decode().splitlines()  # one chunk of the JSON per line
    raw = "".join(text).encode()
    try:
        learner = json.loads(raw)["learner"]
        d = int(learner["learner_model_param"]["num_feature"])
    except (ValueError, KeyError) as e:
        raise ModelLoadError(f"{path}: model/ holds no XGBoost JSON booster ({e})") from None
    model = cls.__new__(cls)
    Params.__init__(model)
    model._setDefault(**xgb_defaults(cls._xgb_cls))
    model._spark_defaults()
    model._raw, model._num_features, model.training_summary = raw, d, None
    for key in ("defaultParamMap", "paramMap"):
        for name, v in (meta.get(key) or {}).items():
            if model.hasParam(name) and name not in model._saved_elsewhere:
                if key == "paramMap":
                    model._set(**{name: v})
                elif v is not None:
                    model._setDefault(**{name: v})
    model._resetUid(meta.get("uid", model.uid))
    return model


class SparkXGBRegressorModel(_SparkXGBModel, Model, XGBRegressorParams):
    """A fitted SparkXGBRegressor."""

    _xgb_cls = XGBRegressor


class SparkXGBClassifierModel(_SparkXGBModel, Model, XGBClassifierParams, HasProbabilityCol,
                              HasRawPredictionCol):
    """A fitted SparkXGBClassifier."""

    _xgb_cls, _classifier = XGBClassifier, True


class SparkXGBRankerModel(_SparkXGBModel, Model, XGBRankerParams):
    """A fitted SparkXGBRanker."""

    _xgb_cls = XGBRanker
