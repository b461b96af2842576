"""SQL text (expr, selectExpr, filter strings, spark.sql) through dfml and real PySpark.

Each expression case is one ``selectExpr`` (or ``filter``) over the same rows in both; column
names, Spark types and values must agree. Rows carry nulls, NaN and ties.
"""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import assert_same

ROWS = [
    (1, 10, 100, 1.5, "apple", True, dt.date(2024, 1, 15), "g1"),
    (2, -3, None, -0.5, "Banana", False, dt.date(2023, 12, 31), "g1"),
    (3, None, 7, None, None, None, None, "g2"),
    (4, 0, -8, float("nan"), "  cherry pie  ", True, dt.date(2020, 2, 29), "g2"),
    (5, 7, 2, 10.0, "date", False, dt.date(1999, 6, 1), None),
    (6, 7, 2, 10.0, "date", False, dt.date(1999, 6, 1), "g1"),
]
SCHEMA = "id INT, a INT, b BIGINT, x DOUBLE, s STRING, flag BOOLEAN, d DATE, g STRING"

EXPRS = [
    ("arith", ["a + 1", "a - b", "a * b", "a / id", "b % 3", "-a", "a div 2", "(a + 1) * 2 - id"]),
    ("literals", ["1", "100000000000", "1.5", "3.5d", "1e3", "2L", "2.5BD", "'x'", "null",
                  "true", "false", "date'2020-01-01'"]),
    ("compare", ["a > 1", "a >= b", "a < 0", "a <= 7", "a = 7", "a != 7", "b <> 7", "a <=> null"]),
    ("logic", ["a > 1 and b < 3", "a > 1 or b is null", "not a > 1", "not (a > 1 or flag)"]),
    ("is_bool", ["flag is true", "flag is not true", "flag is false", "a > 1 is not false"]),
    ("nulls", ["a is null", "a is not null", "coalesce(a, b, 0)", "ifnull(a, 1)", "nvl(s, 'none')",
               "isnull(x)", "isnan(x)"]),
    ("in_between", ["a in (1, 7, null)", "a not in (7, 10)", "a between 0 and 7",
                    "s in ('apple', 'date')"]),
    ("like", ["s like 'a%'", "s like '%e'", "s not like '%a%'", "s rlike '^[a-c]'",
              "s ilike 'BAN%'"]),
    ("case", ["case when a > 1 then 'big' when a < 0 then 'neg' else 'small' end",
              "case a when 7 then 1 when 10 then 2 end", "if(a > 1, 1, 2)",
              "case when x is null then -1.0 else x end"]),
    ("cast", ["cast(a as string)", "s::string", "cast(g as int)", "cast(x as bigint)",
              "cast(id as double)", "cast(b as decimal(10,2))", "cast(a as boolean) as ab",
              "cast('2020-02-03' as date)"]),
    ("functions", ["upper(s)", "lower(s)", "length(s)", "trim(s)", "substr(s, 2, 3)",
                   "substring(s, 1, 2)", "concat(s, '-', g)", "s || g", "abs(a)", "round(x, 1)",
                   "sqrt(b)", "greatest(a, b)", "least(a, id)", "year(d)", "month(d)",
                   "date_add(d, 3)", "regexp_replace(s, 'a', 'o')", "concat_ws('-', s, g)"]),
    ("alias_star", ["a as alpha", "a + 1 as z", "*", "t.b as tb", "`id` as i"]),
    ("qualified", ["t.a as ta", "`b` as bb", "t.*"]),
]


@pytest.mark.parametrize("name,exprs", EXPRS, ids=[c[0] for c in EXPRS])
def test_select_expr(both, name, exprs):
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(ours.alias("t").selectExpr(*exprs), theirs.alias("t").selectExpr(*exprs))


@pytest.mark.parametrize("e", [e for _, es in EXPRS[:8] for e in es[:3]])
def test_expr_one_by_one(both, e):
    """``functions.expr`` gives the same Column as ``selectExpr`` (name, type, values)."""
    from pyspark.sql import functions as PF

    from dfml.sql import functions as DF
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(ours.select(DF.expr(e)), theirs.select(PF.expr(e)))


AGGS = [
    ("global", ["count(*)", "count(a)", "sum(a) as s", "avg(b)", "min(s)", "max(d)"]),
    ("distinct", ["count(distinct a)", "sum(distinct a)"]),
    ("mixed", ["sum(a) + 1", "count(*) * 2 as c2", "max(a) - min(a)"]),
]


@pytest.mark.parametrize("name,exprs", AGGS, ids=[c[0] for c in AGGS])
def test_select_expr_aggregates(both, name, exprs):
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(ours.selectExpr(*exprs), theirs.selectExpr(*exprs))


