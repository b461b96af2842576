"""Master ``yarn``: a Dask scheduler and workers in YARN containers, through skein.

One YARN application per session. Its services:

- ``dask.scheduler``: one container running ``dask scheduler``; a preload
  (``dfml.cluster.yarn_container``) publishes the scheduler's address in skein's key-value store
  under ``dask.scheduler`` and ends the application when the driver goes away.
- ``dask.worker``: ``spark.executor.instances`` containers (default 2, as on Spark), each one
  ``dask worker`` with ``spark.executor.cores`` threads and ``spark.executor.memory`` as its
  memory limit; YARN's container is that plus ``spark.executor.memoryOverhead``. A worker that
  dies is restarted by skein (at most ``spark.yarn.max.executor.failures`` times).
- ``driver`` (cluster mode only): the application script itself, run as ``dfml submit`` would
  run it in client mode, its session connected to the scheduler of its own application. Its
  exit code becomes the application's final status (and is in the diagnostics).

Python in the containers is, in this order: ``spark.pyspark.python``; ``./environment/bin/python``
when an archive is shipped as ``...#environment`` (``--archives env.tar.gz#environment``, see
``dfml pack``); else the submitting interpreter's own path, which must then exist on every node
(true on a one-machine sandbox, or where nodes share an installation).

skein needs ``yarn`` on PATH (its ``yarn classpath`` gives the Hadoop client jars) and Java;
``yarn/`` in dfml's repository has a shim and a one-machine sandbox.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from .config import ConfigError, ExecutorConfig, parse_conf, parse_int, parse_seconds, parse_size

__all__ = ["YarnCluster", "application_logs", "build_spec", "start_yarn_cluster",
           "submit_cluster_mode"]

SCHEDULER_KEY = "dask.scheduler"
DASHBOARD_KEY = "dask.dashboard"
_IN_APP = "DFML_YARN_DRIVER"          # set in the driver container of cluster mode
_MIB = 1024 * 1024
_FINAL = ("FINISHED", "FAILED", "KILLED")


# ------------------------------------------------------------------ the application spec
@dataclass(frozen=True)
class YarnSettings:
    """The Spark keys as YARN container shapes, checked."""

    executors: ExecutorConfig
    workers: int
    worker_cores: int
    worker_memory_mib: int          # dask's memory limit
    worker_overhead_mib: int        # added to the container
    worker_restarts: int
    scheduler_memory_mib: int
    scheduler_cores: int
    driver_memory_mib: int
    driver_cores: int
    queue: str
    name: str
    start_timeout: float
    driver_lost_timeout: float
    python: str
    env: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)      # name in the container -> skein.File kwargs
    py_files: tuple = ()
    tags: tuple = ("dfml",)         # spark.yarn.tags, after dfml's own tag
    am_node_label: str = ""         # spark.yarn.am.nodeLabelExpression: scheduler (and driver)
    executor_node_label: str = ""   # spark.yarn.executor.nodeLabelExpression: workers


def _mib(key: str, value: str) -> int:
    return max(1, -(-parse_size(key, value) // _MIB))


def _overhead(conf: Mapping[str, str], key: str, memory_mib: int) -> int:
    """Spark's rule: ``memoryOverhead`` if set, else max(384 MiB, 10% of the memory)."""
    if conf.get(key):
        return _mib(key, conf[key])
    return max(384, memory_mib // 10)


def _resource_name(source: str) -> tuple[str, str]:
    """``path#name`` -> (path, name); the name defaults to the file's base name."""
    path, _, name = source.partition("#")
    return path, name or os.path.basename(path.rstrip("/"))


def _local_source(path: str) -> str:
    if "://" in path:
        return path
    if not os.path.exists(path):
        raise ConfigError(f"no such file to ship to YARN: {path!r}")
    return "file://" + os.path.abspath(path)


def _list(conf: Mapping[str, str], *keys: str) -> list[str]:
    seen: list[str] = []
    for key in keys:
        for item in str(conf.get(key, "")).split(","):
            if item.strip() and item.strip() not in seen:
                seen.append(item.strip())
    return seen


def yarn_settings(conf: Mapping[str, str]) -> YarnSettings:
    """Read and check every key the launcher uses (raises before anything starts)."""
    ex = parse_conf(conf)
    if ex.dynamic:
        workers = ex.start_workers(default=0)
    else:
        workers = ex.instances if ex.instances is not None else 2
    cores = ex.cores or 1
    memory = -(-(ex.memory or 1024 * _MIB) // _MIB)
    restarts_default = max(2 * max(workers, 1), 3)
    restarts = parse_int("spark.yarn.max.executor.failures",
                         conf.get("spark.yarn.max.executor.failures", str(restarts_default)), 0)
    driver_memory = _mib("spark.driver.memory", conf.get("spark.driver.memory", "1g"))

    files: dict[str, dict] = {}
    for item in _list(conf, "spark.yarn.dist.archives", "spark.archives"):
        path, name = _resource_name(item)
        files[name] = {"source": _local_source(path), "type": "archive"}
    for item in _list(conf, "spark.yarn.dist.files", "spark.files"):
        path, name = _resource_name(item)
        files[name] = {"source": _local_source(path), "type": "file"}
    py_files = []
    for item in _list(conf, "spark.submit.pyFiles"):
        path, name = _resource_name(item)
        files[name] = {"source": _local_source(path), "type": "file"}
        py_files.append(name)

    if conf.get("spark.pyspark.python"):
        python = conf["spark.pyspark.python"]
    elif "environment" in files and files["environment"]["type"] == "archive":
        python = "./environment/bin/python"
    else:
        python = sys.executable

    env = {k[len("spark.executorEnv."):]: str(v) for k, v in conf.items()
           if k.startswith("spark.executorEnv.") and len(k) > len("spark.executorEnv.")}
    if python == sys.executable and "PYTHONPATH" not in env:
        # The submitting interpreter's dfml may be a source checkout (editable install, a test
        # run from a work tree): let the containers import the very same one.
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))

    return YarnSettings(
        executors=ex, workers=workers, worker_cores=cores, worker_memory_mib=memory,
        worker_overhead_mib=_overhead(conf, "spark.executor.memoryOverhead", memory),
        worker_restarts=restarts,
        scheduler_memory_mib=_mib("spark.dfml.scheduler.memory",
                                  conf.get("spark.dfml.scheduler.memory", "1g")),
        scheduler_cores=parse_int("spark.dfml.scheduler.cores",
                                  conf.get("spark.dfml.scheduler.cores", "1")),
        driver_memory_mib=driver_memory + _overhead(conf, "spark.driver.memoryOverhead",
                                                    driver_memory),
        driver_cores=parse_int("spark.driver.cores", conf.get("spark.driver.cores", "1")),
        queue=str(conf.get("spark.yarn.queue", "default")),
        name=str(conf.get("spark.app.name", "dfml")),
        tags=_tags(conf),
        am_node_label=str(conf.get("spark.yarn.am.nodeLabelExpression", "")).strip(),
        executor_node_label=str(conf.get("spark.yarn.executor.nodeLabelExpression", "")).strip(),
        start_timeout=parse_seconds("spark.dfml.yarn.startTimeout",
                                    conf.get("spark.dfml.yarn.startTimeout", "300")),
        driver_lost_timeout=parse_seconds("spark.dfml.yarn.driverLostTimeout",
                                          conf.get("spark.dfml.yarn.driverLostTimeout", "60")),
        python=python, env=env, files=files, py_files=tuple(py_files))


