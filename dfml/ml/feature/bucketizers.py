"""Discretizers: Bucketizer, QuantileDiscretizer (whose model is a Bucketizer), Binarizer.

Bucketizer's transform is a per-partition ``searchsorted`` over the splits; QuantileDiscretizer's
fit is one ``Aggregation`` of quantile sketches (the sketch RobustScaler and Imputer use), so a
Pipeline fuses it with the other fits of its pass; Binarizer compares doubles or vector entries
with a threshold, per partition, without touching rows in Python.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql import types as T
from ...sql.formatting import format_double
from ...sql.errors import IllegalArgumentException, SparkException
from ..base import (Aggregation, Estimator, Model, Transformer, partition_column, require_absent,
                    require_column)
from .. import attributes
from ..linalg import VectorUDT, as_struct_array, to_matrix
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import (HasHandleInvalid, HasInputCol, HasInputCols, HasOutputCol,
                            HasOutputCols, HasRelativeError)
from .assembler import assemble_rows
from ..stats import sketch_capacity, sketch_merge, sketch_of, sketch_query

__all__ = ["Bucketizer", "QuantileDiscretizer", "Binarizer"]

_HANDLE = ("error", "skip", "keep")


def _name(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def single_or_multi(stage: Any, single: tuple[str, ...], multi: tuple[str, ...]
                    ) -> tuple[list[str], list[str], bool]:
    """(input columns, output columns, multi-column?) of a stage with a single-column form
    (inputCol plus ``single`` params) and a multi-column form (inputCols plus ``multi``).
    Raises IllegalArgumentException when both or neither form is chosen, when a param of the
    other form is set, or when a needed one is missing."""
    name = _name(stage)
    if stage.isSet("inputCol") and stage.isSet("inputCols"):
        raise IllegalArgumentException(f"{name}: set exactly one of inputCol and inputCols, "
                                       f"not both")
    if not stage.isSet("inputCol") and not stage.isSet("inputCols"):
        raise IllegalArgumentException(f"{name}: set exactly one of inputCol and inputCols")
    is_multi = stage.isSet("inputCols")
    need, forbid = (multi, single) if is_multi else (single, multi)
    wrong = [p for p in forbid if stage.isSet(p)]
    missing = [p for p in need if not stage.isDefined(p)]
    if wrong or missing:
        form = "multi-column (inputCols)" if is_multi else "single-column (inputCol)"
        parts = []
        if wrong:
            parts.append(f"these params do not apply and must not be set: {', '.join(wrong)}")
        if missing:
            parts.append(f"these params must be set: {', '.join(missing)}")
        raise IllegalArgumentException(f"{name} is a {form} transform; {'; '.join(parts)}")
    if not is_multi:
        return [stage.getOrDefault("inputCol")], [stage.getOrDefault("outputCol")], False
    ins, outs = list(stage.getOrDefault("inputCols")), list(stage.getOrDefault("outputCols"))
    if len(ins) != len(outs):
        raise IllegalArgumentException(f"{name}: inputCols has {len(ins)} names but outputCols "
                                       f"has {len(outs)}")
    if len(set(outs)) != len(outs):
        raise IllegalArgumentException(f"{name}: outputCols repeat a name")
    return ins, outs, True


def _check_handle(stage: Any, allowed: tuple[str, ...] = _HANDLE) -> None:
    h = stage.getHandleInvalid()
    if h not in allowed:
        raise IllegalArgumentException(f"{_name(stage)}: handleInvalid must be one of "
                                       f"{', '.join(allowed)}, got {h!r}")


def _doubles(a: Any) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN at nulls, null mask) of a numeric Arrow chunk."""
    from ...sql._engine import arrow_array
    arr = arrow_array(a)
    if len(arr) == 0:
        return np.zeros(0), np.zeros(0, bool)
    null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
    vals = arr.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
    return np.asarray(vals, dtype=np.float64), null


# -- Bucketizer -------------------------------------------------------------------------------

def valid_splits(splits: list[float]) -> bool:
    """At least three splits, strictly increasing, no NaN."""
    s = np.asarray(splits, dtype=np.float64)
    return len(s) >= 3 and not np.isnan(s).any() and bool(np.all(s[:-1] < s[1:]))


