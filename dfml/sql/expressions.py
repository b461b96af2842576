"""Expression nodes: what a ``Column`` holds, and how each node compiles.

``Expr.compile(ctx)`` turns a node into a ``Typed`` value: a dask Series built from the frame's
own columns with ordinary operators (``frame["a"] + 1``), so dask-expr can prune columns and
push predicates into the parquet read, or a Python scalar for a literal. Each node checks its
argument types where it compiles, with Spark's error classes, so a transformation compiled
against an empty frame of its input's schema raises before any data is read. Nodes compare by
value. Function families add nodes (``Func`` with an ``impl``) in ``dfml.sql.functions``;
aggregates are ``AggFunc`` subclasses in ``dfml.sql.aggregates``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Iterable

import pandas as pd
import pyarrow as pa

from . import types as T
from ._casts import cast_series, cast_value, variant_operand
from .coercion import (cast_scalar, as_bool, cast_to, common_type, comparable, fix_dtype,
                       is_numeric, literal_type, wider_numeric)
from .errors import AnalysisException, field_not_found, unresolved_column
from .join_names import display
from .formatting import format_double, scalar_text
from .kernels import ArrowKernel, element_at_series, map_value_series, per_partition
from .nan_rules import compare_kernel, compare_scalars, compare_with_scalar, is_floating
from .typed import Ctx, Typed, find_unique, parse_name


def _frozen(v: Any) -> Any:
    """A hashable stand-in for a node argument, equal for equal arguments: containers by their
    items, a function by its code and the values it captured (the per-call closures function
    builders make), anything else unhashable by identity."""
    if isinstance(v, (list, tuple)):
        return tuple(_frozen(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((str(k), _frozen(x)) for k, x in v.items()))
    code = getattr(v, "__code__", None)
    if code is not None:
        cells = tuple(_frozen(c.cell_contents) for c in (getattr(v, "__closure__", None) or ()))
        return ("fn", code, cells, _frozen(getattr(v, "__defaults__", None)))
    try:
        hash(v)
    except TypeError:
        return ("id", id(v))
    if isinstance(v, float) and v != v:
        return ("nan",)
    return (type(v).__name__, v)


class Expr:
    """A node of a column expression. Nodes compare by value (class, children, arguments), so
    equal expressions can be matched (``GROUP BY upper(s)`` to its select item) and deduplicated."""

    children: tuple["Expr", ...] = ()
    is_aggregate = False

    def _key(self) -> tuple:
        args = tuple(sorted((k, _frozen(v)) for k, v in self.__dict__.items()
                            if k != "children"))
        return (type(self), tuple(self.children), args)

    def __eq__(self, other: object) -> bool:
        return self is other or (type(other) is type(self) and self._key() == other._key())

    def __hash__(self) -> int:
        return hash(self._key())

    def sql(self) -> str:
        raise NotImplementedError

    def compile(self, ctx: Ctx) -> Typed:
        raise NotImplementedError

    def walk(self) -> Iterable["Expr"]:
        yield self
        for c in self.children:
            yield from c.walk()

    def contains_aggregate(self) -> bool:
        # recursive, not over walk(): a window expression hides its aggregate (it overrides this)
        return self.is_aggregate or any(c.contains_aggregate() for c in self.children)

    def output_name(self) -> str:
        return self.sql()

    def replace(self, mapping: Callable[["Expr"], "Expr | None"]) -> "Expr":
        """A copy with every node for which ``mapping`` gives a replacement swapped out."""
        new = mapping(self)
        if new is not None:
            return new
        if not self.children:
            return self
        kids = tuple(c.replace(mapping) for c in self.children)
        if all(a is b for a, b in zip(kids, self.children)):
            return self
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.children = kids
        return clone


class ColumnRef(Expr):
    """A column by name; ``plan_id`` ties it to one DataFrame (``df["a"]``) for joins.

    A user's name is parsed as Spark parses it (``a.b`` is field ``b`` of struct ``a``, or
    column ``b`` of the frame aliased ``a``; backticks quote dots). ``literal`` references,
    which dfml builds from a schema's own column names (``select("*")``, ``withColumn``'s
    pass-through columns), name one top-level column as is, dots and all."""

    def __init__(self, name: str, plan_id: int | None = None, literal: bool = False):
        self.name = name
        self.plan_id = plan_id
        self.literal = literal

    @classmethod
    def of(cls, name: str, plan_id: int | None = None) -> "ColumnRef":
        """A reference to the top-level column named exactly ``name``."""
        return cls(name, plan_id, literal=True)

    def parts(self) -> list[str]:
        return [self.name] if self.literal else parse_name(self.name)

    def output_name(self) -> str:  # passed through, a column keeps its frame name
        return self.name if self.literal else self.sql()

    def sql(self) -> str:
        if self.literal:
            return display(self.name)
        try:
            return self.parts()[-1]
        except AnalysisException:
            return self.name

    def compile(self, ctx: Ctx) -> Typed:
        if self.plan_id is not None and ctx.plan_ids and self.plan_id not in ctx.plan_ids:
            raise AnalysisException(
                f"[CANNOT_RESOLVE_DATAFRAME_COLUMN] Cannot resolve dataframe column "
                f"\"{self.sql()}\". It's probably because of illegal references like "
                f"`df1.select(df2.col(\"a\"))`.", "CANNOT_RESOLVE_DATAFRAME_COLUMN")
        name, path = (ctx.resolve(self.name, self.plan_id), []) if self.literal \
            else ctx.resolve_path(self.name, self.plan_id)
        field = ctx.schema[name]
        typed = Typed(ctx.frame[name], field.dataType, field.nullable)
        if not path:
            return typed
        expr: Expr = Precompiled(typed, name)
        for p in path:
            expr = GetField(expr, p)
        return expr.compile(ctx)


class Precompiled(Expr):
    """An expression already compiled (``typed``), printed as ``label`` in errors."""

    def __init__(self, typed: Typed, label: str = "?"):
        self.typed = typed
        self.label = label

    def sql(self) -> str:
        return self.label

    def compile(self, ctx: Ctx) -> Typed:
        return self.typed


class Star(Expr):
    """``*``, ``alias.*`` or ``df["*"]`` (``plan_id``: the columns of that DataFrame) in a select."""

    def __init__(self, qualifier: str | None = None, plan_id: int | None = None):
        self.qualifier = qualifier
        self.plan_id = plan_id

    def sql(self) -> str:
        return "*"

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException("'*' can only be used in select() or count()")


class Literal(Expr):
    def __init__(self, value: Any, dtype: T.DataType | None = None):
        if hasattr(value, "_expr") and type(value).__name__ == "Column":
            raise TypeError("lit() of a Column: use the Column itself")
        self.value = value
        self.dtype = dtype or literal_type(value)

    def sql(self) -> str:
        v = self.value
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, _dt.datetime):
            return f"TIMESTAMP '{v.isoformat(sep=' ')}'"
        if isinstance(v, _dt.date):
            return f"DATE '{v.isoformat()}'"
        if isinstance(v, float):
            return format_double(v)
        if isinstance(v, (list, tuple)):
            return "array(" + ", ".join(Literal(x).sql() for x in v) + ")"
        return scalar_text(v)

    def compile(self, ctx: Ctx) -> Typed:
        return Typed(self.value, self.dtype, self.value is None)


class Alias(Expr):
    """A name for an expression; ``metadata`` (``alias(name, metadata=...)``) replaces the
    column's metadata, as Spark's."""

    def __init__(self, child: Expr, name: str, metadata: dict | None = None):
        self.children = (child,)
        self.name = name
        self.metadata = metadata

    def sql(self) -> str:
        return self.name

    def compile(self, ctx: Ctx) -> Typed:
        return self.children[0].compile(ctx)


_ARITH = {"+": "__add__", "-": "__sub__", "*": "__mul__"}


class BinaryOp(Expr):
    """An infix operator node: ``op`` between two children, printed ``(left op right)``."""

    def __init__(self, op: str, left: Expr, right: Expr):
        self.op = op
        self.children = (left, right)

    def sql(self) -> str:
        return f"({self.children[0].sql()} {self.op} {self.children[1].sql()})"


class Arithmetic(BinaryOp):
    """``+ - * / %`` with Spark's result types; division and modulo by zero give null."""

    def compile(self, ctx: Ctx) -> Typed:
        l, r = (c.compile(ctx) for c in self.children)
        for side in (l, r):
            if not is_numeric(side.dtype):
                if self.op in "+-" and isinstance(side.dtype, (T.DateType, T.TimestampType)):
                    continue
                raise AnalysisException(
                    f'[DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE] Cannot resolve "{self.sql()}" due '
                    f'to data type mismatch: the binary operator requires numeric input, but '
                    f'{side_name(self, side is l)} has type "{side.dtype.simpleString().upper()}".',
                    "DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE")
        nullable = l.nullable or r.nullable
        if self.op in "+-*/" and is_decimal_arithmetic(l, r):
            return decimal_arithmetic(self.op, l, r, ctx)
        if self.op == "/":
            out_t = T.DoubleType() if not isinstance(wider_numeric(l.dtype, r.dtype), T.DecimalType) \
                else T.DoubleType()
            lv, rv = cast_to(l, out_t).value, cast_to(r, out_t).value
            if r.is_scalar:
                if rv is None or rv == 0:
                    return Typed(None, out_t, True)
                return Typed(fix_dtype(_bcast(ctx, lv, out_t) / rv, out_t), out_t, nullable)
            return Typed(fix_dtype(_bcast(ctx, lv, out_t) / rv.mask(rv == 0, None), out_t), out_t, True)
        out_t = wider_numeric(l.dtype, r.dtype)
        lv, rv = cast_to(l, out_t).value, cast_to(r, out_t).value
        if l.is_scalar and r.is_scalar:
            if lv is None or rv is None:
                return Typed(None, out_t, True)
            return Typed(_scalar_arith(self.op, lv, rv), out_t, False)
        if self.op == "%":
            if r.is_scalar:
                if rv is None or rv == 0:
                    return Typed(None, out_t, True)
                return Typed(fix_dtype(_spark_mod(_bcast(ctx, lv, out_t), rv), out_t), out_t, nullable)
            return Typed(fix_dtype(_spark_mod(_bcast(ctx, lv, out_t), rv.mask(rv == 0, None)), out_t),
                         out_t, True)
        if l.is_scalar and lv is not None:
            # ``1 - col`` as ``col.__rsub__(1)``: a broadcast column of ones costs a fill and a
            # conversion to Arrow per partition (TPC-H Q1: two of them per row)
            value = getattr(rv, _ARITH[self.op].replace("__", "__r", 1))(lv)
            return Typed(fix_dtype(value, out_t), out_t, nullable)
        if l.is_scalar:
            lv = ctx.broadcast(Typed(lv, out_t))
        value = getattr(lv, _ARITH[self.op])(rv)
        return Typed(fix_dtype(value, out_t), out_t, nullable)