def _tags(conf: Mapping[str, str]) -> tuple:
    """``spark.yarn.tags`` (comma-separated), after the ``dfml`` tag that marks dfml's apps;
    YARN lower-cases tags and keeps at most 100 characters, so longer ones are refused here."""
    tags = ["dfml"]
    for tag in str(conf.get("spark.yarn.tags", "")).split(","):
        tag = tag.strip()
        if len(tag) > 100 or not tag.isascii():
            raise ConfigError(f"spark.yarn.tags: {tag!r} is not a YARN application tag "
                              "(ASCII, at most 100 characters)")
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _python_env(s: YarnSettings) -> dict[str, str]:
    env = dict(s.env)
    if s.py_files:
        extra = ":".join(f"$PWD/{name}" for name in s.py_files)
        env["PYTHONPATH"] = f"{extra}:{env['PYTHONPATH']}" if env.get("PYTHONPATH") else extra
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _container_cmd(s: YarnSettings, *args: str) -> str:
    """A container's script: ``python -m dfml.cluster.yarn_container ARGS`` (exec'd)."""
    env_prefix = ""
    if s.py_files:
        # $PWD must expand in the container, so PYTHONPATH is set by the script, not the spec.
        env_prefix = f"export PYTHONPATH={_python_env(s)['PYTHONPATH']}\n"
    return (env_prefix + "exec " + " ".join(shlex.quote(a) for a in
                                            (s.python, "-m", "dfml.cluster.yarn_container", *args)))


