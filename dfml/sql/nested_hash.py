"""Spark's hashing of nested values (``hash``, ``xxhash64`` over arrays, structs and maps).

Spark folds a nested value into the running seed one leaf at a time: an array's elements in
order, a struct's fields in order, a map's entries as key then value; a null (value, element or
field) leaves the seed as it was. Rows are independent, so the fold runs column-wise: element
position ``j`` of every row that has one is hashed in one vectorized call of the atomic hash."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa

from . import types as T

# (column, its Spark type, seeds per row) -> new seeds; nulls keep their row's seed
Leaf = Callable[[pa.Array, T.DataType, np.ndarray], np.ndarray]


def is_nested(dtype: T.DataType) -> bool:
    return isinstance(dtype, (T.ArrayType, T.StructType, T.MapType))


def _types_in(dtype: T.DataType) -> list[T.DataType]:
    """``dtype`` and every type nested in it (elements, keys, values, fields)."""
    if isinstance(dtype, T.ArrayType):
        inner = [dtype.elementType]
    elif isinstance(dtype, T.MapType):
        inner = [dtype.keyType, dtype.valueType]
    elif isinstance(dtype, T.StructType):
        inner = [f.dataType for f in dtype.fields]
    else:
        inner = []
    return [dtype] + [x for t in inner for x in _types_in(t)]


def check_hashable(name: str, sql: str, dtypes: list[T.DataType], supported: tuple) -> None:
    """Refuse, before any work runs, what the hash ``name`` cannot take: a map anywhere in a
    value (Spark refuses it: equal maps may hash differently), or an atomic type dfml does not
    hash yet."""
    from .errors import AnalysisException
    for dtype in dtypes:
        types = _types_in(dtype)
        if any(isinstance(x, T.MapType) for x in types):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.HASH_MAP_TYPE] Cannot resolve "{sql}" due to data type '
                f'mismatch: Input to the function `{name}` cannot contain elements of the "MAP" '
                'type. In Spark, same maps may have different hashcode, thus hash expressions '
                'are prohibited on "MAP" elements.', "DATATYPE_MISMATCH.HASH_MAP_TYPE")
        for leaf in types:
            if not is_nested(leaf) and not isinstance(leaf, supported):
                raise AnalysisException(
                    f'{name}() of a column holding "{leaf.simpleString().upper()}" values is not '
                    "supported by dfml yet", "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


def fold(a: pa.Array, dtype: T.DataType, seed: np.ndarray, leaf: Leaf) -> np.ndarray:
    """``seed`` after hashing each row's value of ``a`` (of Spark type ``dtype``) into it."""
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if isinstance(dtype, T.StructType):
        valid = _valid(a)
        out = seed.copy()
        for i, f in enumerate(dtype.fields):
            out = fold(a.field(i), f.dataType, out, leaf)
        return np.where(valid, out, seed)
    if isinstance(dtype, T.ArrayType):
        return _fold_positions(a, [(lambda v: v, dtype.elementType)], seed, leaf)
    if isinstance(dtype, T.MapType):
        return _fold_positions(a, [(lambda v: v.field(0), dtype.keyType),
                                   (lambda v: v.field(1), dtype.valueType)], seed, leaf)
    return leaf(a, dtype, seed)


def _valid(a: pa.Array) -> np.ndarray:
    return ~np.asarray(a.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _fold_positions(a: pa.Array, parts: list, seed: np.ndarray, leaf: Leaf) -> np.ndarray:
    """Arrays and maps: for position j = 0, 1, ..., hash element j of every row long enough."""
    if isinstance(a, pa.MapArray):
        values = pa.StructArray.from_arrays([a.keys, a.items], ["key", "value"])
    else:
        values = a.values
    offsets = np.asarray(a.offsets, dtype=np.int64)
    starts = offsets[:-1] - offsets[0]
    lengths = np.where(_valid(a), np.diff(offsets), 0)
    out = seed.copy()
    for j in range(int(lengths.max()) if len(lengths) else 0):
        rows = np.nonzero(lengths > j)[0]
        at = values.take(pa.array(starts[rows] + j))
        s = out[rows]
        for pick, t in parts:
            s = fold(pick(at), t, s, leaf)
        out[rows] = s
    return out
