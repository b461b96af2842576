"""Math functions: native dask operators where they exist, Arrow kernels per partition otherwise."""

from __future__ import annotations

import math as _m
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from .. import column_ops as ops
from ..column import Column, Ctx, Literal, Typed, cast_to
from ._common import col_expr, func, lit_expr, per_partition, renamed, require

__all__ = ["abs", "sqrt", "cbrt", "exp", "expm1", "log", "ln", "log10", "log2", "log1p", "pow",
           "power", "round", "bround", "floor", "ceil", "ceiling", "signum", "sign", "negative",
           "positive", "pmod", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "degrees",
           "radians", "rint", "hypot", "e", "pi", "sinh", "cosh", "tanh", "asinh", "acosh",
           "atanh", "cot", "sec", "csc", "factorial", "try_add", "try_subtract", "try_multiply",
           "try_divide", "try_mod", "width_bucket"]


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
rint = _double_kernel("rint", lambda a: pc.round(a, round_mode="half_to_even"), "rint")
def _np(ufunc: Any) -> Any:
    """A numpy ufunc as an Arrow kernel that keeps nulls null."""
    def k(a: Any) -> pa.Array:
        a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        vals = a.fill_null(0.0).to_numpy(zero_copy_only=False)
        with np.errstate(all="ignore"):
            return pa.array(ufunc(vals), pa.float64(), mask=a.is_null().to_numpy(zero_copy_only=False))
    return k


sinh = _double_kernel("sinh", lambda a: pc.divide(pc.subtract(pc.exp(a), pc.exp(pc.negate(a))), 2.0))
cosh = _double_kernel("cosh", lambda a: pc.divide(pc.add(pc.exp(a), pc.exp(pc.negate(a))), 2.0))
tanh = _double_kernel("tanh", _np(np.tanh))
asinh = _double_kernel("asinh", _np(np.arcsinh))
acosh = _double_kernel("acosh", _np(np.arccosh))
atanh = _double_kernel("atanh", _np(np.arctanh))
cot = _double_kernel("cot", lambda a: pc.divide(1.0, pc.tan(a)))
sec = _double_kernel("sec", lambda a: pc.divide(1.0, pc.cos(a)))
csc = _double_kernel("csc", lambda a: pc.divide(1.0, pc.sin(a)))
signum = _double_kernel("signum", lambda a: pc.sign(a).cast(pa.float64()))
sign = _double_kernel("sign", lambda a: pc.sign(a).cast(pa.float64()), "sign")


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


def _foldable_int(v: Any, fname: str, param: str) -> int:
    """An argument Spark requires to be a constant integer: an int, or a Column of a literal."""
    if isinstance(v, Column) and isinstance(v._expr, Literal):
        v = v._expr.value
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"{fname}(): {param} must be an int or a literal int Column "
                        f"(lit(2)), got {type(v).__name__}: {v!r}")
    return v


def _round(name: str, mode: str) -> Any:
    def f(col: Any, scale: Any = None) -> Column:
        scale = 0 if scale is None else _foldable_int(scale, name, "scale")

        def impl(ctx: Ctx, t: Typed) -> Typed:
            _num(name, t)
            out = rounded_decimal_type(t.dtype, scale) if isinstance(t.dtype, T.DecimalType) else t.dtype
            if t.is_scalar:
                if t.value is None:
                    return Typed(None, out, True)
                arr = pa.array([t.value], T.to_arrow(T.DecimalType(min(t.dtype.precision + 1, 38), t.dtype.scale))
                               if isinstance(t.dtype, T.DecimalType) else None)
                v = pc.round(arr, ndigits=scale, round_mode=mode)[0].as_py()
                return Typed(v, out, False)
            if isinstance(t.dtype, T.IntegralType) and scale >= 0:
                return t

            def k(a: pa.ChunkedArray) -> pa.ChunkedArray:
                if pa.types.is_integer(a.type):
                    return pc.round(a.cast(pa.float64()), ndigits=scale, round_mode=mode).cast(a.type)
                if pa.types.is_decimal(a.type):  # room for a carry (9.99 -> 10.0) before rounding
                    wide = pa.decimal128(min(a.type.precision + 1, 38), a.type.scale)
                    return pc.round(a.cast(wide), ndigits=scale, round_mode=mode).cast(T.to_arrow(out))
                return pc.round(a, ndigits=scale, round_mode=mode)
            return Typed(per_partition(ctx, [t], k, out), out, t.nullable)
        return func(name, [col], impl, sql=f"{name}({col_expr(col).sql()}, {scale})")
    f.__name__ = name
    return f


