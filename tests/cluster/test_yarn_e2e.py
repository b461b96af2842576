"""End to end on a real YARN + HDFS: the one-machine sandbox of ``yarn/sandbox.py``.

Nothing is mocked: a NameNode, a DataNode, a ResourceManager and a NodeManager run in one JVM;
``dfml submit`` starts skein applications whose containers run the Dask scheduler, the workers
and (cluster mode) the driver script as local processes. The sandbox needs Java and the Hadoop
jars (``python yarn/sandbox.py fetch``, which ``.ci/run`` does); without Java or Maven these
tests are skipped, any other failure to start it is an error.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "yarn"))
import sandbox  # noqa: E402 - yarn/sandbox.py

pytestmark = pytest.mark.slow

EXAMPLE = os.path.join(ROOT, "examples", "yarn_pipeline.py")
SMALL = ["--num-executors", "2", "--executor-memory", "512m", "--driver-memory", "512m",
         "--conf", "spark.dfml.scheduler.memory=512m"]


@pytest.fixture(scope="module")
def yarn_sandbox(tmp_path_factory):
    """A running sandbox and the environment a client needs, for this module's tests; the
    environment (HADOOP_CONF_DIR, ...) is restored when they end, so that later tests, and the
    JVM of PySpark's parity session, do not see the sandbox's HDFS as their default file system."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java: the YARN sandbox cannot run")
    if not sandbox.fetched() and shutil.which("mvn") is None:
        pytest.skip("Hadoop jars not fetched and no Maven to fetch them")
    # DFML_TEST_YARN_SANDBOX=DIR: use (or start, and keep) the sandbox in DIR, for iterating
    # on these tests without a 20-80 s start each run.
    keep = os.environ.get("DFML_TEST_YARN_SANDBOX")
    d = keep or str(tmp_path_factory.mktemp("yarn-sandbox"))
    env = sandbox.environment(d)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)   # before skein is imported: it reads SKEIN_CONFIG once
    pytest.importorskip("skein")
    pytest.importorskip("hdfs_native")
    started = time.monotonic()
    try:
        # the CapacityScheduler with queues default and etl, node labels fast and gpu
        state = sandbox.start(d, timeout=240, memory_mb=6144, vcores=8, capacity=True)
    except BaseException:
        os.environ.update({k: v for k, v in saved.items() if v is not None})
        raise
    state["start_seconds"] = round(time.monotonic() - started, 1)
    print(f"\nYARN sandbox up in {state['start_seconds']} s: {state['rm']}, {state['fs']}")
    try:
        yield state
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if not keep:
            sandbox.stop(d)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("DFML_MASTER", None)
    env.pop("DFML_CONF", None)
    return env


def submit(*argv: str, timeout: float = 400) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dfml.cli", "submit", "--master", "yarn", *argv],
                          capture_output=True, text=True, timeout=timeout, env=_env(), cwd=ROOT)


@pytest.fixture(scope="module")
def flights(yarn_sandbox):
    """The example's input on HDFS, and the aggregate pandas computes from the same files."""
    import pandas as pd
    import pyarrow.parquet as pq

    sys.path.insert(0, os.path.join(ROOT, "examples"))
    try:
        import yarn_pipeline
    finally:
        sys.path.pop(0)
    from dfml.sql.io.files import url_to_fs

    path = "hdfs:///data/flights"
    yarn_pipeline.make_data(path, 20_000)
    fs, root = url_to_fs(path)
    frames = []
    for f in sorted(fs.ls(root, detail=False)):
        with fs.open(f, "rb") as fh:
            frames.append(pq.read_table(io.BytesIO(fh.read())).to_pandas())
    pdf = pd.concat(frames)
    pdf = pdf[pdf.distance > 300]
    expected = (pdf.groupby("carrier")
                .agg(flights=("distance", "size"), avg_dep_delay=("dep_delay", "mean"),
                     max_distance=("distance", "max"))
                .reset_index().sort_values("carrier").reset_index(drop=True))
    expected["avg_dep_delay"] = expected["avg_dep_delay"].round(3)
    return path, expected