def build_spec(conf: Mapping[str, str], driver: tuple[str, list[str]] | None = None) -> Any:
    """The skein ``ApplicationSpec`` for ``conf`` (plus a driver service for cluster mode)."""
    import skein

    s = yarn_settings(conf)
    env = {k: v for k, v in _python_env(s).items() if k != "PYTHONPATH" or not s.py_files}
    files = {name: skein.File(**kw) for name, kw in s.files.items()}
    scheduler = skein.Service(
        resources=skein.Resources(memory=s.scheduler_memory_mib, vcores=s.scheduler_cores),
        script=_container_cmd(s, "scheduler", "--driver-lost-timeout",
                              str(s.driver_lost_timeout)),
        files=files, env=env, max_restarts=0, node_label=s.am_node_label)
    worker = skein.Service(
        resources=skein.Resources(memory=s.worker_memory_mib + s.worker_overhead_mib,
                                  vcores=s.worker_cores),
        script=_container_cmd(s, "worker", "--nthreads", str(s.worker_cores),
                              "--memory-limit", f"{s.worker_memory_mib}MiB"),
        instances=s.workers, files=files, env=env, depends=[SCHEDULER_KEY],
        max_restarts=s.worker_restarts, allow_failures=True, node_label=s.executor_node_label)
    services = {SCHEDULER_KEY: scheduler, "dask.worker": worker}
    if driver is not None:
        script, args = driver
        driver_files = dict(files)
        driver_files[os.path.basename(script)] = skein.File(source=_local_source(script),
                                                            type="file")
        driver_env = dict(env)
        driver_env[_IN_APP] = "1"
        driver_env["DFML_MASTER"] = "yarn"
        # Base64: YARN writes environment values into a shell script, and JSON's quotes do
        # not survive every NodeManager's quoting.
        driver_env["DFML_CONF_B64"] = base64.b64encode(json.dumps(
            {**conf, "spark.submit.deployMode": "cluster"}).encode()).decode()
        services["driver"] = skein.Service(
            resources=skein.Resources(memory=s.driver_memory_mib, vcores=s.driver_cores),
            script=_container_cmd(s, "driver", os.path.basename(script), *args),
            files=driver_files, env=driver_env, depends=[SCHEDULER_KEY], max_restarts=0,
            node_label=s.am_node_label)
    return skein.ApplicationSpec(name=s.name, queue=s.queue, services=services,
                                 master=skein.Master(resources=skein.Resources(memory=512,
                                                                              vcores=1)),
                                 tags=list(s.tags))


# ------------------------------------------------------------------ client mode
def _skein_client() -> Any:
    import skein
    try:
        # skein's Java driver logs every upload at INFO; SKEIN_LOG_LEVEL=info brings it back.
        return skein.Client(log_level=os.environ.get("SKEIN_LOG_LEVEL", "warn"))
    except Exception as e:  # skein.exceptions.DriverError and friends
        raise RuntimeError(
            f"master 'yarn': skein could not start its YARN client ({e}). It needs `yarn` on "
            "PATH (its `yarn classpath` lists the Hadoop jars), HADOOP_CONF_DIR naming the "
            "cluster's configuration, and Java; yarn/README.md shows a one-machine sandbox."
        ) from None


