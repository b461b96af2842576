"""SQL strings in dfml: errors raised before any graph runs, and plans equal to the Python API's."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException, ParseException


@pytest.fixture
def df(spark):
    return spark.createDataFrame([(1, 2.0, "x"), (2, None, "y")], "a INT, b DOUBLE, s STRING")


def test_expr_builds_the_python_api_column(df):
    assert F.expr("a + 1")._expr == (F.col("a") + 1)._expr
    assert F.expr("upper(s)")._expr == F.upper(F.col("s"))._expr
    assert df.selectExpr("a + 1", "b * 2 as c").columns == ["(a + 1)", "c"]


def test_unknown_function_is_unresolved_routine(df, graphs):
    n = graphs()
    with pytest.raises(AnalysisException) as e:
        df.selectExpr("no_such_fn(a)")
    assert e.value.getErrorClass() == "UNRESOLVED_ROUTINE"
    assert "`no_such_fn`" in str(e.value)
    assert n.count == 0


@pytest.mark.parametrize("text", ["a +", "a b c", "(a", "case when"])
def test_syntax_error(df, text):
    with pytest.raises(ParseException) as e:
        df.selectExpr(text)
    assert e.value.getErrorClass() == "PARSE_SYNTAX_ERROR"
    assert isinstance(e.value, AnalysisException)
    assert "== SQL" in str(e.value)


def test_unknown_column_in_filter_string_suggests(df, graphs):
    n = graphs()
    with pytest.raises(AnalysisException) as e:
        df.filter("aa > 1")
    assert e.value.getErrorClass() == "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    assert "`a`" in str(e.value)
    assert n.count == 0


def test_filter_string_must_be_boolean(df):
    with pytest.raises(AnalysisException) as e:
        df.filter("a + 1")
    assert e.value.getErrorClass() == "DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN"


def test_over_is_the_python_window(df):
    """``f(...) OVER (...)`` in SQL text builds the Column ``Column.over(WindowSpec)`` builds."""
    from dfml.sql.window import Window
    ours = df.selectExpr("sum(a) over (partition by s order by b desc rows between 1 preceding "
                         "and current row) as w")
    python = df.select(F.sum("a").over(Window.partitionBy("s").orderBy(F.col("b").desc())
                                       .rowsBetween(-1, 0)).alias("w"))
    assert ours.collect() == python.collect()
    named = df.selectExpr("sum(a) over (order by b rows between 1 preceding and 2 following)")
    assert named.columns == ["sum(a) OVER (ORDER BY b ASC NULLS FIRST ROWS BETWEEN 1 PRECEDING "
                             "AND 2 FOLLOWING)"]


def test_filter_string_plan_equals_column_plan(df):
    ours = df.filter("a > 1 and b is not null")
    python = df.filter((F.col("a") > 1) & F.col("b").isNotNull())
    assert ours._plan.condition == python._plan.condition


# ---------------------------------------------------------------------- spark.sql
@pytest.fixture
def views(spark):
    t = spark.createDataFrame([(1, 2.0, "x"), (2, None, "y"), (3, 4.0, "x")], "a INT, b DOUBLE, s STRING")
    u = spark.createDataFrame([(1, "p"), (3, "q")], "a INT, q STRING")
    t.createOrReplaceTempView("t")
    u.createOrReplaceTempView("u")
    yield t, u
    spark.catalog.dropTempView("t")
    spark.catalog.dropTempView("u")


@pytest.mark.parametrize("query,error,named", [
    ("select * from nope", "TABLE_OR_VIEW_NOT_FOUND", "`nope`"),
    ("select aa from t", "UNRESOLVED_COLUMN.WITH_SUGGESTION", "`a`"),
    ("select a from t where bb > 1", "UNRESOLVED_COLUMN.WITH_SUGGESTION", "`b`"),
    ("select s, sum(a) from t group by s order by nope", "UNRESOLVED_COLUMN.WITH_SUGGESTION", "`nope`"),
    ("select a from t join u on t.a = u.a", "AMBIGUOUS_REFERENCE", "`a`"),
    ("select a frm t", "PARSE_SYNTAX_ERROR", "'t'"),
    ("selec a from t", "PARSE_SYNTAX_ERROR", "selec"),
    ("select a from t; select 1", "PARSE_SYNTAX_ERROR", ""),
    ("", "PARSE_EMPTY_STATEMENT", ""),
    ("select lower(s) over (partition by a) from t", "UNSUPPORTED_EXPR_FOR_WINDOW", "lower(s)"),
    ("select sum(a) over w from t", "MISSING_WINDOW_SPECIFICATION", "w"),
    ("select a from t where a > :lo", "UNBOUND_SQL_PARAMETER", "lo"),
    ("select a from t order by 3", "ORDER_BY_POS_OUT_OF_RANGE", "3"),
    ("select grouping(s), sum(a) from t group by s", "UNSUPPORTED_GROUPING_EXPRESSION", "grouping"),
    ("select a from t sort by a", "UNSUPPORTED_FEATURE", "SORT BY"),
    ("select a from t lateral view explode(array(a)) e as y", "UNSUPPORTED_FEATURE", "LATERAL VIEW"),
    ("select a from t tablesample (10 percent)", "UNSUPPORTED_FEATURE", "TABLESAMPLE"),
])
def test_sql_errors_before_any_graph(spark, views, graphs, query, error, named):
    n = graphs()
    with pytest.raises(AnalysisException) as e:
        spark.sql(query)
    assert error in str(e.value) and named in str(e.value)
    assert e.value.getErrorClass().startswith(error.split(".")[0])
    assert n.count == 0


def test_sql_is_lazy_and_equals_the_python_chain(spark, views, graphs):
    t, _ = views
    n = graphs()
    df = spark.sql("select s, sum(a) as total from t where b is not null group by s order by total desc")
    assert n.count == 0
    python = (t.filter(F.col("b").isNotNull()).groupBy("s").agg(F.sum("a").alias("total"))
              .orderBy(F.col("total").desc()))
    assert df.columns == python.columns == ["s", "total"]
    assert [tuple(r) for r in df.collect()] == [tuple(r) for r in python.collect()] == [("x", 4)]


def test_create_temp_view_twice_fails(spark, views):
    t, _ = views
    with pytest.raises(AnalysisException) as e:
        t.createTempView("t")
    assert e.value.getErrorClass() == "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS"
    t.createOrReplaceTempView("t")  # replacing is fine


def test_table_not_found(spark):
    with pytest.raises(AnalysisException) as e:
        spark.table("missing_view")
    assert e.value.getErrorClass() == "TABLE_OR_VIEW_NOT_FOUND"
    assert not spark.catalog.tableExists("missing_view")


def test_view_reads_the_latest_binding(spark, views):
    t, _ = views
    before = spark.sql("select count(*) from t")
    t.filter("a > 1").createOrReplaceTempView("t")
    assert before.collect()[0][0] == 3  # a query keeps the plan it was built on
    assert spark.sql("select count(*) from t").collect()[0][0] == 2


def test_sql_over_parquet_view_reads_only_used_columns_with_filter_pushed(spark, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dfml.sql.explain import reads
    for i in range(2):
        pq.write_table(pa.table({"a": [f"a{i}{j}" for j in range(10)], "b": list(range(10)),
                                 "x": pa.array([j + i for j in range(10)], pa.int32())}),
                       tmp_path / f"part-{i}.parquet")
    spark.read.parquet(str(tmp_path)).createOrReplaceTempView("pq_view")
    try:
        df = spark.sql("select a, x from pq_view where x > 5")
        [read] = reads(df._frame)
        assert set(read.columns) == {"a", "x"}
        assert ("x", ">", 5) in [f for conj in read.operand("filters") for f in conj]
        assert sorted(r.x for r in df.collect()) == sorted(j + i for i in range(2) for j in range(10)
                                                          if j + i > 5)
    finally:
        spark.catalog.dropTempView("pq_view")
