"""Interaction against PySpark: nominal inputs (a StringIndexer's output) enter one-hot
encoded, the output's slot names are Spark's, and VectorSlicer selects by those names."""

from __future__ import annotations

import pytest



def assert_same(a, b, check_types=False):
    """Same rows, vectors compared by their printed form (dense or sparse, as Spark chooses)."""
    rows = lambda df: [tuple(str(v) for v in r) for r in df.orderBy("id").collect()]
    assert rows(a) == rows(b)

ROWS = [(0, "a", "u", 2.0, 1.0), (1, "b", "v", 3.0, -1.0), (2, "c", "u", -1.0, 0.5),
        (3, "a", "v", 0.5, 2.0)]
SCHEMA = "id int, cat string, tag string, x double, y double"


def _build(session, m, inputs):
    df = session.createDataFrame(ROWS, SCHEMA)
    df = m.StringIndexer(inputCols=["cat", "tag"], outputCols=["ci", "ti"]).fit(df).transform(df)
    df = m.VectorAssembler(inputCols=["x", "y"], outputCol="xy").transform(df)
    return m.Interaction(inputCols=inputs, outputCol="ia").transform(df)


@pytest.mark.parametrize("inputs", [["ci", "x"], ["x", "ci"], ["ci", "ti"], ["x", "y"],
                                    ["ci", "xy"], ["xy", "ti", "y"]])
def test_interaction(spark, pyspark, inputs):
    import dfml.ml.feature as ours
    import pyspark.ml.feature as theirs
    a, b = _build(spark, ours, inputs), _build(pyspark, theirs, inputs)
    assert_same(a.select("id", "ia"), b.select("id", "ia"), check_types=False)
    assert a.schema["ia"].metadata == b.schema["ia"].metadata


def test_slicing_an_interaction_by_names(spark, pyspark):
    import dfml.ml.feature as ours
    import pyspark.ml.feature as theirs

    def sliced(session, m):
        out = _build(session, m, ["ci", "x"])
        return m.VectorSlicer(inputCol="ia", outputCol="s", names=["ci_c:x", "ci_a:x"]).transform(out)
    assert_same(sliced(spark, ours).select("id", "s"), sliced(pyspark, theirs).select("id", "s"),
                check_types=False)
