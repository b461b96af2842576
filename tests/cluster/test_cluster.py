"""Master URLs: local[N] starts N workers; tcp:// reaches a running scheduler or fails in bounded time."""

from __future__ import annotations

import time

import pytest
from distributed import LocalCluster

from dfml.cluster import MasterURLError, connect, parse_local
from dfml.sql import SparkSession


def test_parse_local():
    assert parse_local("local") == 1
    assert parse_local("local[3]") == 3
    assert parse_local("local[*]") >= 1
    with pytest.raises(MasterURLError, match="local\\[0\\]"):
        parse_local("local[0]")


@pytest.mark.parametrize("url", ["yarnn", "spark://host:7077", "local[x]", "tcp:/oops"])
def test_unknown_master_url_names_it(url):
    with pytest.raises(MasterURLError, match=url.replace("[", "\\[").replace("]", "\\]")):
        connect(url)


def test_bad_executor_memory_names_value():
    with pytest.raises(ValueError, match="lots"):
        connect("local[1]", {"spark.executor.memory": "lots"})


def test_local_n_starts_n_workers():
    handle = connect("local[1]")
    try:
        assert len(handle.client.scheduler_info(n_workers=-1)["workers"]) == 1
    finally:
        handle.close()


def test_tcp_master_runs_on_existing_scheduler():
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                           dashboard_address=None)
    try:
        session = SparkSession({"spark.master": cluster.scheduler_address})
        try:
            df = session.createDataFrame([(1,), (2,), (3,)], ["x"])
            assert df.count() == 3
            assert session.client.scheduler.address == cluster.scheduler_address
        finally:
            session.stop()
    finally:
        cluster.close()


def test_unreachable_scheduler_fails_fast_naming_address():
    start = time.monotonic()
    with pytest.raises(ConnectionError, match="tcp://127.0.0.1:1"):
        connect("tcp://127.0.0.1:1", {"spark.dfml.connectTimeout": "2"})
    assert time.monotonic() - start < 30
