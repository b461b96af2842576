"""Aggregate functions as nodes: each class declares its result type, its partials and its finish.

An aggregate lowers in two halves, written side by side in its class:
- ``declare(args, partials)`` checks the argument types (Spark's error classes) and registers
  the per-group partial reductions it needs (``partials.reduce(column, "sum")``: sum, count,
  min, max, first, last, size, or a dask ``Aggregation``; ``partials.distinct`` for DISTINCT);
- it returns its *finish*: a function of the reduced frame giving the result column (``Typed``).
Every aggregate of one ``agg`` call registers into one ``Partials``, so they all share one
groupby: one pass over the input. Adding an aggregate is one class here (or anywhere: the
lowering in ``dfml.sql.group`` asks the node, never its name). Over a window the same partials
run over every row's frame (``dfml.sql.window_exec``): no window code per aggregate.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import types as T
from . import decimals as D
from .column import AggFunc, Ctx, Expr, Typed, cast_to, fix_dtype
from .errors import AnalysisException
from .kernels import ArrowKernel
from .nan_rules import distinct_values, order_key

if TYPE_CHECKING:
    import dask.dataframe as dd

Finish = Callable[[Any], Typed]

__all__ = ["Partials", "AggFunc", "CountStar", "Count", "Sum", "Avg", "Min", "Max", "First",
           "Last", "CentralMoment", "Comoment", "CollectList", "CollectSet", "PercentileApprox",
           "CountDistinct", "SumDistinct"]


class Partials:
    """The partial reductions of all aggregates of one ``agg`` call, over one frame."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.inputs: dict[str, Any] = {}
        self.partials: dict[str, tuple[str, Any]] = {}
        self.distinct: list[tuple[str, str, str]] = []
        self.count_cols: set[str] = set()
        self.over_window = False  # set by window lowering: frames take only prefix-sum partials

    def input(self, t: Typed, dt: T.DataType | None = None) -> str:
        """A column the reduction reads: ``t`` (cast to ``dt``), by its work-frame name."""
        name = f"__in{len(self.inputs)}"
        t = cast_to(t, dt) if dt is not None else t
        self.inputs[name] = self.ctx.broadcast(t)
        return name

    def derived(self, value: Any) -> str:
        """A work column computed from other work columns (a power, a product), by a fresh name."""
        name = f"__in{len(self.inputs)}"
        self.inputs[name] = value
        return name

    def reduce(self, col: str, how: Any) -> str:
        """A per-group reduction of work column ``col``; its name in the reduced frame."""
        name = f"__p{len(self.partials)}"
        self.partials[name] = (col, how)
        if how in ("count", "size"):
            self.count_cols.add(name)
        return name

    def distinct_reduce(self, col: str, how: str) -> str:
        """A reduction over the distinct values of ``col`` per group ("count" or "sum"; a sum
        also yields ``<name>_n``, how many values it summed)."""
        out = f"__d{len(self.distinct)}"
        self.distinct.append((col, how, out))
        return out


