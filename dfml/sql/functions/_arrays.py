"""Array, map and struct functions."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def element_at_series(s: Any, dtype: Any, index: int, spark_getitem: bool = False) -> Any:
    raise NotImplementedError("array element access")


def map_value_series(s: Any, dtype: Any, key: Any) -> Any:
    raise NotImplementedError("map value access")
