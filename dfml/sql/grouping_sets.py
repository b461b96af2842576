"""``rollup``, ``cube`` and ``groupingSets``: one aggregate over several grouping sets, with
``grouping(col)`` and ``grouping_id(...)`` telling the sets' rows apart.

Spark's plan is an Expand under the Aggregate, and so is dfml's: each input row is emitted
once per grouping set, with the keys outside the set replaced by null (under hidden names, so
aggregates still read the original columns: ``rollup(a).agg(sum(a))`` sums the real ``a`` on
the total row), a grouping id (bit ``n-1-i`` set when key ``i`` is rolled up, as Spark numbers
them) and one bit column per key. The branches are unioned and aggregated once by the hidden
keys and the id, so a null key of the data and a rolled-up key stay separate groups, and every
aggregate (windows over the result included) goes through the ordinary aggregate path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .column import Alias, Column, ColumnRef, Expr, Literal
from .errors import AnalysisException
from .group import GroupedData, group_keys
from .grouping_nodes import Grouping, GroupingId

if TYPE_CHECKING:
    from .dataframe import DataFrame

__all__ = ["GroupingSetsData", "grouping_sets_aggregate", "rollup_sets", "cube_sets", "grouped"]


def rollup_sets(n: int) -> list[tuple[int, ...]]:
    """(0..n-1), (0..n-2), ..., (): each prefix of the keys, longest first."""
    return [tuple(range(i)) for i in range(n, -1, -1)]


def cube_sets(n: int) -> list[tuple[int, ...]]:
    """Every subset of the keys (2^n sets), the full set first."""
    return [tuple(i for i in range(n) if not (mask >> (n - 1 - i)) & 1) for mask in range(1 << n)]


def _key_index(e: Expr, keys: list[Expr], names: list[str], what: str) -> int:
    for i, k in enumerate(keys):
        if e == k:
            return i
    text = e.output_name() if not isinstance(e, Alias) else e.name
    for i, n in enumerate(names):
        if text == n or isinstance(e, ColumnRef) and e.name.lower() == n.lower():
            return i
    raise AnalysisException(
        f"[GROUPING_COLUMN_MISMATCH] Column of {what} ({e.sql()}) can't be found in grouping "
        f"columns {', '.join(names)}.", "GROUPING_COLUMN_MISMATCH")


class GroupingSetsData(GroupedData):
    """``df.rollup(...)``, ``df.cube(...)``, ``df.groupingSets(...)``: its ``agg`` and shortcuts
    aggregate every grouping set at once."""

    def __init__(self, df: "DataFrame", keys: list[Expr], sets: list[tuple[int, ...]]):
        super().__init__(df, keys)
        self._sets = sets

    def _aggregate(self, outputs: list[Expr]) -> "DataFrame":
        return grouping_sets_aggregate(self._df, self._keys, self._sets, outputs, keep_keys=True)

    def pivot(self, pivot_col: Any, values: list[Any] | None = None) -> "GroupedData":
        raise AnalysisException("[UNSUPPORTED_FEATURE] pivot() follows groupBy() only, not "
                                "rollup(), cube() or groupingSets().", "UNSUPPORTED_FEATURE")


def grouped(df: "DataFrame", kind: str, cols: tuple[Any, ...],
            sets: Any = None) -> GroupingSetsData:
    """The ``GroupedData`` of ``df.rollup(*cols)`` / ``cube`` / ``groupingSets(sets, *cols)``.
    An int is a column ordinal (1-based), as in PySpark 4."""
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    keys = group_keys(tuple(_ordinal(df, c) for c in cols))
    ctx = df._ctx_for(keys)
    for k in keys:
        k.compile(ctx)  # an unknown column fails here, as groupBy's does
    if kind == "rollup":
        chosen = rollup_sets(len(keys))
    elif kind == "cube":
        chosen = cube_sets(len(keys))
    else:
        if not isinstance(sets, (list, tuple)):
            raise TypeError(f"groupingSets() takes a list of column lists, got "
                            f"{type(sets).__name__}: {sets!r}")
        names = [k.output_name() if not isinstance(k, Alias) else k.name for k in keys]
        chosen = []
        for s in sets:
            members = group_keys(tuple(_ordinal(df, m) for m in
                                       (s if isinstance(s, (list, tuple)) else (s,))))
            chosen.append(tuple(sorted({_key_index(m, keys, names, "groupingSets")
                                        for m in members})))
    out = GroupingSetsData(df, keys, chosen)
    out._kind = {"rollup": "Rollup", "cube": "Cube"}.get(kind, "GroupingSets")
    return out


def _ordinal(df: "DataFrame", c: Any) -> Any:
    if isinstance(c, bool) or not isinstance(c, int):
        return c
    if not 1 <= c <= len(df.columns):
        raise AnalysisException(
            f"[GROUP_BY_POS_OUT_OF_RANGE] GROUP BY position {c} is not in select list (valid "
            f"range is [1, {len(df.columns)}]).", "GROUP_BY_POS_OUT_OF_RANGE")
    return Column(ColumnRef.of(df.columns[c - 1]))


def _name(e: Expr) -> str:
    return e.name if isinstance(e, Alias) else e.output_name()


def grouping_sets_aggregate(df: "DataFrame", keys: list[Expr], sets: list[tuple[int, ...]],
                            outputs: list[Expr], keep_keys: bool = True) -> "DataFrame":
    """The aggregate of ``outputs`` over each grouping set of ``keys`` (see the module doc)."""
    from .analysis import aggregate_then_windows, plan_aggregate
    from .window_nodes import WindowExpr
    n = len(keys)
    names = [_name(k) for k in keys]
    ctx = df._ctx_for(keys)
    types = [k.compile(ctx).dtype for k in keys]
    hidden = [f"__gk{i}" for i in range(n)]
    bits = [f"__gb{i}" for i in range(n)]
    expanded = None
    for s in sets:
        gid = sum(1 << (n - 1 - i) for i in range(n) if i not in s)
        cols = [Column(ColumnRef.of(c)) for c in df.columns]
        cols += [Column(k).alias(h) if i in s else Column(Literal(None)).cast(t).alias(h)
                 for i, (k, h, t) in enumerate(zip(keys, hidden, types))]
        cols += [Column(Literal(0 if i in s else 1)).cast("tinyint").alias(b)
                 for i, b in enumerate(bits)]
        cols.append(Column(Literal(gid)).cast("bigint").alias("__gid"))
        branch = df.select(*cols)
        expanded = branch if expanded is None else expanded.union(branch)

    def swap(node: Expr) -> Expr | None:
        if isinstance(node, Grouping):
            return ColumnRef.of(bits[_key_index(node.children[0], keys, names, "grouping")])
        if isinstance(node, GroupingId):
            given = node.children
            if given and [_key_index(c, keys, names, "grouping_id") for c in given] != \
                    list(range(n)):
                raise AnalysisException(
                    f"[GROUPING_ID_COLUMN_MISMATCH] Columns of grouping_id "
                    f"({', '.join(c.sql() for c in given)}) do not match grouping columns "
                    f"({', '.join(names)}).", "GROUPING_ID_COLUMN_MISMATCH")
            return ColumnRef.of("__gid")
        return None

    new_keys: list[Expr] = [Alias(ColumnRef.of(h), nm) for h, nm in zip(hidden, names)]
    new_keys += [ColumnRef.of(b) for b in bits] + [ColumnRef.of("__gid")]
    new_outputs = [Alias((o.children[0] if isinstance(o, Alias) else o).replace(swap), _name(o),
                         getattr(o, "metadata", None)) for o in outputs]
    has_window = any(isinstance(x, WindowExpr) for o in outputs for x in o.walk())
    if has_window:
        out = aggregate_then_windows(expanded, new_keys, new_outputs, keep_keys=keep_keys)
    else:
        out = plan_aggregate(expanded, new_keys, new_outputs) if keep_keys else \
            _aggregate_no_keys(expanded, new_keys, new_outputs)
    if keep_keys:
        out = out.select(*[Column(ColumnRef.of(c)) for c in out.columns[:n]],
                         *[Column(ColumnRef.of(c)) for c in out.columns[2 * n + 1:]])
    return out


def _aggregate_no_keys(df: "DataFrame", keys: list[Expr], outputs: list[Expr]) -> "DataFrame":
    from .group import aggregate
    return aggregate(df, keys, outputs, keep_keys=False)

