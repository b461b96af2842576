"""Scalers and their models: StandardScaler (others join this module)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql import types as T
from ..base import Aggregation, Estimator, Model, partition_column, require_absent, require_column
from ..linalg import DenseVector, VectorUDT, csr_to_arrow, dense_to_arrow, to_matrix, vectors_to_arrow
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasOutputCol

__all__ = ["StandardScaler", "StandardScalerModel", "moments_aggregation"]


def _chunk_matrix(part: Any, col: str) -> Any:
    from ...sql.functions._common import arrow_of
    arr = arrow_of(part[col])
    arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if arr.null_count:
        arr = arr.filter(arr.is_valid())
    return to_matrix(arr) if len(arr) else None


def _moments_chunk(col: str) -> Any:
    def chunk(part: Any) -> Any:
        m = _chunk_matrix(part, col)
        if m is None:
            return None
        n = m.shape[0]
        if sp.issparse(m):
            s = np.asarray(m.sum(axis=0)).reshape(-1)
            sq = np.asarray(m.multiply(m).sum(axis=0)).reshape(-1)
            mean = s / n
            m2 = np.maximum(sq - s * mean, 0.0)
            nnz = np.diff(m.tocsc().indptr)
            mx = np.asarray(m.max(axis=0).toarray()).reshape(-1)
            mn = np.asarray(m.min(axis=0).toarray()).reshape(-1)
            absmax = np.asarray(abs(m).max(axis=0).toarray()).reshape(-1)
        else:
            mean = m.mean(axis=0)
            m2 = ((m - mean) ** 2).sum(axis=0)
            nnz = np.count_nonzero(m, axis=0)
            mx, mn, absmax = m.max(axis=0), m.min(axis=0), np.abs(m).max(axis=0)
        return {"n": n, "mean": mean, "m2": m2, "nnz": nnz, "max": mx, "min": mn, "absmax": absmax}
    return chunk


def _moments_combine(parts: list[Any]) -> Any:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    acc = dict(parts[0])
    for p in parts[1:]:
        n = acc["n"] + p["n"]
        delta = p["mean"] - acc["mean"]
        mean = acc["mean"] + delta * (p["n"] / n)
        m2 = acc["m2"] + p["m2"] + delta ** 2 * (acc["n"] * p["n"] / n)
        acc = {"n": n, "mean": mean, "m2": m2, "nnz": acc["nnz"] + p["nnz"],
               "max": np.maximum(acc["max"], p["max"]), "min": np.minimum(acc["min"], p["min"]),
               "absmax": np.maximum(acc["absmax"], p["absmax"])}
    return acc


def moments_aggregation(col: str) -> Aggregation:
    """Count, mean, M2 (for the sample variance), nonzeros, max, min, max |x| of a vector column
    in one pass (Chan's pairwise update keeps the variance accurate across partitions)."""
    return Aggregation([col], _moments_chunk(col), _moments_combine, label=f"moments({col})")


class _ScaleKernel:
    def __init__(self, mean: np.ndarray, scale: np.ndarray, center: bool, keep_sparse: bool):
        self.mean, self.scale, self.center, self.keep_sparse = mean, scale, center, keep_sparse

    def __call__(self, a: pa.ChunkedArray) -> pa.Array:
        arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        if len(arr) == 0:
            return pa.array([], type=VectorUDT.arrowType())
        null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
        good = arr.filter(pa.array(~null)) if null.any() else arr
        m = to_matrix(good)
        if sp.issparse(m) and not self.center and self.keep_sparse:
            out = sp.csr_matrix(m.multiply(self.scale.reshape(1, -1)))
            res = csr_to_arrow(out)
        else:
            d = m.toarray() if sp.issparse(m) else m
            if self.center:
                d = d - self.mean
            res = dense_to_arrow(d * self.scale)
        if null.any():
            order = np.full(len(arr), -1, dtype=np.int64)
            order[~null] = np.arange(len(good))
            res = res.take(pa.array(order, mask=null))
        return res


class StandardScaler(Estimator, HasInputCol, HasOutputCol):
    """Scales each feature to unit sample standard deviation (and, with ``withMean``, zero mean)."""

    withMean = Param(Params._dummy(), "withMean", "center the data at the mean before scaling",
                     TC.toBoolean)
    withStd = Param(Params._dummy(), "withStd", "scale the data to unit standard deviation",
                    TC.toBoolean)

    @keyword_only
    def __init__(self, *, withMean: bool = False, withStd: bool = True,
                 inputCol: str | None = None, outputCol: str | None = None):
        super().__init__()
        self._setDefault(withMean=False, withStd=True)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, withMean: bool = False, withStd: bool = True,
                  inputCol: str | None = None, outputCol: str | None = None) -> "StandardScaler":
        return self._set(**self._input_kwargs)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        require_column(schema, self.getInputCol(), (VectorUDT,), self, "a vector")
        require_absent(schema, self.getOutputCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getOutputCol(), VectorUDT(), True)])

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [moments_aggregation(self.getInputCol())]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "StandardScalerModel":
        mom = results[0]
        if mom is None:
            raise ValueError(f"StandardScaler ({self.uid}): the input has no rows to fit on")
        n = mom["n"]
        var = mom["m2"] / (n - 1) if n > 1 else np.zeros_like(mom["m2"])
        model = StandardScalerModel(DenseVector(np.sqrt(var)), DenseVector(mom["mean"]))
        return self._copyValues(model)


class StandardScalerModel(Model, HasInputCol, HasOutputCol):
    """Fitted StandardScaler: ``std`` and ``mean`` per feature."""

    withMean = StandardScaler.withMean
    withStd = StandardScaler.withStd

    def __init__(self, std: DenseVector | None = None, mean: DenseVector | None = None):
        super().__init__()
        self._setDefault(withMean=False, withStd=True)
        self.std, self.mean = std, mean

    def _init_loaded(self) -> None:
        self.std = self.mean = None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return StandardScaler.transformSchema(self, schema)  # type: ignore[arg-type]

    def _transform(self, dataset: Any) -> Any:
        std = self.std.toArray()
        scale = np.where(std != 0, 1.0 / np.where(std != 0, std, 1.0), 0.0) \
            if self.getWithStd() else np.ones_like(std)
        kernel = _ScaleKernel(self.mean.toArray(), scale, self.getWithMean(), True)
        column = partition_column("StandardScalerModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column)

    def _save_data(self) -> pa.Table:
        return pa.table({"std": vectors_to_arrow([self.std]), "mean": vectors_to_arrow([self.mean])})

    def _load_data(self, table: pa.Table) -> None:
        udt = VectorUDT()
        self.std = udt.deserialize(table.column("std")[0].as_py())
        self.mean = udt.deserialize(table.column("mean")[0].as_py())
