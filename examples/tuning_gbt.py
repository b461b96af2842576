"""Hyper-parameter search over a gradient-boosted-trees pipeline on dfml's embedded local Dask
cluster, in PySpark's ML API.

Writes a small data set the first time it runs (bench/pipeline_data.py's purchase events),
then searches GBTClassifier's maxDepth and stepSize with a 3-fold CrossValidator over a
StringIndexer -> VectorAssembler -> GBTClassifier pipeline. The feature stages come before the
first stage whose params vary, so dfml fits them once per fold and shares them across the
candidates (Spark refits them for each); `parallelism` candidates train at once, each with
XGBoost on the cluster's workers. Prints each candidate's mean AUC, the best params and the
best model's AUC on held-out rows, and saves the fitted CrossValidatorModel.

    python examples/tuning_gbt.py [--rows 20000] [--master local[2]]
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
from pipeline_data import NUMERIC, generate  # noqa: E402 - shared data generator

from dfml.ml import Pipeline  # noqa: E402
from dfml.ml.classification import GBTClassifier  # noqa: E402
from dfml.ml.evaluation import BinaryClassificationEvaluator  # noqa: E402
from dfml.ml.feature import StringIndexer, VectorAssembler  # noqa: E402
from dfml.ml.tuning import CrossValidator, CrossValidatorModel, ParamGridBuilder  # noqa: E402
from dfml.sql import SparkSession, functions as F  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description="dfml CrossValidator over a GBT pipeline")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "tuning_gbt_model"))
    ns = ap.parse_args(argv)
    root = generate(os.path.join(HERE, "data", f"events_{ns.rows}"), ns.rows)

    spark = SparkSession.builder.master(ns.master).appName("tuning-gbt").getOrCreate()
    try:
        df = spark.read.parquet(os.path.join(root, "events")).na.fill(0.0, subset=NUMERIC)
        train, test = df.filter(F.col("id") % 5 != 0), df.filter(F.col("id") % 5 == 0)
        gbt = GBTClassifier(labelCol="label", maxIter=20, seed=1)
        pipeline = Pipeline(stages=[
            StringIndexer(inputCol="channel", outputCol="channel_idx", handleInvalid="keep"),
            VectorAssembler(inputCols=NUMERIC + ["channel_idx"], outputCol="features"),
            gbt,
        ])
        grid = (ParamGridBuilder().addGrid(gbt.maxDepth, [2, 4])
                .addGrid(gbt.stepSize, [0.1, 0.3]).build())
        evaluator = BinaryClassificationEvaluator(labelCol="label", metricName="areaUnderROC")
        cv = CrossValidator(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator,
                            numFolds=3, parallelism=2, seed=7)
        model = cv.fit(train)
        for params, metric in zip(grid, model.avgMetrics):
            named = ", ".join(f"{p.name}={v}" for p, v in params.items())
            print(f"{named}: mean AUC {metric:.4f}")
        best = model.bestModel.stages[-1]
        auc = evaluator.evaluate(model.transform(test))
        print(f"best: maxDepth={best.getOrDefault('maxDepth')}, "
              f"stepSize={best.getOrDefault('stepSize')}, {best.getNumTrees} trees; "
              f"test areaUnderROC = {auc:.4f}")
        model.write().overwrite().save(ns.out)
        reloaded = CrossValidatorModel.load(ns.out)
        print(f"saved to {ns.out}; reloaded, avgMetrics {len(reloaded.avgMetrics)} values")
        return {"avgMetrics": list(model.avgMetrics), "test_auc": auc}
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
