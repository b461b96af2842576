"""Persistent tables: ``saveAsTable``, ``insertInto``, ``spark.table``, ``CREATE TABLE [AS]``.

A table is a directory of data files under the warehouse (``spark.sql.warehouse.dir``, by
default ``spark-warehouse`` in the working directory, as Spark's) plus one entry in a small
catalog file beside the tables (``_dfml_catalog.json``): name, format, location, schema and
partition columns. Spark without a Hive metastore forgets its tables when the session ends;
dfml keeps them in that file, so a table written by one session is read by the next.

Data goes through the same writer as ``df.write`` (one graph, atomic commit); the catalog
entry is written after the data committed, under the warehouse's lock, so a failed write
leaves neither files nor an entry behind. Reading a table is a lazy read of its files with
the recorded schema (all columns nullable, as Spark records a table's schema), so filters
and projections reach the reader.
"""

from __future__ import annotations

import json
import os
import posixpath
from typing import Any, NamedTuple

from . import types as T
from .catalog_entries import (
    DEFAULT_DB, already_exists, not_found, nullable, schema_from_json, schema_to_json, split_name)
from .errors import AnalysisException

CATALOG_FILE = "_dfml_catalog.json"
_FORMATS = ("parquet", "csv", "json")


class TableEntry(NamedTuple):
    """One table of the catalog file."""
    name: str
    location: str
    format: str
    schema: T.StructType
    partition_by: list[str]
    properties: dict[str, str] = {}

    def to_json(self) -> dict:
        return {"name": self.name, "location": self.location, "format": self.format,
                "schema": schema_to_json(self.schema), "partitionBy": self.partition_by,
                "properties": dict(self.properties)}

    @classmethod
    def from_json(cls, d: dict) -> "TableEntry":
        return cls(d["name"], d["location"], d["format"], schema_from_json(d["schema"]),
                   list(d.get("partitionBy") or []), dict(d.get("properties") or {}))

    @property
    def qualified(self) -> str:
        return f"`spark_catalog`.`{DEFAULT_DB}`.`{self.name}`"


