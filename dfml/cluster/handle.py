"""``ClusterHandle``: what every backend returns; its own module so backends need not import the
package that dispatches to them (``dfml.cluster``), which would make an import cycle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distributed import Client


@dataclass
class ClusterHandle:
    """A client and, when dfml started it, the cluster it owns (closed with the handle)."""

    client: Client
    cluster: Any = None
    master: str = "local[*]"
    on_close: Any = None  # called after the cluster closes (e.g. restoring BLAS thread limits)

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            try:
                if self.cluster is not None:
                    self.cluster.close()
            finally:
                if self.on_close is not None:
                    self.on_close()
