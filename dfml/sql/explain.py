"""``DataFrame.explain()``: the plan dask will run, after its optimizer, with what each read gets."""

from __future__ import annotations

import contextlib
import io
from typing import Any


def reads(frame: Any) -> list[Any]:
    """The parquet read nodes of the optimized plan."""
    from dask.dataframe.dask_expr.io.parquet import ReadParquet
    expr = frame.optimize().expr
    return [node for node in expr.walk() if isinstance(node, ReadParquet)]


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
