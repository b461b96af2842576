"""What every Dask worker of a dfml session loads before it runs tasks.

The session names the modules (``DfmlWorkerSetup(modules, deferred, warm)``), so this layer,
which sits below dfml.sql, imports none of dfml.sql itself. The imports are a worker plugin, which
the scheduler hands to every worker, including workers that join or restart later.

A worker that is a thread of the driver's own process (a local session's default) shares the
driver's modules. There the ``deferred`` modules, which pull in dask.dataframe (most of a
session's start-up time), are left to the driver's first graph: ``import_deferred`` runs before
a plan is lowered or a graph runs, in the thread that builds it, so no task can start before
they are in place and the session is ready without waiting for them. (Importing them in a
thread of their own instead races the script's own imports of dask.dataframe, whose package
has internal import cycles: Python's import of a submodule does not wait for a parent package
another thread is still initializing, and such runs failed with circular-import errors.) The
``warm`` modules, which only spare a worker process the imports of its first task, are skipped
there: the driver imports them when it needs them.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import Iterable

from distributed.diagnostics.plugin import WorkerPlugin

_deferred: list[str] = []
_deferred_lock = threading.Lock()


def import_deferred() -> None:
    """Import the modules a driver-thread worker left for the driver (a no-op once done)."""
    if not _deferred:
        return
    with _deferred_lock:
        while _deferred:
            importlib.import_module(_deferred[0])
            _deferred.pop(0)


class DfmlWorkerSetup(WorkerPlugin):
    """Imports ``modules`` on each worker at once, then ``deferred`` and ``warm``; where the
    worker runs in the process that made the plugin, ``deferred`` is left to the driver's
    first graph (``import_deferred``) and ``warm`` is not imported at all."""

    def __init__(self, modules: Iterable[str] = (), deferred: Iterable[str] = (),
                 warm: Iterable[str] = ()):
        self.modules = tuple(modules)
        self.deferred = tuple(deferred)
        self.warm = tuple(warm)
        self.origin_pid = os.getpid()

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed's signature
        for name in self.modules:
            importlib.import_module(name)
        if os.getpid() == self.origin_pid:
            with _deferred_lock:
                _deferred.extend(n for n in self.deferred if n not in _deferred)
        else:
            for name in self.deferred + self.warm:
                importlib.import_module(name)