def is_decimal_arithmetic(l: Typed, r: Typed) -> bool:
    """Both sides decimal, or a decimal and an integer: Spark keeps the result a decimal."""
    kinds = (T.DecimalType, T.IntegralType)
    return (isinstance(l.dtype, T.DecimalType) or isinstance(r.dtype, T.DecimalType)) \
        and isinstance(l.dtype, kinds) and isinstance(r.dtype, kinds)


def decimal_arithmetic(op: str, l: Typed, r: Typed, ctx: Ctx) -> Typed:
    """``l op r`` exactly, typed by Spark's decimal rules (dfml.sql.decimals)."""
    from . import decimals as D
    dl = D.as_decimal_type(l.dtype, l.value if l.is_scalar else None)
    dr = D.as_decimal_type(r.dtype, r.value if r.is_scalar else None)
    out = D.arithmetic_type(op, dl, dr)
    kernel = D.DecimalArithmetic(op, dl, dr, out)
    if l.is_scalar and r.is_scalar:
        if l.value is None or r.value is None:
            return Typed(None, out, True)
        result = kernel(l.value, r.value)
        return Typed((result[0] if isinstance(result, pa.Array) else result).as_py(), out, True)
    sides = (l, r)
    positions = [i for i, t in enumerate(sides) if not t.is_scalar]
    template = [None if not t.is_scalar else t.value for t in sides]
    fn = ArrowKernel(kernel, template, positions, T.to_arrow(out))
    cols = [sides[i].value for i in positions]
    value = cols[0].map_partitions(fn, *cols[1:], meta=pd.Series([], dtype=T.to_dtype(out)))
    return Typed(value, out, True)


