"""A pass's aggregations fed from a VectorAssembler's inputs instead of its vector column.

In ``Pipeline(VectorAssembler(w0..w19 -> features), NaiveBayes)`` the NaiveBayes sums are one
aggregation over ``features``. Computing that column packs each row into an Arrow vector (a
sparse or dense struct, as Spark chooses per row) only for the aggregation to unpack the
vectors into a matrix again: at 10M rows that round trip was about 80% of the pass. An
aggregation that declares ``dense_input`` (the vector column it can also take as a dense
matrix) is rewritten here to read the assembler's numeric inputs and build that matrix
directly; the assembled column is then pruned from the pass's graph. The frame, its filters
(``handleInvalid='skip'``) and the assembler's own checks stay as they were, so the partials
are the ones the vector column would give.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from ..sql import types as T
from .base import Aggregation

__all__ = ["fed_from_assemblers", "holds_stages"]


def holds_stages(stage: Any) -> bool:
    """True for a stage that applies other stages (a nested PipelineModel, a validator's best
    model): what it writes is not declared column by column, so it may rewrite any column
    and nothing assembled before it can be read from the assembler's inputs after it."""
    return isinstance(getattr(stage, "stages", None), list) or hasattr(stage, "bestModel")


class _FromInputs:
    """Chunk of the rewritten aggregation: the dense matrix from the assembler's inputs, then
    the statistic's own ``dense_chunk`` on it."""

    def __init__(self, dense_chunk: Callable[..., Any], inputs: Any, others: list[str]):
        self.dense_chunk, self.inputs, self.others = dense_chunk, inputs, others

    def __call__(self, part: Any) -> Any:
        X = self.inputs(part)
        return self.dense_chunk(part[self.others], X, lambda i: self.inputs.row_text(X, i))


def fed_from_assemblers(aggs: list[Aggregation], writers: dict[str, tuple[int, Any]],
                        schema: T.StructType, opaque: list[int]) -> list[Aggregation]:
    """``aggs`` with each one that has a ``dense_input`` written by a VectorAssembler in this
    frame reading that assembler's inputs instead. ``writers``: column -> (stage index, fitted
    transformer) of the last stage of the frame that writes it; ``schema``: the frame's;
    ``opaque``: indices of the frame's stages that ``holds_stages``. An input rewritten by a
    later stage (its value in the frame is not what was assembled), a stage holding stages
    after the assembler, or a vector input (rows of any width) keeps the aggregation as it
    was."""
    out = []
    for a in aggs:
        col = a.dense_input
        src = writers.get(col) if col and a.dense_chunk is not None else None
        dense = None
        if src is not None and hasattr(src[1], "_dense_inputs"):
            dense = src[1]._dense_inputs(schema)
        if dense is not None and all(writers.get(c, (-1,))[0] < src[0] for c in dense.inputs) \
                and all(j < src[0] for j in opaque):
            others = [c for c in a.columns if c != col]
            a = replace(a, columns=list(dict.fromkeys(others + dense.inputs)),
                        chunk=_FromInputs(a.dense_chunk, dense, others),
                        dense_input=None, dense_chunk=None)
        out.append(a)
    return out
