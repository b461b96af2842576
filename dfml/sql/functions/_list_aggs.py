"""Aggregates computed from each group's gathered values: ``median``, ``percentile``, ``mode``,
``product``, ``max_by``, ``min_by``, ``histogram_numeric`` and ``collect_union``.

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
from ._numeric_histogram import numeric_histogram

__all__ = ["median", "percentile", "mode", "product", "max_by", "min_by", "histogram_numeric",
           "collect_union"]


def _over_list(name: str, gathered: Column, fn: Any, out_of: Any, sql: str,
               fn_of: Any = None) -> Column:
    """``fn`` of each group's gathered non-null values (``fn_of(element type)`` builds it when
    it depends on the input's type)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        out = out_of(t.dtype.elementType)
        f = fn if fn_of is None else fn_of(t.dtype.elementType)
        one = rowwise(lambda xs: f([x for x in (xs or []) if x is not None]), T.to_arrow(out))
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


def _nb_value(nBins: Any, shown: str) -> int:
    """``histogram_numeric``'s bin count: a constant integer of at least 2, checked before any
    work runs (Spark's analysis error)."""
    from ..column import Literal
    from ..errors import AnalysisException
    nb = nBins._expr.value if isinstance(nBins, Column) and isinstance(nBins._expr, Literal) \
        else nBins
    if isinstance(nb, bool) or not isinstance(nb, int):
        raise AnalysisException(
            f"[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{shown}\" due to data type "
            f"mismatch: the input `nb` should be a foldable \"INT\" expression; however, got "
            f"{nBins!r}.", "DATATYPE_MISMATCH")
    if nb < 2:
        raise AnalysisException(
            f"[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve \"{shown}\" due to data type "
            f"mismatch: The nb must be between [2, 2147483647] (current value = {nb}).",
            "DATATYPE_MISMATCH")
    return nb


def _as_input_type(dtype: Any) -> Any:
    """How a bin centre (a double) goes back to the input's type, as Spark's casts do: integral
    types truncate toward zero (NaN to 0), float rounds to single precision."""
    import numpy as np
    if isinstance(dtype, T.IntegralType):
        return lambda x: 0 if math.isnan(x) else int(x)
    if isinstance(dtype, T.FloatType):
        return lambda x: float(np.float32(x))
    return float


def histogram_numeric(col: Any, nBins: Any) -> Column:
    """A histogram of the non-null values in at most ``nBins`` bins of varying width: an array
    of ``(x, y)`` structs, ``x`` a bin's centre (in the input's type) and ``y`` its count.

    The values are added in row order into Spark's streaming histogram (see
    ``_numeric_histogram``), so a group read in one piece gives Spark's bins; Spark merges
    per-partition histograms, which may differ when its input is split differently."""
    e = col_expr(col)
    nb_shown = nBins._expr.sql() if isinstance(nBins, Column) else str(nBins)
    shown = f"histogram_numeric({e.sql()}, {nb_shown})"
    nb = _nb_value(nBins, shown)

    def out_of(et: Any) -> Any:
        if not isinstance(et, (T.IntegralType, T.FloatType, T.DoubleType)):
            from ..errors import AnalysisException
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{shown}\" due to data "
                f"type mismatch: The first parameter requires the (\"NUMERIC\" or \"TIMESTAMP\" or "
                f"\"DATE\" or \"TIMESTAMP_NTZ\" or \"INTERVAL YEAR TO MONTH\" or \"INTERVAL DAY TO "
                f"SECOND\") type, however \"{e.sql()}\" has the type \"{et.simpleString().upper()}\".",
                "DATATYPE_MISMATCH")
        return T.ArrayType(T.StructType([T.StructField("x", et, True),
                                         T.StructField("y", T.DoubleType(), True)]), True)

    def fn_of(et: Any) -> Any:
        back = _as_input_type(et)

        def fn(xs: list) -> Any:
            bins = numeric_histogram([float(x) for x in xs], nb)
            return None if bins is None else [{"x": back(x), "y": y} for x, y in bins]
        return fn
    return _over_list("histogram_numeric", collect_list(Column(e)), None, out_of, shown, fn_of)


def collect_union(col: Any) -> Column:
    """The distinct elements of the arrays of a group, in first-seen order, null elements
    dropped (``array_distinct(flatten(collect_list(col)))`` without the nulls)."""
    e = col_expr(col)

    def out_of(et: Any) -> Any:
        if not isinstance(et, T.ArrayType):
            from ..errors import AnalysisException
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"collect_union"
                f"({e.sql()})\" due to data type mismatch: The first parameter requires the "
                f"\"ARRAY\" type, however \"{e.sql()}\" has the type \"{et.simpleString().upper()}\".",
                "DATATYPE_MISMATCH")
        return T.ArrayType(et.elementType, False)

    def fn(arrays: list) -> list:
        seen: dict = {}
        for arr in arrays:
            for v in arr:
                if v is not None:
                    seen.setdefault(_union_key(v), v)
        return list(seen.values())
    return _over_list("collect_union", collect_list(Column(e)), fn, out_of, f"collect_union({e.sql()})")


def _union_key(v: Any) -> Any:
    """A hashable stand-in for an element: NaN equals NaN (Spark's set semantics), lists and
    structs by their contents."""
    if isinstance(v, float) and v != v:
        return ("NaN",)
    if isinstance(v, (list, tuple)):
        return tuple(_union_key(x) for x in v)
    if isinstance(v, dict):
        return tuple((k, _union_key(x)) for k, x in v.items())
    return v