def _bcast(ctx: Ctx, v: Any, dt: T.DataType) -> Any:
    return ctx.broadcast(Typed(v, dt)) if not hasattr(v, "dtype") else v


def _mod_kernel(a: Any, b: Any) -> Any:
    import pyarrow.compute as pc
    if pa.types.is_integer(a.type):
        return pc.subtract(a, pc.multiply(pc.divide(a, b), b))  # integer divide truncates
    return pc.subtract(a, pc.multiply(pc.trunc(pc.divide(a, b)), b))


def _spark_mod(a: Any, b: Any) -> Any:
    """Remainder with the sign of the dividend (Java's ``%``), unlike Python's."""
    arrow_t = a.dtype.pyarrow_dtype
    if hasattr(b, "npartitions"):
        fn = ArrowKernel(_mod_kernel, [None, None], [0, 1], arrow_t)
        return a.map_partitions(fn, b, meta=a._meta)
    fn = ArrowKernel(_mod_kernel, [None, b], [0], arrow_t)
    return a.map_partitions(fn, meta=a._meta)


def _scalar_arith(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    import math
    return math.fmod(a, b) if b else None


def side_name(expr: Expr, left: bool) -> str:
    return f'"{expr.children[0 if left else 1].sql()}"'


_CMP = {"=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
_CMP_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class Comparison(BinaryOp):
    """``= != < <= > >=`` with three-valued logic (a null side gives null)."""

    def sql(self) -> str:
        l, r = self.children[0].sql(), self.children[1].sql()
        if self.op == "!=":
            return f"(NOT ({l} = {r}))"
        return f"({l} {self.op} {r})"

    def compile(self, ctx: Ctx) -> Typed:
        l, r = (c.compile(ctx) for c in self.children)
        if not comparable(l.dtype, r.dtype):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] Cannot resolve "{self.sql()}" due to '
                f'data type mismatch: the left and right operands of the binary operator have '
                f'incompatible types ("{l.dtype.simpleString().upper()}" and '
                f'"{r.dtype.simpleString().upper()}").', "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES")
        if is_numeric(l.dtype) and is_numeric(r.dtype) and type(l.dtype) is not type(r.dtype):
            wide = wider_numeric(l.dtype, r.dtype)
            if isinstance(wide, T.DecimalType) or not (l.is_scalar or r.is_scalar):
                l, r = cast_to(l, wide), cast_to(r, wide)
        elif isinstance(l.dtype, T.StringType) != isinstance(r.dtype, T.StringType) and \
                not isinstance(l.dtype, T.NullType) and not isinstance(r.dtype, T.NullType):
            target = r.dtype if isinstance(l.dtype, T.StringType) else l.dtype
            l, r = _cast_for_compare(l, target), _cast_for_compare(r, target)
        elif type(l.dtype) is not type(r.dtype) and {type(l.dtype), type(r.dtype)} == {T.DateType, T.TimestampType}:
            l, r = cast_to(l, T.TimestampType()), cast_to(r, T.TimestampType())
        nullable = l.nullable or r.nullable
        floating = is_floating(l.dtype) or is_floating(r.dtype)
        if l.is_scalar and r.is_scalar:
            if l.value is None or r.value is None:
                return Typed(None, T.BooleanType(), True)
            if floating:
                return Typed(compare_scalars(self.op, l.value, r.value), T.BooleanType(), False)
            return Typed(bool(getattr(l.value, _CMP[self.op])(r.value)), T.BooleanType(), False)
        if r.is_scalar and r.value is None or l.is_scalar and l.value is None:
            return Typed(None, T.BooleanType(), True)
        if floating and (l.is_scalar or r.is_scalar):  # NaN equals NaN, above every number
            side, c, op = (r, l.value, _CMP_FLIP[self.op]) if l.is_scalar else (l, r.value, self.op)
            value = compare_with_scalar(op, side.value, c, side.dtype)
        elif floating:
            value = per_partition(ctx, [l, r], compare_kernel(self.op), T.BooleanType())
        elif l.is_scalar:
            value = getattr(r.value, _CMP[_CMP_FLIP[self.op]])(l.value)
        else:
            value = getattr(l.value, _CMP[self.op])(r.value)
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), nullable)


