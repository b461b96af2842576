"""Vector stages: DCT, VectorSizeHint, VectorIndexer.

DCT is a per-partition scipy transform (the orthonormal DCT-II, or its inverse). VectorSizeHint
writes the size into the column's ML attributes, so stages downstream (VectorAssembler) know it
without reading a row, and checks rows against it. VectorIndexer's fit is one aggregation (the
distinct values of every slot, each set capped at ``maxCategories + 1`` since a larger one only
says "continuous"), so ``Pipeline.fit`` fuses it with other aggregation fits; its model rewrites
the stored values of each vector in place (a sparse row keeps its indices) and writes nominal or
binary attributes, which tree learners read to treat those slots as categorical.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ...sql import functions as F
from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from ...sql.formatting import format_double
from ..base import (Aggregation, Estimator, Model, Transformer, model_string, partition_column,
                    require_absent, require_column)
from ..linalg import VECTOR_ARROW_TYPE, VectorUDT, as_struct_array, dense_to_arrow, to_matrix
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasHandleInvalid, HasInputCol, HasOutputCol
from .scalers import map_vector_rows
from .selectors import attr_group, input_slots

__all__ = ["DCT", "VectorSizeHint", "VectorIndexer", "VectorIndexerModel"]


def _who(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def _in_out(stage: Any, schema: T.StructType) -> T.StructType:
    require_column(schema, stage.getInputCol(), (VectorUDT,), stage, "a vector")
    require_absent(schema, stage.getOutputCol(), stage)
    return T.StructType(list(schema.fields) + [T.StructField(stage.getOutputCol(), VectorUDT(), True)])


def _row_sizes(arr: pa.StructArray) -> np.ndarray:
    kinds, sizes, _, values = arr.flatten()
    dense_len = np.diff(values.offsets.to_numpy())
    return np.where(kinds.fill_null(1).to_numpy(zero_copy_only=False) == 0,
                    sizes.fill_null(-1).to_numpy(zero_copy_only=False), dense_len)


# -- DCT --------------------------------------------------------------------------------------

class _DCTKernel:
    def __init__(self, inverse: bool):
        self.inverse = inverse

    def __call__(self, a: Any) -> pa.Array:
        return map_vector_rows(a, self._rows)

    def _rows(self, m: Any, sparse_rows: np.ndarray) -> pa.Array:
        from scipy.fft import dct, idct
        d = m.toarray() if hasattr(m, "toarray") else np.asarray(m, dtype=float)
        if d.shape[1] == 0:
            return dense_to_arrow(d)
        fn = idct if self.inverse else dct
        return dense_to_arrow(fn(d, type=2, norm="ortho", axis=1))


class DCT(Transformer, HasInputCol, HasOutputCol):
    """The discrete cosine transform of each vector, scaled so the transform is orthonormal
    (DCT-II; ``inverse`` gives its inverse, DCT-III). The output is always dense."""

    inverse = Param(Params._dummy(), "inverse", "apply the inverse transform", TC.toBoolean)

    @keyword_only
    def __init__(self, *, inverse: bool = False, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._setDefault(inverse=False)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inverse: bool = False, inputCol: str | None = None,
                  outputCol: str | None = None) -> "DCT":
        return self._set(**self._input_kwargs)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return _in_out(self, schema)

    def _transform(self, dataset: Any) -> Any:
        column = partition_column("DCT", [self.getInputCol()], _DCTKernel(self.getInverse()),
                                  VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column)


# -- VectorSizeHint ---------------------------------------------------------------------------

class _SizeKernel:
    """Checks each row's size: ``error`` fails on a null or a wrong size, ``skip`` nulls such
    rows (they are dropped after)."""

    def __init__(self, size: int, handle: str):
        self.size, self.handle = size, handle

    def __call__(self, a: Any) -> pa.Array:
        arr = as_struct_array(a)
        if len(arr) == 0:
            return pa.array([], type=VECTOR_ARROW_TYPE)
        null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
        bad = null | (_row_sizes(arr) != self.size)
        if self.handle == "error" and bad.any():
            if null[bad].any():
                raise SparkException("Got null vector in VectorSizeHint, set `handleInvalid` "
                                     "to 'skip' to filter invalid rows.")
            got = int(_row_sizes(arr)[bad][0])
            raise SparkException(f"VectorSizeHint Expecting a vector of size {self.size} but "
                                 f"got {got}")
        if not bad.any():
            return arr
        return pa.StructArray.from_arrays(arr.flatten(), fields=list(VECTOR_ARROW_TYPE),
                                          mask=pa.array(bad))


class VectorSizeHint(Transformer, HasInputCol, HasHandleInvalid):
    """Declares the size of the vectors in ``inputCol``: the column keeps its name and gains
    the size in its ML attributes. ``handleInvalid``: ``error`` (a null or wrongly sized vector
    fails), ``skip`` (such rows are dropped) or ``optimistic`` (rows are not checked)."""

    size = Param(Params._dummy(), "size", "the size of the vectors", TC.toInt)

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, size: int | None = None,
                 handleInvalid: str = "error"):
        super().__init__()
        self._setDefault(handleInvalid="error")
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, size: int | None = None,
                  handleInvalid: str = "error") -> "VectorSizeHint":
        return self._set(**self._input_kwargs)

    def _checked(self, schema: T.StructType) -> tuple[int, dict]:
        """(size, the column's metadata after this stage)."""
        for p in ("inputCol", "size"):
            if not self.isDefined(p):
                raise IllegalArgumentException(f"{_who(self)}: set {p}")
        size = self.getSize()
        if size < 0:
            raise IllegalArgumentException(f"{_who(self)}: size must be >= 0, got {size}")
        if self.getHandleInvalid() not in ("error", "skip", "optimistic"):
            raise IllegalArgumentException(f"{_who(self)}: handleInvalid must be error, skip or "
                                           f"optimistic, got {self.getHandleInvalid()!r}")
        col = self.getInputCol()
        require_column(schema, col, (VectorUDT,), self, "a vector")
        meta = dict(schema[col].metadata or {})
        known = (meta.get("ml_attr") or {}).get("num_attrs")
        if known is None:
            return size, {**meta, "ml_attr": {"num_attrs": size}}
        if int(known) != size:
            raise IllegalArgumentException(f"{_who(self)}: size of vectors in `{col}` ({known}) "
                                           f"does not match VectorSizeHint size ({size})")
        return size, meta

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        _, meta = self._checked(schema)
        col = self.getInputCol()
        return T.StructType([T.StructField(f.name, f.dataType, f.nullable, meta)
                             if f.name == col else f for f in schema.fields])

    def _transform(self, dataset: Any) -> Any:
        size, meta = self._checked(dataset.schema)
        col, handle = self.getInputCol(), self.getHandleInvalid()
        if handle == "optimistic":
            if (dataset.schema[col].metadata or {}).get("ml_attr", {}).get("num_attrs") == size:
                return dataset
            return dataset.withColumn(col, F.col(col).alias(col, metadata=meta))
        column = partition_column("VectorSizeHint", [col], _SizeKernel(size, handle), VectorUDT())
        out = dataset.withColumn(col, column.alias(col, metadata=meta))
        return out.filter(F.col(col).isNotNull()) if handle == "skip" else out


# -- VectorIndexer ----------------------------------------------------------------------------

def _distinct_chunk(col: str, cap: int) -> Any:
    def chunk(part: Any) -> Any:
        arr = as_struct_array(part[col])
        if arr.null_count:
            raise SparkException(f"VectorIndexer: column `{col}` holds a null vector")
        if len(arr) == 0:
            return None
        m = to_matrix(arr)
        d = m.toarray() if hasattr(m, "toarray") else np.asarray(m, dtype=float)
        return [np.unique(d[:, j])[:cap] for j in range(d.shape[1])]
    return chunk


def _distinct_combine(col: str, cap: int) -> Any:
    def combine(parts: list) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        if len({len(p) for p in parts}) > 1:
            raise SparkException(f"VectorIndexer: vectors of different sizes in column `{col}`")
        return [np.unique(np.concatenate([p[j] for p in parts]))[:cap]
                for j in range(len(parts[0]))]
    return combine


def category_map(values: np.ndarray) -> dict[float, int]:
    """Spark's category indices of one slot's distinct values: 0.0 (if present) gets 0, then
    the other values in increasing order (NaN last)."""
    nonzero = [float(v) for v in values if v != 0.0]
    ordered = ([0.0] if len(nonzero) < len(values) else []) + nonzero
    return {v: i for i, v in enumerate(ordered)}


class _IndexerParams(HasInputCol, HasOutputCol, HasHandleInvalid):
    maxCategories = Param(Params._dummy(), "maxCategories", "a slot with at most this many "
                          "distinct values is categorical", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxCategories=20, handleInvalid="error")

    def _check(self) -> None:
        if self.getMaxCategories() <= 1:
            raise IllegalArgumentException(f"{_who(self)}: maxCategories must be at least 2, got "
                                           f"{self.getMaxCategories()}")
        if self.getHandleInvalid() not in ("error", "skip", "keep"):
            raise IllegalArgumentException(f"{_who(self)}: handleInvalid must be error, skip or "
                                           f"keep, got {self.getHandleInvalid()!r}")


class VectorIndexer(Estimator, _IndexerParams):
    """Finds the slots of a vector column with at most ``maxCategories`` distinct values and
    indexes their values (0.0 first, then the others in increasing order); other slots pass
    through. ``handleInvalid`` says what a value unseen in the fit does: ``error``, ``skip``
    (drop the row) or ``keep`` (index = number of categories)."""

    @keyword_only
    def __init__(self, *, maxCategories: int = 20, inputCol: str | None = None,
                 outputCol: str | None = None, handleInvalid: str = "error"):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, maxCategories: int = 20, inputCol: str | None = None,
                  outputCol: str | None = None, handleInvalid: str = "error") -> "VectorIndexer":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return _in_out(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        col, cap = self.getInputCol(), self.getMaxCategories() + 1
        return [Aggregation([col], _distinct_chunk(col, cap), _distinct_combine(col, cap),
                            label=f"distinct values({col})")]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "VectorIndexerModel":
        values = results[0]
        if values is None:
            raise ValueError(f"{_who(self)}: the input has no rows to fit on")
        limit = self.getMaxCategories()
        maps = {j: category_map(v) for j, v in enumerate(values) if len(v) <= limit}
        return self._copyValues(VectorIndexerModel(len(values), maps))


class _IndexKernel:
    """Rewrites the stored values at categorical slots of every row (dense rows: every slot;
    sparse rows: their stored entries, so implicit zeros stay zero)."""

    def __init__(self, num_features: int, maps: dict[int, dict[float, int]], handle: str):
        self.n, self.handle = num_features, handle
        self.tables = {}
        for j, m in maps.items():
            items = sorted(m.items(), key=lambda kv: (kv[0] != kv[0], kv[0]))  # NaN last
            self.tables[j] = (np.array([k for k, _ in items], dtype=float),
                              np.array([i for _, i in items], dtype=float), len(m))

    def __call__(self, a: Any) -> pa.Array:
        arr = as_struct_array(a)
        if len(arr) == 0:
            return pa.array([], type=VECTOR_ARROW_TYPE)
        null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
        sizes = _row_sizes(arr)
        if (sizes[~null] != self.n).any():
            raise SparkException(f"VectorIndexerModel expected vectors of size {self.n} but got "
                                 f"one of size {int(sizes[~null][sizes[~null] != self.n][0])}")
        kinds, size, indices, values = arr.flatten()
        off = values.offsets.to_numpy()
        flat = values.values.to_numpy(zero_copy_only=False)[off[0]:off[-1]].astype(float)
        offsets = off - off[0]
        lens = np.diff(offsets)
        pos = np.arange(len(flat), dtype=np.int64) - np.repeat(offsets[:-1], lens)
        sparse = kinds.fill_null(1).to_numpy(zero_copy_only=False) == 0
        if sparse.any():
            ioff = indices.offsets.to_numpy()
            iflat = indices.values.to_numpy(zero_copy_only=False)[ioff[0]:ioff[-1]]
            pos[np.repeat(sparse, lens)] = iflat[np.repeat(sparse, np.diff(ioff))]
        row_of = np.repeat(np.arange(len(arr)), lens)
        live = ~np.repeat(null, lens)
        bad_rows = np.zeros(len(arr), dtype=bool)
        for j, (keys, idx, count) in self.tables.items():
            at = np.flatnonzero((pos == j) & live)
            if not len(at):
                continue
            v = flat[at]
            k = np.clip(np.searchsorted(keys, v), 0, len(keys) - 1)
            hit = keys[k] == v           # NaN matches nothing, as in Spark
            if not hit.all():
                if self.handle == "error":
                    bad = format_double(float(v[~hit][0]))
                    raise SparkException(
                        f"VectorIndexer encountered invalid value {bad} on "
                        f"feature index {j}. To handle or skip invalid value, try setting "
                        f"VectorIndexer.handleInvalid.")
                if self.handle == "skip":
                    bad_rows[row_of[at[~hit]]] = True
            flat[at] = np.where(hit, idx[k], float(count))
        new_values = pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(flat),
                                                   type=VECTOR_ARROW_TYPE.field("values").type)
        return pa.StructArray.from_arrays([kinds, size, indices, new_values],
                                          fields=list(VECTOR_ARROW_TYPE),
                                          mask=pa.array(null | bad_rows))


