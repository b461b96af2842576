"""``Window`` and ``WindowSpec`` (as ``pyspark.sql.window``) and the window expression node.

A ``WindowSpec`` is a value: partition expressions, sort orders and an optional frame. A frame
is (kind, start, end) with ``None`` for an unbounded side and 0 for the current row, the way
Spark's frame boundaries read. ``Column.over(spec)`` makes a ``WindowExpr``; the analysis of a
select list (``dfml.sql.analysis``) extracts those into Window steps (``dfml.sql.window_exec``),
so a window expression never compiles row by row: compiling one anywhere else is Spark's error.
"""

from __future__ import annotations

import sys
from typing import Any

from .column import AggFunc, Column, Ctx, Expr, SortOrder, Typed, to_expr
from .errors import AnalysisException

_JAVA_MIN_LONG = -(1 << 63)
_JAVA_MAX_LONG = (1 << 63) - 1
_PRECEDING_THRESHOLD = max(-sys.maxsize, _JAVA_MIN_LONG)
_FOLLOWING_THRESHOLD = min(sys.maxsize, _JAVA_MAX_LONG)

Frame = tuple  # (kind: "ROWS" | "RANGE", start: int | None, end: int | None)

UNBOUNDED_ROWS: Frame = ("ROWS", None, None)
RUNNING_ROWS: Frame = ("ROWS", None, 0)
RUNNING_RANGE: Frame = ("RANGE", None, 0)


def frame_sql(frame: Frame) -> str:
    """A frame as Spark prints it in a column name (negative offsets read "-1 FOLLOWING")."""
    def bound(v: int | None, low: bool) -> str:
        if v is None:
            return "UNBOUNDED PRECEDING" if low else "UNBOUNDED FOLLOWING"
        return "CURRENT ROW" if v == 0 else f"{v} FOLLOWING"
    return f"{frame[0]} BETWEEN {bound(frame[1], True)} AND {bound(frame[2], False)}"


def _bound(value: Any, what: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int (or a Window.unbounded*/currentRow constant), "
                        f"got {type(value).__name__}: {value!r}")
    return value


class WindowSpec:
    """Partitioning, ordering and frame of a window; every method returns a new spec."""

    def __init__(self, partition: tuple[Expr, ...] = (), order: tuple[SortOrder, ...] = (),
                 frame: Frame | None = None):
        self._partition = tuple(partition)
        self._order = tuple(order)
        self._frame = frame

    def partitionBy(self, *cols: Any) -> "WindowSpec":
        return WindowSpec(tuple(to_expr(c) for c in _flatten(cols)), self._order, self._frame)

    def orderBy(self, *cols: Any) -> "WindowSpec":
        keys = [to_expr(c) for c in _flatten(cols)]
        order = tuple(k if isinstance(k, SortOrder) else SortOrder(k, True) for k in keys)
        return WindowSpec(self._partition, order, self._frame)

    def rowsBetween(self, start: int, end: int) -> "WindowSpec":
        return WindowSpec(self._partition, self._order, ("ROWS",) + _frame_bounds(start, end))

    def rangeBetween(self, start: int, end: int) -> "WindowSpec":
        return WindowSpec(self._partition, self._order, ("RANGE",) + _frame_bounds(start, end))

    def _key(self) -> tuple:
        return (self._partition, self._order, self._frame)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WindowSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"<WindowSpec {spec_sql(self._partition, self._order, self._frame)}>"


def _frame_bounds(start: int, end: int) -> tuple[int | None, int | None]:
    start, end = _bound(start, "start"), _bound(end, "end")
    return (None if start <= _PRECEDING_THRESHOLD else start,
            None if end >= _FOLLOWING_THRESHOLD else end)


def _flatten(cols: tuple) -> tuple:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        return tuple(cols[0])
    return cols


def spec_sql(partition: tuple[Expr, ...], order: tuple[SortOrder, ...], frame: Frame | None) -> str:
    parts = []
    if partition:
        parts.append("PARTITION BY " + ", ".join(e.sql() for e in partition))
    if order:
        parts.append("ORDER BY " + ", ".join(o.sql() for o in order))
    if frame is not None:
        parts.append(frame_sql(frame))
    return " ".join(parts)


