"""TargetEncoder and its model: each category index replaced by the label's mean in that
category, shrunk towards the overall mean.

The fit is one aggregation (per input column: rows and label sum per category, and overall),
declared so that a Pipeline fuses it with other stages' into one pass. Rows whose label is null
are left out, as Spark leaves them out; a null category is a category of its own (kept under
index -1, as Spark saves it). The encoding of a category seen ``n`` times with label mean ``m``
is ``w * m + (1 - w) * M`` with ``w = n / (n + smoothing)`` and ``M`` the overall mean (for a
binary target the means are the fractions of positives). An unseen category (or an unseen null)
fails the transform, or with ``handleInvalid='keep'`` gets ``M``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ...sql._engine import arrow_array
from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from ..base import (Aggregation, Estimator, Model, in_out_columns, partition_column,
                    require_absent, require_column)
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import (HasHandleInvalid, HasInputCol, HasInputCols, HasLabelCol,
                            HasOutputCol, HasOutputCols)

__all__ = ["TargetEncoder", "TargetEncoderModel"]

_NULL = -1.0                 # the saved category of null, as Spark saves it
_GLOBAL = 2147483647.0       # the saved "category" of the overall statistics (Int.MaxValue)


class _TargetEncoderParams(HasInputCol, HasInputCols, HasOutputCol, HasOutputCols, HasLabelCol,
                           HasHandleInvalid):
    targetType = Param(Params._dummy(), "targetType",
                       "whether the label is 'binary' or 'continuous'", TC.toString)
    smoothing = Param(Params._dummy(), "smoothing",
                      "value to smooth in-category averages with overall averages", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(labelCol="label", targetType="binary", handleInvalid="error",
                         smoothing=0.0)

    def _check(self) -> None:
        name = f"{type(self).__name__} ({self.uid})"
        if self.getTargetType() not in ("binary", "continuous"):
            raise IllegalArgumentException(f"{name}: targetType must be binary or continuous, "
                                           f"got {self.getTargetType()!r}")
        if self.getHandleInvalid() not in ("error", "keep"):
            raise IllegalArgumentException(f"{name}: handleInvalid must be error or keep, got "
                                           f"{self.getHandleInvalid()!r}")
        if not self.getSmoothing() >= 0:
            raise IllegalArgumentException(f"{name}: smoothing must be >= 0, got "
                                           f"{self.getSmoothing()}")

    def _encoded_schema(self, schema: T.StructType, need_label: bool) -> T.StructType:
        self._check()
        ins, outs = in_out_columns(self)
        if need_label:
            require_column(schema, self.getLabelCol(), (T.NumericType,), self, "numeric")
        fields = list(schema.fields)
        for i, o in zip(ins, outs):
            require_column(schema, i, (T.NumericType,), self, "numeric (category indices)")
            require_absent(schema, o, self)
            fields.append(T.StructField(o, T.DoubleType(), True))
        return T.StructType(fields)


def _categories(arr: pa.Array, column: str) -> np.ndarray:
    """A column's categories as doubles, null as -1; a clear error for a non-index value."""
    null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False)) if len(arr) else \
        np.zeros(0, bool)
    v = arr.cast(pa.float64()).fill_null(0.0).to_numpy(zero_copy_only=False).copy()
    bad = ~null & ~((v >= 0) & (v == np.floor(v)))
    if bad.any():
        raise SparkException(f"Values MUST be non-negative integers, but got "
                             f"{v[np.flatnonzero(bad)[0]]} (column `{column}`)")
    v[null] = _NULL
    return v


