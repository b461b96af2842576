"""The two errors every settings check in ``dfml.cluster`` raises, in a module of their own so
that the checks of each cluster kind (``config``, ``kube_pods``) can share them without
importing each other."""

from __future__ import annotations


class MasterURLError(ValueError):
    """A master URL that dfml cannot use."""


class ConfigError(ValueError):
    """A Spark-style setting whose value dfml cannot use (the message names key and value)."""
