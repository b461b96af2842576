"""``rollup``, ``cube``, ``groupingSets``, ``grouping``/``grouping_id`` and SQL's GROUP BY
ROLLUP/CUBE/GROUPING SETS through dfml and real PySpark. The keys hold nulls of their own, so
a data null and a rolled-up null must stay separate rows; values hold null and NaN."""

from __future__ import annotations

import pytest

from .helpers import assert_same

ROWS = [
    (1, "a", "x", 1.0), (2, "a", None, None), (3, "b", "y", float("nan")),
    (4, None, "x", 2.0), (5, "a", "x", 1.0), (6, None, None, -3.5), (7, "b", "y", 0.0),
]
SCHEMA = "id INT, g STRING, h STRING, v DOUBLE"


def _cases(F):
    return {
        "rollup_sum": lambda d: d.rollup("g", "h").agg(F.sum("v"), F.count("*")),
        "rollup_grouping": lambda d: d.rollup("g", "h").agg(F.grouping("g"), F.grouping("h"),
                                                            F.grouping_id(), F.max("id")),
        "rollup_one": lambda d: d.rollup("g").agg(F.avg("v").alias("m"), F.sum("id")),
        "rollup_key_aggregated": lambda d: d.rollup("h").agg(F.count("h"), F.first("h", True)),
        "rollup_expression_key": lambda d: d.rollup((F.col("id") % 2).alias("odd"), "g")
        .agg(F.sum("v"), F.grouping_id(), F.grouping("g")),
        "rollup_count_shortcut": lambda d: d.rollup("g").count(),
        "rollup_sum_shortcut": lambda d: d.rollup("g", "h").sum("id"),
        "cube": lambda d: d.cube("g", "h").agg(F.sum("id"), F.grouping_id()),
        "cube_min_max": lambda d: d.cube("h").agg(F.min("v"), F.max("v"), F.grouping("h")),
        "cube_three": lambda d: d.cube("g", "h", (F.col("id") > 3).alias("big"))
        .agg(F.count("*"), F.grouping_id()),
        "grouping_sets": lambda d: d.groupingSets([("g", "h"), ("g",), ()], "g", "h")
        .agg(F.sum("id"), F.grouping_id()),
        "grouping_sets_swapped": lambda d: d.groupingSets([["h"], ["g"]], "g", "h")
        .agg(F.count("*"), F.grouping("g")),
        "grouping_in_expression": lambda d: d.rollup("g").agg(
            (F.grouping("g") * 10 + F.sum("id")).alias("z")),
        "ordinals": lambda d: d.rollup(2, 3).agg(F.sum("id")),
        "cube_list": lambda d: d.cube(["g", "h"]).agg(F.sum("id")),
        "empty_rollup": lambda d: d.filter("id > 100").rollup("g").agg(F.sum("id")),
    }


CASES = [
    "rollup_sum", "rollup_grouping", "rollup_one", "rollup_key_aggregated", "rollup_expression_key",
    "rollup_count_shortcut", "rollup_sum_shortcut", "cube", "cube_min_max", "cube_three",
    "grouping_sets", "grouping_sets_swapped", "grouping_in_expression", "ordinals", "cube_list",
    "empty_rollup"]


@pytest.mark.parametrize("case", CASES)
def test_dataframe_grouping_sets(both, case):
    from pyspark.sql import functions as PF

    from dfml.sql import functions as F
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(_cases(F)[case](ours), _cases(PF)[case](theirs))


@pytest.fixture
def run(both, spark, pyspark):
    """``run(query)`` -> (dfml, PySpark) results over the temp view ``gt`` of ROWS."""
    ours, theirs = both(ROWS, SCHEMA)
    ours.createOrReplaceTempView("gt")
    theirs.createOrReplaceTempView("gt")
    return lambda q: (spark.sql(q), pyspark.sql(q))


QUERIES = [
    ("rollup", "select g, h, sum(id), grouping(g), grouping_id() from gt group by rollup(g, h)"),
    ("cube", "select g, h, count(*) as n, avg(v) from gt group by cube(g, h)"),
    ("with_rollup", "select g, h, sum(id) from gt group by g, h with rollup"),
    ("with_cube", "select g, sum(id) as s from gt group by g with cube"),
    ("grouping_sets", "select g, h, sum(id), grouping_id(g, h) from gt "
                      "group by grouping sets ((g, h), (g), ())"),
    ("plain_and_rollup", "select g, h, count(*) from gt group by g, rollup(h)"),
    ("having", "select g, h, sum(id) as s from gt group by cube(g, h) having s > 5"),
    ("expression_key", "select id % 2 as odd, g, sum(v) from gt group by rollup(id % 2, g)"),
    ("ordinals", "select g, h, max(id) from gt group by rollup(1, 2)"),
    ("window_over_rollup", "select g, sum(id) as s, rank() over (order by sum(id) desc) as r "
                           "from gt group by rollup(g)"),
    ("grouping_filter", "select g, sum(id) from gt group by rollup(g) having grouping(g) = 0"),
]


@pytest.mark.parametrize("name,query", QUERIES, ids=[q[0] for q in QUERIES])
def test_sql_grouping_sets(run, name, query):
    ours, theirs = run(query)
    assert_same(ours, theirs)


def test_sql_grouping_sets_ordered(run):
    q = ("select g, h, sum(id) as s from gt group by rollup(g, h) "
         "order by grouping_id(), g nulls last, h nulls last")
    ours, theirs = run(q)
    assert_same(ours, theirs, ordered=True)


@pytest.mark.parametrize("query", [
    "select grouping(g) from gt group by g",
    "select grouping_id(h) from gt group by rollup(g, h)",
])
def test_grouping_errors(both, spark, pyspark, query):
    """grouping() outside grouping sets, grouping_id() of other columns than the keys: both
    fail at analysis."""
    from pyspark.errors import AnalysisException as PAE

    from dfml.sql.errors import AnalysisException
    ours, theirs = both(ROWS, SCHEMA)
    ours.createOrReplaceTempView("gt")
    theirs.createOrReplaceTempView("gt")
    with pytest.raises(PAE):
        pyspark.sql(query).collect()
    with pytest.raises(AnalysisException):
        spark.sql(query).collect()
