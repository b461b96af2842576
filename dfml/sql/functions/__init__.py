"""``dfml.sql.functions``: Spark's column functions, by domain in the private modules here.

Import it as PySpark's: ``from dfml.sql import functions as F``.
"""

from __future__ import annotations

from typing import Any

from .. import types as T
from ..column import CaseWhen, Column, ColumnRef, Expr, Literal, to_expr
from ._aes import *  # noqa: F401,F403
from ._aggregates import *  # noqa: F401,F403
from ._aggregates import count, max, min, sum  # noqa: F401 - re-exported under Spark's names
from ._array_ops import *  # noqa: F401,F403
from ._arrays import *  # noqa: F401,F403
from ._bitmaps import *  # noqa: F401,F403
from ._bits import *  # noqa: F401,F403
from ._calendar import *  # noqa: F401,F403
from ._codecs_text import *  # noqa: F401,F403
from ._common import col_expr, lit_expr
from ._count_min import *  # noqa: F401,F403
from ._csv_fns import *  # noqa: F401,F403
from ._dates import *  # noqa: F401,F403
from ._fields import *  # noqa: F401,F403
from ._folds import *  # noqa: F401,F403
from ._folds import reduce  # noqa: F401 - Spark's name
from ._generators import *  # noqa: F401,F403
from ._hashes import *  # noqa: F401,F403
from ._intervals import *  # noqa: F401,F403
from ._hashes import bin, hex  # noqa: F401
from ._higher_order import *  # noqa: F401,F403
from ._hll_theta import *  # noqa: F401,F403
from ._tuple_sketch import *  # noqa: F401,F403
from ._geo import *  # noqa: F401,F403
from ._higher_order import filter  # noqa: F401 - Spark's name
from ._json import *  # noqa: F401,F403
from ._kll import *  # noqa: F401,F403
from ._list_aggs import *  # noqa: F401,F403
from ._maps import *  # noqa: F401,F403
from ._math import *  # noqa: F401,F403
from ._math import abs, pow, round  # noqa: F401
from ._misc import *  # noqa: F401,F403
from ._misc_more import *  # noqa: F401,F403
from ._number_format import *  # noqa: F401,F403
from ._more_strings import *  # noqa: F401,F403
from ._more_strings import chr  # noqa: F401 - Spark's name
from ._ordering import *  # noqa: F401,F403
from ._partition import *  # noqa: F401,F403
from ._reflect import *  # noqa: F401,F403
from ._predicates import *  # noqa: F401,F403
from ._stats_aggs import *  # noqa: F401,F403
from ._strings import *  # noqa: F401,F403
from ._udf import *  # noqa: F401,F403
from ._variant import *  # noqa: F401,F403
from ._vectors import *  # noqa: F401,F403
from ._xpath import *  # noqa: F401,F403
from ._text import *  # noqa: F401,F403
from ._text import ascii  # noqa: F401
from ._time_windows import *  # noqa: F401,F403
from ._window import *  # noqa: F401,F403
from ._zoned import *  # noqa: F401,F403


def col(col: str) -> Column:
    """A column by name (``"a"``, ``"t.a"`` for an aliased frame, ``"s.field"`` for a struct field)."""
    if not isinstance(col, str):
        raise TypeError(f"col() takes a column name, got {type(col).__name__}: {col!r}")
    return Column(to_expr(col))


column = col


def lit(col: Any) -> Column:
    """A literal value as a column (a Column is returned unchanged); a Python list is an
    ``array`` of its items' literals, as PySpark builds it (so ``lit([1, 2])`` is named
    ``array(1, 2)`` and typed from its items)."""
    if isinstance(col, Column):
        return col
    if isinstance(col, list):
        if any(isinstance(c, Column) for c in col):
            raise ValueError("[COLUMN_IN_LIST] `lit` does not allow a Column in a list.")
        return array(*[lit(item) for item in col])  # noqa: F405 - from ._arrays
    return Column(Literal(col))


def when(condition: Column, value: Any) -> Column:
    """The start of ``CASE WHEN``: chain ``.when(...)`` and finish with ``.otherwise(...)``."""
    if not isinstance(condition, Column):
        raise TypeError(f"when(): condition must be a Column, got {type(condition).__name__}")
    return Column(CaseWhen([(condition._expr, lit_expr(value))]))


def expr(str: str) -> Column:
    """A SQL expression (Spark's dialect) as the Column the same Python calls would build."""
    import sys

    from ..sqlparse.exprs import expr_column
    return expr_column(str, sys.modules[__name__])


def broadcast(df: Any) -> Any:
    """A join hint: the frame is small enough to send whole to every partition of the other side."""
    return df.hint("broadcast")
