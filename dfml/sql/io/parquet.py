"""Parquet reading through dask-expr's Arrow reader, with types normalized during the scan.

``NormalizedParquetRead`` is dask-expr's ``ReadParquetPyarrowFS`` with one change: the dataset
schema it scans with is rewritten to the types dfml computes with (string_view -> large_string,
decimal -> double unless asked to keep decimals, unsigned -> signed, timestamps -> us). Arrow
casts while it scans each fragment, so nothing slow reaches pandas, and because the node is
still dask's parquet reader, dask's optimizer keeps pruning columns and pushing filters into it.
Its read tasks (plain and fused) scan fragments with ``fragment_to_table``, which also filters
``string_view`` columns, checks that each file stores its columns as the schema says
(``parquet_schema.check_file``) and names the file in any error; dask's own reader is left as
it is for everyone else in the process. The schema to scan with can be given (a merged
schema, see ``parquet_schema.resolve_schema``) instead of the first file's.
"""

from __future__ import annotations

import math

from functools import cached_property
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.fs  # noqa: F401 - pa.fs
from ..._dask_compat import FusedParquetIO, ReadParquetPyarrowFS, Task, new_collection
from .. import types as T
from .files import hive_values, read_failure  # also installs its worker log filter


def normalized_type(t: pa.DataType, decimal_as_double: bool) -> pa.DataType:
    if pa.types.is_decimal(t) and decimal_as_double:
        return pa.float64()
    if pa.types.is_dictionary(t):
        return normalized_type(t.value_type, decimal_as_double)
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, normalized_type(f.type, decimal_as_double), True) for f in t])
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) \
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        return pa.large_list(normalized_type(t.value_type, decimal_as_double))
    if pa.types.is_map(t):
        return pa.map_(normalized_type(t.key_type, decimal_as_double),
                       normalized_type(t.item_type, decimal_as_double))
    return T.normalize_arrow(t)


def normalized_schema(schema: pa.Schema, decimal_as_double: bool) -> pa.Schema:
    return pa.schema([pa.field(f.name, normalized_type(f.type, decimal_as_double), True)
                      for f in schema])


class FileStat:
    """A picklable stand-in for ``pyarrow.fs.FileInfo`` (which pyarrow 26 cannot pickle, so the
    read expression could not be sent to the scheduler)."""

    def __init__(self, info: Any):
        self.path, self.size, self.mtime_ns = info.path, info.size, info.mtime_ns
        self.base_name, self.type = info.base_name, info.type

    def __dask_tokenize__(self) -> Any:
        return "FileInfo", (self.path, self.size, self.mtime_ns)

    def __reduce__(self) -> Any:
        return (_file_stat, (self.path, self.size, self.mtime_ns, self.base_name))


def _file_stat(path: str, size: int, mtime_ns: int, base_name: str) -> FileStat:
    stat = object.__new__(FileStat)
    stat.path, stat.size, stat.mtime_ns, stat.base_name = path, size, mtime_ns, base_name
    stat.type = pa.fs.FileType.File
    return stat


