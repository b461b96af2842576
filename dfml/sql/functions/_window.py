"""Window functions: ranking, distribution and offsets (their nodes are in
``dfml.sql.window_funcs``). Each needs ``.over(window)``; aggregates go over windows too."""

from __future__ import annotations

from typing import Any

from ..column import Column, Literal
from ..window_funcs import CumeDist, NthValue, Ntile, Offset, Rank, RowNumber
from ._common import col_expr

__all__ = ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag",
           "lead", "nth_value"]


def row_number() -> Column:
    """1, 2, 3... in window order within each window partition."""
    return Column(RowNumber("row_number"))


def rank() -> Column:
    """Rank in window order; ties share a rank and leave a gap after them."""
    return Column(Rank("rank", sql="RANK()", how="rank"))


def dense_rank() -> Column:
    """Rank in window order; ties share a rank and leave no gap."""
    return Column(Rank("dense_rank", sql="DENSE_RANK()", how="dense"))


def percent_rank() -> Column:
    """(rank - 1) / (rows in the partition - 1), 0.0 for a one-row partition."""
    return Column(Rank("percent_rank", sql="PERCENT_RANK()", how="percent"))


def cume_dist() -> Column:
    """The fraction of the partition's rows up to the current row and its ties."""
    return Column(CumeDist("cume_dist"))


def ntile(n: int) -> Column:
    """The bucket (1..n) of the row when the partition is split into n near-equal parts."""
    return Column(Ntile("ntile", sql=f"ntile({n})", n=n))


def _offset(name: str, col: Any, offset: int, default: Any) -> Column:
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise TypeError(f"{name}(): offset must be an int, got {type(offset).__name__}: {offset!r}")
    if isinstance(default, Column):
        raise TypeError(f"{name}(): default must be a literal value, got a Column")
    e = col_expr(col)
    return Column(Offset(name, (e,), sql=f"{name}({e.sql()}, {offset}, {Literal(default).sql()})",
                         offset=offset, default=default))


def lag(col: Any, offset: int = 1, default: Any = None) -> Column:
    """The value ``offset`` rows before the current row in the window partition, else
    ``default``."""
    return _offset("lag", col, offset, default)


def lead(col: Any, offset: int = 1, default: Any = None) -> Column:
    """The value ``offset`` rows after the current row in the window partition, else
    ``default``."""
    return _offset("lead", col, offset, default)


def nth_value(col: Any, offset: int, ignoreNulls: bool = False) -> Column:
    """The ``offset``-th value (1-based) of the window frame, null past its end."""
    e = col_expr(col)
    sql = f"nth_value({e.sql()}, {offset})" + (" ignore nulls" if ignoreNulls else "")
    return Column(NthValue("nth_value", (e,), sql=sql, n=offset, ignore_nulls=bool(ignoreNulls)))
