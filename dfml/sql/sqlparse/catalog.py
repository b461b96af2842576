"""Temp views and ``spark.catalog``: names a SQL query can read, each bound to a DataFrame.

A view is the DataFrame itself (its plan), not a copy of the data: reading it in a query builds
on the same lazy plan, so pushdown reaches the view's source. Session views belong to one
session; global temp views (``global_temp.name``) are shared by all sessions of the process.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..errors import AnalysisException

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
        f"schema and catalog. SQLSTATE: 42P01",
        "TABLE_OR_VIEW_NOT_FOUND")


def _split(name: str) -> tuple[str | None, str]:
    parts = [p.strip("`") for p in name.split(".")]
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise _not_found(name)


class SessionCatalog:
    """A session's temp views (names case-insensitive, as Spark's default)."""

    def __init__(self) -> None:
        self.views: dict[str, Any] = {}

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
        if df is None:
            raise _not_found(name)
        return df


class Catalog:
    """``spark.catalog``: the session's temp views (dfml has no persistent tables yet)."""

    def __init__(self, session: Any, views: SessionCatalog):
        self._session = session
        self._views = views

    def currentCatalog(self) -> str:
        return "spark_catalog"

    def currentDatabase(self) -> str:
        return "default"

    def listTables(self, dbName: str | None = None, pattern: str | None = None) -> list[Table]:
        import fnmatch
        if dbName is not None and dbName.lower() == GLOBAL_DB:
            names = [(n, [GLOBAL_DB]) for n in sorted(_GLOBAL_VIEWS)]
            names += [(n, []) for n in sorted(self._views.views)]
        else:
            names = [(n, []) for n in sorted(self._views.views)]
        out = [Table(n, None, ns, None, "TEMPORARY", True) for n, ns in names]
        if pattern is not None:
            out = [t for t in out if fnmatch.fnmatch(t.name, pattern.replace("|", "*"))]
        return out

    def tableExists(self, tableName: str, dbName: str | None = None) -> bool:
        name = f"{dbName}.{tableName}" if dbName else tableName
        try:
            return self._views.lookup(name) is not None
        except AnalysisException:
            return False

    def listColumns(self, tableName: str, dbName: str | None = None) -> list[Column]:
        name = f"{dbName}.{tableName}" if dbName else tableName
        df = self._views.get(name)
        return [Column(f.name, None, f.dataType.simpleString(), f.nullable, False, False)
                for f in df.schema.fields]

    def dropTempView(self, viewName: str) -> bool:
        return self._views.views.pop(viewName.lower(), None) is not None

    def dropGlobalTempView(self, viewName: str) -> bool:
        return _GLOBAL_VIEWS.pop(viewName.lower(), None) is not None

    def isCached(self, tableName: str) -> bool:
        return False

    def clearCache(self) -> None:
        return None