def _cast_for_compare(t: Typed, target: T.DataType) -> Typed:
    """A comparison's string side as the other side's type, the way Spark's CAST reads text
    (lenient dates and timestamps, null where it does not parse), not a pandas astype."""
    if t.is_scalar or not isinstance(t.dtype, T.StringType) or t.dtype == target:
        return cast_to(t, target)
    return Typed(cast_series(t.value, t.dtype, target), target, True)


class EqNullSafe(Expr):
    """``<=>``: equal, with null equal to null and never null itself."""

    def __init__(self, left: Expr, right: Expr):
        self.children = (left, right)

    def sql(self) -> str:
        return f"({self.children[0].sql()} <=> {self.children[1].sql()})"

    def compile(self, ctx: Ctx) -> Typed:
        l, r = (c.compile(ctx) for c in self.children)
        dt = common_type([l.dtype, r.dtype], self.sql())
        lv = ctx.broadcast(cast_to(l, dt)) if not isinstance(dt, T.NullType) else ctx.broadcast(l)
        rv = ctx.broadcast(cast_to(r, dt)) if not isinstance(dt, T.NullType) else ctx.broadcast(r)
        ln, rn = lv.isna(), rv.isna()
        eq = (lv == rv).fillna(False)
        if is_floating(dt):  # NaN <=> NaN is true in Spark
            eq = eq | ((lv != lv) & (rv != rv)).fillna(False)
        value = (eq & ~ln & ~rn) | (ln & rn)
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), False)


