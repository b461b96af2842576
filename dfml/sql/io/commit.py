"""Writing a DataFrame as a directory of part files, committed atomically.

Each partition writes into ``.<name>._dfml_tmp_<job>`` beside the target (one graph, run by the
session); the client then moves the finished directory into place. Until that move, readers see
the old state; after a failure the temporary directory is removed and the target is untouched.
"""

from __future__ import annotations

import io
import json
import posixpath
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import types as T
from ..errors import AnalysisException
from .files import url_to_fs

if TYPE_CHECKING:
    from ..dataframe import DataFrame

_EXT = {"parquet": "parquet", "csv": "csv", "json": "json"}


def _table(pdf: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    arrays = []
    for field in schema:
        s = pdf[field.name]
        arr = pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype) if isinstance(s.dtype, pd.ArrowDtype) \
            else pa.chunked_array([pa.array(s.to_numpy(dtype=object), from_pandas=True)])
        arrays.append(arr if arr.type == field.type else arr.cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _encode(table: pa.Table, fmt: str, spark_schema: T.StructType, options: dict[str, Any]) -> bytes:
    if fmt == "parquet":
        buf = io.BytesIO()
        compression = options.get("compression") or "snappy"
        pq.write_table(table, buf, compression=None if compression == "none" else compression)
        return buf.getvalue()
    if fmt not in _EXT:
        from .sources import lookup
        return lookup(fmt).encode(table, spark_schema, options)
    from .text import csv_bytes, json_bytes
    if fmt == "csv":
        return csv_bytes(table, spark_schema, options)
    return json_bytes(table, spark_schema)


class _PartitionWriter:
    """Writes one partition's rows (split by the partition columns, if any) under the temp dir."""
    __name__ = "write_partition"  # dask names its tasks after this (a repr would hold an address)


    def __init__(self, fs: Any, tmp: str, job: str, fmt: str, schema: T.StructType,
                 partition_by: list[str], options: dict[str, Any]):
        self.fs, self.tmp, self.job, self.fmt = fs, tmp, job, fmt
        self.schema, self.partition_by, self.options = schema, partition_by, options

    def __dask_tokenize__(self) -> str:
        return f"dfml-write-{self.job}"

    def __call__(self, pdf: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
        number = (partition_info or {}).get("number", 0)
        data_fields = [f for f in self.schema.fields if f.name not in self.partition_by]
        data_schema = T.StructType(data_fields)
        arrow_schema = pa.schema([pa.field(f.name, T.to_arrow(f.dataType)) for f in data_fields])
        written = 0
        if not self.partition_by:
            groups = [((), pdf)]
        elif len(pdf) == 0:
            groups = []
        else:
            keys = pdf[self.partition_by].astype(object).where(pdf[self.partition_by].notna(), None)
            groups = list(pdf.groupby([keys[c] for c in self.partition_by], dropna=False, sort=False))
        for key, part in groups:
            if self.partition_by and len(part) == 0:
                continue
            key = key if isinstance(key, tuple) else (key,)
            subdir = "/".join(f"{c}={_partition_value(v)}" for c, v in zip(self.partition_by, key))
            folder = posixpath.join(self.tmp, subdir) if subdir else self.tmp
            self.fs.makedirs(folder, exist_ok=True)
            name = f"part-{number:05d}-{self.job}.c000.{_extension(self.fmt)}"
            if self.fmt == "parquet" and self.options.get("compression", "snappy") != "none":
                name = f"part-{number:05d}-{self.job}.c000.snappy.parquet"
            if self.fmt != "parquet" and len(part) == 0:
                continue
            data = _encode(_table(part, arrow_schema), self.fmt, data_schema, self.options)
            with self.fs.open(posixpath.join(folder, name), "wb") as fh:
                fh.write(data)
            written += len(part)
        return pd.DataFrame({"rows": pd.array([written], dtype="int64")})


def _extension(fmt: str) -> str:
    if fmt in _EXT:
        return _EXT[fmt]
    from .sources import lookup
    return lookup(fmt).extension


def _partition_value(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return "__HIVE_DEFAULT_PARTITION__"
    if isinstance(v, bool):
        return "true" if v else "false"
    return quote(str(v), safe=" -_.,:")


def write_frame(df: "DataFrame", path: str, fmt: str, mode: str, partition_by: list[str],
                options: dict[str, Any]) -> None:
    """Write ``df`` to ``path`` in ``fmt`` with Spark's save ``mode``; one graph, atomic commit."""
    from .files import normalize_path
    fs, root = url_to_fs(path)
    root = root.rstrip("/")
    target = normalize_path(path)
    exists = fs.exists(root)
    if exists and mode == "error":
        raise AnalysisException(f"[PATH_ALREADY_EXISTS] Path {target} already exists. Set mode as "
                                f"\"overwrite\" to overwrite the existing path.", "PATH_ALREADY_EXISTS")
    if exists and mode == "ignore":
        return
    if mode in ("overwrite", "append") and any(
            src == target or src.startswith(target + "/") for src in df._sources):
        raise AnalysisException(
            f"[UNSUPPORTED_OVERWRITE.PATH] Cannot {mode} the path {target} that is also being read "
            f"from; write to another path first.", "UNSUPPORTED_OVERWRITE.PATH")
    if partition_by and len(partition_by) == len(df.columns):
        raise AnalysisException("Cannot use all columns for partition columns")
    schema = df.schema
    job = uuid.uuid4().hex[:12]
    parent, name = posixpath.split(root)
    tmp = posixpath.join(parent, f".{name}._dfml_tmp_{job}")
    fs.makedirs(tmp, exist_ok=True)
    try:
        writer = _PartitionWriter(fs, tmp, job, fmt, schema, partition_by, options)
        frame = df._frame
        meta = pd.DataFrame({"rows": pd.array([], dtype="int64")})
        counts = frame.map_partitions(writer, meta=meta, enforce_metadata=False,
                                      align_dataframes=False)
        df._session._run(counts)
        if fmt == "parquet" and not partition_by and not fs.ls(tmp):
            # an empty result still records its schema, as Spark's empty part file does
            empty = pa.schema([pa.field(f.name, T.to_arrow(f.dataType)) for f in schema.fields])
            with fs.open(posixpath.join(tmp, f"part-00000-{job}.c000.snappy.parquet"), "wb") as fh:
                fh.write(_encode(empty.empty_table(), "parquet", schema, options))
        with fs.open(posixpath.join(tmp, "_SUCCESS"), "wb"):
            pass
        _commit(fs, tmp, root, mode, exists, job)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp, recursive=True)
        raise


def _commit(fs: Any, tmp: str, root: str, mode: str, exists: bool, job: str) -> None:
    if not exists:
        fs.mv(tmp, root, recursive=True)
        return
    if mode == "overwrite":
        parent, name = posixpath.split(root)
        old = posixpath.join(parent, f".{name}._dfml_old_{job}")
        fs.mv(root, old, recursive=True)
        try:
            fs.mv(tmp, root, recursive=True)
        except BaseException:
            fs.mv(old, root, recursive=True)
            raise
        fs.rm(old, recursive=True)
        return
    # append: move the new part files in; the data is complete before any of it becomes visible
    for f in fs.find(tmp):
        rel = posixpath.relpath(f, tmp)
        if rel == "_SUCCESS":
            continue
        dest = posixpath.join(root, rel)
        fs.makedirs(posixpath.dirname(dest), exist_ok=True)
        fs.mv(f, dest)
    fs.rm(tmp, recursive=True)