class _StatsChunk:
    """Per partition: for each input column, {category: [rows, label sum]}, and the overall
    [rows, label sum], over rows with a label."""

    def __init__(self, ins: list[str], label: str, binary: bool):
        self.ins, self.label, self.binary = ins, label, binary

    def __call__(self, part: pd.DataFrame) -> Any:
        lab = arrow_array(part[self.label]).cast(pa.float64())
        keep = ~np.asarray(lab.is_null().to_numpy(zero_copy_only=False)) if len(lab) else \
            np.zeros(0, bool)
        y = lab.fill_null(0.0).to_numpy(zero_copy_only=False)[keep]
        if self.binary and len(y) and not np.isin(y, (0.0, 1.0)).all():
            bad = y[~np.isin(y, (0.0, 1.0))][0]
            raise SparkException(f"TargetEncoder: the label column `{self.label}` must hold 0 "
                                 f"or 1 for targetType='binary', got {bad}")
        out = []
        for c in self.ins:
            cats = _categories(arrow_array(part[c]), c)[keep]
            uniq, inv = np.unique(cats, return_inverse=True)
            counts = np.bincount(inv, minlength=len(uniq)).astype(float)
            sums = np.bincount(inv, weights=y, minlength=len(uniq))
            out.append({float(k): [n, s] for k, n, s in zip(uniq, counts, sums)})
        return out, [float(len(y)), float(y.sum())]


def _merge_stats(parts: list[Any]) -> Any:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    per_col: list[dict] = [{} for _ in parts[0][0]]
    total = [0.0, 0.0]
    for cols, tot in parts:
        total[0] += tot[0]
        total[1] += tot[1]
        for merged, d in zip(per_col, cols):
            for k, (n, s) in d.items():
                acc = merged.setdefault(k, [0.0, 0.0])
                acc[0] += n
                acc[1] += s
    return per_col, total


class TargetEncoder(Estimator, _TargetEncoderParams):
    """Encodes category indices by the label's (smoothed) mean per category."""

    @keyword_only
    def __init__(self, *, inputCols: list[str] | None = None,
                 outputCols: list[str] | None = None, inputCol: str | None = None,
                 outputCol: str | None = None, labelCol: str = "label",
                 handleInvalid: str = "error", targetType: str = "binary",
                 smoothing: float = 0.0):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCols: list[str] | None = None,
                  outputCols: list[str] | None = None, inputCol: str | None = None,
                  outputCol: str | None = None, labelCol: str = "label",
                  handleInvalid: str = "error", targetType: str = "binary",
                  smoothing: float = 0.0) -> "TargetEncoder":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check()
        in_out_columns(self)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._encoded_schema(schema, need_label=True)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        ins, _ = in_out_columns(self)
        label = self.getLabelCol()
        return [Aggregation(list(dict.fromkeys(ins + [label])),
                            _StatsChunk(ins, label, self.getTargetType() == "binary"),
                            _merge_stats, label=f"target stats({', '.join(ins)} by {label})")]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "TargetEncoderModel":
        ins, _ = in_out_columns(self)
        merged = results[0]
        if merged is None or merged[1][0] == 0:
            raise IllegalArgumentException(
                f"TargetEncoder ({self.uid}): no rows with a label in column "
                f"`{self.getLabelCol()}` to fit on")
        per_col, (n_all, s_all) = merged
        stats = []
        for d in per_col:
            cats = sorted(k for k in d if k != _NULL) + ([_NULL] if _NULL in d else [])
            stats.append((cats, [d[k][0] for k in cats], [d[k][1] for k in cats]))
        return self._copyValues(TargetEncoderModel(stats, (n_all, s_all)))


class _EncodeKernel:
    """Category -> encoding for one column; unseen (or an unseen null) per handleInvalid."""

    def __init__(self, cats: np.ndarray, enc: np.ndarray, overall: float, keep: bool,
                 column: str):
        order = np.argsort(cats)
        self.cats, self.enc = cats[order], enc[order]
        self.overall, self.keep, self.column = overall, keep, column

    def __call__(self, a: Any) -> pa.Array:
        arr = arrow_array(a)
        if len(arr) == 0:
            return pa.array([], pa.float64())
        v = _categories(arr, self.column)
        pos = np.searchsorted(self.cats, v)
        pos_c = np.minimum(pos, max(len(self.cats) - 1, 0))
        seen = (pos < len(self.cats)) & (self.cats[pos_c] == v) if len(self.cats) else \
            np.zeros(len(v), bool)
        if not seen.all() and not self.keep:
            x = v[np.flatnonzero(~seen)[0]]
            shown = "null" if x == _NULL else x
            raise SparkException(f"Unseen value {shown} in feature {self.column}. To handle "
                                 f"unseen values, set Param handleInvalid to keep.")
        out = np.where(seen, self.enc[pos_c] if len(self.cats) else 0.0, self.overall)
        return pa.array(out, pa.float64())


