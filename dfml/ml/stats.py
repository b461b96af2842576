"""The statistics that fits share: mergeable moments and approximate-quantile sketches.

A fit runs as a tree reduction (``dfml.ml.base.Aggregation``): a partial per partition, merged
pairwise, finished once. The partials here are plain numpy values with an associative merge,
so scalers, the imputer, the discretizer, PCA, evaluators and the linear models compute the same
statistic the same way.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["fold_partials", "chan_merge", "matrix_moments", "moments_merge", "sparse_extremes",
           "weighted_moments", "weighted_moments_merge", "comoments", "comoments_merge",
           "sketch_capacity", "sketch_of", "sketch_merge", "sketch_query", "feature_sketches"]


def fold_partials(parts: Sequence[Any], merge: Callable[[Any, Any], Any]) -> Any:
    """The non-None partials of a combine merged left to right (None when there are none)."""
    acc = None
    for p in parts:
        if p is not None:
            acc = p if acc is None else merge(acc, p)
    return acc


def chan_merge(w_a: Any, mean_a: Any, m2_a: Any, w_b: Any, mean_b: Any,
               m2_b: Any) -> tuple[Any, Any, Any]:
    """(weight, mean, M2) of two groups from theirs (Chan et al.'s pairwise update: accurate
    whatever the means, unlike a difference of sums of squares). Works on arrays too."""
    w = w_a + w_b
    delta = mean_b - mean_a
    return w, mean_a + delta * (w_b / w), m2_a + m2_b + delta * delta * (w_a * w_b / w)


# -- moments of a matrix's columns --------------------------------------------------------------

def sparse_extremes(csc: Any, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-feature max, min, max |x| of a CSC matrix of ``n`` rows, implicit zeros included,
    NaNs ignored (a feature whose every value is NaN gets NaN). One segmented reduction over
    the stored values; no copies of the matrix."""
    d = csc.shape[1]
    nnz = np.diff(csc.indptr)
    nan = np.isnan(csc.data)
    mx, mn = np.full(d, -np.inf), np.full(d, np.inf)
    stored = nnz > 0
    if stored.any():
        starts = csc.indptr[:-1][stored]
        mx[stored] = np.maximum.reduceat(np.where(nan, -np.inf, csc.data), starts)
        mn[stored] = np.minimum.reduceat(np.where(nan, np.inf, csc.data), starts)
    implicit = nnz < n
    mx[implicit] = np.maximum(mx[implicit], 0.0)
    mn[implicit] = np.minimum(mn[implicit], 0.0)
    mx[np.isneginf(mx)] = np.nan  # only explicit NaNs in a full column
    mn[np.isposinf(mn)] = np.nan
    return mx, mn, np.maximum(np.abs(mx), np.abs(mn))


def matrix_moments(m: Any) -> dict:
    """Count, mean, M2, nonzeros, max, min and max |x| per column of a dense or CSR matrix."""
    n = m.shape[0]
    if sp.issparse(m):
        csc = m.tocsc()
        d = m.shape[1]
        nnz = np.diff(csc.indptr)
        stored = nnz > 0
        starts = csc.indptr[:-1][stored]
        mean = np.zeros(d)
        m2 = np.zeros(d)
        if stored.any():  # segment sums over each feature's stored values
            mean[stored] = np.add.reduceat(csc.data, starts) / n
            # squared deviations of the stored values plus those of the implicit zeros
            # (no sum-of-squares difference: it cancels badly when the mean is large)
            m2[stored] = np.add.reduceat((csc.data - np.repeat(mean, nnz)) ** 2, starts)
        m2 += (n - nnz) * mean ** 2
        mx, mn, absmax = sparse_extremes(csc, n)
    else:
        mean = m.mean(axis=0)
        m2 = ((m - mean) ** 2).sum(axis=0)
        nnz = np.count_nonzero(m, axis=0)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN features stay NaN
            mx, mn = np.nanmax(m, axis=0), np.nanmin(m, axis=0)
        absmax = np.fmax(np.abs(mx), np.abs(mn))
    return {"n": n, "mean": mean, "m2": m2, "nnz": nnz, "max": mx, "min": mn, "absmax": absmax}


