"""Subqueries on the DataFrame API: ``df.scalar()``, ``df.exists()``, ``col.isin(df)`` and
``col.outer()``, the correlated reference to the enclosing query's row.

dfml has no subquery operator in its plans. A subquery inside a ``where`` or ``select`` becomes
a join before that step runs, as Spark's optimizer rewrites it: the subquery is aggregated to
one row per correlation key (one row in all when uncorrelated), left joined (cross joined) to
the outer rows, and the expression reads the joined columns. A correlated subquery is a
``where`` whose condition ANDs equalities ``inner = outer_ref`` (with any other, uncorrelated
terms), optionally under one aggregate (``select(avg(...))``); that is the shape decorrelated
here, and any other use of ``outer()`` is refused with an error naming it. A scalar subquery
over no matching rows is the aggregate of an empty input (``count`` gives 0, ``avg`` null), as
in Spark; an uncorrelated one returning several rows fails the action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AnalysisException
from .expressions import Alias, ColumnRef, Comparison, Expr, Logical
from .subquery_nodes import OuterRef, Subquery, has_outer, recorded_aggregate, shown

if TYPE_CHECKING:
    from .dataframe import DataFrame


# ---------------------------------------------------------------- decorrelation
def _conjuncts(e: Expr) -> list[Expr]:
    if isinstance(e, Logical) and e.op == "AND":
        return _conjuncts(e.children[0]) + _conjuncts(e.children[1])
    return [e]


def _correlation(sub: "DataFrame") -> tuple["DataFrame", list[tuple[Expr, Expr]], list[Expr] | None]:
    """``sub`` as (its input without the correlated terms, [(inner expr, outer column)], the
    aggregate outputs above it or None)."""
    from .plan import Filter, Project
    outputs = None
    body = sub
    recorded = recorded_aggregate(sub._plan)
    if recorded is not None:
        source, keys, outs = recorded
        if not keys:
            body, outputs = source, outs
    plan = body._plan
    if outputs is None and isinstance(plan, Project) and isinstance(plan.child, Filter) \
            and has_outer(plan.child.condition):
        plan = plan.child  # exists() reads rows only: a projection above the filter is moot
    if not (isinstance(plan, Filter) and has_outer(plan.condition)):
        return sub, [], outputs
    pairs, rest = [], []
    for c in _conjuncts(plan.condition):
        if not has_outer(c):
            rest.append(c)
            continue
        a, b = c.children if isinstance(c, Comparison) and c.op == "=" else (None, None)
        if isinstance(b, OuterRef) and a is not None and not has_outer(a):
            pairs.append((a, b.children[0]))
        elif isinstance(a, OuterRef) and b is not None and not has_outer(b):
            pairs.append((b, a.children[0]))
        else:
            raise AnalysisException(
                f"[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.UNSUPPORTED_CORRELATED_REFERENCE_DATA_TYPE] "
                f"dfml decorrelates equalities inner = outer() ANDed in the subquery's where only, "
                f"not {c.sql()}.", "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY")
    from .column import Column
    inner = type(body)._from_plan(plan.child, body._session, body._alias)
    if rest:
        cond = rest[0]
        for r in rest[1:]:
            cond = Logical("AND", cond, r)
        inner = inner.filter(Column(cond))
    return inner, pairs, outputs


class _Attach:
    """Joins each subquery's per-key (or single) row onto the outer frame; ``swap`` maps a
    Subquery node to the expression reading its joined columns."""

    def __init__(self, df: "DataFrame", in_filter: bool):
        self.df = df
        self.in_filter = in_filter
        self.hidden: list[str] = []
        self.done: dict[int, Expr] = {}

    def _name(self, what: str) -> str:
        name = f"__subquery_{len(self.hidden)}_{what}"
        self.hidden.append(name)
        return name

    def swap(self, node: Expr) -> Expr | None:
        if not isinstance(node, Subquery):
            return None
        if id(node) not in self.done:
            self.done[id(node)] = shown(self._attach(node), node.sql())
        return self.done[id(node)]

    def _attach(self, node: Subquery) -> Expr:
        from . import functions as F
        from .column import Column
        ref = lambda n: Column(ColumnRef.of(n))  # noqa: E731
        sub = node.df
        if node.kind == "in":
            return self._isin(node)
        inner, pairs, outputs = _correlation(sub)
        if node.kind == "scalar":
            if outputs is None:
                if len(sub.columns) != 1:
                    raise AnalysisException(
                        f"[INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_"
                        f"COLUMN] A scalar subquery must return one column, got {len(sub.columns)}. "
                        f"SQLSTATE: 42823", "INVALID_SUBQUERY_EXPRESSION")
                if pairs:
                    raise AnalysisException(
                        "[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.MUST_AGGREGATE_CORRELATED_SCALAR_"
                        "SUBQUERY] Correlated scalar subqueries must be aggregated to return at "
                        "most one row. SQLSTATE: 0A000", "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY")
                v, n = self._name("value"), self._name("rows")
                one = sub.agg(F.first(ref(sub.columns[0])).alias(v), F.count(F.lit(1)).alias(n))
                self.df = self.df.crossJoin(one)
                # assert_true is null while the subquery has at most one row
                return F.coalesce(F.assert_true(ref(n) <= 1, F.lit(
                    "[SCALAR_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery "
                    "used as an expression.")), ref(v))._expr
            if len(outputs) != 1:
                raise AnalysisException(
                    f"[INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_"
                    f"COLUMN] A scalar subquery must return one column, got {len(outputs)}. "
                    f"SQLSTATE: 42823", "INVALID_SUBQUERY_EXPRESSION")
            if not pairs:
                v = self._name("value")
                self.df = self.df.crossJoin(sub.toDF(v))
                return ColumnRef.of(v)
            out = outputs[0].children[0] if isinstance(outputs[0], Alias) else outputs[0]
            v, m, e = self._name("value"), self._name("matched"), self._name("empty")
            keys = self._join_keyed(inner, pairs, [Column(Alias(out, v)), F.lit(True).alias(m)])
            self.df = keys.crossJoin(inner.limit(0).agg(Column(Alias(out, e))))
            return F.when(ref(m).isNull(), ref(e)).otherwise(ref(v))._expr
        # exists
        if not pairs:
            f = self._name("exists")
            self.df = self.df.crossJoin(sub.limit(1).agg((F.count(F.lit(1)) > 0).alias(f)))
            return ColumnRef.of(f)
        m = self._name("matched")
        self.df = self._join_keyed(inner, pairs, [F.lit(True).alias(m)])
        return ref(m).isNotNull()._expr

    def _join_keyed(self, inner: "DataFrame", pairs: list[tuple[Expr, Expr]], values: list) -> "DataFrame":
        """The outer frame left joined to ``values`` aggregated per correlation key."""
        from .column import Column
        names = [self._name(f"key{i}") for i in range(len(pairs))]
        grouped = inner.groupBy(*[Column(Alias(a, n)) for (a, _), n in zip(pairs, names)]).agg(*values)
        on = None
        for (_, outer), n in zip(pairs, names):
            term = Column(outer) == Column(ColumnRef.of(n))
            on = term if on is None else on & term
        return self.df.join(grouped, on=on, how="left")

    def _isin(self, node: Subquery) -> Expr:
        """``x IN (sub)``. In a where, with SQL's nulls (so ``NOT IN`` is null-aware): true on
        a match; else null when the subquery has rows and x or one of its values is null; else
        false. In a select, whether a value equals x (never null), as Spark's existence join
        answers there."""
        from . import functions as F
        from .column import Column
        sub = node.df
        value = node.children[0]
        if len(sub.columns) != 1:
            raise AnalysisException(
                f"[UNSUPPORTED_FEATURE] isin(DataFrame) with {len(sub.columns)} columns (a struct "
                f"value) is not supported by dfml; compare one column.", "UNSUPPORTED_FEATURE")
        if any(isinstance(n, OuterRef) for n in value.walk()) or _correlation(sub)[1]:
            raise AnalysisException("[UNSUPPORTED_FEATURE] isin(DataFrame) with an outer() "
                                    "reference is not supported by dfml.", "UNSUPPORTED_FEATURE")
        ref = lambda n: Column(ColumnRef.of(n))  # noqa: E731
        k, m, n, nn = (self._name(w) for w in ("key", "matched", "rows", "nulls"))
        y = Column(ColumnRef.of(sub.columns[0]))
        grouped = sub.filter(y.isNotNull()).groupBy(y.alias(k)).agg(F.lit(True).alias(m))
        stats = sub.agg(F.count(F.lit(1)).alias(n), F.count_if(y.isNull()).alias(nn))
        self.df = self.df.join(grouped, on=Column(value) == ref(k), how="left").crossJoin(stats)
        x = Column(value)
        if not self.in_filter:
            return ref(m).isNotNull()._expr
        return (F.when(ref(m).isNotNull(), F.lit(True)).when(ref(n) == 0, F.lit(False))
                .when(x.isNull() | (ref(nn) > 0), F.lit(None).cast("boolean"))
                .otherwise(F.lit(False)))._expr


def filter_with_subqueries(df: "DataFrame", condition: Expr) -> "DataFrame":
    from .column import Column
    attach = _Attach(df, in_filter=True)
    cond = condition.replace(attach.swap)
    return attach.df.filter(Column(cond)).drop(*attach.hidden)


def select_with_subqueries(df: "DataFrame", exprs: list[Expr]) -> "DataFrame":
    from .column import Column
    attach = _Attach(df, in_filter=False)
    items = []
    for e in exprs:
        new = e.replace(attach.swap)
        items.append(Column(new if isinstance(e, Alias) or new is e else Alias(new, e.output_name())))
    return attach.df.select(*items)