class Logical(BinaryOp):
    """``AND``/``OR`` with Kleene logic (``null AND false`` is false)."""

    def compile(self, ctx: Ctx) -> Typed:
        l, r = (as_bool(c.compile(ctx), self.sql()) for c in self.children)
        if l.is_scalar and r.is_scalar:
            a, b = l.value, r.value
            if self.op == "AND":
                v = False if (a is False or b is False) else (None if a is None or b is None else True)
            else:
                v = True if (a is True or b is True) else (None if a is None or b is None else False)
            return Typed(v, T.BooleanType(), v is None)
        lv = ctx.broadcast(cast_to(l, T.BooleanType()) if not isinstance(l.dtype, T.NullType)
                           else Typed(l.value, T.BooleanType()))
        rv = r.value if not r.is_scalar else r.value
        if r.is_scalar and rv is None:
            rv = ctx.broadcast(Typed(None, T.BooleanType()))
        value = (lv & rv) if self.op == "AND" else (lv | rv)
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), l.nullable or r.nullable)


class Not(Expr):
    def __init__(self, child: Expr):
        self.children = (child,)

    def sql(self) -> str:
        return f"(NOT {self.children[0].sql()})"

    def compile(self, ctx: Ctx) -> Typed:
        t = as_bool(self.children[0].compile(ctx), self.sql())
        if t.is_scalar:
            return Typed(None if t.value is None else not t.value, T.BooleanType(), t.value is None)
        return Typed(~t.value, T.BooleanType(), t.nullable)


class Negate(Expr):
    def __init__(self, child: Expr):
        self.children = (child,)

    def sql(self) -> str:
        return f"negative({self.children[0].sql()})"

    def compile(self, ctx: Ctx) -> Typed:
        t = self.children[0].compile(ctx)
        if not is_numeric(t.dtype):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{self.sql()}": '
                f'requires a numeric type, but got "{t.dtype.simpleString().upper()}".',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        if t.is_scalar:
            return Typed(None if t.value is None else -t.value, t.dtype, t.nullable)
        return Typed(-t.value, t.dtype, t.nullable)


class IsNull(Expr):
    def __init__(self, child: Expr, negate: bool = False):
        self.children = (child,)
        self.negate = negate

    def sql(self) -> str:
        return f"({self.children[0].sql()} IS {'NOT ' if self.negate else ''}NULL)"

    def compile(self, ctx: Ctx) -> Typed:
        t = self.children[0].compile(ctx)
        if t.is_scalar:
            return Typed((t.value is not None) if self.negate else (t.value is None),
                         T.BooleanType(), False)
        value = t.value.notnull() if self.negate else t.value.isna()
        return Typed(fix_dtype(value, T.BooleanType()), T.BooleanType(), False)