def rounded_decimal_type(dt: T.DecimalType, scale: int) -> T.DecimalType:
    """Spark's type of ``round(decimal(p, s), scale)``: the scale drops to ``scale`` (0 if
    negative), and the integral part gains a digit for the carry (``round(9.9) = 10``)."""
    integral = dt.precision - dt.scale + 1
    if scale < 0:
        return T.DecimalType(min(max(integral, -scale + 1), 38), 0)
    new_scale = min(dt.scale, scale)
    return T.DecimalType(min(integral + new_scale, 38), new_scale)


round = _round("round", "half_towards_infinity")  # noqa: A001
bround = _round("bround", "half_to_even")


def _as_decimal(dt: T.DataType) -> T.DecimalType:
    """The decimal Spark reads a number as when rounding to a scale (a double as (30, 15))."""
    if isinstance(dt, T.DecimalType):
        return dt
    if isinstance(dt, T.IntegralType):
        return T.DecimalType({T.ByteType: 3, T.ShortType: 5, T.IntegerType: 10}.get(type(dt), 20), 0)
    return T.DecimalType(30, 15)


def _floor_ceil(name: str, kernel: Any, sql_name: str) -> Any:
    def f(col: Any, scale: Any = None) -> Column:
        if scale is not None:
            return _floor_ceil_scaled(name, kernel, col, _foldable_int(scale, name, "scale"))

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
        return func(sql_name, [col], impl)
    f.__name__ = name
    f.__doc__ = f"Spark's ``{name}``; with a ``scale`` (an int or a literal), to that many decimals."
    return f


