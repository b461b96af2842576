"""The silhouette of a clustering (ClusteringEvaluator's metric), computed as Spark computes it.

The exact silhouette needs every pairwise distance. Spark instead averages a row's distance to
a cluster from a few sums per cluster, which is exact for the squared euclidean distance and
for the cosine distance (both are linear in the other point once expanded):

- squaredEuclidean: a row ``x`` (weight ``w``) is on average
  ``|x|^2 + P_c / N_c - 2 x . Y_c / N_c`` from cluster ``c``, where ``Y_c`` is the weighted sum of
  the cluster's rows, ``P_c`` the weighted sum of their squared norms and ``N_c`` their weight;
- cosine: ``1 - u . U_c / N_c`` with ``u`` the row scaled to unit length and ``U_c`` the weighted
  sum of the cluster's unit rows.

The row's own cluster average includes the row itself (at distance 0), so it is scaled by
``N / (N - w)``; a row alone in its cluster (``N == w``) scores 0. With ``a`` that own-cluster
average and ``b`` the smallest average over the other clusters, the row scores ``1 - a/b`` when
``a < b``, ``b/a - 1`` when ``a > b`` and 0 when equal; the metric is the weighted mean of the
scores. Two passes: one for the per-cluster sums, one for the scores, each a single graph.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from ..sql import _engine
from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._kmeans import features_matrix, row_weights, unit_rows
from .base import Aggregation, require_column, run_aggregations
from .linalg import VectorUDT

__all__ = ["silhouette", "silhouette_columns"]

_STAGE = "ClusteringEvaluator"


def _rows(part: pd.DataFrame, feats: str, pred: str, weight: str | None,
          cosine: bool) -> tuple[Any, np.ndarray, np.ndarray]:
    """(features matrix, cluster ids, weights) of a partition, rows of weight 0 dropped."""
    X = features_matrix(part[feats], feats, _STAGE)
    arr = _engine.arrow_array(part[pred])
    if arr.null_count:
        raise SparkException(f"{_STAGE}: prediction column `{pred}` holds a null value")
    ids = np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    w = row_weights(part[weight]) if weight else np.ones(len(ids))
    keep = w != 0
    if not keep.all():
        X, ids, w = X[keep], ids[keep], w[keep]
    if cosine and X.shape[0]:
        X = unit_rows(X, feats, _STAGE)
    return X, ids, w


def _sq_norms(X: Any) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).reshape(-1)
    return np.einsum("ij,ij->i", X, X)


def _merge_stats(parts: list) -> dict | None:
    """Per-cluster sums of several partitions added up, by cluster id."""
    parts = [p for p in parts if p]
    if not parts:
        return None
    out: dict = {}
    for p in parts:
        for c, (ys, ps, ns) in p.items():
            if c in out:
                y0, p0, n0 = out[c]
                if len(y0) != len(ys):
                    raise SparkException(f"{_STAGE}: the features hold vectors of sizes "
                                         f"{len(y0)} and {len(ys)}")
                out[c] = (y0 + ys, p0 + ps, n0 + ns)
            else:
                out[c] = (ys, ps, ns)
    return out


class _ClusterStats:
    """Pass 1, per partition: each cluster's weighted row sum, weighted squared-norm sum and
    weight."""

    def __init__(self, feats: str, pred: str, weight: str | None, cosine: bool):
        self.args = (feats, pred, weight, cosine)

    def __call__(self, part: pd.DataFrame) -> dict | None:
        X, ids, w = _rows(part, *self.args)
        if not len(ids):
            return None
        sq = _sq_norms(X)
        out = {}
        for c in np.unique(ids):
            m = ids == c
            ys = w[m] @ X[m] if not sp.issparse(X) else np.asarray(X[m].T @ w[m]).reshape(-1)
            out[float(c)] = (np.asarray(ys, dtype=np.float64), float(w[m] @ sq[m]),
                             float(w[m].sum()))
        return out


class _Scores:
    """Pass 2, per partition: (sum of weight * silhouette, sum of weight)."""

    def __init__(self, stats: dict, feats: str, pred: str, weight: str | None, cosine: bool):
        self.ids = np.array(sorted(stats))
        self.Y = np.vstack([stats[c][0] for c in self.ids])
        self.P = np.array([stats[c][1] for c in self.ids])
        self.N = np.array([stats[c][2] for c in self.ids])
        self.cosine, self.args = cosine, (feats, pred, weight, cosine)

    def __call__(self, part: pd.DataFrame) -> tuple | None:
        X, ids, w = _rows(part, *self.args)
        if not len(ids):
            return None
        if X.shape[1] != self.Y.shape[1]:
            raise SparkException(f"{_STAGE}: the features hold vectors of sizes "
                                 f"{X.shape[1]} and {self.Y.shape[1]}")
        dots = np.asarray(X @ self.Y.T) / self.N
        D = 1.0 - dots if self.cosine else _sq_norms(X)[:, None] + self.P / self.N - 2.0 * dots
        own = np.searchsorted(self.ids, ids)
        rows = np.arange(len(ids))
        n_own = self.N[own]
        alone = n_own == w
        with np.errstate(divide="ignore", invalid="ignore"):
            a = D[rows, own] * n_own / (n_own - w)
            others = D.copy()
            others[rows, own] = np.inf
            b = others.min(axis=1)
            s = np.where(a < b, 1.0 - a / b, np.where(a > b, b / a - 1.0, 0.0))
        s = np.where(alone, 0.0, s)
        return float(w @ s), float(w.sum())


def _sum_pairs(parts: list) -> tuple | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return math.fsum(p[0] for p in parts), math.fsum(p[1] for p in parts)


def silhouette_columns(stage: Any, schema: T.StructType) -> tuple[str, str, str | None]:
    """(features, prediction, weight) columns of a ClusteringEvaluator, checked with Spark's
    messages: features a vector or array of numbers, prediction numeric."""
    feats, pred = stage.getFeaturesCol(), stage.getPredictionCol()
    dt = require_column(schema, feats, (), stage, "a vector")
    if not (isinstance(dt, VectorUDT) or (isinstance(dt, T.ArrayType) and isinstance(
            dt.elementType, (T.DoubleType, T.FloatType)))):
        raise IllegalArgumentException(
            f"requirement failed: Column {feats} must be of type equal to one of the "
            f"following types: [struct<type:tinyint,size:int,indices:array<int>,values:"
            f"array<double>>, array<double>, array<float>] but was actually of type "
            f"{dt.simpleString()}.")
    pt = require_column(schema, pred, (), stage, "numeric")
    if not isinstance(pt, T.NumericType):
        raise IllegalArgumentException(
            f"requirement failed: Column {pred} must be of type numeric but was actually "
            f"of type {pt.simpleString()}.")
    return feats, pred, stage._weight_col(schema)


def silhouette(dataset: Any, feats: str, pred: str, weight: str | None, cosine: bool) -> float:
    """The weighted mean silhouette (see the module docstring): two passes over ``dataset``."""
    cols = list(dict.fromkeys([feats, pred] + ([weight] if weight else [])))
    stats = run_aggregations(dataset, [Aggregation(
        cols, _ClusterStats(feats, pred, weight, cosine), _merge_stats,
        label=f"cluster sums({pred}, {feats})")])[0]
    if not stats or len(stats) < 2:
        raise IllegalArgumentException("requirement failed: Number of clusters must be "
                                       "greater than one.")
    total = run_aggregations(dataset, [Aggregation(
        cols, _Scores(stats, feats, pred, weight, cosine), _sum_pairs,
        label=f"silhouette({pred}, {feats})")])[0]
    return total[0] / total[1]