def _ordered(x: np.ndarray) -> np.ndarray:
    """Doubles mapped so that -0.0 sorts just below 0.0 (Java's ``Arrays.binarySearch`` on
    doubles orders them that way, so Spark puts -0.0 below a 0.0 split)."""
    return np.where((x == 0) & np.signbit(x), -np.finfo(np.float64).smallest_subnormal, x)


class _BucketKernel:
    """Bucket index of each value: bucket i holds [splits[i], splits[i+1]), the last bucket
    also its upper end; NaN goes to the extra bucket ``len(splits) - 1`` with 'keep' and fails
    with 'error'; a value outside the splits fails; a null stays null."""

    def __init__(self, splits: list[float], keep: bool, column: str):
        self.splits = np.asarray(splits, dtype=np.float64)
        self.keep, self.column = keep, column

    def __call__(self, a: Any) -> pa.Array:
        x, null = _doubles(a)
        s = self.splits
        nan = np.isnan(x) & ~null
        if nan.any() and not self.keep:
            raise SparkException(
                f"Bucketizer: NaN in column `{self.column}`. Set handleInvalid to 'skip' to drop "
                f"such rows or 'keep' to put them in an extra bucket.")
        ok = ~np.isnan(x)
        idx = np.searchsorted(_ordered(s), _ordered(x), side="right") - 1
        idx = np.where(x == s[-1], len(s) - 2, idx)
        out = ok & ((idx < 0) | (idx > len(s) - 2))
        if out.any():
            v = x[np.flatnonzero(out)[0]]
            raise SparkException(
                f"Bucketizer: value {format_double(v)} in column `{self.column}` lies outside "
                f"the splits [{format_double(s[0])}, {format_double(s[-1])}]; widen the first or "
                f"last split (-inf and inf are allowed).")
        res = np.where(ok, idx, len(s) - 1).astype(np.float64)
        return pa.array(res, mask=null if null.any() else None)


