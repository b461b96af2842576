"""Columns of the same name side by side, as Spark keeps them after a join.

Spark tells the two ``k`` columns of ``a.join(b, a.k == b.k)`` apart by their expression ids and
shows both as ``k``. A dask frame needs unique column names, so a join stores each column whose
name the other side also has under an *internal name*: the name the user sees, a separator no
user types, and a tag. The tag records the join side the column came from (that side's plan
lineage and DataFrame aliases), so ``a.k``, ``a["k"]`` and ``F.col("x.k")`` each pick their own
column and a bare ``k`` is ambiguous, as in Spark.

Everything the user sees shows the display name: the schema, ``columns``, rows, ``show``,
pandas and Arrow results, files. Inside dfml a frame's columns are the internal names
(``DataFrame._names``, ``DataFrame._schema``); frames without clashes have no internal names at
all, so for them both views are the same.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable

from . import types as T
from .errors import AnalysisException

SEP = "\x1f"
_tags = itertools.count(1)
_SIDES: dict[int, tuple[frozenset[int], frozenset[str]]] = {}


def display(name: str) -> str:
    """The name a user sees for a frame column."""
    return name.split(SEP, 1)[0] if SEP in name else name


def is_internal(name: str) -> bool:
    return SEP in name


def any_internal(names: Iterable[str]) -> bool:
    return any(SEP in n for n in names)


def new_side(lineage: Iterable[int], aliases: Iterable[str]) -> int:
    """A tag for one join side: the plan ids its columns may be referenced by, and its aliases."""
    tag = next(_tags)
    _SIDES[tag] = (frozenset(lineage), frozenset(a for a in aliases if a))
    return tag


def fresh(name: str, like: str | None = None) -> str:
    """A new internal name for ``name``, its side copied from the frame column ``like``."""
    lineage, aliases = _side(like) if like and is_internal(like) else (frozenset(), frozenset())
    return internal(name, new_side(lineage, aliases))


def internal(name: str, tag: int) -> str:
    return f"{display(name)}{SEP}{tag}"


def renamed(name: str, new: str) -> str:
    """``name`` renamed to ``new``, keeping its tag if it has one (two renamed ``k`` columns
    stay apart)."""
    return f"{new}{SEP}{name.split(SEP, 1)[1]}" if SEP in name else new


def _side(name: str) -> tuple[frozenset[int], frozenset[str]]:
    return _SIDES.get(int(name.rsplit(SEP, 1)[1]), (frozenset(), frozenset()))


def display_schema(schema: T.StructType) -> T.StructType:
    """``schema`` with the names a user sees."""
    if not any_internal(schema.names):
        return schema
    return T.StructType([T.StructField(display(f.name), f.dataType, f.nullable, f.metadata)
                         for f in schema.fields])


def display_names(names: Iterable[str]) -> list[str]:
    return [display(n) for n in names]


def side_renames(names: list[str], others: list[str], tag: int) -> dict[str, str]:
    """Internal names for the columns of one join side that the other side also has (by display
    name). A column already internal keeps its name unless the other side has the very same one
    (a self-join of a joined frame)."""
    theirs = {display(n) for n in others}
    return {n: internal(n, tag) for n in names
            if display(n) in theirs and (not is_internal(n) or n in others)}


def clashes(left: list[str], right: list[str]) -> bool:
    theirs = {display(n) for n in right}
    return any(display(n) in theirs for n in left)


def resolve(cols: list[str], name: str, plan_id: int | None, aliases: set[str]) -> str | None:
    """The frame column (internal name) that a user's top-level name refers to among ``cols``
    (some of them internal), or None if none has that name. ``name`` may be backticked or
    qualified by an alias (``x.k``); ``plan_id`` is the DataFrame that ``df["k"]`` came from.
    Two or more candidates left: Spark's AMBIGUOUS_REFERENCE."""
    qual = None
    target = name
    if name.startswith("`") and name.endswith("`") and len(name) > 1:
        target = name[1:-1]
    elif "." in name:
        q, rest = name.split(".", 1)
        if q in aliases or any(q in _side(c)[1] for c in cols if is_internal(c)):
            qual, target = q, rest
    hits = [c for c in cols if display(c) == target]
    if not hits:
        hits = [c for c in cols if display(c).lower() == target.lower()]
    if qual is not None:
        hits = [c for c in hits if (qual in _side(c)[1] if is_internal(c) else qual in aliases)]
    if len(hits) > 1 and plan_id is not None:
        mine = [c for c in hits if is_internal(c) and plan_id in _side(c)[0]]
        hits = mine or hits
    if len(hits) > 1:
        could = ", ".join(f"`{display(c)}`" for c in hits)
        raise AnalysisException(
            f"[AMBIGUOUS_REFERENCE] Reference `{display(target)}` is ambiguous, could be: "
            f"[{could}].", "AMBIGUOUS_REFERENCE")
    return hits[0] if hits else None


def refuse_duplicates(names: list[str], what: str) -> None:
    """Spark's COLUMN_ALREADY_EXISTS for outputs that cannot hold two columns of one name
    (files, tables)."""
    seen: set[str] = set()
    for n in names:
        d = display(n).lower()
        if d in seen:
            raise AnalysisException(
                f"[COLUMN_ALREADY_EXISTS] The column `{display(n)}` already exists. Choose another "
                f"name or rename the existing column ({what}).", "COLUMN_ALREADY_EXISTS")
        seen.add(d)


def side_columns(plan: Any, names: list[str], plan_id: int | None = None,
                 alias: str | None = None) -> list[str] | None:
    """The columns of ``names`` (a joined frame's) that came from one join input: the DataFrame
    with ``plan_id`` (``a["*"]``) or the one aliased ``alias`` (``x.*``); None if ``plan`` has
    no such input."""
    side = None
    for node in plan.walk():
        if plan_id is not None and node.plan_id == plan_id:
            side = node
            break
        if alias is not None and alias in (getattr(node, "aliases", None) or ()) \
                and hasattr(node, "inputs"):
            side = node.inputs[list(node.aliases).index(alias)]
            break
    if side is None:
        return None

    def mine(c: str) -> bool:
        lineage, aliases = _side(c)
        return plan_id in lineage if plan_id is not None else alias in aliases

    out = []
    for n in side.schema.names:
        hits = [c for c in names if display(c) == display(n)]
        if len(hits) > 1:
            hits = [c for c in hits if is_internal(c) and mine(c)]
        out.extend(h for h in hits[:1] if h not in out)
    return out
