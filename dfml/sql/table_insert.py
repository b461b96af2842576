"""Rows written into an existing table, shaped as Spark's store assignment shapes them.

``insertInto`` matches columns by position, ``saveAsTable(mode="append")`` by name; either way
each value is cast to the table's type under Spark's ANSI store-assignment policy (its default):
a cast that can lose the value's meaning (a string into an int) is refused before any work, and
a number too large for its integral column (or NaN) fails the write instead of wrapping.
"""

from __future__ import annotations

from typing import Any

from . import types as T
from .errors import AnalysisException, ArithmeticException

_INTEGRAL = {"byte": (-2**7, 2**7 - 1), "short": (-2**15, 2**15 - 1),
             "int": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}
_DATETIME = (T.DateType, T.TimestampType, T.TimestampNTZType)


def can_store(src: T.DataType, dst: T.DataType) -> bool:
    """Spark's ANSI store assignment: which source types may be written into ``dst``."""
    if src == dst or isinstance(src, T.NullType):
        return True
    if isinstance(src, T.NumericType) and isinstance(dst, T.NumericType):
        return True
    if isinstance(dst, T.StringType):
        return not isinstance(src, (T.ArrayType, T.MapType, T.StructType))
    if isinstance(src, _DATETIME) and isinstance(dst, (T.TimestampType, T.TimestampNTZType)):
        return True
    if isinstance(src, T.ArrayType) and isinstance(dst, T.ArrayType):
        return can_store(src.elementType, dst.elementType)
    if isinstance(src, T.MapType) and isinstance(dst, T.MapType):
        return can_store(src.keyType, dst.keyType) and can_store(src.valueType, dst.valueType)
    if isinstance(src, T.StructType) and isinstance(dst, T.StructType):
        return len(src.fields) == len(dst.fields) and all(
            can_store(a.dataType, b.dataType) for a, b in zip(src.fields, dst.fields))
    return False


def arity_error(entry: Any, data_names: list[str]) -> AnalysisException:
    table_cols = ", ".join(f"`{n}`" for n in entry.schema.names)
    data_cols = ", ".join(f"`{n}`" for n in data_names)
    few = len(data_names) < len(entry.schema.names)
    sub = "NOT_ENOUGH_DATA_COLUMNS" if few else "TOO_MANY_DATA_COLUMNS"
    why = "not enough data columns" if few else "too many data columns"
    return AnalysisException(
        f"[INSERT_COLUMN_ARITY_MISMATCH.{sub}] Cannot write to {entry.qualified}, the reason is "
        f"{why}:\nTable columns: {table_cols}.\nData columns: {data_cols}. SQLSTATE: 21S01",
        f"INSERT_COLUMN_ARITY_MISMATCH.{sub}")


def conform(df: Any, entry: Any, by_name: bool) -> Any:
    """``df`` as the table's columns, in the table's order and types (errors before work)."""
    from . import functions as F
    data = df.schema
    table = entry.schema
    if len(data.fields) != len(table.fields):
        if by_name:
            raise AnalysisException(
                f"The column number of the existing table spark_catalog.default.{entry.name} "
                f"({table.simpleString()}) doesn't match the data schema ({data.simpleString()}).")
        raise arity_error(entry, data.names)
    if by_name:
        lower = {f.name.lower(): f for f in data.fields}
        missing = [f.name for f in table.fields if f.name.lower() not in lower]
        if missing:
            raise AnalysisException(
                f"[INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_FIND_DATA] Cannot write incompatible data "
                f"for the table {entry.qualified}: Cannot find data for the output column "
                f"`{missing[0]}`. SQLSTATE: KD000", "INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_FIND_DATA")
        sources = [lower[f.name.lower()] for f in table.fields]
    else:
        sources = list(data.fields)
    checks = []
    for src, dst in zip(sources, table.fields):
        if not can_store(src.dataType, dst.dataType):
            raise AnalysisException(
                f"[INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST] Cannot write incompatible data "
                f"for the table {entry.qualified}: Cannot safely cast `{dst.name}` "
                f"\"{src.dataType.simpleString().upper()}\" to "
                f"\"{dst.dataType.simpleString().upper()}\". SQLSTATE: KD000",
                "INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST")
        bounds = _INTEGRAL.get(dst.dataType.simpleString())
        if bounds is not None and isinstance(src.dataType, T.NumericType) and \
                _may_overflow(src.dataType, bounds):
            checks.append((dst.name, src.dataType, dst.dataType, bounds))
    positions = [data.fields.index(src) if by_name else i for i, src in enumerate(sources)]
    # the table's names first (unique, unlike a frame's), then the overflow checks, then casts
    df = df.select(*[df[p].alias(dst.name) for p, dst in zip(positions, table.fields)])
    if checks:
        df = _checked(df, checks)
    return df.select(*[df[dst.name].cast(dst.dataType).alias(dst.name)
                       if src.dataType != dst.dataType else df[dst.name]
                       for src, dst in zip(sources, table.fields)])


def _may_overflow(src: T.DataType, bounds: tuple[int, int]) -> bool:
    if isinstance(src, T.FractionalType):
        return True
    if isinstance(src, T.DecimalType):
        return True
    own = _INTEGRAL.get(src.simpleString())
    return own is None or own[0] < bounds[0] or own[1] > bounds[1]


def _checked(df: Any, checks: list[tuple]) -> Any:
    """``df`` unchanged, but a value that does not fit its integral column fails the write
    with Spark's CAST_OVERFLOW_IN_TABLE_INSERT (checked on the workers, partition by partition,
    on the values as stored: NaN stays NaN here, unlike in a pandas UDF)."""
    frame = df._frame

    def check(pdf: Any) -> Any:
        for dst, src_t, dst_t, bounds in checks:
            if not _fits(pdf[dst], bounds):
                raise ArithmeticException(
                    f"[CAST_OVERFLOW_IN_TABLE_INSERT] Fail to assign a value of "
                    f"\"{src_t.simpleString().upper()}\" type to the "
                    f"\"{dst_t.simpleString().upper()}\" type column or variable `{dst}` due "
                    f"to an overflow. Use `try_cast` on the input value to tolerate overflow "
                    f"and return NULL instead. SQLSTATE: 22003")
        return pdf

    check.__name__ = "table_insert_check"
    checked = frame.map_partitions(check, meta=frame._meta, enforce_metadata=False)
    return type(df)(checked, df._session, sources=tuple(df._sources), schema=df.schema)


def _fits(col: Any, bounds: tuple[int, int]) -> bool:
    """Whether every non-null value truncates into ``bounds`` (NaN never does)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = pc.drop_null(pa.array(col))
    if len(arr) == 0:
        return True
    lo, hi = bounds
    if pa.types.is_integer(arr.type):
        mm = pc.min_max(arr).as_py()
        return mm["min"] >= lo and mm["max"] <= hi
    arr = pc.cast(arr, pa.float64())
    if pc.any(pc.is_nan(arr)).as_py():
        return False
    mm = pc.min_max(arr).as_py()
    return mm["min"] > lo - 1 and mm["max"] < hi + 1
