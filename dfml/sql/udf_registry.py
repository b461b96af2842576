"""The UDFs registered by name (``spark.udf.register``), which SQL text can call.

A leaf module (it imports nothing of dfml) so that the SQL translator can look names up without
importing the functions it is handed. One registry per process, as the active session's.
"""

from __future__ import annotations

from typing import Any

_REGISTERED: dict[str, Any] = {}


def register(name: str, fn: Any) -> None:
    _REGISTERED[name.lower()] = fn


def lookup(name: str) -> Any:
    """The UDF registered under ``name`` (any case), or None."""
    return _REGISTERED.get(name.lower())


def registered() -> dict[str, Any]:
    """Every registered UDF by its (lower-cased) name, for ``spark.catalog.listFunctions``."""
    return dict(_REGISTERED)
