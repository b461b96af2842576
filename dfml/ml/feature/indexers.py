"""Indexers and encoders: StringIndexer, IndexToString, OneHotEncoder.

StringIndexer's fit is one aggregation (value counts of every input column, merged across
partitions); its transform looks each partition's distinct values up in the fitted labels
(Arrow ``index_in`` on the partition's dictionary), so no Python runs per row. Numeric inputs
are indexed by their Spark string form ("1" for an integer, "1.0" for a double), as Spark
casts them. OneHotEncoder inside a Pipeline after a StringIndexer needs no pass over the data:
the category counts are the indexer's label counts (Spark reads them from column metadata).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ...sql import functions as F
from ...sql._engine import arrow_array
from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from .. import attributes
from ..base import column_counts, model_string
from ..base import (Aggregation, Estimator, Model, Transformer, in_out_columns,
                    partition_column, require_absent, require_column)
from ..linalg import VectorUDT, csr_to_arrow
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasHandleInvalid, HasInputCol, HasInputCols, HasOutputCol, HasOutputCols

__all__ = ["StringIndexer", "StringIndexerModel", "IndexToString", "OneHotEncoder",
           "OneHotEncoderModel"]

_ORDER_TYPES = ("frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc")


def _spark_strings(values: pa.Array) -> pa.Array:
    """Distinct values of a column as Spark's cast to string prints them."""
    t = values.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return values.cast(pa.large_string())
    if pa.types.is_floating(t):
        from ...sql.formatting import format_double
        if pa.types.is_float32(t):
            py = [None if v is None else format_double(float(repr(np.float32(v))))
                  for v in values.to_pylist()]
        else:
            py = [None if v is None else format_double(v) for v in values.to_pylist()]
        return pa.array(py, pa.large_string())
    return values.cast(pa.large_string())


def _value_counts(part: pd.DataFrame) -> list[tuple[pa.Array, np.ndarray]]:
    """Per column: (distinct non-null values as Spark strings, their counts)."""
    out = []
    for c in part.columns:
        arr = arrow_array(part[c])
        if len(arr) == arr.null_count:
            out.append((pa.array([], pa.large_string()), np.zeros(0, np.int64)))
            continue
        vc = pc.value_counts(arr.drop_null())
        out.append((_spark_strings(vc.field("values")), vc.field("counts").to_numpy()))
    return out


def _merge_value_counts(parts: list[Any]) -> Any:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    merged = []
    for i in range(len(parts[0])):
        keys = pa.concat_arrays([p[i][0] for p in parts])
        counts = np.concatenate([p[i][1] for p in parts])
        if len(keys) == 0:
            merged.append((keys, counts))
            continue
        t = pa.table({"k": keys, "n": counts}).group_by("k").aggregate([("n", "sum")])
        merged.append((t.column("k").combine_chunks(), t.column("n_sum").to_numpy()))
    return merged


def _ordered_labels(keys: pa.Array, counts: np.ndarray, order: str) -> list[str]:
    """Labels in Spark's order; frequency ties break by the label, ascending."""
    labels = keys.to_pylist()
    if order == "frequencyDesc":
        pairs = sorted(zip(labels, counts.tolist()), key=lambda kv: (-kv[1], kv[0]))
    elif order == "frequencyAsc":
        pairs = sorted(zip(labels, counts.tolist()), key=lambda kv: (kv[1], kv[0]))
    elif order == "alphabetDesc":
        pairs = sorted(zip(labels, counts.tolist()), key=lambda kv: kv[0], reverse=True)
    else:
        pairs = sorted(zip(labels, counts.tolist()), key=lambda kv: kv[0])
    return [k for k, _ in pairs]


