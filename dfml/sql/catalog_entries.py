"""Names, errors and stored schemas shared by the warehouse's tables (dfml.sql.tables) and its
databases and views (dfml.sql.warehouse_objects): a leaf, so that neither imports the other's
module for them."""

from __future__ import annotations

from . import types as T
from .errors import AnalysisException

DEFAULT_DB = "default"


def schema_to_json(schema: T.StructType) -> list[dict]:
    return [{"name": f.name, "type": f.dataType.simpleString(), "metadata": f.metadata or {}}
            for f in schema.fields]


def schema_from_json(fields: list[dict]) -> T.StructType:
    return T.StructType([T.StructField(f["name"], T.parse_type(f["type"]), True,
                                       f.get("metadata") or {}) for f in fields])


def split_name(name: str) -> str:
    """A table name as written (``t``, ``default.t``, ``spark_catalog.default.t``) -> ``t``,
    lower-cased as Spark's catalog stores it; other databases do not exist in dfml."""
    if not isinstance(name, str) or not name.strip():
        raise AnalysisException(f"[INVALID_TABLE_NAME] a table name must be a non-empty string, "
                                f"got {name!r}", "INVALID_TABLE_NAME")
    parts = [p.strip().strip("`") for p in name.split(".")]
    if len(parts) == 3 and parts[0].lower() == "spark_catalog":
        parts = parts[1:]
    if len(parts) == 2:
        if parts[0].lower() != DEFAULT_DB:
            raise AnalysisException(
                f"[SCHEMA_NOT_FOUND] The schema `{parts[0]}` cannot be found. Verify the spelling "
                f"and correctness of the schema and catalog. SQLSTATE: 42704", "SCHEMA_NOT_FOUND")
        parts = parts[1:]
    if len(parts) != 1 or not parts[0]:
        raise AnalysisException(f"[INVALID_TABLE_NAME] {name!r} is not a table name",
                                "INVALID_TABLE_NAME")
    return parts[0].lower()


def already_exists(entry_name: str) -> AnalysisException:
    return AnalysisException(
        f"[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view "
        f"`spark_catalog`.`{DEFAULT_DB}`.`{entry_name}` because it already exists.\nChoose a "
        f"different name, drop or replace the existing object, or add the IF NOT EXISTS clause "
        f"to tolerate pre-existing objects. SQLSTATE: 42P07", "TABLE_OR_VIEW_ALREADY_EXISTS")


def not_found(name: str) -> AnalysisException:
    return AnalysisException(
        f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the "
        f"spelling and correctness of the schema and catalog.\nSearch path: "
        f"[`spark_catalog`.`{DEFAULT_DB}`].\nIf you did not qualify the name with a schema, "
        f"verify the current_schema() output, or qualify the name with the correct schema and "
        f"catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF "
        f"EXISTS. SQLSTATE: 42P01", "TABLE_OR_VIEW_NOT_FOUND")


def nullable(schema: T.StructType) -> T.StructType:
    return T.StructType([T.StructField(f.name, f.dataType, True, f.metadata) for f in schema.fields])
