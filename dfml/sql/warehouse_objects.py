"""Databases and persistent views, kept in the warehouse's catalog file beside the tables.

Spark without a Hive metastore forgets both when the session ends; dfml writes them in the
same ``_dfml_catalog.json`` as its tables (dfml.sql.tables), so the next session sees them.

A database is a name, a description, a location (``<warehouse>/<name>.db``, Spark's layout) and
its properties. dfml's tables and views live in ``default`` only: a name qualified with another
database that exists is refused with a clear error rather than created somewhere else.

A persistent view is its query's SQL text plus the column names it was created with; reading
it parses and translates the text again (as Spark re-analyzes a view), so it sees the tables'
data of the moment it is read. A view may not refer to a temporary view, as in Spark.
"""

from __future__ import annotations

import posixpath
from typing import Any, NamedTuple

from . import types as T
from .catalog_entries import (DEFAULT_DB, already_exists, not_found, nullable, schema_from_json,
                             schema_to_json)
from .errors import AnalysisException
CATALOG = "spark_catalog"


class ViewEntry(NamedTuple):
    """One persistent view: its name, SQL text, and the schema it had when created."""
    name: str
    sql: str
    schema: T.StructType

    def to_json(self) -> dict:
        return {"name": self.name, "sql": self.sql, "schema": schema_to_json(self.schema)}

    @classmethod
    def from_json(cls, d: dict) -> "ViewEntry":
        return cls(d["name"], d["sql"], schema_from_json(d["schema"]))


# ------------------------------------------------------------------ errors as Spark names them
def schema_not_found(name: str) -> AnalysisException:
    return AnalysisException(
        f"[SCHEMA_NOT_FOUND] The schema `{CATALOG}`.`{name}` cannot be found. Verify the "
        f"spelling and correctness of the schema and catalog.\nIf you did not qualify the name "
        f"with a catalog, verify the current_schema() output, or qualify the name with the "
        f"correct catalog.\nTo tolerate the error on drop use DROP SCHEMA IF EXISTS. "
        f"SQLSTATE: 42704", "SCHEMA_NOT_FOUND")


def other_database(db: str, name: str) -> AnalysisException:
    return AnalysisException(
        f"[UNSUPPORTED_FEATURE] dfml keeps tables and views in the `{DEFAULT_DB}` database "
        f"only: {name!r} names database `{db}`.", "UNSUPPORTED_FEATURE")


def db_name(name: str) -> str:
    """``db`` or ``spark_catalog.db`` -> ``db`` (lower-cased, as Spark's catalog stores it)."""
    if not isinstance(name, str) or not name.strip():
        raise AnalysisException(f"[INVALID_SCHEMA_NAME] a database name must be a non-empty "
                                f"string, got {name!r}", "INVALID_SCHEMA_NAME")
    parts = [p.strip().strip("`") for p in name.split(".")]
    if len(parts) == 2 and parts[0].lower() == CATALOG:
        parts = parts[1:]
    if len(parts) != 1 or not parts[0]:
        raise AnalysisException(
            f"[REQUIRES_SINGLE_PART_NAMESPACE] {CATALOG} requires a single-part namespace, but "
            f"got {name!r}. SQLSTATE: 42K05", "REQUIRES_SINGLE_PART_NAMESPACE")
    return parts[0].lower()


# ------------------------------------------------------------------ databases
def databases(wh: Any) -> dict[str, dict]:
    """The databases other than ``default``: name -> description, location, properties."""
    return dict(wh.load().get("databases", {}))


def database_exists(wh: Any, name: str) -> bool:
    key = db_name(name)
    return key == DEFAULT_DB or key in databases(wh)


def database_row(wh: Any, name: str) -> tuple[str, str, str]:
    """(name, description, location URI) of a database, as ``getDatabase`` shows it."""
    key = db_name(name)
    if key == DEFAULT_DB:
        return DEFAULT_DB, "default database", _uri(wh.url)
    entry = databases(wh).get(key)
    if entry is None:
        raise schema_not_found(name)
    return key, entry["description"], _uri(entry["location"])


def _uri(url: str) -> str:
    return url if "://" in url else f"file:{url}"


