"""Parquet to model: the DESIGN.md example, end to end, on dfml's embedded local Dask cluster.

Writes a flights data set (parquet) the first time it runs, then: per-carrier delay statistics
(groupBy) joined back, a label, a train/test split, and a Pipeline of StringIndexer,
OneHotEncoder, VectorAssembler, StandardScaler and LogisticRegression. It prints how the fit
ran (passes over the data), the test AUC, writes the predictions as parquet and saves the
model, then loads the model back and checks it predicts the same. Replace ``dfml`` with
``pyspark`` in the imports and it is a PySpark program.

    python examples/ml_pipeline.py [--rows 200000] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.classification import LogisticRegression
from dfml.ml.evaluation import BinaryClassificationEvaluator
from dfml.ml.feature import OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler
from dfml.sql import SparkSession, functions as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "ml_flights")
OUT = os.path.join(HERE, "out")
CARRIERS = ["AA", "DL", "UA", "WN", "B6", "AS", "NK", "F9", "HA", "G4"]
ORIGINS = [f"A{i:02d}" for i in range(40)]


def make_data(rows: int) -> None:
    """Flights with a delay that depends on carrier, origin, distance and departure delay."""
    if os.path.exists(os.path.join(DATA, "_SUCCESS")):
        return
    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(11)
    carrier_bias = rng.normal(scale=6, size=len(CARRIERS))
    origin_bias = rng.normal(scale=4, size=len(ORIGINS))
    for part, start in enumerate(range(0, rows, 100_000)):
        n = min(100_000, rows - start)
        c = rng.choice(len(CARRIERS), size=n, p=np.linspace(2, 1, len(CARRIERS)) / 15)
        o = rng.integers(0, len(ORIGINS), size=n)
        distance = rng.gamma(4.0, 250.0, size=n)
        dep = rng.normal(8, 20, size=n)
        arr = dep * 0.9 + carrier_bias[c] + origin_bias[o] + distance / 400 + rng.normal(0, 12, n)
        pq.write_table(pa.table({
            "carrier": pa.array(np.array(CARRIERS)[c]), "origin": pa.array(np.array(ORIGINS)[o]),
            "distance": distance, "dep_delay": pa.array(dep, mask=rng.random(n) < 0.03),
            "arr_delay": pa.array(arr, mask=rng.random(n) < 0.02),
        }), os.path.join(DATA, f"part-{part:03d}.parquet"))
    open(os.path.join(DATA, "_SUCCESS"), "w").close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--master", default=os.environ.get("DFML_MASTER", "local[2]"))
    ns = ap.parse_args()
    make_data(ns.rows)
    spark = SparkSession.builder.master(ns.master).appName("ml-pipeline").getOrCreate()

    flights = spark.read.parquet(DATA)
    stats = flights.groupBy("carrier").agg(F.avg("dep_delay").alias("carrier_delay"))
    df = (flights.filter(F.col("arr_delay").isNotNull() & F.col("dep_delay").isNotNull())
          .join(stats, "carrier", "left")
          .withColumn("label", (F.col("arr_delay") > 15).cast("double")))
    train, test = df.randomSplit([0.8, 0.2], seed=42)

    pipeline = Pipeline(stages=[
        StringIndexer(inputCols=["carrier", "origin"], outputCols=["carrier_idx", "origin_idx"]),
        OneHotEncoder(inputCols=["carrier_idx", "origin_idx"], outputCols=["carrier_vec", "origin_vec"]),
        VectorAssembler(inputCols=["dep_delay", "distance", "carrier_delay", "carrier_vec",
                                   "origin_vec"], outputCol="raw"),
        StandardScaler(inputCol="raw", outputCol="features"),
        LogisticRegression(labelCol="label", regParam=0.001),
    ])
    model = pipeline.fit(train)
    model.explain()
    predictions = model.transform(test)
    auc = BinaryClassificationEvaluator(labelCol="label").evaluate(predictions)
    print(f"test areaUnderROC = {auc:.4f}")

    predictions.select("carrier", "origin", "label", "probability", "prediction") \
        .write.mode("overwrite").parquet(os.path.join(OUT, "predictions"))
    model.write().overwrite().save(os.path.join(OUT, "flight_delay_model"))
    reloaded = PipelineModel.load(os.path.join(OUT, "flight_delay_model"))
    same = BinaryClassificationEvaluator(labelCol="label").evaluate(reloaded.transform(test))
    print(f"reloaded model areaUnderROC = {same:.4f}")
    predictions.select("carrier", "label", "probability", "prediction").show(5, truncate=False)
    spark.stop()


if __name__ == "__main__":
    main()
