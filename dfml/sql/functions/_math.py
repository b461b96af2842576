"""Math functions: native dask operators where they exist, Arrow kernels per partition otherwise."""

from __future__ import annotations

import math as _m
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from .. import column_ops as ops
from ..column import Column, Ctx, Literal, Typed, cast_to
from ._common import col_expr, func, lit_expr, per_partition, require

__all__ = ["abs", "sqrt", "cbrt", "exp", "expm1", "log", "ln", "log10", "log2", "log1p", "pow",
           "power", "round", "bround", "floor", "ceil", "ceiling", "signum", "sign", "negative",
           "positive", "pmod", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "degrees",
           "radians", "rint", "hypot", "e", "pi"]


def _num(fname: str, t: Typed) -> None:
    require(t, (T.NumericType,), fname, '"NUMERIC"')


def abs(col: Any) -> Column:  # noqa: A001
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _num("abs", t)
        if t.is_scalar:
            return Typed(None if t.value is None else (t.value if t.value >= 0 else -t.value),
                         t.dtype, t.nullable)
        return Typed(t.value.abs(), t.dtype, t.nullable)
    return func("abs", [col], impl)


def _double_kernel(name: str, kernel: Any, sql_name: str | None = None) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            _num(sql_name or name, t)
            d = cast_to(t, T.DoubleType())
            if d.is_scalar:
                if d.value is None:
                    return Typed(None, T.DoubleType(), True)
                v = kernel(pa.array([d.value], pa.float64()))[0].as_py()
                return Typed(v, T.DoubleType(), v is None)
            return Typed(per_partition(ctx, [d], kernel, T.DoubleType()), T.DoubleType(), True)
        return func(sql_name or name.upper(), [col], impl)
    f.__name__ = name
    f.__doc__ = f"Spark's ``{sql_name or name}`` (returns a double)."
    return f


def _nan_if(cond_kernel: Any, value_kernel: Any) -> Any:
    def k(a: pa.ChunkedArray) -> pa.ChunkedArray:
        bad = cond_kernel(a)
        safe = pc.if_else(bad, pa.scalar(1.0), a)
        return pc.if_else(bad, pa.scalar(None, pa.float64()), value_kernel(safe))
    return k


sqrt = _double_kernel("sqrt", pc.sqrt)
cbrt = _double_kernel("cbrt", lambda a: pc.multiply(pc.sign(a), pc.power(pc.abs(a), 1.0 / 3)))
exp = _double_kernel("exp", pc.exp)
expm1 = _double_kernel("expm1", lambda a: pc.subtract(pc.exp(a), 1.0))
ln = _double_kernel("ln", _nan_if(lambda a: pc.less_equal(a, 0.0), pc.ln), "ln")
log10 = _double_kernel("log10", _nan_if(lambda a: pc.less_equal(a, 0.0), pc.log10))
log2 = _double_kernel("log2", _nan_if(lambda a: pc.less_equal(a, 0.0), pc.log2))
log1p = _double_kernel("log1p", _nan_if(lambda a: pc.less_equal(a, -1.0), pc.log1p))
sin = _double_kernel("sin", pc.sin)
cos = _double_kernel("cos", pc.cos)
tan = _double_kernel("tan", pc.tan)
asin = _double_kernel("asin", pc.asin)
acos = _double_kernel("acos", pc.acos)
atan = _double_kernel("atan", pc.atan)
degrees = _double_kernel("degrees", lambda a: pc.multiply(a, 180.0 / _m.pi))
radians = _double_kernel("radians", lambda a: pc.multiply(a, _m.pi / 180.0))
rint = _double_kernel("rint", lambda a: pc.round(a, round_mode="half_to_even"))
signum = _double_kernel("signum", lambda a: pc.sign(a).cast(pa.float64()))
sign = _double_kernel("sign", lambda a: pc.sign(a).cast(pa.float64()))


def log(arg1: Any, arg2: Any = None) -> Column:
    """``log(col)`` is the natural log; ``log(base, col)`` the log to a base. Null for x <= 0."""
    if arg2 is None:
        c = ln(arg1)
        c._expr._sql = f"ln({col_expr(arg1).sql()})"
        return c
    base = float(arg1)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        _num("log", t)
        d = cast_to(t, T.DoubleType())
        k = _nan_if(lambda a: pc.less_equal(a, 0.0), lambda a: pc.divide(pc.ln(a), _m.log(base)))
        if d.is_scalar:
            v = None if d.value is None else k(pa.chunked_array([pa.array([d.value])]))[0].as_py()
            return Typed(v, T.DoubleType(), v is None)
        return Typed(per_partition(ctx, [d], k, T.DoubleType()), T.DoubleType(), True)
    return func("log", [arg2], impl, sql=f"LOG({float(base)}, {col_expr(arg2).sql()})")