def moments_merge(a: dict, b: dict) -> dict:
    """Two partials of ``matrix_moments`` as one."""
    n, mean, m2 = chan_merge(a["n"], a["mean"], a["m2"], b["n"], b["mean"], b["m2"])
    return {"n": n, "mean": mean, "m2": m2, "nnz": a["nnz"] + b["nnz"],
            "max": np.fmax(a["max"], b["max"]), "min": np.fmin(a["min"], b["min"]),
            "absmax": np.fmax(a["absmax"], b["absmax"])}


def weighted_moments(m: Any, w: np.ndarray) -> dict | None:
    """Weighted moments per column of a dense or CSR matrix (rows of weight 0 left out, as
    Spark's summarizer leaves them): rows, weight sum, sum of squared weights, weighted mean and
    M2, nonzeros, max and min (NaNs skipped, implicit zeros counted), sum of w*|x| and w*x^2."""
    keep = w != 0
    if not keep.all():
        m, w = m[np.flatnonzero(keep)], w[keep]
    n = m.shape[0]
    if n == 0:
        return None
    W = float(w.sum())
    if sp.issparse(m):
        csc = sp.csc_matrix(m)
        wd = w[csc.indices]  # the weight of each stored value
        d = csc.shape[1]
        nnz = np.diff(csc.indptr)
        col = np.repeat(np.arange(d), nnz)
        sx = np.bincount(col, weights=wd * csc.data, minlength=d)
        mean = sx / W
        m2 = np.bincount(col, weights=wd * (csc.data - mean[col]) ** 2, minlength=d)
        m2 += (W - np.bincount(col, weights=wd, minlength=d)) * mean ** 2  # implicit zeros
        l1 = np.bincount(col, weights=wd * np.abs(csc.data), minlength=d)
        l2 = np.bincount(col, weights=wd * csc.data ** 2, minlength=d)
        nz = np.bincount(col, weights=(csc.data != 0).astype(float), minlength=d)
        mx, mn, _ = sparse_extremes(csc, n)
    else:
        mean = w @ m / W
        m2 = w @ (m - mean) ** 2
        l1, l2 = w @ np.abs(m), w @ (m * m)
        nz = np.count_nonzero(m, axis=0).astype(float)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN features stay NaN
            mx, mn = np.nanmax(m, axis=0), np.nanmin(m, axis=0)
    return {"n": n, "W": W, "W2": float((w * w).sum()), "mean": mean, "m2": m2, "nnz": nz,
            "max": mx, "min": mn, "l1": l1, "l2": l2}


def weighted_moments_merge(a: dict, b: dict) -> dict:
    """Two partials of ``weighted_moments`` as one (vectors of different sizes refused)."""
    if len(a["mean"]) != len(b["mean"]):
        raise ValueError(f"vectors of different sizes ({len(a['mean'])} and {len(b['mean'])})")
    W, mean, m2 = chan_merge(a["W"], a["mean"], a["m2"], b["W"], b["mean"], b["m2"])
    return {"n": a["n"] + b["n"], "W": W, "W2": a["W2"] + b["W2"], "mean": mean, "m2": m2,
            "nnz": a["nnz"] + b["nnz"], "max": np.fmax(a["max"], b["max"]),
            "min": np.fmin(a["min"], b["min"]), "l1": a["l1"] + b["l1"], "l2": a["l2"] + b["l2"]}


def comoments(m: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """(rows, column means, co-moment matrix sum((x - mean)(x - mean)^T)) of a matrix."""
    d = m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)
    mean = d.mean(axis=0)
    c = d - mean
    return d.shape[0], mean, c.T @ c


def comoments_merge(a: tuple, b: tuple) -> tuple[int, np.ndarray, np.ndarray]:
    """Two ``comoments`` partials as one (the pairwise update of Chan et al., matrix form)."""
    (na, ma, ca), (nb, mb, cb) = a, b
    if len(ma) != len(mb):
        raise ValueError(f"vectors of different sizes ({len(ma)} and {len(mb)})")
    n = na + nb
    delta = mb - ma
    return n, ma + delta * (nb / n), ca + cb + np.outer(delta, delta) * (na * nb / n)


