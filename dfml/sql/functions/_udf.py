"""Python UDFs: ``udf`` (row at a time) and ``pandas_udf`` (a pandas Series at a time).

A UDF is a ``PythonUDF`` node: it runs per partition on the workers, over the Arrow columns of
its arguments, with the declared return type as the output type (never inferred by running it).
A row UDF gets Python values (None for null) and its results are converted as Spark 4's
(Arrow-optimized) UDFs convert them (``fit``). A function that raises
surfaces as ``PythonException`` naming the function, with its traceback.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from typing import Any, Callable

import pandas as pd
import pyarrow as pa

from .. import types as T
from ..column import Column, Func, Typed
from ..errors import PythonException, python_failure
from ..kernels import per_partition
from ._common import col_expr

__all__ = ["udf", "pandas_udf", "UserDefinedFunction", "PandasUDFType"]


def return_type(rt: Any) -> T.DataType:
    if isinstance(rt, str):
        from ..local_data import parse_schema_string
        return parse_schema_string(rt)
    if isinstance(rt, T.DataType):
        return rt
    raise TypeError(f"returnType must be a DataType or a DDL string, got {type(rt).__name__}: {rt!r}")


class PythonUDF(Func):
    """A Python function over columns; ``deterministic=False`` keeps filters from moving below it."""

    def __init__(self, name: str, args: Any, impl: Callable[..., Typed], sql: str,
                 deterministic: bool = True, **options: Any):
        super().__init__(name, args, impl, sql=sql, **options)
        self.deterministic = deterministic


class UserDefinedFunction:
    """What ``udf``/``pandas_udf`` return: call it on columns to get a Column."""

    def __init__(self, func: Callable[..., Any], returnType: Any = None, name: str | None = None,
                 evalType: str = "row", deterministic: bool = True):
        self.func = func
        self.returnType = return_type(T.StringType() if returnType is None else returnType)
        self._name = name or getattr(func, "__name__", type(func).__name__)
        self.evalType = evalType
        self.deterministic = deterministic
        functools.update_wrapper(self, func, updated=())

    def asNondeterministic(self) -> "UserDefinedFunction":
        self.deterministic = False
        return self

    def __call__(self, *cols: Any) -> Column:
        args = [col_expr(c) for c in cols]
        sql = f"{self._name}({', '.join(a.sql() for a in args)})"
        out = self.returnType
        if self.evalType == "grouped_agg":
            from ..pandas_aggregate import PandasAggregate
            if not args:
                raise TypeError(f"pandas UDF {self._name}: a grouped-aggregate UDF needs columns")
            return Column(PandasAggregate(self._name, args, sql=sql, func=self.func, out=out,
                                          convert=fit))
        kernel = _row_kernel(self.func, self._name, out) if self.evalType == "row" else \
            _series_kernel(self.func, self._name, out, self.evalType == "series_iter")

        def impl(ctx: Any, *typed: Typed, **_identity: Any) -> Typed:
            inputs = list(typed) or [Typed(0, T.IntegerType(), False)]
            call = kernel if typed else functools.partial(_no_args, kernel)
            return Typed(per_partition(ctx, inputs, call, out), out, True)
        return Column(PythonUDF(self._name, args, impl, sql, deterministic=self.deterministic,
                                udf=self.func, eval_type=self.evalType))


def _no_args(kernel: Callable[..., Any], length_of: Any) -> Any:
    return kernel(length=len(length_of))


def _failure(name: str) -> PythonException:
    return python_failure(f"UDF {name}")


def _row_kernel(func: Callable[..., Any], name: str, out: T.DataType) -> Callable[..., Any]:
    arrow_t = T.to_arrow(out)

    def kernel(*columns: Any, length: int | None = None) -> pa.Array:
        rows = [c.to_pylist() if isinstance(c, (pa.Array, pa.ChunkedArray)) else None for c in columns]
        n = length if length is not None else next(len(r) for r in rows if r is not None)
        vals = [r if r is not None else [c] * n for r, c in zip(rows, columns)]
        results = []
        for i in range(n):
            try:
                results.append(fit(func(*(col[i] for col in vals)), out))
            except Exception:
                raise _failure(name) from None
        return pa.array(results, arrow_t)
    return kernel


def _series_kernel(func: Callable[..., Any], name: str, out: T.DataType,
                   iterator: bool = False) -> Callable[..., Any]:
    """Series -> Series over one partition's batch (``iterator``: the function takes and yields
    an iterator of batches, here one batch per partition, or of tuples for several columns)."""
    arrow_t = T.to_arrow(out)

    def kernel(*columns: Any, length: int | None = None) -> pa.Array:
        n = length if length is not None else next(len(c) for c in columns
                                                   if isinstance(c, (pa.Array, pa.ChunkedArray)))
        series = [c.to_pandas() if isinstance(c, (pa.Array, pa.ChunkedArray)) else pd.Series([c] * n)
                  for c in columns]
        try:
            if iterator:
                batch = series[0] if len(series) == 1 else tuple(series)
                parts = list(func(iter([batch])))
                result = pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)
            else:
                result = func(*series)
        except Exception:
            raise _failure(name) from None
        if len(result) != n:
            raise PythonException(f"pandas UDF {name} returned {len(result)} values for {n} rows "
                                  f"(a Series-to-Series function keeps the length)")
        return pa.Array.from_pandas(pd.Series(result), type=arrow_t)
    return kernel


def fit(v: Any, dt_: T.DataType) -> Any:
    """A UDF's Python result as Spark 4 takes it for type ``dt_`` (its Arrow-optimized UDFs):
    converted where Spark converts (``"7"`` or ``1.7`` for an int is 7 or 1, an int for a
    double, anything for a string as its text), a TypeError where Spark fails the task (a bool
    for an int, an int out of range, a string for a date)."""
    if v is None:
        return None
    if isinstance(dt_, T.StringType):
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)  # Python's text of the value ('nan', '1e+20'), as PySpark sends it
    if isinstance(dt_, T.BooleanType):
        if isinstance(v, (bool, int)):
            return bool(v)
        raise TypeError(f"Expected boolean, got {type(v).__name__}")
    if isinstance(dt_, T.IntegralType):
        if isinstance(v, bool):
            raise TypeError("Expected integer, got bool")
        if isinstance(v, float) and v != v:
            return None  # Arrow reads a NaN from Python as null
        n = int(v) if isinstance(v, (int, float, str, decimal.Decimal)) else None
        if n is None:
            raise TypeError(f"object of type {type(v)} cannot be converted to int")
        bits = {T.ByteType: 8, T.ShortType: 16, T.IntegerType: 32, T.LongType: 64}[type(dt_)]
        if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
            raise TypeError(f"Integer value {n} not in range: {-(1 << (bits - 1))} to {(1 << (bits - 1)) - 1}")
        return n
    if isinstance(dt_, (T.DoubleType, T.FloatType)):
        if isinstance(v, bool) or not isinstance(v, (int, float, str, decimal.Decimal)):
            raise TypeError(f"object of type {type(v)} cannot be converted to float")
        return float(v)
    if isinstance(dt_, T.DecimalType):
        return v if isinstance(v, decimal.Decimal) else decimal.Decimal(str(v))
    if isinstance(dt_, (T.TimestampType, T.TimestampNTZType)):
        if isinstance(v, dt.datetime):
            return v
        raise TypeError(f"object of type {type(v)} cannot be converted to timestamp")
    if isinstance(dt_, T.DateType):
        if isinstance(v, dt.date):
            return v.date() if isinstance(v, dt.datetime) else v
        raise TypeError(f"object of type {type(v)} cannot be converted to date")
    if isinstance(dt_, T.ArrayType):
        if not isinstance(v, (list, tuple)):
            raise TypeError(f"object of type {type(v)} cannot be converted to an array")
        return [fit(x, dt_.elementType) for x in v]
    if isinstance(dt_, T.MapType):
        return [(k, fit(x, dt_.valueType)) for k, x in v.items()]
    if isinstance(dt_, T.StructType):
        if isinstance(v, dict):
            return {f.name: fit(v.get(f.name), f.dataType) for f in dt_.fields}
        return {f.name: fit(x, f.dataType) for f, x in zip(dt_.fields, v)}
    return v


def udf(f: Any = None, returnType: Any = None, *, useArrow: bool | None = None) -> Any:
    """A row-at-a-time Python UDF: ``udf(f, "int")``, ``@udf``, ``@udf("int")`` or
    ``@udf(returnType=IntegerType())``."""
    if f is None or isinstance(f, (str, T.DataType)):
        rt = f if f is not None else returnType
        return lambda fn: UserDefinedFunction(fn, rt)
    return UserDefinedFunction(f, returnType)


class PandasUDFType:
    """PySpark's old constants for the kind of a pandas UDF (type hints say it today)."""

    SCALAR = 200
    SCALAR_ITER = 204
    GROUPED_MAP = 201
    GROUPED_AGG = 202