class Warehouse:
    """The session's warehouse directory and its catalog file."""

    def __init__(self, session: Any):
        from .io.files import url_to_fs
        self.session = session
        root = session.conf.get("spark.sql.warehouse.dir") or os.path.abspath("spark-warehouse")
        self.fs, self.root = url_to_fs(str(root))
        self.root = self.root.rstrip("/")
        self.url = str(root).rstrip("/")

    # ------------------------------------------------------------ the catalog file
    def _catalog_path(self) -> str:
        return posixpath.join(self.root, CATALOG_FILE)

    def load(self) -> dict:
        """The catalog file's sections: ``tables``, ``views`` (persistent views, as SQL text)
        and ``databases`` (dfml.sql.warehouse_objects)."""
        path = self._catalog_path()
        if not self.fs.exists(path):
            return {}
        with self.fs.open(path, "rb") as f:
            return json.loads(f.read().decode())

    def entries(self) -> dict[str, TableEntry]:
        return {k: TableEntry.from_json(v) for k, v in self.load().get("tables", {}).items()}

    def _store(self, entries: dict[str, TableEntry]) -> None:
        payload = self.load()
        payload["tables"] = {k: e.to_json() for k, e in sorted(entries.items())}
        self.store_payload(payload)

    def store_payload(self, payload: dict) -> None:
        """Write the catalog file whole: a new file renamed over the old (atomic locally).
        Callers hold ``locked()`` and pass the sections they read under it."""
        self.fs.makedirs(self.root, exist_ok=True)
        path = self._catalog_path()
        tmp = f"{path}.{os.getpid()}.tmp"
        payload = {**payload, "version": 1}
        with self.fs.open(tmp, "wb") as f:
            f.write(json.dumps(payload, indent=1).encode())
        self.fs.mv(tmp, path) if not _local(self.fs) else os.replace(tmp, path)

    def locked(self) -> Any:
        from .io.locking import commit_lock
        self.fs.makedirs(self.root, exist_ok=True)
        return commit_lock(self.fs, self._catalog_path())

    def key(self, name: str) -> str:
        """The catalog key of a table or view name (``split_name``); a name in a database
        other than ``default`` that exists is refused clearly (dfml.sql.warehouse_objects)."""
        try:
            return split_name(name)
        except AnalysisException as e:
            if e.getErrorClass() == "SCHEMA_NOT_FOUND":
                from .warehouse_objects import refuse_other_database
                refuse_other_database(self, name)
            raise

    def lookup(self, name: str) -> TableEntry | None:
        return self.entries().get(self.key(name))

    def get(self, name: str) -> TableEntry:
        entry = self.lookup(name)
        if entry is None:
            raise not_found(name)
        return entry

    # ------------------------------------------------------------ reading
    def read(self, name: str) -> Any:
        entry = self.get(name)
        return self.read_entry(entry)

    def read_entry(self, entry: TableEntry) -> Any:
        session = self.session
        fs, loc = self.fs, posixpath.join(self.root, entry.name)
        if not fs.exists(loc) or not _has_data(fs, loc):
            return session.createDataFrame([], entry.schema)
        df = session.read.format(entry.format).load(entry.location) \
            if entry.format == "parquet" else None
        if df is None or [(f.name, f.dataType) for f in df.schema.fields] != \
                [(f.name, f.dataType) for f in entry.schema.fields]:
            reader = session.read.format(entry.format).schema(entry.schema)
            df = reader.load(entry.location)
        if df.schema == entry.schema:
            return df
        # the same lazy read, declared with the table's schema (Spark records every column of a
        # table as nullable, whatever the files say); a cast would stop filter pushdown here
        return type(df)(df._frame, session, {n: True for n in entry.schema.names},
                        sources=tuple(df._sources), schema=entry.schema)

    # ------------------------------------------------------------ writing
    def location(self, table: str) -> str:
        return f"{self.url}/{table}"

    def save(self, df: Any, name: str, fmt: str | None, mode: str, partition_by: list[str],
             options: dict[str, Any], properties: dict[str, str] | None = None) -> None:
        """``df.write.saveAsTable(name)`` with Spark's save modes."""
        table = self.key(name)
        self._replace_view(table, mode)
        fmt = (fmt or self.session.conf.get("spark.sql.sources.default") or "parquet").lower()
        if fmt not in _FORMATS:
            raise AnalysisException(f"saveAsTable: dfml writes tables as {', '.join(_FORMATS)}, "
                                    f"not {fmt!r}", "UNSUPPORTED_DATA_SOURCE")
        existing = self.lookup(table)
        if existing is not None:
            if mode == "error":
                raise already_exists(table)
            if mode == "ignore":
                return
            if mode == "append":
                self.append(df, existing, by_name=True)
                return
        self._refuse_stray_location(table, existing)
        schema = _table_schema(df.schema, partition_by)
        df = df.select(*schema.names)
        from .io.commit import write_frame
        write_frame(df, self.location(table), fmt, "overwrite" if existing else "error",
                    partition_by, options)
        with self.locked():
            entries = self.entries()
            entries[table] = TableEntry(table, self.location(table), fmt, nullable(schema),
                                        list(partition_by), dict(properties or {}))
            self._store(entries)

    def _replace_view(self, table: str, mode: str) -> None:
        """A persistent view of the name: refused, or (overwrite) replaced by the table, as
        Spark's saveAsTable does."""
        from .warehouse_objects import drop_view, views
        if table in views(self):
            if mode != "overwrite":
                raise already_exists(table)
            drop_view(self, table)

    def _refuse_stray_location(self, table: str, existing: TableEntry | None) -> None:
        loc = posixpath.join(self.root, table)
        if existing is None and self.fs.exists(loc):
            raise AnalysisException(
                f"[LOCATION_ALREADY_EXISTS] Cannot name the managed table as "
                f"`spark_catalog`.`{DEFAULT_DB}`.`{table}`, as its associated location "
                f"'{self.location(table)}' already exists. Please pick a different table name, "
                f"or remove the existing location first. SQLSTATE: 42710",
                "LOCATION_ALREADY_EXISTS")

    def append(self, df: Any, entry: TableEntry, by_name: bool = False,
               overwrite: bool = False) -> None:
        """Rows of ``df`` added to (or replacing those of) the table: matched by name for
        ``saveAsTable(mode="append")``, by position for ``insertInto``, cast to the table's
        types under Spark's store-assignment rules."""
        from .table_insert import conform
        df = conform(df, entry, by_name)
        from .io.commit import write_frame
        mode = "overwrite" if overwrite else "append"
        write_frame(df, entry.location, entry.format, mode, entry.partition_by, {})

    def create(self, name: str, schema: T.StructType, fmt: str | None, partition_by: list[str],
               if_not_exists: bool = False, replace: bool = False, data: Any = None,
               properties: dict[str, str] | None = None) -> None:
        """``CREATE TABLE``: an empty table of ``schema``, or the rows of ``data`` (CTAS)."""
        table = self.key(name)
        from .warehouse_objects import views
        if table in views(self):
            if if_not_exists:
                return
            raise already_exists(table)
        existing = self.lookup(table)
        if existing is not None and not replace:
            if if_not_exists:
                return
            raise already_exists(table)
        if data is None:
            data = self.session.createDataFrame([], schema)
        self.save(data, table, fmt, "overwrite" if existing is not None else "error",
                  partition_by, {}, properties)

    def drop(self, name: str, if_exists: bool = False) -> bool:
        table = self.key(name)
        from .warehouse_objects import drop_view, views
        if table in views(self):  # DROP TABLE drops a view too, as in Spark
            return drop_view(self, table)
        with self.locked():
            entries = self.entries()
            entry = entries.pop(table, None)
            if entry is None:
                if if_exists:
                    return False
                raise not_found(f"spark_catalog`.`{DEFAULT_DB}`.`{table}")
            self._store(entries)
        loc = posixpath.join(self.root, table)
        if self.fs.exists(loc):
            self.fs.rm(loc, recursive=True)
        return True

    def truncate(self, name: str) -> None:
        entry = self.get(name)
        self.append(self.session.createDataFrame([], entry.schema), entry, overwrite=True)


def _local(fs: Any) -> bool:
    from .io.locking import is_local
    return is_local(fs)


def _has_data(fs: Any, loc: str) -> bool:
    from .io.files import list_data_files
    try:
        _, files = list_data_files(loc, recursive=False)
    except (FileNotFoundError, AnalysisException):
        return False
    return bool(files)


def _table_schema(schema: T.StructType, partition_by: list[str]) -> T.StructType:
    """The table's column order: data columns, then the partition columns (as Spark's)."""
    keys = [f for f in schema.fields if f.name in partition_by]
    return T.StructType([f for f in schema.fields if f.name not in partition_by] +
                        sorted(keys, key=lambda f: partition_by.index(f.name)))
