"""The pictures of docs/guide/graphs.md, drawn from the code they document.

``python docs/graph_examples.py`` rewrites the DOT blocks of that page (between the
``<!-- graph:NAME:start -->``/``end`` markers) and, when Graphviz's ``dot`` is installed, the
SVG files in docs/img/. tests/docs/test_docs.py checks that the page's DOT text is what the
code draws today, so the page cannot show a graph dfml no longer makes.
"""

from __future__ import annotations

import os
import re
import sys

DOCS = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.join(DOCS, "guide", "graphs.md")
sys.path.insert(0, os.path.dirname(DOCS))  # this checkout's dfml

from dfml.ml import Pipeline  # noqa: E402
from dfml.ml.classification import LogisticRegression  # noqa: E402
from dfml.ml.feature import (Imputer, OneHotEncoder, StandardScaler, StringIndexer,  # noqa: E402
                             VectorAssembler)
from dfml.sql import SparkSession, functions as F  # noqa: E402
from dfml.sql import types as T  # noqa: E402
from dfml.sql.plan_graph import PlanGraph, dot_available, explain_graph  # noqa: E402


def report_plan(spark) -> PlanGraph:
    flights = spark.createDataFrame([("AA", "JFK", 12.0)],
                                    "carrier string, origin string, arr_delay double")
    carriers = spark.createDataFrame([("AA", "American Airlines")], "carrier string, name string")
    report = (flights.filter(F.col("arr_delay").isNotNull())
              .join(carriers, "carrier", "left")
              .groupBy("carrier", "name")
              .agg(F.count("*").alias("flights"), F.avg("arr_delay").alias("avg_delay"))
              .orderBy(F.col("flights").desc()))
    return explain_graph(report)


def pipeline_passes() -> PlanGraph:
    schema = T.StructType([T.StructField(n, t) for n, t in [
        ("channel", T.StringType()), ("city", T.StringType()), ("x0", T.DoubleType()),
        ("x1", T.DoubleType()), ("label", T.DoubleType())]])
    pipeline = Pipeline(stages=[
        StringIndexer(inputCols=["channel", "city"], outputCols=["ch_idx", "city_idx"]),
        OneHotEncoder(inputCols=["ch_idx", "city_idx"], outputCols=["ch_vec", "city_vec"]),
        Imputer(inputCols=["x0", "x1"], outputCols=["x0_f", "x1_f"]),
        VectorAssembler(inputCols=["ch_vec", "city_vec", "x0_f", "x1_f"], outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="features"),
        LogisticRegression(regParam=0.01),
    ])
    return explain_graph(pipeline, schema)


def graphs(spark) -> dict[str, PlanGraph]:
    return {"plan": report_plan(spark), "pipeline": pipeline_passes()}


def page_blocks(text: str) -> dict[str, str]:
    """name -> the DOT text the page shows between its markers."""
    found = re.findall(r"<!-- graph:(\w+):start -->(.*?)<!-- graph:\1:end -->", text, re.S)
    return {name: body.strip().removeprefix("```dot").removesuffix("```").strip() + "\n"
            for name, body in found}


def main() -> None:
    with SparkSession.builder.master("local[1]").getOrCreate() as spark:
        drawn = graphs(spark)
    with open(PAGE, encoding="utf-8") as f:
        text = f.read()
    for name, graph in drawn.items():
        start, end = f"<!-- graph:{name}:start -->", f"<!-- graph:{name}:end -->"
        head, rest = text.split(start, 1)
        text = head + start + "\n```dot\n" + graph.dot + "```\n" + end + rest.split(end, 1)[1]
        if dot_available():
            graph.save(os.path.join(DOCS, "img", f"{name}-graph.svg"))
        else:
            print(f"Graphviz's dot is not installed: docs/img/{name}-graph.svg not redrawn")
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