# -- approximate quantiles -------------------------------------------------------------------
# A sketch is (values, weights, lo, hi): sorted representative values, how many input values
# each one stands for, and the exact min and max. Up to ``cap`` points nothing is merged, so a
# query is exact (the value of rank ceil(q * n), the rank Spark's summaries answer with when
# they are exact, as they are for n up to 1 / (2 * relativeError)). Past ``cap`` points a
# compression replaces each run of neighbours of total weight <= n / cap by the run's largest
# value: one compression moves a rank by at most n / cap = relativeError * n / 4, and a fit
# compresses once per partition plus once per level of the combine tree (8 partials a level),
# so up to 512 partitions the rank error stays within relativeError * n, Spark's own bound.

def sketch_capacity(relative_error: float) -> int | None:
    """Points a sketch keeps before compressing (None: exact, for relativeError 0)."""
    return None if relative_error <= 0 else max(int(math.ceil(4.0 / relative_error)), 16)


def _compress(sk: tuple, cap: int | None) -> tuple:
    v, w, lo, hi = sk
    if cap is None or len(v) <= cap:
        return sk
    c = np.cumsum(w)
    block = ((c - 1) * cap) // c[-1]
    ends = np.append(np.flatnonzero(block[1:] != block[:-1]), len(v) - 1)
    return v[ends], np.diff(c[ends], prepend=0), lo, hi


def sketch_of(sorted_values: np.ndarray, cap: int | None, weights: np.ndarray | None = None) -> Any:
    """A sketch of already sorted, NaN-free values (None when there are none)."""
    if len(sorted_values) == 0:
        return None
    w = np.ones(len(sorted_values), dtype=np.int64) if weights is None else weights
    return _compress((sorted_values, w, float(sorted_values[0]), float(sorted_values[-1])), cap)


def sketch_merge(sketches: list[Any], cap: int | None) -> Any:
    """One sketch of the union of several (None entries are empty sketches)."""
    sks = [s for s in sketches if s is not None]
    if len(sks) <= 1:
        return sks[0] if sks else None
    v = np.concatenate([s[0] for s in sks])
    w = np.concatenate([s[1] for s in sks])
    order = np.argsort(v, kind="stable")
    return _compress((v[order], w[order], min(s[2] for s in sks), max(s[3] for s in sks)), cap)


def sketch_query(sk: Any, q: float, relative_error: float) -> float:
    """The ``q`` quantile (NaN for an empty sketch); q within relativeError of 0 or 1 gives the
    exact min or max, as Spark's summaries do."""
    if sk is None:
        return float("nan")
    v, w, lo, hi = sk
    if q <= relative_error:
        return lo
    if q >= 1 - relative_error:
        return hi
    c = np.cumsum(w)
    rank = max(math.ceil(q * int(c[-1])), 1)
    return float(v[min(int(np.searchsorted(c, rank, side="left")), len(v) - 1)])


def feature_sketches(m: Any, cap: int | None) -> list[Any]:
    """One sketch per feature (column) of a dense or CSR matrix; NaNs are skipped, the implicit
    zeros of sparse rows count."""
    n, d = m.shape
    if not sp.issparse(m):
        s = np.sort(m, axis=0)
        valid = n - np.isnan(m).sum(axis=0)
        return [sketch_of(s[:valid[j], j], cap) for j in range(d)]
    csc = m.tocsc()
    out = []
    for j in range(d):
        data = csc.data[csc.indptr[j]:csc.indptr[j + 1]]
        zeros = n - len(data)
        data = np.sort(data[~np.isnan(data)])
        w = np.ones(len(data), dtype=np.int64)
        if zeros:
            pos = np.searchsorted(data, 0.0)
            data, w = np.insert(data, pos, 0.0), np.insert(w, pos, zeros)
        out.append(sketch_of(data, cap, w))
    return out
