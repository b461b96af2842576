"""Imputer: fill missing values of numeric columns with each column's mean, median or mode.

A value is missing when it is null or equals ``missingValue`` (NaN by default). The fit also
leaves NaNs out of the statistics whatever ``missingValue`` is, while the transform replaces
only nulls and ``missingValue``, as Spark does. Outputs keep each input's type (an integer
column gets the surrogate truncated toward zero).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...sql import types as T
from ...sql.errors import IllegalArgumentException
from ..base import column_counts, model_string
from ..base import (Aggregation, Estimator, Model, in_out_columns, partition_column,
                    require_absent, require_column)
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasInputCols, HasOutputCol, HasOutputCols, HasRelativeError
from ..stats import sketch_capacity, sketch_merge, sketch_of, sketch_query

__all__ = ["Imputer", "ImputerModel"]

_STRATEGIES = ("mean", "median", "mode")


def _present(part: Any, col: str, missing: float) -> np.ndarray:
    """The values of ``col`` in a partition that count for the fit, as float64."""
    from ...sql._engine import arrow_of
    arr = arrow_of(part[col])
    v = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)  # nulls become NaN
    keep = ~np.isnan(v)
    if not math.isnan(missing):
        keep &= v != missing
    return v[keep]


def _merge_counts(parts: list[Any]) -> Any:
    """Value counts of several partitions as one (values sorted)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    v = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts])
    order = np.argsort(v, kind="stable")
    v, c = v[order], c[order]
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
    return v[starts], np.add.reduceat(c, starts)


class _Stats:
    """Per-column statistic of one strategy: ``chunk(values)``, ``combine``, ``surrogate``."""

    def __init__(self, strategy: str, relative_error: float):
        self.strategy, self.err = strategy, relative_error
        self.cap = sketch_capacity(relative_error)

    def chunk(self, v: np.ndarray) -> Any:
        if len(v) == 0:
            return None
        if self.strategy == "mean":
            return len(v), float(v.sum())
        if self.strategy == "median":
            return sketch_of(np.sort(v), self.cap)
        vals, counts = np.unique(v, return_counts=True)
        return vals, counts.astype(np.int64)

    def combine(self, parts: list[Any]) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        if self.strategy == "mean":
            return sum(p[0] for p in parts), math.fsum(p[1] for p in parts)
        if self.strategy == "median":
            return sketch_merge(parts, self.cap)
        return _merge_counts(parts)

    def surrogate(self, state: Any) -> float:
        if state is None:
            return float("nan")
        if self.strategy == "mean":
            return state[1] / state[0]
        if self.strategy == "median":
            return sketch_query(state, 0.5, self.err)
        vals, counts = state  # the most frequent value; ties go to the smallest
        return float(vals[int(np.argmax(counts))])


def imputer_aggregation(cols: list[str], strategy: str, missing: float,
                        relative_error: float) -> Aggregation:
    """One pass computing the statistic of every input column."""
    stats = _Stats(strategy, relative_error)

    def chunk(part: Any) -> Any:
        return [stats.chunk(_present(part, c, missing)) for c in cols]

    def combine(parts: list[Any]) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return [stats.combine([p[i] for p in parts]) for i in range(len(cols))]

    def finish(state: Any) -> list[float]:
        return [stats.surrogate(None if state is None else s)
                for s in (state or [None] * len(cols))]

    return Aggregation(list(cols), chunk, combine, finish, label=f"imputer({', '.join(cols)})")


