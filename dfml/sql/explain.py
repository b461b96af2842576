"""``DataFrame.explain()``: the plan dask will run, after its optimizer, with what each read gets."""

from __future__ import annotations

import contextlib
import io
from typing import Any


def reads(frame: Any) -> list[Any]:
    """The parquet read nodes of the optimized plan."""
    return reads_in(frame.optimize(fuse=False))


def reads_in(optimized: Any) -> list[Any]:
    """The parquet read nodes of a frame already optimized (without fusion)."""
    from dask.dataframe.dask_expr.io.io import FusedIO
    from dask.dataframe.dask_expr.io.parquet import ReadParquet
    found, seen = [], set()
    for node in optimized.expr.walk():
        if isinstance(node, FusedIO):  # a read fused with its column projection
            node = node.operand("_expr")
        if isinstance(node, ReadParquet) and node._name not in seen:
            seen.add(node._name)
            found.append(node)
    return found


def explain_string(frame: Any) -> str:
    optimized = frame.optimize()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        optimized.pprint()
    lines = ["== Optimized Dask Plan ==", buf.getvalue().rstrip(), "", "== Reads =="]
    found = reads(frame)
    for node in found:
        lines.append(f"ReadParquet path={node.operand('path')!r} columns={node.columns!r} "
                     f"filters={node.operand('filters')!r}")
    if not found:
        lines.append("(no parquet reads)")
    return "\n".join(lines)