def create_database(wh: Any, name: str, if_not_exists: bool = False,
                    properties: dict[str, str] | None = None) -> None:
    """``CREATE DATABASE``: the entry and its directory; ``comment`` and ``location`` are the
    properties Spark reads as description and location."""
    key = db_name(name)
    props = {str(k): str(v) for k, v in (properties or {}).items()}
    with wh.locked():
        payload = wh.load()
        dbs = payload.setdefault("databases", {})
        if key == DEFAULT_DB or key in dbs:
            if if_not_exists:
                return
            raise AnalysisException(
                f"[SCHEMA_ALREADY_EXISTS] Cannot create schema `{key}` because it already "
                f"exists.\nChoose a different name, drop the existing schema, or add the IF NOT "
                f"EXISTS clause to tolerate pre-existing schema. SQLSTATE: 42P06",
                "SCHEMA_ALREADY_EXISTS")
        location = props.pop("location", None) or f"{wh.url}/{key}.db"
        dbs[key] = {"description": props.pop("comment", ""), "location": location,
                    "properties": props}
        wh.store_payload(payload)
    if location.startswith(wh.url):
        wh.fs.makedirs(posixpath.join(wh.root, f"{key}.db"), exist_ok=True)


def drop_database(wh: Any, name: str, if_exists: bool = False, cascade: bool = False) -> None:
    """``DROP DATABASE``: dfml's databases hold no tables (those live in ``default``), so
    ``cascade`` has nothing to drop."""
    key = db_name(name)
    if key == DEFAULT_DB:
        raise AnalysisException(
            f"[UNSUPPORTED_FEATURE.DROP_DATABASE] The feature is not supported: Drop the default "
            f"database `{CATALOG}`.`{DEFAULT_DB}`. SQLSTATE: 0A000",
            "UNSUPPORTED_FEATURE.DROP_DATABASE")
    with wh.locked():
        payload = wh.load()
        entry = payload.get("databases", {}).pop(key, None)
        if entry is None:
            if if_exists:
                return
            raise schema_not_found(key)
        wh.store_payload(payload)
    loc = posixpath.join(wh.root, f"{key}.db")
    if wh.fs.exists(loc):
        wh.fs.rm(loc, recursive=True)


def refuse_other_database(wh: Any, name: str) -> None:
    """A table name qualified with a database: refused clearly when that database exists
    (dfml's tables live in ``default``); the caller raises SCHEMA_NOT_FOUND otherwise."""
    parts = [p.strip().strip("`") for p in name.split(".")]
    if len(parts) == 3 and parts[0].lower() == CATALOG:
        parts = parts[1:]
    if len(parts) == 2 and parts[0].lower() in databases(wh):
        raise other_database(parts[0].lower(), name)


# ------------------------------------------------------------------ persistent views
def views(wh: Any) -> dict[str, ViewEntry]:
    return {k: ViewEntry.from_json(v) for k, v in wh.load().get("views", {}).items()}


def lookup_view(wh: Any, name: str) -> ViewEntry | None:
    return views(wh).get(wh.key(name))


def create_view(wh: Any, name: str, sql: str, schema: T.StructType, replace: bool = False,
                if_not_exists: bool = False) -> None:
    key = wh.key(name)
    with wh.locked():
        payload = wh.load()
        stored = payload.setdefault("views", {})
        if key in payload.get("tables", {}):
            if replace:
                raise AnalysisException(
                    f"[EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE] The table `{CATALOG}`.`{DEFAULT_DB}`"
                    f".`{key}` does not support CREATE OR REPLACE VIEW.  SQLSTATE: 42809",
                    "EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE")
            if if_not_exists:
                return
            raise already_exists(key)
        if key in stored and not replace:
            if if_not_exists:
                return
            raise already_exists(key)
        stored[key] = ViewEntry(key, sql, nullable(schema)).to_json()
        wh.store_payload(payload)


def drop_view(wh: Any, name: str, if_exists: bool = False) -> bool:
    """``DROP VIEW`` of a persistent view; a table of that name is refused, as in Spark."""
    key = wh.key(name)
    with wh.locked():
        payload = wh.load()
        if key in payload.get("tables", {}):
            raise wrong_object(key, "DROP VIEW", "VIEW or METRIC_VIEW", "MANAGED", "DROP TABLE")
        if payload.get("views", {}).pop(key, None) is None:
            if if_exists:
                return False
            raise not_found(f"{CATALOG}`.`{DEFAULT_DB}`.`{key}")
        wh.store_payload(payload)
    return True


def wrong_object(key: str, operation: str, expected: str, actual: str,
                 alternative: str) -> AnalysisException:
    return AnalysisException(
        f"[WRONG_COMMAND_FOR_OBJECT_TYPE] The operation {operation} requires a {expected}. But "
        f"{CATALOG}.{DEFAULT_DB}.{key} is a {actual}. Use {alternative} instead. SQLSTATE: 42809",
        "WRONG_COMMAND_FOR_OBJECT_TYPE")


def read_view(session: Any, view: ViewEntry) -> Any:
    """The view's query, translated again now, under the column names it was created with."""
    df = session.sql(view.sql)
    names = view.schema.names
    return df if df.columns == names else df.toDF(*names)
