"""The schema of a set of parquet files, and the check that each file fits it, as Spark does.

Without ``mergeSchema`` Spark takes the schema of the first file; every file read later must
store each column it is asked for as that type, or a type Spark widens to it (int -> bigint,
int -> double, float -> double). Anything else fails the read with
FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH naming the file, the column and both
types; Arrow on its own would cast silently (int64 values that fit into int32) or fail with
an error naming neither. With ``mergeSchema`` the schema is the union of all files' fields
in the order first seen (a column only some files have is null in the others); one name
with two different types is CANNOT_MERGE_SCHEMAS, as in Spark 4.3, which widens nothing
here (int and bigint do not merge).

An all-null column (Arrow's ``null`` type) is stored as INT32 and Spark reads it as int;
dfml types it the same way, so such a file first and a bigint file second fail as in Spark.
"""

from __future__ import annotations

from typing import Any, Callable

import pyarrow as pa
import pyarrow.parquet as pq

from .. import types as T
from ..errors import AnalysisException
from .files import FileReadError, footer_failure

# ``normalize`` below is the parquet reader's type mapping (``parquet.normalized_type`` with its
# decimal setting), passed in so that this module and the reader do not import each other.
Normalize = Callable[[pa.DataType], pa.DataType]


def spark_type(t: pa.DataType, normalize: Normalize) -> pa.DataType:
    """The Arrow type dfml reads a parquet column stored as ``t`` with."""
    if pa.types.is_null(t):
        return pa.int32()
    return normalize(t)


def file_schema(fs: Any, file: str, normalize: Normalize) -> pa.Schema:
    """``file``'s schema as dfml reads it (from its footer only); an error naming the file
    when it is not parquet."""
    try:
        with fs.open(file, "rb") as fh:
            schema = pq.read_schema(fh)
    except Exception as e:
        raise footer_failure(file, e) from None
    return pa.schema([pa.field(f.name, spark_type(f.type, normalize), True) for f in schema])


def _type_name(t: pa.DataType) -> str:
    try:
        return T.from_arrow(t).simpleString()
    except Exception:  # a type without a Spark name: show Arrow's
        return str(t)


def _merge_type(a: pa.DataType, b: pa.DataType) -> pa.DataType | None:
    """``a`` and ``b`` merged (structs field by field), None when they do not merge."""
    if a == b:
        return a
    if pa.types.is_struct(a) and pa.types.is_struct(b):
        merged = _merge_fields(list(a), list(b))
        return None if merged is None else pa.struct(merged)
    if pa.types.is_large_list(a) and pa.types.is_large_list(b):
        inner = _merge_type(a.value_type, b.value_type)
        return None if inner is None else pa.large_list(inner)
    return None


def _merge_fields(a: list[pa.Field], b: list[pa.Field]) -> list[pa.Field] | None:
    out = {f.name: f for f in a}
    for f in b:
        if f.name not in out:
            out[f.name] = f
            continue
        t = _merge_type(out[f.name].type, f.type)
        if t is None:
            return None
        out[f.name] = pa.field(f.name, t, True)
    return list(out.values())


def _struct_text(fields: list[pa.Field]) -> str:
    return "STRUCT<" + ", ".join(f"{f.name}: {_type_name(f.type).upper()}" for f in fields) + ">"


def resolve_schema(fs: Any, files: list[str], merge: bool, normalize: Normalize) -> pa.Schema:
    """The schema a read of ``files`` has: the first file's, or with ``merge`` all merged."""
    schema = file_schema(fs, files[0], normalize)
    if not merge:
        return schema
    fields = list(schema)
    for file in files[1:]:
        other = list(file_schema(fs, file, normalize))
        merged = _merge_fields(fields, other)
        if merged is None:
            clash = next(f for f in other for g in fields
                         if f.name == g.name and _merge_type(f.type, g.type) is None)
            before = next(g for g in fields if g.name == clash.name)
            raise AnalysisException(
                f"[CANNOT_MERGE_SCHEMAS] Failed merging schemas: column `{clash.name}` is "
                f"{_type_name(before.type)} in the files read before {file} and "
                f"{_type_name(clash.type)} in it.\nInitial schema:\n\"{_struct_text(fields)}\"\n"
                f"Schema that cannot be merged with the initial schema:\n\"{_struct_text(other)}\".",
                "CANNOT_MERGE_SCHEMAS")
        fields = merged
    return pa.schema(fields)


# ---------------------------------------------------------------- per-file check (in read tasks)

def _readable_as(actual: pa.DataType, expected: pa.DataType, normalize: Normalize) -> bool:
    """Whether a column stored as ``actual`` reads as ``expected`` (equal, or widened);
    ``normalize`` maps stored types to dfml's, keeping decimals."""
    if pa.types.is_null(actual):
        return True
    a = normalize(actual)
    if a == expected:
        return True
    if pa.types.is_decimal(a) or pa.types.is_decimal(expected):
        return True  # decimal precision and the decimal-as-double option are the decimal read's
    if pa.types.is_integer(a):
        if pa.types.is_integer(expected):
            return a.bit_width <= expected.bit_width
        return pa.types.is_float64(expected) and a.bit_width <= 32
    if pa.types.is_floating(a) and pa.types.is_floating(expected):
        return a.bit_width <= expected.bit_width
    if pa.types.is_struct(a) and pa.types.is_struct(expected):
        have = {f.name: f.type for f in a}
        return all(_readable_as(have[f.name], f.type, normalize) for f in expected if f.name in have)
    if pa.types.is_large_list(a) and pa.types.is_large_list(expected):
        return _readable_as(a.value_type, expected.value_type, normalize)
    if pa.types.is_map(a) and pa.types.is_map(expected):
        return _readable_as(a.key_type, expected.key_type, normalize) and \
            _readable_as(a.item_type, expected.item_type, normalize)
    return False


def _physical_name(metadata: Any, column: str, fallback: pa.DataType) -> str:
    """The parquet physical type of a top-level column (INT64, BINARY...), as Spark names it;
    ``metadata`` is the file's parquet metadata or a function returning it (read only here,
    on the error path)."""
    if callable(metadata):
        metadata = metadata()
    if metadata is not None:
        schema = metadata.schema
        for i in range(len(schema)):
            col = schema.column(i)
            if col.path == column:
                return "BINARY" if col.physical_type == "BYTE_ARRAY" else col.physical_type
    return str(fallback)


def check_file(path: str, physical: pa.Schema, expected: pa.Schema, columns: Any,
               metadata: Any, normalize: Normalize) -> None:
    """Raise FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH when ``path`` stores one of
    ``columns`` (all of ``expected`` when None) as a type that does not read as expected
    (``normalize``: stored type -> dfml's, decimals kept)."""
    names = expected.names if columns is None else list(columns)
    for name in names:
        idx = physical.get_field_index(name)
        if idx < 0 or expected.get_field_index(name) < 0:
            continue  # not in this file: read as nulls
        actual, want = physical.field(idx).type, expected.field(name).type
        if _readable_as(actual, want, normalize):
            continue
        raise FileReadError(
            f"[FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH] Error while reading file "
            f"{path}: column `{name}` is {_type_name(want)} in the schema being read but this "
            f"file stores it as {_physical_name(metadata, name, actual)} "
            f"({_type_name(normalize(actual))}). Files with different types for "
            f"one column cannot be read together; rewrite the file or read it apart and cast.",
            "FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH", path, name)
