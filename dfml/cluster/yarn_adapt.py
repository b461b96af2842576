"""Dynamic allocation on YARN: the Dask scheduler's wish for workers, turned into containers.

Spark grows an application's executors while tasks wait (``schedulerBacklogTimeout``) and
removes an executor once it has been idle for ``spark.dynamicAllocation.executorIdleTimeout``
(60 s), always within ``[minExecutors, maxExecutors]``. Dask's scheduler already computes how
many workers its queue needs (``Scheduler.adaptive_target``) and which workers can go without
losing data (``workers_to_close``); this module polls the first, and applies Spark's timeouts:

- up: as soon as the scheduler has wanted more workers for ``schedulerBacklogTimeout``
  (default 1 s), ask skein for the difference (bounded by ``maxExecutors``);
- down: once it has wanted fewer for ``executorIdleTimeout``, retire the workers the scheduler
  picks (their results move to the others first) and kill exactly their containers, so YARN
  gets the memory back and no busy worker is stopped.

``decide`` is the pure policy (tested without YARN); ``start_adaptive`` runs it in a thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping

from .config import parse_seconds

__all__ = ["AdaptPolicy", "decide", "policy_from_conf", "start_adaptive"]

WORKER_SERVICE = "dask.worker"
_LIVE = ("WAITING", "REQUESTED", "RUNNING")


@dataclass(frozen=True)
class AdaptPolicy:
    minimum: int
    maximum: int | None            # None: no upper bound
    idle_timeout: float = 60.0     # spark.dynamicAllocation.executorIdleTimeout
    backlog_timeout: float = 1.0   # spark.dynamicAllocation.schedulerBacklogTimeout
    interval: float = 1.0          # how often the scheduler is asked

    def bound(self, wanted: int) -> int:
        wanted = max(self.minimum, wanted)
        return wanted if self.maximum is None else min(self.maximum, wanted)


def policy_from_conf(conf: Mapping[str, str], minimum: int, maximum: int | None) -> AdaptPolicy:
    """Spark's two timeouts (checked, naming the key) with the bounds already read."""
    idle = parse_seconds("spark.dynamicAllocation.executorIdleTimeout",
                         conf.get("spark.dynamicAllocation.executorIdleTimeout", "60s"))
    backlog = parse_seconds("spark.dynamicAllocation.schedulerBacklogTimeout",
                            conf.get("spark.dynamicAllocation.schedulerBacklogTimeout", "1s"))
    return AdaptPolicy(minimum, maximum, idle_timeout=idle, backlog_timeout=backlog,
                       interval=min(1.0, backlog, idle))


@dataclass
class _Pressure:
    """Since when the scheduler has wanted more (or fewer) workers than there are."""
    up_since: float | None = None
    down_since: float | None = None


def decide(policy: AdaptPolicy, wanted: int, have: int, now: float,
           pressure: _Pressure) -> int:
    """The change in worker containers to make now: > 0 start, < 0 retire, 0 wait.

    ``wanted`` is the scheduler's target, ``have`` the containers alive or on their way.
    ``pressure`` carries the times across calls (one instance per application).
    """
    target = policy.bound(wanted)
    if target > have:
        pressure.down_since = None
        if have < policy.minimum:   # below the floor: no reason to wait
            return target - have
        if pressure.up_since is None:
            pressure.up_since = now
        if now - pressure.up_since >= policy.backlog_timeout:
            pressure.up_since = None
            return target - have
        return 0
    if target < have:
        pressure.up_since = None
        if pressure.down_since is None:
            pressure.down_since = now
        if now - pressure.down_since >= policy.idle_timeout:
            pressure.down_since = None
            return target - have
        return 0
    pressure.up_since = pressure.down_since = None
    return 0


def _adaptive_target(dask_scheduler: Any = None) -> int:
    return dask_scheduler.adaptive_target()


def _workers_to_close(dask_scheduler: Any = None, n: int = 0) -> list:
    """``(address, name)`` of up to ``n`` workers that can go (idle ones, data kept elsewhere)."""
    addresses = dask_scheduler.workers_to_close(n=n)
    return [(a, dask_scheduler.workers[a].name) for a in addresses[:n]]


def _live_containers(app: Any) -> list:
    return list(app.get_containers(services=[WORKER_SERVICE], states=list(_LIVE)))


def _retire(client: Any, app: Any, n: int) -> int:
    """Retire ``n`` workers the scheduler picks and kill their containers; how many went."""
    chosen = client.run_on_scheduler(_workers_to_close, n=n)
    if not chosen:
        return 0
    by_yarn_id = {c.yarn_container_id: c for c in _live_containers(app)}
    client.retire_workers(workers=[a for a, _ in chosen], close_workers=False)
    gone = 0
    for _, name in chosen:
        container = by_yarn_id.get(str(name))
        if container is not None:
            app.kill_container(container.id)
            gone += 1
    return gone


def start_adaptive(handle: Any, policy: AdaptPolicy) -> threading.Thread:
    """Run the policy every ``policy.interval`` seconds until the handle's cluster closes."""
    cluster = handle.cluster
    client = handle.client
    app = cluster.app
    pressure = _Pressure()

    def loop() -> None:
        while not cluster._closed:
            try:
                wanted = client.run_on_scheduler(_adaptive_target)
                live = _live_containers(app)
                change = decide(policy, wanted, len(live), time.monotonic(), pressure)
                if change > 0:
                    app.scale(WORKER_SERVICE, delta=change)
                elif change < 0:
                    _retire(client, app, -change)
            except Exception:
                if cluster._closed:
                    return
            time.sleep(policy.interval)

    thread = threading.Thread(target=loop, name="dfml-yarn-adapt", daemon=True)
    thread.start()
    return thread
