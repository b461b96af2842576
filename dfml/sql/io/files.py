"""Listing data files, and reading non-parquet sources one file per partition.

Spark skips files whose names start with ``_`` or ``.`` (``_SUCCESS``, temporary files) and
reads every other file, whatever its extension; so does dfml. Hive-style directories
(``key=value/``) add their keys as columns. Text files are decompressed by extension (as
Hadoop's codecs do) and decoded with the reader's ``encoding``. A failure inside a read task
is raised as ``FileReadError`` naming the file, and the worker does not log it a second time.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import fsspec
import pandas as pd
import pyarrow as pa

from ..._dask_compat import DataFrameIOFunction
from ..errors import AnalysisException, IllegalArgumentException, SparkException
from ..task_logs import install_log_filter


def url_to_fs(path: str) -> tuple[Any, str]:
    if path.startswith(("hdfs://", "viewfs://")):
        from . import hdfs
        return hdfs.url_to_fs(path)
    fs, root = fsspec.core.url_to_fs(path)
    return fs, root


def _hidden(name: str) -> bool:
    return name.startswith("_") or name.startswith(".")


def _keep(rel_parts: list[str], recursive: bool) -> bool:
    """Spark's listing rule for a file at ``rel_parts`` below a directory being read.

    Hidden names (``_SUCCESS``, ``.crc``, ``_temporary/``, ``.hidden/``) anywhere on the way
    are skipped. Files directly in the directory and inside ``key=value`` partition
    directories are read whatever their extension; a file inside a plain sub-directory is not
    (Spark only descends into partition directories) unless ``recursiveFileLookup`` is set.
    """
    if any(_hidden(part) for part in rel_parts):
        return False
    return recursive or all("=" in part for part in rel_parts[:-1])


def list_data_files(path: str | list[str], *, recursive: bool = False) -> tuple[Any, list[str]]:
    """Every data file under ``path`` (a file, a directory, or a list of either), by Spark's
    listing rules (``_keep``); ``recursive`` is the reader's ``recursiveFileLookup``. Empty
    files in a directory are left out, as Spark's readers skip them (some tools write a
    zero-byte part file for an empty partition)."""
    paths = [path] if isinstance(path, str) else list(path)
    files: list[str] = []
    fs = None
    for p in paths:
        fs, root = url_to_fs(p)
        if not fs.exists(root):
            raise AnalysisException(f"[PATH_NOT_FOUND] Path does not exist: {p}.", "PATH_NOT_FOUND")
        if fs.isdir(root):
            for f, info in sorted(fs.find(root, detail=True).items()):
                rel = os.path.relpath(f, root).split(os.sep)
                if _keep(rel, recursive) and info.get("size") != 0:  # Spark skips empty files
                    files.append(f)
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


# ---------------------------------------------------------------- errors inside read tasks

class FileReadError(SparkException):
    """A file could not be read (Spark's FAILED_READ_FILE): names the file, and the column
    where one is to blame. Raised inside a read task and re-raised by the action."""

    def __init__(self, message: str, errorClass: str | None = None, path: str | None = None,
                 column: str | None = None):
        super().__init__(message)
        self.errorClass, self.path, self.column = errorClass, path, column

    def getErrorClass(self) -> str | None:
        return self.errorClass


def read_failure(file: str, exc: BaseException) -> FileReadError:
    """``exc`` (raised while reading ``file``) as a FileReadError that names the file."""
    if isinstance(exc, FileReadError):
        return exc
    if isinstance(exc, FileNotFoundError):
        return FileReadError(f"[FAILED_READ_FILE.FILE_NOT_EXIST] File {file} does not exist "
                             f"any more: it was deleted or moved after the read was planned.",
                             "FAILED_READ_FILE.FILE_NOT_EXIST", file)
    cause = f"{type(exc).__name__}: {exc}".strip()
    return FileReadError(f"[FAILED_READ_FILE.NO_HINT] Error while reading file {file}: {cause}",
                         "FAILED_READ_FILE.NO_HINT", file)


def footer_failure(file: str, exc: BaseException) -> FileReadError:
    """A parquet file whose footer cannot be read (not parquet, truncated), named."""
    return FileReadError(f"[FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] Could not read the parquet "
                         f"footer of {file}: {type(exc).__name__}: {exc}",
                         "FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER", file)


# runs in each worker too: the session's worker setup installs it, and unpickling any read task
# imports this module as well
install_log_filter()


# ---------------------------------------------------------------- compressed and encoded text

_CODECS = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd",
           ".xz": "xz", ".deflate": "deflate"}

# Spark 4 accepts these charsets (INVALID_PARAMETER_VALUE.CHARSET for others), case-insensitive
_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "latin-1", "us-ascii": "ascii", "utf-16": "utf-16",
             "utf-16be": "utf-16-be", "utf-16le": "utf-16-le", "utf-32": "utf-32"}


def codec_of(file: str) -> str | None:
    """The compression of ``file`` by its extension (``a.csv.gz`` -> gzip), None if plain."""
    return _CODECS.get(os.path.splitext(file)[1].lower())


def read_bytes(fs: Any, file: str) -> bytes:
    """The content of ``file``, decompressed when its extension names a codec."""
    with fs.open(file, "rb") as fh:
        data = fh.read()
    codec = codec_of(file)
    if codec == "gzip":
        import gzip
        return gzip.decompress(data)
    if codec == "bz2":
        import bz2
        return bz2.decompress(data)
    if codec == "xz":
        import lzma
        return lzma.decompress(data)
    if codec == "deflate":
        import zlib
        return zlib.decompress(data)
    if codec == "zstd":
        return pa.CompressedInputStream(pa.py_buffer(data), "zstd").read()
    return data


def text_encoding(options: dict[str, Any], option_owner: str = "CSVOptions") -> str:
    """The Python codec for the reader's ``encoding`` (alias ``charset``) option; UTF-8 when
    unset. Names Spark does not accept are refused as Spark refuses them."""
    key = "encoding" if options.get("encoding") is not None else "charset"
    name = options.get(key)
    if name is None:
        return "utf-8"
    codec = _CHARSETS.get(str(name).lower())
    if codec is None:
        raise IllegalArgumentException(
            f"[INVALID_PARAMETER_VALUE.CHARSET] The value of parameter `{key}` in "
            f"`{option_owner}` is invalid: expects one of {', '.join(sorted(_CHARSETS))}, "
            f"but got {name}.")
    return codec


def read_text(fs: Any, file: str, encoding: str = "utf-8") -> str:
    """``file`` decompressed and decoded; bytes invalid in ``encoding`` become U+FFFD, as Spark
    reads them, rather than failing the read."""
    return read_bytes(fs, file).decode(encoding, errors="replace")


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

    def __call__(self, file: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One file as a partition of ``columns`` (dask passes those the plan uses)."""
        try:
            table = self.read_table(file)
        except Exception as e:  # named once here, with the file, rather than as a bare parse error
            raise read_failure(file, e) from None
        if columns is not None:
            names = [columns] if isinstance(columns, str) else list(columns)
        else:
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
