"""UNION by position and by name: the right input's columns renamed or filled to the left's,
types widened to a common one per column, then one dask concat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .joins import align_types

if TYPE_CHECKING:
    from .dataframe import DataFrame


def union(left: "DataFrame", right: "DataFrame") -> "DataFrame":
    renamed = right._frame.rename(columns=dict(zip(right._names, left._names)))
    return _union_frames(left, left._frame, renamed, right)


def union_by_name(left: "DataFrame", right: "DataFrame") -> "DataFrame":
    """Columns matched by name; with ``allowMissingColumns`` one side's missing columns are
    nulls of the other side's type."""
    mine, theirs = left._names, right._names
    missing = [c for c in mine if c not in theirs]
    extra = [c for c in theirs if c not in mine]
    lf, rf = left._frame, right._frame
    for c in missing:
        rf = rf.assign(**{c: None})
        rf[c] = rf[c].astype(lf._meta[c].dtype)
    for c in extra:
        lf = lf.assign(**{c: None})
        lf[c] = lf[c].astype(right._frame._meta[c].dtype)
    order = mine + extra
    return _union_frames(left, lf[order], rf[order], right)


def _union_frames(self: "DataFrame", left: Any, right: Any, other: "DataFrame") -> "DataFrame":
    cols = list(left.columns)
    left, right = align_types(left, right, cols, cols, lambda c, _: f"UNION column `{c}`")
    nullable = {c: self._nullable.get(c, True) or other._nullable.get(c, True) for c in cols}
    import dask.dataframe as dd  # a frame exists, so it is imported already

    from . import dask_meta  # noqa: F401 - concat samples its inputs' decimals for its meta
    return type(self)(dd.concat([left, right]), self._session, nullable, None,
                      self._sources + other._sources)
