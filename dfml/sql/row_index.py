"""``DataFrame.zipWithIndex``: each row's position in the frame, as a column."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from .dataframe import DataFrame


def zip_with_index(df: "DataFrame", name: str) -> "DataFrame":
    """``df`` with a column ``name`` numbering its rows 0, 1, ... in the frame's order (a
    running count across partitions, in the action's one graph, as ``offset`` counts)."""
    from .column import Column
    from .expressions import ColumnRef
    if not isinstance(name, str):
        raise TypeError(f"zipWithIndex(): indexColName must be a str, got {type(name).__name__}")
    internal = "__dfml_row_index"

    def build(d: "DataFrame") -> "DataFrame":
        frame = d._frame
        ones = frame.assign(**{internal: 1})[internal]
        index = (ones.cumsum() - 1).astype(pd.ArrowDtype(pa.int64()))
        return d._new(frame.assign(**{internal: index}), nullable={**d._nullable, internal: False})
    numbered = df._derive("ZipWithIndex", build, keep_alias=True)
    # the index is aliased last, so a name the frame already has is added beside it, as in Spark
    out = numbered.select("*", Column(ColumnRef.of(internal)).alias(name))
    return out.drop(internal)
