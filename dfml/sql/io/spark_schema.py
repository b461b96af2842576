"""Spark's schema in a parquet footer: where column metadata (ML attributes among it) lives.

Spark writes its schema as JSON under the footer key ``org.apache.spark.sql.parquet.row.metadata``
and reads field metadata back from it, so that a StringIndexer's labels or a VectorAssembler's
slot names survive a round trip through files. dfml writes the same key in the same form (so
Spark reads dfml's files with their metadata) and takes the metadata from it on read (so dfml
reads Spark's). Types still come from the Arrow schema; only metadata is taken from the JSON.
A type with no JSON form here means the key is not written (Spark then uses the parquet schema,
as it does for any file without the key).
"""

from __future__ import annotations

import json
from typing import Any

from .. import types as T

__all__ = ["SPARK_SCHEMA_KEY", "spark_schema_json", "field_metadata"]

SPARK_SCHEMA_KEY = b"org.apache.spark.sql.parquet.row.metadata"

# Spark's JSON for the ML vector type (its UDT class names and storage struct)
_VECTOR_JSON = {
    "type": "udt", "class": "org.apache.spark.ml.linalg.VectorUDT",
    "pyClass": "pyspark.ml.linalg.VectorUDT",
    "sqlType": {"type": "struct", "fields": [
        {"name": "type", "type": "byte", "nullable": False, "metadata": {}},
        {"name": "size", "type": "integer", "nullable": True, "metadata": {}},
        {"name": "indices", "type": {"type": "array", "elementType": "integer",
                                     "containsNull": False}, "nullable": True, "metadata": {}},
        {"name": "values", "type": {"type": "array", "elementType": "double",
                                    "containsNull": False}, "nullable": True, "metadata": {}}]},
}


class _NoJson(Exception):
    pass


def _type_json(dt: T.DataType) -> Any:
    if isinstance(dt, T.StructType):
        return _struct_json(dt)
    if isinstance(dt, T.ArrayType):
        return {"type": "array", "elementType": _type_json(dt.elementType),
                "containsNull": bool(dt.containsNull)}
    if isinstance(dt, T.MapType):
        return {"type": "map", "keyType": _type_json(dt.keyType),
                "valueType": _type_json(dt.valueType),
                "valueContainsNull": bool(dt.valueContainsNull)}
    if isinstance(dt, T.UserDefinedType):
        if type(dt).__name__ == "VectorUDT":
            return _VECTOR_JSON
        if isinstance(dt, T.VariantType):
            return "variant"
        raise _NoJson(type(dt).__name__)
    name = dt.typeName()
    return {"byte": "byte", "short": "short"}.get(name, name)


def _struct_json(schema: T.StructType) -> dict:
    return {"type": "struct", "fields": [
        {"name": f.name, "type": _type_json(f.dataType), "nullable": bool(f.nullable),
         "metadata": dict(f.metadata or {})} for f in schema.fields]}


def spark_schema_json(schema: T.StructType) -> bytes | None:
    """The footer value for ``schema``, or None when a type has no JSON form here."""
    try:
        return json.dumps(_struct_json(schema), separators=(",", ":")).encode()
    except (_NoJson, TypeError, ValueError):
        return None


def field_metadata(footer: dict | None) -> dict[str, dict]:
    """Column name -> metadata from a parquet footer's key-value metadata (empty without
    Spark's key, or when it does not parse)."""
    raw = (footer or {}).get(SPARK_SCHEMA_KEY)
    if not raw:
        return {}
    try:
        fields = json.loads(raw.decode()).get("fields", [])
        return {f["name"]: f["metadata"] for f in fields if f.get("metadata")}
    except (ValueError, AttributeError, KeyError, TypeError):
        return {}
