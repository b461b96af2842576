"""Plans as pictures: Graphviz DOT text for a DataFrame's plan or a Pipeline's fit passes.

A plan of more than a few operators, or a pipeline fit fused into passes, is easier to look at
than to read. ``df.explain(mode="graph")`` prints the DOT text of the plan, and
``explain_graph(obj)`` returns a ``PlanGraph`` for a DataFrame, a Pipeline (with the
DataFrame or schema it would be fitted on) or a fitted PipelineModel. DOT is plain text and
needs nothing installed; turning it into SVG needs Graphviz's ``dot`` program (Debian's
``graphviz`` package), which dfml does not require: without it ``svg()`` raises an error saying
so, and ``save("plan.svg")`` writes the DOT text to ``plan.dot`` instead and warns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from typing import Any

__all__ = ["PlanGraph", "GraphvizNotFound", "explain_graph", "dataframe_graph", "dot_available",
           "quote"]

# Operators where rows move between partitions (a shuffle, a tree reduction or a gather into one
# task): drawn with a heavy border, since that is where a plan's cost usually is.
_EXCHANGES = ("Join", "Aggregate", "Distinct", "Deduplicate", "Repartition", "Sort", "Intersect",
              "Except", "ApplyInPandas", "CogroupApplyInPandas")
_WIDTH = 60       # characters per label line before it wraps
_MAX_LINES = 6    # lines of one label before the rest is elided


class GraphvizNotFound(RuntimeError):
    """Graphviz's ``dot`` program is not on PATH, so DOT text cannot become SVG here."""


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on PATH (it renders DOT text to SVG)."""
    return shutil.which("dot") is not None


def quote(text: str) -> str:
    """``text`` as a quoted DOT string, lines left-aligned (``\\l``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "\\l".join(escaped.split("\n")) + '\\l"'


def wrap(text: str, width: int = _WIDTH, max_lines: int = _MAX_LINES) -> str:
    """Long labels broken at commas or spaces so a node stays readable; past ``max_lines`` the
    rest is elided (``explain()`` prints the full text)."""
    lines: list[str] = []
    for raw in text.split("\n"):
        while len(raw) > width:
            cut = max(raw.rfind(", ", 0, width), raw.rfind(" ", 0, width))
            cut = width if cut <= 0 else cut + 1
            lines.append(raw[:cut].rstrip())
            raw = "    " + raw[cut:].lstrip()
        lines.append(raw)
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + ["    ..."]
    return "\n".join(lines)


class PlanGraph:
    """A plan as Graphviz DOT text (``.dot``), rendered to SVG when ``dot`` is installed.

    In a notebook the graph shows as a picture when ``dot`` is installed, as DOT text otherwise.
    """

    def __init__(self, dot: str):
        self.dot = dot

    def __str__(self) -> str:
        return self.dot

    def __repr__(self) -> str:
        return self.dot

    def svg(self) -> str:
        """The graph as SVG text, drawn by Graphviz's ``dot``; raises GraphvizNotFound when the
        program is not installed (the DOT text in ``.dot`` needs nothing)."""
        exe = shutil.which("dot")
        if exe is None:
            raise GraphvizNotFound(
                "Graphviz's 'dot' program is not on PATH, so the plan cannot be drawn as SVG "
                "here; install it (Debian/Ubuntu: apt-get install graphviz) or use the DOT text "
                "(PlanGraph.dot, or save('plan.dot')) with any Graphviz viewer")
        done = subprocess.run([exe, "-Tsvg"], input=self.dot, capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz's dot failed to draw the plan (exit "
                               f"{done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def save(self, path: str) -> str:
        """Write the graph to ``path`` and return the path written: SVG for a ``.svg`` path when
        ``dot`` is installed; otherwise DOT text (a ``.svg`` path then becomes ``.dot``, with a
        warning that says so)."""
        path = os.fspath(path)
        text = self.dot
        if path.lower().endswith(".svg"):
            if dot_available():
                text = self.svg()
            else:
                dot_path = path[:-4] + ".dot"
                warnings.warn(f"Graphviz's 'dot' program is not installed, so {path!r} was not "
                              f"drawn: wrote the DOT text to {dot_path!r} instead (install "
                              f"Debian's graphviz package to get SVG)", RuntimeWarning,
                              stacklevel=2)
                path = dot_path
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def _repr_svg_(self) -> str | None:
        """Jupyter's hook: a picture when ``dot`` is installed (None falls back to the text)."""
        return self.svg() if dot_available() else None


def _node_style(label: str) -> str:
    head = label.split(" ", 1)[0]
    if head == "Source":
        return 'shape=cylinder, style=filled, fillcolor="#dbeafe"'
    if head == "Filter":
        return 'style="filled,rounded", fillcolor="#fef9c3"'
    if head in _EXCHANGES:
        return 'style="filled,rounded,bold", penwidth=2.5, fillcolor="#fde2e2"'
    return 'style="filled,rounded", fillcolor="#f3f4f6"'


def dataframe_graph(plan: Any) -> PlanGraph:
    """The logical plan as DOT: one node per operator with its output columns, edges from each
    input to the operator reading it (data flows top to bottom, the result last). Operators
    where rows move between partitions have heavy borders; reads are cylinders."""
    lines = ["digraph plan {", "  rankdir=TB;",
             '  node [shape=box, fontname="Helvetica", fontsize=10];',
             '  edge [color="#6b7280"];']
    # nodes are numbered in walk order (not by plan id), so one plan always gives one text
    ids: dict[int, str] = {}
    edges: list[str] = []
    for node in plan.walk():
        if node.plan_id in ids:
            continue
        ids[node.plan_id] = f"n{len(ids)}"
        label = node.label()
        cols = ", ".join(f.name for f in node.schema.fields)
        text = wrap(label) + "\n" + wrap(f"[{cols}]", max_lines=3)
        lines.append(f"  {ids[node.plan_id]} [label={quote(text)}, {_node_style(label)}];")
    for node in plan.walk():
        for child in node.children:
            edge = f"  {ids[child.plan_id]} -> {ids[node.plan_id]};"
            if edge not in edges:
                edges.append(edge)
    lines += edges
    lines.append("}")
    return PlanGraph("\n".join(lines) + "\n")


def explain_graph(obj: Any, dataset: Any = None) -> PlanGraph:
    """A ``PlanGraph`` of ``obj``: a DataFrame's logical plan, a Pipeline's fit passes
    planned for ``dataset`` (a DataFrame or its schema; nothing is read), or a fitted
    PipelineModel's passes."""
    from .plan import Plan

    plan = getattr(obj, "_plan", None)
    if isinstance(plan, Plan):   # a DataFrame
        return dataframe_graph(plan)
    graph = getattr(obj, "_explain_graph", None)
    if graph is None:
        raise TypeError(f"explain_graph takes a DataFrame, a Pipeline or a PipelineModel, not "
                        f"{type(obj).__name__}")
    return graph(dataset)
