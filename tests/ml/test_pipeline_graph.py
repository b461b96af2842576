"""A Pipeline's fit schedule as a Graphviz graph (``explain(..., mode="graph")``,
``dfml.sql.plan_graph.explain_graph``): one box per pass, holding the estimators fitted in it,
and edges that say which columns flow from which stage."""

from __future__ import annotations

import re
import shutil

import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.classification import LogisticRegression
from dfml.ml.feature import Imputer, OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler
from dfml.sql import types as T
from dfml.sql.plan_graph import explain_graph

SCHEMA = T.StructType([T.StructField("channel", T.StringType()), T.StructField("x0", T.DoubleType()),
                       T.StructField("x1", T.DoubleType()), T.StructField("label", T.DoubleType())])


def _pipeline() -> Pipeline:
    return Pipeline(stages=[
        StringIndexer(inputCol="channel", outputCol="ch_idx"),
        OneHotEncoder(inputCol="ch_idx", outputCol="ch_vec"),
        Imputer(inputCols=["x0", "x1"], outputCols=["x0f", "x1f"]),
        VectorAssembler(inputCols=["ch_vec", "x0f", "x1f"], outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="features"),
        LogisticRegression(maxIter=5),
    ])


def _clusters(dot: str) -> dict[str, list[str]]:
    """pass box title -> the stage nodes drawn in it."""
    out, title = {}, None
    for line in dot.splitlines():
        m = re.match(r"\s*subgraph (cluster_pass\d+)", line)
        if m:
            title = m.group(1)
            out[title] = []
        elif title and line.strip() == "}":
            title = None
        elif title and re.match(r"\s*s\d+ \[", line):
            out[title].append(line.split('label="')[1].split("  (")[0])
    return out


def test_passes_are_boxes_of_the_estimators_fitted_together(capsys):
    pipeline = _pipeline()
    text = pipeline.explain(SCHEMA)
    dot = pipeline.explain(SCHEMA, mode="graph")
    assert capsys.readouterr().out == text + "\n" + dot + "\n"
    assert text.startswith("Pipeline fit: 2 pass(es)")
    assert _clusters(dot) == {"cluster_pass1": ["StringIndexer[0]", "Imputer[2]"],
                              "cluster_pass2": ["StandardScaler[4]", "LogisticRegression[5]"]}
    # outside the boxes: a stage fitted from upstream models, and a transformer
    assert "OneHotEncoder[1]  (fitted from upstream models)" in dot
    assert "VectorAssembler[3]  (transformer)" in dot
    # column flow, and the scaler applied in memory to the learner's blocks
    assert 'input -> s0 [label="channel\\l"]' in dot
    assert 's3 -> s4 [label="raw\\l"]' in dot
    assert re.search(r"s4 -> s5 \[style=dashed.*applied in memory", dot)
    # a stage's unused default output name is not drawn
    assert "__output" not in dot


def test_the_fitted_model_draws_the_plan_it_ran(spark):
    rows = [("web" if i % 3 else "app", float(i % 5), None if i % 7 == 0 else float(i % 4),
             float(i % 2)) for i in range(60)]
    df = spark.createDataFrame(rows, SCHEMA)
    pipeline = _pipeline()
    model = pipeline.fit(df)
    assert model.explain(mode="graph") == pipeline.explain(df, mode="graph")
    assert explain_graph(model).dot == explain_graph(pipeline, df).dot
    if shutil.which("dot"):
        assert "<svg" in explain_graph(model).svg()


def test_graph_needs_what_the_plan_needs(tmp_path, spark):
    with pytest.raises(ValueError, match="needs the dataset"):
        explain_graph(_pipeline())
    model = _pipeline().fit(spark.createDataFrame(
        [("a", 1.0, 2.0, 0.0), ("b", 2.0, 1.0, 1.0)] * 5, SCHEMA))
    model.write().overwrite().save(str(tmp_path / "m"))
    with pytest.raises(ValueError, match="loaded from disk"):
        explain_graph(PipelineModel.load(str(tmp_path / "m")))