def require_numeric(a: Expr, t: Typed) -> None:
    if not isinstance(t.dtype, (T.NumericType, T.NullType)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{a.sql()}" due to data type '
            f'mismatch: the first parameter requires the "NUMERIC" type, however '
            f'"{a.children[0].sql()}" has the type "{t.dtype.simpleString().upper()}".',
            "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


def sum_type(dt: T.DataType) -> T.DataType:
    """Spark's result type of ``sum``: long for integers, a wider decimal, else double."""
    if isinstance(dt, T.IntegralType):
        return T.LongType()
    if isinstance(dt, T.DecimalType):
        return T.DecimalType(min(dt.precision + 10, 38), dt.scale)
    return T.DoubleType()


def _long(column: str) -> Finish:
    return lambda P: Typed(fix_dtype(P[column], T.LongType()), T.LongType(), False)


# ---------------------------------------------------------------- counts, sums, extremes
class CountStar(AggFunc):
    """``count(*)``/``count(1)``: rows."""

    def declare(self, args: list[Typed], p: Partials) -> Finish:
        return _long(p.reduce(p.input(Typed(1, T.LongType(), False)), "count"))


class Count(AggFunc):
    """``count(x)``: rows where ``x`` is not null."""

    def declare(self, args: list[Typed], p: Partials) -> Finish:
        return _long(p.reduce(p.input(args[0]), "count"))


class Sum(AggFunc):
    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        require_numeric(self, x)
        st = sum_type(x.dtype)
        if isinstance(st, T.DecimalType):
            return _decimal_sum(x, st, p)
        col = p.input(x, st)
        s, n = p.reduce(col, "sum"), p.reduce(col, "count")
        return lambda P: Typed(fix_dtype(P[s].mask(P[n] == 0, None), st), st, True)


def _decimal_sum(x: Typed, st: T.DecimalType, p: Partials) -> Finish:
    """Spark's sum of decimals: ``decimal(p + 10, s)``, null (ANSI off) where the total does
    not fit. Arrow sums decimal128 into decimal(38, s) and wraps silently past 38 digits, so
    inputs wider than 28 digits, whose totals can get there, are summed as decimal256."""
    wide_arrow = pa.decimal256(76, st.scale) if x.dtype.precision > 28 else pa.decimal128(38, st.scale)
    col = p.input(cast_to(x, st) if x.dtype.precision <= 28 else
                  Typed(x.value.astype(pd.ArrowDtype(wide_arrow)), st, x.nullable))
    s, n = p.reduce(col, "sum"), p.reduce(col, "count")
    kernel = ArrowKernel(lambda total, count: D.fit(
        pc.if_else(pc.equal(count, 0), pa.scalar(None, total.type), total).cast(
            pa.decimal256(76, st.scale)), st), [None, None], [0, 1], T.to_arrow(st))

    def finish(P: Any) -> Typed:
        value = P[s].map_partitions(kernel, P[n], meta=pd.Series([], dtype=T.to_dtype(st)))
        return Typed(value, st, True)
    return finish


class Avg(AggFunc):
    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        require_numeric(self, x)
        col = p.input(x, sum_type(x.dtype) if isinstance(x.dtype, T.DecimalType) else T.DoubleType())
        s, n = p.reduce(col, "sum"), p.reduce(col, "count")
        if isinstance(x.dtype, T.DecimalType):
            return _decimal_average(s, n, D.average_type(x.dtype))
        double = T.to_dtype(T.DoubleType())
        return lambda P: Typed(fix_dtype(P[s].astype(double) / P[n].mask(P[n] == 0, None), T.DoubleType()),
                               T.DoubleType(), True)


def _decimal_average(s: str, n: str, out: T.DecimalType) -> Finish:
    """Spark's avg of decimals: the exact mean, rounded half up to ``decimal(p + 4, s + 4)``."""
    kernel = ArrowKernel(lambda total, count: D.average(total, count, out), [None, None], [0, 1],
                         T.to_arrow(out))

    def finish(P: Any) -> Typed:
        value = P[s].map_partitions(kernel, P[n], meta=pd.Series([], dtype=T.to_dtype(out)))
        return Typed(value, out, True)
    return finish


class _Pick(AggFunc):
    """An aggregate that picks one of the group's values (same type as its input)."""

    how = ""

    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        m = p.reduce(p.input(x), self.how)
        return lambda P: Typed(fix_dtype(P[m], x.dtype), x.dtype, True)


class Min(_Pick):
    """Spark orders NaN above every number, so a min is NaN only when every value is NaN,
    which is also what Arrow's NaN-skipping min gives."""

    how = "min"


class Max(_Pick):
    """Spark orders NaN above every number: the max of a group holding a NaN is NaN. Arrow's
    max skips NaN, so a float input also counts its NaNs and the finish puts NaN back."""

    how = "max"

    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        if not isinstance(x.dtype, (T.DoubleType, T.FloatType)):
            return super().declare(args, p)
        from .column_ops import isnan
        from .expressions import Precompiled
        m = p.reduce(p.input(x), "max")
        nans = p.reduce(p.input(isnan(Precompiled(x)).compile(p.ctx), T.IntegerType()), "sum")
        arrow_t = T.to_arrow(x.dtype)
        kernel = ArrowKernel(_nan_if_any, [None, None], [0, 1], arrow_t)

        def finish(P: Any) -> Typed:
            value = P[m].map_partitions(kernel, P[nans], meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t)))
            return Typed(value, x.dtype, True)
        return finish