class NormalizedParquetRead(ReadParquetPyarrowFS):
    """dask-expr's parquet reader scanning under dfml's normalized Arrow schema."""

    @cached_property
    def _dataset_info(self) -> dict:
        info = dict(super()._dataset_info)
        if info.get("_dfml_normalized"):
            return info
        decimal_as_double = (self.kwargs or {}).get("dfml_decimal_as_double", True)
        given = (self.kwargs or {}).get("dfml_schema")
        if given is not None:  # the read's schema, resolved by the reader (Arrow IPC bytes)
            schema = pa.ipc.read_schema(pa.py_buffer(given))
        else:
            schema = normalized_schema(info["schema"].remove_metadata(), decimal_as_double)
        info["schema"] = schema
        info["base_meta"] = schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
        info["all_files"] = [f if isinstance(f, FileStat) else FileStat(f)
                             for f in info.get("all_files", [])]
        info["_dfml_normalized"] = True
        self._dataset_info_cache = info
        return info

    @property
    def _fusion_compression_factor(self) -> float:
        """How much of a partition's data the read keeps; dask fuses ``1 / factor`` partitions of
        a read that projects few columns into one. dfml lets it, but not below the cluster's
        thread count (Spark too splits a scan into at least ``defaultParallelism`` tasks where
        the files allow): two 45 MB files read for three columns stay two partitions on a
        two-core cluster instead of becoming one that leaves a core idle for the whole action."""
        factor = super()._fusion_compression_factor
        floor = int((self.kwargs or {}).get("dfml_min_partitions") or 1)
        n = len(self._dataset_info.get("all_files") or []) or 1
        if factor < 1 and floor > 1:
            factor = 1.0 if n < 2 * floor else max(factor, floor / n)
        return _balanced(factor, n, floor)

    def load_statistics(self, files: Any = None, fragments: Any = None) -> None:
        """dask's footer statistics (read while planning), with a file that cannot be read
        named: without this a corrupt footer fails the action with Arrow's bare error. (Only
        the first file's footer is read for the schema, CANNOT_READ_FILE_FOOTER there; Spark
        finds a later corrupt file while reading it, FAILED_READ_FILE.NO_HINT, as here.)"""
        try:
            super().load_statistics(files, fragments)
        except Exception:
            frags = fragments if fragments is not None else self.fragments_unsorted
            for frag in frags:
                fragment = getattr(frag, "fragment", frag)
                try:
                    fragment.ensure_complete_metadata()
                except Exception as bad:
                    raise read_failure(fragment.path, bad) from None
            raise

    def _filtered_task(self, name: Any, index: int) -> Any:
        """dask's read task, scanning each fragment with dfml's ``fragment_to_table``."""
        task = super()._filtered_task(name, index)
        (scan,) = task.args
        return Task(task.key, task.func, Task(None, fragment_to_table, **scan.kwargs),
                    _data_producer=True, **task.kwargs)

    def _tune_up(self, parent: Any) -> Any:
        """dask's fusion of small reads, into a fused read that also scans with dfml's
        ``fragment_to_table``."""
        if self._fusion_compression_factor >= 1 or isinstance(parent, FusedParquetIO):
            return None
        return parent.substitute(self, NormalizedFusedRead(self))


def _balanced(factor: float, n: int, threads: int) -> float:
    """``factor`` lowered so that dask's fusion of ``n`` reads spreads them evenly over
    ``threads``: dask puts ``min(ceil(1 / factor), ceil(sqrt(n)))`` reads in each partition,
    and eight files fused by three made three partitions on two threads, so one thread read
    six files while the other read two. Of the sizes up to dask's, the one whose busiest thread
    reads the fewest files is kept (the largest such size: fewer tasks)."""
    if factor >= 1 or threads < 2:
        return factor
    bucket = min(math.ceil(1 / factor), math.ceil(math.sqrt(n)), 100)

    def busiest(size: int) -> int:
        return math.ceil(math.ceil(n / size) / threads) * size
    size = min(range(bucket, 0, -1), key=busiest)  # min keeps the first (largest) of equals
    if size == bucket:
        return factor
    # 1 / (size - 0.5): dask's ceil(1 / factor) gives size back, free of rounding
    return 1 / (size - 0.5) if size > 1 else 1.0


class NormalizedFusedRead(FusedParquetIO):
    """dask's fused parquet read (several fragments per task) for ``NormalizedParquetRead``."""

    @staticmethod
    def _load_multiple_files(frag_filters: Any, columns: Any, schema: Any,
                             **to_pandas_kwargs: Any) -> pd.DataFrame:
        tables = [fragment_to_table(frag, filters, columns, schema) for frag, filters in frag_filters]
        if tables and not tables[0].num_columns:
            # Arrow's concat of tables without columns has no rows; a read that projects no
            # column (``select(lit(1))``, ``count()``) still needs them all
            table = pa.table([pa.nulls(sum(t.num_rows for t in tables))], names=["_"]).select([])
        else:
            table = pa.concat_tables(tables, promote_options="permissive")
        return ReadParquetPyarrowFS._table_to_pandas(table, **to_pandas_kwargs)