def read_hdfs_parquet(path: str):
    """The directory dfml wrote, read without dfml (fsspec + pyarrow), sorted by carrier."""
    import pandas as pd
    import pyarrow.parquet as pq

    from dfml.sql.io.files import url_to_fs

    fs, root = url_to_fs(path)
    names = fs.ls(root, detail=False)
    assert any(n.endswith("_SUCCESS") for n in names), names
    frames = []
    for f in sorted(n for n in names if n.endswith(".parquet")):
        with fs.open(f, "rb") as fh:
            frames.append(pq.read_table(io.BytesIO(fh.read())).to_pandas())
    return pd.concat(frames).sort_values("carrier").reset_index(drop=True)


def check_output(path: str, expected) -> None:
    got = read_hdfs_parquet(path)
    assert list(got["carrier"]) == list(expected["carrier"])
    assert list(got["flights"]) == list(expected["flights"])
    assert list(got["max_distance"]) == list(expected["max_distance"])
    assert got["avg_dep_delay"].round(3).tolist() == pytest.approx(
        expected["avg_dep_delay"].tolist(), abs=1e-3)


def check_model(path: str) -> None:
    from dfml.sql.io.files import url_to_fs
    fs, root = url_to_fs(path)
    found = [f for f in fs.find(root)]
    assert any(f.endswith("metadata/part-00000") for f in found), found
    assert any("/stages/" in f for f in found), found


def summary_of(text: str) -> dict:
    lines = [ln for ln in text.splitlines() if ln.startswith("{") and '"rows"' in ln]
    assert lines, text[-3000:]
    return json.loads(lines[-1])


def report(app_id: str):
    import skein
    with skein.Client(log_level="warn") as client:
        return client.application_report(app_id)


# ------------------------------------------------------------------ the tests
def test_cluster_mode_pipeline_runs_in_yarn_containers(yarn_sandbox, flights):
    source, expected = flights
    done = submit("--deploy-mode", "cluster", *SMALL, EXAMPLE, source, "hdfs:///out/cluster/pc",
                  "hdfs:///out/cluster/model")
    assert done.returncode == 0, done.stderr[-4000:]
    app_id = re.search(r"YARN application (application_\d+_\d+) submitted", done.stderr).group(1)
    assert "final status SUCCEEDED, driver exit code 0" in done.stderr

    check_output("hdfs:///out/cluster/pc", expected)
    check_model("hdfs:///out/cluster/model")

    r = report(app_id)
    assert str(r.state) == "FINISHED" and str(r.final_status) == "SUCCEEDED"
    from dfml.cluster.yarn import application_logs
    logs = application_logs(app_id)
    driver = [text for text in logs.values() if "LogType:driver.log" in text]
    assert len(driver) == 1
    summary = summary_of(driver[0])
    assert summary["rows"] == len(expected)
    assert summary["model_stages"] == 3 and summary["scaled_rows"] == 20_000
    # the driver and both workers were YARN containers of this very application
    suffix = app_id[len("application_"):]
    assert summary["driver_container"].startswith(f"container_{suffix}_")
    assert len(summary["workers"]) == 2
    assert all(w.startswith(f"container_{suffix}_") for w in summary["workers"])
    assert all(w in logs for w in summary["workers"])
    assert sum("LogType:dask.worker.log" in t for t in logs.values()) == 2
    assert sum("LogType:dask.scheduler.log" in t for t in logs.values()) == 1


def test_client_mode_pipeline_runs_workers_in_yarn(yarn_sandbox, flights):
    source, expected = flights
    done = submit("--deploy-mode", "client", *SMALL, EXAMPLE, source, "hdfs:///out/client/pc",
                  "hdfs:///out/client/model")
    assert done.returncode == 0, done.stderr[-4000:]
    summary = summary_of(done.stdout)
    check_output("hdfs:///out/client/pc", expected)
    check_model("hdfs:///out/client/model")
    assert summary["driver_container"] is None      # the driver ran here
    app_id = summary["application"]
    suffix = app_id[len("application_"):]
    assert len(summary["workers"]) == 2
    assert all(w.startswith(f"container_{suffix}_") for w in summary["workers"])
    # spark.stop() ended the application, successfully
    deadline = time.monotonic() + 30
    while str(report(app_id).state) != "FINISHED" and time.monotonic() < deadline:
        time.sleep(1)
    r = report(app_id)
    assert str(r.state) == "FINISHED" and str(r.final_status) == "SUCCEEDED"