class Cast(Expr):
    def __init__(self, child: Expr, to: T.DataType):
        self.children = (child,)
        self.to = to

    def sql(self) -> str:
        return f"CAST({self.children[0].sql()} AS {self.to.simpleString().upper()})"

    def output_name(self) -> str:
        child = self.children[0]
        return child.output_name() if isinstance(child, ColumnRef) else self.sql()

    def compile(self, ctx: Ctx) -> Typed:
        t = variant_operand(ctx, self.children[0].compile(ctx), self.to)
        if t.dtype == self.to:
            return t
        if t.is_scalar:
            if t.value is None:
                return Typed(None, self.to, True)
            if isinstance(self.to, (T.DecimalType, T.IntegralType)) and \
                    isinstance(t.dtype, (T.NumericType, T.StringType)):
                v = cast_value(t.value, t.dtype, self.to)
                return Typed(v, self.to, v is None or t.nullable)
            return Typed(cast_scalar(t.value, self.to), self.to, t.nullable)
        return Typed(cast_series(t.value, t.dtype, self.to), self.to, True)


class CaseWhen(Expr):
    """``CASE WHEN c1 THEN v1 ... ELSE e END``; the first true condition wins, null counts as false."""

    def __init__(self, branches: list[tuple[Expr, Expr]], otherwise: Expr | None = None):
        self.branches = branches
        self.otherwise = otherwise
        self.children = tuple(x for b in branches for x in b) + ((otherwise,) if otherwise else ())

    def replace(self, mapping):  # noqa: D102 - keep branches in step with children
        new = mapping(self)
        if new is not None:
            return new
        kids = [c.replace(mapping) for c in self.children]
        n = len(self.branches)
        branches = [(kids[2 * i], kids[2 * i + 1]) for i in range(n)]
        return CaseWhen(branches, kids[2 * n] if self.otherwise else None)

    def sql(self) -> str:
        parts = " ".join(f"WHEN {c.sql()} THEN {v.sql()}" for c, v in self.branches)
        tail = f" ELSE {self.otherwise.sql()}" if self.otherwise is not None else ""
        return f"CASE {parts}{tail} END"

    def compile(self, ctx: Ctx) -> Typed:
        conds = [as_bool(c.compile(ctx), self.sql()) for c, _ in self.branches]
        vals = [v.compile(ctx) for _, v in self.branches]
        other = self.otherwise.compile(ctx) if self.otherwise is not None else Typed(None, T.NullType())
        out_t = common_type([v.dtype for v in vals] + [other.dtype], self.sql())
        if isinstance(out_t, T.NullType):
            out_t = T.StringType()
        result = ctx.broadcast(cast_to(other, out_t) if other.value is not None else Typed(None, out_t))
        for cond, val in reversed(list(zip(conds, vals))):
            if cond.is_scalar:
                if cond.value:
                    result = ctx.broadcast(cast_to(val, out_t)) if val.value is not None or not val.is_scalar \
                        else ctx.broadcast(Typed(None, out_t))
                continue
            c = cond.value.fillna(False)
            v = cast_to(val, out_t).value
            if val.is_scalar and v is None:
                v = ctx.broadcast(Typed(None, out_t))
            result = result.mask(c, v)
        return Typed(fix_dtype(result, out_t), out_t, True)


class GetField(Expr):
    """A struct's field (``col("s.x")``, ``col("s")["x"]``) or an array element / map value."""

    def __init__(self, child: Expr, key: Any, bracket: bool = False):
        self.children = (child,)
        self.key = key
        # ``c[key]``/``getItem``: Spark names a map value or array element ``c[key]`` but a
        # struct field ``c.key``; which one is known once the child's type is (resolve_extracts)
        self.bracket = bracket

    def sql(self) -> str:
        if isinstance(self.key, str) and not self.bracket:
            return f"{self.children[0].sql()}.{self.key}" if not isinstance(self.children[0], Precompiled) \
                else self.key
        return f"{self.children[0].sql()}[{self.key}]"

    def compile(self, ctx: Ctx) -> Typed:
        t = self.children[0].compile(ctx)
        import pyarrow.compute as pc
        if isinstance(t.dtype, T.StructType):
            names = t.dtype.names
            key = find_unique(names, self.key, field=True)
            if key is None:
                raise field_not_found(self.key, names)
            ft = t.dtype[key].dataType
            arrow_t = T.to_arrow(ft)
            value = t.value.map_partitions(
                lambda s: pd.Series(pc.struct_field(pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype), [key]).cast(arrow_t),
                                    index=s.index, dtype=pd.ArrowDtype(arrow_t), name=s.name),
                meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t), name=t.value.name))
            return Typed(value, ft, True)
        if isinstance(t.dtype, T.ArrayType):
            return Typed(element_at_series(t.value, t.dtype, int(self.key) + 1, spark_getitem=True),
                         t.dtype.elementType, True)
        if isinstance(t.dtype, T.MapType):
            return Typed(map_value_series(t.value, t.dtype, self.key), t.dtype.valueType, True)
        raise AnalysisException(
            f"[INVALID_EXTRACT_BASE_FIELD_TYPE] Can't extract a value from "
            f"\"{self.children[0].sql()}\": need a struct, array or map, got "
            f"\"{t.dtype.simpleString().upper()}\".", "INVALID_EXTRACT_BASE_FIELD_TYPE")


