"""Spark's parse modes for text sources (CSV, JSON): what to do with a malformed record.

``PERMISSIVE`` (the default) keeps the record, with null in every field that could not be
parsed, and its raw text in the corrupt-record column when the schema has one.
``DROPMALFORMED`` leaves the record out. ``FAILFAST`` stops the read with an error that
names the file, the line and the record. An unknown mode falls back to PERMISSIVE, as Spark
does.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from .. import types as T
from ..errors import AnalysisException
from .files import FileReadError

PERMISSIVE, DROPMALFORMED, FAILFAST = "PERMISSIVE", "DROPMALFORMED", "FAILFAST"
DEFAULT_CORRUPT = "_corrupt_record"


def parse_mode(options: dict[str, Any]) -> str:
    """The reader's ``mode`` option (case-insensitive; unknown -> PERMISSIVE)."""
    mode = str(options.get("mode") or PERMISSIVE).upper()
    return mode if mode in (PERMISSIVE, DROPMALFORMED, FAILFAST) else PERMISSIVE


def corrupt_name(options: dict[str, Any]) -> str:
    """The corrupt-record column's name (``columnNameOfCorruptRecord``; the reader fills in
    the session's ``spark.sql.columnNameOfCorruptRecord`` when the option is unset)."""
    return str(options.get("columnnameofcorruptrecord") or DEFAULT_CORRUPT)


def split_schema(schema: T.StructType, corrupt: str) -> tuple[pa.Schema, str | None]:
    """The Arrow schema of a user-given ``schema`` and the corrupt-record column it holds
    (None if it has none). That column must be a nullable string, as in Spark."""
    arrow = pa.schema([pa.field(f.name, T.to_arrow(f.dataType)) for f in schema.fields])
    if corrupt not in schema.names:
        return arrow, None
    field = schema[corrupt]
    if not isinstance(field.dataType, T.StringType) or not field.nullable:
        raise AnalysisException(
            f"[INVALID_CORRUPT_RECORD_TYPE] The column `{corrupt}` for corrupt records must "
            f"have the nullable STRING type, but got {field.dataType.simpleString()}.",
            "INVALID_CORRUPT_RECORD_TYPE")
    return arrow, corrupt


def malformed(file: str, line: int, record: str, inferring: bool = False,
              column: str | None = None, reason: str = "") -> FileReadError:
    """The FAILFAST error for ``record`` (starting at 1-based ``line`` of ``file``; ``column``
    and ``reason`` say what is wrong with it where known). While a schema is inferred Spark
    raises MALFORMED_RECORD_IN_PARSING itself; while reading, inside FAILED_READ_FILE naming
    the file. Both name the file and the line here."""
    shown = record if len(record) <= 200 else record[:200] + "..."
    why = f" ({reason})" if reason else ""
    detail = (f"[MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed record at line {line} "
              f"of {file}: {shown!r}{why}. Parse Mode: FAILFAST. To read malformed records as "
              f"nulls, set the option 'mode' to 'PERMISSIVE'.")
    if inferring:
        return FileReadError(detail, "MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION", file, column)
    return FileReadError(f"[FAILED_READ_FILE.NO_HINT] Error while reading file {file}: {detail}",
                         "FAILED_READ_FILE.NO_HINT", file, column)
