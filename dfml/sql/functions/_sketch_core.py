"""What Spark's sketch functions (``hll_*``, ``theta_*``, ``kll_*``) share: the aggregate node
that builds or merges sketches per group, the scalar-function builder over sketch bytes, and
the argument checks.

Sketches are Apache DataSketches' binary images (the ``datasketches`` package is the C++
library, which shares its formats and hashing with the Java library Spark uses), so a sketch
built by Spark loads here and the other way round. An aggregate is one partial reduction: each
partition builds (or merges) one sketch per group and the tree reduction merges those, so no
group's values are ever gathered in one place. Between steps a sketch travels as its bytes
(``datasketches`` objects do not pickle). A family registers its ``chunk``/``combine``/``empty``
functions under a name; the node carries only that name and its constant parameter, so two
nodes with equal arguments compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from ..aggregates import AggFunc, Partials
from ..column import Column, Ctx, Expr, Literal, Typed
from ..errors import AnalysisException, SparkException
from ..kernels import rowwise
from ._common import col_expr, func, per_partition

__all__: list[str] = []


Check = Callable[[str, int, str, T.DataType], None]  # (function sql, arg position, arg sql, type)


@dataclass(frozen=True)
class SketchFamily:
    """How an aggregate of one family builds its sketch: ``chunk(values, param)`` turns a
    partition's non-null inputs of a group into sketch bytes (or None: nothing seen yet),
    ``combine(states, param)`` merges such bytes, ``empty(param)`` is the result for a group
    with no input; ``check(dtype)`` refuses an input type (Spark's error) before any work."""

    chunk: Callable[[list, Any], bytes | None]
    combine: Callable[[list, Any], bytes | None]
    empty: Callable[[Any], bytes | None]
    check: Check


FAMILIES: dict[str, SketchFamily] = {}


class _State:
    """A partial sketch between reduction steps (a wrapper, so pandas keeps it as one object).

    A failure (a malformed input sketch, different lgConfigK) is carried as ``error`` and raised
    by the finish: dask also runs the chunk step on made-up sample values to infer its output,
    where a sketch parser must not stop the plan from being built."""

    __slots__ = ("data", "error")

    def __init__(self, data: bytes | None, error: Exception | None = None):
        self.data = data
        self.error = error

    def __reduce__(self) -> Any:
        return (_State, (self.data, self.error))


def _values(x: pd.Series) -> list:
    """A group's non-null values as Python objects, NaN kept (read from Arrow: pandas would
    take NaN for missing)."""
    if isinstance(x.dtype, pd.ArrowDtype):
        return pc.drop_null(x.array._pa_array).to_pylist()
    return x.dropna().tolist()


def _guarded(fn: Callable[[], bytes | None]) -> _State:
    try:
        return _State(fn())
    except Exception as err:  # raised again by the finish, see _State
        return _State(None, err)


def _aggregation(family: str, param: Any) -> Any:
    fam = FAMILIES[family]

    def chunk(s: Any) -> Any:
        return s.agg(lambda x: _guarded(lambda: fam.chunk(_values(x), param)))

    def combine(s: Any) -> Any:
        def merge(parts: Any) -> _State:
            states = [p for p in parts if isinstance(p, _State)]
            failed = [p for p in states if p.error is not None]
            if failed:
                return failed[0]
            images = [p.data for p in states if p.data is not None]
            return _guarded(lambda: fam.combine(images, param) if images else None)
        return s.agg(merge)

    import dask.dataframe as dd  # at first use: `import dfml.sql` leaves dask for later
    return dd.Aggregation(f"{family}_{param}", chunk, combine)


def _image(state: Any, fam: SketchFamily, param: Any) -> bytes | None:
    if isinstance(state, _State):
        if state.error is not None:
            raise state.error
        if state.data is not None:
            return state.data
    return fam.empty(param)


class SketchAgg(AggFunc):
    """A sketch-building aggregate (options ``family`` and ``param``): binary, never null."""

    def declare(self, args: list[Typed], p: Partials) -> Callable[[Any], Typed]:
        family, param = self.options["family"], self.options["param"]
        fam = FAMILIES[family]
        fam.check(self.sql(), 0, self.children[0].sql(), args[0].dtype)
        m = p.reduce(p.input(args[0]), _aggregation(family, param))
        arrow_t = pa.binary()

        def to_bytes(s: pd.Series) -> pd.Series:
            vals = [_image(v, fam, param) for v in s.tolist()]
            return pd.Series(pa.chunked_array([pa.array(vals, arrow_t)]), index=s.index,
                             dtype=pd.ArrowDtype(arrow_t), name=s.name)

        def finish(P: Any) -> Typed:
            meta = pd.Series([], dtype=pd.ArrowDtype(arrow_t), name=P[m].name)
            return Typed(P[m].map_partitions(to_bytes, meta=meta), T.BinaryType(), False)
        return finish


def sketch_agg(name: str, family: str, col: Any, param: Any, shown: str | None) -> Column:
    """The aggregate column ``name(col[, shown])`` of ``family`` with constant ``param``."""
    e = col_expr(col)
    sql = f"{name}({e.sql()}{'' if shown is None else ', ' + shown})"
    return Column(SketchAgg(name, [e], sql=sql, family=family, param=param))


def hashable_key(v: Any) -> Any:
    """``v`` as a value the package hashes the way Java hashes Spark's value."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            raise SparkException(
                "[UNSUPPORTED_FEATURE] dfml hashes binary sketch inputs through UTF-8 (the Python "
                "DataSketches package has no byte-array update); this value is not UTF-8: "
                f"{bytes(v)[:16]!r}. Cast the column to string or hash it first.") from None
    if isinstance(v, bool):
        return int(v)
    return v


# ---------------------------------------------------------------- argument checks
_ORDINALS = ("first", "second", "third")


def mismatch(fn_sql: str, pos: int, arg_sql: str, wanted: str, got: T.DataType) -> AnalysisException:
    """Spark's error for argument ``pos`` (0-based) of ``fn_sql`` of the wrong type."""
    return AnalysisException(
        f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{fn_sql}" due to data type '
        f'mismatch: The {_ORDINALS[pos]} parameter requires the {wanted} type, however '
        f'"{arg_sql}" has the type "{got.simpleString().upper()}".',
        "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


def accepting(wanted: str, *types: type) -> Check:
    """A check passing ``types`` (and null), refusing the rest with Spark's error."""
    def check(fn_sql: str, pos: int, arg_sql: str, t: T.DataType) -> None:
        if not isinstance(t, types + (T.NullType,)):
            raise mismatch(fn_sql, pos, arg_sql, wanted, t)
    return check


require_binary = accepting('"BINARY"', T.BinaryType)


def constant(value: Any, fn: str, param: str, default: Any, kind: type) -> Any:
    """A parameter Spark requires to be a constant: a Python value or a literal Column."""
    if isinstance(value, Column):
        if not isinstance(value._expr, Literal):
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] {fn}: the parameter {param} must be a "
                f"constant, got {value._expr.sql()}", "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT")
        value = value._expr.value
    if value is None:
        return default
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)) or \
            kind is bool and not isinstance(value, bool):
        raise TypeError(f"{fn}: {param} must be {'an int' if kind is int else 'a bool'}, "
                        f"got {type(value).__name__}: {value!r}")
    return value