def resolve_extracts(e: Expr, ctx: Ctx) -> Expr:
    """``e`` with each extraction by name in the form Spark names it: dotted for a struct
    field (``s.x``, even from ``s["x"]``), bracketed for a map value (``m[key]``, even from ``m.key``)."""
    if not any(isinstance(x, GetField) and isinstance(x.key, str) for x in e.walk()):
        return e

    def swap(x: Expr) -> Expr | None:
        if isinstance(x, GetField) and isinstance(x.key, str):
            child = resolve_extracts(x.children[0], ctx)
            try:
                struct = isinstance(child.compile(ctx).dtype, T.StructType)
            except AnalysisException:
                return None  # the error surfaces where the expression compiles
            return GetField(child, x.key, bracket=not struct)
        return None
    return e.replace(swap)


class Func(Expr):
    """A scalar function: ``impl(ctx, *typed_args) -> Typed``; ``sql_name`` is Spark's."""

    def __init__(self, name: str, args: Iterable[Expr], impl: Callable[..., Typed],
                 sql: str | None = None, **options: Any):
        self.name = name
        self.children = tuple(args)
        self.impl = impl
        self._sql = sql
        self.options = options

    def sql(self) -> str:
        if self._sql is not None:
            return self._sql
        return f"{self.name}({', '.join(c.sql() for c in self.children)})"

    def compile(self, ctx: Ctx) -> Typed:
        return self.impl(ctx, *[c.compile(ctx) for c in self.children], **self.options)


class AggFunc(Expr):
    """An aggregate (``sum(a)``): lowered by ``dfml.sql.group``, not row by row. Subclasses
    (``dfml.sql.aggregates``) declare their partials and finish; ``name`` is Spark's, for
    ``sql()``. Nodes compare by value (class, name, arguments, options)."""

    is_aggregate = True

    def __init__(self, name: str, args: Iterable[Expr], sql: str | None = None, **options: Any):
        self.name = name
        self.children = tuple(args)
        self._sql = sql
        self.options = options

    def declare(self, args: list[Typed], partials: Any) -> Callable[[Any], Typed]:
        """Register the partial reductions this aggregate needs over ``args`` (its compiled
        arguments) in ``partials``; return its finish over the reduced frame."""
        raise NotImplementedError(f"aggregate {self.name} declares no reduction")

    def sql(self) -> str:
        if self._sql is not None:
            return self._sql
        return f"{self.name}({', '.join(c.sql() for c in self.children)})"

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(
            f"[MISSING_GROUP_BY] The aggregate {self.sql()} can only be used in groupBy().agg(), "
            f"agg() or select() of aggregates only.", "MISSING_GROUP_BY")


class SortOrder(Expr):
    def __init__(self, child: Expr, ascending: bool = True, nulls_first: bool | None = None):
        self.children = (child,)
        self.ascending = ascending
        self.nulls_first = ascending if nulls_first is None else nulls_first

    def sql(self) -> str:
        return (f"{self.children[0].sql()} {'ASC' if self.ascending else 'DESC'} "
                f"NULLS {'FIRST' if self.nulls_first else 'LAST'}")

    def compile(self, ctx: Ctx) -> Typed:
        return self.children[0].compile(ctx)
