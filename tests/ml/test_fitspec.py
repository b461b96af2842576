"""Stages declare a FitSpec and Pipeline plans its whole schedule from them before it reads
anything: a stage whose input column comes from a non-standard param is scheduled after the
stage that writes it, and explain() before the fit prints the passes the fit then runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dfml.ml import Pipeline
from dfml.ml.base import Aggregation, Estimator, Model
from dfml.ml.feature import StringIndexer
from dfml.ml.fitspec import AGGREGATION, FitSpec
from dfml.ml.param import Param, Params, TypeConverters
from dfml.sql import functions as F
from dfml.sql import types as T

from test_fused_fit import _pipeline, source  # noqa: F401 - the acceptance pipeline and data


class _MeanModel(Model):
    def __init__(self, mean: float = 0.0, column: str = ""):
        super().__init__()
        self.mean, self.column = mean, column

    def transformSchema(self, schema):
        return schema

    def _transform(self, dataset):
        return dataset


class _MeanOf(Estimator):
    """Learns the mean of one column; which column is named by ``ratingCol`` (not one of the
    names a planner could guess from: inputCol, featuresCol, labelCol...)."""

    ratingCol = Param(Params._dummy(), "ratingCol", "the column to average",
                      TypeConverters.toString)

    def __init__(self, ratingCol: str):
        super().__init__()
        self._set(ratingCol=ratingCol)

    def _column(self) -> str:
        return self.getOrDefault("ratingCol")

    def transformSchema(self, schema):
        if self._column() not in schema.names:
            raise ValueError(f"no column {self._column()}")
        return schema

    def _fit_aggregations(self, schema):
        col = self._column()
        return [Aggregation([col], lambda p: (float(p[col].astype("float64").sum()), len(p)),
                            lambda parts: tuple(map(sum, zip(*parts))) if parts else (0.0, 0))]

    def _model_from(self, results, schema):
        s, n = results[0]
        return _MeanModel(s / n, self._column())


class _MeanOfSource(_MeanOf):
    """The same, but the column comes from a param that is not a column param at all (as a
    formula's or a statement's would): the stage says so in its FitSpec."""

    source = Param(Params._dummy(), "source", "where the column name comes from",
                   TypeConverters.toString)

    def __init__(self, source: str):
        Estimator.__init__(self)
        self._set(source=source)

    def _column(self) -> str:
        return self.getOrDefault("source")

    def _fit_spec(self, schema, sources=None):
        return FitSpec((self._column(),), (), AGGREGATION, tuple(self._fit_aggregations(schema)))


@pytest.fixture
def shops(spark):
    pdf = pd.DataFrame({"shop": ["b", "a", "b", "c", "b", "a"], "x": np.arange(6.0)})
    return spark.createDataFrame(pdf)


@pytest.mark.parametrize("late", [_MeanOf(ratingCol="shop_idx"), _MeanOfSource(source="shop_idx")],
                         ids=["column param", "declared in FitSpec"])
def test_a_non_standard_input_is_scheduled_after_its_writer(spark, shops, late):
    pipeline = Pipeline(stages=[StringIndexer(inputCol="shop", outputCol="shop_idx"), late])
    text = pipeline.explain(shops)
    assert "pass 1: StringIndexer[0]" in text
    assert f"pass 2: {type(late).__name__}[1] reads ['shop_idx']" in text
    model = pipeline.fit(shops)
    # StringIndexer orders by frequency: b -> 0, a -> 1, c -> 2
    assert model.stages[1].mean == pytest.approx((0 + 1 + 0 + 2 + 0 + 1) / 6)
    assert model.fitPasses == 2


def test_explain_before_fit_prints_the_passes_after(spark, source):  # noqa: F811
    df = spark.read.parquet(source)
    pipeline = _pipeline()
    before_reads = len(spark.parquet_reads)
    planned = pipeline.explain(df)
    assert len(spark.parquet_reads) == before_reads  # planning reads nothing
    model = pipeline.fit(df)
    assert model.explain() == planned
    assert planned.startswith("Pipeline fit: 2 pass(es)")


def test_explain_takes_a_schema_and_checks_the_stages(shops):
    pipeline = Pipeline(stages=[StringIndexer(inputCol="nope", outputCol="i")])
    with pytest.raises(Exception, match="nope"):
        pipeline.explain(shops.schema)
    ok = Pipeline(stages=[StringIndexer(inputCol="shop", outputCol="i")])
    assert "pass 1: StringIndexer[0] reads ['shop']" in ok.explain(shops.schema)
