"""Bit functions and base conversion: ``shiftleft``, ``shiftright``, ``shiftrightunsigned``,
``bitwise_not``, ``bit_count``, ``bit_get``/``getbit``, ``conv``.

Integers keep Java's widths and wrap-around as Spark does (an int shifts within 32 bits, by the
shift count modulo 32; a long within 64), computed with numpy's fixed-width integers per partition.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from .. import types as T
from ..column import Column, Ctx, Typed, cast_to
from ..kernels import rowwise
from ._common import col_expr, func, lit_expr, per_partition, require

__all__ = ["shiftleft", "shiftright", "shiftrightunsigned", "bitwise_not", "bit_count", "bit_get",
           "getbit", "conv"]


def _int_type(t: Typed, fname: str) -> T.DataType:
    require(t, (T.IntegralType,), fname, '("INT" or "BIGINT")')
    return T.LongType() if isinstance(t.dtype, T.LongType) else T.IntegerType()


def _np_kernel(fn: Any, np_t: Any, out_arrow: pa.DataType) -> Any:
    """A numpy function of the values as an Arrow kernel keeping nulls null."""
    def k(a: Any) -> pa.Array:
        a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        vals = a.fill_null(0).to_numpy(zero_copy_only=False).astype(np_t)
        return pa.array(fn(vals), out_arrow, mask=a.is_null().to_numpy(zero_copy_only=False))
    return k


def _shift(name: str, op: str) -> Any:
    def f(col: Any, numBits: int) -> Column:  # noqa: N803 - Spark's name
        def impl(ctx: Ctx, t: Typed) -> Typed:
            out = _int_type(t, name)
            wide = isinstance(out, T.LongType)
            bits = 64 if wide else 32
            signed, unsigned = (np.int64, np.uint64) if wide else (np.int32, np.uint32)
            n = numBits % bits

            def shift(v: np.ndarray) -> np.ndarray:
                if op == "<<":
                    return (v.view(unsigned) << unsigned(n)).view(signed)
                if op == ">>":
                    return v >> signed(n)
                return (v.view(unsigned) >> unsigned(n)).view(signed)
            v = cast_to(t, out)
            if v.is_scalar:
                val = None if v.value is None else shift(np.array([v.value], signed))[0].item()
                return Typed(val, out, val is None)
            return Typed(per_partition(ctx, [v], _np_kernel(shift, signed, T.to_arrow(out)), out),
                         out, t.nullable)
        e = col_expr(col)
        return func(name, [e], impl, sql=f"{name}({e.sql()}, {numBits})")
    f.__name__ = name
    return f


shiftleft = _shift("shiftleft", "<<")
shiftright = _shift("shiftright", ">>")
shiftrightunsigned = _shift("shiftrightunsigned", ">>>")


def bitwise_not(col: Any) -> Column:
    """Every bit flipped (``~x``), in the column's own integer type."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        require(t, (T.IntegralType,), "~", '"INTEGRAL"')
        out = t.dtype if not isinstance(t.dtype, T.NullType) else T.IntegerType()
        if t.is_scalar:
            return Typed(None if t.value is None else ~t.value, out, t.value is None)
        np_t = T.to_arrow(out).to_pandas_dtype()
        return Typed(per_partition(ctx, [t], _np_kernel(np.invert, np_t, T.to_arrow(out)), out),
                     out, t.nullable)
    e = col_expr(col)
    return func("~", [e], impl, sql=f"~{e.sql()}")


def bit_count(col: Any) -> Column:
    """How many bits are set in the value's 64-bit two's complement (an int)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        require(t, (T.IntegralType, T.BooleanType), "bit_count", '("INTEGRAL" or "BOOLEAN")')
        v = cast_to(t, T.LongType())
        fn = rowwise(lambda x: None if x is None else bin(x & 0xFFFFFFFFFFFFFFFF).count("1"),
                     pa.int32())
        return Typed(per_partition(ctx, [v] if not v.is_scalar else
                                   [Typed(ctx.broadcast(v), v.dtype)], fn, T.IntegerType()),
                     T.IntegerType(), t.nullable)
    return func("bit_count", [col], impl)


def _bit_get(name: str) -> Any:
    def f(col: Any, pos: Any) -> Column:
        def impl(ctx: Ctx, t: Typed, p: Typed) -> Typed:
            require(t, (T.IntegralType,), name, '"INTEGRAL"')
            width = {T.ByteType: 8, T.ShortType: 16, T.IntegerType: 32}.get(type(t.dtype), 64)

            def one(x: Any, i: Any) -> int | None:
                if x is None or i is None:
                    return None
                if not 0 <= i < width:
                    raise ValueError(f"{name}: the bit position {i} is out of range [0, {width})")
                return (x >> i) & 1
            ts = [t, cast_to(p, T.IntegerType())]
            if t.is_scalar:
                ts[0] = Typed(ctx.broadcast(t), t.dtype)
            return Typed(per_partition(ctx, ts, rowwise(one, pa.int8()), T.ByteType()),
                         T.ByteType(), True)
        p = col_expr(pos) if isinstance(pos, (str, Column)) else lit_expr(pos)
        return func(name, [col_expr(col), p], impl)
    f.__name__ = name
    return f


bit_get = _bit_get("bit_get")
getbit = _bit_get("getbit")

_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MASK = 0xFFFFFFFFFFFFFFFF


def _conv(s: str, from_base: int, to_base: int) -> str | None:
    """Spark's ``conv``: digits read as an unsigned 64-bit number up to the first non-digit; a
    negative ``to_base`` prints the result as signed."""
    if not (2 <= abs(from_base) <= 36 and 2 <= abs(to_base) <= 36) or not s:
        return None
    negative = s[0] == "-"
    v = 0
    for c in s[1:] if negative else s:
        d = _DIGITS.find(c.upper())
        if d < 0 or d >= abs(from_base):
            break
        v = v * abs(from_base) + d
        if v > _MASK:
            v = _MASK
            break
    if to_base > 0:
        if negative:  # two's complement, the way a Java long wraps
            v = _MASK if v >= 2**63 else (-v) & _MASK
        return _digits(v, to_base)
    if negative and v:
        return "-" + _digits(v, -to_base)
    if v >= 2**63:
        return "-" + _digits(2**64 - v, -to_base)
    return _digits(v, -to_base)


def _digits(v: int, base: int) -> str:
    out = ""
    while True:
        v, r = divmod(v, base)
        out = _DIGITS[r] + out
        if v == 0:
            return out


def _int_value(v: Any, name: str) -> int:
    """An int parameter, given as an int or as a literal column (as SQL text passes it)."""
    if isinstance(v, Column):
        v = getattr(v._expr, "value", v)
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(f"conv(): {name} must be an int, got {v!r}")
    return v


def conv(col: Any, fromBase: Any, toBase: Any) -> Column:  # noqa: N803 - Spark's names
    """The number written in ``col`` in base ``fromBase``, rewritten in base ``toBase``."""
    fromBase, toBase = _int_value(fromBase, "fromBase"), _int_value(toBase, "toBase")
    def impl(ctx: Ctx, t: Typed) -> Typed:
        s = cast_to(t, T.StringType())
        fn = rowwise(lambda x: None if x is None else _conv(x, fromBase, toBase), pa.large_string())
        ts = [s] if not s.is_scalar else [Typed(ctx.broadcast(s), s.dtype)]
        return Typed(per_partition(ctx, ts, fn, T.StringType()), T.StringType(), True)
    e = col_expr(col)
    return func("conv", [e], impl, sql=f"conv({e.sql()}, {fromBase}, {toBase})")
