"""Acceptance: a pipeline of seven estimators fits in as many reads of its parquet source as
its dependency depth, which ``explain`` reports: 2 (the indexers and the Imputer in pass 1; the
StandardScaler in pass 2, which also builds the LogisticRegression's training blocks, scaled in
memory once the scaler is fitted). The fitted pipeline saves, loads and exports to scikit-learn
with the same predictions."""

import numpy as np
import pandas as pd
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.classification import LogisticRegression
from dfml.ml.feature import (Imputer, OneHotEncoder, StandardScaler, StringIndexer,
                             VectorAssembler)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    rng = np.random.default_rng(3)
    n = 2000
    colour = rng.choice(["red", "green", "blue", "black"], size=n, p=[0.5, 0.3, 0.15, 0.05])
    size = rng.choice(["S", "M", "L"], size=n)
    shop = rng.choice([f"shop{i}" for i in range(12)], size=n)
    x = rng.normal(size=n)
    y = rng.normal(size=n) * 3
    y[rng.random(n) < 0.1] = np.nan  # nulls for the Imputer
    z = 1.5 * x - 0.4 * np.nan_to_num(y) + (colour == "red") * 1.0 - (size == "L") * 0.8
    label = (z + rng.logistic(size=n) > 0).astype(float)
    path = str(tmp_path_factory.mktemp("fused") / "train.parquet")
    pd.DataFrame({"id": np.arange(n), "colour": colour, "size": size, "shop": shop, "x": x,
                  "y": y, "label": label}).to_parquet(path)
    return path


def _pipeline():
    return Pipeline(stages=[
        StringIndexer(inputCol="colour", outputCol="colour_idx"),
        StringIndexer(inputCol="size", outputCol="size_idx"),
        StringIndexer(inputCol="shop", outputCol="shop_idx", handleInvalid="keep"),
        OneHotEncoder(inputCols=["colour_idx", "size_idx", "shop_idx"],
                      outputCols=["colour_vec", "size_vec", "shop_vec"]),
        Imputer(inputCol="y", outputCol="y_filled", strategy="median"),
        VectorAssembler(inputCols=["colour_vec", "size_vec", "shop_vec", "x", "y_filled"],
                        outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="features"),
        LogisticRegression(regParam=0.01),
    ])


def test_reads_equal_dependency_depth(spark, source):
    df = spark.read.parquet(source)
    pipeline = _pipeline()
    estimators = sum(1 for s in pipeline.getStages() if hasattr(s, "fit"))
    before = len(spark.parquet_reads)
    model = pipeline.fit(df)
    reads = sum(1 for p in spark.parquet_reads[before:] if source in p)
    assert model.fitPasses == 2 == reads < estimators == 7
    text = model.explain()
    assert text.startswith("Pipeline fit: 2 pass(es) over the input for 7 estimator(s)")
    assert "pass 1: StringIndexer[0]" in text and "Imputer[4]" in text.split("pass 2")[0]
    # the LogisticRegression's blocks are built in the StandardScaler's pass and scaled in memory
    assert "pass 2: StandardScaler[6] reads ['raw'] (aggregations); LogisticRegression[7]" in text
    assert "StandardScalerModel" not in text and "StandardScaler[6] applied in memory" in text
    assert "no pass: OneHotEncoder[3]" in text
    auc = model.stages[-1].summary.areaUnderROC
    assert auc > 0.75


def test_save_load_and_sklearn_export(spark, source, tmp_path):
    df = spark.read.parquet(source)
    model = _pipeline().fit(df)
    ours = model.transform(df).orderBy("id").select("id", "probability", "prediction").collect()
    path = str(tmp_path / "model")
    model.write().overwrite().save(path)
    loaded = PipelineModel.load(path)
    again = loaded.transform(df).orderBy("id").select("id", "probability", "prediction").collect()
    assert again == ours
    pdf = pd.read_parquet(source).sort_values("id")
    sk = model.to_sklearn()
    assert np.allclose(sk.predict_proba(pdf)[:, 1], [r.probability[1] for r in ours],
                       rtol=1e-9, atol=1e-12)
    assert list(sk.predict(pdf)) == [r.prediction for r in ours]


def test_in_memory_blocks_give_the_separate_fit(spark, source):
    """The LogisticRegression trained on blocks scaled in memory equals one fitted on the
    StandardScaler's output read and transformed the ordinary way."""
    df = spark.read.parquet(source)
    model = _pipeline().fit(df)
    features = model.stages[-2].transform(
        PipelineModel(model.stages[:-2]).transform(df))
    alone = LogisticRegression(regParam=0.01).fit(features)
    ours = model.stages[-1]
    assert np.allclose(ours.coefficients.toArray(), alone.coefficients.toArray(), rtol=1e-8)
    assert ours.intercept == pytest.approx(alone.intercept, rel=1e-8)
