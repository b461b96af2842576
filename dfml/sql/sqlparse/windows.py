"""``f(...) OVER (...)`` in SQL text as the Python API's ``Column.over(WindowSpec)``.

The spec (PARTITION BY, ORDER BY, ROWS/RANGE frame, or a name from the query's ``WINDOW``
clause, optionally refined inline) becomes a ``dfml.sql.window.WindowSpec``, so execution,
type rules and errors are those of the Python API. The one difference is the printed name: SQL's
``1 PRECEDING`` prints as such in Spark's column name, where ``rowsBetween(-1, 0)`` from Python
prints ``-1 FOLLOWING``; the result is wrapped to print the SQL form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from ..column import Column
from ..errors import AnalysisException
from ..window import Window, WindowSpec
from ..window_nodes import WindowExpr, frame_sql

if TYPE_CHECKING:
    from .exprs import ExprTranslator


def _unsupported(what: str) -> AnalysisException:
    return AnalysisException(f"[UNSUPPORTED_FEATURE] dfml does not support {what} in SQL text "
                             f"yet.", "UNSUPPORTED_FEATURE")


def sort_key(c: Column, o: exp.Ordered) -> Column:
    """An ``ORDER BY`` item: Spark's defaults are NULLS FIRST for ASC, NULLS LAST for DESC."""
    desc = bool(o.args.get("desc"))
    nulls_first = o.args.get("nulls_first")
    if nulls_first is None:
        nulls_first = not desc
    if desc:
        return c.desc_nulls_first() if nulls_first else c.desc_nulls_last()
    return c.asc_nulls_first() if nulls_first else c.asc_nulls_last()


def _bound(tr: "ExprTranslator", value: object, side: object, low: bool) -> int:
    """One frame boundary as the int ``rowsBetween``/``rangeBetween`` take."""
    text = value.upper() if isinstance(value, str) else None
    if value is None or text == "CURRENT ROW":
        return Window.currentRow
    if text == "UNBOUNDED":
        preceding = str(side or "").upper() == "PRECEDING"
        return Window.unboundedPreceding if preceding else Window.unboundedFollowing
    n = tr._constant(value) if isinstance(value, exp.Expression) else None
    if isinstance(n, bool) or not isinstance(n, int):
        raise _unsupported(f"the frame boundary {getattr(value, 'sql', lambda: value)()} "
                           f"(only integer offsets)")
    return -n if str(side or "").upper() == "PRECEDING" else n


def _refine(tr: "ExprTranslator", spec: WindowSpec, node: exp.Window) -> WindowSpec:
    """``spec`` with what ``node`` (an inline spec or a WINDOW definition) states added."""
    partition = node.args.get("partition_by") or []
    if partition:
        spec = spec.partitionBy(*[tr.column(p) for p in partition])
    order = node.args.get("order")
    if order is not None and order.expressions:
        spec = spec.orderBy(*[sort_key(tr.column(o.this), o) for o in order.expressions])
    frame = node.args.get("spec")
    if frame is not None:
        kind = str(frame.args.get("kind") or "").upper()
        start = _bound(tr, frame.args.get("start"), frame.args.get("start_side"), True)
        end = _bound(tr, frame.args.get("end"), frame.args.get("end_side"), False)
        if frame.args.get("exclude"):
            raise _unsupported("EXCLUDE in a window frame")
        spec = spec.rowsBetween(start, end) if kind == "ROWS" else spec.rangeBetween(start, end)
    return spec


def _named_spec(tr: "ExprTranslator", name: str, seen: tuple[str, ...] = ()) -> WindowSpec:
    defs = getattr(tr, "windows", None) or {}
    node = defs.get(name.lower())
    if node is None:
        raise AnalysisException(f"[MISSING_WINDOW_SPECIFICATION] Window specification {name} is "
                                f"not defined in the WINDOW clause.", "MISSING_WINDOW_SPECIFICATION")
    if name.lower() in seen:
        raise AnalysisException(f"[INVALID_SQL_SYNTAX] The window {name} refers to itself.",
                                "INVALID_SQL_SYNTAX")
    base = WindowSpec()
    inner = node.args.get("alias")  # WINDOW w2 AS (w1 ORDER BY b)
    if inner is not None and inner.name:
        base = _named_spec(tr, inner.name, seen + (name.lower(),))
    return _refine(tr, base, node)


def window_column(tr: "ExprTranslator", node: exp.Window) -> tuple[Column, str | None]:
    """``node`` (sqlglot's Window) as ``function.over(spec)``, and the name Spark prints for it
    when that differs from the Column's own (None otherwise)."""
    if node.args.get("within_group") or node.args.get("first") is not None:
        raise _unsupported(node.sql(dialect="spark"))
    name = node.args.get("alias")
    spec = _named_spec(tr, name.name) if name is not None and name.name else WindowSpec()
    spec = _refine(tr, spec, node)
    out = tr.column(node.this).over(spec)
    w = out._expr
    if isinstance(w, WindowExpr) and w.frame is not None and (
            (w.frame[1] or 0) < 0 or (w.frame[2] or 0) < 0):
        python_form = frame_sql(w.frame)
        text = w.sql()
        if text.endswith(python_form + ")"):
            return out, text[:-len(python_form) - 1] + _sql_frame(w.frame) + ")"
    return out, None


def _sql_frame(frame: tuple) -> str:
    """A frame as Spark prints one written in SQL (``1 PRECEDING`` for an offset of -1)."""
    def bound(v: int | None, low: bool) -> str:
        if v is None:
            return "UNBOUNDED PRECEDING" if low else "UNBOUNDED FOLLOWING"
        if v == 0:
            return "CURRENT ROW"
        return f"{-v} PRECEDING" if v < 0 else f"{v} FOLLOWING"
    return f"{frame[0]} BETWEEN {bound(frame[1], True)} AND {bound(frame[2], False)}"


def window_definitions(node: exp.Select) -> dict[str, exp.Window]:
    """The ``WINDOW w AS (...)`` clause of a SELECT, by lower-cased name."""
    return {w.this.name.lower(): w for w in node.args.get("windows") or []}
