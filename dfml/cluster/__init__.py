"""Master URL -> a running ``distributed.Client`` and a handle that owns its lifetime.

``local``, ``local[N]`` and ``local[*]`` start a ``LocalCluster`` whose workers are threads of
this process, as Spark's local mode, or processes of their own with
``spark.dfml.local.processes=true`` (the default master: nothing to install, no server);
``tcp://host:port`` connects to a running scheduler; ``yarn`` starts scheduler and workers in
YARN containers (``dfml.cluster.yarn``); ``k8s://[namespace]`` asks the dask-kubernetes operator
for a ``DaskCluster`` (``dfml.cluster.kubernetes``). Settings are checked by
``dfml.cluster.config`` before anything starts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from typing import Any, Iterator, Mapping

from distributed import Client, LocalCluster

from .config import (ConfigError, ExecutorConfig, Master, MasterURLError, check, parse_local,
                     parse_master)
from .handle import ClusterHandle

__all__ = ["ClusterHandle", "ConfigError", "MasterURLError", "connect", "parse_local",
           "parse_master"]


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start worker processes without re-running the user's script in them.

    Workers are spawned, and spawn re-imports ``__main__`` from its file: a PySpark-style script
    with no ``if __name__ == "__main__"`` guard would start a cluster inside every worker. The
    script's functions still reach workers (cloudpickle sends ``__main__`` functions by value).
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    hide = main is not None and path is not None and getattr(main, "__spec__", None) is None
    if hide:
        del main.__file__
    try:
        yield
    finally:
        if hide:
            main.__file__ = path


def connect(master: str | None, conf: Mapping[str, str] | None = None) -> ClusterHandle:
    """Start or reach the cluster ``master`` names and return a handle owning it.

    Every setting is checked first, so a bad value fails before a cluster is started.
    """
    conf = dict(conf or {})
    parsed, settings = check(master, conf)
    # One starter per master kind; the table is built per call so that it always holds the
    # module's current functions.
    starters = {"local": _start_local, "tcp": _connect_tcp, "yarn": _start_yarn_backend,
                "k8s": _start_kube}
    handle = starters[parsed.kind](parsed, settings, conf)
    if parsed.kind == "yarn":
        return handle  # the YARN launcher ships files as YARN resources itself
    try:
        _ship_py_files(handle.client, conf.get("spark.submit.pyFiles", ""))
    except BaseException:
        handle.close()
        raise
    return handle


def _connect_tcp(master: Master, settings: ExecutorConfig, conf: Mapping[str, str]) -> ClusterHandle:
    _warn_unused_shape(conf, master.url)
    return _connect_scheduler(master.url, settings.connect_timeout)


def _start_yarn_backend(master: Master, settings: ExecutorConfig,
                        conf: Mapping[str, str]) -> ClusterHandle:
    return _start_yarn(dict(conf))


def _start_kube(master: Master, settings: ExecutorConfig, conf: Mapping[str, str]) -> ClusterHandle:
    from .kubernetes import start_kube_cluster
    return start_kube_cluster(master.url, conf)


# The kind of local cluster when ``spark.dfml.local.processes`` is not set (see _start_local).
# Threads: they measured faster on start-up, small actions and the bench/ workloads, and the
# whole test suite passes on them (docs/cluster.md, "Threads or processes").
LOCAL_PROCESSES = False


def _start_local(master: Master, settings: ExecutorConfig,
                 conf: Mapping[str, str] | None = None) -> ClusterHandle:
    """``local[N]``: N single-threaded workers, unless the executor keys say otherwise.

    ``spark.dfml.local.processes`` picks what a worker is: a process of its own (``true``), or
    threads in the driver's process (``false``), as Spark's local mode runs its executor in the
    driver's JVM. Threads start in a fraction of the time (no process to spawn, no second copy
    of pandas, dask and dfml to import) and exchange partitions without serializing them; the
    price is one GIL for the Python parts of every task. Either way there are N workers, so
    partition counts (and what depends on them) do not change with the kind.

    With dynamic allocation the cluster adapts between ``minExecutors`` and ``maxExecutors``
    (by default the N of ``local[N]``: a laptop has no more cores to grow into).
    """
    n = settings.start_workers(default=master.cores or 1)
    processes = LOCAL_PROCESSES if settings.local_processes is None else settings.local_processes
    try:
        import bokeh  # noqa: F401
        dashboard: Any = ":0"
    except ImportError:
        dashboard = None
    memory: Any = settings.memory or "auto"
    if not processes and memory == "auto":
        # in-process workers all measure the one process's memory: each may use all of it
        # (distributed's "auto" would give each 1/N of the machine, and pause them early)
        from distributed.system import MEMORY_LIMIT
        memory = MEMORY_LIMIT
    with _main_script_hidden() if processes else contextlib.nullcontext():
        cluster = LocalCluster(n_workers=n, threads_per_worker=settings.cores or 1,
                               processes=processes, memory_limit=memory,
                               dashboard_address=dashboard, silence_logs=logging.ERROR)
    limits = None if processes else _limit_blas_threads(n * (settings.cores or 1))
    try:
        if settings.dynamic:
            lo, hi = settings.adapt_bounds(default_max=master.cores)
            cluster.adapt(minimum=lo, maximum=hi)
        client = Client(cluster, set_as_default=True)
    except BaseException:
        cluster.close()
        if limits is not None:
            limits.restore_original_limits()
        raise
    return ClusterHandle(client, cluster, master.url,
                         on_close=None if limits is None else limits.restore_original_limits)


def _limit_blas_threads(task_slots: int) -> Any:
    """Cap BLAS's threads in this process while in-process workers run here.

    Each of the ``task_slots`` worker threads runs its own task, and each task's matrix products
    would otherwise start a BLAS thread per core: 2 tasks x 2 BLAS threads on 2 cores made a
    KMeans fit at 10M rows 1.4x slower (18.3 s against 12.9 s). Worker processes get the same cap
    from distributed's nanny (OMP/MKL/OPENBLAS_NUM_THREADS=1); threads share this process, so
    the cap is set here, to the cores left per task slot, and lifted when the session stops.
    """
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=max(1, (os.cpu_count() or 1) // max(1, task_slots)),
                             user_api="blas")


_SHAPE_KEYS = ("spark.executor.instances", "spark.executor.cores", "spark.executor.memory",
               "spark.dynamicAllocation.enabled")


def _warn_unused_shape(conf: Mapping[str, str], address: str) -> None:
    """Executor keys cannot reshape workers someone else started: say so rather than ignore."""
    keys = [k for k in _SHAPE_KEYS if k in conf]
    if keys:
        warnings.warn(f"{', '.join(keys)} have no effect on {address}: the scheduler's workers "
                      "are already running with their own size", stacklevel=3)


def _connect_scheduler(address: str, timeout: float) -> ClusterHandle:
    """Reach a running scheduler, or fail within about ``timeout`` seconds naming its address."""
    try:
        _probe_scheduler(address, timeout)
        client = Client(address, timeout=timeout, set_as_default=True)
    except (OSError, TimeoutError) as e:
        raise ConnectionError(f"could not reach the Dask scheduler at {address} within "
                              f"{timeout:g} s (spark.dfml.connectTimeout): "
                              f"{str(e) or 'no answer'}") from None
    except Exception as e:
        # Something answered that does not speak Dask's protocol (an HTTP server or proxy on
        # that port makes distributed misread a frame length and fail in odd ways).
        raise ConnectionError(f"{address} answered, but not as a Dask scheduler "
                              f"({type(e).__name__}: {e})") from None
    return ClusterHandle(client, None, address)


def _probe_scheduler(address: str, timeout: float) -> None:
    """Open and close one comm to ``address``, handshake included, within ``timeout``.

    ``Client(address, timeout=...)`` bounds the TCP connect but not the handshake read that
    follows it: a host that accepts the connection and never answers (a hung scheduler, some
    firewalls) would block it forever. The probe runs on its own event loop in a thread, so it
    also works when the caller is inside a running loop (Jupyter).
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect as comm_connect
    from distributed.security import Security

    async def probe() -> None:
        args = Security().get_connection_args("client")
        comm = await asyncio.wait_for(comm_connect(address, timeout=timeout, **args), timeout)
        await comm.close()

    with ThreadPoolExecutor(1, thread_name_prefix="dfml-probe") as pool:
        pool.submit(asyncio.run, probe()).result()


def _start_yarn(conf: dict[str, str]) -> ClusterHandle:
    try:
        from .yarn import start_yarn_cluster
    except ImportError as e:
        raise RuntimeError("master 'yarn' needs dfml.cluster.yarn and skein "
                           f"(pip install 'dfml[yarn]'): {e}") from e
    return start_yarn_cluster(conf)


def _ship_py_files(client: Client, py_files: str) -> None:
    """``spark.submit.pyFiles``: importable on the driver and on every worker, present or future.

    ``upload_file`` registers a worker plugin, so workers that join later (adaptive scaling,
    a replaced worker) receive the files too.
    """
    for path in (p.strip() for p in py_files.split(",")):
        if not path:
            continue
        if not os.path.exists(path):
            raise ConfigError(f"spark.submit.pyFiles: no such file {path!r}")
        entry = path if path.endswith((".zip", ".egg")) else os.path.dirname(os.path.abspath(path))
        if entry not in sys.path:
            sys.path.insert(0, entry)
        client.upload_file(path)
