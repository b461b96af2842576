"""Writing a DataFrame as a directory of part files, committed atomically.

Each partition writes into ``.<name>._dfml_tmp_<job>`` beside the target (one graph, run by the
session); the client then moves the finished directory into place, under the target's commit
lock (``locking.py``), so that concurrent writers of one path take turns and each either wins
or gets a named error. Until that move, readers see the old state; after a failure the
temporary directory is removed and the target is untouched. Overwrite with
``partitionOverwriteMode=dynamic`` replaces only the partitions the new data has, as Spark.
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
from .locking import commit_lock, rename_new, replace_dir
from .spark_schema import SPARK_SCHEMA_KEY, spark_schema_json

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
        key = spark_schema_json(spark_schema)
        if key is not None:  # Spark's schema (and column metadata) in the footer, as Spark does
            table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                                   SPARK_SCHEMA_KEY: key})
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


def _display_named(df: "DataFrame") -> "DataFrame":
    """A file holds one column per name: a join's two ``k`` columns are Spark's
    COLUMN_ALREADY_EXISTS, and columns kept apart by internal names are written as their names."""
    from ..join_names import any_internal, refuse_duplicates
    names = df._names
    if not any_internal(names):
        return df
    refuse_duplicates(names, "a file holds one column per name")
    return df.toDF(*df.columns)


def write_frame(df: "DataFrame", path: str, fmt: str, mode: str, partition_by: list[str],
                options: dict[str, Any]) -> None:
    """Write ``df`` to ``path`` in ``fmt`` with Spark's save ``mode``; one graph, atomic commit."""
    df = _display_named(df)
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
    dynamic = _dynamic(df, mode, partition_by, options)
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
        _commit(fs, tmp, root, mode, exists, job, dynamic)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp, recursive=True)
        raise


def _dynamic(df: "DataFrame", mode: str, partition_by: list[str], options: dict) -> bool:
    """Spark's ``partitionOverwriteMode`` (write option first, then the session's
    ``spark.sql.sources.partitionOverwriteMode``): dynamic only matters for a partitioned
    overwrite."""
    if mode != "overwrite" or not partition_by:
        return False
    given = {str(k).lower(): v for k, v in options.items()}.get("partitionoverwritemode")
    if given is None:
        given = df._session.conf.get("spark.sql.sources.partitionOverwriteMode", "static")
    value = str(given).lower()
    if value not in ("static", "dynamic"):
        raise AnalysisException(f"[INVALID_PARAMETER_VALUE] partitionOverwriteMode must be "
                                f"STATIC or DYNAMIC, got {given!r}", "INVALID_PARAMETER_VALUE")
    return value == "dynamic"


def _commit(fs: Any, tmp: str, root: str, mode: str, exists: bool, job: str,
            dynamic: bool = False) -> None:
    """Make the finished ``tmp`` the target, under the target's commit lock. ``exists`` was
    seen before the data was written; under the lock it is looked at again, since another
    writer may have committed meanwhile: then an ``error`` write fails with
    PATH_ALREADY_EXISTS, ``ignore`` drops its data, ``overwrite`` replaces the other's,
    ``append`` adds to it. A directory is only ever renamed onto a path that does not exist
    (never *into* an existing one)."""
    with commit_lock(fs, root):
        exists = fs.exists(root)
        if exists and mode == "error":
            raise AnalysisException(
                f"[PATH_ALREADY_EXISTS] Path {root} already exists (another writer committed it "
                f"while this one was writing). Set mode as \"overwrite\" to overwrite the "
                f"existing path.", "PATH_ALREADY_EXISTS")
        if exists and mode == "ignore":
            fs.rm(tmp, recursive=True)
            return
        if not exists:
            rename_new(fs, tmp, root)
        elif mode == "overwrite" and dynamic:
            _replace_partitions(fs, tmp, root, job)
        elif mode == "overwrite":
            replace_dir(fs, tmp, root, job)
        else:
            _move_files_in(fs, tmp, root)


def _replace_partitions(fs: Any, tmp: str, root: str, job: str) -> None:
    """Spark's dynamic partition overwrite: each partition folder the new data has replaces
    the target's folder of the same partition; the other partitions stay as they are."""
    leaves = sorted({posixpath.dirname(posixpath.relpath(f, tmp)) for f in fs.find(tmp)
                     if posixpath.basename(f) != "_SUCCESS"} - {"", "."})
    for rel in leaves:
        dest = posixpath.join(root, rel)
        if fs.exists(dest):
            replace_dir(fs, posixpath.join(tmp, rel), dest, job)
        else:
            fs.makedirs(posixpath.dirname(dest), exist_ok=True)
            rename_new(fs, posixpath.join(tmp, rel), dest)
    fs.rm(tmp, recursive=True)


def _move_files_in(fs: Any, tmp: str, root: str) -> None:
    """Append: the new part files (unique names per job) move into the existing directory."""
    for f in fs.find(tmp):
        rel = posixpath.relpath(f, tmp)
        if rel == "_SUCCESS":
            continue
        dest = posixpath.join(root, rel)
        fs.makedirs(posixpath.dirname(dest), exist_ok=True)
        fs.mv(f, dest)
    fs.rm(tmp, recursive=True)
