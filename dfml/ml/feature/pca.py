"""PCA: principal components of a vector column.

The fit is one ``Aggregation`` (so a Pipeline fuses it with other fits of its pass): each
partition gives its row count, column means and centred cross-product matrix (the Gram matrix
X^T X less n * mean mean^T), partials merge pairwise with Chan's update (as exact as centring
the whole data set once, unlike a raw sum of Gram matrices), and ``finish`` divides by n - 1 to
get the covariance, whose SVD gives the components, as Spark's ``RowMatrix`` does. The
transform is a per-partition matrix product (no centring, as in Spark).

Signs: a component and its negative are equally valid. Spark takes its signs from the LAPACK
routine it happens to run (its pure-Java fallback unless a native LAPACK is installed); dfml
takes numpy's, so some components may come out negated relative to Spark's, with the
transformed values negated alike. Magnitudes and ``explainedVariance`` agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql import types as T
from ...sql.errors import IllegalArgumentException
from ..base import column_counts, model_string
from .. import attributes
from ..base import Aggregation, Estimator, Model, partition_column
from ..stats import fold_partials
from ..linalg import DenseMatrix, DenseVector, VectorUDT, dense_to_arrow, vectors_to_arrow
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasOutputCol
from .scalers import partition_matrix, map_vector_rows, first_vector, vector_in_out_schema

__all__ = ["PCA", "PCAModel", "covariance_aggregation"]


def _cov_chunk(col: str) -> Any:
    def chunk(part: Any) -> Any:
        m = partition_matrix(part, col)
        if m is None:
            return None
        n = m.shape[0]
        if sp.issparse(m):
            total = np.asarray(m.sum(axis=0)).reshape(-1)
            mean = total / n
            gram = np.asarray((m.T @ m).todense())
            comoment = gram - np.outer(total, mean)
        else:
            centred = m - m.mean(axis=0)
            mean = m.mean(axis=0)
            comoment = centred.T @ centred
        return {"n": n, "mean": mean, "M": comoment}
    return chunk


def _cov_combine(col: str) -> Any:
    def merge(acc: dict, p: dict) -> dict:
        if len(p["mean"]) != len(acc["mean"]):
            raise ValueError(f"PCA: vectors of sizes {len(acc['mean'])} and {len(p['mean'])} "
                             f"in column `{col}`")
        n = acc["n"] + p["n"]
        delta = p["mean"] - acc["mean"]
        return {"n": n, "mean": acc["mean"] + delta * (p["n"] / n),
                "M": acc["M"] + p["M"] + np.outer(delta, delta) * (acc["n"] * p["n"] / n)}

    def combine(parts: list[Any]) -> Any:
        return fold_partials(parts, merge)
    return combine


def covariance_aggregation(col: str) -> Aggregation:
    """Count, mean and centred cross-product matrix of a vector column, in one pass."""
    return Aggregation([col], _cov_chunk(col), _cov_combine(col), label=f"covariance({col})")


class _PCAParams(HasInputCol, HasOutputCol):
    k = Param(Params._dummy(), "k", "number of principal components (at least 1)", TC.toInt)

    def _check_k(self) -> None:
        name = f"{type(self).__name__} ({self.uid})"
        if not self.isDefined("k"):
            raise IllegalArgumentException(f"{name}: set k, the number of components")
        if self.getK() < 1:
            raise IllegalArgumentException(f"{name}: k must be at least 1, got {self.getK()}")


class PCA(Estimator, _PCAParams):
    """Projects vectors onto their top ``k`` principal components (eigenvectors of the sample
    covariance, largest variance first). The data are not centred when projected, as in
    Spark. Needs at least two rows."""

    @keyword_only
    def __init__(self, *, k: int | None = None, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, k: int | None = None, inputCol: str | None = None,
                  outputCol: str | None = None) -> "PCA":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_k()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        self._check_k()
        return vector_in_out_schema(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [covariance_aggregation(self.getInputCol())]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "PCAModel":
        acc, name, k = results[0], f"PCA ({self.uid})", self.getK()
        n = 0 if acc is None else acc["n"]
        if n < 2:
            raise IllegalArgumentException(f"{name}: the covariance needs at least 2 rows, the "
                                           f"input has {n}")
        d = len(acc["mean"])
        if k > d:
            raise IllegalArgumentException(f"{name}: k = {k} is more than the {d} features of "
                                           f"column `{self.getInputCol()}`")
        cov = acc["M"] / (n - 1)
        u, s, _ = np.linalg.svd(cov)
        explained = s / s.sum()
        pc = DenseMatrix(d, k, u[:, :k].reshape(-1, order="F"), 0)  # 0: as PySpark shows it
        return self._copyValues(PCAModel(pc, DenseVector(explained[:k])))


class _ProjectKernel:
    def __init__(self, pc: np.ndarray):
        self.pc = pc

    def __call__(self, a: Any) -> pa.Array:
        return map_vector_rows(a, self._rows)

    def _rows(self, m: Any, sparse_rows: np.ndarray) -> pa.Array:
        if m.shape[1] != self.pc.shape[0]:
            from ...sql.errors import SparkException
            raise SparkException(f"PCAModel: vectors of size {m.shape[1]}, but the model has "
                                 f"{self.pc.shape[0]} features")
        return dense_to_arrow(np.asarray(m @ self.pc))


class PCAModel(Model, _PCAParams):
    """Fitted PCA: ``pc`` (features x k matrix, one component per column) and
    ``explainedVariance`` (the share of the total variance of each component)."""

    def __repr__(self) -> str:
        return model_string(self, [("k", self.getOrDefault("k"))])

    def __init__(self, pc: DenseMatrix | None = None, explainedVariance: DenseVector | None = None):
        super().__init__()
        self.pc, self.explainedVariance = pc, explainedVariance

    def _init_loaded(self) -> None:
        self.pc = self.explainedVariance = None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _transform(self, dataset: Any) -> Any:
        kernel = _ProjectKernel(self.pc.toArray())
        column = partition_column("PCAModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(self.pc.numCols)))

    def _save_data(self) -> pa.Table:
        pc = self.pc
        return pa.table({
            "pc": pa.array([{"numRows": pc.numRows, "numCols": pc.numCols,
                             "values": pc.toArray().reshape(-1, order="F").tolist()}],
                           pa.struct([("numRows", pa.int32()), ("numCols", pa.int32()),
                                      ("values", pa.list_(pa.float64()))])),
            "explainedVariance": vectors_to_arrow([self.explainedVariance])})

    def _load_data(self, table: pa.Table) -> None:
        pc = table.column("pc")[0].as_py()
        self.pc = DenseMatrix(pc["numRows"], pc["numCols"], pc["values"], 0)
        self.explainedVariance = first_vector(table, "explainedVariance")
