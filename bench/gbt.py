"""Gradient-boosted trees, side by side: dfml GBTClassifier (XGBoost on the local[2] Dask
cluster), PySpark GBTClassifier local[2], and xgboost.XGBClassifier on pandas in one process.

    python bench/gbt.py --rows 1000000 [--engines dfml,pyspark,xgboost]

Data: bench/pipeline_data.py's events (the pipeline benchmark's generator). Features: the ten
numeric columns (nulls filled with 0) and the 10-value categorical ``channel`` as category indices
(StringIndexer, which dfml and Spark split by category sets; for XGBoost the codes as
numbers, or as a pandas category with ``--engines ...,xgboost-cat``); label ``label``; train
on ``id % 5 != 0``, AUC on the rest. Trees: 50 rounds of depth 5, step 0.1, 32 bins (Spark's
maxBins default; XGBoost ``hist`` with ``max_bin=32``). Each engine runs in its own child
process while this one samples the resident memory of the process tree (Dask workers, Spark's
JVM) every 50 ms, as bench/pipeline.py does. Writes ``bench/results/gbt_{rows}.json``.
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
from pipeline import measure, run_on  # noqa: E402 - bench/ is not a package
from pipeline_data import NUMERIC, generate  # noqa: E402

# the 10-value category only: Spark takes StringIndexer's output as categorical and needs
# maxBins >= its number of values, so the 60- and 300-value ones would force maxBins 301
CATS = ["channel"]
ROUNDS, DEPTH, STEP, BINS = 50, 5, 0.1, 32
# wall time: dfml / anchor at most this (at 10M); "xgboost-cat" is the same single-process
# reference with the category split as dfml and Spark split it (see run_xgboost)
TARGETS = {"pyspark": 0.2, "xgboost": 1.2, "xgboost-cat": 1.2}


def spark_workload(pkg: str, spark: Any, root: str) -> float:
    """The GBT fit in PySpark's API; ``pkg`` is "dfml" or "pyspark". Returns the test AUC."""
    F = importlib.import_module(f"{pkg}.sql.functions")
    ml = importlib.import_module(f"{pkg}.ml")
    feat = importlib.import_module(f"{pkg}.ml.feature")
    clf = importlib.import_module(f"{pkg}.ml.classification")
    ev = importlib.import_module(f"{pkg}.ml.evaluation")
    df = spark.read.parquet(os.path.join(root, "events")).na.fill(0.0, subset=NUMERIC)
    train = df.filter(F.col("id") % 5 != 0)
    test = df.filter(F.col("id") % 5 == 0)
    idx = [c + "_idx" for c in CATS]
    model = ml.Pipeline(stages=[
        feat.StringIndexer(inputCols=CATS, outputCols=idx, handleInvalid="keep"),
        feat.VectorAssembler(inputCols=NUMERIC + idx, outputCol="features"),
        clf.GBTClassifier(labelCol="label", maxIter=ROUNDS, maxDepth=DEPTH, stepSize=STEP,
                          maxBins=BINS, seed=1),
    ]).fit(train)
    evaluator = ev.BinaryClassificationEvaluator(labelCol="label", metricName="areaUnderROC")
    return float(evaluator.evaluate(model.transform(test)))


def run_dfml(root: str) -> float:
    return run_on("dfml", spark_workload, root)


def run_pyspark(root: str) -> float:
    return run_on("pyspark", spark_workload, root)


def run_xgboost(root: str, categorical: bool = False) -> float:
    """XGBoost on a pandas frame in one process. ``categorical``: the category indices as a
    pandas category (``enable_categorical``), split by category sets as dfml and Spark split a
    StringIndexer'd column; otherwise as plain numbers (threshold splits on the codes)."""
    import pandas as pd
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score
    df = pd.read_parquet(os.path.join(root, "events"), columns=["id", "label"] + NUMERIC + CATS)
    df[NUMERIC] = df[NUMERIC].fillna(0.0)
    for c in CATS:  # category indices by frequency, as StringIndexer gives them
        order = df[c].value_counts().index
        codes = df[c].map({v: i for i, v in enumerate(order)})
        df[c] = codes.astype("category") if categorical else codes.astype("float32")
    train, test = df[df["id"] % 5 != 0], df[df["id"] % 5 == 0]
    cols = NUMERIC + CATS
    model = xgb.XGBClassifier(n_estimators=ROUNDS, max_depth=DEPTH, learning_rate=STEP,
                              tree_method="hist", max_bin=BINS, n_jobs=2,
                              enable_categorical=categorical)
    model.fit(train[cols], train["label"])
    return float(roc_auc_score(test["label"], model.predict_proba(test[cols])[:, 1]))


def run_xgboost_categorical(root: str) -> float:
    return run_xgboost(root, categorical=True)


ENGINES = {"dfml": run_dfml, "pyspark": run_pyspark, "xgboost": run_xgboost,
           "xgboost-cat": run_xgboost_categorical}
LABELS = {"dfml": "dfml local[2]", "pyspark": "PySpark local[2]",
          "xgboost": "xgboost on pandas", "xgboost-cat": "xgboost, categorical"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--engines", default="dfml,pyspark,xgboost")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.child:
        t0 = time.perf_counter()
        auc = ENGINES[ns.child](ns.data)
        print(json.dumps({"auc": auc, "work_s": round(time.perf_counter() - t0, 2)}))
        return
    root = generate(os.path.join(HERE, "data", f"pipeline_{ns.rows}"), ns.rows)
    results = {}
    for engine in ns.engines.split(","):
        results[engine] = measure(engine, root, script=os.path.abspath(__file__))
        print(json.dumps(results[engine]), flush=True)
    print(f"\n{ns.rows:,} rows, {os.cpu_count()} cores; wall = whole child process incl. start-up")
    print(f"{'engine':22} {'wall s':>8} {'peak MB':>8} {'AUC':>8}")
    for e, r in results.items():
        line = r.get("error") or f"{r['wall_s']:8.2f} {r['peak_mb']:8d} {r['auc']:8.4f}"
        print(f"{LABELS[e]:22} {line}")
    d, ratios = results.get("dfml", {}), {}
    for anchor in ("pyspark", "xgboost", "xgboost-cat"):
        a = results.get(anchor, {})
        if "wall_s" in d and "wall_s" in a:
            ratios[anchor] = {"time": round(d["wall_s"] / a["wall_s"], 3),
                              "memory": round(d["peak_mb"] / a["peak_mb"], 3),
                              "auc_diff": round(d["auc"] - a["auc"], 4)}
            print(f"dfml / {LABELS[anchor]}: time {ratios[anchor]['time']:.2f}x (target <= "
                  f"{TARGETS[anchor]}x at 10M), memory {ratios[anchor]['memory']:.2f}x, "
                  f"AUC difference {ratios[anchor]['auc_diff']:+.4f}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"gbt_{ns.rows}.json"), "w") as f:
        json.dump({"rows": ns.rows, "machine": platform.platform(), "cores": os.cpu_count(),
                   "params": {"maxIter": ROUNDS, "maxDepth": DEPTH, "stepSize": STEP,
                              "maxBins": BINS},
                   "results": results, "ratios": ratios, "targets": TARGETS}, f, indent=2)


if __name__ == "__main__":
    main()