class VectorIndexerModel(Model, _IndexerParams):
    """Fitted VectorIndexer: ``numFeatures`` and ``categoryMaps`` (slot -> value -> index)."""

    def __init__(self, numFeatures: int | None = None,
                 categoryMaps: dict[int, dict[float, int]] | None = None):
        super().__init__()
        self.numFeatures = numFeatures
        self.categoryMaps = categoryMaps

    def _init_loaded(self) -> None:
        self.numFeatures = self.categoryMaps = None

    def __repr__(self) -> str:
        return model_string(self, [("numFeatures", self.numFeatures),
                                   ("handleInvalid", self.getOrDefault("handleInvalid"))])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        self._check()
        out = _in_out(self, schema)
        return T.StructType(out.fields[:-1] + [T.StructField(
            self.getOutputCol(), VectorUDT(), True, self._output_metadata(schema))])

    def _slot_attrs(self) -> list[tuple[str, dict]]:
        keep = self.getHandleInvalid() == "keep"
        slots: list[tuple[str, dict]] = []
        for j in range(self.numFeatures):
            m = self.categoryMaps.get(j)
            if m is None:
                slots.append(("numeric", {}))
                continue
            nan = [v for v in m if v != v]
            vals = [format_double(v) for v in sorted(v for v in m if v == v)] + \
                [format_double(v) for v in nan] + (["__unknown"] if keep else [])
            if len(vals) == 2 and not keep:
                slots.append(("binary", {"vals": vals}))
            else:
                slots.append(("nominal", {"ord": False, "vals": vals}))
        return slots

    def _output_metadata(self, schema: T.StructType) -> dict:
        slots = self._slot_attrs()
        given = input_slots(schema[self.getInputCol()])
        if given is not None and len(given) == len(slots):
            merged = []
            for (kind, attr), (gkind, gattr) in zip(slots, given):
                if kind == "numeric":
                    merged.append((gkind, gattr))
                else:
                    merged.append((kind, {**({"name": gattr["name"]} if "name" in gattr else {}),
                                          **attr}))
            slots = merged
        return attr_group(slots)

    def _transform(self, dataset: Any) -> Any:
        kernel = _IndexKernel(self.numFeatures, self.categoryMaps, self.getHandleInvalid())
        out_col = self.getOutputCol()
        column = partition_column("VectorIndexerModel", [self.getInputCol()], kernel, VectorUDT())
        out = dataset.withColumn(out_col, column.alias(
            out_col, metadata=self._output_metadata(dataset.schema)))
        return out.filter(F.col(out_col).isNotNull()) if self.getHandleInvalid() == "skip" else out

    def _save_data(self) -> pa.Table:
        inner = pa.map_(pa.float64(), pa.int32())
        maps = [(int(j), [(float(v), int(i)) for v, i in m.items()])
                for j, m in sorted(self.categoryMaps.items())]
        return pa.table({"numFeatures": pa.array([self.numFeatures], pa.int32()),
                         "categoryMaps": pa.array([maps], pa.map_(pa.int32(), inner))})

    def _load_data(self, table: pa.Table) -> None:
        self.numFeatures = int(table.column("numFeatures")[0].as_py())
        raw = table.column("categoryMaps")[0].as_py() or []
        items = raw.items() if isinstance(raw, dict) else raw
        self.categoryMaps = {}
        for j, m in items:
            pairs = m.items() if isinstance(m, dict) else (m or [])
            self.categoryMaps[int(j)] = {float(v): int(i) for v, i in pairs}
