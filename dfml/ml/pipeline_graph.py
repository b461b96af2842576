"""A Pipeline's fit schedule as a Graphviz graph: which estimators share which pass.

The text of ``Pipeline.explain`` lists the passes; the picture adds what the text leaves to the
reader: which stage's output feeds which stage (edges labelled with the columns), and that the
estimators drawn inside one pass box are fitted together over one read of the input. Stages
fitted from upstream models with no pass of their own, and transformers, sit outside the boxes.
"""

from __future__ import annotations

from typing import Any

from ..sql.plan_graph import PlanGraph, quote, wrap
from .fitspec import ITERATIVE, STATIC, TRANSFORM

__all__ = ["fit_plan_graph"]

_FILL = {TRANSFORM: "#f3f4f6", STATIC: "#e0e7ff", ITERATIVE: "#fde2e2"}
_AGGREGATION_FILL = "#dcfce7"


def _label(planned: Any) -> str:
    name = f"{type(planned.stage).__name__}[{planned.index}]"
    reads = wrap("reads " + ", ".join(planned.reads), max_lines=2) if planned.reads else ""
    # a stage's unused default output param (``<uid>__output``) is declared but never written
    shown = [w for w in planned.writes if not w.startswith(planned.stage.uid + "__")] \
        or planned.writes
    writes = wrap("writes " + ", ".join(shown), max_lines=2) if shown else ""
    kind = {TRANSFORM: "transformer", STATIC: "fitted from upstream models",
            ITERATIVE: "iterative"}.get(planned.kind, "aggregations")
    return "\n".join(x for x in (f"{name}  ({kind})", reads, writes) if x)


def fit_plan_graph(plan: Any) -> PlanGraph:
    """DOT for a ``FitPlan``: the input, one node per stage, one box per pass over the input,
    edges from the stage (or input) that last wrote a column to each stage reading it; a dashed
    edge marks a fitted model applied in memory to an iterative learner's blocks."""
    lines = ["digraph pipeline {", "  rankdir=TB; compound=true;",
             '  node [shape=box, style="filled,rounded", fontname="Helvetica", fontsize=10];',
             '  edge [color="#6b7280", fontname="Helvetica", fontsize=9];',
             '  input [label="input DataFrame", shape=cylinder, fillcolor="#dbeafe"];']
    in_pass = {i: k for k, idx in enumerate(plan.passes, 1) for i in idx}

    def node(p: Any) -> str:
        fill = _FILL.get(p.kind, _AGGREGATION_FILL)
        return f"s{p.index} [label={quote(_label(p))}, fillcolor=\"{fill}\"];"

    for k, idx in enumerate(plan.passes, 1):
        lone = len(idx) == 1 and plan.stages[idx[0]].kind == ITERATIVE
        title = f"pass {k}: " + ("the input persisted once for an iterative fit" if lone
                                 else f"one read of the input for {len(idx)} estimator(s)")
        lines += [f"  subgraph cluster_pass{k} {{", f"    label={quote(title)};",
                  '    style="rounded,dashed"; color="#2563eb"; fontname="Helvetica";']
        lines += [f"    {node(plan.stages[i])}" for i in idx]
        lines.append("  }")
    lines += [f"  {node(p)}" for p in plan.stages if p.index not in in_pass]

    writer: dict[str, str] = {}
    flows: dict[tuple[str, str], list[str]] = {}
    for p in plan.stages:
        for col in p.reads:
            flows.setdefault((writer.get(col, "input"), f"s{p.index}"), []).append(col)
        for col in p.writes:
            writer[col] = f"s{p.index}"
    for (src, dst), cols in flows.items():
        lines.append(f"  {src} -> {dst} [label={quote(wrap(', '.join(cols), 30, 3))}];")
    for it, model in plan.in_memory.items():
        lines.append(f'  s{model} -> s{it} [style=dashed, color="#dc2626", '
                     f'label={quote("applied in memory" + chr(10) + "to the blocks")}];')
    lines.append("}")
    return PlanGraph("\n".join(lines) + "\n")
