"""Dask's sample data for Arrow decimal columns, made to fit every decimal type.

When dask-expr needs non-empty sample data for a frame's meta (``dd.concat`` builds its meta
from samples of its inputs), it makes a decimal column from ``Decimal("1")``, which does not fit
a type whose digits are all fractional (``decimal(1,1)``, Spark's type of the literal ``0.5``):
the union of two such columns failed before anything ran. Importing this module registers a
sampler that gives those types zeros instead and leaves every other type to dask's own.
Imported where such a meta is built (inside functions: importing dfml.sql must not import dask).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa
from dask.dataframe.extensions import make_array_nonempty

from .._dask_compat import arrow_sample


@make_array_nonempty.register(pd.ArrowDtype)
def _sample_arrow(dtype: pd.ArrowDtype) -> Any:
    t = dtype.pyarrow_dtype
    if pa.types.is_decimal(t) and t.precision <= t.scale:
        return pd.array([Decimal(0), Decimal(0)], dtype=dtype)
    return arrow_sample(dtype)
