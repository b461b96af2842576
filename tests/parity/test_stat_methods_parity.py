"""crosstab, sampleBy, approxQuantile, to(schema), colRegex and registerTempTable against PySpark."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql import types as T
from dfml.sql.errors import AnalysisException, IllegalArgumentException
from tests.parity.helpers import assert_same

ROWS = [(1, "b", 2.5, 7), (1, "a", None, 8), (10, None, 1.0, None), (2, "b", 2.5, 7),
        (None, "a", float("nan"), 9), (2, "10", -0.0, 7), (1, "b", 1e20, 7)]
DDL = "c1 int, c2 string, d double, L long"


@pytest.mark.parametrize("pair", [("c1", "c2"), ("c2", "c1"), ("d", "c2"), ("L", "c1")])
def test_crosstab(both, pair):
    ours, theirs = both(ROWS, DDL)
    a, b = ours.crosstab(*pair), theirs.crosstab(*pair)
    assert [(f.name, f.nullable) for f in a.schema.fields] == \
        [(f.name, f.nullable) for f in b.schema.fields]
    assert_same(a, b)
    assert_same(ours.stat.crosstab(*pair), b)


@pytest.mark.parametrize("ddl", [
    "c2 string, c1 long", "c3 string", "c1 string", "L int", "c1 double", "d float",
    "c1 long, C2 string", "c1 decimal(20,0)", "c1 short", "d string, c1 int",
])
def test_to_schema(spark, pyspark, both, ddl):
    ours, theirs = both(ROWS, DDL)
    assert_same(ours.to(spark.createDataFrame([], ddl).schema),
                theirs.to(pyspark.createDataFrame([], ddl).schema))


@pytest.mark.parametrize("ddl, message", [
    ("c2 int", "INVALID_COLUMN_OR_FIELD_DATA_TYPE"), ("d boolean", "INVALID_COLUMN_OR_FIELD_DATA_TYPE"),
])
def test_to_schema_refusals(spark, pyspark, both, ddl, message):
    from pyspark.errors import AnalysisException as PAnalysisException
    ours, theirs = both(ROWS, DDL)
    with pytest.raises(PAnalysisException, match=message):
        theirs.to(pyspark.createDataFrame([], ddl).schema)
    with pytest.raises(AnalysisException, match=message):
        ours.to(spark.createDataFrame([], ddl).schema)


def test_to_schema_non_nullable(pyspark, both):
    from pyspark.errors import AnalysisException as PAnalysisException
    from pyspark.sql import types as PT
    ours, theirs = both(ROWS, DDL)
    with pytest.raises(PAnalysisException, match="NULLABLE_COLUMN_OR_FIELD"):
        theirs.to(PT.StructType([PT.StructField("c1", PT.IntegerType(), False)]))
    with pytest.raises(AnalysisException, match="NULLABLE_COLUMN_OR_FIELD.*`c1`"):
        ours.to(T.StructType([T.StructField("c1", T.IntegerType(), False)]))


@pytest.mark.parametrize("pattern", ["`c.`", "`(c1)?+.+`", "c1", "`zz`", "`.*`", "`[A-Z]`"])
def test_col_regex(both, pattern):
    ours, theirs = both(ROWS, DDL)
    assert_same(ours.select(ours.colRegex(pattern)), theirs.select(theirs.colRegex(pattern)))


def test_sample_by_keeps_whole_and_no_strata(both):
    ours, theirs = both(ROWS, DDL)
    assert_same(ours.sampleBy("c2", {"a": 1.0, "b": 0.0}, seed=1),
                theirs.sampleBy("c2", {"a": 1.0, "b": 0.0}, seed=1))
    assert_same(ours.stat.sampleBy(F.col("c1"), {1: 1.0, 10: 1.0}),
                theirs.stat.sampleBy("c1", {1: 1.0, 10: 1.0}))


def test_sample_by_fraction_share_and_errors(spark, both):
    big = spark.range(20000).withColumn("g", (F.col("id") % 2).cast("int"))
    kept = big.sampleBy("g", {0: 0.25, 1: 0.75}, seed=3).groupBy("g").count().collect()
    share = {r["g"]: r["count"] / 10000 for r in kept}
    assert abs(share[0] - 0.25) < 0.03 and abs(share[1] - 0.75) < 0.03
    ours, theirs = both(ROWS, DDL)
    from pyspark.errors import IllegalArgumentException as PIllegal
    with pytest.raises(PIllegal, match=r"Fractions must be in \[0, 1\]"):
        theirs.sampleBy("c2", {"a": 1.5})
    with pytest.raises(IllegalArgumentException, match=r"Fractions must be in \[0, 1\]"):
        ours.sampleBy("c2", {"a": 1.5})


@pytest.mark.parametrize("col, probs, err", [
    ("c1", [0.0, 0.5, 1.0], 0.0), (["c1", "d"], [0.25, 0.75], 0.0), ("L", [0.5], 0.1),
])
def test_approx_quantile(both, col, probs, err):
    ours, theirs = both(ROWS, DDL)
    assert ours.approxQuantile(col, probs, err) == theirs.approxQuantile(col, probs, err)


def test_register_temp_table(spark, pyspark, both):
    ours, theirs = both(ROWS, DDL)
    with pytest.warns(FutureWarning, match="createOrReplaceTempView"):
        ours.registerTempTable("people_rt")
    with pytest.warns(FutureWarning, match="createOrReplaceTempView"):
        theirs.registerTempTable("people_rt")
    assert_same(spark.sql("select c1, c2 from people_rt"), pyspark.sql("select c1, c2 from people_rt"))
