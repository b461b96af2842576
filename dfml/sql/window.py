"""``Window`` and ``WindowSpec``, as ``pyspark.sql.window``.

A ``WindowSpec`` is a value: partition expressions, sort orders and an optional frame.
``Column.over(spec)`` makes a ``WindowExpr`` (``dfml.sql.window_nodes``); the analysis of a
select list (``dfml.sql.analysis``) extracts those into Window steps (``dfml.sql.window_exec``),
so a window expression never compiles row by row: compiling one anywhere else is Spark's error.
"""

from __future__ import annotations

import sys
from typing import Any

from .column import Expr, SortOrder, to_expr
from .window_nodes import Frame, spec_sql

__all__ = ["Window", "WindowSpec"]

_JAVA_MIN_LONG = -(1 << 63)
_JAVA_MAX_LONG = (1 << 63) - 1
_PRECEDING_THRESHOLD = max(-sys.maxsize, _JAVA_MIN_LONG)
_FOLLOWING_THRESHOLD = min(sys.maxsize, _JAVA_MAX_LONG)


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
