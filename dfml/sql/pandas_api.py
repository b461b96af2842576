"""``mapInPandas``, ``mapInArrow`` and ``GroupedData.applyInPandas``: a user's pandas function
over partitions or groups, with the declared schema as dask's meta (the function is never run
to find its output).

The function sees pandas frames as PySpark hands them (numpy-backed where the types allow, NaN
for a missing float) and its result is fitted to the declared schema by column name; a column
that is missing or cannot take the declared type is named in the error. A function that raises
surfaces as ``PythonException`` with its traceback.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pandas as pd
import pyarrow as pa

from . import types as T
from .errors import PythonException, python_failure
from .kernels import arrow_of

if TYPE_CHECKING:
    from .dataframe import DataFrame


def declared_schema(schema: Any) -> T.StructType:
    if isinstance(schema, str):
        from .local_data import parse_schema_string
        schema = parse_schema_string(schema)
    if not isinstance(schema, T.StructType):
        raise TypeError(f"schema must be a StructType or a DDL string of fields, got {schema!r}")
    return schema


def _meta(schema: T.StructType) -> pd.DataFrame:
    return pd.DataFrame({f.name: pd.Series([], dtype=T.to_dtype(f.dataType)) for f in schema.fields})


def _as_user_frame(part: pd.DataFrame) -> pd.DataFrame:
    """A partition as PySpark hands it to pandas functions (Arrow's default conversion)."""
    table = pa.table({c: arrow_of(part[c]) for c in part.columns}) if len(part.columns) else None
    return table.to_pandas() if table is not None else pd.DataFrame(index=range(len(part)))


def _fit(result: Any, schema: T.StructType, name: str) -> pd.DataFrame:
    if not isinstance(result, pd.DataFrame):
        raise PythonException(f"{name} returned {type(result).__name__}; a pandas DataFrame is expected")
    cols = {}
    for f in schema.fields:
        if f.name not in result.columns:
            raise PythonException(
                f"[RESULT_COLUMNS_MISMATCH_FOR_PANDAS_UDF] {name} returned no column `{f.name}` "
                f"(declared {f.dataType.simpleString()}); it returned {list(result.columns)}")
        try:
            arr = pa.Array.from_pandas(result[f.name], type=T.to_arrow(f.dataType))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as e:
            raise PythonException(f"{name}: column `{f.name}` cannot be taken as "
                                  f"{f.dataType.simpleString()}: {e}") from None
        cols[f.name] = pd.Series(arr, dtype=T.to_dtype(f.dataType))
    return pd.DataFrame(cols, columns=schema.names).reset_index(drop=True)


def _call(fn: Callable[..., Any], name: str, *args: Any) -> Any:
    try:
        out = fn(*args)
        return list(out) if inspect.isgenerator(out) or isinstance(out, Iterator) else out
    except PythonException:
        raise
    except Exception:
        raise python_failure(name) from None


class _MapPartition:
    """One partition through ``func`` (an iterator of frames in, an iterator of frames out)."""

    __name__ = "map_in_pandas"

    def __init__(self, func: Callable[..., Any], schema: T.StructType, arrow: bool):
        self.func, self.schema, self.arrow = func, schema, arrow
        self.name = getattr(func, "__name__", "function")

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        if self.arrow:
            batch = pa.RecordBatch.from_pandas(_as_user_frame(part), preserve_index=False)
            outs = _call(self.func, self.name, iter([batch]))
            frames = [(b if isinstance(b, pa.RecordBatch) else b).to_pandas() for b in outs]
        else:
            frames = _call(self.func, self.name, iter([_as_user_frame(part)]))
        fitted = [_fit(f, self.schema, self.name) for f in frames]
        return pd.concat(fitted, ignore_index=True) if fitted else _meta(self.schema)


def map_in_pandas(df: "DataFrame", func: Callable[..., Any], schema: Any, arrow: bool = False) -> "DataFrame":
    struct = declared_schema(schema)
    kernel = _MapPartition(func, struct, arrow)
    return df._derive("MapInArrow" if arrow else "MapInPandas",
                      lambda d: d._new(d._frame.map_partitions(kernel, meta=_meta(struct)),
                                       {f.name: f.nullable for f in struct.fields}, keep_alias=False))


class _ApplyGroup:
    """One group through ``func(frame)`` or ``func(key, frame)``."""

    __name__ = "apply_in_pandas"

    def __init__(self, func: Callable[..., Any], schema: T.StructType, keys: list[str]):
        self.func, self.schema, self.keys = func, schema, keys
        self.name = getattr(func, "__name__", "function")
        self.with_key = len(inspect.signature(func).parameters) == 2

    def __call__(self, group: pd.DataFrame) -> pd.DataFrame:
        # pandas hands a group without the columns it groups by: dfml groups by hidden copies
        user = _as_user_frame(group[[c for c in group.columns if not c.startswith("__g")]])
        if self.with_key:
            key = tuple(user[k].iloc[0] if len(user) else None for k in self.keys)
            out = _call(self.func, self.name, key, user)
        else:
            out = _call(self.func, self.name, user)
        return _fit(out, self.schema, self.name)


def apply_in_pandas(df: "DataFrame", keys: list[Any], func: Callable[..., Any], schema: Any) -> "DataFrame":
    struct = declared_schema(schema)

    def build(d: "DataFrame") -> "DataFrame":
        ctx = d._ctx()
        names = []
        for i, k in enumerate(keys):
            names.append(ctx.resolve(k.sql()) if hasattr(k, "sql") else ctx.resolve(k))
        kernel = _ApplyGroup(func, struct, names)
        hidden = {f"__g{i}": d._frame[n] for i, n in enumerate(names)}
        out = d._frame.assign(**hidden).groupby(list(hidden), dropna=False, group_keys=False).apply(
            kernel, meta=_meta(struct))
        return d._new(out.reset_index(drop=True) if hasattr(out, "reset_index") else out,
                      {f.name: f.nullable for f in struct.fields}, keep_alias=False)
    return df._derive("ApplyInPandas", build)


# the names other modules (dfml.sql.cogroup) use
user_frame = _as_user_frame
call_user = _call
fit_result = _fit
empty_frame = _meta
