"""``vector_to_array`` and ``array_to_vector``: vector columns to and from double arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..sql import Column, _engine
from ..sql import types as T
from ..sql.errors import AnalysisException
from .linalg import VectorUDT, as_struct_array, to_matrix

__all__ = ["vector_to_array", "array_to_vector"]


def _vector_to_array_kernel(dtype: str) -> Any:
    def kernel(arr: pa.ChunkedArray) -> pa.Array:
        struct = as_struct_array(arr)
        valid = ~np.asarray(struct.is_null().to_numpy(zero_copy_only=False))
        n = len(struct)
        out_t = pa.float64() if dtype == "float64" else pa.float32()
        if n == 0:
            return pa.array([], type=pa.large_list(out_t))
        safe = struct.filter(pa.array(valid))
        m = to_matrix(safe, sparse=False) if len(safe) else np.zeros((0, 0))
        d = m.shape[1] if m.ndim == 2 else 0
        lens = np.where(valid, d, 0)
        offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        values = pa.array(m.reshape(-1).astype(dtype))
        return pa.LargeListArray.from_arrays(pa.array(offsets), values,
                                             mask=pa.array(~valid) if (~valid).any() else None)
    return kernel


def vector_to_array(col: Any, dtype: str = "float64") -> Column:
    """A vector column as an array<double> (or array<float> with ``dtype="float32"``)."""
    if dtype not in ("float64", "float32"):
        raise ValueError(f"vector_to_array: dtype must be 'float64' or 'float32', got {dtype!r}")
    out = T.ArrayType(T.DoubleType() if dtype == "float64" else T.FloatType(), False)

    def check(types: list[T.DataType]) -> None:
        if not isinstance(types[0], VectorUDT):
            raise AnalysisException(f"vector_to_array needs a vector column, got "
                                    f"{types[0].simpleString()}")
    return _engine.column_kernel("vector_to_array", [col], _vector_to_array_kernel(dtype), out,
                                 nullable=None, check=check)


def _array_to_vector_kernel(arr: pa.ChunkedArray) -> pa.Array:
    a = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(a)
    valid = ~np.asarray(a.is_null().to_numpy(zero_copy_only=False)) if n else np.zeros(0, bool)
    a = a.cast(pa.large_list(pa.float64()))
    offsets = a.offsets.to_numpy()
    flat = a.values.to_numpy(zero_copy_only=False)[offsets[0]:offsets[-1]]
    lens = np.diff(offsets)
    from .linalg import assemble_vectors
    vo = pa.array((offsets - offsets[0]).astype(np.int64))
    values = pa.LargeListArray.from_arrays(vo, pa.array(flat, pa.float64()))
    return assemble_vectors(np.ones(n, dtype=np.int8), pa.nulls(n, pa.int32()),
                     pa.nulls(n, VectorUDT.arrowType().field("indices").type), values, ~valid)


def array_to_vector(col: Any) -> Column:
    """An array of numbers as a dense vector column."""
    def check(types: list[T.DataType]) -> None:
        if not isinstance(types[0], T.ArrayType) or not isinstance(types[0].elementType, T.NumericType):
            raise AnalysisException(f"array_to_vector needs an array of numbers, got "
                                    f"{types[0].simpleString()}")
    return _engine.column_kernel("array_to_vector", [col], _array_to_vector_kernel, VectorUDT(),
                                 nullable=None, check=check)


del pc
