"""Parquet to model on dfml's embedded local Dask cluster, in PySpark's ML API.

Writes a small data set the first time it runs (purchase events with skewed categorical
columns and numeric columns with nulls, and a stores dimension table), then reads it back,
joins the stores, adds a per-city groupBy feature, and fits
StringIndexer -> OneHotEncoder -> Imputer -> VectorAssembler -> StandardScaler ->
LogisticRegression on 80% of the rows. It prints how the fit was planned (passes over the
data), the area under ROC on the other 20%, and saves the fitted pipeline.

    python examples/ml_pipeline.py [--rows 200000] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
from pipeline_data import CATEGORIES, NUMERIC, generate  # noqa: E402 - shared data generator

from dfml.ml import Pipeline, PipelineModel  # noqa: E402
from dfml.ml.classification import LogisticRegression  # noqa: E402
from dfml.ml.evaluation import BinaryClassificationEvaluator  # noqa: E402
from dfml.ml.feature import (Imputer, OneHotEncoder, StandardScaler, StringIndexer,  # noqa: E402
                             VectorAssembler)
from dfml.sql import SparkSession, functions as F  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description="dfml parquet-to-model example")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--master", default="local[2]")
    ns = ap.parse_args()
    root = generate(os.path.join(HERE, "data", f"events_{ns.rows}"), ns.rows)

    spark = SparkSession.builder.master(ns.master).appName("ml-pipeline").getOrCreate()
    events = spark.read.parquet(os.path.join(root, "events"))
    stores = spark.read.parquet(os.path.join(root, "stores.parquet"))
    city = events.groupBy("city").agg(F.avg("x0").alias("city_x0_mean"),
                                      F.count("*").cast("double").alias("city_n"))
    df = events.join(stores, "store_id", "left").join(city, "city", "left")
    train, test = df.filter(F.col("id") % 5 != 0), df.filter(F.col("id") % 5 == 0)

    cats = list(CATEGORIES) + ["region"]
    filled = [c + "_filled" for c in NUMERIC]
    pipeline = Pipeline(stages=[
        StringIndexer(inputCols=cats, outputCols=[c + "_idx" for c in cats], handleInvalid="keep"),
        OneHotEncoder(inputCols=[c + "_idx" for c in cats], outputCols=[c + "_vec" for c in cats]),
        Imputer(inputCols=NUMERIC, outputCols=filled, strategy="median"),
        VectorAssembler(inputCols=filled + ["store_size", "city_x0_mean", "city_n"]
                        + [c + "_vec" for c in cats], outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="features"),
        LogisticRegression(regParam=0.001, maxIter=50),
    ])
    model = pipeline.fit(train)
    model.explain()
    lr = model.stages[-1]
    print(f"LogisticRegression: {lr.numFeatures} features, "
          f"{lr.summary.totalIterations} iterations")
    auc = BinaryClassificationEvaluator(metricName="areaUnderROC").evaluate(model.transform(test))
    print(f"test areaUnderROC = {auc:.4f}")

    out = os.path.join(HERE, "out", "ml_pipeline_model")
    model.write().overwrite().save(out)
    reloaded = PipelineModel.load(out)
    print(f"saved to {out}; reloaded {len(reloaded.stages)} stages")
    spark.stop()


if __name__ == "__main__":
    main()
