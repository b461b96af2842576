"""Workers' log of a failed task, silenced where dfml reports the failure itself.

Its own small module (logging only) so that a worker installs it at start-up without importing
dask.dataframe, and the parquet reader's tasks install it too when they are unpickled.
"""

from __future__ import annotations

import logging

__all__ = ["QuietTaskFailures", "install_log_filter"]


class QuietTaskFailures(logging.Filter):
    """Drops the worker's "Compute Failed" log record: the action that ran the task re-raises
    its error on the client, with the same text and the task's traceback, so the user reads it
    once (as Spark's driver reports a failed job), not first as a worker log block and then again
    as the exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else ""
        return not msg.startswith("Compute Failed")


def install_log_filter() -> None:
    """Add the filter to distributed's worker logger (once)."""
    log = logging.getLogger("distributed.worker")
    if not any(isinstance(f, QuietTaskFailures) for f in log.filters):
        log.addFilter(QuietTaskFailures())
