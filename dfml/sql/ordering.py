"""``orderBy``/``sort``: a global sort on any number of keys with Spark's null placement.

Spark puts nulls first when ascending and last when descending unless told otherwise. Each key
becomes two sort columns: an "is null" flag ordered to put nulls where they belong, then the
value itself; dask's ``sort_values`` sorts on all of them at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .column import Column, SortOrder, to_expr

if TYPE_CHECKING:
    from .dataframe import DataFrame


def sort_keys(cols: tuple[Any, ...], ascending: Any) -> list[SortOrder]:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    if not cols:
        raise ValueError("orderBy() needs at least one column")
    exprs = [to_expr(c) for c in cols]
    if ascending is None:
        flags = [None] * len(exprs)
    elif isinstance(ascending, (list, tuple)):
        if len(ascending) != len(exprs):
            raise ValueError(f"ascending has {len(ascending)} values for {len(exprs)} sort columns")
        flags = [bool(a) for a in ascending]
    else:
        flags = [bool(ascending)] * len(exprs)
    keys = []
    for e, flag in zip(exprs, flags):
        if isinstance(e, SortOrder):
            keys.append(e if flag is None else SortOrder(e.children[0], flag))
        else:
            keys.append(SortOrder(e, True if flag is None else flag))
    return keys


def sort_frame(df: "DataFrame", cols: tuple[Any, ...], ascending: Any,
               within_partitions: bool = False) -> "DataFrame":
    keys = sort_keys(cols, ascending)
    ctx = df._ctx()
    frame = df._frame
    assigns: dict[str, Any] = {}
    by: list[str] = []
    asc: list[bool] = []
    for i, k in enumerate(keys):
        t = k.children[0].compile(ctx)
        if t.is_scalar:
            continue
        value = t.value
        null_col, val_col = f"__sn{i}", f"__sv{i}"
        # nulls first <=> the null flag sorts descending (True before False)
        assigns[null_col] = value.isna()
        assigns[val_col] = value
        by += [null_col, val_col]
        asc += [not k.nulls_first, k.ascending]
    if not by:
        return df
    work = frame.assign(**assigns)
    sorter = _SortPartition(by, asc)
    if within_partitions:
        sorted_ = work.map_partitions(sorter, meta=work._meta)
    else:
        # One partition, sorted in one task. dask's distributed sort_values samples quantiles in
        # a separate pass and, after a merge, returned no rows or hung on this stack (dask
        # 2026.8), so dfml sorts the gathered rows itself: correct, one graph, bounded by one
        # worker's memory. orderBy(...).limit(n) never gathers (see top_rows).
        sorted_ = work.repartition(npartitions=1).map_partitions(sorter, meta=work._meta)
    out = df._new(sorted_[list(frame.columns)])
    if not within_partitions:
        out._sorted = (work, by, asc, list(frame.columns))
    return out


class _SortPartition:
    def __init__(self, by: list[str], asc: list[bool]):
        self.by, self.asc = by, asc

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-sort", tuple(self.by), tuple(self.asc))

    def __call__(self, part: Any) -> Any:
        return part.sort_values(by=self.by, ascending=self.asc, kind="stable")


def top_rows(df: "DataFrame", n: int) -> "DataFrame":
    """``orderBy(...).limit(n)`` as a top-n reduction: each partition keeps its first n rows in
    order, then one task orders those and keeps n (no global sort, no sampling pass)."""
    work, by, asc, columns = df._sorted
    meta = work._meta

    sorter = _SortPartition(by, asc)

    def first_n(part):
        return sorter(part).head(n)

    local = work.map_partitions(first_n, meta=meta)
    merged = local.repartition(npartitions=1).map_partitions(first_n, meta=meta)
    return df._new(merged[columns])
