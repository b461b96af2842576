"""What every Dask worker of a dfml session loads before it runs tasks.

The session names the modules (``DfmlWorkerSetup(modules, background)``), so this layer, which
sits below dfml.sql, imports none of dfml.sql itself. The imports are a worker plugin, which
the scheduler hands to every worker, including workers that join or restart later.

A worker that is a thread of the driver's own process (a local session with
``spark.dfml.local.processes=false``) shares the driver's modules. There the ``background``
modules, which pull in dask.dataframe (most of a session's start-up time), are imported by a
thread of their own, so the session is ready while they load and the user's script overlaps
with them; ``wait_until_warm`` is called before a graph runs, so no task can start before they
are in place.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import Iterable

from distributed.diagnostics.plugin import WorkerPlugin

_warming: threading.Thread | None = None
_warming_error: list[BaseException] = []
_warming_lock = threading.Lock()


def _import_all(names: tuple[str, ...]) -> None:
    try:
        for name in names:
            importlib.import_module(name)
    except BaseException as error:  # re-raised by wait_until_warm, in the thread that waits
        _warming_error.append(error)


def _warm_in_background(names: tuple[str, ...]) -> None:
    """Start (once per process) the thread importing ``names``."""
    global _warming
    with _warming_lock:
        if _warming is None and names:
            _warming = threading.Thread(target=_import_all, args=(names,),
                                        name="dfml-worker-warmup", daemon=True)
            _warming.start()


def wait_until_warm() -> None:
    """Block until this process's background worker imports (if any) are done; re-raise
    their error if one failed."""
    thread = _warming
    if thread is not None and thread.is_alive():
        thread.join()
    if _warming_error:
        raise _warming_error[0]


class DfmlWorkerSetup(WorkerPlugin):
    """Imports ``modules`` on each worker at once, and ``background`` too (in a thread of
    their own when the worker runs in the process that made the plugin)."""

    def __init__(self, modules: Iterable[str] = (), background: Iterable[str] = ()):
        self.modules = tuple(modules)
        self.background = tuple(background)
        self.origin_pid = os.getpid()

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed's signature
        for name in self.modules:
            importlib.import_module(name)
        if os.getpid() == self.origin_pid:
            _warm_in_background(self.background)
        else:
            for name in self.background:
                importlib.import_module(name)
