"""Hyper-parameter search, side by side: dfml CrossValidator (local[2]), PySpark
CrossValidator(parallelism=2) local[2], and scikit-learn GridSearchCV(n_jobs=2) on pandas.

    python bench/tuning.py --rows 1000000 [--engines dfml,pyspark,sklearn]

Workload: bench/pipeline.py's data and feature pipeline (join, groupBy feature, null fill,
StringIndexer -> OneHotEncoder -> VectorAssembler -> StandardScaler) before a
LogisticRegression, searched over 6 values of regParam with 3 folds (18 fits of the
pipeline's last stage). The folds are the same for all three: ``foldCol`` = ``id % 3`` on the
training rows (scikit-learn: ``PredefinedSplit``), so the three can pick the same best
regParam and their fold metrics (area under ROC) are comparable. The best model's AUC on the
held-out rows (``id % 5 == 0``) is reported too. dfml fits the feature prefix once per fold and
shares it across candidates; PySpark refits the whole pipeline per candidate and fold.
Each engine runs in its own child process (memory sampled as bench/pipeline.py does).
Writes ``bench/results/tuning_{rows}.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pipeline import CATS, EXTRA_NUMERIC, MAX_ITER, measure, run_on  # noqa: E402 - bench/ is no package
from pipeline_data import NUMERIC, generate  # noqa: E402

REG_PARAMS = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3]
FOLDS = 3
TARGETS = {"pyspark": 0.25}


def spark_workload(pkg: str, spark: Any, root: str) -> dict:
    """The search in PySpark's API; ``pkg`` is "dfml" or "pyspark"."""
    F = importlib.import_module(f"{pkg}.sql.functions")
    ml = importlib.import_module(f"{pkg}.ml")
    feat = importlib.import_module(f"{pkg}.ml.feature")
    clf = importlib.import_module(f"{pkg}.ml.classification")
    ev = importlib.import_module(f"{pkg}.ml.evaluation")
    tuning = importlib.import_module(f"{pkg}.ml.tuning")
    events = spark.read.parquet(os.path.join(root, "events"))
    stores = spark.read.parquet(os.path.join(root, "stores.parquet"))
    city = events.groupBy("city").agg(F.avg("x0").alias("city_x0_mean"),
                                      F.count("*").cast("double").alias("city_n"))
    df = (events.join(stores, "store_id", "left").join(city, "city", "left")
          .na.fill(0.0, subset=NUMERIC).withColumn("fold", (F.col("id") % FOLDS).cast("int")))
    train = df.filter(F.col("id") % 5 != 0)
    test = df.filter(F.col("id") % 5 == 0)
    idx = [c + "_idx" for c in CATS]
    vec = [c + "_vec" for c in CATS]
    lr = clf.LogisticRegression(featuresCol="features", labelCol="label", maxIter=MAX_ITER)
    pipeline = ml.Pipeline(stages=[
        feat.StringIndexer(inputCols=CATS, outputCols=idx, handleInvalid="keep"),
        feat.OneHotEncoder(inputCols=idx, outputCols=vec),
        feat.VectorAssembler(inputCols=NUMERIC + EXTRA_NUMERIC + vec, outputCol="raw"),
        feat.StandardScaler(inputCol="raw", outputCol="features"),
        lr,
    ])
    grid = tuning.ParamGridBuilder().addGrid(lr.regParam, REG_PARAMS).build()
    evaluator = ev.BinaryClassificationEvaluator(labelCol="label", metricName="areaUnderROC")
    cv = tuning.CrossValidator(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator,
                               numFolds=FOLDS, foldCol="fold", parallelism=2)
    model = cv.fit(train)
    metrics = [float(m) for m in model.avgMetrics]
    best = REG_PARAMS[max(range(len(metrics)), key=metrics.__getitem__)]
    return {"best_regParam": best, "avg_metrics": metrics,
            "test_auc": float(evaluator.evaluate(model.transform(test)))}


def run_dfml(root: str) -> dict:
    return run_on("dfml", spark_workload, root)


def run_pyspark(root: str) -> dict:
    return run_on("pyspark", spark_workload, root)