def test_cluster_mode_exit_code_is_the_scripts(yarn_sandbox, tmp_path):
    script = tmp_path / "fails.py"
    script.write_text("import sys\nfrom dfml.sql import SparkSession\n"
                      "spark = SparkSession.builder.getOrCreate()\n"
                      "assert spark.range(5).count() == 5\nsys.exit(3)\n")
    done = submit("--deploy-mode", "cluster", "--num-executors", "1", "--executor-memory", "512m",
                  "--driver-memory", "512m", "--conf", "spark.dfml.scheduler.memory=512m",
                  str(script))
    assert done.returncode == 3, done.stderr[-4000:]
    assert "final status FAILED, driver exit code 3" in done.stderr


def test_hdfs_unreachable_namenode_fails_fast(yarn_sandbox, monkeypatch):
    from dfml.sql.io import hdfs
    monkeypatch.setenv("DFML_HDFS_CONNECT_TIMEOUT", "2")
    started = time.monotonic()
    with pytest.raises(ConnectionError, match="127.0.0.1:1"):
        hdfs.url_to_fs("hdfs://127.0.0.1:1/data")
    assert time.monotonic() - started < 10


def _slow_square(x: int) -> int:
    time.sleep(0.4)
    return x * x


def _pids() -> tuple[int, int]:
    return os.getpid(), os.getppid()


def test_killed_worker_container_is_replaced_and_the_result_is_unchanged(yarn_sandbox):
    """Kill a worker container's processes mid-job: skein starts a new container, Dask reruns
    the lost tasks, and the result is what an undisturbed run gives."""
    import signal

    from dfml.cluster import connect

    handle = connect("yarn", {"spark.executor.instances": "2", "spark.executor.memory": "512m",
                              "spark.dfml.scheduler.memory": "512m",
                              "spark.app.name": "kill-test"})
    try:
        client, cluster = handle.client, handle.cluster
        client.wait_for_workers(2, timeout=120)
        workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
        victim_pid, victim_nanny = client.run(_pids, workers=[workers[0]])[workers[0]]
        expected = [x * x for x in range(40)]
        futures = client.map(_slow_square, range(40), pure=False)
        time.sleep(3)                      # some tasks done, some running on the victim
        os.kill(victim_nanny, signal.SIGKILL)   # the container's main process...
        os.kill(victim_pid, signal.SIGKILL)     # ...and its worker process
        assert client.gather(futures) == expected

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            states = [(str(c.state), c.yarn_container_id)
                      for c in cluster.containers(services=["dask.worker"],
                                                  states=["RUNNING", "FAILED", "KILLED",
                                                          "SUCCEEDED"])]
            if sum(s == "RUNNING" for s, _ in states) == 2 and any(s == "FAILED" for s, _ in states):
                break
            time.sleep(1)
        assert sum(s == "RUNNING" for s, _ in states) == 2, states
        assert any(s == "FAILED" for s, _ in states), states
        client.wait_for_workers(2, timeout=120)
        assert client.submit(_slow_square, 7, pure=False).result() == 49
    finally:
        handle.close()


_WRITE_UNDER_FIRE = '''
import json, os, signal, sys, threading, time
from dfml.sql import SparkSession, functions as F

spark = SparkSession.builder.getOrCreate()
client = spark.client
client.wait_for_workers(2, timeout=120)
out, n = sys.argv[1], int(sys.argv[2])
df = (spark.range(0, n, 1, 16).withColumn("x", F.col("id") * 3)
      .withColumn("s", F.concat(F.lit("row-"), F.col("id").cast("string"))))
victim = sorted(client.scheduler_info(n_workers=-1)["workers"])[0]
pid, nanny = client.run(lambda: (os.getpid(), os.getppid()), workers=[victim])[victim]
result = {}

def write():
    try:
        df.write.mode("overwrite").parquet(out)
        result["ok"] = True
    except Exception as e:  # the outcome is reported, the test judges it
        result["error"] = f"{type(e).__name__}: {e}"[:2000]

thread = threading.Thread(target=write)
thread.start()
deadline, seen = time.monotonic() + 120, False
while time.monotonic() < deadline and not seen and thread.is_alive():
    busy = client.processing(workers=[victim]).get(victim, [])
    seen = any("write_partition" in str(k) for k in busy)
    time.sleep(0.02)
time.sleep(0.2)                     # inside the task: its part file is being written
os.kill(nanny, signal.SIGKILL)      # the container's main process...
os.kill(pid, signal.SIGKILL)        # ...and its worker process
thread.join(600)
print(json.dumps({"rows": n, "killed_mid_write": seen, **result}))
'''


