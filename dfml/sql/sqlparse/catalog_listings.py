"""What ``spark.catalog`` lists and describes beyond names: functions, a table's partitions,
its properties and its ``CREATE`` statement.

Functions are dfml's own: the names SQL text can call (dfml.sql.functions and the UDFs
registered by name), with Spark's ``Function`` fields; the description is the first line of
dfml's docstring and the class name the Python function's, since dfml has no JVM classes.
Partitions are read from the table's directory (``key=value`` levels), as Spark lists a file
table's partitions.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, NamedTuple

from ..errors import AnalysisException


class Function(NamedTuple):
    """One row of ``Catalog.listFunctions()``, with PySpark's fields."""
    name: str
    catalog: str | None
    namespace: list[str] | None
    description: str | None
    className: str
    isTemporary: bool


class TablePartition(NamedTuple):
    """One row of ``Catalog.listPartitions()``: a ``key=value[/key=value]`` spec."""
    partition: str


def name_matches(name: str, pattern: str | None) -> bool:
    """Spark's catalog pattern: ``|``-separated alternatives, ``*`` any run of characters, the
    rest a regular expression, matched whole and ignoring case."""
    if pattern is None:
        return True
    return any(re.fullmatch(p.strip().replace("*", ".*"), name, re.IGNORECASE)
               for p in pattern.split("|"))


def _not_found(name: str) -> AnalysisException:
    """TABLE_OR_VIEW_NOT_FOUND as Spark's table commands word it (no builtin search path)."""
    return AnalysisException(
        f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the "
        f"spelling and correctness of the schema and catalog.\nSearch path: [`system`.`session`, "
        f"`spark_catalog`.`default`].\nIf you did not qualify the name with a schema, verify the "
        f"current_schema() output, or qualify the name with the correct schema and catalog.\nTo "
        f"tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS. "
        f"SQLSTATE: 42P01", "TABLE_OR_VIEW_NOT_FOUND")


