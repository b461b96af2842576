"""``unpivot``/``melt``: value columns turned into (name, value) rows, one per input row and
value column, in row order (each input row's values in column order), as Spark returns them.

The value columns are cast to their common type first (Spark's rule; no common type is its
error), then one per-partition function interleaves them: nothing is shuffled or collected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import types as T
from .column import Column, ColumnRef, cast_to, common_type, to_expr
from .errors import AnalysisException
from .kernels import arrow_of

if TYPE_CHECKING:
    from .dataframe import DataFrame


def _exprs(cols: Any) -> list[Any]:
    if cols is None:
        return []
    if isinstance(cols, (str, Column)):
        cols = [cols]
    return [to_expr(c) for c in cols]


def unpivot(df: "DataFrame", ids: Any, values: Any, var_name: str, value_name: str) -> "DataFrame":
    id_exprs = _exprs(ids)
    if values is None:
        id_names = {e.sql() for e in id_exprs}
        value_exprs = [ColumnRef.of(c) for c in df.columns if c not in id_names]
    else:
        value_exprs = _exprs(values)
    if not value_exprs:
        raise AnalysisException("[UNPIVOT_REQUIRES_VALUE_COLUMNS] At least one value column "
                                "needs to be specified for UNPIVOT, all columns specified as ids.",
                                "UNPIVOT_REQUIRES_VALUE_COLUMNS")
    ctx = df._ctx()
    typed = [e.compile(ctx) for e in value_exprs]
    target = common_type([t.dtype for t in typed], "UNPIVOT")
    names = [e.sql() for e in value_exprs]
    staged = df.select(*[Column(e) for e in id_exprs],
                       *[Column(e).cast(target).alias(f"__u{i}") for i, e in enumerate(value_exprs)])
    id_names = staged.columns[:len(id_exprs)]
    kernel = _Interleave(id_names, [f"__u{i}" for i in range(len(names))], names, var_name, value_name)

    def build(d: "DataFrame") -> "DataFrame":
        meta = d._frame._meta
        out_meta = pd.DataFrame({**{c: meta[c] for c in id_names},
                                 var_name: pd.Series([], dtype=T.to_dtype(T.StringType())),
                                 value_name: pd.Series([], dtype=T.to_dtype(target))})
        nullable = {c: d._nullable.get(c, True) for c in id_names}
        nullable.update({var_name: False, value_name: any(t.nullable for t in typed)})
        return d._new(d._frame.map_partitions(kernel, meta=out_meta), nullable, keep_alias=False)
    return staged._derive("Unpivot", build)


class _Interleave:
    __name__ = "unpivot"

    def __init__(self, ids: list[str], values: list[str], names: list[str], var: str, val: str):
        self.ids, self.values, self.names, self.var, self.val = ids, values, names, var, val

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        n, k = len(part), len(self.values)
        rows = np.repeat(np.arange(n), k)
        which = np.tile(np.arange(k), n)
        stacked = pa.concat_arrays([arrow_of(part[c]).combine_chunks() for c in self.values]) \
            if n else pa.array([], arrow_of(part[self.values[0]]).type)
        taken = stacked.take(pa.array(which * n + rows)) if n else stacked
        out = {c: part[c].iloc[rows].reset_index(drop=True) for c in self.ids}
        out[self.var] = pd.Series(pa.array([self.names[j] for j in which], pa.large_string()),
                                  dtype=pd.ArrowDtype(pa.large_string()))
        out[self.val] = pd.Series(taken, dtype=pd.ArrowDtype(taken.type))
        return pd.DataFrame(out)