def test_worker_killed_during_a_write_leaves_complete_output_or_none(yarn_sandbox, tmp_path):
    """A worker container dies while it writes part files to HDFS: the write either completes
    (the lost tasks rerun) with every row exactly once, or fails and leaves no output; nothing
    half-written is ever visible at the target, and no temporary folder is left inside it."""
    import pyarrow.parquet as pq

    from dfml.sql.io.files import url_to_fs

    script = tmp_path / "write_under_fire.py"
    script.write_text(_WRITE_UNDER_FIRE)
    target, n = "hdfs:///out/under_fire", 3_000_000
    done = submit("--deploy-mode", "client", *SMALL, str(script), target, str(n), timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("{")][-1]
    outcome = json.loads(line)
    print("write under fire:", outcome)
    assert outcome["killed_mid_write"], outcome   # the kill really hit a writing task
    fs, root = url_to_fs(target)
    if not outcome.get("ok"):
        assert not fs.exists(root), (outcome, fs.find(root))
        return
    names = fs.ls(root, detail=False)
    assert any(p.endswith("_SUCCESS") for p in names), names
    assert not [p for p in fs.find(root) if "_dfml_" in p or "/." in p], names
    ids = []
    for f in sorted(p for p in names if p.endswith(".parquet")):
        with fs.open(f, "rb") as fh:
            ids.extend(pq.read_table(io.BytesIO(fh.read()), columns=["id"])["id"].to_pylist())
    assert len(ids) == n and sorted(ids) == list(range(n))


# ------------------------------------------------------------------ the ResourceManager's REST API
def rm_app(app_id: str) -> dict:
    """``/ws/v1/cluster/apps/ID`` of the sandbox's ResourceManager (address from yarn-site.xml)."""
    import urllib.request
    import xml.etree.ElementTree as ET

    site = ET.parse(os.path.join(os.environ["HADOOP_CONF_DIR"], "yarn-site.xml")).getroot()
    conf = {p.findtext("name"): p.findtext("value") for p in site}
    address = conf["yarn.resourcemanager.webapp.address"]
    with urllib.request.urlopen(f"http://{address}/ws/v1/cluster/apps/{app_id}", timeout=10) as r:
        return json.load(r)["app"]


