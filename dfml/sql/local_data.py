"""``createDataFrame``: local rows or a pandas frame -> a dfml DataFrame, typed as Spark types them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from . import types as T
from .row import Row

if TYPE_CHECKING:
    from .dataframe import DataFrame
    from .session import SparkSession


def _merge_types(a: T.DataType, b: T.DataType, name: str) -> T.DataType:
    if isinstance(a, T.NullType):
        return b
    if isinstance(b, T.NullType) or a == b:
        return a
    if isinstance(a, T.LongType) and isinstance(b, T.DoubleType) or \
            isinstance(a, T.DoubleType) and isinstance(b, T.LongType):
        return T.DoubleType()
    if isinstance(a, T.AtomicType) and isinstance(b, T.StringType):
        return b  # PySpark's inference: a string among atomic values makes the column a string
    if isinstance(a, T.StringType) and isinstance(b, T.AtomicType):
        return a
    if isinstance(a, T.ArrayType) and isinstance(b, T.ArrayType):
        return T.ArrayType(_merge_types(a.elementType, b.elementType, name))
    if isinstance(a, T.StructType) and isinstance(b, T.StructType) and a.names == b.names:
        return T.StructType([T.StructField(x.name, _merge_types(x.dataType, y.dataType,
                                                                f"{name}.{x.name}"), True)
                             for x, y in zip(a.fields, b.fields)])
    raise TypeError(f"field {name}: cannot merge type {a.simpleString()} with {b.simpleString()}")


def _infer_schema(rows: list[tuple], names: list[str]) -> T.StructType:
    fields = []
    for i, name in enumerate(names):
        dt: T.DataType = T.NullType()
        for r in rows:
            dt = _merge_types(dt, _infer_local(r[i]), name)
        if isinstance(dt, T.NullType):
            raise ValueError(f"cannot infer the type of column {name!r}: every value is None; "
                             f"give a schema")
        fields.append(T.StructField(name, dt, True))
    return T.StructType(fields)


def _infer_local(v: Any) -> T.DataType:
    """The Spark type of a local value as ``createDataFrame`` infers it: a Row is a struct of
    its fields, a plain tuple a struct of ``_1, _2, ...``, a list an array."""
    if isinstance(v, Row) and hasattr(v, "__fields__"):
        return T.StructType([T.StructField(k, _infer_local(x)) for k, x in zip(v.__fields__, v)])
    if isinstance(v, tuple) and not isinstance(v, Row):
        return T.StructType([T.StructField(f"_{i + 1}", _infer_local(x)) for i, x in enumerate(v)])
    if isinstance(v, list):
        # every element counts, as PySpark infers (['a', 1] is an array of strings)
        inner: T.DataType = T.NullType()
        for x in v:
            if x is not None:
                inner = _merge_types(inner, _infer_local(x), "element")
        return T.ArrayType(inner, True)
    return T.infer_type(v)


def _to_py_typed(v: Any, dt: T.DataType, coerce: bool = False) -> Any:
    """``v`` as Arrow takes it for type ``dt``: positional tuples of a struct become dicts.
    With ``coerce`` (an inferred schema), a non-string value in a string field becomes its text,
    as PySpark's converter writes it (``True`` -> ``true``)."""
    if v is None:
        return None
    if isinstance(dt, T.StructType) and isinstance(v, (tuple, list)) and not (
            isinstance(v, Row) and hasattr(v, "__fields__")):
        return {f.name: _to_py_typed(x, f.dataType, coerce) for f, x in zip(dt.fields, v)}
    if isinstance(dt, T.StructType) and isinstance(v, dict):
        return {f.name: _to_py_typed(v.get(f.name), f.dataType, coerce) for f in dt.fields}
    if isinstance(dt, T.MapType) and isinstance(v, dict):
        return [(_to_py_typed(k, dt.keyType, coerce), _to_py_typed(x, dt.valueType, coerce))
                for k, x in v.items()]
    if isinstance(dt, T.ArrayType) and isinstance(v, (list, tuple)):
        return [_to_py_typed(x, dt.elementType, coerce) for x in v]
    if isinstance(dt, T.StringType) and isinstance(v, int):
        # Spark stores the Java text of a whole number or boolean given for a string field
        return ("true" if v else "false") if isinstance(v, bool) else str(v)
    if coerce and isinstance(dt, T.StringType) and not isinstance(v, str):
        return str(v).lower() if isinstance(v, bool) else str(v)
    return _to_py(v)


def _to_py(v: Any) -> Any:
    if hasattr(type(v), "__UDT__"):
        return type(v).__UDT__.serialize(v)
    if isinstance(v, Row) and hasattr(v, "__fields__"):
        return {k: _to_py(x) for k, x in zip(v.__fields__, v)}
    if isinstance(v, (list, tuple)) and not isinstance(v, Row):
        return [_to_py(x) for x in v]
    if isinstance(v, dict):
        return [(k, _to_py(x)) for k, x in v.items()]
    return v