class YarnCluster:
    """The YARN application a session started: scale it, read its state, stop it."""

    def __init__(self, skein_client: Any, app: Any, app_id: str, owned: bool = True):
        self.skein_client = skein_client
        self.app = app
        self.app_id = app_id
        self.owned = owned
        self._closed = False

    def scale(self, n: int) -> None:
        """Ask for ``n`` worker containers (YARN starts or stops the difference)."""
        self.app.scale("dask.worker", n)

    def containers(self, services: Any = None, states: Any = None) -> list:
        return list(self.app.get_containers(services=services, states=states))

    def report(self) -> Any:
        return self.skein_client.application_report(self.app_id)

    def close(self) -> None:
        """End the application (succeeded: the driver stopped it) and the skein client."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.owned:
                try:
                    self.app.shutdown("SUCCEEDED", diagnostics="the dfml session stopped")
                except Exception:
                    try:
                        self.skein_client.kill_application(self.app_id)
                    except Exception:
                        pass
        finally:
            if self.skein_client is not None:
                self.skein_client.close()


def _wait_for_scheduler(client: Any, app: Any, app_id: str, timeout: float) -> str:
    """The scheduler's address from the key-value store, or an error if the app ends first."""
    end = time.monotonic() + timeout
    while True:
        try:
            address = app.kv.get(SCHEDULER_KEY)
        except Exception:
            address = None
        if address:
            return address.decode() if isinstance(address, bytes) else address
        report = client.application_report(app_id)
        if str(report.state) in _FINAL:
            raise RuntimeError(f"YARN application {app_id} ended ({report.state}, "
                               f"{report.final_status}) before its Dask scheduler started: "
                               f"{report.diagnostics}")
        if time.monotonic() > end:
            raise TimeoutError(f"YARN application {app_id}: no Dask scheduler after {timeout:g} s "
                               f"(state {report.state}; spark.dfml.yarn.startTimeout)")
        time.sleep(0.5)


