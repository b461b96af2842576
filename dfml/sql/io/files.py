"""Listing data files, and reading non-parquet sources one file per partition.

Spark skips files whose names start with ``_`` or ``.`` (``_SUCCESS``, temporary files);
so does dfml. Hive-style directories (``key=value/``) add their keys as columns.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import fsspec
import pandas as pd
import pyarrow as pa

from ..._dask_compat import DataFrameIOFunction
from ..errors import AnalysisException


def url_to_fs(path: str) -> tuple[Any, str]:
    if path.startswith(("hdfs://", "viewfs://")):
        from . import hdfs
        return hdfs.url_to_fs(path)
    fs, root = fsspec.core.url_to_fs(path)
    return fs, root


def _hidden(name: str) -> bool:
    return name.startswith("_") or name.startswith(".")


def list_data_files(path: str | list[str], suffixes: tuple[str, ...] = ()) -> tuple[Any, list[str]]:
    """Every visible data file under ``path`` (a file, a directory, or a list of either)."""
    paths = [path] if isinstance(path, str) else list(path)
    files: list[str] = []
    fs = None
    for p in paths:
        fs, root = url_to_fs(p)
        if not fs.exists(root):
            raise AnalysisException(f"[PATH_NOT_FOUND] Path does not exist: {p}.", "PATH_NOT_FOUND")
        if fs.isdir(root):
            found = []
            for f in sorted(fs.find(root)):
                rel = os.path.relpath(f, root)
                if any(_hidden(part) for part in rel.split(os.sep)):
                    continue
                if suffixes and not f.endswith(suffixes) and "." in os.path.basename(f):
                    continue
                found.append(f)
            files.extend(found)
        else:
            files.append(root)
    if not files:
        raise AnalysisException(f"[UNABLE_TO_INFER_SCHEMA] Unable to infer schema: no data files "
                                f"under {paths[0]}.", "UNABLE_TO_INFER_SCHEMA")
    return fs, files


def hive_values(root: str, file: str) -> dict[str, str | None]:
    """``{key: value}`` from the ``key=value`` directories between ``root`` and ``file``."""
    out: dict[str, str | None] = {}
    rel = os.path.relpath(os.path.dirname(file), root)
    for part in rel.split(os.sep):
        if "=" in part:
            k, v = part.split("=", 1)
            from urllib.parse import unquote
            v = unquote(v)
            out[k] = None if v == "__HIVE_DEFAULT_PARTITION__" else v
    return out


class FileReader(DataFrameIOFunction):
    """Reads one file into a partition; dask-expr tells it which columns to keep."""

    def __init__(self, read_table: Callable[[str], pa.Table], schema: pa.Schema,
                 columns: list[str] | None = None):
        self.read_table = read_table
        self.schema = schema
        self._columns = columns

    @property
    def columns(self) -> list[str] | None:
        return self._columns

    def project_columns(self, columns: list[str]) -> "FileReader":
        return FileReader(self.read_table, self.schema, list(columns))

    def __call__(self, file: str) -> pd.DataFrame:
        table = self.read_table(file)
        names = self._columns if self._columns is not None else self.schema.names
        arrays = []
        for name in names:
            field = self.schema.field(name)
            if name in table.column_names:
                col = table.column(name)
                arrays.append(col if col.type == field.type else col.cast(field.type))
            else:
                arrays.append(pa.chunked_array([pa.nulls(table.num_rows, field.type)]))
        out = pa.Table.from_arrays(arrays, schema=pa.schema([self.schema.field(n) for n in names]))
        return out.to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True)


def frame_from_files(files: list[str], read_table: Callable[[str], pa.Table],
                     schema: pa.Schema) -> Any:
    """A lazy dask frame with one partition per file, read with ``read_table``."""
    import dask.dataframe as dd
    reader = FileReader(read_table, schema)
    meta = schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    return dd.from_map(reader, files, meta=meta, enforce_metadata=False, label="dfml-read")


def normalize_path(path: str) -> str:
    fs, root = url_to_fs(path)
    protocol = fs.protocol[0] if isinstance(fs.protocol, (tuple, list)) else fs.protocol
    return f"{protocol}://{root.rstrip('/')}" if protocol not in ("file", "local") else \
        os.path.abspath(root).rstrip("/")
