"""``spark.read`` and ``df.write``: parquet, csv and json on any fsspec path.

Reads are lazy. A write is one graph: every partition writes its part file(s) into a hidden
temporary directory beside the target, and only when all succeeded does the client move the
result into place (for overwrite, the old directory is moved aside first and removed after).
A failed write leaves neither a target nor a temporary directory behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from . import types as T
from .errors import AnalysisException
from .io import files as F_io

if TYPE_CHECKING:
    from .dataframe import DataFrame
    from .session import SparkSession

_MODES = {"error": "error", "errorifexists": "error", "default": "error", "overwrite": "overwrite",
          "append": "append", "ignore": "ignore"}
_TRUE = ("true", "1", "yes")


def _flag(v: Any, default: bool = False) -> bool:
    if v is None:
        return default
    return v if isinstance(v, bool) else str(v).lower() in _TRUE


def _decimal_as_double(session: Any, options: dict[str, Any]) -> bool:
    """Whether parquet decimals are read as doubles (fast, inexact) instead of Spark's exact
    DecimalType: the reader option ``decimalAsDouble``, else the session conf
    ``dfml.sql.decimalAsDouble`` (or its older name ``spark.dfml.parquet.decimalAsDouble``);
    off by default, as Spark keeps decimals exact."""
    if "decimalasdouble" in options:
        return _flag(options["decimalasdouble"])
    conf = session.conf.get("dfml.sql.decimalAsDouble")
    if conf is None:
        conf = session.conf.get("spark.dfml.parquet.decimalAsDouble")
    return _flag(conf, False)


# ---------------------------------------------------------------- reading

class DataFrameReader:
    """``spark.read``: pick a format, options and (optionally) a schema, then ``load``."""

    def __init__(self, session: "SparkSession"):
        self._session = session
        self._format = "parquet"
        self._options: dict[str, Any] = {}
        self._schema: T.StructType | None = None

    def format(self, source: str) -> "DataFrameReader":
        self._format = source.lower()
        return self

    def option(self, key: str, value: Any) -> "DataFrameReader":
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> "DataFrameReader":
        for k, v in options.items():
            self.option(k, v)
        return self

    def schema(self, schema: T.StructType | str) -> "DataFrameReader":
        self._schema = T.parse_ddl(schema) if isinstance(schema, str) else schema
        if not isinstance(self._schema, T.StructType):
            raise TypeError(f"schema() takes a StructType or a DDL string, got {schema!r}")
        return self

    def load(self, path: str | list[str] | None = None, format: str | None = None,
             schema: Any = None, **options: Any) -> "DataFrame":
        if format:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        self.options(**{k: v for k, v in options.items() if v is not None})
        if path is None:
            raise ValueError("load() needs a path")
        reader = {"parquet": self._parquet, "csv": self._csv, "json": self._json,
                  "text": self._text}.get(self._format)
        if reader is None:
            from .io import sources
            reader = sources.reader(self._format, self)
        return reader(path)

    def table(self, tableName: str) -> "DataFrame":
        return self._session.table(tableName)

    def parquet(self, *paths: str, **options: Any) -> "DataFrame":
        self.options(**{k: v for k, v in options.items() if v is not None})
        return self.format("parquet").load(list(paths) if len(paths) > 1 else paths[0])

    def csv(self, path: str | list[str], schema: Any = None, sep: str | None = None,
            header: Any = None, inferSchema: Any = None, nullValue: str | None = None,
            **options: Any) -> "DataFrame":
        opts = dict(sep=sep, header=header, inferSchema=inferSchema, nullValue=nullValue, **options)
        return self.format("csv").load(path, schema=schema, **opts)

    def json(self, path: str | list[str], schema: Any = None, **options: Any) -> "DataFrame":
        return self.format("json").load(path, schema=schema, **options)

    def text(self, paths: str | list[str], wholetext: bool = False, lineSep: str | None = None,
             **options: Any) -> "DataFrame":
        """Lines of text files as rows of one string column ``value``."""
        return self.format("text").load(paths, wholetext=wholetext, lineSep=lineSep, **options)

    # -- formats
    def _frame(self, frame: Any, path: str | list[str],
               metadata: dict[str, dict] | None = None) -> "DataFrame":
        paths = [path] if isinstance(path, str) else path
        return self._session._source(frame, tuple(F_io.normalize_path(p) for p in paths),
                                     metadata)

    def _conf_flag(self, option: str, conf: str) -> bool:
        """A reader option, falling back to the session conf ``conf`` (as Spark's options do)."""
        value = self._options.get(option)
        return _flag(value if value is not None else self._session.conf.get(conf, None), False)

    def _list(self, path: str | list[str]) -> tuple[Any, list[str]]:
        return F_io.list_data_files(path, recursive=_flag(self._options.get("recursivefilelookup")))

    def _text_options(self) -> dict[str, Any]:
        """The options of a CSV/JSON read, with the session's corrupt-record column name."""
        opts = dict(self._options)
        if opts.get("columnnameofcorruptrecord") is None:
            opts["columnnameofcorruptrecord"] = self._session.conf.get(
                "spark.sql.columnNameOfCorruptRecord", None) or "_corrupt_record"
        return opts

    def _parquet(self, path: str | list[str]) -> "DataFrame":
        from functools import partial

        from .io.parquet import normalized_type, partitioned_reader, read_parquet_frame
        from .io.parquet_schema import resolve_schema
        decimal_as_double = _decimal_as_double(self._session, self._options)
        merge = self._conf_flag("mergeschema", "spark.sql.parquet.mergeSchema")
        recursive = _flag(self._options.get("recursivefilelookup"))
        roots = [path] if isinstance(path, str) else list(path)
        fs, files = self._list(roots)
        _, root = F_io.url_to_fs(roots[0])
        hive = not recursive and fs.isdir(root) and any(F_io.hive_values(root, f) for f in files)
        keys = list(F_io.hive_values(root, files[0]).keys()) if hive else []
        file_schema = resolve_schema(fs, files, merge, partial(normalized_type,
                                    decimal_as_double=decimal_as_double))
        metadata = _footer_metadata(fs, files[0]) if files else {}
        protocols = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
        if not hive and "file" in protocols:
            frame = read_parquet_frame(files if len(files) > 1 else files[0], decimal_as_double,
                                       self._session.defaultParallelism, file_schema)
            if self._schema is not None:
                frame = _apply_schema(frame, self._schema)
            return self._frame(frame, path, metadata)
        # hive-partitioned directories and non-local filesystems: one partition per file
        fields = [f for f in file_schema if f.name not in keys]
        key_types = {k: _infer_partition_type([F_io.hive_values(root, f).get(k) for f in files])
                     for k in keys}
        schema = pa.schema(fields + [pa.field(k, key_types[k]) for k in keys])
        if self._schema is not None:
            schema = pa.schema([pa.field(f.name, T.to_arrow(f.dataType)) for f in self._schema.fields])
        read_table = partitioned_reader(fs, root, schema)
        return self._frame(F_io.frame_from_files(files, read_table, schema), path, metadata)

    def _csv(self, path: str | list[str]) -> "DataFrame":
        from .io.csv_read import csv_schema_and_reader
        fs, files = self._list(path)
        schema, read_table = csv_schema_and_reader(fs, files, self._text_options(), self._schema)
        return self._frame(F_io.frame_from_files(files, read_table, schema), path)

    def _json(self, path: str | list[str]) -> "DataFrame":
        from .io.json_read import json_schema_and_reader
        fs, files = self._list(path)
        schema, read_table = json_schema_and_reader(fs, files, self._text_options(), self._schema)
        return self._frame(F_io.frame_from_files(files, read_table, schema), path)

    def _text(self, path: str | list[str]) -> "DataFrame":
        from .io.plain_text import text_reader
        fs, files = self._list(path)
        schema, read_table = text_reader(fs, self._options)
        return self._frame(F_io.frame_from_files(files, read_table, schema), path)


def _footer_metadata(fs: Any, file: str) -> dict[str, dict]:
    """Column metadata Spark's schema key in ``file``'s footer carries (empty if none)."""
    import pyarrow.parquet as pq

    from .io.spark_schema import field_metadata
    try:
        with fs.open(file, "rb") as f:
            return field_metadata(pq.read_schema(f).metadata)
    except (OSError, pa.ArrowInvalid):
        return {}


def _infer_partition_type(values: list[str | None]) -> pa.DataType:
    present = [v for v in values if v is not None]
    for t, conv in ((pa.int32(), int), (pa.float64(), float)):
        try:
            for v in present:
                conv(v)
            if t == pa.int32() and any(abs(int(v)) >= 2**31 for v in present):
                return pa.int64()
            return t
        except ValueError:
            continue
    return pa.large_string()


def _apply_schema(frame: Any, schema: T.StructType) -> Any:
    missing = [f.name for f in schema.fields if f.name not in frame.columns]
    if missing:
        raise AnalysisException(f"the given schema names column `{missing[0]}`, which the files do "
                                f"not have (they have {list(frame.columns)})")
    frame = frame[schema.names]
    casts = {f.name: T.to_dtype(f.dataType) for f in schema.fields
             if frame._meta[f.name].dtype != T.to_dtype(f.dataType)}
    return frame.astype(casts) if casts else frame


# ---------------------------------------------------------------- writing

class DataFrameWriter:
    """``df.write``: mode, format, options, partitioning; then ``save`` (or a format method)."""

    def __init__(self, df: "DataFrame"):
        self._df = df
        self._mode = "error"
        self._format = "parquet"
        self._options: dict[str, Any] = {}
        self._partition_by: list[str] = []
        self._format_set = False

    def mode(self, saveMode: str | None) -> "DataFrameWriter":
        if saveMode is None:
            return self
        key = str(saveMode).lower()
        if key not in _MODES:
            raise ValueError(f"Unknown save mode: {saveMode!r}. Accepted save modes are 'overwrite', "
                             f"'append', 'ignore', 'error', 'errorifexists', 'default'.")
        self._mode = _MODES[key]
        return self

    def format(self, source: str) -> "DataFrameWriter":
        self._format = source.lower()
        self._format_set = True
        return self

    def option(self, key: str, value: Any) -> "DataFrameWriter":
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> "DataFrameWriter":
        for k, v in options.items():
            self.option(k, v)
        return self

    def partitionBy(self, *cols: str) -> "DataFrameWriter":
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        ctx = self._df._ctx()
        self._partition_by = [ctx.resolve(c) for c in cols]
        return self

    def save(self, path: str | None = None, format: str | None = None, mode: str | None = None,
             partitionBy: Any = None, **options: Any) -> None:
        if format:
            self.format(format)
        self.mode(mode)
        if partitionBy:
            self.partitionBy(partitionBy)
        self.options(**{k: v for k, v in options.items() if v is not None})
        if path is None:
            raise ValueError("save() needs a path")
        if self._format not in ("parquet", "csv", "json"):
            from .io import sources
            source = sources.lookup(self._format)
            if not hasattr(source, "encode"):
                raise ValueError(f"the {self._format} data source cannot be written")
            data = [f for f in self._df.schema.fields if f.name not in self._partition_by]
            source.check_write(T.StructType(data))
        from .io.commit import write_frame
        write_frame(self._df, path, self._format, self._mode, self._partition_by, self._options)

    def saveAsTable(self, name: str, format: str | None = None, mode: str | None = None,
                    partitionBy: Any = None, **options: Any) -> None:
        """The rows as the warehouse table ``name`` (see dfml.sql.tables), with Spark's modes."""
        if format:
            self.format(format)
        self.mode(mode)
        if partitionBy:
            self.partitionBy(partitionBy)
        self.options(**{k: v for k, v in options.items() if v is not None})
        from .tables import Warehouse
        fmt = self._format if (format or self._format_set) else None
        Warehouse(self._df._session).save(self._df, name, fmt, self._mode, self._partition_by,
                                          self._options)

    def insertInto(self, tableName: str, overwrite: bool | None = None) -> None:
        """The rows added to the existing table ``tableName``, columns matched by position
        (``overwrite=True``, or mode "overwrite": replacing its rows)."""
        from .tables import Warehouse
        warehouse = Warehouse(self._df._session)
        entry = warehouse.get(tableName)
        replace = bool(overwrite) if overwrite is not None else self._mode == "overwrite"
        warehouse.append(self._df, entry, by_name=False, overwrite=replace)

    def parquet(self, path: str, mode: str | None = None, partitionBy: Any = None,
                compression: str | None = None) -> None:
        self.save(path, "parquet", mode, partitionBy, compression=compression)

    def csv(self, path: str, mode: str | None = None, compression: str | None = None,
            sep: str | None = None, header: Any = None, nullValue: str | None = None,
            **options: Any) -> None:
        self.save(path, "csv", mode, None, compression=compression, sep=sep, header=header,
                  nullValue=nullValue, **options)

    def json(self, path: str, mode: str | None = None, compression: str | None = None,
             **options: Any) -> None:
        self.save(path, "json", mode, None, compression=compression, **options)
