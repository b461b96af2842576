"""Spark's bitmap functions: ``bitmap_bit_position``, ``bitmap_bucket_number``,
``bitmap_count``, and the aggregates ``bitmap_construct_agg``, ``bitmap_or_agg``,
``bitmap_and_agg``; plus ``shuffle`` (a random permutation of an array).

A bitmap is Spark's: 4096 bytes (32768 bits), bit ``p`` in byte ``p // 8`` at ``1 << (p % 8)``;
a value ``v`` belongs to bucket ``(v - 1) // 32768 + 1`` at position ``(v - 1) % 32768`` (for
v > 0; Spark mirrors that for v <= 0), which is how ``count(DISTINCT)`` is computed
exactly by OR-ing bitmaps. Binary inputs shorter than 4096 bytes count as zero-padded. The
aggregates are functions of ``collect_list`` (a tree reduction already in place).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa

from .. import types as T
from ..column import Column, Ctx, Typed, cast_to
from ..errors import AnalysisException, SparkException
from ..kernels import rowwise
from ._aggregates import collect_list
from ._common import col_expr, func, per_partition

__all__ = ["bitmap_bit_position", "bitmap_bucket_number", "bitmap_count", "bitmap_construct_agg",
           "bitmap_or_agg", "bitmap_and_agg", "shuffle"]

_BITS = 32768
_BYTES = _BITS // 8


def _long_fn(name: str, fn: Callable[[int], int]) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            if not isinstance(t.dtype, (T.IntegralType, T.NullType)):
                raise AnalysisException(
                    f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{name}" due to '
                    f'data type mismatch: the parameter requires "BIGINT" type, however the input '
                    f'has type "{t.dtype.simpleString().upper()}".',
                    "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
            v = cast_to(t, T.LongType())
            ts = [v] if not v.is_scalar else [Typed(ctx.broadcast(v), T.LongType(), v.nullable)]
            one = rowwise(lambda x: None if x is None else fn(x), pa.int64())
            return Typed(per_partition(ctx, ts, one, T.LongType()), T.LongType(), t.nullable)
        e = col_expr(col)
        return func(name, [e], impl)
    f.__name__ = name
    return f


bitmap_bit_position = _long_fn("bitmap_bit_position",
                               lambda v: (v - 1) % _BITS if v > 0 else (-v) % _BITS)
bitmap_bucket_number = _long_fn("bitmap_bucket_number",
                                lambda v: (v - 1) // _BITS + 1 if v > 0 else -((-v) // _BITS))
bitmap_bit_position.__doc__ = "The bit position of ``col`` within its bitmap bucket (0..32767)."
bitmap_bucket_number.__doc__ = "The bitmap bucket ``col`` falls in (32768 values per bucket)."


def _binary_check(name: str, t: T.DataType) -> None:
    if not isinstance(t, (T.BinaryType, T.NullType)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{name}" due to data type '
            f'mismatch: the parameter requires "BINARY" type, however the input has type '
            f'"{t.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


def bitmap_count(col: Any) -> Column:
    """How many bits are set in the bitmap (a bigint; null for null)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _binary_check("bitmap_count", t.dtype)
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
        one = rowwise(lambda b: None if b is None else int.from_bytes(bytes(b), "little").bit_count(),
                      pa.int64())
        return Typed(per_partition(ctx, ts, one, T.LongType()), T.LongType(), t.nullable)
    return func("bitmap_count", [col_expr(col)], impl)


def _padded(b: bytes) -> np.ndarray:
    out = np.zeros(_BYTES, np.uint8)
    raw = np.frombuffer(bytes(b)[:_BYTES], np.uint8)
    out[:len(raw)] = raw
    return out


def _construct(positions: list) -> bytes:
    out = np.zeros(_BYTES, np.uint8)
    for p in positions:
        if p is None:
            continue
        if not 0 <= p < _BITS:
            raise SparkException(f"[INVALID_BITMAP_POSITION] The 0-indexed bitmap position {p} is "
                                 f"out of bounds. The bitmap has {_BITS} bits ({_BYTES} bytes). "
                                 f"SQLSTATE: 22003")
        out[p // 8] |= np.uint8(1 << (p % 8))
    return out.tobytes()


def _combine(op: Any, start: int) -> Callable[[list], bytes]:
    def fn(items: list) -> bytes:
        acc = np.full(_BYTES, start, np.uint8)
        for b in items:
            if b is not None:
                acc = op(acc, _padded(b))
        return acc.tobytes()
    return fn


def _bitmap_agg(name: str, gathered_of: Callable[[Column], Column], fn: Callable[[list], bytes],
                check: Callable[[T.DataType], None]) -> Any:
    def f(col: Any) -> Column:
        e = col_expr(col)

        def impl(ctx: Ctx, t: Typed) -> Typed:
            check(t.dtype.elementType)
            ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
            one = rowwise(lambda xs: fn(xs or []), pa.binary())
            return Typed(per_partition(ctx, ts, one, T.BinaryType()), T.BinaryType(), False)
        return func(name, [gathered_of(Column(e))._expr], impl, sql=f"{name}({e.sql()})")
    f.__name__ = name
    return f


def _integral_check(t: T.DataType) -> None:
    if not isinstance(t, (T.IntegralType, T.NullType)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "bitmap_construct_agg" due '
            f'to data type mismatch: the parameter requires "BIGINT" type, however the input has '
            f'type "{t.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


bitmap_construct_agg = _bitmap_agg("bitmap_construct_agg", collect_list, _construct, _integral_check)
bitmap_or_agg = _bitmap_agg("bitmap_or_agg", collect_list, _combine(np.bitwise_or, 0),
                            lambda t: _binary_check("bitmap_or_agg", t))
bitmap_and_agg = _bitmap_agg("bitmap_and_agg", collect_list, _combine(np.bitwise_and, 0xFF),
                             lambda t: _binary_check("bitmap_and_agg", t))
bitmap_construct_agg.__doc__ = "A bitmap with the bit of each non-null position (0..32767) set."
bitmap_or_agg.__doc__ = "The bitwise OR of the group's bitmaps (all zero when there are none)."
bitmap_and_agg.__doc__ = "The bitwise AND of the group's bitmaps (all ones when there are none)."


def shuffle(col: Any, seed: Any = None) -> Column:
    """The array's elements in a random order (reproducible for a seed over the same
    partitioning; a null array stays null)."""
    from ._misc import rand
    s = seed._expr.value if isinstance(seed, Column) and hasattr(seed._expr, "value") else seed
    r = rand(None if s is None else int(s))
    e = col_expr(col)

    def impl(ctx: Ctx, t: Typed, u: Typed) -> Typed:
        if not isinstance(t.dtype, T.ArrayType):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "shuffle({e.sql()})" '
                f'due to data type mismatch: the parameter requires "ARRAY" type, however '
                f'"{e.sql()}" has the type "{t.dtype.simpleString().upper()}".',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")

        def one(xs: Any, x: float) -> Any:
            if xs is None:
                return None
            order = np.random.default_rng(int(x * 2**53)).permutation(len(xs))
            return [xs[i] for i in order]
        ts = [t if not t.is_scalar else Typed(ctx.broadcast(t), t.dtype, t.nullable), u]
        return Typed(per_partition(ctx, ts, rowwise(one, T.to_arrow(t.dtype)), t.dtype),
                     t.dtype, t.nullable)
    return func("shuffle", [e, r._expr], impl, sql=f"shuffle({e.sql()})")