def _nan_if_any(maximum: Any, nan_count: Any) -> Any:
    # pandas treats NaN in an Arrow float column as missing, so NaN is put back with Arrow
    return pc.if_else(pc.fill_null(pc.greater(nan_count, 0), False),
                      pa.scalar(float("nan"), maximum.type), maximum)


class First(_Pick):
    """``first``/``any_value``: Spark's default keeps a null that comes first
    (``ignorenulls=False``); with ``ignorenulls`` the first non-null value."""

    @property
    def how(self) -> str:  # type: ignore[override]
        return "first" if self.options.get("ignorenulls") else "first_any"


class Last(_Pick):
    @property
    def how(self) -> str:  # type: ignore[override]
        return "last" if self.options.get("ignorenulls") else "last_any"


# ---------------------------------------------------------------- moments
class CentralMoment(AggFunc):
    """Variance, standard deviation, skewness and kurtosis (``statistic``: Spark's name,
    var_samp, var_pop, stddev_samp, stddev_pop, skewness, kurtosis) from mergeable central
    moments (``dfml.sql.moments``), as Spark computes them: raw power sums lose the last digits
    (and all of them for large offsets). Over a window the frame power sums remain."""

    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        require_numeric(self, x)
        stat = self.options["statistic"]
        col = p.input(x, T.DoubleType())
        if not getattr(p, "over_window", False):
            from .moments import moment_aggregation
            m = p.reduce(col, moment_aggregation(stat))
            return lambda P: Typed(fix_dtype(P[m], T.DoubleType()), T.DoubleType(), True)
        return _power_sum_moment(stat, col, p)


def _power_sum_moment(stat: str, col: str, p: Partials) -> Finish:
    """A moment from frame power sums (windows, whose frames are prefix-sum differences)."""
    xv = p.inputs[col]
    n, s1 = p.reduce(col, "count"), p.reduce(col, "sum")
    s2 = p.reduce(p.derived(xv * xv), "sum")
    order = {"skewness": 3, "kurtosis": 4}.get(stat, 2)
    s3 = s4 = ""
    if order >= 3:
        s3 = p.reduce(p.derived(xv * xv * xv), "sum")
    if order >= 4:
        s4 = p.reduce(p.derived(xv * xv * xv * xv), "sum")

    def finish(P: Any) -> Typed:
        cnt = P[n].astype(T.to_dtype(T.DoubleType()))
        cnt = cnt.mask(cnt == 0, None)
        mean = P[s1] / cnt
        m2 = P[s2] - P[s1] * mean  # sum of squared deviations
        m2 = m2.mask(m2 < 0, 0.0)
        if stat in ("var_samp", "stddev_samp"):
            v = m2 / (cnt - 1).mask(cnt == 1, None)
        elif stat in ("var_pop", "stddev_pop"):
            v = m2 / cnt
        elif stat == "skewness":
            m3 = P[s3] - 3 * mean * P[s2] + 3 * mean * mean * P[s1] - cnt * mean ** 3
            v = (cnt ** 0.5) * m3 / ((m2 * m2 * m2) ** 0.5).mask(m2 == 0, None)
        else:
            m4 = (P[s4] - 4 * mean * P[s3] + 6 * mean ** 2 * P[s2] - 4 * mean ** 3 * P[s1]
                  + cnt * mean ** 4)
            v = cnt * m4 / (m2 * m2).mask(m2 == 0, None) - 3.0
        if stat.startswith("stddev"):
            v = v ** 0.5
        return Typed(fix_dtype(v, T.DoubleType()), T.DoubleType(), True)
    return finish