def run_sklearn(root: str) -> dict:
    import numpy as np
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GridSearchCV, PredefinedSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    events = pd.read_parquet(os.path.join(root, "events"))
    stores = pd.read_parquet(os.path.join(root, "stores.parquet"))
    city = events.groupby("city").agg(city_x0_mean=("x0", "mean"), city_n=("x0", "size"))
    city["city_n"] = city["city_n"].astype(float)
    df = events.merge(stores, on="store_id", how="left").merge(city, on="city", how="left")
    df[NUMERIC] = df[NUMERIC].fillna(0.0)
    train, test = df[df["id"] % 5 != 0], df[df["id"] % 5 == 0]
    pre = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), CATS),
                             ("num", "passthrough", NUMERIC + EXTRA_NUMERIC)])
    # Spark's objective is mean loss + regParam/2 |w|^2; scikit-learn's C * sum loss + |w|^2/2,
    # so C = 1 / (regParam * rows of a fold's training part)
    n_fit = len(train) * (FOLDS - 1) / FOLDS
    model = make_pipeline(pre, StandardScaler(with_mean=False),
                          LogisticRegression(max_iter=MAX_ITER))
    grid = {"logisticregression__C": [1.0 / (r * n_fit) for r in REG_PARAMS]}
    search = GridSearchCV(model, grid, scoring="roc_auc", n_jobs=2,
                          cv=PredefinedSplit((train["id"] % FOLDS).to_numpy()))
    search.fit(train, train["label"])
    metrics = [float(m) for m in search.cv_results_["mean_test_score"]]
    best = REG_PARAMS[int(np.argmax(metrics))]
    return {"best_regParam": best, "avg_metrics": metrics,
            "test_auc": float(roc_auc_score(test["label"],
                                            search.predict_proba(test)[:, 1]))}


ENGINES = {"dfml": run_dfml, "pyspark": run_pyspark, "sklearn": run_sklearn}
LABELS = {"dfml": "dfml local[2]", "pyspark": "PySpark local[2]",
          "sklearn": "scikit-learn n_jobs=2"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--engines", default="dfml,pyspark,sklearn")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.child:
        t0 = time.perf_counter()
        out = ENGINES[ns.child](ns.data)
        # measure() reads "auc" and "work_s" from the last line; the rest rides along
        print(json.dumps(dict(out, auc=out["test_auc"], work_s=round(time.perf_counter() - t0,
                                                                     2))))
        return
    root = generate(os.path.join(HERE, "data", f"pipeline_{ns.rows}"), ns.rows)
    results = {}
    for engine in ns.engines.split(","):
        results[engine] = measure(engine, root, script=os.path.abspath(__file__), keep=True)
        print(json.dumps(results[engine]), flush=True)
    print(f"\n{ns.rows:,} rows, {FOLDS} folds x {len(REG_PARAMS)} regParam values, "
          f"{os.cpu_count()} cores; wall = whole child process incl. start-up")
    print(f"{'engine':24} {'wall s':>8} {'peak MB':>8} {'best regParam':>14} {'test AUC':>9}")
    for e, r in results.items():
        line = r.get("error") or (f"{r['wall_s']:8.2f} {r['peak_mb']:8d} "
                                  f"{r['best_regParam']:>14g} {r['test_auc']:9.4f}")
        print(f"{LABELS[e]:24} {line}")
    d, ratios = results.get("dfml", {}), {}
    for anchor in ("pyspark", "sklearn"):
        a = results.get(anchor, {})
        if "wall_s" in d and "wall_s" in a:
            ratios[anchor] = {"time": round(d["wall_s"] / a["wall_s"], 3),
                              "memory": round(d["peak_mb"] / a["peak_mb"], 3),
                              "same_best": d["best_regParam"] == a["best_regParam"],
                              "max_avg_metric_diff": round(max(
                                  abs(x - y) for x, y in zip(d["avg_metrics"],
                                                             a["avg_metrics"])), 6)}
            target = f" (target <= {TARGETS[anchor]}x)" if anchor in TARGETS else ""
            print(f"dfml / {LABELS[anchor]}: time {ratios[anchor]['time']:.2f}x{target}, "
                  f"memory {ratios[anchor]['memory']:.2f}x, same best regParam: "
                  f"{ratios[anchor]['same_best']}, largest avgMetrics difference "
                  f"{ratios[anchor]['max_avg_metric_diff']:.2g}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"tuning_{ns.rows}.json"), "w") as f:
        json.dump({"rows": ns.rows, "machine": platform.platform(), "cores": os.cpu_count(),
                   "reg_params": REG_PARAMS, "folds": FOLDS, "results": results,
                   "ratios": ratios, "targets": TARGETS}, f, indent=2)


if __name__ == "__main__":
    main()
