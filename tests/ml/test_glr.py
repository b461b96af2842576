"""GeneralizedLinearRegression and IsotonicRegression without PySpark: Spark's saved layout,
param errors that name the stage and the value, label checks per family, the fusable
isotonic fit, and the scikit-learn export."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import VectorAssembler
from dfml.ml.fitspec import AGGREGATION
from dfml.ml.linalg import Vectors
from dfml.ml.regression import (GeneralizedLinearRegression, GeneralizedLinearRegressionModel,
                                IsotonicRegression, IsotonicRegressionModel)
from dfml.sql.errors import IllegalArgumentException, SparkException

ROWS = [(1.0, 0.5, 2.0, 0.1, Vectors.dense(1.0, 0.5)), (3.0, 1.5, 1.0, 0.0, Vectors.dense(2.0, 1.5)),
        (2.0, 0.2, 1.0, -0.1, Vectors.dense(3.0, 0.2)), (5.0, 2.5, 3.0, 0.2, Vectors.dense(4.0, 2.5)),
        (4.0, 1.0, 2.0, 0.0, Vectors.dense(5.0, 1.0)), (7.0, 3.0, 1.0, 0.1, Vectors.dense(6.0, 3.0))]


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame(ROWS, ["label", "b", "w", "off", "features"])


def test_glr_save_load_spark_layout(df, tmp_path):
    model = GeneralizedLinearRegression(family="poisson", offsetCol="off", weightCol="w",
                                        linkPredictionCol="eta").fit(df)
    path = str(tmp_path / "glr")
    model.save(path)
    meta = json.loads(open(os.path.join(path, "metadata/part-00000")).read())
    assert meta["class"].endswith("GeneralizedLinearRegressionModel")
    assert meta["paramMap"]["family"] == "poisson" and meta["paramMap"]["offsetCol"] == "off"
    table = pq.read_table(os.path.join(path, "data/part-00000.parquet"))
    assert table.column_names == ["intercept", "coefficients"]
    loaded = GeneralizedLinearRegressionModel.load(path)
    assert loaded.intercept == model.intercept
    assert loaded.coefficients == model.coefficients
    assert not loaded.hasSummary
    cols = ["prediction", "eta"]
    assert loaded.transform(df).select(cols).collect() == model.transform(df).select(cols).collect()


def test_glr_evaluate_matches_training_summary(df):
    model = GeneralizedLinearRegression(family="gamma", link="log", weightCol="w").fit(df)
    s, e = model.summary, model.evaluate(df)
    for name in ("deviance", "nullDeviance", "dispersion", "aic"):
        assert getattr(e, name) == pytest.approx(getattr(s, name), rel=1e-12)
    assert e.numInstances == 6 and e.rank == 3 and s.numIterations >= 1


@pytest.mark.parametrize("params, match", [
    (dict(family="poisson", link="logit"), "poisson family does not support logit"),
    (dict(family="exponential"), "family must be one of"),
    (dict(solver="l-bfgs"), "solver must be irls"),
    (dict(family="tweedie", variancePower=0.5), "variancePower must be 0 or >= 1"),
    (dict(regParam=-1.0), "regParam must be >= 0"),
])
def test_glr_param_errors(df, params, match):
    with pytest.raises(IllegalArgumentException, match=match):
        GeneralizedLinearRegression(**params).fit(df)


def test_glr_label_outside_family_support(df):
    with pytest.raises(Exception, match="Binomial family should be in range"):
        GeneralizedLinearRegression(family="binomial").fit(df)


def test_glr_missing_offset_column_is_named(df):
    with pytest.raises(Exception, match="`offset`"):
        GeneralizedLinearRegression(offsetCol="offset").fit(df)


def test_glr_tweedie_has_no_aic(df):
    s = GeneralizedLinearRegression(family="tweedie", variancePower=1.5).fit(df).summary
    with pytest.raises(SparkException, match="No AIC available for the tweedie family"):
        s.aic
    assert "AIC" not in repr(s)


def test_isotonic_save_load_spark_layout_and_sklearn(df, tmp_path):
    model = IsotonicRegression(weightCol="w", featuresCol="b").fit(df)
    path = str(tmp_path / "iso")
    model.save(path)
    table = pq.read_table(os.path.join(path, "data/part-00000.parquet"))
    assert table.column_names == ["boundaries", "predictions", "isotonic"]
    loaded = IsotonicRegressionModel.load(path)
    assert loaded.boundaries == model.boundaries and loaded.predictions == model.predictions
    xs = np.array([-1.0, 0.2, 0.3, 1.2, 2.9, 10.0])
    ours = [loaded.predict(x) for x in xs]
    assert np.allclose(model.to_sklearn().predict(xs), ours)


def test_isotonic_fit_is_one_fusable_aggregation(spark, df, graphs):
    stage = IsotonicRegression(featureIndex=1)
    assert stage._fit_spec(df.schema).kind == AGGREGATION
    pipe = Pipeline(stages=[VectorAssembler(inputCols=["b", "w"], outputCol="v"),
                            IsotonicRegression(featuresCol="v", featureIndex=0,
                                               predictionCol="p")])
    n = graphs()
    model = pipe.fit(df)
    assert n.count == 1
    assert isinstance(model, PipelineModel)


def test_isotonic_errors(spark):
    with pytest.raises(IllegalArgumentException, match="featureIndex must be >= 0"):
        IsotonicRegression(featureIndex=-1).fit(spark.createDataFrame([(1.0, 2.0)], ["label", "features"]))
    bad = spark.createDataFrame([(None, 2.0), (1.0, 3.0)], "label double, features double")
    with pytest.raises(Exception, match="must not hold null or NaN"):
        IsotonicRegression().fit(bad)
