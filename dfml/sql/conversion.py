"""Rows out of dask: a computed pandas partition to Arrow, to ``Row`` objects as PySpark returns
them, or to the numpy-backed pandas frame ``toPandas()`` gives."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from . import types as T
from .row import Row


def to_arrow_table(pdf: pd.DataFrame, schema: T.StructType) -> pa.Table:
    arrays = []
    for f in schema.fields:
        s = pdf[f.name]
        if isinstance(s.dtype, pd.ArrowDtype):
            arr = pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype)
        else:
            arr = pa.chunked_array([pa.array(s.to_numpy(dtype=object), from_pandas=True)])
        arrays.append(arr)
    if not arrays:  # no columns, but Spark still has one (empty) row per input row
        return pa.table({"_": pa.nulls(len(pdf))}).drop_columns(["_"])
    return pa.Table.from_arrays(arrays, names=[f.name for f in schema.fields])


def python_value(v: Any, dt: T.DataType) -> Any:
    """An Arrow ``to_pylist`` value as PySpark returns it: structs as Rows, maps as dicts."""
    if v is None:
        return None
    if isinstance(dt, T.UserDefinedType):
        return dt.deserialize(v)
    if isinstance(dt, T.StructType):
        return Row._make(dt.names, [python_value(v.get(f.name), f.dataType) for f in dt.fields])
    if isinstance(dt, T.MapType):
        items = v.items() if isinstance(v, dict) else v
        return {python_value(k, dt.keyType): python_value(x, dt.valueType) for k, x in items}
    if isinstance(dt, T.ArrayType) and isinstance(dt.elementType, (T.StructType, T.MapType, T.ArrayType,
                                                                   T.UserDefinedType)):
        return [python_value(x, dt.elementType) for x in v]
    return v


def rows_of(table: pa.Table, names: list[str]) -> list[Row]:
    cols = []
    for i in range(table.num_columns):
        values = table.column(i).to_pylist()
        dt = T.from_arrow(table.column(i).type)
        if isinstance(dt, (T.StructType, T.MapType, T.ArrayType, T.UserDefinedType)):
            values = [python_value(v, dt) for v in values]
        cols.append(values)
    fields = tuple(names)
    if not cols:
        return [Row._make(fields, ()) for _ in range(table.num_rows)]
    return [Row._make(fields, vals) for vals in zip(*cols)]


def to_numpy_frame(pdf: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in pdf.columns:
        s = pdf[c]
        if isinstance(s.dtype, pd.ArrowDtype):
            arr = pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype)
            udt = T.from_arrow(arr.type) if pa.types.is_struct(arr.type) else None
            if isinstance(udt, T.UserDefinedType):  # vectors come back as vector objects
                out[c] = pd.Series([udt.deserialize(v) for v in arr.to_pylist()], dtype=object,
                                   index=s.index)
            elif pa.types.is_date32(arr.type):
                out[c] = pd.Series(arr.to_pylist(), dtype=object, index=s.index)
            else:
                out[c] = arr.to_pandas(types_mapper=None)
                out[c].index = s.index
        else:
            out[c] = s
    res = pd.DataFrame(out, columns=list(pdf.columns))
    return res.reset_index(drop=True)


def _spark_arrow_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_binary(t):
        return pa.binary()
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return pa.list_(_spark_arrow_type(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _spark_arrow_type(f.type), f.nullable) for f in t])
    if pa.types.is_map(t):
        return pa.map_(_spark_arrow_type(t.key_type), _spark_arrow_type(t.item_type))
    return t


def spark_arrow_table(table: pa.Table) -> pa.Table:
    """``table`` with the Arrow types PySpark's ``toArrow`` gives (string, not large_string)."""
    schema = pa.schema([pa.field(f.name, _spark_arrow_type(f.type), f.nullable) for f in table.schema])
    return table.cast(schema)
