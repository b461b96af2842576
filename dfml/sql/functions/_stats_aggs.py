"""More aggregates: the ``regr_*`` linear-regression family, ``bit_and``/``bit_or``/``bit_xor``,
``listagg``/``string_agg`` (plain and DISTINCT) and ``approx_percentile``.

The ``regr_*`` functions are Spark's formulas over the existing moments (``avg``, ``var_pop``,
``covar_pop``, ``corr``, ``count``) of the rows where both ``y`` and ``x`` are non-null, so
they need no partials of their own and run over windows as those do; a NaN in a pair stays in
(Spark only drops nulls) and makes the statistics NaN. The bit and string aggregates are a
function of ``collect_list`` (a tree reduction already in place), as ``median`` is.
"""

from __future__ import annotations

import functools
import operator
from typing import Any, Callable

from .. import types as T
from ..column import CaseWhen, Column, Ctx, Literal, Typed
from ..errors import AnalysisException
from ..kernels import rowwise
from ._aggregates import avg, collect_list, corr, count, covar_pop, percentile_approx, var_pop
from ._common import col_expr, func, per_partition, renamed

__all__ = ["regr_count", "regr_avgx", "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy",
           "regr_slope", "regr_intercept", "regr_r2", "bit_and", "bit_or", "bit_xor",
           "listagg", "listagg_distinct", "string_agg", "string_agg_distinct",
           "approx_percentile"]


# ---------------------------------------------------------------------------- regression
def _pairs(y: Any, x: Any) -> tuple[Column, Column, str]:
    """``y`` and ``x`` kept only where both are non-null (null elsewhere), and the printed
    argument list Spark uses in the names."""
    ye, xe = col_expr(y), col_expr(x)
    both = Column(ye).isNotNull() & Column(xe).isNotNull()
    keep = (lambda e: Column(CaseWhen([(both._expr, e)], Literal(None))))
    return keep(ye), keep(xe), f"{ye.sql()}, {xe.sql()}"


def _double(c: Column) -> Column:
    return c.cast("double")


def _regr(name: str, build: Callable[[Column, Column], Column], doc: str) -> Any:
    def f(y: Any, x: Any) -> Column:
        yf, xf, shown = _pairs(y, x)
        return renamed(build(_double(yf), _double(xf)), f"{name}({shown})")
    f.__name__ = name
    f.__doc__ = doc
    return f


def _slope(y: Column, x: Column) -> Column:
    return covar_pop(y, x) / var_pop(x)  # a zero variance divides to null (non-ANSI)


regr_count = _regr("regr_count", lambda y, x: count(x),
                   "How many rows have both ``y`` and ``x`` non-null (a bigint).")
regr_avgx = _regr("regr_avgx", lambda y, x: avg(x), "The mean of ``x`` over the non-null pairs.")
regr_avgy = _regr("regr_avgy", lambda y, x: avg(y), "The mean of ``y`` over the non-null pairs.")
regr_sxx = _regr("regr_sxx", lambda y, x: var_pop(x) * count(x),
                 "The sum of squared deviations of ``x`` over the non-null pairs.")
regr_syy = _regr("regr_syy", lambda y, x: var_pop(y) * count(x),
                 "The sum of squared deviations of ``y`` over the non-null pairs.")
regr_sxy = _regr("regr_sxy", lambda y, x: covar_pop(y, x) * count(x),
                 "The sum of products of the deviations of ``y`` and ``x`` over the pairs.")
regr_slope = _regr("regr_slope", _slope,
                   "The least-squares slope of ``y`` on ``x`` (null when ``x`` does not vary).")
regr_intercept = _regr("regr_intercept", lambda y, x: avg(y) - _slope(y, x) * avg(x),
                       "The least-squares intercept of ``y`` on ``x`` (null when ``x`` does not vary).")


def _r2(y: Column, x: Column) -> Column:
    vx, vy, r = var_pop(x), var_pop(y), corr(y, x)
    one = Column(Literal(1.0))
    return Column(CaseWhen([((vx == 0)._expr, Literal(None)), ((vy == 0)._expr, one._expr)],
                           (r * r)._expr))


regr_r2 = _regr("regr_r2", _r2, "The coefficient of determination of the fit of ``y`` on ``x`` "
                "(null when ``x`` does not vary, 1 when only ``y`` does not).")