# ------------------------------------------------------------------ packed environment
def _packed_environment() -> str:
    """``dfml pack`` of a small virtualenv made for this test, cached across runs.

    The venv sees the machine's site-packages (dask, pandas... at the same path on every node
    of a one-machine sandbox, as venv-pack requires of the interpreter itself) and holds its
    own copy of dfml, so a container that imports dfml from the archive proves it runs the
    archive's environment. The cache key is dfml's source, so an edited dfml is packed anew.
    """
    import hashlib

    digest = hashlib.sha256()
    src = os.path.join(ROOT, "dfml")
    for folder, dirs, names in sorted(os.walk(src)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, src).encode())
            with open(path, "rb") as f:
                digest.update(f.read())
    cache = os.path.join(os.path.expanduser("~"), ".cache", "dfml-tests")
    os.makedirs(cache, exist_ok=True)
    archive = os.path.join(cache, f"yarn-env-{digest.hexdigest()[:16]}.tar.gz")
    if os.path.exists(archive):
        return archive
    venv = os.path.join(cache, "yarn-env")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    venv], check=True)
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    shutil.copytree(src, os.path.join(site, "dfml"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    for old in os.listdir(cache):   # earlier dfml versions' archives
        if old.startswith("yarn-env-") and old.endswith(".tar.gz"):
            os.unlink(os.path.join(cache, old))
    partial = os.path.join(cache, "partial", os.path.basename(archive))  # no half archive
    os.makedirs(os.path.dirname(partial), exist_ok=True)               # under the cache key
    done = subprocess.run([sys.executable, "-m", "dfml.cli", "pack", "--prefix", venv,
                           "-o", partial, "--force"],
                          capture_output=True, text=True, env=_env(), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    os.replace(partial, archive)
    return archive


def test_packed_environment_runs_the_containers(yarn_sandbox, flights):
    """``dfml pack`` + ``--archives env.tar.gz#environment``: the driver and every worker run
    ``./environment/bin/python`` of their own container, with the archive's dfml."""
    source, expected = flights
    archive = _packed_environment()
    done = submit("--deploy-mode", "cluster", *SMALL, "--archives", f"{archive}#environment",
                  EXAMPLE, source, "hdfs:///out/packed/pc")
    assert done.returncode == 0, done.stderr[-4000:]
    app_id = re.search(r"YARN application (application_\d+_\d+) submitted", done.stderr).group(1)
    check_output("hdfs:///out/packed/pc", expected)
    from dfml.cluster.yarn import application_logs
    driver = [t for t in application_logs(app_id).values() if "LogType:driver.log" in t]
    summary = summary_of(driver[0])
    pythons = summary["worker_python"] + [summary["driver_python"]]
    assert len(pythons) == 3
    for p in pythons:
        env = os.path.join(p["cwd"], "environment")
        assert p["executable"] == os.path.join(env, "bin", "python"), p
        assert p["prefix"] == env, p
        assert p["dfml"] == os.path.join(env, "lib", "python%d.%d" % sys.version_info[:2],
                                         "site-packages", "dfml"), p
        assert os.path.realpath(p["prefix"]) != os.path.realpath(sys.prefix)
    assert len({p["cwd"] for p in pythons}) == 3     # three containers, each its own copy


# ------------------------------------------------------------------ failures are explained
def test_cluster_mode_failure_reports_status_and_the_error(yarn_sandbox, tmp_path):
    script = tmp_path / "raises.py"
    script.write_text("from dfml.sql import SparkSession\n"
                      "spark = SparkSession.builder.getOrCreate()\n"
                      "spark.range(3).count()\n"
                      "raise ValueError('no such carrier: ZZ')\n")
    done = submit("--deploy-mode", "cluster", "--num-executors", "1", "--executor-memory", "512m",
                  "--driver-memory", "512m", "--conf", "spark.dfml.scheduler.memory=512m",
                  str(script))
    assert done.returncode == 1, done.stderr[-4000:]
    assert "final status FAILED, driver exit code 1" in done.stderr
    assert "ValueError: no such carrier: ZZ" in done.stderr      # the diagnostics, printed
    app_id = re.search(r"YARN application (application_\d+_\d+) submitted", done.stderr).group(1)
    app = rm_app(app_id)
    assert app["finalStatus"] == "FAILED"
    assert "ValueError: no such carrier: ZZ" in app["diagnostics"]


def test_application_that_cannot_start_reports_final_status_and_diagnostics(yarn_sandbox):
    """The scheduler's container cannot run (no such Python): the session fails with the
    application's final status and YARN's diagnostics, not a timeout."""
    from dfml.cluster import connect

    started = time.monotonic()
    with pytest.raises(RuntimeError) as e:
        connect("yarn", {"spark.executor.instances": "1", "spark.executor.memory": "512m",
                         "spark.dfml.scheduler.memory": "512m",
                         "spark.pyspark.python": "/nonexistent/bin/python"})
    message = str(e.value)
    assert "FAILED" in message and "before its Dask scheduler started" in message, message
    assert "dask.scheduler" in message, message
    assert time.monotonic() - started < 120


# ------------------------------------------------------------------ tags, queue, dynamic allocation
def _sleep(x: float) -> float:
    time.sleep(x)
    return x


def _running_workers(app_id: str) -> int:
    """Worker containers running, from the RM: all of the app's but the AM and the scheduler."""
    return rm_app(app_id)["runningContainers"] - 2


def test_dynamic_allocation_scales_up_under_load_and_down_when_idle(yarn_sandbox):
    from dfml.cluster import connect

    handle = connect("yarn", {
        "spark.dynamicAllocation.enabled": "true",
        "spark.dynamicAllocation.minExecutors": "1",
        "spark.dynamicAllocation.initialExecutors": "1",
        "spark.dynamicAllocation.maxExecutors": "3",
        "spark.dynamicAllocation.executorIdleTimeout": "5s",
        "spark.executor.memory": "512m", "spark.dfml.scheduler.memory": "512m",
        "spark.app.name": "adaptive", "spark.yarn.tags": "nightly,team-etl"})
    try:
        app_id = handle.cluster.app_id
        app = rm_app(app_id)
        # queue and tags, as the ResourceManager recorded them
        assert app["queue"] in ("default", "root.default")
        assert sorted(app["applicationTags"].split(",")) == ["dfml", "nightly", "team-etl"]
        client = handle.client
        client.wait_for_workers(1, timeout=120)
        counts = [_running_workers(app_id)]
        assert counts == [1]
        futures = client.map(_sleep, [1.0] * 60, pure=False)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and max(counts) < 3:
            time.sleep(1)
            counts.append(_running_workers(app_id))
        assert max(counts) == 3, counts                  # up to maxExecutors, never above
        assert sum(client.gather(futures)) == 60
        idle_since = time.monotonic()
        del futures
        peak, first_drop = len(counts), None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and counts[-1] > 1:
            time.sleep(0.5)
            counts.append(_running_workers(app_id))
            if first_drop is None and counts[-1] < 3:
                first_drop = time.monotonic() - idle_since
        print("worker containers over time:", counts, "first drop after", first_drop, "s idle")
        assert counts[-1] == 1, counts                    # back to minExecutors when idle
        # ...but not before executorIdleTimeout (5 s; the last tasks ran alone for < 2 s)
        assert first_drop is not None and first_drop >= 3, (first_drop, counts)
        assert max(counts) <= 3 and min(counts[peak:]) >= 1, counts
        # and the next job still runs (on the worker kept, or on new ones)
        assert client.submit(_sleep, 0.1, pure=False).result() == 0.1
    finally:
        handle.close()


def _partition_memory(app: dict) -> dict:
    usage = app["resourceInfo"]["resourceUsagesByPartition"]
    return {u["partitionName"]: u["used"]["memory"] for u in usage}


def _pending_labels(app: dict) -> set:
    return {(r["nodeLabelExpression"], r["capability"]["memory"])
            for r in app.get("resourceRequests") or [] if r.get("nodeLabelExpression")}


def test_queue_and_node_labels_reach_the_resourcemanager(yarn_sandbox):
    """spark.yarn.queue and both node-label keys, read back from the ResourceManager: the app in
    queue etl, the scheduler on the labelled node, the worker's request pending for label gpu
    (no node has it); then the other way round, the scheduler's request waits for gpu."""
    import threading

    from dfml.cluster import connect

    small = {"spark.executor.instances": "1", "spark.executor.memory": "512m",
             "spark.dfml.scheduler.memory": "512m", "spark.yarn.queue": "etl",
             "spark.scheduler.maxRegisteredResourcesWaitingTime": "1s"}
    handle = connect("yarn", {**small, "spark.yarn.am.nodeLabelExpression": "fast",
                              "spark.yarn.executor.nodeLabelExpression": "gpu"})
    try:
        app = rm_app(handle.cluster.app_id)
        assert app["queue"] in ("etl", "root.etl")
        assert _partition_memory(app).get("fast", 0) >= 512      # the scheduler's container
        assert ("gpu", 512 + 384) in _pending_labels(app)        # the worker's, waiting
        assert handle.client.scheduler_info(n_workers=-1)["workers"] == {}
    finally:
        handle.close()

    tag = f"labels-{os.getpid()}"
    outcome: dict = {}

    def start() -> None:
        try:
            connect("yarn", {**small, "spark.yarn.am.nodeLabelExpression": "gpu",
                             "spark.yarn.tags": tag, "spark.dfml.yarn.startTimeout": "45"})
        except BaseException as e:   # expected: no node for the scheduler
            outcome["error"] = e

    thread = threading.Thread(target=start)
    thread.start()
    seen = set()
    deadline = time.monotonic() + 120
    while thread.is_alive() and time.monotonic() < deadline and ("gpu", 512) not in seen:
        time.sleep(1)
        for app in _apps_tagged(tag):
            seen |= _pending_labels(app)
    thread.join(180)
    assert ("gpu", 512) in seen, seen                            # the scheduler's request
    assert isinstance(outcome.get("error"), TimeoutError), outcome
    assert "spark.dfml.yarn.startTimeout" in str(outcome["error"])


def _apps_tagged(tag: str) -> list:
    import urllib.request
    import xml.etree.ElementTree as ET

    site = ET.parse(os.path.join(os.environ["HADOOP_CONF_DIR"], "yarn-site.xml")).getroot()
    conf = {p.findtext("name"): p.findtext("value") for p in site}
    url = (f"http://{conf['yarn.resourcemanager.webapp.address']}/ws/v1/cluster/apps"
           f"?applicationTags={tag}&states=ACCEPTED,RUNNING")
    with urllib.request.urlopen(url, timeout=10) as r:
        apps = (json.load(r).get("apps") or {}).get("app") or []
    return [rm_app(a["id"]) for a in apps]
