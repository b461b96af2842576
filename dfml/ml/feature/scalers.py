"""Scalers and their models: StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler.

Every fit is one pass of ``Aggregation``s (so ``Pipeline.fit`` can fuse it with other stages);
every transform is a per-partition numpy kernel over the vector column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql import types as T
from ..base import column_counts, model_string
from .. import attributes
from ..base import (Aggregation, Estimator, Model, partition_column, require_absent,
                    require_column)
from .assembler import mixed_rows_to_arrow
from ..linalg import (DenseVector, VectorUDT, as_struct_array, csr_to_arrow, dense_to_arrow, to_matrix,
                      vectors_to_arrow)
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasOutputCol, HasRelativeError
from ..stats import (feature_sketches, fold_partials, matrix_moments, moments_merge, sketch_capacity,
                     sketch_merge, sketch_query)

__all__ = ["StandardScaler", "StandardScalerModel", "MinMaxScaler", "MinMaxScalerModel",
           "MaxAbsScaler", "MaxAbsScalerModel", "RobustScaler", "RobustScalerModel",
           "moments_aggregation"]


def partition_matrix(part: Any, col: str) -> Any:
    arr = as_struct_array(part[col])
    if arr.null_count:
        arr = arr.filter(arr.is_valid())
    return to_matrix(arr) if len(arr) else None


def _moments_chunk(col: str) -> Any:
    def chunk(part: Any) -> Any:
        m = partition_matrix(part, col)
        return None if m is None else matrix_moments(m)
    return chunk


def _moments_combine(parts: list[Any]) -> Any:
    return fold_partials(parts, moments_merge)


def moments_aggregation(col: str) -> Aggregation:
    """Count, mean, M2 (for the sample variance), nonzeros, max, min, max |x| of a vector column
    in one pass (Chan's pairwise update keeps the variance accurate across partitions). Mean and
    M2 carry NaNs through, as Spark's summarizer does; max and min skip them, as Spark's do."""
    return Aggregation([col], _moments_chunk(col), _moments_combine, label=f"moments({col})")


def quantiles_aggregation(col: str, relative_error: float) -> Aggregation:
    """Per-feature quantile sketches of a vector column, one pass."""
    cap = sketch_capacity(relative_error)

    def chunk(part: Any) -> Any:
        m = partition_matrix(part, col)
        return None if m is None else feature_sketches(m, cap)

    def combine(parts: list[Any]) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        d = len(parts[0])
        if any(len(p) != d for p in parts):
            raise ValueError(f"vectors of different sizes in column `{col}`")
        return [sketch_merge([p[j] for p in parts], cap) for j in range(d)]

    return Aggregation([col], chunk, combine, label=f"quantiles({col})")


def map_vector_rows(a: Any, fn: Any) -> pa.Array:
    """``fn(matrix) -> arrow vectors`` over the non-null rows of a vector chunk; nulls stay."""
    arr = as_struct_array(a)
    if len(arr) == 0:
        return pa.array([], type=VectorUDT.arrowType())
    null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
    good = arr.filter(pa.array(~null)) if null.any() else arr
    sparse_rows = good.field("type").to_numpy(zero_copy_only=False) == 0
    res = fn(to_matrix(good), sparse_rows)
    if null.any():
        order = np.full(len(arr), -1, dtype=np.int64)
        order[~null] = np.arange(len(good))
        res = res.take(pa.array(order, mask=null))
    return res


class _ScaleKernel:
    def __init__(self, mean: np.ndarray, scale: np.ndarray, center: bool, keep_sparse: bool):
        self.mean, self.scale, self.center, self.keep_sparse = mean, scale, center, keep_sparse

    def __call__(self, a: pa.ChunkedArray) -> pa.Array:
        return map_vector_rows(a, self._rows)

    def _rows(self, m: Any, sparse_rows: np.ndarray) -> pa.Array:
        if sp.issparse(m) and not self.center and self.keep_sparse:
            out = sp.csr_matrix(m.multiply(self.scale.reshape(1, -1)))
            if sparse_rows.all():
                return csr_to_arrow(out)
            return mixed_rows_to_arrow(out.toarray(), sparse_rows)  # each row keeps its own form
        d = m.toarray() if sp.issparse(m) else m
        if self.center:
            d = d - self.mean
        return dense_to_arrow(d * self.scale)


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

    _model_transforms_blocks = True

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [moments_aggregation(self.getInputCol())]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "StandardScalerModel":
        mom = results[0]
        if mom is None:
            raise _no_rows(self)
        n = mom["n"]
        var = mom["m2"] / (n - 1) if n > 1 else np.zeros_like(mom["m2"])
        model = StandardScalerModel(DenseVector(np.sqrt(var)), DenseVector(mom["mean"]))
        return self._copyValues(model)


class _ScaleBlock:
    """StandardScalerModel on a training Block: ``(X - mean) * scale`` (centering densifies,
    as the column transform's does); labels and weights pass through."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray, center: bool):
        self.mean, self.scale, self.center = mean, scale, center

    def __call__(self, block: Any) -> Any:
        from ..optim.blocks import Block
        X = block.X
        if sp.issparse(X) and not self.center:
            X = sp.csr_matrix(X @ sp.diags(self.scale))
        else:
            X = X.toarray() if sp.issparse(X) else X
            X = ((X - self.mean) if self.center else X) * self.scale
        return Block(X, block.y, block.w)


class StandardScalerModel(Model, HasInputCol, HasOutputCol):
    """Fitted StandardScaler: ``std`` and ``mean`` per feature."""

    withMean = StandardScaler.withMean
    withStd = StandardScaler.withStd

    def __repr__(self) -> str:
        return model_string(self, [("numFeatures", len(self.mean)),
                                   ("withMean", self.getOrDefault("withMean")),
                                   ("withStd", self.getOrDefault("withStd"))])

    def __init__(self, std: DenseVector | None = None, mean: DenseVector | None = None):
        super().__init__()
        self._setDefault(withMean=False, withStd=True)
        self.std, self.mean = std, mean

    def _init_loaded(self) -> None:
        self.std = self.mean = None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _scale(self) -> np.ndarray:
        std = self.std.toArray()
        return np.where(std != 0, 1.0 / np.where(std != 0, std, 1.0), 0.0) \
            if self.getWithStd() else np.ones_like(std)

    def _transform(self, dataset: Any) -> Any:
        kernel = _ScaleKernel(self.mean.toArray(), self._scale(), self.getWithMean(), True)
        column = partition_column("StandardScalerModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(len(self.std))))

    def _block_moments(self, fit_results: list) -> Any:
        """Moments of this model's output over the rows it was fitted on, derived from the fit's
        own moments (scaling maps a mean to mean * scale and an M2 to M2 * scale^2), so that
        an estimator trained on the output needs no pass over its blocks to standardize."""
        from ..optim.scaling import Moments
        mom = fit_results[0] if fit_results else None
        if mom is None:
            return None
        scale = self._scale()
        mean = np.zeros_like(mom["mean"]) if self.getWithMean() else mom["mean"] * scale
        n = float(mom["n"])
        return Moments(n, n, int(mom["n"]), mean, mom["m2"] * scale ** 2)

    def _block_kernel(self) -> "_ScaleBlock":
        """The same scaling applied to a training block's matrix in worker memory."""
        return _ScaleBlock(self.mean.toArray(), self._scale(), self.getWithMean())

    def _save_data(self) -> pa.Table:
        return pa.table({"std": vectors_to_arrow([self.std]), "mean": vectors_to_arrow([self.mean])})

    def _load_data(self, table: pa.Table) -> None:
        self.std, self.mean = first_vector(table, "std"), first_vector(table, "mean")


def vector_in_out_schema(stage: Any, schema: T.StructType) -> T.StructType:
    """Input must be a vector column, output must be new; the schema after the stage."""
    require_column(schema, stage.getInputCol(), (VectorUDT,), stage, "a vector")
    require_absent(schema, stage.getOutputCol(), stage)
    return T.StructType(schema.fields + [T.StructField(stage.getOutputCol(), VectorUDT(), True)])


def _no_rows(stage: Any) -> ValueError:
    return ValueError(f"{type(stage).__name__} ({stage.uid}): the input has no rows to fit on")


def first_vector(table: pa.Table, name: str) -> DenseVector:
    return VectorUDT().deserialize(table.column(name)[0].as_py())


def _inverse(v: np.ndarray) -> np.ndarray:
    """1 / v, with 0 where v is 0 (a feature with no spread scales to 0)."""
    safe = np.where(v != 0, v, 1.0)
    return np.where(v != 0, 1.0 / safe, 0.0)


# -- MinMaxScaler -----------------------------------------------------------------------------

class _MinMaxKernel:
    def __init__(self, lo: np.ndarray, hi: np.ndarray, out_min: float, out_max: float):
        self.lo, self.span = lo, hi - lo
        self.out_min, self.width = out_min, out_max - out_min
        self.constant = 0.5 * (out_max + out_min)

    def __call__(self, a: pa.ChunkedArray) -> pa.Array:
        return map_vector_rows(a, self._rows)

    def _rows(self, m: Any, sparse_rows: np.ndarray) -> pa.Array:
        d = m.toarray() if sp.issparse(m) else m
        span = np.where(self.span != 0, self.span, 1.0)
        scaled = (d - self.lo) / span * self.width + self.out_min
        out = np.where(self.span != 0, scaled, self.constant)
        out = np.where(np.isnan(d), np.nan, out)  # a missing value stays missing
        return dense_to_arrow(out)


class MinMaxScaler(Estimator, HasInputCol, HasOutputCol):
    """Maps each feature linearly from its observed [min, max] onto [``min``, ``max``]; a
    feature that never varies maps to the middle of the target range."""

    min = Param(Params._dummy(), "min", "lower end of the target range", TC.toFloat)
    max = Param(Params._dummy(), "max", "upper end of the target range", TC.toFloat)

    @keyword_only
    def __init__(self, *, min: float = 0.0, max: float = 1.0, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._setDefault(min=0.0, max=1.0)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, min: float = 0.0, max: float = 1.0, inputCol: str | None = None,
                  outputCol: str | None = None) -> "MinMaxScaler":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        lo, hi = self.getMin(), self.getMax()
        if not lo < hi:
            raise ValueError(f"MinMaxScaler ({self.uid}): min ({lo}) must be smaller than "
                             f"max ({hi})")

    _model_transforms_blocks = True

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [moments_aggregation(self.getInputCol())]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "MinMaxScalerModel":
        mom = results[0]
        if mom is None:
            raise _no_rows(self)
        return self._copyValues(MinMaxScalerModel(DenseVector(mom["min"]), DenseVector(mom["max"])))


class MinMaxScalerModel(Model, HasInputCol, HasOutputCol):
    """Fitted MinMaxScaler: ``originalMin`` and ``originalMax`` per feature."""

    min = MinMaxScaler.min
    max = MinMaxScaler.max

    def __repr__(self) -> str:
        return model_string(self, [("numFeatures", len(self.originalMin)),
                                   ("min", float(self.getOrDefault("min"))),
                                   ("max", float(self.getOrDefault("max")))])

    def __init__(self, originalMin: DenseVector | None = None,
                 originalMax: DenseVector | None = None):
        super().__init__()
        self._setDefault(min=0.0, max=1.0)
        self.originalMin, self.originalMax = originalMin, originalMax

    def _init_loaded(self) -> None:
        self.originalMin = self.originalMax = None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        MinMaxScaler._validate_params(self)  # type: ignore[arg-type]
        return vector_in_out_schema(self, schema)

    def _transform(self, dataset: Any) -> Any:
        kernel = _MinMaxKernel(self.originalMin.toArray(), self.originalMax.toArray(),
                               self.getMin(), self.getMax())
        column = partition_column("MinMaxScalerModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(len(self.originalMin))))

    def _save_data(self) -> pa.Table:
        return pa.table({"originalMin": vectors_to_arrow([self.originalMin]),
                         "originalMax": vectors_to_arrow([self.originalMax])})

    def _load_data(self, table: pa.Table) -> None:
        self.originalMin, self.originalMax = first_vector(table, "originalMin"), first_vector(table, "originalMax")


# -- MaxAbsScaler -----------------------------------------------------------------------------

class MaxAbsScaler(Estimator, HasInputCol, HasOutputCol):
    """Divides each feature by its largest absolute value, so it lands in [-1, 1]; no shift,
    so sparse vectors stay sparse."""

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCol: str | None = None,
                  outputCol: str | None = None) -> "MaxAbsScaler":
        return self._set(**self._input_kwargs)

    _model_transforms_blocks = True

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [moments_aggregation(self.getInputCol())]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "MaxAbsScalerModel":
        mom = results[0]
        if mom is None:
            raise _no_rows(self)
        max_abs = np.maximum(np.abs(mom["max"]), np.abs(mom["min"]))
        return self._copyValues(MaxAbsScalerModel(DenseVector(max_abs)))


class MaxAbsScalerModel(Model, HasInputCol, HasOutputCol):
    """Fitted MaxAbsScaler: ``maxAbs`` per feature."""

    def __repr__(self) -> str:
        return model_string(self, [("numFeatures", len(self.maxAbs))])

    def __init__(self, maxAbs: DenseVector | None = None):
        super().__init__()
        self.maxAbs = maxAbs

    def _init_loaded(self) -> None:
        self.maxAbs = None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _transform(self, dataset: Any) -> Any:
        m = self.maxAbs.toArray()
        kernel = _ScaleKernel(np.zeros_like(m), _inverse(m), False, True)
        column = partition_column("MaxAbsScalerModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(len(self.maxAbs))))

    def _save_data(self) -> pa.Table:
        return pa.table({"maxAbs": vectors_to_arrow([self.maxAbs])})

    def _load_data(self, table: pa.Table) -> None:
        self.maxAbs = first_vector(table, "maxAbs")


# -- RobustScaler -----------------------------------------------------------------------------

class _RobustParams(HasInputCol, HasOutputCol, HasRelativeError):
    lower = Param(Params._dummy(), "lower", "quantile at the bottom of the range, in [0, 1]",
                  TC.toFloat)
    upper = Param(Params._dummy(), "upper", "quantile at the top of the range, in [0, 1]",
                  TC.toFloat)
    withCentering = Param(Params._dummy(), "withCentering", "subtract the median first",
                          TC.toBoolean)
    withScaling = Param(Params._dummy(), "withScaling", "divide by the quantile range",
                        TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(lower=0.25, upper=0.75, withCentering=False, withScaling=True,
                         relativeError=0.001)

    def _check_quantiles(self) -> None:
        lo, hi, err = self.getLower(), self.getUpper(), self.getRelativeError()
        name = f"{type(self).__name__} ({self.uid})"
        if not (0.0 <= lo <= 1.0 and 0.0 <= hi <= 1.0):
            raise ValueError(f"{name}: lower ({lo}) and upper ({hi}) must be in [0, 1]")
        if not lo < hi:
            raise ValueError(f"{name}: lower ({lo}) must be smaller than upper ({hi})")
        if not 0.0 <= err <= 1.0:
            raise ValueError(f"{name}: relativeError ({err}) must be in [0, 1]")


class RobustScaler(Estimator, _RobustParams):
    """Scales each feature by its interquantile range (``upper`` minus ``lower`` quantile)
    and, with ``withCentering``, centers it at its median: robust to outliers. Quantiles come
    from a one-pass sketch with rank error at most ``relativeError * n`` (exact for up to
    4 / relativeError rows, where it agrees with Spark's whenever Spark's is exact); NaNs
    are ignored."""

    @keyword_only
    def __init__(self, *, lower: float = 0.25, upper: float = 0.75, withCentering: bool = False,
                 withScaling: bool = True, inputCol: str | None = None,
                 outputCol: str | None = None, relativeError: float = 0.001):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, lower: float = 0.25, upper: float = 0.75, withCentering: bool = False,
                  withScaling: bool = True, inputCol: str | None = None,
                  outputCol: str | None = None, relativeError: float = 0.001) -> "RobustScaler":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_quantiles()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        return [quantiles_aggregation(self.getInputCol(), self.getRelativeError())]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "RobustScalerModel":
        sketches = results[0]
        if sketches is None:
            raise _no_rows(self)
        err = self.getRelativeError()
        lo = np.array([sketch_query(s, self.getLower(), err) for s in sketches])
        hi = np.array([sketch_query(s, self.getUpper(), err) for s in sketches])
        med = np.array([sketch_query(s, 0.5, err) for s in sketches])
        return self._copyValues(RobustScalerModel(DenseVector(hi - lo), DenseVector(med)))


class RobustScalerModel(Model, _RobustParams):
    """Fitted RobustScaler: ``range`` (upper minus lower quantile) and ``median`` per feature."""

    def __repr__(self) -> str:
        return model_string(self, [("numFeatures", len(self.median)),
                                   ("withCentering", self.getOrDefault("withCentering")),
                                   ("withScaling", self.getOrDefault("withScaling"))])

    def __init__(self, range: DenseVector | None = None, median: DenseVector | None = None):
        super().__init__()
        self.range, self.median = range, median

    def _init_loaded(self) -> None:
        self.range = self.median = None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return vector_in_out_schema(self, schema)

    def _transform(self, dataset: Any) -> Any:
        rng = self.range.toArray()
        scale = _inverse(rng) if self.getWithScaling() else np.ones_like(rng)
        kernel = _ScaleKernel(self.median.toArray(), scale, self.getWithCentering(), True)
        column = partition_column("RobustScalerModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(len(self.median))))

    def _save_data(self) -> pa.Table:
        return pa.table({"range": vectors_to_arrow([self.range]),
                         "median": vectors_to_arrow([self.median])})

    def _load_data(self, table: pa.Table) -> None:
        self.range, self.median = first_vector(table, "range"), first_vector(table, "median")
