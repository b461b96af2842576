"""Row positions: ``offset`` (skip the first n rows in the frame's order) and
``spark_partition_id``. Both read where a row is; both stay in the action's one graph (a
running count across partitions is dask's cumulative scan, not a separate pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from .dataframe import DataFrame


def offset(df: "DataFrame", num: int) -> "DataFrame":
    if not isinstance(num, int) or isinstance(num, bool) or num < 0:
        raise ValueError(f"offset(): the number of rows must be a non-negative int, got {num!r}")
    if num == 0:
        return df

    def build(d: "DataFrame") -> "DataFrame":
        frame = d._frame
        position = frame.assign(__dfml_pos=1)["__dfml_pos"].cumsum()
        return d._new(frame[position > num])
    return df._derive(f"Offset {num}", build, keep_alias=True)


def partition_ids(frame: Any) -> Any:
    """The partition number of each row, as an int column (``spark_partition_id``)."""
    meta = pd.Series([], dtype=pd.ArrowDtype(pa.int32()))
    return frame.map_partitions(_partition_id, meta=meta)


def _partition_id(part: pd.DataFrame, partition_info: dict | None = None) -> pd.Series:
    number = (partition_info or {}).get("number", 0)
    return pd.Series(pa.array([number] * len(part), pa.int32()), index=part.index,
                     dtype=pd.ArrowDtype(pa.int32()))


def unique_labels(frame: Any) -> Any:
    """``frame`` with row labels unique across partitions (partition number in the high bits).

    A parquet read labels each file's rows from 0, so after a shuffle one partition holds
    repeated labels; dask-expr may then lower a column computed from the shuffled frame against
    a second run of the same shuffle, whose rows arrive in another order, and aligning the two
    by label fails ("cannot reindex on an axis with duplicate labels"). Unique labels align."""
    return frame.map_partitions(_unique_labels, meta=frame._meta)


def _unique_labels(part: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
    number = (partition_info or {}).get("number", 0)
    out = part.copy(deep=False)
    out.index = pd.RangeIndex(number << 32, (number << 32) + len(part))
    return out