FILTERS = ["a > 1 and b is not null", "a > 1 or x is null", "s like '%a%'", "x < 5",
           "a in (7, 10)", "not flag", "d >= date'2020-01-01'", "g is null", "id between 2 and 4"]


@pytest.mark.parametrize("cond", FILTERS)
def test_filter_string(both, cond):
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(ours.filter(cond), theirs.filter(cond))
    assert_same(ours.where(cond).select("id"), theirs.where(cond).select("id"))


@pytest.mark.parametrize("e", ["x + 0", "avg(x)", "x = x", "max(x)", "x > 1e308", "greatest(x, 1.0)"])
def test_nan_semantics(both, e):
    ours, theirs = both(ROWS, SCHEMA)
    assert_same(ours.selectExpr(e), theirs.selectExpr(e))


# ---------------------------------------------------------------------- spark.sql queries
T_ROWS = ROWS
U_ROWS = [(1, "p", 1.0), (3, "q", None), (7, "r", 2.5), (7, "s", 2.5), (None, "n", 0.0)]
U_SCHEMA = "a INT, q STRING, w DOUBLE"


@pytest.fixture
def views(both, spark, pyspark):
    """Temp views ``t`` and ``u`` in both sessions; returns ``run(query, **kw)`` -> (ours, theirs)."""
    t1, t2 = both(T_ROWS, SCHEMA)
    u1, u2 = both(U_ROWS, U_SCHEMA)
    for df, name in ((t1, "t"), (t2, "t"), (u1, "u"), (u2, "u")):
        df.createOrReplaceTempView(name)

    def run(query, **kw):
        return spark.sql(query, **kw), pyspark.sql(query, **kw)
    return run


QUERIES = [
    ("star", "select * from t", False),
    ("project_where", "select id, a + 1 as a1, s from t where a > 0 and b is not null", False),
    ("where_or_null", "select id from t where a is null or s like '%e%'", False),
    ("distinct", "select distinct g from t", False),
    ("distinct_order", "select distinct a from t order by a desc nulls last", True),
    ("order_asc_default_nulls", "select id, a from t order by a, id", True),
    ("order_desc", "select id, a from t order by a desc, id", True),
    ("order_nulls_last", "select id, a from t order by a asc nulls last, id desc", True),
    ("order_by_alias", "select id, a * 2 as twice from t order by twice desc, id", True),
    ("order_by_ordinal", "select s, id from t order by 2 desc", True),
    ("order_by_dropped_column", "select s from t order by id desc", True),
    ("limit", "select id from t order by id limit 3", True),
    ("group_by", "select g, count(*) as n, sum(a), avg(b) from t group by g", False),
    ("group_by_ordinal", "select g, max(x) from t group by 1", False),
    ("group_expr", "select a % 2 as parity, count(*) from t group by a % 2", False),
    ("having", "select g, count(*) as n from t group by g having count(*) > 1", False),
    ("having_alias", "select g, sum(a) as total from t group by g having total > 5", False),
    ("group_order_agg", "select g, sum(a) as total from t group by g order by total desc nulls last", True),
    ("group_order_agg_not_selected", "select g from t group by g order by count(*) desc, g", True),
    ("global_agg", "select count(*), count(a), min(s), max(d), sum(distinct a) from t", False),
    ("count_distinct", "select count(distinct a) as c, count(distinct g) from t", False),
    ("inner_join_on", "select t.id, u.q, u.w from t join u on t.a = u.a", False),
    ("left_join_on", "select t.id, t.a, u.q from t left join u on t.a = u.a", False),
    ("right_join_on", "select t.id, u.q from t right outer join u on t.a = u.a", False),
    ("full_join_on", "select t.id, u.q from t full outer join u on t.a = u.a", False),
    ("join_using", "select * from t join u using (a)", False),
    ("left_join_using", "select id, a, q from t left join u using (a)", False),
    ("semi_join", "select * from t left semi join u on t.a = u.a", False),
    ("anti_join", "select id from t left anti join u on t.a = u.a", False),
    ("cross_join", "select t.id, u.q from t cross join u where t.id < 3", False),
    ("join_aliases", "select x.id, y.w from t x join u y on x.a = y.a and y.w > 1", False),
    ("join_then_group", "select u.q, count(*) as n from t join u on t.a = u.a group by u.q", False),
    ("group_by_joined_same_name", "select u.a, count(*) as n from t join u on t.a = u.a "
                                  "group by u.a", False),
    ("cte", "with big as (select * from t where a > 0) select id, s from big", False),
    ("two_ctes", "with c1 as (select a from t), c2 as (select a from c1 where a > 1) "
                 "select count(*) from c2", False),
    ("subquery_from", "select x, y from (select a as x, b as y from t) s where x > 0", False),
    ("union_all", "select a from t union all select a from u", False),
    ("union", "select a from t union select a from u", False),
    ("union_order_limit", "select a from t union select a from u order by a desc nulls last limit 3", True),
    ("union_all_order_ordinal", "select id, s from t union all select a, q from u order by 1, 2", True),
    ("intersect", "select a from t intersect select a from u", False),
    ("except", "select a from t except select a from u", False),
    ("in_subquery", "select id from t where a in (select a from u)", False),
    ("in_subquery_and", "select id from t where a in (select a from u where w > 1) and id > 1", False),
    ("not_in_subquery_with_null", "select id from t where a not in (select a from u)", False),
    ("not_in_subquery_no_null", "select id from t where a not in (select a from u where a is not null)", False),
    ("not_in_subquery_empty", "select id from t where a not in (select a from u where w > 100)", False),
    ("scalar_subquery", "select * from t where a > (select avg(a) from u)", False),
    ("scalar_subquery_and", "select id from t where b >= (select min(w) from u) and id < 5", False),
    ("no_from", "select 1 as one, 'x' as s, 2.5 as d", False),
    ("values", "select * from values (1, 'a', 2.5), (2, null, 1.0), (3, 'c', null) as v(i, s, d)", False),
    ("values_default_names", "select col1 + 1 as c from values 1, 2, 3", False),
    ("values_widening", "select * from values (1), (2.5d), (null) as v(x)", False),
    ("values_cast_functions", "select * from values (double('1.5')), (int('3')) as v(x)", False),
    ("subquery_column_aliases", "select x from (select a, b from t) s(x, y) where y > 0", False),
    ("case_in_query", "select id, case when a > 0 then 'pos' else 'other' end as k from t", False),
    ("qualified_table_name", "select t.id from t where t.a > 0", False),
    ("star_qualified", "select u.* from t join u on t.id = u.a", False),
]