class Window:
    """Builders of ``WindowSpec`` and the frame boundary constants, with Spark's values."""

    unboundedPreceding = _JAVA_MIN_LONG
    unboundedFollowing = _JAVA_MAX_LONG
    currentRow = 0
    _PRECEDING_THRESHOLD = _PRECEDING_THRESHOLD
    _FOLLOWING_THRESHOLD = _FOLLOWING_THRESHOLD

    @staticmethod
    def partitionBy(*cols: Any) -> WindowSpec:
        return WindowSpec().partitionBy(*cols)

    @staticmethod
    def orderBy(*cols: Any) -> WindowSpec:
        return WindowSpec().orderBy(*cols)

    @staticmethod
    def rowsBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rowsBetween(start, end)

    @staticmethod
    def rangeBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rangeBetween(start, end)


# ---------------------------------------------------------------- nodes
class WindowFunction(Expr):
    """A function that only exists over a window (ranking, lag/lead, nth_value). ``kind`` says
    which frame it runs in: "rank" (ordered, rows up to the current one), "cume" (ordered,
    range up to the current peers), "offset" (ordered, one row at an offset), "frame" (the
    spec's frame, as an aggregate). Subclasses (``dfml.sql.window_funcs``) give the result
    type and the vectorized evaluation."""

    kind = "rank"

    def __init__(self, name: str, args: tuple[Expr, ...] = (), sql: str | None = None,
                 **options: Any):
        self.name = name
        self.children = tuple(args)
        self._sql = sql
        self.options = options

    def sql(self) -> str:
        return self._sql if self._sql is not None else f"{self.name}()"

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(
            f'[WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE] Window function "{self.sql()}" requires an '
            f'OVER clause.', "WINDOW_FUNCTION_WITHOUT_OVER_CLAUSE")

    def fixed_frame(self) -> Frame | None:
        if self.kind == "rank":
            return RUNNING_ROWS
        if self.kind == "cume":
            return RUNNING_RANGE
        return None

    def result(self, args: list[Typed]) -> tuple[Any, bool]:
        """(Spark type, nullable) of the result over compiled ``args``."""
        raise NotImplementedError

    def evaluate(self, w: Any, args: list[Any]) -> Any:
        """The result (an Arrow array, rows in window order) from the sorted partition ``w``."""
        raise NotImplementedError


class WindowExpr(Expr):
    """``function OVER (spec)``: children are the function, the partition expressions, then the
    sort orders. It hides its aggregate from ``contains_aggregate`` (a windowed sum is not a
    group aggregate) and never compiles by itself."""

    def __init__(self, function: Expr, spec: WindowSpec):
        self.children = (function,) + spec._partition + spec._order
        self.n_partition = len(spec._partition)
        self.frame = spec._frame

    @property
    def function(self) -> Expr:
        return self.children[0]

    @property
    def partition(self) -> tuple[Expr, ...]:
        return self.children[1:1 + self.n_partition]

    @property
    def order(self) -> tuple[SortOrder, ...]:
        return self.children[1 + self.n_partition:]  # type: ignore[return-value]

    def effective_frame(self) -> Frame:
        """The frame the function runs in: its own, the spec's, or Spark's default (the whole
        partition unordered; ordered, a RANGE up to the current row and its peers)."""
        f = self.function
        if isinstance(f, WindowFunction):
            fixed = f.fixed_frame()
            if fixed is not None:
                return fixed
            if f.kind == "offset":
                off = f.offset()
                return ("ROWS", off, off)
        if self.frame is not None:
            return self.frame
        return RUNNING_RANGE if self.order else UNBOUNDED_ROWS

    def contains_aggregate(self) -> bool:
        return False

    def sql(self) -> str:
        return (f"{self.function.sql()} OVER "
                f"({spec_sql(self.partition, self.order, self.effective_frame())})")

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(
            f"[WINDOW_FUNCTION_NOT_ALLOWED_IN_CLAUSE] The window expression {self.sql()} is only "
            f"allowed in select() and withColumn().", "WINDOW_FUNCTION_NOT_ALLOWED_IN_CLAUSE")


def over(column: Column, window: WindowSpec) -> Column:
    """``column.over(window)``: a window function or an aggregate over a window."""
    if not isinstance(window, WindowSpec):
        raise TypeError(f"over() takes a WindowSpec, got {type(window).__name__}: {window!r}")
    e = column._expr
    if not isinstance(e, (WindowFunction, AggFunc)):
        raise AnalysisException(
            f'[UNSUPPORTED_EXPR_FOR_WINDOW] Expression "{e.sql()}" not supported within a window '
            f'function.', "UNSUPPORTED_EXPR_FOR_WINDOW")
    return Column(WindowExpr(e, window))