class _BucketizerParams(HasHandleInvalid, HasInputCol, HasInputCols, HasOutputCol, HasOutputCols):
    handleInvalid = Param(Params._dummy(), "handleInvalid",
                          "what to do with NaN values: 'error' fails, 'skip' drops the row, "
                          "'keep' puts NaN in an extra bucket", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(handleInvalid="error")

    def _output_schema(self, schema: T.StructType, ins: list[str], outs: list[str]
                       ) -> T.StructType:
        fields = list(schema.fields)
        for i, o in zip(ins, outs):
            require_column(schema, i, (T.NumericType,), self, "numeric")
            require_absent(schema, o, self)
            fields.append(T.StructField(o, T.DoubleType(), True))
        return T.StructType(fields)


class Bucketizer(Model, _BucketizerParams):
    """Maps a numeric column to bucket indices given the bucket boundaries (``splits``, or one
    list per column in ``splitsArray``): n + 1 strictly increasing splits make n buckets,
    [s0, s1), ..., [s(n-1), sn], the last one closed. Use -inf and inf as outer splits to cover
    every value; a value outside the splits is an error. NaN follows ``handleInvalid``; a null
    stays null."""

    splits = Param(Params._dummy(), "splits", "bucket boundaries for the single input column: "
                   "at least three, strictly increasing", TC.toListFloat)
    splitsArray = Param(Params._dummy(), "splitsArray",
                        "bucket boundaries for each of inputCols", TC.toListListFloat)

    @keyword_only
    def __init__(self, *, splits: list[float] | None = None, inputCol: str | None = None,
                 outputCol: str | None = None, handleInvalid: str = "error",
                 splitsArray: list[list[float]] | None = None, inputCols: list[str] | None = None,
                 outputCols: list[str] | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, splits: list[float] | None = None, inputCol: str | None = None,
                  outputCol: str | None = None, handleInvalid: str = "error",
                  splitsArray: list[list[float]] | None = None, inputCols: list[str] | None = None,
                  outputCols: list[str] | None = None) -> "Bucketizer":
        return self._set(**self._input_kwargs)

    def _columns(self) -> tuple[list[str], list[str], list[list[float]]]:
        _check_handle(self)
        ins, outs, multi = single_or_multi(self, ("outputCol", "splits"),
                                           ("outputCols", "splitsArray"))
        splits = self.getSplitsArray() if multi else [self.getSplits()]
        if len(splits) != len(ins):
            raise IllegalArgumentException(
                f"{_name(self)}: inputCols, outputCols and splitsArray must have the same "
                f"length, got {len(ins)}, {len(outs)} and {len(splits)}")
        for s in splits:
            if not valid_splits(s):
                raise IllegalArgumentException(
                    f"{_name(self)}: splits must be at least three strictly increasing numbers "
                    f"(no NaN), got {[format_double(v) for v in s]}")
        return ins, outs, [list(s) for s in splits]

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        ins, outs, _ = self._columns()
        return self._output_schema(schema, ins, outs)

    def _transform(self, dataset: Any) -> Any:
        ins, outs, splits = self._columns()
        handle = self.getHandleInvalid()
        if handle == "skip":
            dataset = dataset.na.drop(subset=ins)
        cols = {o: partition_column("Bucketizer", [i], _BucketKernel(s, handle == "keep", i),
                                    T.DoubleType()).alias(o, metadata=_bucket_attributes(s))
                for i, o, s in zip(ins, outs, splits)}
        return dataset.withColumns(cols)  # one projection for all outputs: fewer plan layers


def _bucket_attributes(splits: list[float]) -> dict:
    """Spark marks a bucket column ordinal nominal, one value per bucket: its two bounds as
    the JVM prints doubles ("-Infinity, 0.0"), so IndexToString and tree learners read them."""
    return attributes.nominal(None, [f"{format_double(a)}, {format_double(b)}"
                                     for a, b in zip(splits, splits[1:])], ordinal=True)


# -- QuantileDiscretizer ----------------------------------------------------------------------

def _column_sketches(cols: list[str], cap: int | None) -> Aggregation:
    """One quantile sketch per numeric column (nulls and NaNs left out), one pass."""
    def chunk(part: Any) -> list[Any]:
        out = []
        for c in cols:
            x, _ = _doubles(part[c])
            x = np.sort(x[~np.isnan(x)])
            out.append(sketch_of(x, cap))
        return out

    def combine(parts: list[Any]) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return [sketch_merge([p[j] for p in parts], cap) for j in range(len(cols))]

    return Aggregation(list(cols), chunk, combine, label=f"quantile sketches({', '.join(cols)})")


def distinct_splits(splits: list[float]) -> list[float]:
    """Quantiles as splits: -inf and inf at the ends, -0.0 read as 0.0, repeats dropped."""
    s = [float(v) + 0.0 for v in splits]  # + 0.0 turns -0.0 into 0.0
    s[0], s[-1] = -math.inf, math.inf
    return sorted(set(s))


class QuantileDiscretizer(Estimator, _BucketizerParams, HasRelativeError):
    """Buckets a numeric column by its approximate quantiles: fitting finds ``numBuckets`` + 1
    quantiles (rank error at most ``relativeError * n``, exact on small inputs; nulls and NaNs
    are left out) and returns a ``Bucketizer`` whose outer splits are -inf and inf. Equal
    quantiles merge, so there may be fewer buckets than asked for."""

    numBuckets = Param(Params._dummy(), "numBuckets", "number of buckets (at least 2)", TC.toInt)
    numBucketsArray = Param(Params._dummy(), "numBucketsArray",
                            "number of buckets for each of inputCols (each at least 2)",
                            TC.toListInt)

    @keyword_only
    def __init__(self, *, numBuckets: int = 2, inputCol: str | None = None,
                 outputCol: str | None = None, relativeError: float = 0.001,
                 handleInvalid: str = "error", numBucketsArray: list[int] | None = None,
                 inputCols: list[str] | None = None, outputCols: list[str] | None = None):
        super().__init__()
        self._setDefault(numBuckets=2, relativeError=0.001, handleInvalid="error")
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, numBuckets: int = 2, inputCol: str | None = None,
                  outputCol: str | None = None, relativeError: float = 0.001,
                  handleInvalid: str = "error", numBucketsArray: list[int] | None = None,
                  inputCols: list[str] | None = None, outputCols: list[str] | None = None
                  ) -> "QuantileDiscretizer":
        return self._set(**self._input_kwargs)

    def _columns(self) -> tuple[list[str], list[str], list[int]]:
        _check_handle(self)
        name = _name(self)
        err = self.getRelativeError()
        if not 0.0 <= err <= 1.0:
            raise IllegalArgumentException(f"{name}: relativeError must be in [0, 1], got {err}")
        ins, outs, multi = single_or_multi(self, ("outputCol",), ("outputCols",))
        if not multi and self.isSet("numBucketsArray"):
            raise IllegalArgumentException(f"{name}: numBucketsArray applies to inputCols only; "
                                           f"use numBuckets with inputCol")
        if multi and self.isSet("numBucketsArray"):
            if self.isSet("numBuckets"):
                raise IllegalArgumentException(f"{name}: set one of numBuckets and "
                                               f"numBucketsArray, not both")
            counts = list(self.getNumBucketsArray())
            if len(counts) != len(ins):
                raise IllegalArgumentException(
                    f"{name}: inputCols has {len(ins)} names but numBucketsArray {len(counts)} "
                    f"numbers")
        else:
            counts = [self.getNumBuckets()] * len(ins)
        if any(c < 2 for c in counts):
            raise IllegalArgumentException(f"{name}: the number of buckets must be at least 2, "
                                           f"got {min(counts)}")
        return ins, outs, counts

    def _validate_params(self) -> None:
        self._columns()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        ins, outs, _ = self._columns()
        return self._output_schema(schema, ins, outs)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        ins, _, _ = self._columns()
        return [_column_sketches(ins, sketch_capacity(self.getRelativeError()))]

    def _model_from(self, results: list[Any], schema: T.StructType) -> Bucketizer:
        ins, outs, counts = self._columns()
        sketches = results[0] or [None] * len(ins)
        err = self.getRelativeError()
        splits = []
        for c, k, sk in zip(ins, counts, sketches):
            if sk is None:
                raise IllegalArgumentException(
                    f"{_name(self)}: column `{c}` has no values to take quantiles of (every row "
                    f"is null or NaN)")
            splits.append(distinct_splits([sketch_query(sk, j / k, err) for j in range(k + 1)]))
        model = Bucketizer(handleInvalid=self.getHandleInvalid())
        if self.isSet("inputCols"):
            model._set(inputCols=ins, outputCols=outs, splitsArray=splits)
        else:
            model._set(inputCol=ins[0], splits=splits[0])
            if self.isSet("outputCol"):
                model._set(outputCol=outs[0])
            else:
                model._setDefault(outputCol=outs[0])
        return model