class _StringIndexerParams(HasHandleInvalid, HasInputCol, HasInputCols, HasOutputCol,
                           HasOutputCols):
    stringOrderType = Param(Params._dummy(), "stringOrderType",
                            "how labels are ordered before they get indices: frequencyDesc, "
                            "frequencyAsc, alphabetDesc or alphabetAsc", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(handleInvalid="error", stringOrderType="frequencyDesc")

    def _check_params(self) -> None:
        if self.getStringOrderType() not in _ORDER_TYPES:
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): stringOrderType must be one of "
                f"{', '.join(_ORDER_TYPES)}, got {self.getStringOrderType()!r}")
        if self.getHandleInvalid() not in ("error", "skip", "keep"):
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): handleInvalid must be error, skip or keep, "
                f"got {self.getHandleInvalid()!r}")

    def _indexed_schema(self, schema: T.StructType) -> T.StructType:
        self._check_params()
        ins, outs = in_out_columns(self)
        fields = list(schema.fields)
        for i, o in zip(ins, outs):
            require_column(schema, i, (T.StringType, T.NumericType), self, "string or numeric")
            require_absent(schema, o, self)
            fields.append(T.StructField(o, T.DoubleType(), False))
        return T.StructType(fields)


class StringIndexer(Estimator, _StringIndexerParams):
    """Maps each distinct value of a string (or numeric) column to a double index, by default
    the most frequent value to 0.0."""

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None,
                 inputCols: list[str] | None = None, outputCols: list[str] | None = None,
                 handleInvalid: str = "error", stringOrderType: str = "frequencyDesc"):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, outputCol: str | None = None,
                  inputCols: list[str] | None = None, outputCols: list[str] | None = None,
                  handleInvalid: str = "error", stringOrderType: str = "frequencyDesc"
                  ) -> "StringIndexer":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()
        in_out_columns(self)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._indexed_schema(schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        ins, _ = in_out_columns(self)
        return [Aggregation(list(ins), _value_counts, _merge_value_counts,
                            label=f"value counts({', '.join(ins)})")]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "StringIndexerModel":
        ins, _ = in_out_columns(self)
        merged = results[0] or [(pa.array([], pa.large_string()), np.zeros(0, np.int64))] * len(ins)
        order = self.getStringOrderType()
        labels = [_ordered_labels(k, n, order) for k, n in merged]
        return self._copyValues(StringIndexerModel(labelsArray=labels))


class _IndexKernel:
    """Index of each value of one column in ``labels``; invalid rows per handleInvalid
    (error raises, keep gives len(labels), skip gives null so the row can be dropped)."""

    def __init__(self, labels: list[str], handle: str, column: str):
        self.labels, self.handle, self.column = pa.array(labels, pa.large_string()), handle, column

    def __call__(self, a: Any) -> pa.Array:
        arr = arrow_array(a)
        if len(arr) == 0:
            return pa.array([], pa.float64())
        if not pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_encode()
        keys = _spark_strings(arr.dictionary)
        pos = pc.index_in(keys, value_set=self.labels)          # per distinct value
        idx = pos.take(arr.indices)                             # per row, null if invalid
        if idx.null_count:
            bad = np.asarray(idx.is_null().to_numpy(zero_copy_only=False))
            if self.handle == "error":
                row = int(np.flatnonzero(bad)[0])
                if not arr[row].is_valid:
                    raise SparkException(
                        f"StringIndexer encountered NULL value in column `{self.column}`. To "
                        f"handle or skip NULLS, set handleInvalid to 'keep' or 'skip'.")
                label = keys[arr.indices[row].as_py()].as_py()
                raise SparkException(
                    f"Unseen label: {label} in column `{self.column}`. To handle unseen "
                    f"labels, set Param handleInvalid to keep.")
            if self.handle == "keep":
                idx = pc.fill_null(idx, len(self.labels))
        return idx.cast(pa.float64())


class StringIndexerModel(Model, _StringIndexerParams):
    """Fitted StringIndexer: one list of labels per input column (index = position)."""

    def __repr__(self) -> str:
        return model_string(self, [("handleInvalid", self.getHandleInvalid())]
                            + column_counts(self))

    def __init__(self, labels: list[str] | None = None,
                 labelsArray: list[list[str]] | None = None):
        super().__init__()
        if labels is not None and labelsArray is None:
            labelsArray = [list(labels)]
        self._labels = [list(map(str, ls)) for ls in (labelsArray or [])]

    def _init_loaded(self) -> None:
        self._labels = []

    @classmethod
    def from_labels(cls, labels: list[str], inputCol: str, outputCol: str | None = None,
                    handleInvalid: str | None = None) -> "StringIndexerModel":
        """A model from known labels, without fitting."""
        m = cls(labelsArray=[list(labels)])
        m._set(inputCol=inputCol)
        if outputCol is not None:
            m._set(outputCol=outputCol)
        if handleInvalid is not None:
            m._set(handleInvalid=handleInvalid)
        return m

    @classmethod
    def from_arrays_of_labels(cls, arrayOfLabels: list[list[str]], inputCols: list[str],
                              outputCols: list[str] | None = None,
                              handleInvalid: str | None = None) -> "StringIndexerModel":
        """A multi-column model from known labels, without fitting."""
        m = cls(labelsArray=[list(ls) for ls in arrayOfLabels])
        m._set(inputCols=list(inputCols))
        if outputCols is not None:
            m._set(outputCols=list(outputCols))
        if handleInvalid is not None:
            m._set(handleInvalid=handleInvalid)
        return m

    @property
    def labels(self) -> list[str]:
        """The labels of the only input column (use labelsArray with several)."""
        if len(self._labels) != 1:
            raise IllegalArgumentException(
                f"StringIndexerModel ({self.uid}) has {len(self._labels)} input columns: use "
                f"labelsArray")
        return list(self._labels[0])

    @property
    def labelsArray(self) -> list[list[str]]:
        return [list(ls) for ls in self._labels]

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        out = self._indexed_schema(schema)
        ins, _ = in_out_columns(self)
        if len(ins) != len(self._labels):
            raise IllegalArgumentException(
                f"StringIndexerModel ({self.uid}): {len(ins)} input columns but labels for "
                f"{len(self._labels)}")
        return out

    def _transform(self, dataset: Any) -> Any:
        ins, outs = in_out_columns(self)
        handle = self.getHandleInvalid()
        dataset = dataset.withColumns({  # one projection for all outputs: fewer plan layers
            o: partition_column("StringIndexerModel", [i], _IndexKernel(labels, handle, i),
                                T.DoubleType(), nullable=handle == "skip").alias(
                o, metadata=attributes.nominal(
                    o, list(labels) + (["__unknown"] if handle == "keep" else [])))
            for i, o, labels in zip(ins, outs, self._labels)})
        if handle == "skip":
            cond = None
            for o in outs:
                c = F.col(o).isNotNull()
                cond = c if cond is None else cond & c
            dataset = dataset.filter(cond)
        return dataset

    def _save_data(self) -> pa.Table:
        return pa.table({"labelsArray": pa.array([self._labels],
                                                 pa.list_(pa.list_(pa.string())))})

    def _load_data(self, table: pa.Table) -> None:
        self._labels = [list(ls) for ls in table.column("labelsArray")[0].as_py()]


# ---------------------------------------------------------------- IndexToString

class _LabelKernel:
    def __init__(self, labels: list[str], column: str):
        self.labels, self.column = pa.array(labels, pa.large_string()), column

    def __call__(self, a: Any) -> pa.Array:
        arr = arrow_array(a).cast(pa.float64())
        v = arr.fill_null(-1.0).to_numpy(zero_copy_only=False)
        ok = (v >= 0) & (v < len(self.labels)) & (v == np.floor(v))
        valid = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False)) if len(arr) else ok
        if (valid & ~ok).any():
            bad = v[np.flatnonzero(valid & ~ok)[0]]
            raise SparkException(f"Unseen index: {bad} ?? (column `{self.column}`, "
                                 f"{len(self.labels)} labels)")
        return self.labels.take(pa.array(np.where(ok, v, 0).astype(np.int64), mask=~ok))