class _ImputerParams(HasInputCol, HasInputCols, HasOutputCol, HasOutputCols, HasRelativeError):
    strategy = Param(Params._dummy(), "strategy",
                     "statistic that replaces a missing value: mean, median or mode",
                     TC.toString)
    missingValue = Param(Params._dummy(), "missingValue",
                         "the value that marks a missing entry (nulls are always missing)",
                         TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(strategy="mean", missingValue=float("nan"), relativeError=0.001)

    def _name(self) -> str:
        return f"{type(self).__name__} ({self.uid})"

    def _columns(self) -> tuple[list[str], list[str]]:
        return in_out_columns(self)

    def _check_params(self) -> None:
        strategy = self.getStrategy()
        if strategy not in _STRATEGIES:
            raise IllegalArgumentException(
                f"{self._name()}: strategy must be one of {', '.join(_STRATEGIES)}, "
                f"got {strategy!r}")
        err = self.getRelativeError()
        if not 0.0 <= err <= 1.0:
            raise IllegalArgumentException(
                f"{self._name()}: relativeError ({err}) must be in [0, 1]")

    def _imputed_schema(self, schema: T.StructType) -> T.StructType:
        self._check_params()
        ins, outs = self._columns()
        fields = list(schema.fields)
        for i, o in zip(ins, outs):
            dt = require_column(schema, i, (T.NumericType,), self, "numeric")
            require_absent(schema, o, self)
            fields.append(T.StructField(o, dt, True))
        return T.StructType(fields)


class Imputer(Estimator, _ImputerParams):
    """Learns one surrogate per input column (``strategy`` mean, median or mode) from the
    values that are not missing. The median comes from a one-pass quantile sketch whose rank
    error is at most ``relativeError * n`` (exact for up to 4 / relativeError values, where it
    agrees with Spark's whenever Spark's is exact); the mode breaks ties toward the smallest value."""

    @keyword_only
    def __init__(self, *, strategy: str = "mean", missingValue: float = float("nan"),
                 inputCols: list[str] | None = None, outputCols: list[str] | None = None,
                 inputCol: str | None = None, outputCol: str | None = None,
                 relativeError: float = 0.001):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, strategy: str = "mean", missingValue: float = float("nan"),
                  inputCols: list[str] | None = None, outputCols: list[str] | None = None,
                  inputCol: str | None = None, outputCol: str | None = None,
                  relativeError: float = 0.001) -> "Imputer":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()
        self._columns()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._imputed_schema(schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        ins, _ = self._columns()
        return [imputer_aggregation(ins, self.getStrategy(), self.getMissingValue(),
                                    self.getRelativeError())]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "ImputerModel":
        ins, _ = self._columns()
        surrogates = results[0]
        empty = [c for c, s in zip(ins, surrogates) if math.isnan(s)]
        if empty:
            raise ValueError(
                f"{self._name()}: no surrogate can be computed: every value of "
                f"{', '.join(empty)} is null, NaN or missingValue ({self.getMissingValue()})")
        return self._copyValues(ImputerModel(dict(zip(ins, surrogates))))


class _FillKernel:
    """Replaces nulls and ``missing`` in one column by a surrogate of the column's type."""

    def __init__(self, surrogate: float, missing: float):
        self.surrogate, self.missing = surrogate, missing

    def __call__(self, a: pa.ChunkedArray) -> pa.Array:
        arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        t = arr.type
        if pa.types.is_integer(t):
            fill = pa.scalar(int(math.trunc(self.surrogate))).cast(t, safe=False)
        else:
            fill = pa.scalar(self.surrogate, pa.float64()).cast(t, safe=False)
        if math.isnan(self.missing):
            hit = pc.is_nan(arr) if pa.types.is_floating(t) else None
        else:
            hit = pc.equal(arr.cast(pa.float64()), self.missing)
        mask = arr.is_null() if hit is None else pc.or_kleene(arr.is_null(), hit)
        return pc.if_else(pc.fill_null(mask, True), fill, arr)


class ImputerModel(Model, _ImputerParams):
    """Fitted Imputer: one surrogate per input column (``surrogateDF``, a one-row frame)."""

    def __repr__(self) -> str:
        return model_string(self, [("strategy", self.getOrDefault("strategy")),
                                   ("missingValue", float(self.getOrDefault("missingValue")))]
                            + (column_counts(self) or [("numInputCols", 1), ("numOutputCols", 1)]))

    def __init__(self, surrogates: dict[str, float] | None = None):
        super().__init__()
        self._surrogates = dict(surrogates or {})

    def _init_loaded(self) -> None:
        self._surrogates = {}

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._imputed_schema(schema)

    @property
    def surrogateDF(self) -> Any:
        """A one-row DataFrame: a double column per input column holding its surrogate."""
        from ...sql import SparkSession
        session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        names = list(self._surrogates)
        schema = T.StructType([T.StructField(c, T.DoubleType(), True) for c in names])
        return session.createDataFrame([tuple(float(self._surrogates[c]) for c in names)], schema)

    def _transform(self, dataset: Any) -> Any:
        ins, outs = self._columns()
        missing = [c for c in ins if c not in self._surrogates]
        if missing:
            raise IllegalArgumentException(
                f"{self._name()}: no surrogate for column(s) {', '.join(missing)}")
        dt = {f.name: f.dataType for f in dataset.schema.fields}
        cols = {o: partition_column("ImputerModel", [i],
                                    _FillKernel(self._surrogates[i], self.getMissingValue()), dt[i])
                for i, o in zip(ins, outs)}
        return dataset.withColumns(cols)  # one projection for all outputs: fewer plan layers

    def _save_data(self) -> pa.Table:
        return pa.table({c: pa.array([float(v)], pa.float64())
                         for c, v in self._surrogates.items()})

    def _load_data(self, table: pa.Table) -> None:
        self._surrogates = {c: float(table.column(c)[0].as_py()) for c in table.column_names}