def _registered_wait(conf: Mapping[str, str], dask_client: Any, workers: int) -> None:
    """Spark's rule before the first job: wait until this share of executors registered, or
    until the waiting time is over (``spark.scheduler.minRegisteredResourcesRatio``, 0.8 on
    YARN, ``spark.scheduler.maxRegisteredResourcesWaitingTime``, 30 s)."""
    try:
        ratio = float(conf.get("spark.scheduler.minRegisteredResourcesRatio", "0.8"))
    except ValueError:
        raise ConfigError("spark.scheduler.minRegisteredResourcesRatio="
                          f"{conf['spark.scheduler.minRegisteredResourcesRatio']!r}: not a number"
                          ) from None
    wait = parse_seconds("spark.scheduler.maxRegisteredResourcesWaitingTime",
                         conf.get("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s"))
    need = int(-(-workers * min(max(ratio, 0.0), 1.0) // 1))
    end = time.monotonic() + wait
    while need and len(dask_client.scheduler_info(n_workers=-1)["workers"]) < need:
        if time.monotonic() > end:
            return
        time.sleep(0.25)


def start_yarn_cluster(conf: Mapping[str, str]) -> Any:
    """Start a YARN application with a Dask scheduler and workers; a handle owning it.

    Inside the driver container of a cluster-mode application, connects to that
    application's own scheduler instead (and leaves ending the application to the container).
    """
    from distributed import Client

    from .handle import ClusterHandle

    conf = dict(conf)
    if os.environ.get(_IN_APP) == "1":
        return _connect_own_application(conf)
    s = yarn_settings(conf)
    spec = build_spec(conf)
    for item in _list(conf, "spark.submit.pyFiles"):
        # containers get them as YARN files; the driver, here, imports them from where they are
        path = _resource_name(item)[0]
        entry = path if path.endswith((".zip", ".egg")) else os.path.dirname(os.path.abspath(path))
        if "://" not in path and entry not in sys.path:
            sys.path.insert(0, entry)
    client = _skein_client()
    app_id = None
    try:
        app_id = client.submit(spec)
        app = client.connect(app_id, wait=True)
        address = _wait_for_scheduler(client, app, app_id, s.start_timeout)
        cluster = YarnCluster(client, app, app_id)
        dask_client = Client(address, timeout=s.executors.connect_timeout, set_as_default=True)
    except BaseException:
        if app_id is not None:
            try:
                client.kill_application(app_id)
            except Exception:
                pass
        client.close()
        raise
    handle = ClusterHandle(dask_client, cluster, "yarn")
    try:
        _registered_wait(conf, dask_client, s.workers)
        if s.executors.dynamic:
            from .yarn_adapt import policy_from_conf, start_adaptive
            start_adaptive(handle, policy_from_conf(conf, *s.executors.adapt_bounds(None)))
    except BaseException:
        handle.close()
        raise
    return handle


def _connect_own_application(conf: Mapping[str, str]) -> Any:
    """Cluster mode, in the driver container: the scheduler of this very application."""
    import skein
    from distributed import Client

    from .handle import ClusterHandle

    s = yarn_settings(conf)
    app = skein.ApplicationClient.from_current()
    address = app.kv.wait(SCHEDULER_KEY)
    address = address.decode() if isinstance(address, bytes) else address
    dask_client = Client(address, timeout=s.executors.connect_timeout, set_as_default=True)
    cluster = YarnCluster(None, app, os.environ.get("SKEIN_APPLICATION_ID", ""), owned=False)
    handle = ClusterHandle(dask_client, cluster, "yarn")
    _registered_wait(conf, dask_client, s.workers)
    return handle


# ------------------------------------------------------------------ cluster mode
def exit_code_of(report: Any) -> int:
    """The driver's exit code from a finished application's report."""
    import re
    m = re.search(r"dfml driver exit code (-?\d+)", report.diagnostics or "")
    if m:
        return int(m.group(1))
    return 0 if str(report.final_status) == "SUCCEEDED" else 1


def submit_cluster_mode(script: str, args: list[str], conf: Mapping[str, str],
                        poll: float = 1.0, out: Any = None) -> int:
    """``dfml submit --master yarn --deploy-mode cluster``: run ``script`` in a YARN container.

    Prints the application id and each state change to ``out`` (stderr), waits for the end,
    and returns the driver script's exit code. Ctrl-C kills the application.
    """
    out = out or sys.stderr
    conf = dict(conf)
    yarn_settings(conf)
    spec = build_spec(conf, driver=(script, list(args)))
    client = _skein_client()
    app_id = None
    try:
        app_id = client.submit(spec)
        print(f"dfml submit: YARN application {app_id} submitted", file=out, flush=True)
        last = None
        while True:
            report = client.application_report(app_id)
            state = str(report.state)
            if state != last:
                print(f"dfml submit: {app_id} {state}", file=out, flush=True)
                last = state
            if state in _FINAL:
                break
            time.sleep(poll)
        code = exit_code_of(report)
        print(f"dfml submit: {app_id} final status {report.final_status}, driver exit code "
              f"{code}; logs: dfml.cluster.yarn.application_logs({app_id!r}) or "
              f"`yarn logs -applicationId {app_id}`", file=out, flush=True)
        if code and report.diagnostics:
            print(report.diagnostics, file=out, flush=True)
        return code
    except KeyboardInterrupt:
        if app_id is not None:
            client.kill_application(app_id)
            print(f"dfml submit: killed {app_id}", file=out, flush=True)
        return 130
    finally:
        client.close()


def application_logs(app_id: str, timeout: float = 120.0) -> dict[str, str]:
    """``{container id: its logs}`` of a finished application, from ``yarn logs``.

    Reads what YARN's log aggregation collected (skein 0.8.2's own reader predates Hadoop 3.3's
    log layout and finds nothing there). ``yarn`` must be on PATH: Hadoop's, or dfml's shim.
    """
    import re
    import subprocess

    done = subprocess.run(["yarn", "logs", "-applicationId", app_id], capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0 and not done.stdout.strip():
        raise RuntimeError(f"yarn logs -applicationId {app_id} failed ({done.returncode}): "
                           f"{done.stderr.strip()[-2000:]}")
    logs: dict[str, str] = {}
    current = None
    for line in done.stdout.splitlines(keepends=True):
        m = re.match(r"Container: (container_\S+)", line)
        if m:
            current = m.group(1)
            logs.setdefault(current, "")
        elif current is not None:
            logs[current] += line
    return logs
