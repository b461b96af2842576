"""What every Dask worker of a dfml session loads before it runs tasks.

dfml replaces one function of dask's parquet reader (see ``dfml.sql.io.parquet``); workers
must import that module too, including workers that join or restart later, so the import is a
worker plugin, which the scheduler hands to every worker.
"""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin


class DfmlWorkerSetup(WorkerPlugin):
    """Imports dfml's worker-side patches on each worker."""

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed's signature
        import dfml.sql.io.parquet  # noqa: F401
