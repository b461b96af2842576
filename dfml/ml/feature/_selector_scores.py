"""The one-pass statistics behind the feature selectors, and the p-values Spark ranks them by.

Each score is an ``Aggregation`` (so a selector's fit shares its pass with other stages in a
Pipeline): chi-squared contingency counts per (feature value, label); per-class count, sum and
sum of squares per feature for the ANOVA F-test; co-moments of every feature with the label for
the F-regression test; moments (with min and max) for the variance threshold. The finishing
formulas follow the tests Spark's selectors call (ChiSquareTest, ANOVATest, FValueTest), down
to the sum-of-squares form of ANOVA, so p-values agree to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ...sql.errors import SparkException
from ..base import Aggregation
from ..linalg import as_struct_array, to_matrix
from ..stats import chan_merge, fold_partials

__all__ = ["score_aggregation", "p_values", "select_indices"]


def _features_and_label(part: Any, features: str, label: str | None, who: str) -> Any:
    """(matrix, label array) of a partition; a null vector or label fails, naming the column."""
    arr = as_struct_array(part[features])
    if arr.null_count:
        raise SparkException(f"{who}: column `{features}` holds a null vector")
    if len(arr) == 0:
        return None, None
    m = to_matrix(arr)
    if label is None:
        return m, None
    y = np.asarray(part[label].to_numpy(dtype=float, na_value=np.nan), dtype=float)
    if np.isnan(y).any():
        raise SparkException(f"{who}: column `{label}` holds a null or NaN label")
    return m, y


def _same_width(parts: list, who: str, features: str) -> list:
    parts = [p for p in parts if p is not None]
    if len({p["d"] for p in parts}) > 1:
        raise SparkException(f"{who}: vectors of different sizes in column `{features}`")
    return parts


# -- chi-squared: (feature value, label) counts per feature -----------------------------------

def _chi_chunk(features: str, label: str, who: str) -> Any:
    def chunk(part: Any) -> Any:
        m, y = _features_and_label(part, features, label, who)
        if m is None:
            return None
        d = m.toarray() if sp.issparse(m) else m
        return {"d": d.shape[1], "t": [np.unique(np.column_stack([d[:, j], y]), axis=0,
                                                 return_counts=True) for j in range(d.shape[1])]}
    return chunk


def _chi_combine(who: str, features: str) -> Any:
    def combine(parts: list) -> Any:
        parts = _same_width(parts, who, features)
        if not parts:
            return None
        tables = []
        for j in range(parts[0]["d"]):
            pairs = np.concatenate([p["t"][j][0] for p in parts])
            u, inv = np.unique(pairs, axis=0, return_inverse=True)
            cnt = np.bincount(inv.reshape(-1), weights=np.concatenate([p["t"][j][1] for p in parts]))
            tables.append((u, cnt))
        return {"d": parts[0]["d"], "t": tables}
    return combine


# -- ANOVA: per-class count, sum, sum of squares ----------------------------------------------

def _anova_chunk(features: str, label: str, who: str) -> Any:
    def chunk(part: Any) -> Any:
        m, y = _features_and_label(part, features, label, who)
        if m is None:
            return None
        classes = {}
        for c in np.unique(y):
            rows = m[y == c]
            sq = rows.multiply(rows) if sp.issparse(rows) else rows * rows
            classes[float(c)] = (rows.shape[0], np.asarray(rows.sum(axis=0)).ravel(),
                                 np.asarray(sq.sum(axis=0)).ravel())
        return {"d": m.shape[1], "c": classes}
    return chunk


def _anova_combine(who: str, features: str) -> Any:
    def combine(parts: list) -> Any:
        parts = _same_width(parts, who, features)
        if not parts:
            return None
        out: dict = {}
        for p in parts:
            for c, (n, s, q) in p["c"].items():
                if c in out:
                    n0, s0, q0 = out[c]
                    out[c] = (n0 + n, s0 + s, q0 + q)
                else:
                    out[c] = (n, s, q)
        return {"d": parts[0]["d"], "c": out}
    return combine


# -- F-regression: co-moments of each feature with the label ----------------------------------

def _freg_chunk(features: str, label: str, who: str) -> Any:
    def chunk(part: Any) -> Any:
        m, y = _features_and_label(part, features, label, who)
        if m is None:
            return None
        x = m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)
        mx, my = x.mean(axis=0), y.mean()
        cx, cy = x - mx, y - my
        return {"d": x.shape[1], "n": len(y), "mx": mx, "my": my, "m2x": (cx * cx).sum(axis=0),
                "m2y": float(cy @ cy), "cxy": cy @ cx}
    return chunk


def _freg_merge(a: dict, b: dict) -> dict:
    n = a["n"] + b["n"]
    _, mx, m2x = chan_merge(a["n"], a["mx"], a["m2x"], b["n"], b["mx"], b["m2x"])
    _, my, m2y = chan_merge(a["n"], a["my"], a["m2y"], b["n"], b["my"], b["m2y"])
    cxy = a["cxy"] + b["cxy"] + (b["mx"] - a["mx"]) * (b["my"] - a["my"]) * (a["n"] * b["n"] / n)
    return {"d": a["d"], "n": n, "mx": mx, "my": my, "m2x": m2x, "m2y": m2y, "cxy": cxy}


def _freg_combine(who: str, features: str) -> Any:
    def combine(parts: list) -> Any:
        return fold_partials(_same_width(parts, who, features), _freg_merge)
    return combine


_KINDS = {"chi2": (_chi_chunk, _chi_combine), "anova": (_anova_chunk, _anova_combine),
          "fregression": (_freg_chunk, _freg_combine)}


def score_aggregation(kind: str, features: str, label: str, who: str) -> Aggregation:
    """The one-pass statistic of test ``kind`` (chi2, anova, fregression) of every feature
    of ``features`` against ``label``."""
    chunk, combine = _KINDS[kind]
    return Aggregation(list(dict.fromkeys([features, label])), chunk(features, label, who),
                       combine(who, features), label=f"{kind}({features}, {label})")


def p_values(kind: str, stats: dict, who: str) -> tuple[np.ndarray, np.ndarray]:
    """(p-value, statistic) per feature from a ``score_aggregation`` result."""
    if kind == "chi2":
        from ..stat import chi_squared
        res = [chi_squared(u, cnt, j, who) for j, (u, cnt) in enumerate(stats["t"])]
        return np.array([r[0] for r in res]), np.array([r[2] for r in res])
    from scipy.stats import f as f_dist
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "anova":
            classes = list(stats["c"].values())
            n = sum(c[0] for c in classes)
            total = sum(c[1] for c in classes)
            sq_total = sum(c[2] for c in classes)
            k = len(classes)
            sstot = sq_total - total * total / n
            ssbn = sum(c[1] * c[1] / c[0] for c in classes) - total * total / n
            sswn = sstot - ssbn
            df1, df2 = k - 1, n - k
            fv = (ssbn / df1) / (sswn / df2)
        else:
            n = stats["n"]
            r = stats["cxy"] / np.sqrt(stats["m2x"] * stats["m2y"])
            df1, df2 = 1, n - 2
            fv = r * r / (1 - r * r) * df2
        p = 1.0 - f_dist.cdf(fv, df1, df2)
    return np.asarray(p, dtype=float), np.asarray(fv, dtype=float)


def select_indices(p: np.ndarray, mode: str, threshold: float) -> list[int]:
    """Spark's choice of features from their p-values: the best first (p-value, then index)
    for numTopFeatures/percentile/fdr, index order for fpr/fwe. A NaN p-value ranks last and
    passes no test. P-values that agree to 12 significant digits rank as ties (broken by
    index): features with the same score up to rounding (a feature and its multiple) then rank
    as in Spark, whose distribution functions round differently from scipy's in the last bits."""
    d = len(p)
    key = np.array([np.inf if np.isnan(v) else float(f"{v:.12g}") for v in p])
    order = [int(i) for i in np.lexsort((np.arange(d), np.isnan(p), key))]
    if mode == "numTopFeatures":
        return order[:int(threshold)]
    if mode == "percentile":
        return order[:int(d * threshold)]
    if mode == "fpr":
        return [j for j in range(d) if p[j] < threshold]
    if mode == "fwe":
        return [j for j in range(d) if p[j] < threshold / d]
    # fdr (Benjamini-Hochberg): the longest prefix of the ranking whose last p-value passes
    f = threshold / d
    last = -1
    for rank, j in enumerate(order):
        if p[j] <= f * (rank + 1):
            last = rank
    return order[:last + 1]
