"""Temp views and ``spark.catalog``: names a SQL query can read, each bound to a DataFrame.

A view is the DataFrame itself (its plan), not a copy of the data: reading it in a query builds
on the same lazy plan, so pushdown reaches the view's source. Session views belong to one
session; global temp views (``global_temp.name``) are shared by all sessions of the process.
Behind them come the warehouse's tables and persistent views (dfml.sql.tables,
dfml.sql.warehouse_objects), which outlive the session.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..errors import AnalysisException
from .catalog_listings import CatalogObjects, Function, TablePartition, name_matches  # noqa: F401

GLOBAL_DB = "global_temp"
_GLOBAL_VIEWS: dict[str, Any] = {}


class Table(NamedTuple):
    """One row of ``Catalog.listTables()``, with PySpark's fields."""
    name: str
    catalog: str | None
    namespace: list[str] | None
    description: str | None
    tableType: str
    isTemporary: bool

    @property
    def database(self) -> str | None:
        return self.namespace[0] if self.namespace else None


class Column(NamedTuple):
    """One row of ``Catalog.listColumns()``, with PySpark's fields."""
    name: str
    description: str | None
    dataType: str
    nullable: bool
    isPartition: bool
    isBucket: bool
    isCluster: bool = False


def _not_found(name: str) -> AnalysisException:
    return AnalysisException(
        f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the "
        f"spelling and correctness of the schema and catalog.\nSearch path: [`system`.`builtin`, "
        f"`system`.`session`, `spark_catalog`.`default`].\nIf you did not qualify the name with a "
        f"schema, verify the current_schema() output, or qualify the name with the correct "
        f"schema and catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP "
        f"TABLE IF EXISTS. SQLSTATE: 42P01", "TABLE_OR_VIEW_NOT_FOUND")


def _split(name: str) -> tuple[str | None, str]:
    parts = [p.strip("`") for p in name.split(".")]
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise _not_found(name)


class SessionCatalog:
    """A session's temp views (names case-insensitive, as Spark's default), in front of the
    warehouse's persistent tables (dfml.sql.tables): a view shadows a table of its name."""

    def __init__(self, session: Any = None) -> None:
        self.views: dict[str, Any] = {}
        self.session = session

    def create(self, name: str, df: Any, replace: bool, global_: bool = False) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise AnalysisException(f"[INVALID_VIEW_NAME] A temp view name must be one plain "
                                    f"identifier, got {name!r}.", "INVALID_VIEW_NAME")
        views = _GLOBAL_VIEWS if global_ else self.views
        key = name.lower()
        if key in views and not replace:
            shown = f"`{GLOBAL_DB}`.`{name}`" if global_ else f"`{name}`"
            raise AnalysisException(
                f"[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view {shown} "
                f"because it already exists. Choose a different name, drop or replace the "
                f"existing view, or add the IF NOT EXISTS clause to tolerate pre-existing views. "
                f"SQLSTATE: 42P07", "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS")
        views[key] = df

    def lookup(self, name: str) -> Any | None:
        if name.count(".") > 1:  # catalog.db.table: never a temp view
            return None
        db, table = _split(name)
        if db is None:
            return self.views.get(table.lower())
        if db.lower() == GLOBAL_DB:
            return _GLOBAL_VIEWS.get(table.lower())
        return None

    def drop(self, name: str) -> bool:
        """Drop a temp view (``global_temp.v``: a global one); False when there is none."""
        db, table = _split(name)
        if db is None:
            return self.views.pop(table.lower(), None) is not None
        if db.lower() == GLOBAL_DB:
            return _GLOBAL_VIEWS.pop(table.lower(), None) is not None
        return False

    @staticmethod
    def not_found(name: str) -> AnalysisException:
        return _not_found(name)

    def get(self, name: str) -> Any:
        df = self.lookup(name)
        if df is not None:
            return df
        entry = self.table_entry(name)
        if entry is None:
            view = self.persistent_view(name)
            if view is None:
                raise _not_found(name)
            from ..warehouse_objects import read_view
            return read_view(self.session, view)
        from ..tables import Warehouse
        return Warehouse(self.session).read_entry(entry)

    def persistent_view(self, name: str) -> Any:
        """The warehouse's persistent view ``name`` (None: none, or not a view name)."""
        if self.session is None:
            return None
        from ..tables import Warehouse
        from ..warehouse_objects import lookup_view
        try:
            return lookup_view(Warehouse(self.session), name)
        except AnalysisException:
            return None

    def table_entry(self, name: str) -> Any:
        """The warehouse table ``name`` names (None: no such table, or not a table name)."""
        if self.session is None:
            return None
        from ..tables import Warehouse
        try:
            return Warehouse(self.session).lookup(name)
        except AnalysisException:
            return None