class TargetEncoderModel(Model, _TargetEncoderParams):
    """Fitted TargetEncoder: per input column, each category's rows and label sum."""

    def __init__(self, stats: list[tuple[list, list, list]] | None = None,
                 overall: tuple[float, float] | None = None):
        super().__init__()
        self._stats = [tuple(map(list, s)) for s in (stats or [])]
        self._overall = overall

    def _init_loaded(self) -> None:
        self._stats, self._overall = [], None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._encoded_schema(schema, need_label=False)

    def _encodings(self, i: int) -> tuple[np.ndarray, np.ndarray, float]:
        """(categories, encodings, overall mean) of input column ``i``."""
        cats, counts, sums = (np.asarray(x, float) for x in self._stats[i])
        n_all, s_all = self._overall
        overall = s_all / n_all
        smoothing = self.getSmoothing()
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = sums / counts
            w = counts / (counts + smoothing)
        return cats, w * mean + (1 - w) * overall, overall

    def _transform(self, dataset: Any) -> Any:
        ins, outs = in_out_columns(self)
        keep = self.getHandleInvalid() == "keep"
        cols = {}
        for k, (i, o) in enumerate(zip(ins, outs)):
            cats, enc, overall = self._encodings(k)
            cols[o] = partition_column("TargetEncoderModel", [i],
                                       _EncodeKernel(cats, enc, overall, keep, i), T.DoubleType())
        return dataset.withColumns(cols)

    # Spark's data: one row per input column (index, categories, counts, stats), the overall
    # statistics under category Int.MaxValue; a binary target's stat is its positives, a
    # continuous one's the mean
    def _save_data(self) -> pa.Table:
        binary = self.getTargetType() == "binary"
        rows = {"index": [], "categories": [], "counts": [], "stats": []}
        n_all, s_all = self._overall
        for k, (cats, counts, sums) in enumerate(self._stats):
            stats = list(sums) if binary else [s / n for s, n in zip(sums, counts)]
            rows["index"].append(k)
            rows["categories"].append(list(cats[:-1] if cats and cats[-1] == _NULL else cats)
                                      + [_GLOBAL] + ([_NULL] if cats and cats[-1] == _NULL else []))
            null = [] if not cats or cats[-1] != _NULL else [(counts[-1], stats[-1])]
            body = list(zip(counts, stats))[:len(counts) - len(null)]
            glob = (n_all, s_all if binary else s_all / n_all)
            rows["counts"].append([c for c, _ in body] + [glob[0]] + [c for c, _ in null])
            rows["stats"].append([s for _, s in body] + [glob[1]] + [s for _, s in null])
        lst = pa.list_(pa.field("element", pa.float64(), nullable=False))
        return pa.table({"index": pa.array(rows["index"], pa.int32()),
                         "categories": pa.array(rows["categories"], lst),
                         "counts": pa.array(rows["counts"], lst),
                         "stats": pa.array(rows["stats"], lst)})

    def _load_data(self, table: pa.Table) -> None:
        binary = self.getTargetType() == "binary"
        stats: list = []
        for row in sorted(table.to_pylist(), key=lambda r: r["index"]):
            cats, counts, st = [], [], []
            for c, n, s in zip(row["categories"], row["counts"], row["stats"]):
                total = s if binary else s * n
                if c == _GLOBAL:
                    self._overall = (n, total)
                    continue
                cats.append(c)
                counts.append(n)
                st.append(total)
            stats.append((cats, counts, st))
        self._stats = stats
