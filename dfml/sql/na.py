"""``df.na``: fill, drop and replace missing or given values, touching only columns of a fitting type.

Spark fills a numeric value only into numeric columns, a string only into string columns and a
boolean only into boolean columns; dfml does the same, and casts the value to each column's type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import types as T
from .errors import AnalysisException

if TYPE_CHECKING:
    from .dataframe import DataFrame


def _fits(value: Any, dt: T.DataType) -> bool:
    if isinstance(value, bool):
        return isinstance(dt, T.BooleanType)
    if isinstance(value, (int, float)):
        return isinstance(dt, T.NumericType)
    if isinstance(value, str):
        return isinstance(dt, T.StringType)
    return False


def _as_type(value: Any, dt: T.DataType) -> Any:
    if isinstance(dt, T.IntegralType) and isinstance(value, float):
        return int(value)
    if isinstance(dt, (T.DoubleType, T.FloatType)) and isinstance(value, int):
        return float(value)
    if isinstance(dt, T.DecimalType):
        import decimal
        return decimal.Decimal(str(value))
    return value


class _KeepRows:
    """Per partition: which rows have at least ``thresh`` present values among ``cols`` (null is
    missing, and so is NaN in a float column, as in Spark's ``na.drop``).

    One numpy pass per column in one task: built from dask Series operations instead (notnull,
    NaN test, cast and sum per column), a ten-column drop was some forty dask-expr layers and
    ran about four times slower on Arrow-backed partitions."""
    __name__ = "na_keep_rows"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, cols: list[str], floats: list[str], thresh: int):
        self.cols, self.floats, self.thresh = list(cols), list(floats), int(thresh)

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-na-keep-rows", self.cols, self.floats, self.thresh)

    def __call__(self, part: pd.DataFrame) -> pd.Series:
        present = np.zeros(len(part), dtype=np.int64)
        for c in self.cols:
            s = part[c]
            if c in self.floats:
                missing = np.isnan(s.to_numpy(dtype=np.float64, na_value=np.nan))
            else:
                missing = s.isna().to_numpy(dtype=bool)
            present += ~missing
        return pd.Series(present >= self.thresh, index=part.index)


class DataFrameNaFunctions:
    """Missing-value handling for one DataFrame (``df.na``)."""

    __module__ = "dfml.sql.dataframe"  # where PySpark has it, and where dfml re-exports it

    def __init__(self, df: "DataFrame"):
        self.df = df

    def _subset(self, subset: Any) -> list[str]:
        if subset is None:
            return self.df.columns
        if isinstance(subset, str):
            subset = [subset]
        if not isinstance(subset, (list, tuple)):
            raise TypeError(f"subset must be a column name or a list of names, got {subset!r}")
        ctx = self.df._ctx()
        return [ctx.resolve(c) for c in subset]

    def fill(self, value: Any, subset: Any = None) -> "DataFrame":
        return self.df._derive("FillNa", lambda d: DataFrameNaFunctions(d)._fill(value, subset),
                               keep_alias=True)

    def drop(self, how: str = "any", thresh: int | None = None, subset: Any = None) -> "DataFrame":
        if how not in ("any", "all"):
            raise ValueError(f"drop(): how must be 'any' or 'all', got {how!r}")
        return self.df._derive("DropNa", lambda d: DataFrameNaFunctions(d)._drop(how, thresh, subset),
                               keep_alias=True)

    def replace(self, to_replace: Any, value: Any = None, subset: Any = None) -> "DataFrame":
        return self.df._derive("Replace", lambda d: DataFrameNaFunctions(d)._replace(
            to_replace, value, subset), keep_alias=True)

    def _fill(self, value: Any, subset: Any = None) -> "DataFrame":
        schema = self.df.schema
        if isinstance(value, dict):
            ctx = self.df._ctx()
            plan = {ctx.resolve(k): v for k, v in value.items()}
        elif isinstance(value, (bool, int, float, str)):
            plan = {c: value for c in self._subset(subset)}
        else:
            raise TypeError(f"fill() takes a bool, int, float, str or a dict, got {value!r}")
        frame = self.df._frame
        updates = {}
        for c, v in plan.items():
            dt = schema[c].dataType
            if v is None or not _fits(v, dt):
                if isinstance(value, dict) and v is not None:
                    raise AnalysisException(f"fill(): value {v!r} does not fit column `{c}` of type "
                                            f"{dt.simpleString()}")
                continue
            updates[c] = frame[c].fillna(_as_type(v, dt))
        if not updates:
            return self.df
        out = frame.assign(**updates)[list(frame.columns)]
        nullable = dict(self.df._nullable)
        for c in updates:
            nullable[c] = False
        return self.df._new(out, nullable)

    def _drop(self, how: str, thresh: int | None, subset: Any) -> "DataFrame":
        cols = self._subset(subset)  # a name listed twice counts twice, as in Spark
        if not cols:
            return self.df
        frame = self.df._frame
        schema = self.df.schema
        floats = [c for c in cols if isinstance(schema[c].dataType, (T.DoubleType, T.FloatType))]
        if thresh is None:
            thresh = len(cols) if how == "any" else 1
        keep = frame[list(dict.fromkeys(cols))].map_partitions(_KeepRows(cols, floats, thresh),
                                          meta=pd.Series([], dtype=bool))
        return self.df._new(frame[keep])

    def _replace(self, to_replace: Any, value: Any, subset: Any) -> "DataFrame":
        if isinstance(to_replace, dict):
            mapping = dict(to_replace)
        elif isinstance(to_replace, (list, tuple)):
            values = list(value) if isinstance(value, (list, tuple)) else [value] * len(to_replace)
            if len(values) != len(to_replace):
                raise ValueError(f"replace(): to_replace and value lists differ in length "
                                 f"({len(to_replace)} vs {len(values)})")
            mapping = dict(zip(to_replace, values))
        else:
            mapping = {to_replace: value}
        schema = self.df.schema
        frame = self.df._frame
        updates = {}
        for c in self._subset(subset):
            dt = schema[c].dataType
            pairs = {k: v for k, v in mapping.items() if k is not None and _fits(k, dt)
                     and (v is None or _fits(v, dt))}
            if not pairs:
                continue
            col = frame[c]
            for k, v in pairs.items():
                hit = (col == _as_type(k, dt)).fillna(False)
                col = col.mask(hit, None if v is None else _as_type(v, dt))
            updates[c] = col.astype(T.to_dtype(dt))
        if not updates:
            return self.df
        return self.df._new(frame.assign(**updates)[list(frame.columns)])