# ---------------------------------------------------------------------------- over the list
def _over_list(name: str, gathered: Column, fn: Callable[[list], Any],
               out_of: Callable[[T.DataType], T.DataType], sql: str) -> Column:
    """``fn`` of each group's non-null values (None when there are none)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        out = out_of(t.dtype.elementType)
        one = rowwise(lambda xs: (lambda v: fn(v) if v else None)(
            [x for x in (xs or []) if x is not None]), T.to_arrow(out))
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
        return Typed(per_partition(ctx, ts, one, out), out, True)
    return func(name, [gathered._expr], impl, sql=sql)


def _integral(name: str) -> Callable[[T.DataType], T.DataType]:
    def check(et: T.DataType) -> T.DataType:
        if not isinstance(et, (T.IntegralType, T.NullType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{name}" due to data '
                f'type mismatch: the parameter requires "INTEGRAL" type, however the input has '
                f'type "{et.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        return T.IntegerType() if isinstance(et, T.NullType) else et
    return check


def _bit_agg(name: str, op: Callable[[int, int], int]) -> Any:
    def f(col: Any) -> Column:
        e = col_expr(col)
        return _over_list(name, collect_list(Column(e)), lambda xs: functools.reduce(op, xs),
                          _integral(name), f"{name}({e.sql()})")
    f.__name__ = name
    f.__doc__ = f"Spark's ``{name}``: the bitwise combination of the non-null values, in their type."
    return f


bit_and = _bit_agg("bit_and", operator.and_)
bit_or = _bit_agg("bit_or", operator.or_)
bit_xor = _bit_agg("bit_xor", operator.xor)


def _delimiter(delimiter: Any, fname: str) -> tuple[Any, str]:
    """The delimiter's value and how Spark prints it (``NULL`` when none is given)."""
    if isinstance(delimiter, Column):
        e = delimiter._expr
        if not isinstance(e, Literal):
            raise AnalysisException(f"{fname}(): the delimiter must be a constant, got {e.sql()}",
                                    "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT")
        delimiter = e.value
    if delimiter is None:
        return None, "NULL"
    if not isinstance(delimiter, (str, bytes)):
        raise TypeError(f"{fname}(): delimiter must be a string or bytes, got "
                        f"{type(delimiter).__name__}")
    return delimiter, delimiter if isinstance(delimiter, str) else "X'" + delimiter.hex().upper() + "'"


def _joined(name: str, distinct: bool) -> Any:
    shown_name = name.replace("_distinct", "")

    def f(col: Any, delimiter: Any = None) -> Column:
        e = col_expr(col)
        sep, sep_shown = _delimiter(delimiter, name)

        def join(xs: list) -> Any:
            if distinct:
                xs = list(dict.fromkeys(xs))
            if isinstance(xs[0], bytes):
                return (sep.encode() if isinstance(sep, str) else (sep or b"")).join(xs)
            return (sep.decode() if isinstance(sep, bytes) else (sep or "")).join(xs)

        def out(et: T.DataType) -> T.DataType:
            if not isinstance(et, (T.StringType, T.BinaryType, T.NullType)):
                raise AnalysisException(
                    f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{shown_name}" due '
                    f'to data type mismatch: the parameter requires ("STRING" or "BINARY") type, '
                    f'however the input has type "{et.simpleString().upper()}".',
                    "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
            return T.BinaryType() if isinstance(et, T.BinaryType) else T.StringType()
        shown = f"{shown_name}({'DISTINCT ' if distinct else ''}{e.sql()}, {sep_shown})"
        return _over_list(shown_name, collect_list(Column(e)), join, out, shown)
    f.__name__ = name
    f.__doc__ = (f"Spark's ``{name}``: the group's non-null values{' (each once)' if distinct else ''}"
                 f" joined by ``delimiter`` (nothing by default), in the order they arrive.")
    return f


listagg = _joined("listagg", False)
listagg_distinct = _joined("listagg_distinct", True)
string_agg = _joined("string_agg", False)
string_agg_distinct = _joined("string_agg_distinct", True)


def approx_percentile(col: Any, percentage: Any, accuracy: Any = 10000) -> Column:
    """Spark's ``approx_percentile``: ``percentile_approx`` under its other name."""
    def value(v: Any) -> Any:  # SQL passes constants as columns: a literal, array(literals)
        e = v._expr if isinstance(v, Column) else None
        if isinstance(e, Literal):
            return e.value
        if getattr(e, "name", None) == "array" and all(isinstance(c, Literal) for c in e.children):
            return [float(c.value) for c in e.children]
        return v
    inner = percentile_approx(col, value(percentage), value(accuracy))
    text = inner._expr.sql()
    return renamed(inner, "approx_percentile" + text[text.index("("):])