@pytest.mark.parametrize("name,query,ordered", QUERIES, ids=[c[0] for c in QUERIES])
def test_sql_query(views, name, query, ordered):
    ours, theirs = views(query)
    assert_same(ours, theirs, ordered=ordered)


def test_sql_named_parameters(views):
    ours, theirs = views("select id from t where a > :lo and s != :s", args={"lo": 0, "s": "date"})
    assert_same(ours, theirs)


def test_sql_positional_parameters(views):
    ours, theirs = views("select id from t where a > ? or id = ?", args=[5, 2])
    assert_same(ours, theirs)


def test_sql_dataframe_kwargs(both, spark, pyspark):
    t1, t2 = both(T_ROWS, SCHEMA)
    q = "select id from {df} where a > {lo}"
    assert_same(spark.sql(q, df=t1, lo=0), pyspark.sql(q, df=t2, lo=0))


def test_table_and_catalog(both, spark, pyspark):
    t1, t2 = both(T_ROWS, SCHEMA)
    for df, sess in ((t1, spark), (t2, pyspark)):
        sess.catalog.dropTempView("cat_v")
        df.createTempView("cat_v")
    assert_same(spark.table("cat_v"), pyspark.table("cat_v"))
    assert spark.catalog.tableExists("cat_v") and pyspark.catalog.tableExists("cat_v")
    ours = [(c.name, c.dataType, c.nullable, c.isPartition) for c in spark.catalog.listColumns("cat_v")]
    theirs = [(c.name, c.dataType, c.nullable, c.isPartition) for c in pyspark.catalog.listColumns("cat_v")]
    assert ours == theirs
    ours_t = [(t.name, t.tableType, t.isTemporary) for t in spark.catalog.listTables() if t.name == "cat_v"]
    theirs_t = [(t.name, t.tableType, t.isTemporary) for t in pyspark.catalog.listTables() if t.name == "cat_v"]
    assert ours_t == theirs_t
    for sess, df in ((spark, t1), (pyspark, t2)):
        with pytest.raises(Exception) as e:
            df.createTempView("cat_v")
        assert "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS" in str(e.value)
        assert sess.catalog.dropTempView("cat_v") is True
        assert sess.catalog.dropTempView("cat_v") is False
        assert not sess.catalog.tableExists("cat_v")