def read_parquet_frame(path: str | list[str], decimal_as_double: bool = True,
                       min_partitions: int = 1, schema: pa.Schema | None = None) -> Any:
    """A lazy dask frame of the parquet file(s) at ``path`` (local paths or URLs Arrow knows);
    dask's fusion of small reads keeps at least ``min_partitions`` partitions. ``schema`` (the
    normalized schema to scan with) defaults to the first file's."""
    expr = NormalizedParquetRead(
        path, columns=None, filters=None, index=None, storage_options=None,
        filesystem=pa.fs.LocalFileSystem(), ignore_metadata_file=True, calculate_divisions=False,
        arrow_to_pandas={"types_mapper": pd.ArrowDtype}, pyarrow_strings_enabled=False,
        kwargs={"dtype_backend": "pyarrow", "dfml_decimal_as_double": decimal_as_double,
                "dfml_min_partitions": int(min_partitions),
                "dfml_schema": None if schema is None else schema.serialize().to_pybytes()},
    )
    return new_collection(expr)


def keep_decimals(t: pa.DataType) -> pa.DataType:
    """``normalized_type`` keeping decimals: how the per-file check compares stored types."""
    return normalized_type(t, False)


def fragment_to_table(fragment_wrapper: Any, filters: Any, columns: Any, schema: Any) -> pa.Table:
    """dask's fragment scan, after checking the file's column types against ``schema``; any
    failure is raised naming the file (``files.read_failure``)."""
    from .parquet_schema import check_file
    fragment = getattr(fragment_wrapper, "fragment", fragment_wrapper)
    path = getattr(fragment, "path", "<parquet fragment>")
    try:
        check_file(path, fragment.physical_schema, schema, columns, lambda: fragment.metadata,
                   keep_decimals)
        return _scan(fragment_wrapper, filters, columns, schema)
    except Exception as e:
        raise read_failure(path, e) from None


def _scan(fragment_wrapper: Any, filters: Any, columns: Any, schema: Any) -> pa.Table:
    """dask's fragment scan, able to filter string columns stored as ``string_view``.

    Arrow cannot yet compare a ``string_view`` column with the string literal of a pushed-down
    filter while scanning; for such fragments the scan reads the filter's columns as well and
    filters the (already normalized) table right after, still inside the read task.
    """
    try:
        return ReadParquetPyarrowFS._fragment_to_table(fragment_wrapper, filters, columns, schema)
    except pa.ArrowNotImplementedError:
        if filters is None:
            raise
        import pyarrow.parquet as pq
        expr = pq.filters_to_expression(filters) if isinstance(filters, list) else filters
        needed = list(columns) if columns is not None else list(schema.names)
        extra = [name for conj in (filters if isinstance(filters, list) else [])
                 for (name, _, _) in (conj if isinstance(conj, list) else [conj])
                 if name not in needed]
        table = ReadParquetPyarrowFS._fragment_to_table(fragment_wrapper, None, needed + extra, schema)
        return table.filter(expr).select(needed)


def partitioned_reader(fs: Any, root: str, schema: pa.Schema) -> Any:
    """``read_table(file)`` for one file of a hive-partitioned (or non-local) parquet read:
    the file's columns checked against ``schema``, its ``key=value`` directories as columns."""
    import pyarrow.parquet as pq
    from .parquet_schema import check_file

    def read_table(file: str) -> pa.Table:
        with fs.open(file, "rb") as fh:
            # No pre-buffering on a Python file object: its cached futures can outlive the
            # read and be freed by an Arrow thread during interpreter shutdown (an abort).
            pf = pq.ParquetFile(fh, pre_buffer=False)
            keys = hive_values(root, file)
            data = pa.schema([f for f in schema if f.name not in keys])
            check_file(file, pf.schema_arrow, data, None, pf.metadata, keep_decimals)
            table = pf.read([n for n in data.names if n in pf.schema_arrow.names])
        for k, v in keys.items():
            t = schema.field(k).type if k in schema.names else pa.large_string()
            table = table.append_column(k, pa.array([v] * table.num_rows, pa.large_string()).cast(t))
        return table

    return read_table