class Comoment(AggFunc):
    """``corr``, ``covar_samp`` and ``covar_pop`` (``statistic``) over rows where both are set,
    from mergeable co-moments (``dfml.sql.moments``) in groups; frame power sums over windows."""

    def declare(self, args: list[Typed], p: Partials) -> Finish:
        for t in args:
            require_numeric(self, t)
        stat = self.options["statistic"]
        cx, cy = p.input(args[0], T.DoubleType()), p.input(args[1], T.DoubleType())
        xv, yv = p.inputs[cx], p.inputs[cy]
        both = xv.notnull() & yv.notnull()
        if not getattr(p, "over_window", False):
            from .moments import comoment_aggregation, pack_pairs
            packed = p.derived(pack_pairs(xv, yv))
            m = p.reduce(packed, comoment_aggregation(stat))
            return lambda P: Typed(fix_dtype(P[m], T.DoubleType()), T.DoubleType(), True)
        p.inputs[cx] = xv = xv.where(both, None)
        p.inputs[cy] = yv = yv.where(both, None)
        n = p.reduce(cx, "count")
        sx, sy, sxy = p.reduce(cx, "sum"), p.reduce(cy, "sum"), p.reduce(p.derived(xv * yv), "sum")
        sxx, syy = p.reduce(p.derived(xv * xv), "sum"), p.reduce(p.derived(yv * yv), "sum")

        def finish(P: Any) -> Typed:
            cnt = P[n].astype(T.to_dtype(T.DoubleType()))
            cnt = cnt.mask(cnt == 0, None)
            cxy = P[sxy] - P[sx] * P[sy] / cnt
            if stat == "covar_samp":
                v = cxy / (cnt - 1).mask(cnt == 1, None)
            elif stat == "covar_pop":
                v = cxy / cnt
            else:
                vx = P[sxx] - P[sx] * P[sx] / cnt
                vy = P[syy] - P[sy] * P[sy] / cnt
                v = cxy / ((vx * vy) ** 0.5).mask((vx * vy) <= 0, None)
            return Typed(fix_dtype(v, T.DoubleType()), T.DoubleType(), True)
        return finish


# ---------------------------------------------------------------- lists and percentiles
class Gathered:
    """A group's collected values. Not a list on purpose: pandas turns a column of lists into
    an Arrow list column with ``from_pandas`` semantics, which would make every NaN a null."""

    __slots__ = ("items",)

    def __init__(self, items: list):
        self.items = items

    def __reduce__(self) -> Any:
        return (Gathered, (self.items,))


def _present(x: Any) -> list:
    """The non-null values of a group, NaN included (read from Arrow, not through pandas)."""
    if isinstance(x.dtype, pd.ArrowDtype):
        return pc.drop_null(x.array._pa_array).to_pylist()
    return x.dropna().tolist()


@functools.lru_cache(maxsize=None)
def _list_aggregation(distinct: bool) -> "dd.Aggregation":
    """collect_list's (or collect_set's) reduction, built once at first use: building it
    needs dask.dataframe, which importing dfml.sql should not pay for (half a second)."""
    import dask.dataframe as dd

    def chunk(s: Any) -> Any:
        return s.agg(lambda x: Gathered(distinct_values(_present(x)) if distinct else _present(x)))

    def combine(s: Any) -> Any:
        def join(parts: Any) -> Gathered:
            out: list = [v for part in parts for v in _items(part)]
            return Gathered(distinct_values(out) if distinct else out)
        return s.agg(join)

    return dd.Aggregation("collect_set" if distinct else "collect_list", chunk, combine)


