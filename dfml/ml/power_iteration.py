"""PowerIterationClustering (``pyspark.ml.clustering``): Lin and Cohen's power iteration
clustering of a graph given as weighted edges.

As in Spark: every edge ``(src, dst, w)`` with ``src != dst`` counts in both directions (so
the input lists each pair once), similarities must be >= 0, the affinity matrix is
row-normalized by the vertices' degrees, and a start vector (random, or the degrees) is
multiplied by it up to ``maxIter`` times, scaled to unit L1 norm each time, stopping early
once the change between steps stops changing (by less than ``max(1e-5 / n, 1e-8)``). The
vertices are then clustered by k-means on their one value each. Labels are cluster numbers, so
they match Spark's up to a permutation.

The edges are read in one pass and the iteration runs on the client over a sparse matrix
(one float64 per vertex and 12 bytes per edge direction): graphs of tens of millions of edges
fit; a graph larger than the client's memory does not.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._kmeans import local_kmeans
from ._linear import check_ranges
from .base import Persistable, require_column
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import HasMaxIter, HasWeightCol

__all__ = ["PowerIterationClustering"]


class PowerIterationClustering(HasMaxIter, HasWeightCol, Persistable):
    """Clusters the vertices of a similarity graph (``assignClusters`` -> ``id, cluster``)."""

    k = Param(Params._dummy(), "k", "The number of clusters to create. Must be > 1.",
              TC.toInt)
    initMode = Param(Params._dummy(), "initMode",
                     "The initialization algorithm: 'random' or 'degree'.", TC.toString)
    srcCol = Param(Params._dummy(), "srcCol", "Name of the input column for source vertex IDs.",
                   TC.toString)
    dstCol = Param(Params._dummy(), "dstCol",
                   "Name of the input column for destination vertex IDs.", TC.toString)

    @keyword_only
    def __init__(self, *, k: int = 2, maxIter: int = 20, initMode: str = "random",
                 srcCol: str = "src", dstCol: str = "dst", weightCol: str | None = None):
        super().__init__()
        self._setDefault(k=2, maxIter=20, initMode="random", srcCol="src", dstCol="dst")
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, k: int = 2, maxIter: int = 20, initMode: str = "random",
                  srcCol: str = "src", dstCol: str = "dst",
                  weightCol: str | None = None) -> "PowerIterationClustering":
        return self._set(**self._input_kwargs)

    def getK(self) -> int:
        return self.getOrDefault("k")

    def getInitMode(self) -> str:
        return self.getOrDefault("initMode")

    def getSrcCol(self) -> str:
        return self.getOrDefault("srcCol")

    def getDstCol(self) -> str:
        return self.getOrDefault("dstCol")

    def setK(self, value: int) -> "PowerIterationClustering":
        return self._set(k=value)

    def setInitMode(self, value: str) -> "PowerIterationClustering":
        return self._set(initMode=value)

    def setSrcCol(self, value: str) -> "PowerIterationClustering":
        return self._set(srcCol=value)

    def setDstCol(self, value: str) -> "PowerIterationClustering":
        return self._set(dstCol=value)

    _RANGES = [("k", lambda v: v > 1, "> 1"), ("maxIter", lambda v: v > 0, "> 0"),
               ("initMode", lambda v: v in ("random", "degree"), "'random' or 'degree'")]

    def _weight(self) -> str | None:
        return (self.getOrDefault("weightCol") or None) if self.isDefined("weightCol") else None

    def assignClusters(self, dataset: Any) -> Any:
        """A DataFrame of ``id`` (long) and ``cluster`` (int), one row per vertex."""
        check_ranges(self, self._RANGES)
        schema = dataset.schema
        for c in (self.getSrcCol(), self.getDstCol()):
            require_column(schema, c, (T.IntegerType, T.LongType, T.ShortType, T.ByteType),
                           self, "an integer (int or long) vertex id")
        cols = [self.getSrcCol(), self.getDstCol()]
        if self._weight():
            require_column(schema, self._weight(), (T.NumericType,), self, "numeric")
            cols.append(self._weight())
        edges = dataset.select(*cols).toPandas()
        ids, labels = self._cluster(edges)
        out = T.StructType([T.StructField("id", T.LongType(), False),
                            T.StructField("cluster", T.IntegerType(), False)])
        return dataset.sparkSession.createDataFrame(
            list(zip(ids.tolist(), labels.tolist())), out)

    def _cluster(self, edges: Any) -> tuple[np.ndarray, np.ndarray]:
        name = f"PowerIterationClustering ({self.uid})"
        src_col, dst_col = self.getSrcCol(), self.getDstCol()
        if edges[src_col].isna().any() or edges[dst_col].isna().any():
            raise SparkException(f"{name}: columns `{src_col}` and `{dst_col}` must not hold "
                                 f"null vertex ids")
        src = edges[src_col].to_numpy(dtype=np.int64)
        dst = edges[dst_col].to_numpy(dtype=np.int64)
        w = edges[self._weight()].to_numpy(dtype=np.float64, na_value=np.nan) \
            if self._weight() else np.ones(len(src))
        bad = np.flatnonzero(~(w >= 0))
        if len(bad):
            i = int(bad[0])
            raise SparkException(f"{name}: Similarity must be nonnegative but found "
                                 f"s({int(src[i])}, {int(dst[i])}) = {float(w[i])!r}.")
        keep = src != dst
        ids, inv = np.unique(np.concatenate([src[keep], dst[keep]]), return_inverse=True)
        n, m = len(ids), int(keep.sum())
        if n == 0:
            raise SparkException(f"{name}: the graph has no edges between distinct vertices")
        rows, cols = inv[:m], inv[m:]
        A = sp.csr_matrix((np.concatenate([w[keep], w[keep]]),
                           (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
                          shape=(n, n))
        degree = np.asarray(A.sum(axis=1)).reshape(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            W = sp.diags(1.0 / degree) @ A
        rng = np.random.default_rng(0)  # Spark's PIC has no seed param either: fixed starts
        v = degree.copy() if self.getInitMode() == "degree" else rng.random(n)
        v = v / np.abs(v).sum()
        tol = max(1e-5 / n, 1e-8)
        prev_delta = np.inf
        for _ in range(self.getMaxIter()):
            nv = W @ v
            nv = nv / np.abs(nv).sum()
            delta = float(np.abs(nv - v).sum())
            v = nv
            if abs(delta - prev_delta) < tol:
                break
            prev_delta = delta
        pts = v.reshape(-1, 1)
        values, counts = np.unique(pts, axis=0, return_counts=True)
        k = min(self.getK(), len(values))
        if k < 2:
            return ids, np.zeros(n, dtype=np.int32)
        C = local_kmeans(values, counts.astype(np.float64), k, np.random.default_rng(0), False,
                         max_iter=100, greedy=False)
        labels = np.argmin(np.abs(pts - C.reshape(1, -1)), axis=1).astype(np.int32)
        return ids, labels
