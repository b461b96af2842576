"""What every Dask worker of a dfml session loads before it runs tasks.

The session names the modules (``DfmlWorkerSetup(modules)``), so this layer, which sits below
dfml.sql, imports none of dfml.sql itself. The imports are a worker plugin, which the scheduler
hands to every worker, including workers that join or restart later.
"""

from __future__ import annotations

import importlib
from typing import Iterable

from distributed.diagnostics.plugin import WorkerPlugin


class DfmlWorkerSetup(WorkerPlugin):
    """Imports the given modules on each worker (warming what tasks would import anyway)."""

    def __init__(self, modules: Iterable[str] = ()):
        self.modules = tuple(modules)

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed's signature
        for name in self.modules:
            importlib.import_module(name)
