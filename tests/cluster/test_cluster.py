"""Master URLs: local[N] starts N workers; tcp:// reaches a running scheduler or fails in bounded time."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
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


def test_executor_keys_on_existing_scheduler_warn():
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                           dashboard_address=None)
    try:
        with pytest.warns(UserWarning, match="spark.executor.instances have no effect"):
            handle = connect(cluster.scheduler_address, {"spark.executor.instances": "4"})
        handle.close()
    finally:
        cluster.close()


def test_unreachable_scheduler_fails_fast_naming_address():
    start = time.monotonic()
    with pytest.raises(ConnectionError, match="tcp://127.0.0.1:1"):
        connect("tcp://127.0.0.1:1", {"spark.dfml.connectTimeout": "2"})
    assert time.monotonic() - start < 30


# ------------------------------------------------------------------ executor keys on local[N]
def _workers(handle):
    return handle.client.scheduler_info(n_workers=-1)["workers"].values()


@pytest.mark.parametrize("processes", ["true", "false", None])
def test_local_cluster_kind_follows_the_conf_key(processes):
    """spark.dfml.local.processes: worker processes of their own, or threads in this process
    (the default, as Spark's local mode); N workers and their threads either way, so partition
    counts do not depend on the kind."""
    import os
    handle = connect("local[2]", {} if processes is None else
                     {"spark.dfml.local.processes": processes})
    try:
        workers = list(_workers(handle))
        assert [w["nthreads"] for w in workers] == [1, 1]
        pids = set(handle.client.run(os.getpid).values())
        if processes == "true":
            assert len(pids) == 2 and os.getpid() not in pids
        else:
            assert pids == {os.getpid()}
            # in-process workers all see this process's memory: none is held to 1/N of it
            from distributed.system import MEMORY_LIMIT
            assert [w["memory_limit"] for w in workers] == [MEMORY_LIMIT] * 2
        assert handle.client.submit(sum, [1, 2, 3]).result() == 6
    finally:
        handle.close()


def test_executor_keys_shape_local_workers():
    handle = connect("local[1]", {"spark.executor.instances": "2", "spark.executor.cores": "2",
                                  "spark.executor.memory": "512m"})
    try:
        workers = list(_workers(handle))
        assert len(workers) == 2
        assert [w["nthreads"] for w in workers] == [2, 2]
        assert [w["memory_limit"] for w in workers] == [512 * 2 ** 20] * 2
        assert handle.client.submit(sum, [1, 2, 3]).result() == 6
    finally:
        handle.close()


def test_dynamic_allocation_adapts_local_cluster():
    handle = connect("local[2]", {"spark.dynamicAllocation.enabled": "true",
                                  "spark.dynamicAllocation.minExecutors": "0",
                                  "spark.dynamicAllocation.maxExecutors": "2"})
    try:
        adaptive = handle.cluster._adaptive
        assert (adaptive.minimum, adaptive.maximum) == (0, 2)
        assert len(list(_workers(handle))) == 0          # Spark starts at minExecutors
        assert handle.client.submit(sum, [1, 2], pure=False).result(timeout=60) == 3
        assert 1 <= len(list(_workers(handle))) <= 2     # scaled up for the work
        deadline = time.monotonic() + 60
        while _workers(handle) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(list(_workers(handle))) == 0          # and back down when idle
    finally:
        handle.close()


def test_py_files_reach_driver_and_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "dfml_shipped_helper.py").write_text("def answer():\n    return 42\n")
    handle = connect("local[1]", {"spark.submit.pyFiles": str(tmp_path / "dfml_shipped_helper.py")})
    try:
        def on_worker():
            import dfml_shipped_helper
            return dfml_shipped_helper.answer()
        assert handle.client.submit(on_worker, pure=False).result(timeout=60) == 42
    finally:
        handle.close()
        sys.modules.pop("dfml_shipped_helper", None)


# ------------------------------------------------------------------ tcp:// to separate processes
def test_tcp_master_reaches_scheduler_and_worker_processes(tmp_path):
    """A `dask scheduler` and a `dask worker` started as commands, as on a real cluster."""
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", "0",
                               "--dashboard-address", ":0", "--scheduler-file", str(scheduler_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = json.loads(scheduler_file.read_text())["address"]
        session = SparkSession({"spark.master": address, "spark.dfml.progress": "false"})
        try:
            session.client.wait_for_workers(1, timeout=60)
            df = session.createDataFrame([(1, "a"), (2, "b"), (3, "a")], ["x", "k"])
            assert sorted(tuple(r) for r in df.groupBy("k").count().collect()) == [("a", 2), ("b", 1)]
            assert session.client.scheduler.address == address
        finally:
            session.stop()
        # the session did not own the scheduler: it is still running
        assert procs[0].poll() is None
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections and never says a word (a hung or firewalled host)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def http_port():
    """A port where an HTTP server answers: something, but not a Dask scheduler."""
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_unreachable_scheduler_from_session_is_bounded():
    start = time.monotonic()
    with pytest.raises(ConnectionError) as e:
        SparkSession({"spark.master": "tcp://127.0.0.1:1", "spark.dfml.connectTimeout": "2"})
    assert "tcp://127.0.0.1:1" in str(e.value) and "spark.dfml.connectTimeout" in str(e.value)
    assert time.monotonic() - start < 30


def test_silent_scheduler_fails_within_timeout(silent_port):
    address = f"tcp://127.0.0.1:{silent_port}"
    start = time.monotonic()
    with pytest.raises(ConnectionError, match=address):
        connect(address, {"spark.dfml.connectTimeout": "2"})
    assert time.monotonic() - start < 30


def test_non_dask_server_is_named_not_a_scheduler(http_port):
    address = f"tcp://127.0.0.1:{http_port}"
    start = time.monotonic()
    with pytest.raises(ConnectionError) as e:
        connect(address, {"spark.dfml.connectTimeout": "2"})
    assert address in str(e.value)
    assert time.monotonic() - start < 30


def test_threads_local_cluster_caps_blas_threads_while_it_runs():
    """In-process workers each run a task: BLAS may use only the cores left per task slot
    (worker processes get the same cap from distributed's nanny), and the cap is lifted when
    the session's cluster closes."""
    import os

    import numpy as np  # noqa: F401 - its BLAS is the one to cap
    from threadpoolctl import threadpool_info

    def blas_threads():
        return sorted(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")

    before = blas_threads()
    handle = connect("local[2]", {"spark.dfml.local.processes": "false"})
    try:
        assert blas_threads() == [max(1, (os.cpu_count() or 1) // 2)] * len(before)
    finally:
        handle.close()
    assert blas_threads() == before
