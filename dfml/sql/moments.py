"""Mergeable central moments for var/stddev/skewness/kurtosis and covar/corr.

Spark keeps, per group, the count, the mean and the sums of powers of deviations from the
mean (M2, M3, M4; for two columns the co-moment and both M2) and merges partition states with
the parallel update formulas. Building the same numbers from raw power sums (sum x, sum x^2...)
cancels catastrophically: kurtosis of 1, 2, 1, 2 came out -1.4999999999999227 instead of -1.5,
and values around 1e9 with small noise lose every digit. So here each partition computes its
state with numpy in two passes (mean, then deviations), and states merge about the combined
mean, all vectorized over groups with ``bincount`` (no Python loop per group or row).

The states travel as dask ``Aggregation`` partials of several float columns; ``finalize``
applies Spark's result rules (null for no rows, null where Spark divides by zero, NaN when a
NaN was aggregated).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


def _values(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Float values and a validity mask; NaN stays a value (Spark's NaN is not null)."""
    arr = s.array
    if isinstance(s.dtype, pd.ArrowDtype):
        a = pa.chunked_array(arr._pa_array).combine_chunks() if hasattr(arr, "_pa_array") else pa.array(arr)
        valid = np.asarray(a.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        x = np.asarray(a.cast(pa.float64()).fill_null(0.0).to_numpy(zero_copy_only=False), dtype=float)
        return x, valid
    x = s.to_numpy(dtype=float, na_value=np.nan)
    return x, ~s.isna().to_numpy()


def _codes(g: Any) -> tuple[np.ndarray, pd.Index]:
    """Each row's group number and the groups' index, in the order of ``g``'s results."""
    index = g.size().index
    codes = g.ngroup().to_numpy()
    return codes.astype(np.intp), index


def _sum(codes: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(codes, weights=w, minlength=k)


def _frame_of(index: pd.Index, cols: list[np.ndarray]) -> tuple:
    return tuple(pd.Series(c, index=index) for c in cols)


# ---------------------------------------------------------------- one column
def _moments_chunk(order: int):
    """Per group: n, the mean as a rounded value plus its rounding error (hi, lo), then
    M2..M4 about hi + lo. Around 1e9 the rounding of the mean alone (6e-8) would shift M3 by
    a first-order term: with lo the moments are those of the exact mean."""
    def chunk(g: Any) -> tuple:
        codes, index = _codes(g)
        x, valid = _values(g.obj)
        k = len(index)
        c, xv = codes[valid], x[valid]
        n = _sum(c, None, k).astype(float) if len(c) else np.zeros(k)
        safe = np.where(n > 0, n, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            hi = np.where(n > 0, _sum(c, xv, k) / safe, 0.0)
            lo = np.where(n > 0, _sum(c, xv - hi[c], k) / safe, 0.0)
            d = (xv - hi[c]) - lo[c]
        d2 = d * d
        cols = [n, hi, lo, _sum(c, d2, k)]
        cols.append(_sum(c, d2 * d, k) if order >= 3 else np.zeros(k))
        cols.append(_sum(c, d2 * d2, k) if order >= 4 else np.zeros(k))
        return _frame_of(index, cols)
    return chunk


def _moments_merge(order: int):
    """States merged about the combined mean (kept as hi + lo too): M_k gains the binomial
    terms of each part's offset from it."""
    def merge(*gs: Any) -> tuple:
        codes, index = _codes(gs[0])
        k = len(index)
        n_i, hi_i, lo_i, m2_i, m3_i, m4_i = (g.obj.to_numpy(dtype=float) for g in gs)
        n = _sum(codes, n_i, k)
        has = n_i > 0
        safe = np.where(n > 0, n, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            hi_i, lo_i = np.where(has, hi_i, 0.0), np.where(has, lo_i, 0.0)
            hi = np.where(n > 0, _sum(codes, n_i * hi_i, k) / safe, 0.0)
            lo = np.where(n > 0, _sum(codes, n_i * ((hi_i - hi[codes]) + lo_i), k) / safe, 0.0)
            d = np.where(has, (hi_i - hi[codes]) + (lo_i - lo[codes]), 0.0)
        cols = [n, hi, lo, _sum(codes, m2_i + n_i * d * d, k)]
        cols.append(_sum(codes, m3_i + 3 * d * m2_i + n_i * d ** 3, k) if order >= 3 else np.zeros(k))
        cols.append(_sum(codes, m4_i + 4 * d * m3_i + 6 * d * d * m2_i + n_i * d ** 4, k)
                    if order >= 4 else np.zeros(k))
        return _frame_of(index, cols)
    return merge


def _finish_moment(stat: str):
    """Spark's result from (n, mean hi, mean lo, M2, M3, M4): null without rows; null where it divides
    by zero (one row for the sample forms, M2 == 0 for skewness and kurtosis)."""
    def finalize(*cols: Any) -> pd.Series:
        index = cols[0].index
        n, m2 = cols[0].to_numpy(dtype=float), cols[3].to_numpy(dtype=float)
        null = n == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            if stat in ("var_samp", "stddev_samp"):
                null |= n == 1
                v = m2 / (n - 1.0)
            elif stat in ("var_pop", "stddev_pop"):
                v = m2 / n
            elif stat == "skewness":
                null |= m2 == 0
                v = np.sqrt(n) * cols[4].to_numpy(dtype=float) / np.sqrt(m2 * m2 * m2)
            else:
                null |= m2 == 0
                v = n * cols[5].to_numpy(dtype=float) / (m2 * m2) - 3.0
            if stat.startswith("stddev"):
                v = np.sqrt(v)
        return _arrow_doubles(v, null, index)
    return finalize


def _arrow_doubles(v: np.ndarray, null: np.ndarray, index: pd.Index) -> pd.Series:
    arr = pa.array(v, type=pa.float64(), mask=null)
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=index)


_ORDER = {"skewness": 3, "kurtosis": 4}


@functools.lru_cache(maxsize=None)
def moment_aggregation(stat: str) -> Any:
    """The dask reduction of one column's central-moment statistic ``stat`` (Spark's name)."""
    import dask.dataframe as dd
    order = _ORDER.get(stat, 2)
    return dd.Aggregation(f"central_moment_{stat}", _moments_chunk(order), _moments_merge(order),
                          _finish_moment(stat))


# ---------------------------------------------------------------- two columns
def _co_chunk(g: Any) -> tuple:
    """Per group: n, mean x, mean y, co-moment C, M2 of x and of y over rows where both are
    set. The two columns arrive packed in one complex column (x + i y; null where either is)."""
    codes, index = _codes(g)
    z = g.obj.to_numpy(dtype=complex)
    valid = ~(np.isnan(z.real) & np.isnan(z.imag))
    k = len(index)
    c, x, y = codes[valid], z.real[valid], z.imag[valid]
    n = _sum(c, None, k).astype(float) if len(c) else np.zeros(k)
    safe = np.where(n > 0, n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.where(n > 0, _sum(c, x, k) / safe, 0.0)
        my = np.where(n > 0, _sum(c, y, k) / safe, 0.0)
        mx = mx + np.where(n > 0, _sum(c, x - mx[c], k) / safe, 0.0)
        my = my + np.where(n > 0, _sum(c, y - my[c], k) / safe, 0.0)
        dx, dy = x - mx[c], y - my[c]
    return _frame_of(index, [n, mx, my, _sum(c, dx * dy, k), _sum(c, dx * dx, k), _sum(c, dy * dy, k)])


def _co_merge(*gs: Any) -> tuple:
    codes, index = _codes(gs[0])
    k = len(index)
    n_i, mx_i, my_i, c_i, xx_i, yy_i = (g.obj.to_numpy(dtype=float) for g in gs)
    has = n_i > 0
    n = _sum(codes, n_i, k)
    safe = np.where(n > 0, n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx_i, my_i = np.where(has, mx_i, 0.0), np.where(has, my_i, 0.0)
        mx = np.where(n > 0, _sum(codes, n_i * mx_i, k) / safe, 0.0)
        my = np.where(n > 0, _sum(codes, n_i * my_i, k) / safe, 0.0)
        dx = np.where(has, mx_i - mx[codes], 0.0)
        dy = np.where(has, my_i - my[codes], 0.0)
    return _frame_of(index, [n, mx, my, _sum(codes, c_i + n_i * dx * dy, k),
                             _sum(codes, xx_i + n_i * dx * dx, k), _sum(codes, yy_i + n_i * dy * dy, k)])


def _co_finish(stat: str):
    """Spark's covariance/correlation from (n, means, C, M2x, M2y): null without rows, null
    where it divides by zero (one row for the sample forms and corr, a constant column)."""
    def finalize(n: Any, mx: Any, my: Any, ck: Any, xx: Any, yy: Any) -> pd.Series:
        index = n.index
        n, ck = n.to_numpy(dtype=float), ck.to_numpy(dtype=float)
        null = n == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            if stat == "covar_samp":
                null |= n == 1
                v = ck / (n - 1.0)
            elif stat == "covar_pop":
                v = ck / n
            else:
                null |= n == 1
                den = np.sqrt(xx.to_numpy(dtype=float) * yy.to_numpy(dtype=float))
                null |= den == 0  # Spark's division by zero is null (a constant column)
                v = ck / den
        return _arrow_doubles(v, null, index)
    return finalize


@functools.lru_cache(maxsize=None)
def comoment_aggregation(stat: str) -> Any:
    """The dask reduction of ``corr``/``covar_samp``/``covar_pop`` over a packed complex column."""
    import dask.dataframe as dd
    return dd.Aggregation(f"co_moment_{stat}", _co_chunk, _co_merge, _co_finish(stat))


def _pack(x: pd.Series, y: pd.Series) -> pd.Series:
    """(x, y) as x + i y: NaN + NaN i where either is null, NaN + 0 i where either is NaN (a
    NaN poisons every statistic of its group, whichever side it was on)."""
    xa, xv = _values(x)
    ya, yv = _values(y)
    z = xa + 1j * ya
    z = np.where(np.isnan(xa) | np.isnan(ya), complex(np.nan, 0.0), z)
    z = np.where(xv & yv, z, complex(np.nan, np.nan))
    return pd.Series(z, index=x.index, name=x.name)


def pack_pairs(x: Any, y: Any) -> Any:
    """Two dask columns as one complex column (``_pack``), for the co-moment reduction."""
    return x.map_partitions(_pack, y, meta=pd.Series([], dtype=complex, name=x.name))
