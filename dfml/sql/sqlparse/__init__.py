"""SQL text (``spark.sql``, ``expr``, ``selectExpr``, ``filter("...")``) as DataFrame calls.

sqlglot parses the text with Spark's dialect (``parsing``); ``exprs`` turns expressions into the
Columns the Python API builds and ``query`` turns a query into DataFrame transformations, so a
SQL query is lazy, pushes filters and projections down and fails before running, exactly as
the same chain written in Python would.
"""

from .exprs import expr_column  # noqa: F401



def select_expr(df, exprs, functions):
    """``df.selectExpr(*exprs)``: each string one select item (a list may be passed too)."""
    if len(exprs) == 1 and isinstance(exprs[0], (list, tuple)):
        exprs = tuple(exprs[0])
    return df.select(*[expr_column(e, functions) for e in exprs])
