"""SQLTransformer: lazy, usable in a Pipeline, clear errors, saved without data."""

from __future__ import annotations

import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import SQLTransformer, StringIndexer


def test_pipeline_stage_and_persistence(spark, tmp_path):
    df = spark.createDataFrame([(1, "a"), (2, "b"), (3, "a"), (4, None)], ["n", "s"])
    pipe = Pipeline(stages=[SQLTransformer(statement="SELECT n * 2 AS m, s FROM __THIS__ WHERE n > 1"),
                            StringIndexer(inputCol="s", outputCol="i", handleInvalid="keep")])
    model = pipe.fit(df)
    rows = sorted(model.transform(df).collect())
    assert [r.m for r in rows] == [4, 6, 8]
    # the indexer is fitted on the filtered rows: "a" and "b" once each, ties alphabetical
    assert model.stages[1].labels == ["a", "b"]
    model.save(str(tmp_path / "m"))
    again = PipelineModel.load(str(tmp_path / "m"))
    assert again.stages[0].getStatement() == pipe.getStages()[0].getStatement()
    assert sorted(again.transform(df).collect()) == rows


def test_missing_statement_and_bad_column(spark):
    df = spark.createDataFrame([(1, "a")], ["n", "s"])
    with pytest.raises(Exception, match="statement"):
        SQLTransformer().transform(df)
    with pytest.raises(Exception, match="nope"):
        SQLTransformer(statement="SELECT nope FROM __THIS__").transform(df)
