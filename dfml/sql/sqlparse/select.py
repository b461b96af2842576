"""The rest of a SELECT once FROM and WHERE are planned: grouping, HAVING, the select list,
ORDER BY, DISTINCT and LIMIT, in Spark's order of evaluation.

ORDER BY and HAVING may name select aliases (``ORDER BY total``), ordinals (``ORDER BY 2``),
input columns the select list drops, or aggregates it does not compute (``HAVING count(*) >
1``). They are translated against the input with the aliases substituted; in an aggregate query
they become hidden columns of the aggregate, used and then projected away; in a plain query the
rows are sorted before the projection (a projection keeps row order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlglot import exp

from ..column import Alias, Column, ColumnRef, Expr
from ..errors import AnalysisException

if TYPE_CHECKING:  # noqa: SIM108 - types only: query imports this module
    from .query import QueryTranslator, Scope


def literal_int(node: exp.Expression, what: str) -> int | None:
    """An ordinal (``GROUP BY 1``) or a LIMIT: the integer a literal holds, else None."""
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    return None


def _unaliased(c: Column) -> Column:
    e = c._expr
    return Column(e.children[0]) if isinstance(e, Alias) else c


def _aliases(items: list[Column]) -> dict[str, Column]:
    return {c._expr.name.lower(): Column(c._expr.children[0])
            for c in items if isinstance(c._expr, Alias)}


def _ordinal(node: exp.Expression, items: list[Column], clause: str) -> Column | None:
    n = literal_int(node, clause)
    if n is None:
        return None
    if not 1 <= n <= len(items):
        raise AnalysisException(
            f"[{clause}_POS_OUT_OF_RANGE] {clause.replace('_', ' ')} position {n} is not in "
            f"select list (valid range is [1, {len(items)}]).", f"{clause}_POS_OUT_OF_RANGE")
    return _unaliased(items[n - 1])


def _sort_key(c: Column, o: exp.Ordered) -> Column:
    desc = bool(o.args.get("desc"))
    nulls_first = o.args.get("nulls_first")
    if nulls_first is None:
        nulls_first = not desc  # Spark: NULLS FIRST for ASC, NULLS LAST for DESC
    if desc:
        return c.desc_nulls_first() if nulls_first else c.desc_nulls_last()
    return c.asc_nulls_first() if nulls_first else c.asc_nulls_last()


def _has_window(items: list[Column]) -> bool:
    from ..window_nodes import WindowExpr
    return any(isinstance(x, WindowExpr) for c in items for x in c._expr.walk())


def _group_by(group: exp.Group, items: list[Column],
              tr: Any) -> tuple[list[Expr], list[tuple[int, ...]] | None]:
    """GROUP BY's keys (each once, in order of appearance) and, when it has ROLLUP, CUBE or
    GROUPING SETS, its grouping sets as key indices (None for a plain GROUP BY). Several
    clauses combine as Spark combines them: the cross product of their sets (``GROUP BY a,
    ROLLUP(b)`` is the sets (a, b) and (a))."""
    from ..grouping_sets import cube_sets, rollup_sets
    keys: list[Expr] = []

    def key(g: exp.Expression) -> int:
        c = _ordinal(g, items, "GROUP_BY")
        e = (tr.column(g) if c is None else c)._expr
        if e not in keys:
            keys.append(e)
        return keys.index(e)

    def members(g: exp.Expression) -> tuple[int, ...]:  # one key, or a (tuple) of them
        if isinstance(g, exp.Tuple):
            return tuple(key(x) for x in g.expressions)
        if isinstance(g, exp.Paren):
            return members(g.this)
        return (key(g),)

    def combine(elems: list[tuple[int, ...]], shapes: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        return [tuple(x for j in shape for x in elems[j]) for shape in shapes]

    factors: list[list[tuple[int, ...]]] = []
    plain: list[tuple[int, ...]] = []
    special = False
    for g in group.expressions:
        if isinstance(g, (exp.Rollup, exp.Cube)):
            elems = [members(x) for x in g.expressions]
            shapes = (rollup_sets if isinstance(g, exp.Rollup) else cube_sets)(len(elems))
            factors.append(combine(elems, shapes))
            special = True
        elif isinstance(g, exp.GroupingSets):
            factors.append([members(x) for x in g.expressions])
            special = True
        else:
            plain.append(members(g))
    with_ = "rollup" if group.args.get("rollup") else "cube" if group.args.get("cube") else None
    if with_ is not None:  # GROUP BY a, b WITH ROLLUP: the plain keys rolled up
        shapes = (rollup_sets if with_ == "rollup" else cube_sets)(len(plain))
        factors.append(combine(plain, shapes))
        special = True
    else:
        factors = [[p] for p in plain] + factors
    if not special:
        return keys, None
    sets: list[tuple[int, ...]] = [()]
    for f in factors:
        sets = [tuple(sorted(set(a) | set(b))) for a in sets for b in f]
    return keys, sets


def _by_key(e: Expr, keys: list[Expr]) -> Expr:
    """``e`` with each grouping expression that is not a plain column (``a % 2``, a joined
    column under a hidden name) replaced by a reference to the key's output, which is how the
    aggregate matches select items to keys."""
    exprs = [k for k in keys if type(k) is not ColumnRef]
    if not exprs:
        return e
    return e.replace(lambda n: ColumnRef.of(n.sql()) if n in exprs else None)


def finish_select(q: "QueryTranslator", node: exp.Select, df: Any, scope: "Scope",
                  items: list[Column]) -> Any:
    from ..group import aggregate
    aliases = _aliases(items)
    group = node.args.get("group")
    having = node.args.get("having")
    order = node.args.get("order")
    distinct = node.args.get("distinct") is not None
    orders = list(order.expressions) if order is not None else []
    is_agg = group is not None or having is not None or any(
        c._expr.contains_aggregate() for c in items)
    tr = q.exprs(scope, aliases)

    def order_expr(o: exp.Ordered) -> Column:
        c = _ordinal(o.this, items, "ORDER_BY")
        return tr.column(o.this) if c is None else c

    if is_agg:
        keys, sets = _group_by(group, items, tr) if group is not None else ([], None)
        hidden: list[Column] = []
        if having is not None:
            hidden.append(tr.column(having.this).alias("__having"))
        sort_cols: list[Column] = []
        if orders and not distinct:
            for i, o in enumerate(orders):
                name = f"__order{i}"
                hidden.append(order_expr(o).alias(name))
                sort_cols.append(_sort_key(Column(ColumnRef.of(name)), o))
        outputs = [_by_key(c._expr, keys) for c in items + hidden]
        if sets is not None:
            from ..grouping_sets import grouping_sets_aggregate
            out = grouping_sets_aggregate(df, keys, sets, outputs, keep_keys=False)
        elif _has_window(items):
            from ..analysis import aggregate_then_windows
            out = aggregate_then_windows(df, keys, outputs, keep_keys=False)
        else:
            out = aggregate(df, keys, outputs, keep_keys=False)
        if having is not None:
            out = out.filter(Column(ColumnRef.of("__having")))
        if sort_cols:
            out = out.orderBy(*sort_cols)
        if hidden:
            out = out.select(*[Column(ColumnRef.of(n)) for n in out.columns[:len(items)]])
    elif orders and not distinct and _has_window(items):
        # a window step reorders rows: sort after it, by hidden columns projected away after
        hidden = [order_expr(o).alias(f"__order{i}") for i, o in enumerate(orders)]
        out = df.select(*items, *hidden)
        out = out.orderBy(*[_sort_key(Column(ColumnRef.of(f"__order{i}")), o)
                            for i, o in enumerate(orders)])
        out = out.select(*[Column(ColumnRef.of(n)) for n in out.columns[:len(items)]])
    else:
        if orders and not distinct:
            df = df.orderBy(*[_sort_key(order_expr(o), o) for o in orders])
        out = df.select(*items)
    if distinct:
        out = out.distinct()
        if orders:
            otr = q.exprs(type(scope).of(out, None))
            cols = [Column(ColumnRef.of(c)) for c in out.columns]
            keys = []
            for o in orders:
                c = _ordinal(o.this, cols, "ORDER_BY")
                keys.append(_sort_key(otr.column(o.this) if c is None else c, o))
            out = out.orderBy(*keys)
    return _limit(q, node, out)


def order_and_limit(q: "QueryTranslator", node: exp.Expression, out: Any, otr: Any) -> Any:
    """ORDER BY and LIMIT of a set operation (``... UNION ... ORDER BY a LIMIT 2``): over its
    output columns (``otr`` translates names against them), by name or ordinal."""
    order = node.args.get("order")
    if order is not None:
        cols = [Column(ColumnRef.of(c)) for c in out.columns]
        keys = []
        for o in order.expressions:
            c = _ordinal(o.this, cols, "ORDER_BY")
            keys.append(_sort_key(otr.column(o.this) if c is None else c, o))
        out = out.orderBy(*keys)
    return _limit(q, node, out)


def _limit(q: "QueryTranslator", node: exp.Expression, out: Any) -> Any:
    offset = node.args.get("offset")
    limit = node.args.get("limit")
    if offset is not None:
        n = literal_int(offset.expression, "OFFSET")
        if n is None:
            raise AnalysisException("[INVALID_LIMIT_LIKE_EXPRESSION] OFFSET must be an integer literal")
        out = out.offset(n)
    if limit is not None:
        n = literal_int(limit.expression, "LIMIT")
        if n is None:
            raise AnalysisException("[INVALID_LIMIT_LIKE_EXPRESSION] LIMIT must be an integer literal")
        out = out.limit(n)
    return out

