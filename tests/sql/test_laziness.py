"""Transformations compute nothing; every action is exactly one dask graph.

Counted twice: by the session (``graphs_run``) and, independently, at the Dask scheduler by a
plugin that sees every graph any client submits.
"""

from __future__ import annotations

import pytest
from distributed.diagnostics.plugin import SchedulerPlugin

from dfml.sql import functions as F


class GraphCounter(SchedulerPlugin):
    name = "dfml-graph-counter"

    def __init__(self):
        self.graphs = 0

    def update_graph(self, scheduler, **kwargs):
        self.graphs += 1


@pytest.fixture
def scheduler_graphs(spark):
    cluster = spark._handle.cluster
    plugin = GraphCounter()
    cluster.scheduler.add_plugin(plugin, name=GraphCounter.name)
    yield plugin
    cluster.scheduler.remove_plugin(GraphCounter.name)


@pytest.fixture
def people(spark):
    return spark.createDataFrame(
        [(1, "ann", 34, 1200.0), (2, "bob", None, 800.5), (3, "cy", 51, None), (4, "dee", 28, 990.0),
         (5, "eve", 40, 1500.0)],
        "id INT, name STRING, age INT, salary DOUBLE")


def ten_transformations(df, dims):
    return (df.withColumn("age2", F.col("age") * 2)                            # 1
              .filter(F.col("salary").isNotNull())                             # 2
              .select("id", "name", "age2", "salary")                          # 3
              .withColumnRenamed("age2", "double_age")                         # 4
              .withColumn("band", F.when(F.col("salary") > 1000, "high").otherwise("low"))  # 5
              .drop("name")                                                    # 6
              .union(df.select("id", F.col("age").alias("double_age"), "salary",
                               F.lit("x").alias("band")))                      # 7
              .distinct()                                                      # 8
              .groupBy("band").agg(F.count("*").alias("n"),
                                   F.sum("salary").alias("total"))             # 9
              .withColumn("avg", F.col("total") / F.col("n")))                 # 10


def test_ten_transformations_compute_nothing(spark, people, scheduler_graphs, graphs):
    counter = graphs()
    out = ten_transformations(people, None)
    assert counter.count == 0
    assert scheduler_graphs.graphs == 0
    assert out.columns == ["band", "n", "total", "avg"]


@pytest.mark.parametrize("action", ["collect", "count", "toPandas", "first", "take", "show"])
def test_each_action_is_one_graph(spark, people, scheduler_graphs, graphs, action, capsys):
    out = ten_transformations(people, None)
    counter = graphs()
    before = scheduler_graphs.graphs
    result = {"collect": lambda: out.collect(), "count": lambda: out.count(),
              "toPandas": lambda: out.toPandas(), "first": lambda: out.first(),
              "take": lambda: out.take(2), "show": lambda: out.show()}[action]()
    assert counter.count == 1
    assert scheduler_graphs.graphs - before == 1
    if action == "collect":
        assert sorted(r.band for r in result) == ["high", "low", "x"]
    if action == "count":
        assert result == 3


def test_progress_bar_silent_when_not_a_tty(spark, people, capsys):
    people.count()
    assert capsys.readouterr().out == ""


def test_dashboard_link_or_repr(spark):
    assert "local[2]" in repr(spark)


def test_range_is_made_on_the_workers_not_on_the_driver(spark):
    """A range of 10^11 ids (800 GB as an array) is built per partition on the workers: creating
    it allocates nothing, its graph carries only numbers, and a slice of it computes."""
    import pickle
    huge = spark.range(0, 10**11, numPartitions=50)
    assert huge.schema.simpleString() == "struct<id:bigint>"
    assert len(pickle.dumps(huge._frame.__dask_graph__())) < 50_000
    small = spark.range(-5, 10**6, 7, numPartitions=3)
    assert small.count() == len(range(-5, 10**6, 7))
    assert small.agg(F.sum("id")).first()[0] == sum(range(-5, 10**6, 7))