def _arrow_column(values: list, dt: T.DataType, name: str, coerce: bool = False) -> pa.Array:
    target = T.to_arrow(dt)
    try:
        return pa.array([_to_py_typed(v, dt, coerce) for v in values], type=target, from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
        raise TypeError(f"field {name}: {dt.simpleString()} can not accept the values given "
                        f"({e})") from None


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a pandas frame of ArrowDtype columns (nulls and NaN kept apart)."""
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        t = T.normalize_arrow(col.type)
        if col.type != t:
            col = col.cast(t)
        cols[name] = pd.Series(col, dtype=pd.ArrowDtype(t))
    return pd.DataFrame(cols, columns=table.column_names)


def parse_schema_string(text: str) -> T.DataType:
    """A schema string as Spark reads it: a type name alone (``"int"``, ``"array<string>"``)
    is an atomic schema, one column named ``value``; anything else is a DDL field list."""
    try:
        return T.parse_type(text)
    except ValueError:
        return T.parse_ddl(text)


def create_frame(session: "SparkSession", data: Any, schema: Any = None) -> "DataFrame":
    names: list[str] | None = None
    struct: T.StructType | None = None
    if isinstance(schema, str):
        schema = parse_schema_string(schema)
    if isinstance(schema, T.StructType):
        struct = schema
    elif isinstance(schema, T.DataType):
        struct = T.StructType([T.StructField("value", schema)])
        data = [(v,) for v in data]
    elif isinstance(schema, (list, tuple)):
        names = [str(n) for n in schema]
    elif schema is not None:
        raise TypeError(f"schema must be a StructType, a DDL string or a list of names, got {schema!r}")

    if isinstance(data, pd.DataFrame):
        table = pa.Table.from_pandas(data, preserve_index=False)
        if names:
            table = table.rename_columns(names)
        if struct is not None:
            table = pa.Table.from_arrays(
                [table.column(i).cast(T.to_arrow(f.dataType)) for i, f in enumerate(struct.fields)],
                names=struct.names)
        pdf = table_to_frame(table)
        nullable = {f.name: f.nullable for f in struct.fields} if struct else None
        from .local_results import mark_local  # a pandas frame is Spark's local relation
        return mark_local(session._from_pandas(pdf, nullable, schema=struct))

    rows = list(data)
    if rows and isinstance(rows[0], dict):
        # Spark infers a dict row's columns in key order (sorted), not insertion order
        keys = sorted(rows[0].keys()) if names is None and struct is None \
            else (names or struct.names)
        rows = [tuple(r.get(k) for k in keys) for r in rows]
        names = names or keys
    elif rows and isinstance(rows[0], Row) and hasattr(rows[0], "__fields__") and names is None \
            and struct is None:
        names = list(rows[0].__fields__)
    elif rows and not isinstance(rows[0], (tuple, list)):
        rows = [(r,) for r in rows]
    rows = [tuple(r) for r in rows]
    width = len(struct.fields) if struct else (len(names) if names else (len(rows[0]) if rows else 0))
    for r in rows:
        if len(r) != width:
            raise ValueError(f"[LENGTH_SHOULD_BE_THE_SAME] every row must have {width} values; "
                             f"row {r!r} has {len(r)}")
    if struct is None:
        names = names or [f"_{i + 1}" for i in range(width)]
        if len(names) != width:
            raise ValueError(f"{len(names)} column names given for rows of {width} values")
        if not rows:
            raise ValueError("cannot infer a schema from an empty list: give a schema")
        struct = _infer_schema(rows, names)
        inferred = True
    else:
        inferred = False
    arrays = []
    for i, f in enumerate(struct.fields):
        vals = [r[i] for r in rows]
        if not f.nullable and any(v is None for v in vals):
            raise ValueError(f"field {f.name}: this field is not nullable, but got None")
        arrays.append(_arrow_column(vals, f.dataType, f.name, inferred))
    table = pa.Table.from_arrays(arrays, names=struct.names)
    return session._from_pandas(table_to_frame(table), {f.name: f.nullable for f in struct.fields},
                                schema=struct)


class RangeSlice:
    """Builds one partition of ``spark.range`` on the worker, so a billion-row range costs the
    driver nothing and the graph carries only numbers (the array used to travel with it)."""

    def __init__(self, start: int, step: int, count: int, slices: int) -> None:
        self.start, self.step, self.count, self.slices = start, step, count, slices

    def __call__(self, index: int) -> pd.DataFrame:
        import numpy as np
        # Spark's split of n elements over p slices: slice i holds positions [i*n//p, (i+1)*n//p)
        lo, hi = index * self.count // self.slices, (index + 1) * self.count // self.slices
        ids = self.start + self.step * np.arange(lo, hi, dtype="int64")
        return pd.DataFrame({"id": pd.Series(pa.array(ids), dtype=pd.ArrowDtype(pa.int64()))})


def range_frame(start: int, step: int, count: int, slices: int) -> Any:
    """The dask frame of the ``count`` numbers ``start, start + step, ...`` in ``slices``
    partitions (``spark.range``)."""
    import dask.dataframe as dd
    make = RangeSlice(start, step, count, slices)
    return dd.from_map(make, list(range(slices)), meta=RangeSlice(0, 1, 0, 1)(0),
                       enforce_metadata=False, label="dfml-range")
