"""Higher-order functions with Python lambdas against PySpark: nulls inside and around arrays
and maps, NaN, empty arrays, positions, outer columns in the lambda, nested lambdas."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from tests.parity.helpers import assert_same

ROWS = [(1, [1, 2, None, 4], {"a": 1, "b": None}, [1.0, float("nan")]),
        (2, None, None, []), (3, [], {}, [2.0]), (4, [5, 5], {"z": 3}, None)]
DDL = "k int, xs array<int>, m map<string,int>, ds array<double>"

CASES = {
    "transform": lambda f: f.transform("xs", lambda x: x * 2),
    "transform_position_outer": lambda f: f.transform("xs", lambda x, i: x + i + f.col("k")),
    "filter": lambda f: f.filter("xs", lambda x: x > 1),
    "filter_position": lambda f: f.filter("xs", lambda x, i: i % 2 == 0),
    "filter_nan": lambda f: f.filter("ds", lambda x: f.isnan(x)),
    "exists_true": lambda f: f.exists("xs", lambda x: x > 3),
    "exists_unknown": lambda f: f.exists("xs", lambda x: x > 10),
    "forall_unknown": lambda f: f.forall("xs", lambda x: x > 0),
    "forall_nan": lambda f: f.forall("ds", lambda x: x > 0),
    "zip_with_padding": lambda f: f.zip_with("xs", "ds", lambda x, y: x + y),
    "map_filter": lambda f: f.map_filter("m", lambda k, v: v > 0),
    "transform_values": lambda f: f.transform_values("m", lambda k, v: f.coalesce(v, f.lit(0)) + 10),
    "transform_keys": lambda f: f.transform_keys("m", lambda k, v: f.upper(k)),
    "nested": lambda f: f.transform("xs", lambda x: f.transform(f.array(x, x), lambda y: y + x)),
    "literal_body": lambda f: f.transform("xs", lambda x: f.lit("a")),
    "size_of_filtered": lambda f: f.size(f.filter("xs", lambda x: x.isNotNull())),
}


@pytest.mark.parametrize("name", list(CASES))
def test_higher_order(both, name):
    from pyspark.sql import functions as PF
    ours, theirs = both(ROWS, DDL)
    assert_same(ours.select("k", CASES[name](F).alias("r")),
                theirs.select("k", CASES[name](PF).alias("r")))


def test_column_names_as_pyspark_prints_them(both):
    from pyspark.sql import functions as PF
    ours, theirs = both(ROWS, DDL)
    for build in (lambda f: f.transform("xs", lambda x: x + 1),
                  lambda f: f.exists("xs", lambda x: x > 1),
                  lambda f: f.map_filter("m", lambda k, v: v > 0)):
        a, b = ours.select(build(F)), theirs.select(build(PF))
        assert a.columns == b.columns
        assert a.schema.simpleString() == b.schema.simpleString()


def test_refusals(both):
    from pyspark.errors import AnalysisException as PAnalysisException
    from pyspark.sql import functions as PF
    ours, theirs = both(ROWS, DDL)
    with pytest.raises(PAnalysisException, match="DATATYPE_MISMATCH"):
        theirs.select(PF.transform("k", lambda x: x))
    with pytest.raises(AnalysisException, match="DATATYPE_MISMATCH"):
        ours.select(F.transform("k", lambda x: x))
    with pytest.raises(PAnalysisException, match="DATATYPE_MISMATCH"):
        theirs.select(PF.filter("xs", lambda x: x + 1))
    with pytest.raises(AnalysisException, match="DATATYPE_MISMATCH.*BOOLEAN"):
        ours.select(F.filter("xs", lambda x: x + 1))
    with pytest.raises(ValueError, match="1 or 2 arguments"):
        F.transform("xs", lambda x, i, j: x)


@pytest.mark.parametrize("query", [
    "select k, transform(xs, x -> x + 1) as r from t",
    "select k, filter(xs, (x, i) -> i > 0 and x > k) as r from t",
    "select k, exists(xs, x -> x is null) as r from t",
    "select k, forall(xs, x -> x > 0) as r from t",
    "select k, zip_with(xs, ds, (a, b) -> a * b) as r from t",
    "select k, transform_values(m, (k2, v) -> v * k) as r from t",
    "select k, map_filter(m, (k2, v) -> k2 = 'a') as r from t",
    "select transform(xs, x -> x + 1) from t",
])
def test_sql_lambdas(spark, pyspark, query):
    for session in (spark, pyspark):
        session.createDataFrame(ROWS, DDL).createOrReplaceTempView("t")
    assert_same(spark.sql(query), pyspark.sql(query))
