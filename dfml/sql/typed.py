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


def parse_name(name: str) -> list[str]:
    """``name``'s parts: split at dots outside backticks; inside backticks a doubled backtick
    stands for one (Spark's attribute-name syntax). A malformed name is refused, named."""
    parts: list[str] = []
    cur, quoted, i, was_quoted = [], False, 0, False
    while i < len(name):
        ch = name[i]
        if quoted:
            if ch == "`":
                if i + 1 < len(name) and name[i + 1] == "`":
                    cur.append("`")
                    i += 1
                else:
                    quoted, was_quoted = False, True
            else:
                cur.append(ch)
        elif ch == "`":
            if cur:
                raise _syntax(name)
            quoted = True
        elif ch == ".":
            if not cur and not was_quoted:
                raise _syntax(name)
            parts.append("".join(cur))
            cur, was_quoted = [], False
        else:
            if was_quoted:
                raise _syntax(name)
            cur.append(ch)
        i += 1
    if quoted or (parts and not cur and not was_quoted):  # an open backtick, a trailing dot
        raise _syntax(name)
    parts.append("".join(cur))
    return parts


def _syntax(name: str) -> Exception:
    from .errors import AnalysisException
    return AnalysisException(f"[INVALID_ATTRIBUTE_NAME_SYNTAX] Syntax error in the attribute "
                             f"name: `{name}`. Check that backticks appear in pairs, a quoted "
                             f"string is a complete name part and use a backtick only inside "
                             f"quoted name parts.", "INVALID_ATTRIBUTE_NAME_SYNTAX")


def quote_parts(parts: list[str]) -> str:
    """Parts as Spark prints a multi-part name in errors: each in backticks, dot-joined."""
    return ".".join("`" + p.replace("`", "``") + "`" for p in parts)


def find_name(names: list[str], part: str) -> str | None:
    """``part`` in ``names`` exactly, else its one case-insensitive match, else None."""
    if part in names:
        return part
    lowered = [c for c in names if c.lower() == part.lower()]
    return lowered[0] if len(lowered) == 1 else None


def find_unique(names: list[str], part: str, field: bool = False) -> str | None:
    """The one name in ``names`` equal to ``part`` ignoring case (Spark's default resolver;
    an exact match does not win over another spelling); None if there is none. Two or more
    are Spark's AMBIGUOUS_REFERENCE (AMBIGUOUS_REFERENCE_TO_FIELDS for ``field``s of a struct)."""
    found = [c for c in names if c.lower() == part.lower()]
    if len(found) <= 1:
        return found[0] if found else None
    from .errors import AnalysisException
    if field:
        raise AnalysisException(
            f"[AMBIGUOUS_REFERENCE_TO_FIELDS] Ambiguous reference to the field `{part}`. It "
            f"appears {len(found)} times in the schema.", "AMBIGUOUS_REFERENCE_TO_FIELDS")
    raise AnalysisException(
        f"[AMBIGUOUS_REFERENCE] Reference `{part}` is ambiguous, could be: "
        f"[{', '.join('`' + c + '`' for c in found)}].", "AMBIGUOUS_REFERENCE")


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
        self._internal = False

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
            self._internal = any("\x1f" in c for c in self._cols)
        return self._cols

    def resolve(self, name: str, plan_id: int | None = None) -> str:
        """The frame column a (possibly qualified or differently cased) name refers to;
        ``plan_id``, the DataFrame a ``df["k"]`` came from, picks between same-named join
        columns (``dfml.sql.join_names``)."""
        cols = self._columns()
        if name in self._col_set:
            return name
        if self._internal:
            from . import join_names
            hit = join_names.resolve(cols, name, plan_id, self.aliases)
            if hit is None:
                raise unresolved_column(name, join_names.display_names(cols))
            return hit
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

    def find(self, part: str) -> str | None:
        """The frame column named ``part`` exactly, else the one column equal to it ignoring
        case (Spark's default resolver); None if there is none."""
        return find_name(list(self.frame.columns), part)

    def resolve_path(self, name: str, plan_id: int | None = None) -> tuple[str, list[str]]:
        """A user's column name (``col("a.b")``) as (frame column, struct fields under it), by
        Spark's rules: the name splits at dots outside backticks; the first part is this frame's
        alias if a column follows it, else a column; the rest are fields. A top-level column
        whose name has a dot is reached only with backticks (`` `a.b` ``)."""
        parts = parse_name(name)
        cols = self._columns()
        if self._internal:
            return self._resolve_internal_path(parts, plan_id)
        if len(parts) > 1 and parts[0] in self.aliases:
            col = find_unique(cols, parts[1])
            if col is not None:
                return col, parts[2:]
        col = find_unique(cols, parts[0])
        if col is None:
            raise unresolved_column(quote_parts(parts), list(self.frame.columns), quote=True)
        return col, parts[1:]

    def _resolve_internal_path(self, parts: list[str], plan_id: int | None) -> tuple[str, list[str]]:
        """``resolve_path`` over a frame with same-named join columns: an alias then a column,
        else a column, then struct fields; the column picked by ``join_names``."""
        from . import join_names
        cols = self._columns()
        if len(parts) > 1:
            hit = join_names.resolve(cols, f"{parts[0]}.{parts[1]}", plan_id, self.aliases) \
                if "." not in parts[1] else None
            if hit is not None and join_names.display(hit).lower() == parts[1].lower():
                return hit, parts[2:]
        hit = join_names.resolve(cols, f"`{parts[0]}`", plan_id, self.aliases)
        if hit is None:
            raise unresolved_column(quote_parts(parts), join_names.display_names(cols), quote=True)
        return hit, parts[1:]

    def broadcast(self, t: Typed) -> Any:
        """A literal as a column of the frame's length (a native dask Assign)."""
        if not t.is_scalar:
            return t.value
        col = self.frame.assign(__dfml_lit__=t.value)["__dfml_lit__"]
        if isinstance(t.dtype, T.NullType):
            return col.astype(pd.ArrowDtype(pa.null()))
        return col.astype(T.to_dtype(t.dtype))