class IndexToString(Transformer, HasInputCol, HasOutputCol):
    """Maps a column of indices back to labels (the inverse of a StringIndexerModel)."""

    labels = Param(Params._dummy(), "labels", "the label of each index", TC.toListString)

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None,
                 labels: list[str] | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, outputCol: str | None = None,
                  labels: list[str] | None = None) -> "IndexToString":
        return self._set(**self._input_kwargs)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        i, o = self.getInputCol(), self.getOutputCol()
        require_column(schema, i, (T.NumericType,), self, "numeric")
        require_absent(schema, o, self)
        self._labels_for(schema)
        return T.StructType(list(schema.fields) + [T.StructField(o, T.StringType(), True)])

    def _labels_for(self, schema: T.StructType) -> list[str]:
        """The labels param if set, else the input column's nominal values (its metadata, as a
        StringIndexer writes it)."""
        if self.isDefined("labels") and self.getLabels():
            return list(self.getLabels())
        values = attributes.nominal_values(schema[self.getInputCol()])
        if values is None:
            raise IllegalArgumentException(
                f"IndexToString ({self.uid}): labels is not set and the input column "
                f"`{self.getInputCol()}` carries no nominal labels in its metadata (a "
                f"StringIndexer's output does)")
        return values

    def _transform(self, dataset: Any) -> Any:
        kernel = _LabelKernel(self._labels_for(dataset.schema), self.getInputCol())
        return dataset.withColumn(self.getOutputCol(), partition_column(
            "IndexToString", [self.getInputCol()], kernel, T.StringType()))


