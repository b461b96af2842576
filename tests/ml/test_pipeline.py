"""Pipeline semantics (Spark's) and the fit planned in passes over the input."""

import numpy as np
import pandas as pd
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import StandardScaler, VectorAssembler
from dfml.sql.errors import AnalysisException


@pytest.fixture
def source(spark, tmp_path):
    rng = np.random.default_rng(0)
    path = str(tmp_path / "src.parquet")
    pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)}).to_parquet(path)
    return path


def _reads(spark, path, before):
    return sum(1 for p in spark.parquet_reads[before:] if path in p)


def test_passes_follow_dependencies_not_estimator_count(spark, source):
    df = spark.read.parquet(source)
    stages = [VectorAssembler(inputCols=["a", "b"], outputCol="raw"),
              StandardScaler(inputCol="raw", outputCol="s1"),          # pass 1
              StandardScaler(inputCol="raw", outputCol="s2", withMean=True),  # pass 1
              VectorAssembler(inputCols=["s1", "a"], outputCol="g"),
              StandardScaler(inputCol="g", outputCol="s3")]            # pass 2
    before = len(spark.parquet_reads)
    model = Pipeline(stages=stages).fit(df)
    assert model.fitPasses == 2
    assert _reads(spark, source, before) == 2 < 3
    text = model.explain()
    assert "2 pass(es)" in text and "pass 2: StandardScaler[4]" in text


def test_models_equal_separate_fits(spark, source):
    df = spark.read.parquet(source)
    va = VectorAssembler(inputCols=["a", "b"], outputCol="raw")
    ss = StandardScaler(inputCol="raw", outputCol="s", withMean=True)
    model = Pipeline(stages=[va, ss]).fit(df)
    alone = ss.fit(va.transform(df))
    assert np.allclose(model.stages[1].std.toArray(), alone.std.toArray())
    assert model.stages[1].uid == ss.uid and model.stages[1].parent is ss
    assert isinstance(model, PipelineModel) and model.uid


def test_transformers_after_last_estimator_pass_through(spark, source):
    df = spark.read.parquet(source)
    tail = VectorAssembler(inputCols=["a"], outputCol="t")
    model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="raw"), tail]).fit(df)
    assert model.stages[1] is tail and model.fitPasses == 0
    assert model.transform(df).columns == ["a", "b", "raw", "t"]


def test_bad_stage_fails_before_any_work(spark, source, graphs):
    df = spark.read.parquet(source)
    g = graphs()
    with pytest.raises(AnalysisException, match="Did you mean `raw`"):
        Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="raw"),
                         StandardScaler(inputCol="rwa", outputCol="s")]).fit(df)
    with pytest.raises(TypeError, match="must be a vector"):
        StandardScaler(inputCol="a", outputCol="s").fit(df)
    with pytest.raises(TypeError, match="neither an Estimator nor a Transformer"):
        Pipeline(stages=[VectorAssembler(inputCols=["a"], outputCol="v"), 42]).fit(df)
    assert g.count == 0


def test_fit_with_param_maps(spark, source):
    df = spark.read.parquet(source)
    va = VectorAssembler(inputCols=["a", "b"], outputCol="raw")
    ss = StandardScaler(inputCol="raw", outputCol="s")
    models = ss.fit(va.transform(df), [{ss.withMean: True}, {ss.withMean: False}])
    assert [m.getWithMean() for m in models] == [True, False]
