"""One lock for building dask graphs from several threads at once (parallel tuning candidates).

Python 3.11's ``functools.cached_property``, which dask-expr uses for ``_meta`` and friends,
takes one lock per property shared by every instance of the class. Two threads that lower and
optimize dask expressions at the same time can each hold one such lock while waiting for the
other's: a deadlock (seen in CI as a CrossValidator with parallelism=2 that never returned).
So threads that build graphs concurrently hold ``GRAPH_LOCK`` while they build, and give it up
while they wait for the cluster (``GRAPH_LOCK.released()``), where the parallelism pays.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class GraphLock:
    """A reentrant lock that a holder can give up, whatever its depth, around a wait."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._local = threading.local()

    def __enter__(self) -> "GraphLock":
        self._lock.acquire()
        self._local.depth = getattr(self._local, "depth", 0) + 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._local.depth -= 1
        self._lock.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Give the lock up (if this thread holds it) for the body: a wait for results."""
        depth = getattr(self._local, "depth", 0)
        for _ in range(depth):
            self._lock.release()
        try:
            yield
        finally:
            for _ in range(depth):
                self._lock.acquire()


GRAPH_LOCK = GraphLock()
