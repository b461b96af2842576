"""More generators: ``inline``/``inline_outer`` (an array of structs as rows, one column per
field) and ``stack`` (values laid out as rows), run by the select's Generate step as
``explode`` is."""

from __future__ import annotations

from typing import Any

from ..column import CaseWhen, Column, Literal
from ._arrays import Generator, array, struct
from ._common import col_expr

__all__ = ["inline", "inline_outer", "stack"]


def inline(col: Any) -> Column:
    """One row per struct of the array, its fields as columns (no row for a null or empty
    array)."""
    return Column(Generator("inline", col_expr(col)))


def inline_outer(col: Any) -> Column:
    """``inline``, with one row of nulls for a null or empty array."""
    return Column(Generator("inline_outer", col_expr(col)))


def stack(*cols: Any) -> Column:
    """``stack(n, v1, ..., vk)``: the values as ``n`` rows of ``k / n`` columns named
    ``col0``, ``col1``... (``inline`` of an array of structs)."""
    if not cols:
        raise TypeError("stack(): expected the number of rows and the values")
    first = cols[0]
    n = first._expr.value if isinstance(first, Column) and isinstance(first._expr, Literal) else first
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise ValueError(f"stack(): the number of rows must be a positive integer literal, got {n!r}")
    values = [col_expr(v) for v in cols[1:]]
    if not values:
        raise TypeError("stack(): expected values after the number of rows")
    width = -(-len(values) // n)
    # Spark pads the last rows with nulls; a pad takes the type of its column's first value
    # (a CASE WHEN with no true branch: null, typed as that value)
    pads = [CaseWhen([(Literal(False), values[(len(values) + i) % width])])
            for i in range(n * width - len(values))]
    cells = values + pads
    rows = [struct(*[Column(v).alias(f"col{j}") for j, v in enumerate(cells[i * width:(i + 1) * width])])
            for i in range(n)]
    return inline(array(*rows))