class CatalogMetadata(NamedTuple):
    """One row of ``Catalog.listCatalogs()``."""
    name: str
    description: str | None


class Database(NamedTuple):
    """One row of ``Catalog.listDatabases()``, with PySpark's fields."""
    name: str
    catalog: str | None
    description: str | None
    locationUri: str


class Catalog(CatalogObjects):
    """``spark.catalog``: the session's temp views and the warehouse's tables, views and
    databases (the functions, partitions and DDL listings are in sqlparse.catalog_listings)."""

    def __init__(self, session: Any, views: SessionCatalog):
        self._session = session
        self._views = views

    def _warehouse(self) -> Any:
        from ..tables import Warehouse
        return Warehouse(self._session)

    # ------------------------------------------------------------ catalogs and databases
    def currentCatalog(self) -> str:
        return "spark_catalog"

    def setCurrentCatalog(self, catalogName: str) -> None:
        """dfml has Spark's session catalog only."""
        if not isinstance(catalogName, str) or catalogName.lower() != "spark_catalog":
            raise AnalysisException(
                f"[CATALOG_NOT_FOUND] The catalog `{catalogName}` not found. Consider to set the "
                f"SQL config \"spark.sql.catalog.{catalogName}\" to a catalog plugin. "
                f"SQLSTATE: 42P08", "CATALOG_NOT_FOUND")

    def currentDatabase(self) -> str:
        return "default"

    def setCurrentDatabase(self, dbName: str) -> None:
        """Only ``default`` can be current: dfml's tables live there (another existing database
        is refused clearly rather than silently ignored)."""
        from ..warehouse_objects import DEFAULT_DB, db_name, other_database
        key = db_name(dbName)
        self.getDatabase(dbName)
        if key != DEFAULT_DB:
            raise other_database(key, f"USE {dbName}")

    def listCatalogs(self, pattern: str | None = None) -> list[CatalogMetadata]:
        import fnmatch
        return [c for c in [CatalogMetadata("spark_catalog", None)]
                if pattern is None or fnmatch.fnmatch(c.name, pattern)]

    def listDatabases(self, pattern: str | None = None) -> list[Database]:
        from ..warehouse_objects import databases
        names = sorted(["default", *databases(self._warehouse())])
        return [self.getDatabase(n) for n in names if name_matches(n, pattern)]

    def getDatabase(self, dbName: str) -> Database:
        from ..warehouse_objects import database_row
        name, description, uri = database_row(self._warehouse(), dbName)
        return Database(name, "spark_catalog", description, uri)

    def databaseExists(self, dbName: str) -> bool:
        from ..warehouse_objects import database_exists
        try:
            return database_exists(self._warehouse(), dbName)
        except AnalysisException:
            return False

    def createDatabase(self, dbName: str, ifNotExists: bool = False,
                       properties: dict[str, str] | None = None) -> None:
        from ..warehouse_objects import create_database
        create_database(self._warehouse(), dbName, ifNotExists, properties)

    def dropDatabase(self, dbName: str, ifExists: bool = False, cascade: bool = False) -> None:
        from ..warehouse_objects import drop_database
        drop_database(self._warehouse(), dbName, ifExists, cascade)

    # ------------------------------------------------------------ tables and views
    def _tables(self) -> list[Table]:
        from ..warehouse_objects import views
        wh = self._warehouse()
        kinds = {**{n: "VIEW" for n in views(wh)}, **{n: "MANAGED" for n in wh.entries()}}
        return [Table(name, "spark_catalog", ["default"], None, kind, False)
                for name, kind in sorted(kinds.items())]

    def listTables(self, dbName: str | None = None, pattern: str | None = None) -> list[Table]:
        import fnmatch
        tables = self._tables()
        if dbName is not None and dbName.lower() == GLOBAL_DB:
            tables = []
            names = [(n, [GLOBAL_DB]) for n in sorted(_GLOBAL_VIEWS)]
            names += [(n, []) for n in sorted(self._views.views)]
        else:
            if dbName is not None and self.getDatabase(dbName).name != "default":
                tables = []  # dfml's databases other than default hold no tables
            names = [(n, []) for n in sorted(self._views.views)]
        out = tables + [Table(n, None, ns, None, "TEMPORARY", True) for n, ns in names]
        if pattern is not None:
            out = [t for t in out if fnmatch.fnmatch(t.name, pattern.replace("|", "*"))]
        return out

    def listViews(self, dbName: str | None = None, pattern: str | None = None) -> list[Table]:
        """Persistent views of the database, then the session's temp views."""
        return [t for t in self.listTables(dbName) if t.tableType in ("VIEW", "TEMPORARY")
                and name_matches(t.name, pattern)]

    def getTable(self, tableName: str) -> Table:
        if self._views.lookup(tableName) is not None:
            db, name = _split(tableName)
            return Table(name.lower(), None, [db] if db else [], None, "TEMPORARY", True)
        entry = self._views.table_entry(tableName)
        if entry is not None:
            return Table(entry.name, "spark_catalog", ["default"], None, "MANAGED", False)
        view = self._views.persistent_view(tableName)
        if view is not None:
            return Table(view.name, "spark_catalog", ["default"], None, "VIEW", False)
        raise _not_found(tableName)

    def tableExists(self, tableName: str, dbName: str | None = None) -> bool:
        name = f"{dbName}.{tableName}" if dbName else tableName
        try:
            if self._views.lookup(name) is not None:
                return True
        except AnalysisException:
            return False
        return self._views.table_entry(name) is not None or \
            self._views.persistent_view(name) is not None

    def listColumns(self, tableName: str, dbName: str | None = None) -> list[Column]:
        name = f"{dbName}.{tableName}" if dbName else tableName
        entry = None if self._views.lookup(name) is not None else self._views.table_entry(name)
        if entry is not None:
            return [Column(f.name, None, f.dataType.simpleString(), f.nullable,
                           f.name in entry.partition_by, False) for f in entry.schema.fields]
        df = self._views.get(name)
        return [Column(f.name, None, f.dataType.simpleString(), f.nullable, False, False)
                for f in df.schema.fields]

    def createTable(self, tableName: str, path: str | None = None, source: str | None = None,
                    schema: Any = None, description: str | None = None, **options: str) -> Any:
        """An empty managed table of ``schema`` (dfml has no external tables: ``path`` is
        refused), returned as a DataFrame as in PySpark."""
        if path is not None or "path" in options:
            raise AnalysisException("createTable: dfml keeps tables in the warehouse; external "
                                    "tables (path=...) are not supported", "UNSUPPORTED_FEATURE")
        if schema is None:
            raise AnalysisException("createTable: a schema is needed (dfml does not infer one "
                                    "from files)", "UNSUPPORTED_FEATURE")
        from .. import types as T
        if isinstance(schema, str):
            schema = T.parse_ddl(schema)
        self._warehouse().create(tableName, schema, source, [])
        return self._session.table(tableName)

    def dropTable(self, tableName: str, ifExists: bool = False, purge: bool = False) -> None:
        self._warehouse().drop(tableName, ifExists)

    def dropView(self, viewName: str, ifExists: bool = False) -> None:
        """Drop a persistent view (a table of the name is refused, as in Spark)."""
        from ..warehouse_objects import drop_view
        drop_view(self._warehouse(), viewName, ifExists)

    def truncateTable(self, tableName: str) -> None:
        self._warehouse().truncate(tableName)

    def refreshTable(self, tableName: str) -> None:
        """Files are listed at each read, so there is nothing to refresh."""
        self.getTable(tableName)

    def dropTempView(self, viewName: str) -> bool:
        return self._views.views.pop(viewName.lower(), None) is not None

    def dropGlobalTempView(self, viewName: str) -> bool:
        return _GLOBAL_VIEWS.pop(viewName.lower(), None) is not None

    def isCached(self, tableName: str) -> bool:
        return False

    def clearCache(self) -> None:
        return None
