"""Grouped-aggregate pandas UDFs (``pandas_udf`` of Series -> scalar) as aggregate nodes.

Such a function sees a whole group at once, so its partial reduction gathers the group's rows
(nulls and NaN included, arguments kept aligned row by row) and its finish calls the function
once per group on pandas Series converted as PySpark converts them (a nullable int becomes a
float Series with NaN for null). Being an ``AggFunc``, it shares the one groupby pass of its
``agg`` call with the other aggregates, and works in ``select`` over the whole frame.
"""

from __future__ import annotations

from typing import Any, Callable

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa

from . import types as T
from .aggregates import Gathered, Partials, lists_to_arrow
from .column import AggFunc, Typed
from .errors import PythonException, python_failure


def row_tuples(frame: pd.DataFrame) -> pd.Series:
    """Each row of ``frame`` as a tuple of Python values (None for null, NaN kept)."""
    cols = [pa.array(frame[c], from_pandas=False).to_pylist() if not isinstance(
        frame[c].dtype, pd.ArrowDtype) else frame[c].array._pa_array.to_pylist()
        for c in frame.columns]
    return pd.Series(list(zip(*cols)) if cols else [], index=frame.index, dtype=object)


def _gather_chunk(s: Any) -> Any:
    return s.agg(lambda x: Gathered(list(x)))


def _gather_combine(s: Any) -> Any:
    return s.agg(lambda parts: Gathered([v for part in parts for v in part.items]))


_GATHER_ROWS = dd.Aggregation("pandas_udf_rows", _gather_chunk, _gather_combine)


class PandasAggregate(AggFunc):
    """``f(a, b)`` for a grouped-aggregate pandas UDF ``f``; options ``func``, ``out`` (the
    return type) and ``convert`` (how a returned value becomes one of ``out``)."""

    def declare(self, args: list[Typed], p: Partials) -> Callable[[Any], Typed]:
        names = [p.input(a) for a in args]
        frame = dd.concat([p.inputs[n] for n in names], axis=1) if len(names) > 1 \
            else p.inputs[names[0]].to_frame()
        rows = p.derived(frame.map_partitions(row_tuples, meta=pd.Series([], dtype=object)))
        gathered = p.reduce(rows, _GATHER_ROWS)
        func, out, fname = self.options["func"], self.options["out"], self.name
        convert = self.options["convert"]  # the UDF result rules (functions._udf.fit)
        arrow_in = [T.to_arrow(a.dtype) for a in args]

        def call(rows_of_group: list) -> Any:
            columns = list(zip(*rows_of_group)) if rows_of_group else [[] for _ in arrow_in]
            series = [pa.array(list(c), t).to_pandas() for c, t in zip(columns, arrow_in)]
            try:
                value = func(*series)
            except Exception:
                raise python_failure(f"UDF {fname}") from None
            if isinstance(value, (pd.Series, pd.DataFrame)):
                raise PythonException(f"pandas UDF {fname}: a grouped-aggregate function must "
                                      f"return one value per group, got a {type(value).__name__}")
            value = value.item() if hasattr(value, "item") else value
            if isinstance(value, float) and value != value:
                return None  # results cross to Arrow as pandas values do: NaN is null
            return convert(value, out)

        return lambda P: Typed(lists_to_arrow(P[gathered], out, call, out), out, True)
