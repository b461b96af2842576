"""What an expression compiles to (``Typed``: a dask Series or a Python scalar, and its Spark
type) and against (``Ctx``: a frame, its Spark schema, its aliases and plan lineage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd
import pyarrow as pa

from . import types as T
from .errors import unresolved_column


@dataclass
class Typed:
    """A compiled expression: a dask Series (or a Python scalar for literals) and its Spark type."""

    value: Any
    dtype: T.DataType
    nullable: bool = True

    @property
    def is_scalar(self) -> bool:
        return not hasattr(self.value, "dtype") or not hasattr(self.value, "name")


class Ctx:
    """What an expression compiles against: a dask frame, its schema and the frame's aliases."""

    def __init__(self, frame: Any, schema: T.StructType, aliases: Iterable[str] = (),
                 plan_ids: Iterable[int] = ()):
        # ``frame`` may be a zero-argument function building it: a transformation whose
        # expressions only pass columns through never builds one (wide frames, long chains)
        self._frame = frame
        self.schema = schema
        self.aliases = set(aliases)
        self.plan_ids = set(plan_ids)
        self._cols: list[str] | None = None
        self._col_set: frozenset[str] = frozenset()

    @property
    def frame(self) -> Any:
        if callable(self._frame) and not hasattr(self._frame, "columns"):
            self._frame = self._frame()
        return self._frame

    def _columns(self) -> list[str]:
        if self._cols is None:
            lazy = callable(self._frame) and not hasattr(self._frame, "columns")
            self._cols = list(self.schema.names) if lazy else list(self._frame.columns)
            self._col_set = frozenset(self._cols)
        return self._cols

    def resolve(self, name: str) -> str:
        """The frame column a (possibly qualified or differently cased) name refers to."""
        cols = self._columns()
        if name in self._col_set:
            return name
        if name.startswith("`") and name.endswith("`") and name[1:-1] in self._col_set:
            return name[1:-1]
        if "." in name:
            qual, rest = name.split(".", 1)
            if qual in self.aliases and (rest in self._col_set):
                return rest
        lowered = [c for c in cols if c.lower() == name.lower()]
        if len(lowered) == 1:
            return lowered[0]
        raise unresolved_column(name, cols)

    def broadcast(self, t: Typed) -> Any:
        """A literal as a column of the frame's length (a native dask Assign)."""
        if not t.is_scalar:
            return t.value
        col = self.frame.assign(__dfml_lit__=t.value)["__dfml_lit__"]
        if isinstance(t.dtype, T.NullType):
            return col.astype(pd.ArrowDtype(pa.null()))
        return col.astype(T.to_dtype(t.dtype))
