"""``spark_partition_id``: which partition a row is in (nondeterministic, as in Spark)."""

from __future__ import annotations

from .. import types as T
from ..column import Column, Func, Typed
from ..positions import partition_ids

__all__ = ["spark_partition_id"]


def spark_partition_id() -> Column:
    def impl(ctx, *_: Typed) -> Typed:  # noqa: ANN001 - the Func signature
        return Typed(partition_ids(ctx.frame), T.IntegerType(), False)
    return Column(Func("spark_partition_id", [], impl, sql="SPARK_PARTITION_ID()"))