def test_global_temp_view(both, spark, pyspark):
    t1, t2 = both(T_ROWS, SCHEMA)
    for df, sess in ((t1, spark), (t2, pyspark)):
        sess.catalog.dropGlobalTempView("gv")
        df.createGlobalTempView("gv")
    q = "select id, s from global_temp.gv where id > 2"
    assert_same(spark.sql(q), pyspark.sql(q))
    assert_same(spark.newSession().table("global_temp.gv"), pyspark.newSession().table("global_temp.gv"))
    assert spark.catalog.dropGlobalTempView("gv") and pyspark.catalog.dropGlobalTempView("gv")


@pytest.mark.parametrize("query,error", [
    ("select * from nope", "TABLE_OR_VIEW_NOT_FOUND"),
    ("select nope from t", "UNRESOLVED_COLUMN"),
    ("select a frm t", "PARSE_SYNTAX_ERROR"),
    ("select no_such_fn(a) from t", "UNRESOLVED_ROUTINE"),
    ("select a, from t where", "PARSE_SYNTAX_ERROR"),
])
def test_sql_errors(views, spark, pyspark, query, error):
    for sess in (spark, pyspark):
        with pytest.raises(Exception) as e:
            sess.sql(query).collect()
        assert error in str(e.value), (sess, str(e.value)[:300])


@pytest.mark.parametrize("query,where", [("select a frm t", "'t'"), ("select (a from t", "'from'")])
def test_parse_error_position(views, spark, pyspark, query, where):
    import re
    found = []
    for sess in (spark, pyspark):
        with pytest.raises(Exception) as e:
            sess.sql(query)
        text = str(e.value)
        assert f"Syntax error at or near {where}" in text
        found.append(re.search(r"\(line \d+, pos \d+\)", text).group(0))
    assert found[0] == found[1]


def test_range_table_function_and_format_args(spark, pyspark):
    q = "SELECT * FROM range(10) WHERE id > {lo} AND id < {hi}"
    assert_same(spark.sql(q, lo=3, hi=8), pyspark.sql(q, lo=3, hi=8))
    q2 = "SELECT {col} FROM {df} WHERE id IN {x}"
    ours, theirs = spark.range(10), pyspark.range(10)
    assert_same(spark.sql(q2, col=ours.id, df=ours, x=(1, 2, 3)),
                pyspark.sql(q2, col=theirs.id, df=theirs, x=(1, 2, 3)))
    q3 = "SELECT {df.A}, {df[B]} FROM {df} WHERE {df[B]} > :lo"
    d1 = spark.createDataFrame([(1, 4), (2, 4), (3, 6)], ["A", "B"])
    d2 = pyspark.createDataFrame([(1, 4), (2, 4), (3, 6)], ["A", "B"])
    assert_same(spark.sql(q3, {"lo": 4}, df=d1), pyspark.sql(q3, {"lo": 4}, df=d2))
    # a DataFrame argument is read under a generated view name that no listing shows
    # (Spark's SQLTransformer leaves its view behind when its statement fails, which an earlier
    # parity module provokes on the shared PySpark session; dfml drops it: not compared here)
    names = lambda sess: sorted(t.name for t in sess.catalog.listTables()  # noqa: E731
                                if not t.name.startswith("sqltransformer_"))
    assert names(spark) == names(pyspark)


def test_temp_view_statements(views, spark, pyspark):
    for sess in (spark, pyspark):
        sess.sql("drop view if exists sv")
        sess.sql("create temporary view sv as select id, a from t where a > 0")
        sess.sql("create or replace temp view sv as select id, a * 2 as a2 from t where a > 0")
    assert_same(spark.table("sv"), pyspark.table("sv"))
    for sess in (spark, pyspark):
        with pytest.raises(Exception) as e:
            sess.sql("create temporary view sv as select 1")
        assert "ALREADY_EXISTS" in str(e.value)
        sess.sql("drop view sv")
        assert not sess.catalog.tableExists("sv")
        with pytest.raises(Exception) as e:
            sess.sql("drop view sv")
        assert "NOT_FOUND" in str(e.value)


@pytest.mark.parametrize("args", [(0, 10, 1, 4), (-5, 23, 3, 3), (20, -7, -4, 5), (0, 3, 1, 5)])
def test_range_splits_its_rows_over_partitions_as_spark(spark, pyspark, args):
    """``spark_partition_id`` over ``range(start, end, step, numPartitions)`` equals Spark's, so
    partition-dependent functions see the same slices."""
    from pyspark.sql import functions as PF

    from dfml.sql import functions as F
    start, end, step, parts = args
    assert_same(spark.range(start, end, step, parts).select("id", F.spark_partition_id()),
                pyspark.range(start, end, step, parts).select("id", PF.spark_partition_id()))
