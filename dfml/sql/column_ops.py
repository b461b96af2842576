"""The functions ``Column``'s own methods build (``like``, ``rlike``, ``startswith``,
``endswith``, ``contains``, ``substr``, ``isin``, ``isNaN``, ``**``, ``between``), as expression
nodes. They sit below the ``Column`` facade so that it needs nothing from ``dfml.sql.functions``
(which builds on ``Column``); ``F.like``, ``F.substring``, ``F.isnan``, ``F.pow``... wrap the same
nodes, so a method and its function are one definition.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import types as T
from .coercion import cast_to, common_type, fix_dtype, require
from .expressions import Comparison, Expr, Func, Logical, Precompiled
from .kernels import per_partition
from .typed import Ctx, Typed


def string_arg(fname: str, t: Typed) -> Typed:
    """A string argument: strings as they are; numbers, booleans, dates and binary (its bytes
    read as UTF-8) cast as Spark's implicit coercion does."""
    if isinstance(t.dtype, (T.StringType, T.NullType)):
        return t
    return cast_to(t, T.StringType()) if isinstance(t.dtype, (T.NumericType, T.BooleanType,
                                                               T.DateType, T.BinaryType)) \
        else (require(t, (T.StringType,), fname, '"STRING"') or t)


# ---------------------------------------------------------------- string tests
def _like_to_regex(pattern: str, escape: str = "\\") -> str:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return "^" + "".join(out) + "$"


def like(e: Expr, pattern: str, case_insensitive: bool = False) -> Func:
    regex = _like_to_regex(pattern)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = string_arg("like", t)
        value = t.value.str.match(regex, case=not case_insensitive, flags=re.DOTALL)
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), t.nullable)
    kw = "ILIKE" if case_insensitive else "LIKE"
    return Func("like", [e], impl, sql=f"{e.sql()} {kw} {pattern}")


def rlike(e: Expr, pattern: str) -> Func:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = string_arg("rlike", t)
        value = t.value.str.contains(pattern, regex=True)
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), t.nullable)
    return Func("rlike", [e], impl, sql=f"RLIKE({e.sql()}, {pattern})")


def string_test(name: str, e: Expr, other: Expr) -> Func:
    """``startswith``, ``endswith`` or ``contains`` (the pandas string method of that name)."""
    def impl(ctx: Ctx, t: Typed, o: Typed) -> Typed:
        t = string_arg(name, t)
        if not o.is_scalar:
            raise NotImplementedError(f"{name}() with a column argument is not supported yet")
        if o.value is None:
            return Typed(None, T.BooleanType(), True)
        value = getattr(t.value.str, name)(o.value)
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), t.nullable)
    return Func(name, [e, other], impl, sql=f"{name}({e.sql()}, {other.sql()})")


# ---------------------------------------------------------------- substring
def spark_slice(a: pa.ChunkedArray, pos: int, length: int) -> pa.ChunkedArray:
    """Spark's 1-based substring: a negative ``pos`` counts from the end; pos 0 acts as 1."""
    if length <= 0:
        return pc.if_else(pc.is_null(a), pa.scalar(None, a.type), pa.scalar("", a.type))
    if pos > 0:
        return pc.utf8_slice_codeunits(a, pos - 1, pos - 1 + length)
    if pos == 0:
        return pc.utf8_slice_codeunits(a, 0, length)
    out = []
    for s in a.to_pylist():
        if s is None:
            out.append(None)
            continue
        start = len(s) + pos
        end = start + length
        out.append(s[max(start, 0):max(end, 0)])
    return pa.chunked_array([pa.array(out, a.type)])


def row_func(name: str, args: list[Expr], kinds: str, fn: Any, out: T.DataType,
             sql: str | None = None) -> Func:
    """``fn(*values)`` row by row over arguments that may each be a column or a constant, null
    when any argument is null (Spark's rule for these functions). ``kinds`` has one letter per
    argument: ``s`` a string (numbers, dates cast as Spark does), ``i`` an integer."""
    arrow_out = T.to_arrow(out)

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        conv = []
        for t, kind in zip(ts, kinds):
            if kind == "s":
                conv.append(string_arg(name, t))
            else:
                require(t, (T.IntegralType,), name, '"INT"')
                conv.append(cast_to(t, T.IntegerType()) if not isinstance(t.dtype, T.NullType) else t)
        if any(t.is_scalar and t.value is None for t in conv):
            return Typed(None, out, True)

        def k(*parts: Any) -> pa.Array:
            n = next(len(p) for p in parts if isinstance(p, pa.ChunkedArray))
            cols = [p.to_pylist() if isinstance(p, pa.ChunkedArray) else [p] * n for p in parts]
            return pa.array([None if any(v is None for v in row) else fn(*row) for row in zip(*cols)],
                            arrow_out)
        return Typed(per_partition(ctx, conv, k, out), out, True)
    return Func(name, args, impl, sql=sql)


def slice_one(s: str, pos: int, length: int) -> str:
    """Spark's 1-based substring of one value (negative ``pos`` from the end, 0 as 1)."""
    if length <= 0:
        return ""
    start = pos - 1 if pos > 0 else (0 if pos == 0 else len(s) + pos)
    end = start + length
    return s[max(start, 0):max(end, 0)]


def substring_of(e: Expr, pos: Expr, length: Expr, sql_name: str = "substring") -> Func:
    """``substring`` with column (or mixed) position and length."""
    return row_func("substring", [e, pos, length], "sii", slice_one, T.StringType(),
                    sql=f"{sql_name}({e.sql()}, {pos.sql()}, {length.sql()})")


