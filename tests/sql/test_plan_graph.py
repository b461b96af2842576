"""``explain(mode="graph")`` and ``dfml.sql.plan_graph``: a plan as Graphviz DOT text, drawn as
SVG only when Graphviz's ``dot`` is installed (it is optional: without it the DOT text is what
you get, and the error or warning says so)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat

import pytest

from dfml.sql import functions as F
from dfml.sql import plan_graph
from dfml.sql.plan_graph import GraphvizNotFound, PlanGraph, explain_graph


def _printed(fn, *args, **kwargs) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, **kwargs)
    return buf.getvalue()


@pytest.fixture(scope="module")
def report(spark):
    flights = spark.createDataFrame([("AA", "JFK", 12.0), ("UA", "SFO", None)],
                                    "carrier string, origin string, arr_delay double")
    carriers = spark.createDataFrame([("AA", "American")], "carrier string, name string")
    return (flights.filter(F.col("arr_delay").isNotNull())
            .join(carriers, "carrier", "left")
            .groupBy("carrier", "name").agg(F.count("*").alias("flights"))
            .orderBy(F.col("flights").desc()))


def test_explain_graph_prints_one_node_per_operator_and_the_data_flow(report):
    dot = _printed(report.explain, mode="graph")
    assert dot.startswith("digraph plan {") and dot.rstrip().endswith("}")
    nodes = [line for line in dot.splitlines() if "[label=" in line]
    heads = [line.split('label="')[1].split("\\l")[0].split(" ")[0] for line in nodes]
    assert heads == ["Sort", "Aggregate", "Join", "Filter", "Source", "Source"]
    assert sum(1 for line in dot.splitlines() if "->" in line) == 5
    # the reads are cylinders; operators where rows move between partitions are bold
    assert all("shape=cylinder" in line for line in nodes if '"Source' in line)
    assert all("bold" in line for line in nodes if line.split('label="')[1].startswith(
        ("Sort", "Aggregate", "Join")))
    assert "bold" not in next(line for line in nodes if '"Filter' in line)
    assert "[carrier, name, flights]" in dot   # each node's output columns


def test_explain_takes_the_mode_positionally_as_spark_does(report):
    assert _printed(report.explain, "graph") == _printed(report.explain, mode="graph")
    simple = _printed(report.explain, "simple")
    assert simple.startswith("== Logical Plan ==") and "Optimized Dask Plan" not in simple


def test_a_shared_input_is_one_node(spark):
    df = spark.range(3)
    dot = explain_graph(df.union(df)).dot
    assert dot.count("shape=cylinder") == 1
    assert len([line for line in dot.splitlines() if "->" in line]) == 1


def test_labels_escape_quotes_and_backslashes(spark):
    df = spark.createDataFrame([("a",)], "s string").filter(F.col("s") == 'x"y\\z')
    dot = explain_graph(df).dot
    label = next(line for line in dot.splitlines() if "Filter" in line)
    assert '\\"y\\\\z' in label
    if shutil.which("dot"):
        assert "<svg" in PlanGraph(dot).svg()


def test_long_labels_wrap_and_elide():
    text = plan_graph.wrap("Project [" + ", ".join(f"column_{i}" for i in range(100)) + "]")
    lines = text.split("\n")
    assert len(lines) == 6 and lines[-1].strip() == "..."
    assert all(len(line) <= 64 for line in lines)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_dot_draws_the_graph_as_svg(report, tmp_path):
    graph = explain_graph(report)
    assert "<svg" in graph.svg()
    out = graph.save(str(tmp_path / "plan.svg"))
    assert out.endswith("plan.svg") and "<svg" in open(out).read()
    assert "<svg" in graph._repr_svg_()


def test_without_dot_svg_fails_clearly_and_save_writes_dot(report, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    graph = explain_graph(report)
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        graph.svg()
    with pytest.warns(RuntimeWarning, match="wrote the DOT text to .*plan.dot"):
        out = graph.save(str(tmp_path / "plan.svg"))
    assert out == str(tmp_path / "plan.dot") and not (tmp_path / "plan.svg").exists()
    assert open(out).read() == graph.dot
    assert graph._repr_svg_() is None     # a notebook shows the text instead
    assert graph.save(str(tmp_path / "p.dot")) == str(tmp_path / "p.dot")


def test_svg_comes_from_the_dot_program_on_path(report, tmp_path, monkeypatch):
    """The renderer is whatever ``dot`` is on PATH: a stub proves the plumbing without Graphviz,
    and a failing ``dot`` is reported with its message."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    stub = bindir / "dot"
    stub.write_text("#!/bin/sh\nread first\necho \"<svg>$first</svg>\"\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bindir) + os.pathsep + os.environ.get("PATH", ""))
    assert explain_graph(report).svg().strip() == "<svg>digraph plan {</svg>"
    stub.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n")
    with pytest.raises(RuntimeError, match="exit 3.*syntax error"):
        explain_graph(report).svg()


def test_explain_graph_refuses_other_objects():
    with pytest.raises(TypeError, match="DataFrame, a Pipeline or a PipelineModel, not int"):
        explain_graph(3)
