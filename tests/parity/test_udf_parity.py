"""Python UDFs and the pandas APIs against real PySpark: names, types, Spark 4's conversion of
returned values, nulls and NaN, registration for SQL, errors that name the function, and
mapInPandas/mapInArrow/applyInPandas over partitions and groups."""

from __future__ import annotations

from typing import Iterator, Tuple  # noqa: F401 - the UDFs' type hints name them

import pandas as pd
import pytest

from dfml.sql import functions as F
from dfml.sql import types as T
from dfml.sql.errors import PythonException
from tests.parity.helpers import assert_same

NAN = float("nan")
ROWS = [(1, "a", 1.5), (None, "b", None), (3, None, 2.0), (3, "c", NAN), (1, "a", -0.0)]
SCHEMA = "x int, s string, d double"


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


def _engine(f):
    import pyspark.sql.functions as PF
    import pyspark.sql.types as PT
    return (F, T) if f is F else (PF, PT)


def shout(s):
    return None if s is None else s.upper() + "!"


def plus_one(v):
    return None if v is None else v + 1


UDFS = {
    "function_ddl": lambda f, t: f.udf(plus_one, "int")("x"),
    "decorator_datatype": lambda f, t: f.udf(returnType=t.StringType())(shout)("s"),
    "decorator_string": lambda f, t: f.udf("string")(shout)("s"),
    "default_string_type": lambda f, t: f.udf(lambda v: v)("x"),
    "int_for_double": lambda f, t: f.udf(lambda v: v, t.DoubleType())("x").alias("w"),
    "str_for_int": lambda f, t: f.udf(lambda v: None if v is None else str(v * 7), "int")("x").alias("r"),
    "whole_float_for_int": lambda f, t: f.udf(lambda v: None if v is None else v * 2.0, "int")("x").alias("r"),
    "float_for_string": lambda f, t: f.udf(lambda v: v, "string")("d").alias("r"),
    "array_result": lambda f, t: f.udf(lambda v: None if v is None else (v, v), "array<int>")("x").alias("a"),
    "struct_result": lambda f, t: f.udf(lambda v, s: (v, s), "a int, b string")("x", "s").alias("st"),
    "map_result": lambda f, t: f.udf(lambda s: None if s is None else {s: 1}, "map<string,int>")("s").alias("m"),
    "two_args_and_literal": lambda f, t: f.udf(lambda a, b, c: f"{a}-{b}-{c}", "string")("x", "s", f.lit(9)).alias("j"),
    "nan_in_and_out": lambda f, t: f.udf(lambda v: v, "double")("d").alias("dd"),
    "nondeterministic": lambda f, t: f.udf(plus_one, "int").asNondeterministic()("x").alias("n"),
}


@pytest.mark.parametrize("case", sorted(UDFS))
def test_udf(frames, case):
    from pyspark.sql import functions as PF
    ours, theirs = frames
    assert_same(ours.select("x", UDFS[case](*_engine(F))), theirs.select("x", UDFS[case](*_engine(PF))))


def test_pandas_udf_series_to_series(frames):
    from pyspark.sql import functions as PF
    ours, theirs = frames

    def build(d, f):
        @f.pandas_udf("double")
        def times2(v: pd.Series) -> pd.Series:
            return v * 2

        @f.pandas_udf(returnType="string")
        def tag(s: pd.Series, n: pd.Series) -> pd.Series:
            return s.fillna("?") + n.astype(str)
        return d.select(times2("d"), tag("s", "x").alias("t"))
    assert_same(build(ours, F), build(theirs, PF))


def test_grouped_aggregate_pandas_udf(frames):
    """Series -> scalar: one call per group, nulls arriving as NaN, beside built-in aggregates
    in one agg, and over the whole frame in select."""
    from pyspark.sql import functions as PF
    ours, theirs = frames

    def build(d, f):
        @f.pandas_udf("double")
        def mean_of(v: pd.Series) -> float:
            return v.mean()

        @f.pandas_udf("long")
        def seen(v: pd.Series, s: pd.Series) -> int:
            return int(v.isna().sum() * 10 + s.isna().sum())

        @f.pandas_udf("string", f.PandasUDFType.GROUPED_AGG)
        def joined(s):
            return "|".join(sorted(s.fillna("-")))
        grouped = d.groupBy("s").agg(mean_of("d"), seen("x", "s").alias("n"), joined("s"))
        whole = d.select(mean_of("x").alias("m"), joined(d.s))
        return grouped, whole
    for a, b in zip(build(ours, F), build(theirs, PF)):
        assert_same(a, b)


def test_grouped_aggregate_pandas_udf_beside_builtin_aggregates_is_refused(frames):
    from pyspark.sql import functions as PF
    ours, theirs = frames
    messages = []
    for d, f in ((ours, F), (theirs, PF)):
        @f.pandas_udf("double")
        def mean_of(v: pd.Series) -> float:
            return v.mean()
        with pytest.raises(Exception) as e:
            d.groupBy("s").agg(mean_of("d"), f.count("x")).collect()
        messages.append(str(e.value).split("\n")[0].split(";")[0])
    assert messages[0] == messages[1]