# -- Binarizer --------------------------------------------------------------------------------

class _ScalarBinarize:
    def __init__(self, threshold: float):
        self.threshold = threshold

    def __call__(self, a: Any) -> pa.Array:
        x, _ = _doubles(a)          # null -> NaN -> 0.0, as Spark gives 0.0 for a null
        return pa.array((x > self.threshold).astype(np.float64))


class _VectorBinarize:
    """Entries above the threshold become 1.0, the rest 0.0; each row is then stored dense or
    sparse, whichever is smaller (Spark's ``compressed``). NaN entries give 0.0 for a
    non-negative threshold and 1.0 for a negative one, as in Spark."""

    def __init__(self, threshold: float):
        self.threshold = threshold

    def __call__(self, a: Any) -> pa.Array:
        arr = as_struct_array(a)
        n = len(arr)
        if n == 0:
            return pa.array([], type=VectorUDT.arrowType())
        null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
        good = arr.filter(pa.array(~null)) if null.any() else arr
        m = to_matrix(good)
        td = self.threshold
        if sp.issparse(m) and td >= 0:
            m = sp.csr_matrix(m, copy=True)
            m.data = (m.data > td).astype(np.float64)   # implicit zeros stay 0
            m.eliminate_zeros()
            res = assemble_rows([m], m.shape[0])
        else:
            d = m.toarray() if sp.issparse(m) else m
            hot = (d > td) if td >= 0 else ~(d <= td)
            res = assemble_rows([hot.astype(np.float64)], d.shape[0])
        if null.any():
            order = np.full(n, -1, dtype=np.int64)
            order[~null] = np.arange(len(good))
            res = res.take(pa.array(order, mask=null))
        return res


