"""Helpers shared by the function modules: argument conversion and per-partition Arrow kernels."""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd
import pyarrow as pa

from .. import types as T
from ..column import Column, ColumnRef, Ctx, Expr, Func, Literal, Typed, to_expr
from ..errors import AnalysisException


def col_expr(c: Any) -> Expr:
    """A function argument that names a column (a str is a column name, as in Spark)."""
    if isinstance(c, Column):
        return c._expr
    if isinstance(c, str):
        return to_expr(c)
    raise TypeError(f"expected a Column or a column name, got {type(c).__name__}: {c!r}")


def lit_expr(v: Any) -> Expr:
    """A function argument that is a value (a str is a literal string)."""
    return v._expr if isinstance(v, Column) else Literal(v)


def func(name: str, args: list[Any], impl: Callable[..., Typed], sql: str | None = None,
         **options: Any) -> Column:
    return Column(Func(name, [a if isinstance(a, Expr) else col_expr(a) for a in args], impl,
                       sql=sql, **options))


def require(t: Typed, kinds: tuple[type, ...], fname: str, what: str) -> None:
    if not isinstance(t.dtype, kinds + (T.NullType,)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{fname}" due to data type '
            f'mismatch: the parameter requires {what} type, however the input has type '
            f'"{t.dtype.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


def arrow_of(s: pd.Series) -> pa.ChunkedArray:
    if isinstance(s.dtype, pd.ArrowDtype):
        return pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype)
    return pa.chunked_array([pa.array(s.to_numpy(dtype=object), from_pandas=True)])


class _ArrowKernel:
    """Applies an Arrow kernel to the aligned partitions of some inputs; literals ride along.

    A plain object (not a closure over dask collections) so that it pickles small, and its
    dask token comes from what it computes (the kernel, by its code and captured values, the
    literals, the positions, the output type): two identical expressions get the same dask
    name, so dask computes them once.
    """

    def __init__(self, kernel: Callable[..., Any], template: list[Any], positions: list[int],
                 arrow_t: pa.DataType):
        self.kernel, self.template, self.positions, self.arrow_t = kernel, template, positions, arrow_t

    def __dask_tokenize__(self) -> str:
        from dask.base import tokenize
        return tokenize("dfml-arrow-kernel", self.kernel, self.template, self.positions,
                        str(self.arrow_t))

    def __call__(self, *parts: pd.Series) -> pd.Series:
        vals: list[Any] = list(self.template)
        for p, part in zip(self.positions, parts):
            vals[p] = arrow_of(part)
        result = self.kernel(*vals)
        if isinstance(result, pa.Array):
            result = pa.chunked_array([result])
        if not isinstance(result, pa.ChunkedArray):
            result = pa.chunked_array([pa.array(result, from_pandas=False)])
        if result.type != self.arrow_t:
            result = result.cast(self.arrow_t)
        return pd.Series(result, index=parts[0].index, dtype=pd.ArrowDtype(self.arrow_t))


def per_partition(ctx: Ctx, inputs: list[Typed], kernel: Callable[..., Any],
                  out: T.DataType) -> Any:
    """Apply an Arrow kernel to aligned partitions of ``inputs`` (for functions with no native
    dask equivalent). Scalars are passed through as Python values."""
    arrow_t = T.to_arrow(out)
    values = [ctx.broadcast(t) if i == 0 else t.value for i, t in enumerate(inputs)]
    positions = [i for i, v in enumerate(values) if hasattr(v, "dtype") and hasattr(v, "npartitions")]
    frames = [values[i] for i in positions]
    template = [None if i in positions else v for i, v in enumerate(values)]
    fn = _ArrowKernel(kernel, template, positions, arrow_t)
    meta = pd.Series([], dtype=pd.ArrowDtype(arrow_t))
    return frames[0].map_partitions(fn, *frames[1:], meta=meta)
