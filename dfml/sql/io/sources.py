"""Data sources other than parquet, csv and json, found by their format name.

A source is an object with ``read(reader, path) -> DataFrame`` and, if it can be written,
``extension``, ``check_write(schema)`` (raise before any work) and
``encode(table, schema, options) -> bytes`` (one part file from an Arrow table). Sources
register under one or more names (``register``); the built-in ones live in the layers that
know their types (libsvm needs ML vectors, so it lives in ``dfml.ml.source``) and are imported
on first use, as Spark finds its sources by name.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from ..errors import AnalysisException

__all__ = ["register", "lookup", "reader"]

_SOURCES: dict[str, Any] = {}
_BUILTIN = {
    "libsvm": "dfml.ml.source.libsvm",
    "org.apache.spark.ml.source.libsvm": "dfml.ml.source.libsvm",
    "org.apache.spark.ml.source.libsvm.libsvmfileformat": "dfml.ml.source.libsvm",
}


def register(source: Any, *names: str) -> None:
    """Make ``source`` available as ``spark.read.format(name)`` / ``df.write.format(name)``."""
    for n in names:
        _SOURCES[n.lower()] = source


def lookup(fmt: str) -> Any:
    """The source registered as ``fmt``; AnalysisException (DATA_SOURCE_NOT_FOUND) if none."""
    key = fmt.lower()
    if key not in _SOURCES and key in _BUILTIN:
        importlib.import_module(_BUILTIN[key])
    if key not in _SOURCES:
        known = sorted({"parquet", "csv", "json", *_SOURCES, *_BUILTIN} - {
            k for k in _BUILTIN if "." in k})
        raise AnalysisException(
            f"[DATA_SOURCE_NOT_FOUND] Failed to find the data source: {fmt}. Known sources: "
            f"{', '.join(known)}.", "DATA_SOURCE_NOT_FOUND")
    return _SOURCES[key]


def reader(fmt: str, dfr: Any) -> Callable[[Any], Any]:
    """``path -> DataFrame`` for ``spark.read.format(fmt)`` (``dfr`` is the DataFrameReader)."""
    source = lookup(fmt)
    return lambda path: source.read(dfr, path)