def test_iterator_pandas_udf(frames):
    from pyspark.sql import functions as PF
    ours, theirs = frames

    def build(d, f):
        @f.pandas_udf("double")
        def plus(batches: Iterator[pd.Series]) -> Iterator[pd.Series]:
            for b in batches:
                yield b + 1

        @f.pandas_udf("string")
        def both(batches: Iterator[Tuple[pd.Series, pd.Series]]) -> Iterator[pd.Series]:
            for s, x in batches:
                yield s.fillna("?") + x.astype(str)
        return d.select(plus("d"), both("s", "x").alias("b"))
    assert_same(build(ours, F), build(theirs, PF))


def test_udf_in_filter_and_with_column(frames):
    from pyspark.sql import functions as PF
    ours, theirs = frames
    build = lambda d, f: d.withColumn("y", f.udf(plus_one, "int")("x")).filter(
        f.udf(plus_one, "int")("x") > 2).select("x", "y")
    assert_same(build(ours, F), build(theirs, PF))


def test_registered_udf_in_sql(spark, pyspark, frames):
    ours, theirs = frames
    for session, df, f in ((spark, ours, F), (pyspark, theirs, None)):
        import pyspark.sql.functions as PF
        fn = (f or PF).udf(plus_one, "int")
        session.udf.register("dfml_plus_one", fn)
        session.udf.register("dfml_shout", shout, "string")
        df.createOrReplaceTempView("udf_t")
    q = "SELECT dfml_plus_one(x) AS p, dfml_shout(s) AS u FROM udf_t WHERE dfml_plus_one(x) > 1"
    assert_same(spark.sql(q), pyspark.sql(q))
    assert_same(ours.selectExpr("dfml_shout(s)"), theirs.selectExpr("dfml_shout(s)"))


def test_a_failing_udf_names_itself(frames):
    ours, _ = frames

    def explode_on_three(v):
        if v == 3:
            raise ValueError("three is not allowed")
        return v
    with pytest.raises(PythonException) as err:
        ours.select(F.udf(explode_on_three, "int")("x")).collect()
    assert "explode_on_three" in str(err.value) and "three is not allowed" in str(err.value)
    with pytest.raises(PythonException, match="not in range"):
        ours.select(F.udf(lambda v: 2 ** 40, "int")("x")).collect()


def test_map_in_pandas_and_arrow(frames):
    ours, theirs = frames

    def double_d(it):
        for pdf in it:
            yield pdf.assign(d2=pdf.d * 2)[["x", "d2"]]

    def keep_batches(it):
        for batch in it:
            yield batch.select(["x", "s"]) if hasattr(batch, "select") else batch

    assert_same(ours.mapInPandas(double_d, "x int, d2 double"),
                theirs.mapInPandas(double_d, "x int, d2 double"))
    assert_same(ours.mapInArrow(keep_batches, "x int, s string"),
                theirs.mapInArrow(keep_batches, "x int, s string"))


def test_apply_in_pandas(frames, graphs):
    ours, theirs = frames

    def center(pdf):
        return pdf.assign(d=pdf.d - pdf.d.mean())[["x", "d"]]

    def count_with_key(key, pdf):
        return pd.DataFrame({"x": [key[0]], "n": [len(pdf)]})

    assert_same(ours.groupBy("x").applyInPandas(center, "x int, d double"),
                theirs.groupBy("x").applyInPandas(center, "x int, d double"))
    assert_same(ours.groupBy("x").applyInPandas(count_with_key, "x int, n long"),
                theirs.groupBy("x").applyInPandas(count_with_key, "x int, n long"))
    c = graphs()
    ours.groupBy("x").applyInPandas(center, T.StructType([T.StructField("x", T.IntegerType()),
                                                          T.StructField("d", T.DoubleType())]))
    assert c.count == 0  # lazy: the declared schema is the meta, the function did not run


def test_a_result_that_misses_the_schema_names_the_column(frames):
    ours, _ = frames

    def only_x(it):
        for pdf in it:
            yield pdf[["x"]]
    with pytest.raises(PythonException, match="`zz`"):
        ours.mapInPandas(only_x, "x int, zz string").collect()


def test_cogroup_apply_in_pandas(spark, pyspark):
    """Every key of either side once, the other side empty where the key is missing; with
    and without the key argument; null keys group together."""
    from pyspark.sql import functions as PF  # noqa: F401
    left = [(1, 1.0), (1, 2.0), (2, 3.0), (None, 4.0), (4, float("nan"))]
    right = [(1, "x"), (3, "y"), (None, "z"), (2, None)]

    def merged(lg, rg):
        return pd.DataFrame({"id": [lg["id"].iloc[0] if len(lg) else rg["id"].iloc[0]],
                             "n": [len(lg) * 10 + len(rg)],
                             "total": [lg["v"].sum() if len(lg) else None]})

    def keyed(key, lg, rg):
        return pd.DataFrame({"k": [str(key)], "n": [len(lg) + len(rg)]})

    out = []
    for s in (spark, pyspark):
        a = s.createDataFrame(left, "id int, v double")
        b = s.createDataFrame(right, "id int, w string")
        g = a.groupBy("id").cogroup(b.groupBy("id"))
        out.append((g.applyInPandas(merged, "id int, n long, total double"),
                    g.applyInPandas(keyed, "k string, n long")))
    for ours, theirs in zip(*out):
        assert_same(ours, theirs)