def _items(v: Any) -> list:
    return v.items if isinstance(v, Gathered) else (v if isinstance(v, list) else [])


def lists_to_arrow(col: Any, elem: T.DataType, post: Callable[[list], Any] | None = None,
                   out: T.DataType | None = None) -> Any:
    """A column of Python lists (a groupby's collected values) as an Arrow column of ``out``
    (``post`` maps each list first)."""
    out = out or T.ArrayType(elem, False)
    arrow_t = T.to_arrow(out)

    def conv(s: pd.Series) -> pd.Series:
        vals = [post(_items(v)) if post else _items(v) for v in s.tolist()]
        return pd.Series(pa.chunked_array([pa.array(vals, arrow_t)]), index=s.index,
                         dtype=pd.ArrowDtype(arrow_t), name=s.name)

    return col.map_partitions(conv, meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t), name=col.name))


class CollectList(AggFunc):
    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        m = p.reduce(p.input(x), _list_aggregation(False))
        return lambda P: Typed(lists_to_arrow(P[m], x.dtype), T.ArrayType(x.dtype, False), False)


class CollectSet(AggFunc):
    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        m = p.reduce(p.input(x), _list_aggregation(True))
        return lambda P: Typed(lists_to_arrow(P[m], x.dtype), T.ArrayType(x.dtype, False), False)


class PercentileApprox(AggFunc):
    """``percentile_approx`` (options ``percentages``, ``many``, ``accuracy``): exact here, the
    value of rank ceil(p * n) of the group's sorted values."""

    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        require_numeric(self, x)
        m = p.reduce(p.input(x), _list_aggregation(False))
        pcts, many = self.options["percentages"], self.options["many"]
        out = T.ArrayType(x.dtype, False) if many else x.dtype

        def pick(values: list) -> Any:
            if not values:
                return None
            vals = sorted(values, key=order_key)  # NaN above every number
            picked = [vals[min(max(int(np.ceil(q * len(vals))) - 1, 0), len(vals) - 1)] for q in pcts]
            return picked if many else picked[0]

        return lambda P: Typed(lists_to_arrow(P[m], x.dtype, pick, out), out, True)


# ---------------------------------------------------------------- DISTINCT
class CountDistinct(AggFunc):
    def declare(self, args: list[Typed], p: Partials) -> Finish:
        if len(args) > 1:
            return self._of_tuples(args, p)
        out = p.distinct_reduce(p.input(args[0]), "count")
        return lambda P: Typed(fix_dtype(P[out].fillna(0), T.LongType()), T.LongType(), False)

    def _of_tuples(self, args: list[Typed], p: Partials) -> Finish:
        """``count(DISTINCT a, b)``: the distinct (a, b) of rows where none is null, counted as
        distinct binary keys of the tuples (a constant argument changes no count; a NULL one
        leaves no row)."""
        from .order_keys import tuple_key_column
        if any(a.is_scalar and a.value is None for a in args):
            key = Typed(None, T.BinaryType(), True)
        else:
            cols = [a.value for a in args if not a.is_scalar]
            key = Typed(tuple_key_column(cols), T.BinaryType(), True) if cols else args[0]
        out = p.distinct_reduce(p.input(key), "count")
        return lambda P: Typed(fix_dtype(P[out].fillna(0), T.LongType()), T.LongType(), False)


class SumDistinct(AggFunc):
    def declare(self, args: list[Typed], p: Partials) -> Finish:
        x = args[0]
        require_numeric(self, x)
        st = sum_type(x.dtype)
        out = p.distinct_reduce(p.input(x, st), "sum")
        return lambda P: Typed(fix_dtype(P[out].mask(P[out + "_n"].fillna(0) == 0, None), st), st, True)