def _describe(fn: Any) -> str | None:
    doc = (getattr(fn, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else None


def sql_type(dt: Any) -> str:
    """A type as Spark's ``SHOW CREATE TABLE`` writes it (strings with their collation)."""
    from .. import types as T
    if isinstance(dt, T.StringType):
        return "STRING COLLATE UTF8_BINARY"
    if isinstance(dt, T.ArrayType):
        return f"ARRAY<{sql_type(dt.elementType)}>"
    if isinstance(dt, T.MapType):
        return f"MAP<{sql_type(dt.keyType)}, {sql_type(dt.valueType)}>"
    if isinstance(dt, T.StructType):
        return "STRUCT<" + ", ".join(f"{quote_name(f.name)}: {sql_type(f.dataType)}"
                                     for f in dt.fields) + ">"
    return dt.simpleString().upper()


def quote_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else \
        "`" + name.replace("`", "``") + "`"


def partition_specs(fs: Any, root: str, keys: list[str]) -> list[str]:
    """The ``k1=v1/k2=v2`` directories under a table's root that hold its partitions."""
    level = [("", root)]
    for key in keys:
        deeper = []
        for spec, path in level:
            if not fs.exists(path):
                continue
            for info in fs.ls(path, detail=True):
                base = posixpath.basename(info["name"].rstrip("/"))
                if info["type"] == "directory" and base.startswith(f"{key}="):
                    deeper.append((f"{spec}/{base}" if spec else base, info["name"]))
        level = deeper
    return sorted(spec for spec, _ in level)


class CatalogObjects:
    """The listing half of ``spark.catalog`` (mixed into sqlparse.catalog.Catalog, which
    provides ``_warehouse()``, ``_views`` and ``_session``)."""

    _views: Any
    _session: Any

    def _warehouse(self) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------ functions
    def _functions(self) -> dict[str, Function]:
        from .. import functions as F
        from .. import udf_registry
        from .exprs import sql_function_names
        out = {}
        for name, fn in sql_function_names(F).items():
            target = name if hasattr(F, name) or fn is None else fn.__name__
            cls = f"{F.__name__}.{target}"
            out[name] = Function(name, None, None, _describe(fn), cls, True)
        for name, fn in udf_registry.registered().items():
            out[name] = Function(name, None, None, "N/A.", type(fn).__qualname__, True)
        return dict(sorted(out.items()))

    def listFunctions(self, dbName: str | None = None,
                      pattern: str | None = None) -> list[Function]:
        """Built-in functions and registered UDFs whose name matches ``pattern``, by name."""
        if dbName is not None:
            self.getDatabase(dbName)  # type: ignore[attr-defined]
        return [f for n, f in self._functions().items() if name_matches(n, pattern)]

    def functionExists(self, functionName: str, dbName: str | None = None) -> bool:
        """A qualified name (``db.f``) names a persistent function, which dfml has none of."""
        if dbName is not None or "." in functionName:
            return False
        return functionName.lower() in self._functions()

    def getFunction(self, functionName: str) -> Function:
        found = None if "." in functionName else self._functions().get(functionName.lower())
        if found is None:
            raise AnalysisException(
                f"[UNRESOLVED_ROUTINE] Cannot resolve routine `{functionName}` on search path "
                f"[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]. "
                f"SQLSTATE: 42883", "UNRESOLVED_ROUTINE")
        return found

    # ------------------------------------------------------------ one table's details
    def _object(self, name: str, command: str) -> tuple[Any, Any]:
        """(table entry, None) or (None, view entry) of a warehouse name; a temp view is
        neither (None, the DataFrame)."""
        if self._views.lookup(name) is not None:
            return None, self._views.lookup(name)
        entry = self._views.table_entry(name)
        if entry is not None:
            return entry, None
        view = self._views.persistent_view(name)
        if view is None:
            raise _not_found(name)
        return None, view

    def _table_only(self, name: str, command: str) -> Any:
        entry, view = self._object(name, command)
        if entry is None:
            shown = getattr(view, "name", name)
            raise AnalysisException(
                f"[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] '{command}' expects a table but "
                f"`spark_catalog`.`default`.`{shown}` is a view.  SQLSTATE: 42809",
                "EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE")
        return entry

    def getTableProperties(self, tableName: str) -> dict[str, str]:
        """The table's ``TBLPROPERTIES``; a view has none."""
        entry, _ = self._object(tableName, "Catalog.getTableProperties")
        return dict(sorted(entry.properties.items())) if entry is not None else {}

    def getCreateTableString(self, tableName: str, asSerde: bool = False) -> str:
        """The ``CREATE TABLE`` (or ``CREATE VIEW``) statement that makes the object again."""
        entry, view = self._object(tableName, "Catalog.getCreateTableString")
        if entry is None:
            if not hasattr(view, "sql"):
                raise AnalysisException(
                    f"[EXPECT_PERMANENT_VIEW_NOT_TEMP] 'SHOW CREATE TABLE' expects a permanent "
                    f"view but `{tableName}` is a temp view. SQLSTATE: 42809",
                    "EXPECT_PERMANENT_VIEW_NOT_TEMP")
            cols = ",\n".join(f"  {quote_name(n)}" for n in view.schema.names)
            return (f"CREATE VIEW default.{view.name} (\n{cols})\nWITH SCHEMA COMPENSATION\n"
                    f"AS {view.sql}\n")
        cols = ",\n".join(f"  {quote_name(f.name)} {sql_type(f.dataType)}"
                          for f in entry.schema.fields)
        out = f"CREATE TABLE spark_catalog.default.{entry.name} (\n{cols})\nUSING {entry.format}\n"
        if entry.partition_by:
            out += f"PARTITIONED BY ({', '.join(quote_name(k) for k in entry.partition_by)})\n"
        if entry.properties:
            props = ",\n".join(f"  '{k}' = '{v}'" for k, v in sorted(entry.properties.items()))
            out += f"TBLPROPERTIES (\n{props})\n"
        return out

    def analyzeTable(self, tableName: str, noScan: bool = False) -> None:
        """dfml keeps no table statistics (it has no cost-based optimizer to use them): the
        table is checked, as Spark checks it, and nothing is computed."""
        self._table_only(tableName, "Catalog.analyzeTable")

    def listPartitions(self, tableName: str) -> list[TablePartition]:
        entry = self._table_only(tableName, "Catalog.listPartitions")
        if not entry.partition_by:
            raise AnalysisException(
                f"[INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY] The partition command "
                f"is invalid. Table `spark_catalog`.`default`.`{entry.name}` is not partitioned. "
                f"SQLSTATE: 42601", "INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY")
        wh = self._warehouse()
        root = posixpath.join(wh.root, entry.name)
        return [TablePartition(s) for s in partition_specs(wh.fs, root, entry.partition_by)]