def pandas_udf(f: Any = None, returnType: Any = None, functionType: Any = None) -> Any:
    """A vectorized UDF taking and returning pandas Series (Series -> Series of the same length):
    ``pandas_udf(f, "double")``, ``@pandas_udf("double")``."""
    if f is None or isinstance(f, (str, T.DataType)):
        rt = f if f is not None else returnType
        if f is not None and isinstance(returnType, int):  # @pandas_udf("double", GROUPED_AGG)
            functionType = returnType
        return lambda fn: _pandas(fn, rt, functionType)
    return _pandas(f, returnType, functionType)


def _pandas(fn: Callable[..., Any], rt: Any, function_type: Any) -> UserDefinedFunction:
    """The kind of pandas UDF comes from ``functionType`` or, as in PySpark 3+, from the type
    hints: Series -> Series (scalar), Iterator[Series] -> Iterator[Series] (scalar iterator),
    Series -> a scalar type (grouped aggregate)."""
    kind = _kind_of(fn, function_type)
    return UserDefinedFunction(fn, rt, evalType=kind)


def _kind_of(fn: Callable[..., Any], function_type: Any) -> str:
    by_constant = {None: None, PandasUDFType.SCALAR: "series",
                   PandasUDFType.SCALAR_ITER: "series_iter",
                   PandasUDFType.GROUPED_AGG: "grouped_agg"}
    if function_type not in by_constant:
        raise NotImplementedError(f"pandas_udf: functionType {function_type!r} is not supported "
                                  f"(GROUPED_MAP is groupBy().applyInPandas)")
    if by_constant[function_type] is not None:
        return by_constant[function_type]
    hints = dict(getattr(fn, "__annotations__", {}))
    ret = hints.pop("return", None)
    if ret is None or _is_series_hint(ret):
        return "series"
    if "Iterator" in str(ret):
        return "series_iter"
    if any(_is_series_hint(h) for h in hints.values()):
        return "grouped_agg"
    raise NotImplementedError(f"pandas_udf {getattr(fn, '__name__', fn)}: unsupported type hints "
                              f"(return {ret!r})")


def _is_series_hint(h: Any) -> bool:
    return h is pd.Series or h == "pd.Series" or getattr(h, "__name__", "") == "Series"
