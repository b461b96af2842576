"""Spark's Tuple sketch functions, each in a ``_double`` and an ``_integer`` flavour (the
summary type): the aggregates ``tuple_sketch_agg``, ``tuple_union_agg``,
``tuple_intersection_agg``; the readers ``tuple_sketch_estimate``, ``tuple_sketch_summary``,
``tuple_sketch_theta``; and the set operations on two sketches ``tuple_union``,
``tuple_intersection``, ``tuple_difference`` and their ``_theta`` forms, whose second argument
is a Theta sketch (``theta_sketch_agg``'s bytes).

Sketch bytes are Spark's (see ``_tuple_core``): a sketch built by either engine is read by the
other. Keys are hashed as ``theta_sketch_agg`` hashes them (nulls and empty strings skipped); a
row whose summary is null is skipped too, as in Spark.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import types as T
from ..aggregates import Partials
from ..column import Column, Typed
from ._arrays import struct
from ._common import col_expr
from ._sketch_core import SketchAgg, accepting, constant, require_binary, sketch_function
from ._tuple_core import (DOUBLE, INTEGER, Kind, check_lg_nom, check_mode, difference_of,
                          intersection_of, load, load_theta, register_families, summary_of,
                          union_of)

register_families()

_KINDS = {"double": DOUBLE, "integer": INTEGER}
_OPS = ("tuple_sketch_agg", "tuple_union_agg", "tuple_intersection_agg", "tuple_sketch_estimate",
        "tuple_sketch_summary", "tuple_sketch_theta", "tuple_union", "tuple_union_theta",
        "tuple_intersection", "tuple_intersection_theta", "tuple_difference",
        "tuple_difference_theta")
__all__ = [f"{op}_{k}" for op in _OPS for k in _KINDS]

# Spark also takes ARRAY<INT>/ARRAY<BIGINT> keys (hashed as raw arrays, which the Python package
# cannot hash) and coerces others (dates, decimals, booleans): refused here, naming the type.
_key_input = accepting('("BINARY" or "DOUBLE" or "FLOAT" or "INT" or "BIGINT" or "STRING")',
                       T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.StringType,
                       T.BinaryType, T.ShortType, T.ByteType)
_summary_input = {
    "double": accepting('"DOUBLE"', T.DoubleType, T.FloatType, T.IntegerType, T.LongType,
                        T.ShortType, T.ByteType),
    "integer": accepting('"INT"', T.IntegerType, T.LongType, T.ShortType, T.ByteType),
}


class TupleSketchAgg(SketchAgg):
    """``tuple_sketch_agg_*``: its one child is the struct (key, summary), so a group's pairs
    reach the sketch together; the key and summary types are checked as Spark's arguments."""

    def declare(self, args: list[Typed], p: Partials) -> Callable[[Any], Typed]:
        key_t, summary_t = (f.dataType for f in args[0].dtype.fields)
        shown = self.sql()
        _key_input(shown, 0, self.options["key_sql"], key_t)
        _summary_input[self.options["kind"]](shown, 1, self.options["summary_sql"], summary_t)
        return super().declare(args, p)


def _mode_arg(mode: Any, fn: str) -> str:
    return constant(mode, fn, "mode", "sum", str)


def _lg_arg(lg: Any, fn: str) -> int:
    return constant(lg, fn, "lgNomEntries", 12, int)


def _sqls(*cols: Any) -> list[str]:
    return [col_expr(c).sql() for c in cols]


def _agg_build(kind: str) -> Any:
    fn = f"tuple_sketch_agg_{kind}"

    def f(key: Any, summary: Any, lgNomEntries: Any = None, mode: Any = None) -> Column:  # noqa: N803
        lg, shown_mode = _lg_arg(lgNomEntries, fn), _mode_arg(mode, fn)
        k, v = col_expr(key), col_expr(summary)
        sql = f"{fn}({k.sql()}, {v.sql()}, {lg}, {shown_mode})"
        check_lg_nom(lg, fn, sql)
        m = check_mode(shown_mode, fn, sql)
        pair = struct(Column(k).alias("k"), Column(v).alias("v"))._expr
        return Column(TupleSketchAgg(fn, [pair], sql=sql, family=f"tuple_build_{kind}",
                                     param=(kind, lg, m), kind=kind, key_sql=k.sql(),
                                     summary_sql=v.sql()))
    f.__name__ = fn
    f.__doc__ = (f"The Tuple sketch (binary) of the group's (key, {kind} summary) pairs; "
                 f"``lgNomEntries`` (default 12) sizes it, ``mode`` (sum, min, max, alwaysone) "
                 f"combines a key's summaries.")
    return f


def _agg_union(kind: str) -> Any:
    fn = f"tuple_union_agg_{kind}"

    def f(col: Any, lgNomEntries: Any = None, mode: Any = None) -> Column:  # noqa: N803
        lg, shown_mode = _lg_arg(lgNomEntries, fn), _mode_arg(mode, fn)
        e = col_expr(col)
        sql = f"{fn}({e.sql()}, {lg}, {shown_mode})"
        check_lg_nom(lg, fn, sql)
        m = check_mode(shown_mode, fn, sql)
        return Column(SketchAgg(fn, [e], sql=sql, family=f"tuple_union_{kind}", param=(kind, lg, m)))
    f.__name__ = fn
    f.__doc__ = f"The union of the group's {kind} Tuple sketches (nulls skipped)."
    return f


