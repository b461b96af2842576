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


SPARK_MODES = ("simple", "extended", "codegen", "cost", "formatted")


def explain_mode(extended: Any = None, mode: str | None = None) -> str:
    """The explain mode ``explain(extended, mode)`` asks for, checked as Spark checks it:
    ``extended`` is a bool or the mode itself (``explain("simple")``), not both with ``mode``;
    modes are Spark's (case-insensitive) plus dfml's ``graph``. Spark's ``codegen``, ``cost``
    and ``formatted`` have no dfml equivalent and print what ``extended`` prints."""
    from .errors import IllegalArgumentException
    if extended is not None and mode is not None:
        raise ValueError("[CANNOT_SET_TOGETHER] extended and mode should not be set together.")
    if extended is not None and not isinstance(extended, (bool, str)):
        raise TypeError(f"[NOT_EXPECTED_TYPE] Argument `extended` should be bool or str, got "
                        f"{type(extended).__name__}.")
    if isinstance(extended, str):
        mode = extended
    elif extended is not None:
        mode = "extended" if extended else "simple"
    if mode is None:   # dfml's default: the logical plan, then Dask's (Spark's is "simple")
        return "extended"
    chosen = mode.lower() if isinstance(mode, str) else mode
    if chosen not in SPARK_MODES + ("graph",):
        accepted = ", ".join(f"'{m}'" for m in SPARK_MODES)
        raise IllegalArgumentException(f"Unknown explain mode: {mode}. Accepted explain modes "
                                       f"are {accepted} (and dfml's 'graph').")
    return chosen