# ---------------------------------------------------------------- OneHotEncoder

def _one_hot_attributes(field: T.StructField, size: int, keep: bool, drop: bool) -> dict:
    """One binary slot per category, named by the input's nominal values (else 0, 1, ...),
    an ``invalidValues`` slot with handleInvalid='keep', the last slot left out with dropLast."""
    names = attributes.nominal_values(field) or [str(j) for j in range(size)]
    names = list(names[:size]) + (["invalidValues"] if keep else [])
    if drop:
        names = names[:-1]
    return attributes.vector_group([("binary", {"name": n}) for n in names])


class _OneHotParams(HasHandleInvalid, HasInputCol, HasInputCols, HasOutputCol, HasOutputCols):
    dropLast = Param(Params._dummy(), "dropLast", "leave the last category out of the vector",
                     TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(handleInvalid="error", dropLast=True)

    def _check_params(self) -> None:
        if self.getHandleInvalid() not in ("error", "keep"):
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): handleInvalid must be error or keep, got "
                f"{self.getHandleInvalid()!r}")

    def _encoded_schema(self, schema: T.StructType) -> T.StructType:
        self._check_params()
        ins, outs = in_out_columns(self)
        fields = list(schema.fields)
        for i, o in zip(ins, outs):
            require_column(schema, i, (T.NumericType,), self, "numeric")
            require_absent(schema, o, self)
            fields.append(T.StructField(o, VectorUDT(), True))
        return T.StructType(fields)


def _max_index_chunk(part: pd.DataFrame) -> list[float]:
    out = []
    for c in part.columns:
        v = arrow_array(part[c]).cast(pa.float64()).drop_null().to_numpy(zero_copy_only=False)
        bad = (v < 0) | (v != np.floor(v))
        if bad.any():
            raise IllegalArgumentException(
                f"OneHotEncoder: values of column `{c}` must be indices (non-negative "
                f"integers), got {v[bad][0]}")
        out.append(float(v.max()) if len(v) else -1.0)
    return out


def _max_combine(parts: list[Any]) -> Any:
    parts = [p for p in parts if p is not None]
    return [max(vs) for vs in zip(*parts)] if parts else None


