"""Nested values where Arrow's kernels refuse them, and ``*`` or several names where Spark takes
them: hashes of arrays and structs, windows and groups keyed by arrays, structs and vectors,
``struct("*")``, ``posexplode(...).alias("p", "v")``, ``explode`` of a map, ``concat_ws`` over
arrays. Each result is compared with PySpark's on the same rows."""

from __future__ import annotations

import pytest

ROWS = [(1, [1, 2, None], "a", [1.5, None, float("nan"), -0.0], (1, "q")),
        (2, [], None, [], None),
        (3, None, "a", None, (None, None)),
        (4, [None], "b", [float("nan")], (2, None)),
        (5, [1, 2, None], "b", [0.0], (1, "q")),
        (6, [1], "a", [1.5], (0, "z"))]
SCHEMA = "id int, arr array<int>, s string, d array<double>, st struct<a:int,b:string>"


def _fns():
    from pyspark.sql import functions as PF

    from dfml.sql import functions as F
    return F, PF


def _same(ours, theirs):
    assert ours.columns == theirs.columns
    assert sorted(map(str, ours.collect())) == sorted(map(str, theirs.collect()))


def test_hashes_of_arrays_and_structs_equal_spark(both):
    F, PF = _fns()
    ours, theirs = both(ROWS, SCHEMA)
    for f, pf in ((F, PF),):
        _same(ours.select("id", f.hash("*"), f.xxhash64("*"), f.hash("arr"), f.hash("st"),
                          f.xxhash64("d"), f.hash(f.array("st", "st"))),
              theirs.select("id", pf.hash("*"), pf.xxhash64("*"), pf.hash("arr"), pf.hash("st"),
                            pf.xxhash64("d"), pf.hash(pf.array("st", "st"))))
    deep = ([[[1, 2], [3]], [("k", ["v", None])]],)
    o, t = both(deep, "aa array<array<int>>, am array<struct<k:string,v:array<string>>>")
    _same(o.select(F.hash("aa", "am"), F.xxhash64("aa", "am")),
          t.select(PF.hash("aa", "am"), PF.xxhash64("aa", "am")))


def test_hash_of_a_map_is_refused_before_running(spark):
    from dfml.sql import functions as F
    from dfml.sql.errors import AnalysisException
    df = spark.createDataFrame([({"a": 1},)], "m map<string,int>")
    for f in (F.hash, F.xxhash64):
        with pytest.raises(AnalysisException, match="HASH_MAP_TYPE"):
            df.select(f(F.array("m")))


def test_star_inside_function_arguments(both):
    F, PF = _fns()
    ours, theirs = both(ROWS, SCHEMA)
    _same(ours.select(F.struct("*")), theirs.select(PF.struct("*")))
    _same(ours.select(F.struct(ours["*"]).alias("x")), theirs.select(PF.struct(theirs["*"]).alias("x")))
    _same(ours.withColumn("h", F.hash("*")), theirs.withColumn("h", PF.hash("*")))
    _same(ours.select(F.concat_ws("*", "s", "s")), theirs.select(PF.concat_ws("*", "s", "s")))
    a, pa_ = ours.alias("t"), theirs.alias("t")
    _same(a.select(F.struct("t.*").alias("x")), pa_.select(PF.struct("t.*").alias("x")))


def test_concat_ws_takes_arrays(both):
    F, PF = _fns()
    ours, theirs = both(ROWS, SCHEMA)
    _same(ours.select(F.concat_ws("-", "s", "arr", "d")), theirs.select(PF.concat_ws("-", "s", "arr", "d")))
    _same(ours.select(F.concat_ws(",", F.array("s", F.lit(None).cast("string")), "s")),
          theirs.select(PF.concat_ws(",", PF.array("s", PF.lit(None).cast("string")), "s")))


def test_generator_aliases_and_map_explode(both):
    F, PF = _fns()
    ours, theirs = both(ROWS, SCHEMA)
    _same(ours.select("id", F.posexplode("arr").alias("p", "v")),
          theirs.select("id", PF.posexplode("arr").alias("p", "v")))
    rows = [(1, {"a": 1, "b": None}), (2, {}), (3, None)]
    o, t = both(rows, "id int, m map<string,int>")
    for name in ("explode", "posexplode", "explode_outer", "posexplode_outer"):
        _same(o.select("id", getattr(F, name)("m")), t.select("id", getattr(PF, name)("m")))
    _same(o.select(F.posexplode_outer("m").alias("p", "k", "v")),
          t.select(PF.posexplode_outer("m").alias("p", "k", "v")))
    _same(o.select(F.explode("m").alias("k", "v")), t.select(PF.explode("m").alias("k", "v")))


def test_alias_count_errors_as_spark(spark):
    from dfml.sql import functions as F
    from dfml.sql.errors import AnalysisException
    df = spark.createDataFrame(ROWS, SCHEMA)
    with pytest.raises(AnalysisException, match="UDTF_ALIAS_NUMBER_MISMATCH"):
        df.select(F.posexplode("arr").alias("a"))
    with pytest.raises(AnalysisException, match="MULTI_ALIAS_WITHOUT_GENERATOR"):
        df.select(F.col("id").alias("a", "b"))


def test_windows_ordered_and_partitioned_by_nested_values(both):
    from pyspark.sql import Window as PW

    from dfml.sql import Window
    F, PF = _fns()
    ours, theirs = both(ROWS, SCHEMA)
    cases = [
        (lambda f, W: f.row_number().over(W.orderBy("arr", "id"))),
        (lambda f, W: f.rank().over(W.orderBy(f.col("arr").desc()))),
        (lambda f, W: f.dense_rank().over(W.partitionBy("s").orderBy("st"))),
        (lambda f, W: f.count("*").over(W.partitionBy("arr"))),
        (lambda f, W: f.sum("id").over(W.partitionBy("st").orderBy("arr"))),
    ]
    for case in cases:
        _same(ours.withColumn("r", case(F, Window)), theirs.withColumn("r", case(PF, PW)))


def test_group_and_distinct_on_arrays_structs_and_vectors(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV

    from dfml.ml.linalg import Vectors
    F, PF = _fns()
    rows = lambda V: [(V.dense([1.0, 2.0]), 1), (V.dense([1.0, 2.0]), 1),  # noqa: E731
                      (V.sparse(2, [0], [1.0]), 2), (None, 3), (None, 3)]
    o, t = spark.createDataFrame(rows(Vectors), ["v", "k"]), pyspark.createDataFrame(rows(PV), ["v", "k"])
    _same(o.select(F.struct("v", "k").alias("s")).distinct(), t.select(PF.struct("v", "k").alias("s")).distinct())
    _same(o.groupBy("v").count(), t.groupBy("v").count())
    _same(o.distinct(), t.distinct())
    _same(o.dropDuplicates(["v"]).select("v"), t.dropDuplicates(["v"]).select("v"))
    ours, theirs = spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)
    _same(ours.groupBy("arr").agg(F.sum("id"), F.count("*")), theirs.groupBy("arr").agg(PF.sum("id"), PF.count("*")))
    _same(ours.groupBy("arr", "s").count(), theirs.groupBy("arr", "s").count())
    _same(ours.select("arr").distinct(), theirs.select("arr").distinct())
    _same(ours.groupBy(F.struct("arr", "s").alias("x")).agg(F.max("id")),
          theirs.groupBy(PF.struct("arr", "s").alias("x")).agg(PF.max("id")))
