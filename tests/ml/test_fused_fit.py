"""The acceptance pipeline of the ML issue: its fit reads the parquet source once per level of
dependency (as ``explain`` reports), fewer times than it has estimators; it saves, loads and
exports to scikit-learn with the same predictions."""

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
    n = 3000
    df = pd.DataFrame({
        "color": rng.choice(["red", "green", "blue", "grey"], n, p=[0.5, 0.3, 0.15, 0.05]),
        "size": rng.choice(["S", "M", "L"], n),
        "shop": rng.choice([f"s{i}" for i in range(12)], n),
        "x": rng.normal(size=n), "y": rng.normal(size=n),
    })
    df.loc[rng.random(n) < 0.1, "y"] = np.nan
    logit = 1.5 * df["x"] + (df["color"] == "red") * 1.0 - 0.5
    df["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    path = str(tmp_path_factory.mktemp("fused") / "data.parquet")
    df.to_parquet(path)
    return path


def _stages():
    cats = ["color", "size", "shop"]
    return [
        StringIndexer(inputCol="color", outputCol="color_idx"),
        StringIndexer(inputCol="size", outputCol="size_idx"),
        StringIndexer(inputCol="shop", outputCol="shop_idx"),
        OneHotEncoder(inputCols=[c + "_idx" for c in cats], outputCols=[c + "_vec" for c in cats]),
        VectorAssembler(inputCols=["x", "color_vec", "size_vec", "shop_vec"], outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="features"),
        Imputer(inputCols=["y"], outputCols=["y_filled"], strategy="median"),
        LogisticRegression(featuresCol="features", labelCol="label", regParam=0.01),
    ]


def test_reads_equal_dependency_depth(spark, source):
    df = spark.read.parquet(source)
    stages = _stages()
    estimators = sum(1 for s in stages if hasattr(s, "fit"))
    before = len(spark.parquet_reads)
    model = Pipeline(stages=stages).fit(df)
    reads = sum(1 for p in spark.parquet_reads[before:] if source in p)
    text = model.explain()
    assert f"{model.fitPasses} pass(es)" in text
    assert reads == model.fitPasses == 3
    assert reads < estimators == 7


def test_round_trip_and_sklearn_export(spark, source, tmp_path):
    df = spark.read.parquet(source)
    model = Pipeline(stages=_stages()).fit(df)
    path = str(tmp_path / "model")
    model.write().overwrite().save(path)
    loaded = PipelineModel.load(path)
    cols = ["prediction", "probability", "y_filled"]
    a = model.transform(df).select(*cols).toPandas()
    b = loaded.transform(df).select(*cols).toPandas()
    assert a["prediction"].tolist() == b["prediction"].tolist()
    assert np.allclose(np.vstack([v.toArray() for v in a["probability"]]),
                       np.vstack([v.toArray() for v in b["probability"]]))
    sk = model.to_sklearn()
    pdf = pd.read_parquet(source)
    proba = sk.predict_proba(pdf)
    assert np.allclose(proba, np.vstack([v.toArray() for v in a["probability"]]), atol=1e-9)
    assert sk.predict(pdf).tolist() == a["prediction"].tolist()
