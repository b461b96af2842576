"""``distinct``/``dropDuplicates`` over columns Arrow cannot hash (arrays, vectors, structs
holding them): those columns are compared through their binary order keys, which are equal
exactly when the values are."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .order_keys import holds_list, order_key_column


def drop_duplicate_rows(frame: Any, subset: list[str]) -> Any:
    """``frame.drop_duplicates(subset)``, spread over as many partitions as it has."""
    nested = [c for c in subset if isinstance(frame._meta[c].dtype, pd.ArrowDtype)
              and holds_list(frame._meta[c].dtype.pyarrow_dtype)]
    if not nested:
        return frame.drop_duplicates(subset=subset, split_out=frame.npartitions)
    keys = {f"__dk{i}": order_key_column(frame[c]) for i, c in enumerate(nested)}
    by = [c for c in subset if c not in nested] + list(keys)
    out = frame.assign(**keys).drop_duplicates(subset=by, split_out=frame.npartitions)
    return out.drop(columns=list(keys))
