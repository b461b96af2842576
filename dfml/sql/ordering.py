"""``orderBy``/``sort``: a global sort on any number of keys with Spark's null placement.

Spark puts nulls first when ascending and last when descending unless told otherwise. Each key
becomes two sort columns: an "is null" flag ordered to put nulls where they belong, then the
value itself (arrays and structs as byte keys that sort as Spark orders them, see
``order_keys``); dask's ``sort_values`` sorts on all of them at once.
"""

from __future__ import annotations

from typing import Any

from . import types as T
from .column import Column, ColumnRef, SortOrder, to_expr


def ordinal(c: Any, columns: list[str], what: str) -> Any:
    """A 1-based column position (PySpark's ``sort(1)``, ``groupBy(2)``) as that column; a
    negative one, in a sort, as that column descending. Anything else as it is."""
    if not isinstance(c, int) or isinstance(c, bool):
        return c
    if c == 0 or abs(c) > len(columns):
        raise IndexError(f"[INDEX_NOT_POSITIVE] {what}: column ordinal {c} is not between 1 and "
                         f"{len(columns)} (or its negative, descending, in a sort)")
    ref = ColumnRef.of(columns[abs(c) - 1])
    return Column(SortOrder(ref, False) if c < 0 else ref)


def sort_keys(cols: tuple[Any, ...], ascending: Any, columns: list[str] | None = None) -> list[SortOrder]:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    if not cols:
        raise ValueError("orderBy() needs at least one column")
    exprs = [to_expr(ordinal(c, columns, "orderBy")) if columns is not None else to_expr(c)
             for c in cols]
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


def sort_frame_keys(frame: Any, ctx: Any, keys: tuple[SortOrder, ...] | list[SortOrder]
                    ) -> tuple[Any, list[str], list[bool]]:
    """``frame`` with two sort columns per non-literal key (the null flag, then the value),
    and the (column, ascending) lists to sort on."""
    assigns: dict[str, Any] = {}
    by: list[str] = []
    asc: list[bool] = []
    for i, k in enumerate(keys):
        t = k.children[0].compile(ctx)
        if t.is_scalar:
            continue
        value = t.value
        if isinstance(t.dtype, (T.ArrayType, T.StructType)):
            # Arrow cannot sort nested values: sort their order-preserving byte keys instead
            from .order_keys import order_key_column
            value = order_key_column(value)
        null_col, val_col = f"__sn{i}", f"__sv{i}"
        # nulls first <=> the null flag sorts descending (True before False)
        assigns[null_col] = value.isna()
        assigns[val_col] = value
        by += [null_col, val_col]
        asc += [not k.nulls_first, k.ascending]
    return (frame.assign(**assigns) if assigns else frame), by, asc


def sorted_frame(frame: Any, work: Any, by: list[str], asc: list[bool],
                 within_partitions: bool) -> Any:
    """The rows of ``frame`` in order (``work`` is ``frame`` with the sort columns)."""
    if not by:
        return frame
    sorter = _SortPartition(by, asc)
    if within_partitions:
        sorted_ = work.map_partitions(sorter, meta=work._meta)
    else:
        # One partition, sorted in one task. dask's distributed sort_values samples quantiles in
        # a separate pass and, after a merge, returned no rows or hung on this stack (dask
        # 2026.8), so dfml sorts the gathered rows itself: correct, one graph, bounded by one
        # worker's memory. orderBy(...).limit(n) never gathers (see top_rows_frame).
        sorted_ = work.repartition(npartitions=1).map_partitions(sorter, meta=work._meta)
    return sorted_[list(frame.columns)]


class _SortPartition:
    __name__ = "sort_partition"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, by: list[str], asc: list[bool]):
        self.by, self.asc = by, asc

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-sort", tuple(self.by), tuple(self.asc))

    def __call__(self, part: Any) -> Any:
        return part.sort_values(by=self.by, ascending=self.asc, kind="stable")


class _FirstRows:
    __name__ = "first_rows"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, sorter: _SortPartition, n: int):
        self.sorter, self.n = sorter, n

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-first-rows", self.sorter.__dask_tokenize__(), self.n)

    def __call__(self, part: Any) -> Any:
        return self.sorter(part).head(self.n)


def top_rows_frame(frame: Any, work: Any, by: list[str], asc: list[bool], n: int) -> Any:
    """``orderBy(...).limit(n)`` as a top-n reduction: each partition keeps its first n rows in
    order, then one task orders those and keeps n (no global sort, no sampling pass)."""
    if not by:
        return frame.head(n, npartitions=-1, compute=False)
    first_n = _FirstRows(_SortPartition(by, asc), n)
    local = work.map_partitions(first_n, meta=work._meta)
    merged = local.repartition(npartitions=1).map_partitions(first_n, meta=work._meta)
    return merged[list(frame.columns)]
