"""Aggregates computed from each group's gathered values: ``median``, ``percentile``, ``mode``,
``product``, ``max_by`` and ``min_by``.

Each is ``collect_list`` (a tree reduction already in place) followed by a function of the
gathered list, so a group's values are held in memory at once: fine for the group sizes these
statistics are used on, and exact (Spark's ``median``/``percentile`` are exact too).
"""

from __future__ import annotations

import math
from typing import Any

from .. import types as T
from ..column import Column, Ctx, Literal, Typed
from ..kernels import rowwise
from ._aggregates import collect_list
from ._arrays import struct
from ._common import col_expr, func, per_partition

__all__ = ["median", "percentile", "mode", "product", "max_by", "min_by"]


def _over_list(name: str, gathered: Column, fn: Any, out_of: Any, sql: str) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        out = out_of(t.dtype.elementType)
        one = rowwise(lambda xs: fn([x for x in (xs or []) if x is not None]), T.to_arrow(out))
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
        return Typed(per_partition(ctx, ts, one, out), out, True)
    return func(name, [gathered._expr], impl, sql=sql)


def _percentile_of(xs: list, p: float) -> float | None:
    """The exact percentile with linear interpolation between the closest ranks (Spark's)."""
    if not xs:
        return None
    s = sorted(xs)
    pos = p * (len(s) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(s[lo]) + (float(s[hi]) - float(s[lo])) * (pos - lo)


def median(col: Any) -> Column:
    """The exact median of the non-null values (a double)."""
    e = col_expr(col)
    return _over_list("median", collect_list(Column(e)), lambda xs: _percentile_of(xs, 0.5),
                      lambda et: T.DoubleType(), f"median({e.sql()})")


def percentile(col: Any, percentage: Any, frequency: Any = 1) -> Column:
    """The exact percentile(s) of the non-null values: a double, or an array for a list."""
    e = col_expr(col)
    p = percentage._expr.value if isinstance(percentage, Column) else percentage
    if isinstance(frequency, Column) and isinstance(frequency._expr, Literal):
        frequency = frequency._expr.value  # ``sf.lit(1)``: Spark takes the frequency as a column
    if not isinstance(frequency, int) or frequency != 1:
        raise NotImplementedError("percentile(): only frequency=1 is supported")
    many = isinstance(p, (list, tuple))
    shown = "array(" + ", ".join(str(x) for x in p) + ")" if many else str(p)
    fn = (lambda xs: None if not xs else [_percentile_of(xs, q) for q in p]) if many \
        else (lambda xs: _percentile_of(xs, p))
    out = T.ArrayType(T.DoubleType(), False) if many else T.DoubleType()
    return _over_list("percentile", collect_list(Column(e)), fn, lambda et: out,
                      f"percentile({e.sql()}, {shown}, 1)")


def _mode(xs: list) -> Any:
    counts: dict = {}
    for x in xs:
        counts[x] = counts.get(x, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    return min(x for x, n in counts.items() if n == best)  # ties: the smallest, deterministically


def mode(col: Any, deterministic: bool = False) -> Column:
    """The most frequent non-null value (ties go to the smallest)."""
    e = col_expr(col)
    # Spark names the deterministic form after its SQL spelling (an ordered-set aggregate)
    sql = f"mode() WITHIN GROUP (ORDER BY {e.sql()} DESC)" if deterministic else f"mode({e.sql()})"
    return _over_list("mode", collect_list(Column(e)), _mode, lambda et: et, sql)


def product(col: Any) -> Column:
    """The product of the non-null values (a double; null when there are none)."""
    e = col_expr(col)

    def fn(xs: list) -> float | None:
        return math.prod(float(x) for x in xs) if xs else None
    return _over_list("product", collect_list(Column(e)), fn, lambda et: T.DoubleType(),
                      f"product({e.sql()})")


def _by(name: str, pick: Any) -> Any:
    def f(col: Any, ord: Any, k: Any = None) -> Column:  # noqa: A002 - Spark's names
        x, o = col_expr(col), col_expr(ord)
        pairs = collect_list(struct(Column(o).alias("o"), Column(x).alias("x")))
        if k is not None:
            return _top_k(name, pick is max, x, o, pairs, k)

        def fn(items: list) -> Any:
            present = [it for it in items if it["o"] is not None]
            return pick(present, key=lambda it: it["o"])["x"] if present else None
        return _over_list(name, pairs, fn, lambda et: et.fields[1].dataType,
                          f"{name}({x.sql()}, {o.sql()})")
    f.__name__ = name
    f.__doc__ = (f"The value of ``col`` on the row with the {'largest' if pick is max else 'smallest'} "
                 "``ord``; with ``k``, an array of the values on the k rows with the "
                 f"{'largest' if pick is max else 'smallest'} ``ord``, in that order.")
    return f


def _top_k(name: str, largest: bool, x: Any, o: Any, pairs: Column, k: Any) -> Column:
    """Spark 4's ``max_by(x, ord, k)``: k must be a positive int literal, known before any work
    runs; rows whose ``ord`` is null are skipped and values (nulls too) are kept in ord order."""
    if isinstance(k, Column) and isinstance(k._expr, Literal):
        k = k._expr.value
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"{name}(): k must be an int literal, got {k!r}")
    if not 1 <= k <= 100000:
        from ..errors import AnalysisException
        raise AnalysisException(f'[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve "{name}({x.sql()}, '
                                f'{o.sql()}, {k})" due to data type mismatch: The `k` must be between '
                                f"[1, 100000] (current value = {k}).")

    def fn(items: list) -> Any:
        present = [it for it in items if it["o"] is not None]
        present.sort(key=lambda it: it["o"], reverse=largest)
        return [it["x"] for it in present[:k]] if present else None  # no ordered row: null

    def impl(ctx: Ctx, t: Typed) -> Typed:
        out = T.ArrayType(t.dtype.elementType.fields[1].dataType, True)
        one = rowwise(lambda xs: fn([v for v in (xs or []) if v is not None]), T.to_arrow(out))
        return Typed(per_partition(ctx, [t], one, out), out, True)
    return func(name, [pairs._expr], impl, sql=f"{name}({x.sql()}, {o.sql()}, {k})")


max_by = _by("max_by", max)
min_by = _by("min_by", min)
