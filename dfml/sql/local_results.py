"""Which DataFrames are "local" (``DataFrame.isLocal``).

Spark answers from the analyzed plan's root alone: a local relation (rows held by the driver,
as a pandas DataFrame becomes through Arrow) or a command's result (``SHOW TABLES``, DDL) is
local; anything built on top of one, a range, a read, or rows from a Python list (which Spark
turns into a distributed scan) is not. dfml plans do not record where a Source's rows came
from, so the code that makes such a root marks it here; a weak set, so marking keeps no plan
alive.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dataframe import DataFrame

_LOCAL_ROOTS: Any = weakref.WeakSet()


def mark_local(df: "DataFrame") -> "DataFrame":
    """``df`` itself, its plan recorded as a local root."""
    _LOCAL_ROOTS.add(df._plan)
    return df


def is_local(df: "DataFrame") -> bool:
    return df._plan in _LOCAL_ROOTS
