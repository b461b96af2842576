"""Master URL -> a running ``distributed.Client`` and a handle that owns its lifetime.

``local``, ``local[N]`` and ``local[*]`` start an in-process ``LocalCluster`` (the default:
nothing to install, no server); ``tcp://host:port`` connects to a running scheduler.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Iterator

from distributed import Client, LocalCluster


class MasterURLError(ValueError):
    """A master URL that dfml cannot use."""


@dataclass
class ClusterHandle:
    """A client and, when dfml started it, the cluster it owns (closed with the handle)."""

    client: Client
    cluster: Any = None
    master: str = "local[*]"

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


_LOCAL = re.compile(r"^local(?:\[(\*|\d+)(?:,\s*\d+)?\])?$")


def _memory_bytes(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*", str(text).lower())
    if not m:
        raise ValueError(f"spark.executor.memory: cannot read {text!r} as a size such as 2g or 512m")
    return int(float(m.group(1)) * 1024 ** " kmgt".index(m.group(2) or " "))


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


def parse_local(master: str) -> int:
    """Workers for a ``local`` master URL (one single-threaded worker process per core asked)."""
    m = _LOCAL.match(master.strip())
    if not m:
        raise MasterURLError(f"master URL {master!r} is not local, local[N] or local[*]")
    n = m.group(1)
    if n is None:
        return 1
    if n == "*":
        return os.cpu_count() or 1
    if int(n) <= 0:
        raise MasterURLError(f"master URL {master!r}: the number of cores must be positive")
    return int(n)


def connect(master: str, conf: dict[str, str] | None = None) -> ClusterHandle:
    """Start or reach the cluster ``master`` names and return a handle owning it."""
    conf = conf or {}
    master = (master or "local[*]").strip()
    if master.startswith("local"):
        n = parse_local(master)
        if "spark.executor.instances" in conf:
            n = int(conf["spark.executor.instances"])
        threads = int(conf.get("spark.executor.cores", 1))
        memory: Any = "auto"
        if "spark.executor.memory" in conf:
            memory = _memory_bytes(conf["spark.executor.memory"])
        try:
            import bokeh  # noqa: F401
            dashboard: Any = ":0"
        except ImportError:
            dashboard = None
        with _main_script_hidden():
            cluster = LocalCluster(n_workers=n, threads_per_worker=threads, processes=True,
                                   memory_limit=memory, dashboard_address=dashboard,
                                   silence_logs=logging.ERROR)
        return ClusterHandle(Client(cluster, set_as_default=True), cluster, master)
    if master.startswith("tcp://") or master.startswith("tls://"):
        timeout = float(conf.get("spark.dfml.connectTimeout", 10))
        try:
            client = Client(master, timeout=timeout, set_as_default=True)
        except (OSError, TimeoutError) as e:
            raise ConnectionError(f"could not reach the Dask scheduler at {master} within "
                                  f"{timeout:g} s: {e}") from None
        return ClusterHandle(client, None, master)
    raise MasterURLError(
        f"unknown master URL {master!r}: use local, local[N], local[*] or tcp://host:port")
