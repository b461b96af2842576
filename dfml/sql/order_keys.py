"""Sort keys for arrays and structs: one binary string per value that sorts as Spark orders them.

Arrow's sort kernels (and so pandas' ``sort_values`` on Arrow columns) refuse list and struct
columns, while Spark orders them: arrays element by element, a null element before any value, a
shorter array before a longer one it starts; structs field by field, a null field first.
Encoding each value as bytes whose plain byte order is that order lets the usual sort do it:

- each element or field is a marker byte (``01`` null, ``02`` a value) and then the value's
  encoding; an array ends with ``00``, so a prefix sorts first;
- integers, dates and timestamps as 8 big-endian bytes with the sign bit flipped; floats as
  their IEEE bits made monotonic, with -0.0 as 0.0 and every NaN as one NaN above +inf (Spark's
  order for doubles); booleans as one byte; strings and binaries as their UTF-8 bytes with
  ``00`` escaped as ``00 ff`` and ``00 00`` at the end (so a prefix sorts first here too);
  decimals as doubles (their order, to double precision).

Every element encoding is prefix-free, so comparing two concatenations compares element by
element. A null top-level value keeps a null key: the sort's separate null flag places it.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Callable

import pandas as pd
import pyarrow as pa

_SIGN = 1 << 63
_NAN = struct.unpack(">Q", struct.pack(">d", math.nan))[0]


def _int(v: int) -> bytes:
    return ((v + _SIGN) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")


def _float(v: float) -> bytes:
    if v != v:
        bits = _NAN
    else:
        bits = struct.unpack(">Q", struct.pack(">d", v + 0.0))[0]  # + 0.0 turns -0.0 into 0.0
    return (bits ^ 0xFFFFFFFFFFFFFFFF if bits & _SIGN else bits | _SIGN).to_bytes(8, "big")


def _bytes(v: bytes) -> bytes:
    return v.replace(b"\x00", b"\x00\xff") + b"\x00\x00"


def _encoder(t: pa.DataType) -> Callable[[Any], bytes]:
    """A function from one Python value of Arrow type ``t`` (temporal types already cast to
    integers) to its key bytes."""
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        item = _encoder(t.value_type)
        return lambda v: b"".join(b"\x01" if x is None else b"\x02" + item(x) for x in v) + b"\x00"
    if pa.types.is_struct(t):
        fields = [(t.field(i).name, _encoder(t.field(i).type)) for i in range(t.num_fields)]
        return lambda v: b"".join(b"\x01" if v[n] is None else b"\x02" + enc(v[n])
                                  for n, enc in fields)
    if pa.types.is_boolean(t):
        return lambda v: b"\x01" if v else b"\x00"
    if pa.types.is_integer(t):
        return _int
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return lambda v: _float(float(v))
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return lambda v: _bytes(v.encode("utf-8"))
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return _bytes
    raise TypeError(f"cannot order values of type {t}")


def _map_leaves(t: pa.DataType, leaf: Callable[[pa.DataType], pa.DataType]) -> pa.DataType:
    """``t`` with ``leaf`` applied to every non-nested type inside its lists and structs."""
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return pa.large_list(_map_leaves(t.value_type, leaf))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _map_leaves(f.type, leaf), f.nullable) for f in t])
    return leaf(t)


def _temporal_as_int64(t: pa.DataType) -> pa.DataType:
    """Dates, times, timestamps and durations as int64 (their counts)."""
    return pa.int64() if pa.types.is_temporal(t) else t


def _date32_as_int32(t: pa.DataType) -> pa.DataType:
    """Arrow casts date32 to int32 (not int64) directly: the first of two casts."""
    return pa.int32() if pa.types.is_date32(t) else t


def order_key(values: pd.Series) -> pd.Series:
    """The binary sort key of each array or struct in ``values`` (one partition)."""
    from .kernels import arrow_of
    return pd.Series(pd.arrays.ArrowExtensionArray(order_key_array(arrow_of(values))),
                     index=values.index, name=values.name)


def order_key_column(values: Any) -> Any:
    """A dask Series of arrays or structs as its binary order keys, partition by partition (for
    sorts, window keys and deduplication, where Arrow refuses nested values)."""
    return values.map_partitions(order_key, meta=pd.Series(
        [], dtype=pd.ArrowDtype(pa.binary()), name=values.name))


def order_key_array(arr: pa.Array) -> pa.Array:
    """``order_key`` over an Arrow array: equal values get equal keys, so the keys also group
    and deduplicate nested values, which Arrow's hash kernels refuse."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    plain = _map_leaves(arr.type, _temporal_as_int64)
    if plain != arr.type:
        arr = arr.cast(_map_leaves(arr.type, _date32_as_int32)).cast(plain)
    encode = _encoder(plain)
    return pa.array([None if v is None else encode(v) for v in arr.to_pylist()], pa.binary())


def holds_list(t: pa.DataType) -> bool:
    """Whether Arrow type ``t`` is or contains a list (Arrow cannot hash it as a key)."""
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) \
            or pa.types.is_map(t):
        return True
    return pa.types.is_struct(t) and any(holds_list(t.field(i).type) for i in range(t.num_fields))



def _tuple_keys(*parts: pd.Series) -> pd.Series:
    import pyarrow.compute as pc

    from .kernels import arrow_of
    keys = [order_key_array(arrow_of(p)).cast(pa.large_binary()) for p in parts]
    joined = pc.binary_join_element_wise(*keys, pa.scalar(b"", pa.large_binary()))
    return pd.Series(pd.arrays.ArrowExtensionArray(joined.cast(pa.binary())),
                     index=parts[0].index)


def tuple_key_column(columns: list[Any]) -> Any:
    """One binary key per row for a tuple of dask Series (null where any of them is null):
    ``count(DISTINCT a, b)`` counts the distinct keys, as Spark counts the distinct tuples of
    rows with no null. Each value's key delimits itself, so the joined keys are equal only when
    every value is."""
    return columns[0].map_partitions(_tuple_keys, *columns[1:],
                                     meta=pd.Series([], dtype=pd.ArrowDtype(pa.binary())))
