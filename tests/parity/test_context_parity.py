"""SparkContext and the RDD facade against real PySpark: what scripts do with them once."""

from __future__ import annotations

import logging
from operator import add

import pytest

CASES = {
    "slices": lambda sc: sc.parallelize(range(10), 3).glom().collect(),
    "slices_uneven": lambda sc: sc.parallelize(list("abcdefg"), 4).glom().collect(),
    "empty_slices": lambda sc: sc.parallelize([], 2).glom().collect(),
    "partitions": lambda sc: sc.parallelize([1, 2, 3], 5).getNumPartitions(),
    "word_count": lambda sc: sorted(sc.parallelize(["a b", "b c a", ""]).flatMap(str.split)
                                    .map(lambda w: (w, 1)).reduceByKey(add).collect()),
    "sort_by_key_desc": lambda sc: sc.parallelize([(2, "x"), (1, "y"), (3, None)])
    .sortByKey(ascending=False).collect(),
    "sort_by": lambda sc: sc.parallelize([3, 1, 2, 1]).sortBy(lambda x: -x).collect(),
    "group_by_key": lambda sc: sorted(sc.parallelize([("a", 1), ("a", 2), ("b", None)])
                                      .groupByKey().mapValues(sorted).collect(),
                                      key=lambda kv: kv[0]),
    "filter_count": lambda sc: sc.parallelize(range(100), 4).filter(lambda x: x % 7 == 0).count(),
    "take": lambda sc: sc.parallelize(range(10), 3).take(5),
    "take_more": lambda sc: sc.parallelize(range(3), 3).take(10),
    "first": lambda sc: sc.parallelize([None, 1]).first(),
    "reduce": lambda sc: sc.parallelize(range(1, 6), 3).reduce(lambda a, b: a * b),
    "sum_max_min_mean": lambda sc: [f(sc.parallelize([4, 1, 7, 2], 2)) for f in
                                    (lambda r: r.sum(), lambda r: r.max(), lambda r: r.min(),
                                     lambda r: r.mean())],
    "sum_empty": lambda sc: sc.parallelize([], 2).sum(),
    "distinct": lambda sc: sorted(sc.parallelize([1, 1, 2, None, None]).distinct().collect(),
                                  key=str),
    "count_by_value": lambda sc: dict(sc.parallelize(["a", "b", "a"]).countByValue()),
    "count_by_key": lambda sc: dict(sc.parallelize([("a", 1), ("a", 2), ("b", 1)]).countByKey()),
    "collect_as_map": lambda sc: sc.parallelize([("a", 1), ("b", 2), ("a", 3)], 1).collectAsMap(),
    "map_partitions_with_index": lambda sc: sc.parallelize(range(6), 3)
    .mapPartitionsWithIndex(lambda i, it: [(i, sum(it))]).collect(),
    "map_partitions": lambda sc: sc.parallelize(range(6), 2).mapPartitions(lambda it: [max(it)])
    .collect(),
    "union": lambda sc: sc.parallelize([1, 2]).union(sc.parallelize([3])).collect(),
    "keys_values": lambda sc: [sc.parallelize([(1, "a"), (2, "b")]).keys().collect(),
                               sc.parallelize([(1, "a"), (2, "b")]).values().collect()],
    "is_empty": lambda sc: [sc.parallelize([]).isEmpty(), sc.parallelize([0]).isEmpty()],
    "range": lambda sc: sc.range(2, 11, 3).collect(),
    "to_df": lambda sc: [tuple(r) for r in sc.parallelize([(1, "a"), (2, None)]).toDF(["x", "y"])
                         .collect()],
    "to_df_names": lambda sc: sc.parallelize([(1, 2.5)]).toDF().columns,
    "version": lambda sc: sc.version,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rdd_and_context_match_pyspark(spark, pyspark, name):
    assert CASES[name](spark.sparkContext) == CASES[name](pyspark.sparkContext)


@pytest.mark.parametrize("name", ["reduce_empty", "first_empty", "max_empty"])
def test_empty_rdd_errors_match_pyspark(spark, pyspark, name):
    action = {"reduce_empty": lambda r: r.reduce(add), "first_empty": lambda r: r.first(),
              "max_empty": lambda r: r.max()}[name]
    errors = []
    for sc in (spark.sparkContext, pyspark.sparkContext):
        with pytest.raises(Exception) as info:
            action(sc.parallelize([], 2))
        errors.append(type(info.value).__name__)
    assert errors[0] == "ValueError"
    assert errors[1] in ("ValueError", "PySparkValueError")


def test_df_rdd_rows_match_pyspark(spark, pyspark):
    rows = [(1, "a", 2.5), (2, None, float("nan")), (3, "c", None)]
    got = []
    for sess in (spark, pyspark):
        df = sess.createDataFrame(rows, "k long, s string, x double")
        got.append(sorted(df.rdd.map(lambda r: (r.k * 2, r["s"], r.asDict()["x"])).collect(),
                          key=lambda t: t[0]))
        got.append(df.rdd.map(lambda r: r.k).sum())
    assert str(got[0]) == str(got[2]) and got[1] == got[3]


def test_set_log_level_matches_spark_and_reaches_the_workers(spark, pyspark):
    sc = spark.sparkContext
    for bad in ("bogus", "warning"):
        messages = []
        for ctx in (sc, pyspark.sparkContext):
            with pytest.raises(Exception) as info:
                ctx.setLogLevel(bad)
            messages.append(str(info.value))
        assert messages[0] in messages[1], messages
    try:
        sc.setLogLevel("error")
        assert logging.getLogger("distributed").level == logging.ERROR
        levels = spark.client.run(lambda: logging.getLogger("distributed").level)
        assert set(levels.values()) == {logging.ERROR}
        sc.setLogLevel("WARN")
        assert set(spark.client.run(lambda: logging.getLogger("distributed").level).values()) \
            == {logging.WARNING}
    finally:
        sc.setLogLevel("INFO")


def test_context_facts(spark):
    sc = spark.sparkContext
    assert sc is spark.sparkContext and sc.master == spark.master and sc.appName == spark.appName
    assert sc.applicationId.startswith("local-") and sc.defaultParallelism >= 1
    assert sc.defaultMinPartitions == min(sc.defaultParallelism, 2)
    assert sc.getConf().get("spark.master") == spark.master
    assert ("spark.app.name", spark.appName) in sc.getConf().getAll()
    assert spark.version == "4.3.0"


def test_an_rdd_action_is_one_graph(spark, graphs):
    rdd = spark.sparkContext.parallelize(range(20), 4).map(lambda x: x + 1).filter(bool)
    counter = graphs()
    assert counter.count == 0
    assert rdd.count() == 20
    assert counter.count == 1


def test_spark_conf_and_get_or_create(spark):
    from dfml import SparkConf, SparkContext
    conf = SparkConf().setAppName("ignored-when-active").set("spark.dfml.x", True)
    assert conf.get("spark.dfml.x") == "true" and conf.contains("spark.app.name")
    sc = SparkContext.getOrCreate(conf)
    assert sc is spark.sparkContext
    assert spark.conf.get("spark.dfml.x") == "true"
    spark.conf.unset("spark.dfml.x")
