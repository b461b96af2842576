"""Reading the features as xgboost.spark does, and training with xgboost.dask on the session's
cluster.

The features come in one of three forms, as xgboost.spark accepts them: a vector column, an
array column of numbers, or a list of numeric columns (``features_col=[...]``). Each partition
becomes one block (features as float32, label, weight, validation flags, query ids, base
margins) kept on the worker that read it; xgboost.dask then trains on dask arrays whose chunks
*are* those blocks, so every array stays partition-aligned and no row reaches the client (the
plumbing of dfml.ml's tree models, ``dfml.ml._xgb``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..ml.linalg import VectorUDT, as_struct_array, to_matrix
from ..sql import types as T
from ..sql.errors import AnalysisException, SparkException

__all__ = ["FeatureSpec", "feature_spec", "feature_matrix", "XBlock", "build_blocks",
           "train"]


# ---------------------------------------------------------------- features
@dataclass(frozen=True)
class FeatureSpec:
    """Where the features are: ``kind`` is vector, array or columns; ``columns`` their names;
    ``sparse_missing``: a sparse vector's absent entries are missing (else 0, as Spark)."""

    kind: str
    columns: tuple[str, ...]
    sparse_missing: bool = False


def _missing_column(schema: T.StructType, name: str, stage: str) -> AnalysisException:
    import difflib
    near = difflib.get_close_matches(name, schema.names, n=1)
    hint = f" Did you mean `{near[0]}`?" if near else ""
    return AnalysisException(f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] {stage}: input column "
                             f"`{name}` does not exist.{hint} Available: "
                             f"{', '.join(schema.names)}.", "UNRESOLVED_COLUMN.WITH_SUGGESTION")


def feature_spec(stage: Any, schema: T.StructType, fitting: bool = False) -> FeatureSpec:
    """The features of ``stage`` in ``schema``: the ``features_cols`` when set and present (a
    model trained on them also predicts from the vector column, as xgboost.spark's does; a fit
    needs them all), else ``featuresCol``; a named error for a missing or non-numeric column."""
    label = stage._label()
    cols = list(stage.getOrDefault("features_cols") or [])
    if cols and fitting:
        missing = next((c for c in cols if c not in schema.names), None)
        if missing is not None:
            raise _missing_column(schema, missing, label)
    if cols and all(c in schema.names for c in cols):
        for c in cols:
            if not isinstance(schema[c].dataType, T.NumericType):
                raise TypeError(f"{label}: feature column `{c}` must be numeric, but it is "
                                f"{schema[c].dataType.simpleString()}")
        return FeatureSpec("columns", tuple(cols))
    name = stage.getOrDefault("featuresCol")
    if name not in schema.names:
        missing = next((c for c in cols if c not in schema.names), None)
        raise _missing_column(schema, missing or name, label)
    dt = schema[name].dataType
    sparse = bool(stage.getOrDefault("enable_sparse_data_optim"))
    if isinstance(dt, VectorUDT):
        return FeatureSpec("vector", (name,), sparse)
    if isinstance(dt, T.ArrayType) and isinstance(dt.elementType, T.NumericType):
        if sparse:
            raise ValueError(f"{label}: enable_sparse_data_optim needs a vector column, but "
                             f"`{name}` is {dt.simpleString()}")
        return FeatureSpec("array", (name,))
    raise TypeError(f"{label}: features column `{name}` must be a vector or an array of "
                    f"numbers, but it is {dt.simpleString()}")


def _arrow(x: Any) -> Any:
    if isinstance(x, pd.Series):
        from ..sql._engine import arrow_of
        return arrow_of(x)
    return x