def substring(e: Expr, pos: int, length: int, sql_name: str = "substring") -> Func:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = string_arg("substring", t)
        return Typed(per_partition(ctx, [t], lambda a: spark_slice(a, pos, length), T.StringType()),
                     T.StringType(), t.nullable)
    return Func("substring", [e], impl, sql=f"{sql_name}({e.sql()}, {pos}, {length})")


# ---------------------------------------------------------------- membership, NaN, power, range
def isin(e: Expr, values: list[Expr]) -> Func:
    """``e IN (values)``: true if equal to one, null if not and a value (or ``e``) is null."""
    def impl(ctx: Ctx, t: Typed, *vals: Typed) -> Typed:
        if not vals:
            return Typed(False, T.BooleanType(), False)
        dt = common_type([t.dtype] + [v.dtype for v in vals], "IN")
        has_nan = any(isinstance(v.value, float) and v.value != v.value for v in vals if v.is_scalar)
        if has_nan or not all(v.is_scalar for v in vals):  # comparisons know NaN = NaN
            out: Expr | None = None
            for v in vals:
                eq = Comparison("=", Precompiled(t), Precompiled(v))
                out = eq if out is None else Logical("OR", out, eq)
            return out.compile(ctx)
        lits = [cast_to(v, dt).value for v in vals]
        has_null = any(v is None for v in lits)
        lits = [v for v in lits if v is not None]
        tv = cast_to(t, dt)
        if tv.is_scalar:
            hit = tv.value in lits
            return Typed(True if hit else (None if has_null or tv.value is None else False),
                         T.BooleanType(), True)
        value = tv.value.isin(lits)
        value = fix_dtype(value, T.BooleanType()).mask(tv.value.isna(), None)
        if has_null:
            value = value.mask(~value.fillna(False), None)
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), True)

    sql = f"({e.sql()} IN ({', '.join(v.sql() for v in values)}))"
    return Func("in", [e, *values], impl, sql=sql)


def _nan_flags(a: Any) -> Any:
    return pc.fill_null(pc.is_nan(a), False)


def isnan(e: Expr) -> Func:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if not isinstance(t.dtype, (T.DoubleType, T.FloatType)):
            if t.is_scalar:
                return Typed(False, T.BooleanType(), False)
            t = cast_to(t, T.DoubleType())
        if t.is_scalar:
            return Typed(t.value is not None and t.value != t.value, T.BooleanType(), False)
        return Typed(per_partition(ctx, [t], _nan_flags, T.BooleanType()), T.BooleanType(), False)
    return Func("isnan", [e], impl)


def _power(p: Any, q: Any) -> Any:
    return pc.power(p, q)


def power(a: Expr, b: Expr) -> Func:
    def impl(ctx: Ctx, x: Typed, y: Typed) -> Typed:
        require(x, (T.NumericType,), "POWER", '"NUMERIC"')
        require(y, (T.NumericType,), "POWER", '"NUMERIC"')
        x, y = cast_to(x, T.DoubleType()), cast_to(y, T.DoubleType())
        if x.is_scalar and y.is_scalar:
            v = None if x.value is None or y.value is None else float(x.value) ** float(y.value)
            return Typed(v, T.DoubleType(), v is None)
        return Typed(per_partition(ctx, [x, y], _power, T.DoubleType()), T.DoubleType(), True)
    return Func("POWER", [a, b], impl)


def between(e: Expr, lo: Expr, hi: Expr) -> Func:
    def impl(ctx: Ctx, v: Typed, low: Typed, high: Typed) -> Typed:
        ge = Comparison(">=", Precompiled(v), Precompiled(low)).compile(ctx)
        le = Comparison("<=", Precompiled(v), Precompiled(high)).compile(ctx)
        return Logical("AND", Precompiled(ge), Precompiled(le)).compile(ctx)
    return Func("between", [e, lo, hi], impl,
                sql=f"(({e.sql()} >= {lo.sql()}) AND ({e.sql()} <= {hi.sql()}))")


# ---------------------------------------------------------------- bitwise
_BITWISE = {"&": pc.bit_wise_and, "|": pc.bit_wise_or, "^": pc.bit_wise_xor}


def bitwise(op: str, a: Expr, b: Expr) -> Func:
    """``a & b``, ``a | b``, ``a ^ b`` of integers, in their common type (null if one is)."""
    kernel = _BITWISE[op]

    def impl(ctx: Ctx, x: Typed, y: Typed) -> Typed:
        for t in (x, y):
            require(t, (T.IntegralType, T.NullType), f"bitwise {op}", '"INTEGRAL"')
        dt = common_type([x.dtype, y.dtype], f"({a.sql()} {op} {b.sql()})")
        x, y = cast_to(x, dt), cast_to(y, dt)
        if x.is_scalar and y.is_scalar:
            value = None if x.value is None or y.value is None else kernel(
                pa.scalar(x.value, T.to_arrow(dt)), pa.scalar(y.value, T.to_arrow(dt))).as_py()
            return Typed(value, dt, value is None)
        first, second = (x, y) if not x.is_scalar else (y, x)
        arrow_t = T.to_arrow(dt)

        def k(u: Any, v: Any) -> Any:
            v = v if isinstance(v, (pa.Array, pa.ChunkedArray)) else pa.scalar(v, arrow_t)
            return kernel(u, v)
        return Typed(per_partition(ctx, [first, second], k, dt), dt, x.nullable or y.nullable)
    return Func(op, [a, b], impl, sql=f"({a.sql()} {op} {b.sql()})")