def bad_sketch(fn: str, what: str, err: Exception) -> SparkException:
    return SparkException(f"[{what}] {fn}: the input is not a valid sketch buffer ({err}). "
                          f"SQLSTATE: 22546")


# ---------------------------------------------------------------- scalar functions of sketches
def sketch_function(name: str, cols: list[Any], fn: Callable[..., Any],
                    out: T.DataType | Callable[[list], T.DataType],
                    sql: str | None = None, checks: list[Check] | None = None
                    ) -> Column:
    """``name(*cols)`` computed row by row by ``fn`` over the Python values (null in, null
    out); each argument's type is checked by the matching entry of ``checks``; ``out`` is the
    result type, or a function of the argument types giving it."""
    exprs = [c if isinstance(c, Expr) else col_expr(c) for c in cols]
    shown = sql or f"{name}({', '.join(e.sql() for e in exprs)})"
    checks = checks or [require_binary] * len(exprs)

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        for i, (e, t, check) in enumerate(zip(exprs, ts, checks)):
            check(shown, i, e.sql(), t.dtype)

        def one(*vals: Any) -> Any:
            return None if any(v is None for v in vals) else fn(*vals)
        out_t = out([t.dtype for t in ts]) if callable(out) else out
        args = [Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable), *ts[1:]]
        return Typed(per_partition(ctx, args, rowwise(one, T.to_arrow(out_t)), out_t), out_t,
                     True)
    return func(name, exprs, impl, sql=shown)
