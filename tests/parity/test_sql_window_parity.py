"""Window functions (OVER) in SQL text through dfml and real PySpark: ``spark.sql``,
``selectExpr`` and ``expr``; partition/order/frame clauses and named windows. Rows carry null
and NaN keys, null values and ties; column names, types and values must agree."""

from __future__ import annotations

import pytest

from .helpers import assert_same

ROWS = [
    (1, "a", 1.0, 10), (2, "a", None, 10), (3, "a", 1.0, None), (4, "a", 3.0, 7),
    (5, "b", float("nan"), 2), (6, "b", -1.0, 2), (7, "b", float("nan"), 5),
    (8, None, 2.0, 1), (9, None, None, None),
]
SCHEMA = "id INT, g STRING, x DOUBLE, n INT"

SELECT_EXPRS = [
    ("ranking", ["id", "row_number() over (partition by g order by x, id)",
                 "rank() over (partition by g order by x)",
                 "dense_rank() over (partition by g order by x desc)",
                 "percent_rank() over (order by n)", "ntile(2) over (partition by g order by id)"]),
    ("nulls_order", ["id", "rank() over (order by x asc nulls last)",
                     "rank() over (order by x desc nulls first)",
                     "row_number() over (partition by g order by n desc, id)"]),
    ("offsets", ["id", "lag(x) over (partition by g order by id)",
                 "lead(n, 2) over (partition by g order by id)",
                 "lag(x, 1, 0) over (order by id)", "lead(x, 1, -1.0) over (order by id)"]),
    ("rows_frames", ["id", "sum(n) over (partition by g order by id rows between 1 preceding "
                     "and current row)",
                     "sum(x) over (order by id rows between unbounded preceding and 1 following)",
                     "max(x) over (partition by g order by id rows between current row and "
                     "unbounded following)",
                     "count(*) over (partition by g order by id rows between 2 preceding and "
                     "1 preceding)", "avg(n) over (order by id rows unbounded preceding)"]),
    ("range_frames", ["id", "sum(id) over (order by n range between 2 preceding and current row)",
                      "count(x) over (partition by g order by n range between unbounded "
                      "preceding and current row)",
                      "sum(id) over (order by n desc range between 1 preceding and 3 following)",
                      "min(x) over (partition by g order by x)"]),
    ("aggregates", ["id", "sum(n) over (partition by g)", "count(*) over ()",
                    "avg(x) over (partition by g)", "max(n) over (order by id)",
                    "first(x) over (partition by g order by id)", "sum(n) over (order by x)"]),
    ("in_expressions", ["id", "n - lag(n) over (order by id) as diff",
                        "row_number() over (order by id) * 10 as r10"]),
]


@pytest.mark.parametrize("name,exprs", SELECT_EXPRS, ids=[c[0] for c in SELECT_EXPRS])
def test_select_expr_windows(both, name, exprs):
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(ours.selectExpr(*exprs), theirs.selectExpr(*exprs))


def test_expr_window(both):
    from pyspark.sql import functions as PF

    from dfml.sql import functions as F
    ours, theirs = both(ROWS, SCHEMA)
    e = "sum(n) over (partition by g order by id rows between 1 preceding and 1 following)"
    assert_same(ours.select("id", F.expr(e)), theirs.select("id", PF.expr(e)))
    assert_same(ours.withColumn("r", F.expr("rank() over (order by x)")),
                theirs.withColumn("r", PF.expr("rank() over (order by x)")))


@pytest.fixture
def run(both, spark, pyspark):
    """``run(query)`` -> (dfml, PySpark) results over the temp view ``wt`` of ROWS."""
    ours, theirs = both(ROWS, SCHEMA)
    ours.createOrReplaceTempView("wt")
    theirs.createOrReplaceTempView("wt")
    return lambda q: (spark.sql(q), pyspark.sql(q))


QUERIES = [
    ("named_window", "select id, rank() over w, sum(n) over w as s, lag(x) over w from wt "
                     "window w as (partition by g order by x, id)", False),
    ("two_named", "select id, sum(n) over w1 as a, sum(n) over w2 as b from wt "
                  "window w1 as (partition by g), w2 as (order by id rows between 1 preceding "
                  "and current row)", False),
    ("order_by_window", "select id, row_number() over (order by x desc, id) as rn from wt "
                        "order by rn", True),
    ("order_by_hidden", "select id, rank() over (partition by g order by n) as r from wt "
                        "order by x desc nulls last, id", True),
    ("where_then_window", "select g, id, dense_rank() over (partition by g order by x) from wt "
                          "where id > 2", False),
    ("window_over_aggregate", "select g, sum(n) as s, rank() over (order by sum(n) desc) as r "
                              "from wt group by g", False),
]


@pytest.mark.parametrize("name,query,ordered", QUERIES, ids=[q[0] for q in QUERIES])
def test_sql_window_queries(run, name, query, ordered):
    ours, theirs = run(query)
    assert_same(ours, theirs, ordered=ordered)


@pytest.mark.parametrize("query", [
    "select rank() over w from wt",
    "select row_number() over (order by id rows between 1 preceding and current row) from wt",
])
def test_sql_window_errors(both, spark, pyspark, query):
    """A name missing from the WINDOW clause, a ranking function given a frame: both fail at
    analysis (``spark.sql`` itself raises)."""
    from pyspark.errors import AnalysisException as PAE

    from dfml.sql.errors import AnalysisException
    ours, theirs = both(ROWS, SCHEMA)
    ours.createOrReplaceTempView("wt")
    theirs.createOrReplaceTempView("wt")
    with pytest.raises(PAE):
        pyspark.sql(query).collect()
    with pytest.raises(AnalysisException):
        spark.sql(query).collect()