def _floor_ceil_scaled(name: str, kernel: Any, col: Any, scale: int) -> Column:
    """``ceil(x, scale)`` / ``floor(x, scale)``: a decimal of ``max(scale, 0)`` digits, as Spark."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _num(name, t)
        d = _as_decimal(t.dtype)
        out = T.DecimalType(min(d.precision - d.scale + 1 + max(scale, 0), 38), max(scale, 0))
        arrow_out = T.to_arrow(out)
        factor = 10.0 ** scale

        def k(a: pa.ChunkedArray) -> pa.ChunkedArray:
            v = kernel(pc.multiply(a.cast(pa.float64()), factor))
            v = pc.round(pc.divide(v, factor), ndigits=max(scale, 0))
            return v.cast(arrow_out, safe=False)
        if t.is_scalar:
            if t.value is None:
                return Typed(None, out, True)
            return Typed(k(pa.chunked_array([pa.array([float(t.value)])]))[0].as_py(), out, False)
        return Typed(per_partition(ctx, [t], k, out), out, t.nullable)
    return func(name, [col], impl, sql=f"{name}({col_expr(col).sql()}, {scale})")



floor = _floor_ceil("floor", pc.floor, "FLOOR")
ceil = _floor_ceil("ceil", pc.ceil, "CEIL")
ceiling = _floor_ceil("ceiling", pc.ceil, "ceiling")


def negative(col: Any) -> Column:
    return -Column(col_expr(col))


def positive(col: Any) -> Column:
    """The value unchanged; Spark names it ``(+ x)``."""
    e = col_expr(col)
    return func("positive", [e], lambda ctx, t: t, sql=f"(+ {e.sql()})")


def pmod(dividend: Any, divisor: Any) -> Column:
    a = Column(col_expr(dividend) if isinstance(dividend, (str, Column)) else lit_expr(dividend))
    b = Column(col_expr(divisor) if isinstance(divisor, (str, Column)) else lit_expr(divisor))
    r = a % b
    return ((r + b) % b).alias(f"pmod({a._expr.sql()}, {b._expr.sql()})")


def _constant(name: str, value: float) -> Any:
    def f() -> Column:
        # a function node, not a bare literal, so the column is named ``E()`` / ``PI()`` as in Spark
        return func(name, [], lambda ctx: Typed(value, T.DoubleType(), False))
    f.__name__ = name.lower()
    f.__doc__ = f"The constant {name.lower()} as a double column."
    return f


e = _constant("E", _m.e)
pi = _constant("PI", _m.pi)


def factorial(col: Any) -> Column:
    """n! as a bigint for n in 0..20 (null outside that range, where a bigint cannot hold it)."""
    table = [_m.factorial(i) for i in range(21)]

    def impl(ctx: Ctx, t: Typed) -> Typed:
        require(t, (T.IntegralType,), "factorial", '"INT"')
        i = cast_to(t, T.IntegerType())

        def k(a: pa.ChunkedArray) -> pa.Array:
            return pa.array([None if v is None or not 0 <= v <= 20 else table[v]
                             for v in a.to_pylist()], pa.int64())
        if i.is_scalar:
            v = i.value
            return Typed(None if v is None or not 0 <= v <= 20 else table[v], T.LongType(), True)
        return Typed(per_partition(ctx, [i], k, T.LongType()), T.LongType(), True)
    return func("factorial", [col], impl)


def _try_op(name: str, op: Any) -> Any:
    def f(left: Any, right: Any) -> Column:
        a, b = col_expr(left), col_expr(right)
        return renamed(op(Column(a), Column(b)), f"{name}({a.sql()}, {b.sql()})")
    f.__name__ = name
    f.__doc__ = (f"Spark's ``{name}``: the operator's result, null where it has none (division "
                 "by zero); dfml's integer arithmetic is Spark's non-ANSI one.")
    return f


try_add = _try_op("try_add", lambda a, b: a + b)
try_subtract = _try_op("try_subtract", lambda a, b: a - b)
try_multiply = _try_op("try_multiply", lambda a, b: a * b)
try_divide = _try_op("try_divide", lambda a, b: a / b)
try_mod = _try_op("try_mod", lambda a, b: a % b)


def _bucket(v: float, lo: float, hi: float, n: int) -> int | None:
    if n <= 0 or lo == hi or any(_m.isnan(x) or _m.isinf(x) for x in (v, lo, hi)):
        return None
    if lo < hi:
        if v < lo:
            return 0
        if v >= hi:
            return n + 1
        return int(_m.floor((v - lo) / (hi - lo) * n)) + 1
    if v > lo:
        return 0
    if v <= hi:
        return n + 1
    return int(_m.floor((lo - v) / (lo - hi) * n)) + 1


def width_bucket(v: Any, min: Any, max: Any, numBucket: Any) -> Column:  # noqa: A002,N803
    """The 1-based bucket of ``v`` among ``numBucket`` equal-width buckets between ``min`` and
    ``max`` (0 below, ``numBucket`` + 1 above)."""
    from ..kernels import rowwise

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        ts = [cast_to(t, T.DoubleType()) for t in ts[:3]] + [cast_to(ts[3], T.LongType())]
        if all(t.is_scalar for t in ts):
            ts[0] = Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable)
        one = rowwise(lambda *x: None if any(a is None for a in x) else _bucket(*x), pa.int64())
        return Typed(per_partition(ctx, ts, one, T.LongType()), T.LongType(), True)
    args = [col_expr(a) if isinstance(a, (str, Column)) else lit_expr(a)
            for a in (v, min, max, numBucket)]
    return func("width_bucket", args, impl)