def feature_matrix(spec: FeatureSpec, arrays: list[Any], d: int | None = None) -> np.ndarray:
    """The rows' features as a dense float32 (n, d) matrix; a null (vector or value) and a
    sparse vector's absent entry with ``sparse_missing`` become NaN, which xgboost reads as
    missing. Null vector rows must have been removed by the caller."""
    if spec.kind == "columns":
        cols = []
        for a in arrays:
            a = _arrow(a)
            cols.append(np.asarray(pa.compute.cast(a, pa.float64()).to_numpy(
                zero_copy_only=False), dtype=np.float64))
        X = np.column_stack(cols) if cols else np.zeros((0, 0))
        return X.astype(np.float32)
    a = _arrow(arrays[0])
    if spec.kind == "array":
        a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        if len(a) == 0:
            return np.zeros((0, d or 0), np.float32)
        lens = pa.compute.list_value_length(a).to_numpy(zero_copy_only=False)
        width = d if d is not None else int(lens.max())
        if np.any(lens != width):
            raise SparkException(f"feature arrays must all hold {width} values; found a row "
                                 f"with {int(lens[lens != width][0])}")
        flat = pa.compute.cast(a.flatten(), pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(flat, np.float64).reshape(len(a), width).astype(np.float32)
    X = to_matrix(as_struct_array(a))
    if hasattr(X, "toarray"):
        if spec.sparse_missing:
            dense = np.full(X.shape, np.nan)
            coo = X.tocoo()
            dense[coo.row, coo.col] = coo.data
            X = dense
        else:
            X = X.toarray()
    X = np.asarray(X)
    if d is not None and X.shape[1] < d:
        pad = np.nan if spec.sparse_missing else 0.0
        X = np.hstack([X, np.full((X.shape[0], d - X.shape[1]), pad)])
    return X.astype(np.float32)


# ---------------------------------------------------------------- blocks
@dataclass
class XBlock:
    """One partition's training rows."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    valid: np.ndarray | None
    qid: np.ndarray | None
    margin: np.ndarray | None

    @property
    def n(self) -> int:
        return len(self.y)


def _numbers(part: pd.DataFrame, col: str, what: str, stage: str) -> np.ndarray:
    v = pd.to_numeric(part[col]).to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(v).any():
        raise SparkException(f"{stage}: {what} column `{col}` holds null or NaN values")
    return v


class _BuildBlock:
    """Per-partition builder of an XBlock (picklable: it runs on the workers)."""

    __name__ = "xgboost_block"

    def __init__(self, spec: FeatureSpec, cols: dict, stage: str):
        self.spec, self.cols, self.stage = spec, cols, stage

    def __call__(self, part: pd.DataFrame) -> XBlock:
        c, stage = self.cols, self.stage
        if self.spec.kind != "columns":
            arr = as_struct_array(part[self.spec.columns[0]]) if self.spec.kind == "vector" \
                else _arrow(part[self.spec.columns[0]])
            if arr.null_count:
                raise SparkException(f"{stage}: features column `{self.spec.columns[0]}` holds "
                                     f"a null; drop or impute those rows before fitting")
        X = feature_matrix(self.spec, [part[n] for n in self.spec.columns])
        y = _numbers(part, c["label"], "label", stage)
        w = _numbers(part, c["weight"], "weight", stage) if c.get("weight") else None
        if w is not None and (w < 0).any():
            raise SparkException(f"{stage}: weight column `{c['weight']}` holds a negative "
                                 f"value")
        valid = None
        if c.get("valid"):
            flags = part[c["valid"]]
            if flags.isna().any():
                raise SparkException(f"{stage}: validation column `{c['valid']}` holds nulls")
            valid = flags.to_numpy(dtype=bool)
        margin = _numbers(part, c["margin"], "base margin", stage) if c.get("margin") else None
        qid = None
        if c.get("qid"):
            qid = _numbers(part, c["qid"], "query id", stage).astype(np.int64)
            order = np.argsort(qid, kind="stable")  # xgboost wants each query's rows together
            X, y, qid = X[order], y[order], qid[order]
            w = w[order] if w is not None else None
            valid = valid[order] if valid is not None else None
            margin = margin[order] if margin is not None else None
        return XBlock(X, y, w, valid, qid, margin)


def build_blocks(dataset: Any, spec: FeatureSpec, cols: dict, stage: str) -> Any:
    """The input's partitions as XBlocks on the workers (one counted graph); ``cols`` names
    the label, weight, valid, qid and margin columns (None when unused)."""
    from dask import delayed
    from ..ml.optim import TrainingBlocks
    from ..sql import _engine
    session = _engine.session_of(dataset)
    read = list(dict.fromkeys(list(spec.columns) + [v for v in cols.values() if v]))
    build = delayed(_BuildBlock(spec, cols, stage), pure=True)
    futures = _engine.submit(session, [build(p) for p in _engine.partitions(dataset, read)])
    return TrainingBlocks(dataset, spec.columns[0], cols["label"], cols.get("weight"), stage,
                          futures=futures)


def _facts(block: XBlock) -> tuple[int, int, np.ndarray]:
    """(rows, features, distinct labels up to 1001 of them) of one block."""
    labels = np.unique(block.y)
    return block.n, block.X.shape[1], labels[:1001]


def block_facts(blocks: Any) -> tuple[list[int], int, np.ndarray]:
    """Rows per block, feature count and the distinct labels; only these come back."""
    facts = blocks.map(_facts)
    sizes = [f[0] for f in facts]
    d = max((f[1] for f in facts if f[0]), default=0)
    labels = np.unique(np.concatenate([f[2] for f in facts])) if facts else np.zeros(0)
    return sizes, d, labels


# ---------------------------------------------------------------- training
class _Part:
    """One field of a block (rows picked by a validation side), as a dask array chunk."""

    __name__ = "xgboost_part"

    def __init__(self, field: str, side: bool | None, d: int):
        self.field, self.side, self.d = field, side, d

    def __call__(self, block: XBlock) -> np.ndarray:
        v = getattr(block, self.field)
        if self.field == "X" and v.shape[1] < self.d:
            v = np.hstack([v, np.zeros((v.shape[0], self.d - v.shape[1]), np.float32)])
        if self.side is not None:
            v = v[np.asarray(block.valid) == self.side]
        return v


def _arrays(futures: list, sizes: list[int], d: int, fields: list[str],
            side: bool | None) -> dict:
    import dask.array as da
    from dask import delayed
    out: dict[str, Any] = {}
    for f in fields:
        chunks = []
        for fut, n in zip(futures, sizes):
            if n == 0:
                continue
            shape = (np.nan, d) if f == "X" else (np.nan,)
            dtype = np.float32 if f == "X" else (np.int64 if f == "qid" else np.float64)
            chunks.append(da.from_delayed(delayed(_Part(f, side, d))(fut), shape, dtype))
        out[f] = da.concatenate(chunks, allow_unknown_chunksizes=True)
    return out


def _matrix(client: Any, arrays: dict, dm: dict, qdm: bool, ref: Any = None) -> Any:
    from xgboost import dask as dxgb
    kw = dict(label=arrays["y"], weight=arrays.get("w"), base_margin=arrays.get("margin"),
              qid=arrays.get("qid"), **dm)
    if qdm:
        return dxgb.DaskQuantileDMatrix(client, arrays["X"], ref=ref, **kw)
    return dxgb.DaskDMatrix(client, arrays["X"], **kw)


def train(blocks: Any, sizes: list[int], d: int, params: dict, rounds: int, dmatrix: dict,
          fields: dict, validation: bool, call: dict) -> tuple[bytes, dict]:
    """Train with xgboost.dask from the blocks; the booster as JSON bytes (xgboost's own
    format) and the evaluation history (``training`` and ``validation``, as xgboost.spark's
    summary holds). ``fields`` says which optional block fields exist (w, qid, margin);
    ``dmatrix`` holds the DMatrix keywords (missing, feature_types...); ``call`` the training
    call's (early_stopping_rounds, callbacks, xgb_model)."""
    from xgboost import dask as dxgb
    client = blocks._client
    names = ["X", "y"] + [f for f in ("w", "qid", "margin") if fields.get(f)]
    tm = params.get("tree_method")
    qdm = tm in (None, "auto", "hist", "gpu_hist") and params.get("booster") != "gblinear"
    if qdm and params.get("max_bin") is not None:
        dmatrix = dict(dmatrix, max_bin=params["max_bin"])
    if validation:
        train_arrays = _arrays(blocks.futures, sizes, d, names, False)
        valid_arrays = _arrays(blocks.futures, sizes, d, names, True)
    else:
        train_arrays = _arrays(blocks.futures, sizes, d, names, None)
    dtrain = _matrix(client, train_arrays, dmatrix, qdm)
    evals = [(dtrain, "training")]
    if validation:
        evals.append((_matrix(client, valid_arrays, dmatrix, qdm, ref=dtrain if qdm else None),
                      "validation"))
    out = dxgb.train(client, params, dtrain, num_boost_round=rounds, evals=evals,
                     verbose_eval=False, **call)
    booster = out["booster"]
    return bytes(booster.save_raw(raw_format="json")), dict(out.get("history") or {})
