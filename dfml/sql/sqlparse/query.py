"""SQL queries (sqlglot's Spark-dialect tree) as chains of DataFrame transformations.

``FROM``/``JOIN`` become ``join``, ``WHERE`` ``filter``, ``GROUP BY``/aggregates the Python
API's aggregate, ``ORDER BY`` ``orderBy``, set operations ``union``/``intersect``/``subtract``:
nothing runs until an action, and the plan is the one the same Python calls would build.

Names are resolved here against a ``Scope`` (the FROM clause's sources with their qualifiers),
because SQL allows what dfml frames do not: two joined tables may both have a column ``a``.
Such a right-side column is renamed to a hidden name before the join and ``u.a`` resolves to
it, printed as ``a`` again.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from ..column import Column, ColumnRef
from ..errors import AnalysisException
from ..subquery_nodes import SqlNamed
from .catalog import SessionCatalog
from .exprs import ExprTranslator, unsupported
from .inline_table import values_relation


class Scope:
    """Columns a query can name: (qualifier, name, physical column) in output order."""

    def __init__(self, entries: list[tuple[str | None, str, str]]):
        self.entries = entries

    @classmethod
    def of(cls, df: Any, qualifier: str | None) -> "Scope":
        return cls([(qualifier, c, c) for c in df.columns])

    def column(self, name: str, physical: str) -> Column:
        ref = ColumnRef.of(physical)
        return Column(ref if name == physical else SqlNamed(ref, name))

    def resolve(self, parts: list[str]) -> Column | None:
        if len(parts) == 1:
            hits = [e for e in self.entries if e[1].lower() == parts[0].lower()]
        elif len(parts) == 2:
            hits = [e for e in self.entries if e[0] is not None
                    and e[0].lower() == parts[0].lower() and e[1].lower() == parts[1].lower()]
            if not hits:
                return None  # a struct field (s.f) or unknown: the frame's own resolution
        else:
            return None
        physical = {e[2] for e in hits}
        if len(physical) > 1:
            raise AnalysisException(
                f"[AMBIGUOUS_REFERENCE] Reference `{'.'.join(parts)}` is ambiguous, could be: "
                f"[{', '.join(f'`{e[0]}`.`{e[1]}`' for e in hits)}].", "AMBIGUOUS_REFERENCE")
        if not hits:
            return None
        return self.column(hits[0][1], hits[0][2])

    def star(self, qualifier: str | None) -> list[Column]:
        chosen = [e for e in self.entries if not e[2].startswith("__scalar_")
                  and (qualifier is None or (e[0] or "").lower() == qualifier.lower())]
        if qualifier is not None and not chosen:
            raise AnalysisException(
                f"[CANNOT_RESOLVE_STAR_EXPAND] Cannot resolve `{qualifier}`.* given input "
                f"columns {', '.join(f'`{e[1]}`' for e in self.entries)}.",
                "CANNOT_RESOLVE_STAR_EXPAND")
        seen: set[str] = set()
        out = []
        for e in chosen:  # a USING key shows once
            if e[2] not in seen:
                seen.add(e[2])
                out.append(self.column(e[1], e[2]))
        return out


_JOIN_KINDS = {("LEFT", "SEMI"): "left_semi", ("", "SEMI"): "left_semi",
               ("LEFT", "ANTI"): "left_anti", ("", "ANTI"): "left_anti",
               ("", "CROSS"): "cross", ("LEFT", ""): "left", ("LEFT", "OUTER"): "left",
               ("RIGHT", ""): "right", ("RIGHT", "OUTER"): "right", ("FULL", ""): "full",
               ("FULL", "OUTER"): "full", ("", ""): "inner", ("", "INNER"): "inner"}


class QueryTranslator:
    """One ``spark.sql`` call: ``views`` the session's temp views, ``ctes`` the WITH names in
    scope (a stack of dicts, innermost last)."""

    def __init__(self, session: Any, views: SessionCatalog, functions: Any,
                 params: dict[str, Any] | None = None):
        self.session = session
        self.views = views
        self.F = functions
        self.params = params or {}
        self.text: str | None = None  # the SQL text run_sql parsed, when there is one
        self.ctes: list[dict[str, Any]] = []
        self._hidden = 0

    def exprs(self, scope: Scope | None, aliases: dict[str, Column] | None = None) -> ExprTranslator:
        def resolver(parts: list[str]) -> Column | None:
            if aliases and len(parts) == 1 and parts[0].lower() in aliases:
                if scope is None or scope.resolve(parts) is None:
                    return aliases[parts[0].lower()]
            return scope.resolve(parts) if scope is not None else None
        return ExprTranslator(self.F, self.params, resolver)

    # ------------------------------------------------------------------ statements
    def run(self, node: exp.Expression) -> Any:
        with_ = node.args.get("with_") or node.args.get("with")
        if with_ is not None:
            frame: dict[str, Any] = {}
            self.ctes.append(frame)
            try:
                for cte in with_.expressions:
                    frame[cte.alias.lower()] = self.run(cte.this)
                return self._run_body(node)
            finally:
                self.ctes.pop()
        return self._run_body(node)

    def _run_body(self, node: exp.Expression) -> Any:
        if isinstance(node, exp.Select):
            return self._select(node)
        if isinstance(node, (exp.Subquery, exp.Paren)):
            return self.run(node.this)
        if isinstance(node, exp.Values):  # INSERT INTO t VALUES ...
            return self._values(node)
        if isinstance(node, (exp.Create, exp.Drop)) and \
                (node.args.get("kind") or "").upper() == "TABLE":
            return self._table_statement(node)
        if isinstance(node, (exp.Insert, exp.TruncateTable)) or (
                isinstance(node, exp.Command) and node.name.upper() == "SHOW"):
            return self._table_statement(node)
        if isinstance(node, exp.Use) or (isinstance(node, (exp.Create, exp.Drop)) and (
                node.args.get("kind") or "").upper() in ("DATABASE", "SCHEMA", "NAMESPACE")):
            from . import catalog_sql
            return catalog_sql.database_statement(self, node)
        if isinstance(node, (exp.Create, exp.Drop)):
            return self._view_statement(node)
        if isinstance(node, exp.SetOperation):
            from .select import order_and_limit
            out = self._set_operation(node)
            return order_and_limit(self, node, out, self.exprs(Scope.of(out, None)))
        raise not_a_query(node)

    def _table_statement(self, node: exp.Expression) -> Any:
        """The warehouse's statements (sqlparse.tables_sql); they run now, as in Spark."""
        from . import tables_sql
        if isinstance(node, exp.Command):
            from .catalog_sql import show
            return show(self, node)
        run = {exp.Create: tables_sql.create_table, exp.Insert: tables_sql.insert,
               exp.Drop: tables_sql.drop_table, exp.TruncateTable: tables_sql.truncate}[type(node)]
        run(self, node)
        return self.session.range(0).select()

    def _view_statement(self, node: exp.Expression) -> Any:
        """``CREATE [OR REPLACE] [GLOBAL] TEMP VIEW v AS query`` and ``DROP VIEW [IF EXISTS] v``:
        the temp view statements (the result, as in Spark, is an empty DataFrame)."""
        kind = (node.args.get("kind") or "").upper()
        props = node.args.get("properties")
        flags = {type(p).__name__ for p in (props.expressions if props is not None else [])}
        if isinstance(node, exp.Create):
            if kind != "VIEW":
                raise unsupported(f"CREATE {kind} (dfml has views, tables and databases)")
            if "TemporaryProperty" not in flags:
                from .catalog_sql import create_view
                create_view(self, node)
                return self.session.range(0).select()
            name = node.this.name
            self.views.create(name, self.run(node.expression), replace=bool(node.args.get("replace")),
                              global_="GlobalProperty" in flags)
        else:
            if kind != "VIEW":
                raise unsupported(f"DROP {kind} (only DROP VIEW of a temp view)")
            for t in node.expressions or node.args.get("tables") or []:
                name = ".".join(p.name for p in t.parts)
                if not self.views.drop(name):  # not a temp view: a persistent one
                    from .catalog_sql import drop_view
                    drop_view(self, name, bool(node.args.get("exists")))
        return self.session.range(0).select()

    def _set_operation(self, node: exp.Expression) -> Any:
        if isinstance(node, exp.Union):
            out = self.run(node.this).union(self.run(node.expression))
            return out.distinct() if node.args.get("distinct", True) else out
        if isinstance(node, exp.Intersect):
            left, right = self.run(node.this), self.run(node.expression)
            return left.intersect(right) if node.args.get("distinct", True) \
                else left.intersectAll(right)
        if isinstance(node, exp.Except):
            left, right = self.run(node.this), self.run(node.expression)
            return left.subtract(right) if node.args.get("distinct", True) \
                else left.exceptAll(right)
        raise not_a_query(node)

    # ------------------------------------------------------------------ FROM
    def table(self, name: str) -> Any:
        if "." not in name:
            for frame in reversed(self.ctes):
                if name.lower() in frame:
                    return frame[name.lower()]
        return self.views.get(name)

    def _source(self, node: exp.Expression) -> tuple[Any, Scope]:
        alias = node.alias or None
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
            df = self._table_function(node.this)
            return df, Scope.of(df, alias)
        if node.args.get("sample") is not None:
            raise unsupported("TABLESAMPLE (use DataFrame.sample)")
        if isinstance(node, exp.Table):
            parts = [p.name for p in node.parts]
            df = self.table(".".join(parts))
            return df, Scope.of(df, alias or parts[-1])
        if isinstance(node, exp.Subquery):
            df = self._renamed(self.run(node.this), node)
            return df, Scope.of(df, alias)
        if isinstance(node, exp.Values):
            df = self._renamed(self._values(node), node)
            return df, Scope.of(df, alias)
        raise unsupported(f"{type(node).__name__} in FROM")

    def _values(self, node: exp.Values) -> Any:
        """``VALUES (1, 'a'), (2, 'b')``: one relation, columns col1, col2... typed as Spark
        types an inline table (see inline_table)."""
        return values_relation(self.session, self.exprs(None), node)

    @staticmethod
    def _renamed(df: Any, node: exp.Expression) -> Any:
        """``AS t(x, y)``: the source's columns renamed."""
        table_alias = node.args.get("alias")
        cols = table_alias.columns if table_alias is not None else []
        if not cols:
            return df
        if len(cols) != len(df.columns):
            raise AnalysisException(
                f"[ASSIGNMENT_ARITY_MISMATCH] The alias {table_alias.name} names {len(cols)} "
                f"columns, its source has {len(df.columns)}.", "ASSIGNMENT_ARITY_MISMATCH")
        return df.toDF(*[c.name for c in cols])

    def _table_function(self, call: exp.Anonymous) -> Any:
        """``FROM range(...)``: the one table-valued function dfml has."""
        if call.name.lower() != "range":
            raise AnalysisException(
                f"[UNRESOLVABLE_TABLE_VALUED_FUNCTION] Could not resolve `{call.name}` to a "
                f"table-valued function.", "UNRESOLVABLE_TABLE_VALUED_FUNCTION")
        tr = self.exprs(None)
        args = [tr._constant(a) for a in call.expressions]
        if not 1 <= len(args) <= 4 or not all(isinstance(a, int) for a in args):
            raise AnalysisException(f"range() takes 1 to 4 integer literals, got {call.sql()}")
        return self.session.range(*args)

    def _from(self, node: exp.Select) -> tuple[Any, Scope]:
        from_ = node.args.get("from_") or node.args.get("from")
        if from_ is None:
            return self.session.range(1).select(), Scope([])
        df, scope = self._source(from_.this)
        for j in node.args.get("joins") or []:
            df, scope = self._join(df, scope, j)
        return df, scope

    def _join(self, left: Any, lscope: Scope, j: exp.Join) -> tuple[Any, Scope]:
        right, rscope = self._source(j.this)
        key = ((j.side or "").upper(), (j.kind or "").upper())
        how = _JOIN_KINDS.get(key)
        if how is None:
            raise unsupported(f"{' '.join(key)} JOIN")
        semi = how in ("left_semi", "left_anti")
        using = j.args.get("using")
        if using:
            names = [u.name for u in using]
            out = left.join(right, on=names, how=how)
            if semi:
                return out, lscope
            keys = {n.lower() for n in names}
            # Spark's order: the USING columns, then the others of the left, then the right's;
            # a USING column keeps one physical column, and u.a still names it
            entries = [e for e in lscope.entries if e[1].lower() in keys]
            entries += [e for e in lscope.entries if e[1].lower() not in keys]
            entries += [e for e in rscope.entries if e[1].lower() not in keys]
            entries += [(e[0], e[1], e[1]) for e in rscope.entries if e[1].lower() in keys]
            return out, Scope(entries)
        taken = {c.lower() for c in left.columns}
        renames, entries = {}, []
        for q, name, phys in rscope.entries:
            if phys.lower() in taken:
                self._hidden += 1
                new = f"__{q or 'r'}_{phys}_{self._hidden}"
                renames[phys] = new
                phys = new
            entries.append((q, name, phys))
        if renames:
            right = right.withColumnsRenamed(renames)
        both = Scope(lscope.entries + entries)
        on = j.args.get("on")
        cond = self.exprs(both).column(on) if on is not None else None
        if cond is None and how not in ("cross", "inner"):
            raise AnalysisException(f"[UNSUPPORTED_JOIN] a {how} join needs ON or USING")
        out = left.join(right, on=cond, how="cross" if cond is None else how)
        return out, (lscope if semi else both)

    # ------------------------------------------------------------------ WHERE
    def _where(self, df: Any, scope: Scope, cond: exp.Expression) -> Any:
        conjuncts = list(cond.flatten()) if isinstance(cond, exp.And) else [cond]
        rest = []
        for c in conjuncts:
            if isinstance(c, exp.In) and c.args.get("query") is not None:
                df = self._in_subquery(df, scope, c)
            elif isinstance(c, exp.Not) and isinstance(c.this, exp.In) and c.this.args.get("query"):
                df = self._in_subquery(df, scope, c.this, negated=True)
            else:
                rest.append(c)
        if rest:
            df, scope = self._scalar_subqueries(df, scope, rest)
            tr = self.exprs(scope)
            col = tr.column(rest[0])
            for c in rest[1:]:
                col = col & tr.column(c)
            df = df.filter(col)
        return df

    def _scalar_subqueries(self, df: Any, scope: Scope,
                           conds: list[exp.Expression]) -> tuple[Any, Scope]:
        """``a > (SELECT avg(a) FROM u)``: the (uncorrelated, one-row) subquery cross joined
        under a hidden name, which the condition then reads as a column."""
        for cond in conds:
            for sub in list(cond.find_all(exp.Subquery)):
                inner = self.run(sub.this)
                if len(inner.columns) != 1:
                    raise AnalysisException(
                        f"[INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_"
                        f"COLUMN] A scalar subquery must return one column, got "
                        f"{len(inner.columns)}.", "INVALID_SUBQUERY_EXPRESSION")
                self._hidden += 1
                hidden = f"__scalar_{self._hidden}"
                df = df.crossJoin(inner.toDF(hidden))
                scope = Scope(scope.entries + [(None, hidden, hidden)])
                sub.replace(exp.column(hidden))
        return df, scope

    def _in_subquery(self, df: Any, scope: Scope, node: exp.In, negated: bool = False) -> Any:
        """``x IN (SELECT y ...)``: a left semi join of the rows on ``x = y``.

        ``x NOT IN (SELECT y ...)`` is null-aware, as in Spark: a row is kept when the subquery
        is empty, or when x is not null, no y equals it and no y is null. That is an anti join
        on ``x = y`` and a filter on the subquery's row and null counts (one row, cross joined)."""
        sub = self.run(node.args["query"].this)
        if len(sub.columns) != 1:
            raise AnalysisException(
                f"[INVALID_SUBQUERY_EXPRESSION] IN (subquery) needs one column, the subquery "
                f"gives {len(sub.columns)}.", "INVALID_SUBQUERY_EXPRESSION")
        self._hidden += 1
        hidden = f"__in_{self._hidden}"
        sub = sub.toDF(hidden)
        left = self.exprs(scope).column(node.this)
        y = Column(ColumnRef.of(hidden))
        if not negated:
            return df.join(sub, on=left == y, how="left_semi")
        F = self.F
        n, nulls = f"{hidden}_n", f"{hidden}_nulls"
        stats = sub.agg(F.count("*").alias(n),
                        F.sum(F.when(y.isNull(), 1).otherwise(0)).alias(nulls))
        kept = df.join(sub, on=left == y, how="left_anti").crossJoin(stats)
        cond = (Column(ColumnRef.of(n)) == 0) | (left.isNotNull() & (Column(ColumnRef.of(nulls)) == 0))
        return kept.filter(cond).drop(n, nulls)

    # ------------------------------------------------------------------ SELECT
    def _items(self, node: exp.Select, scope: Scope) -> list[Column]:
        from .windows import window_definitions
        tr = self.exprs(scope)
        tr.windows = window_definitions(node)
        items: list[Column] = []
        for e in node.expressions:
            if isinstance(e, exp.Star):
                items.extend(scope.star(None))
            elif isinstance(e, exp.Column) and isinstance(e.this, exp.Star):
                items.extend(scope.star(e.table))
            else:
                items.append(tr.column(e))
        return items

    def _select(self, node: exp.Select) -> Any:
        from .select import finish_select
        for clause, what in _UNSUPPORTED_CLAUSES.items():
            if node.args.get(clause):
                raise unsupported(what)
        df, scope = self._from(node)
        where = node.args.get("where")
        if where is not None:
            df = self._where(df, scope, where.this)
        items = self._items(node, scope)
        return finish_select(self, node, df, scope, items)


_UNSUPPORTED_CLAUSES = {"sort": "SORT BY", "distribute": "DISTRIBUTE BY", "cluster": "CLUSTER BY",
                       "laterals": "LATERAL VIEW",
                       "qualify": "QUALIFY", "pivots": "PIVOT"}


def not_a_query(node: exp.Expression) -> AnalysisException:
    from ..errors import ParseException
    text = node.sql(dialect="spark")
    first = text.split()[0] if text.split() else text
    return ParseException(f"[PARSE_SYNTAX_ERROR] Syntax error at or near '{first}'. "
                          f"SQLSTATE: 42601 (line 1, pos 0)\n\n== SQL ==\n{text}\n^^^",
                          "PARSE_SYNTAX_ERROR")

