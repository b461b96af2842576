"""Per-partition Arrow kernels: what an expression uses where dask has no native operation.

``per_partition`` applies an Arrow function to the aligned partitions of some columns;
``ArrowKernel`` is the picklable callable it maps (its dask token comes from what it computes,
so identical expressions share a dask name). The array/map element lookups behind ``col[i]``,
``col[key]`` and ``element_at`` live here too, below the expression nodes that use them.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd
import pyarrow as pa

from . import types as T


def arrow_of(s: pd.Series) -> pa.ChunkedArray:
    if isinstance(s.dtype, pd.ArrowDtype):
        return pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype)
    return pa.chunked_array([pa.array(s.to_numpy(dtype=object), from_pandas=True)])


class ArrowKernel:
    """Applies an Arrow kernel to the aligned partitions of some inputs; literals ride along.

    A plain object (not a closure over dask collections) so that it pickles small, and its
    dask token comes from what it computes (the kernel, by its code and captured values, the
    literals, the positions, the output type): two identical expressions get the same dask
    name, so dask computes them once.
    """
    __name__ = "arrow_kernel"  # dask names its tasks after this (a repr would hold an address)


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


def per_partition(ctx: Any, inputs: list[Any], kernel: Callable[..., Any],
                  out: T.DataType) -> Any:
    """Apply an Arrow kernel to aligned partitions of ``inputs`` (for functions with no native
    dask equivalent). Scalars are passed through as Python values."""
    arrow_t = T.to_arrow(out)
    values = [ctx.broadcast(t) if i == 0 else t.value for i, t in enumerate(inputs)]
    positions = [i for i, v in enumerate(values) if hasattr(v, "dtype") and hasattr(v, "npartitions")]
    frames = [values[i] for i in positions]
    template = [None if i in positions else v for i, v in enumerate(values)]
    fn = ArrowKernel(kernel, template, positions, arrow_t)
    meta = pd.Series([], dtype=pd.ArrowDtype(arrow_t))
    return frames[0].map_partitions(fn, *frames[1:], meta=meta)


def rowwise(fn: Any, out_t: pa.DataType) -> Any:
    def k(a: pa.ChunkedArray, *rest: Any) -> pa.Array:
        vals = a.to_pylist()
        extra = [r.to_pylist() if isinstance(r, pa.ChunkedArray) else [r] * len(vals) for r in rest]
        return pa.array([fn(v, *[e[i] for e in extra]) for i, v in enumerate(vals)], out_t)
    return k


def element_of(arr: list | None, i: Any, zero_based: bool) -> Any:
    if arr is None or i is None:
        return None
    i = int(i)
    if zero_based:
        return arr[i] if 0 <= i < len(arr) else None
    if i == 0:
        raise ValueError("element_at: the index 0 is invalid; SQL array indices start at 1")
    if abs(i) > len(arr):
        return None
    return arr[i - 1] if i > 0 else arr[i]


def element_at_series(s: Any, dtype: T.ArrayType, index: int, spark_getitem: bool = False) -> Any:
    """The element at 1-based ``index`` of each array in ``s`` (``getItem`` passes index + 1)."""
    arrow_t = T.to_arrow(dtype.elementType)
    pos = index - 1 if spark_getitem else index
    fn = ArrowKernel(rowwise(lambda a: element_of(a, pos, spark_getitem), arrow_t), [None], [0], arrow_t)
    return s.map_partitions(fn, meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t)))


def map_value_series(s: Any, dtype: T.MapType, key: Any) -> Any:
    arrow_t = T.to_arrow(dtype.valueType)

    def lookup(m: Any) -> Any:
        items = m.items() if isinstance(m, dict) else m
        for k, v in items:
            if k == key:
                return v
        return None
    fn = ArrowKernel(rowwise(lookup, arrow_t), [None], [0], arrow_t)
    return s.map_partitions(fn, meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t)))