def pow(col1: Any, col2: Any) -> Column:  # noqa: A001
    a = col_expr(col1) if isinstance(col1, (str, Column)) else lit_expr(col1)
    b = col_expr(col2) if isinstance(col2, (str, Column)) else lit_expr(col2)
    return Column(ops.power(a, b))


power = pow


def hypot(col1: Any, col2: Any) -> Column:
    def impl(ctx: Ctx, x: Typed, y: Typed) -> Typed:
        x, y = cast_to(x, T.DoubleType()), cast_to(y, T.DoubleType())
        return Typed(per_partition(ctx, [x, y], lambda p, q: pc.sqrt(pc.add(pc.multiply(p, p), pc.multiply(q, q))),
                                   T.DoubleType()), T.DoubleType(), True)
    return func("HYPOT", [col1, col2], impl)


def atan2(col1: Any, col2: Any) -> Column:
    def impl(ctx: Ctx, y: Typed, x: Typed) -> Typed:
        y, x = cast_to(y, T.DoubleType()), cast_to(x, T.DoubleType())
        return Typed(per_partition(ctx, [y, x], pc.atan2, T.DoubleType()), T.DoubleType(), True)
    a = col_expr(col1) if isinstance(col1, (str, Column)) else lit_expr(col1)
    b = col_expr(col2) if isinstance(col2, (str, Column)) else lit_expr(col2)
    return func("ATAN2", [a, b], impl)


def _round(name: str, mode: str) -> Any:
    def f(col: Any, scale: int = 0) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            _num(name, t)
            if t.is_scalar:
                if t.value is None:
                    return Typed(None, t.dtype, True)
                v = pc.round(pa.array([t.value]), ndigits=scale, round_mode=mode)[0].as_py()
                return Typed(v, t.dtype, False)
            if isinstance(t.dtype, T.IntegralType) and scale >= 0:
                return t

            def k(a: pa.ChunkedArray) -> pa.ChunkedArray:
                if pa.types.is_integer(a.type):
                    return pc.round(a.cast(pa.float64()), ndigits=scale, round_mode=mode).cast(a.type)
                return pc.round(a, ndigits=scale, round_mode=mode)
            return Typed(per_partition(ctx, [t], k, t.dtype), t.dtype, t.nullable)
        return func(name, [col], impl, sql=f"{name}({col_expr(col).sql()}, {scale})")
    f.__name__ = name
    return f


round = _round("round", "half_towards_infinity")  # noqa: A001
bround = _round("bround", "half_to_even")


def _floor_ceil(name: str, kernel: Any) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            _num(name.upper(), t)
            if isinstance(t.dtype, T.IntegralType):
                return cast_to(t, T.LongType())
            if isinstance(t.dtype, T.DecimalType):
                out: T.DataType = T.DecimalType(min(t.dtype.precision - t.dtype.scale + 1, 38), 0)
            else:
                out = T.LongType()
            if t.is_scalar:
                v = None if t.value is None else int(_m.floor(t.value) if name == "floor" else _m.ceil(t.value))
                return Typed(v, out, v is None)
            return Typed(per_partition(ctx, [t], lambda a: kernel(a), out), out, t.nullable)
        return func(name.upper(), [col], impl)
    f.__name__ = name
    return f


floor = _floor_ceil("floor", pc.floor)
ceil = _floor_ceil("ceil", pc.ceil)
ceiling = ceil


def negative(col: Any) -> Column:
    return -Column(col_expr(col))


def positive(col: Any) -> Column:
    return Column(col_expr(col))


def pmod(dividend: Any, divisor: Any) -> Column:
    a = Column(col_expr(dividend) if isinstance(dividend, (str, Column)) else lit_expr(dividend))
    b = Column(col_expr(divisor) if isinstance(divisor, (str, Column)) else lit_expr(divisor))
    r = a % b
    return ((r + b) % b).alias(f"pmod({a._expr.sql()}, {b._expr.sql()})")


def e() -> Column:
    return Column(Literal(_m.e))


def pi() -> Column:
    return Column(Literal(_m.pi))
