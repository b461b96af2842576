"""SQL text (``spark.sql``, ``expr``, ``selectExpr``, ``filter("...")``) as DataFrame calls.

sqlglot parses the text with Spark's dialect (``parsing``); ``exprs`` turns expressions into the
Columns the Python API builds and ``query`` turns a query into DataFrame transformations, so a
SQL query is lazy, pushes filters and projections down and fails before running, exactly as
the same chain written in Python would.
"""

import string

from .exprs import expr_column  # noqa: F401



def select_expr(df, exprs, functions):
    """``df.selectExpr(*exprs)``: each string one select item (a list may be passed too)."""
    if len(exprs) == 1 and isinstance(exprs[0], (list, tuple)):
        exprs = tuple(exprs[0])
    return df.select(*[expr_column(e, functions) for e in exprs])


def session_views(session):
    """The session's temp views (created on first use)."""
    from .catalog import SessionCatalog
    views = session.__dict__.get("_sql_views")
    if views is None:
        views = session.__dict__["_sql_views"] = SessionCatalog(session)
    return views


def session_catalog(session):
    from .catalog import Catalog
    return Catalog(session, session_views(session))


def run_sql(session, query, args, kwargs, functions):
    """``spark.sql(query, args, **kwargs)``: the query as a lazy DataFrame.

    ``args`` binds ``:name`` markers (a dict) or ``?`` markers (a list) to literal values;
    ``kwargs`` are DataFrames (or values) named in the query as ``{name}``, as in PySpark."""
    from .parsing import parse
    from .query import QueryTranslator
    formatter = _Formatter(session)
    if kwargs:
        query = formatter.format(query, **kwargs)
    params = {}
    if isinstance(args, dict):
        params = dict(args)
    elif isinstance(args, (list, tuple)):
        params = {f"_pos{i}": v for i, v in enumerate(args)}
        query = _number_positional(query)
    elif args is not None:
        raise TypeError(f"sql(): args must be a dict or a list, got {type(args).__name__}")
    tree = parse(query, "query")
    translator = QueryTranslator(session, session_views(session), functions, params)
    translator.text = query  # a persistent view keeps its query's own text (catalog_sql)
    try:
        return translator.run(tree)
    finally:
        # the translated plan holds the argument DataFrames themselves: their views go, so
        # they never show in listTables or SHOW TABLES (Spark lists no such views)
        for view in formatter.views:
            session_views(session).drop(view)


class _Formatter(string.Formatter):
    """PySpark's ``{name}`` arguments: a DataFrame is read as a temp view under a generated
    name, a Column (``{df.a}``, ``{df[b]}``) is its SQL text, anything else its ``str``."""

    def __init__(self, session):
        self.session = session
        self.views: list[str] = []

    def format_field(self, value, format_spec):
        from ..column import Column
        if isinstance(value, Column):
            return value._expr.sql()
        if callable(getattr(value, "createOrReplaceTempView", None)):  # a DataFrame
            view = f"__dfml_sql_arg_{id(value)}"
            session_views(self.session).create(view, value, replace=True)
            self.views.append(view)
            return view
        return super().format_field(value, format_spec)


def _number_positional(query):
    """``?`` markers as ``:_pos0``, ``:_pos1``... (outside string literals)."""
    out, n, quote = [], 0, None
    for ch in query:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == "?":
            out.append(f":_pos{n}")
            n += 1
            continue
        out.append(ch)
    return "".join(out)
