"""Window expression nodes: ``WindowExpr`` (a function over a window) and ``WindowFunction``
(a function that only exists over one), with Spark's frame notation.

They sit below ``Column`` (which builds them in ``Column.over``); the user's ``Window`` and
``WindowSpec`` are in ``dfml.sql.window``. A frame is (kind, start, end) with ``None`` for an
unbounded side and 0 for the current row, as Spark's boundaries read.
"""

from __future__ import annotations

from typing import Any

from .errors import AnalysisException
from .expressions import AggFunc, Expr, SortOrder
from .typed import Ctx, Typed

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


def spec_sql(partition: tuple[Expr, ...], order: tuple[SortOrder, ...], frame: Frame | None) -> str:
    parts = []
    if partition:
        parts.append("PARTITION BY " + ", ".join(e.sql() for e in partition))
    if order:
        parts.append("ORDER BY " + ", ".join(o.sql() for o in order))
    if frame is not None:
        parts.append(frame_sql(frame))
    return " ".join(parts)


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

    def __init__(self, function: Expr, partition: tuple[Expr, ...], order: tuple[SortOrder, ...],
                 frame: Frame | None):
        self.children = (function,) + tuple(partition) + tuple(order)
        self.n_partition = len(partition)
        self.frame = frame

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


def window_expr(e: Expr, spec: Any) -> WindowExpr:
    """``e OVER spec`` (``Column.over``): a window function or an aggregate over a window."""
    if not hasattr(spec, "_partition") or not hasattr(spec, "_order"):
        raise TypeError(f"over() takes a WindowSpec, got {type(spec).__name__}: {spec!r}")
    if not isinstance(e, (WindowFunction, AggFunc)):
        raise AnalysisException(
            f'[UNSUPPORTED_EXPR_FOR_WINDOW] Expression "{e.sql()}" not supported within a window '
            f'function.', "UNSUPPORTED_EXPR_FOR_WINDOW")
    return WindowExpr(e, spec._partition, spec._order, spec._frame)