class OneHotEncoder(Estimator, _OneHotParams):
    """Maps category indices to sparse one-hot vectors; the number of categories of a column is
    its largest index plus one (or, after a StringIndexer in a Pipeline, its label count)."""

    @keyword_only
    def __init__(self, *, inputCols: list[str] | None = None, outputCols: list[str] | None = None,
                 handleInvalid: str = "error", dropLast: bool = True,
                 inputCol: str | None = None, outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCols: list[str] | None = None,
                  outputCols: list[str] | None = None, handleInvalid: str = "error",
                  dropLast: bool = True, inputCol: str | None = None,
                  outputCol: str | None = None) -> "OneHotEncoder":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()
        in_out_columns(self)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._encoded_schema(schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        ins, _ = in_out_columns(self)
        return [Aggregation(list(ins), _max_index_chunk, _max_combine, label="max index")]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "OneHotEncoderModel":
        ins, _ = in_out_columns(self)
        maxes = results[0] or [-1.0] * len(ins)
        # as Spark: a nominal input's number of values (its metadata) is its category count;
        # the data's largest index only counts for inputs without one
        sizes = []
        for c, m in zip(ins, maxes):
            values = attributes.nominal_values(schema[c]) if c in schema.names else None
            sizes.append(len(values) if values is not None else int(m) + 1)
        return self._copyValues(OneHotEncoderModel(sizes))

    # inside a Pipeline: sizes from the StringIndexerModels that wrote the inputs
    def _can_fit_without_data(self, schema: T.StructType, sources: dict[str, Any]) -> bool:
        ins, _ = in_out_columns(self)
        return all(isinstance(sources.get(c), (StringIndexer, StringIndexerModel)) for c in ins)

    def _fit_without_data(self, upstream: dict[str, Any], schema: T.StructType
                          ) -> "OneHotEncoderModel | None":
        ins, _ = in_out_columns(self)
        sizes = []
        for c in ins:
            m = upstream.get(c)
            if not isinstance(m, StringIndexerModel):
                return None
            _, outs = in_out_columns(m)
            labels = m.labelsArray[outs.index(c)]
            sizes.append(len(labels) + (1 if m.getHandleInvalid() == "keep" else 0))
        return self._copyValues(OneHotEncoderModel(sizes))


class _OneHotKernel:
    def __init__(self, size: int, keep: bool, drop_last: bool, column: str):
        self.size, self.keep, self.drop_last, self.column = size, keep, drop_last, column

    def __call__(self, a: Any) -> pa.Array:
        arr = arrow_array(a).cast(pa.float64())
        n = len(arr)
        null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False)) if n else np.zeros(0, bool)
        v = arr.fill_null(0.0).to_numpy(zero_copy_only=False) if n else np.zeros(0)
        ok = (v >= 0) & (v < self.size) & (v == np.floor(v))
        bad = ~ok & ~null
        if bad.any():
            x = v[np.flatnonzero(bad)[0]]
            if not self.keep:
                what = "Negative value" if x < 0 else "Unseen value"
                raise SparkException(
                    f"{what}: {x} in column `{self.column}` ({self.size} categories). To handle "
                    f"invalid values, set Param handleInvalid to keep.")
        idx = np.where(ok, v, self.size).astype(np.int64)   # invalid -> the extra category
        width = self.size + (1 if self.keep else 0) - (1 if self.drop_last else 0)
        hot = idx < width
        rows = np.flatnonzero(hot & ~null)
        indptr = np.zeros(n + 1, np.int64)
        indptr[1:] = np.cumsum(hot & ~null)
        m = sp.csr_matrix((np.ones(len(rows)), idx[rows].astype(np.int32), indptr), shape=(n, width))
        return csr_to_arrow(m, mask=null)


class OneHotEncoderModel(Model, _OneHotParams):
    """Fitted OneHotEncoder: the number of categories of each input column."""

    def __repr__(self) -> str:
        return model_string(self, [("dropLast", self.getDropLast()),
                                   ("handleInvalid", self.getHandleInvalid())]
                            + column_counts(self))

    def __init__(self, categorySizes: list[int] | None = None):
        super().__init__()
        self._sizes = [int(s) for s in (categorySizes or [])]

    def _init_loaded(self) -> None:
        self._sizes = []

    @property
    def categorySizes(self) -> list[int]:
        return list(self._sizes)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        out = self._encoded_schema(schema)
        ins, _ = in_out_columns(self)
        if len(ins) != len(self._sizes):
            raise IllegalArgumentException(
                f"OneHotEncoderModel ({self.uid}): {len(ins)} input columns but category sizes "
                f"for {len(self._sizes)}")
        return out

    def _transform(self, dataset: Any) -> Any:
        ins, outs = in_out_columns(self)
        keep, drop = self.getHandleInvalid() == "keep", self.getDropLast()
        schema = dataset.schema
        return dataset.withColumns({  # one projection for all outputs: fewer plan layers
            o: partition_column("OneHotEncoderModel", [i], _OneHotKernel(k, keep, drop, i),
                                VectorUDT()).alias(o, metadata=_one_hot_attributes(
                                    schema[i], k, keep, drop))
            for i, o, k in zip(ins, outs, self._sizes)})

    def _save_data(self) -> pa.Table:
        return pa.table({"categorySizes": pa.array([self._sizes], pa.list_(pa.int32()))})

    def _load_data(self, table: pa.Table) -> None:
        self._sizes = [int(s) for s in table.column("categorySizes")[0].as_py()]
