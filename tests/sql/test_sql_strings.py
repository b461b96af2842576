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


def test_over_is_named_as_unsupported(df):
    with pytest.raises(AnalysisException) as e:
        df.selectExpr("sum(a) over (partition by s)")
    assert "OVER" in str(e.value)


def test_filter_string_plan_equals_column_plan(df):
    ours = df.filter("a > 1 and b is not null")
    python = df.filter((F.col("a") > 1) & F.col("b").isNotNull())
    assert ours._plan.condition == python._plan.condition