def _agg_intersection(kind: str) -> Any:
    fn = f"tuple_intersection_agg_{kind}"

    def f(col: Any, mode: Any = None) -> Column:
        shown_mode = _mode_arg(mode, fn)
        e = col_expr(col)
        sql = f"{fn}({e.sql()}, {shown_mode})"
        m = check_mode(shown_mode, fn, sql)
        return Column(SketchAgg(fn, [e], sql=sql, family=f"tuple_intersection_{kind}",
                                param=(kind, 12, m)))
    f.__name__ = fn
    f.__doc__ = f"The intersection of the group's {kind} Tuple sketches (nulls skipped)."
    return f


def _reader(op: str, kind: str, out: T.DataType, read: Callable[[Any, Kind, str], Any],
            with_mode: bool) -> Any:
    fn = f"{op}_{kind}"
    k = _KINDS[kind]

    def body(col: Any, mode: Any = None) -> Column:
        (c,) = _sqls(col)
        shown_mode = _mode_arg(mode, fn)
        sql = f"{fn}({c}, {shown_mode})" if with_mode else f"{fn}({c})"
        m = check_mode(shown_mode, fn, sql)
        return sketch_function(fn, [col], lambda b: read(load(b, k, fn), k, m), out, sql=sql)

    if with_mode:
        def f(col: Any, mode: Any = None) -> Column:
            return body(col, mode)
    else:
        def f(col: Any) -> Column:  # type: ignore[misc]
            return body(col)
    f.__name__ = fn
    return f


def _pairwise(op: str, kind: str, theta: bool, with_lg: bool, with_mode: bool) -> Any:
    fn = f"{op}_{kind}"
    k = _KINDS[kind]

    def body(col1: Any, col2: Any, lg_value: Any = None, mode: Any = None) -> Column:
        a, b = _sqls(col1, col2)
        lg = _lg_arg(lg_value, fn) if with_lg else 12
        shown_mode = _mode_arg(mode, fn)
        extra = ([str(lg)] if with_lg else []) + ([shown_mode] if with_mode else [])
        sql = f"{fn}({', '.join([a, b] + extra)})"
        if with_lg:
            check_lg_nom(lg, fn, sql)
        m = check_mode(shown_mode, fn, sql)

        def second(x: Any) -> Any:
            return load_theta(x, k, m, fn) if theta else load(x, k, fn)

        def run(x: Any, y: Any) -> bytes:
            s1, s2 = load(x, k, fn), second(y)
            if op.startswith("tuple_union"):
                return union_of([s1, s2], k, lg, m)
            if op.startswith("tuple_intersection"):
                return intersection_of([s1, s2], k, m)
            return difference_of(s1, s2, k)
        return sketch_function(fn, [col1, col2], run, T.BinaryType(), sql=sql,
                               checks=[require_binary, require_binary])

    if with_lg:
        def f(col1: Any, col2: Any, lgNomEntries: Any = None, mode: Any = None) -> Column:  # noqa: N803
            return body(col1, col2, lgNomEntries, mode)
    elif with_mode:
        def f(col1: Any, col2: Any, mode: Any = None) -> Column:  # type: ignore[misc]
            return body(col1, col2, None, mode)
    else:
        def f(col1: Any, col2: Any) -> Column:  # type: ignore[misc]
            return body(col1, col2)
    f.__name__ = fn
    f.__doc__ = (f"The {op.split('_')[1]} of a {kind} Tuple sketch and a "
                 f"{'Theta' if theta else 'Tuple'} sketch (null if either is null).")
    return f


def _estimate(s: Any, k: Kind, m: str) -> float:
    return s.get_estimate()


def _theta(s: Any, k: Kind, m: str) -> float:
    return s.theta


for _kind in _KINDS:
    _out = _KINDS[_kind].out
    globals().update({
        f"tuple_sketch_agg_{_kind}": _agg_build(_kind),
        f"tuple_union_agg_{_kind}": _agg_union(_kind),
        f"tuple_intersection_agg_{_kind}": _agg_intersection(_kind),
        f"tuple_sketch_estimate_{_kind}": _reader("tuple_sketch_estimate", _kind, T.DoubleType(),
                                                  _estimate, False),
        f"tuple_sketch_summary_{_kind}": _reader("tuple_sketch_summary", _kind, _out, summary_of,
                                                 True),
        f"tuple_sketch_theta_{_kind}": _reader("tuple_sketch_theta", _kind, T.DoubleType(),
                                               _theta, False),
        f"tuple_union_{_kind}": _pairwise("tuple_union", _kind, False, True, True),
        f"tuple_union_theta_{_kind}": _pairwise("tuple_union_theta", _kind, True, True, True),
        f"tuple_intersection_{_kind}": _pairwise("tuple_intersection", _kind, False, False, True),
        f"tuple_intersection_theta_{_kind}": _pairwise("tuple_intersection_theta", _kind, True,
                                                       False, True),
        f"tuple_difference_{_kind}": _pairwise("tuple_difference", _kind, False, False, False),
        f"tuple_difference_theta_{_kind}": _pairwise("tuple_difference_theta", _kind, True, False,
                                                     False),
    })