class Binarizer(Transformer, HasInputCol, HasOutputCol, HasInputCols, HasOutputCols):
    """Maps a double column, or each entry of a vector column, to 1.0 where it is greater than
    ``threshold`` and 0.0 elsewhere (a null double gives 0.0). With ``inputCols``,
    ``thresholds`` gives one threshold per column (unset: ``threshold`` for all)."""

    threshold = Param(Params._dummy(), "threshold",
                      "values greater than this become 1.0, the others 0.0", TC.toFloat)
    thresholds = Param(Params._dummy(), "thresholds", "one threshold per column of inputCols",
                       TC.toListFloat)

    @keyword_only
    def __init__(self, *, threshold: float = 0.0, inputCol: str | None = None,
                 outputCol: str | None = None, thresholds: list[float] | None = None,
                 inputCols: list[str] | None = None, outputCols: list[str] | None = None):
        super().__init__()
        self._setDefault(threshold=0.0)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, threshold: float = 0.0, inputCol: str | None = None,
                  outputCol: str | None = None, thresholds: list[float] | None = None,
                  inputCols: list[str] | None = None, outputCols: list[str] | None = None
                  ) -> "Binarizer":
        return self._set(**self._input_kwargs)

    def _columns(self) -> tuple[list[str], list[str], list[float]]:
        name = _name(self)
        ins, outs, multi = single_or_multi(self, ("outputCol",), ("outputCols",))
        if not multi:
            if self.isSet("thresholds"):
                raise IllegalArgumentException(f"{name}: thresholds applies to inputCols only; "
                                               f"use threshold with inputCol")
            return ins, outs, [self.getThreshold()]
        if not self.isSet("thresholds"):
            return ins, outs, [self.getThreshold()] * len(ins)
        if self.isSet("threshold"):
            raise IllegalArgumentException(f"{name}: set one of threshold and thresholds, not "
                                           f"both")
        tds = list(self.getThresholds())
        if len(tds) != len(ins):
            raise IllegalArgumentException(
                f"{name}: inputCols, outputCols and thresholds must have the same length, got "
                f"{len(ins)}, {len(outs)} and {len(tds)}")
        return ins, outs, tds

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        ins, outs, _ = self._columns()
        fields = list(schema.fields)
        for i, o in zip(ins, outs):
            dt = require_column(schema, i, (), self, "")
            if not isinstance(dt, (T.DoubleType, VectorUDT)):
                raise IllegalArgumentException(
                    f"{_name(self)}: column `{i}` must be double or a vector, but it is "
                    f"{dt.simpleString()}; cast it to double first")
            require_absent(schema, o, self)
            vec = isinstance(dt, VectorUDT)
            fields.append(T.StructField(o, VectorUDT() if vec else T.DoubleType(), vec))
        return T.StructType(fields)

    def _transform(self, dataset: Any) -> Any:
        ins, outs, tds = self._columns()
        schema = dataset.schema
        cols = {}
        for i, o, td in zip(ins, outs, tds):
            if isinstance(schema[i].dataType, VectorUDT):
                col = partition_column("Binarizer", [i], _VectorBinarize(td), VectorUDT())
                slots = attributes.slot_attributes(schema[i])  # Spark keeps only the size
                cols[o] = col if slots is None else col.alias(
                    o, metadata={"ml_attr": {"num_attrs": len(slots)}})
            else:
                cols[o] = partition_column("Binarizer", [i], _ScalarBinarize(td), T.DoubleType(),
                                           nullable=False).alias(o, metadata=attributes.binary())
        return dataset.withColumns(cols)

