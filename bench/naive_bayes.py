"""NaiveBayes in a fused Pipeline, side by side: dfml (local[2] Dask cluster), PySpark local[2],
and scikit-learn's MultinomialNB on a pandas frame in one process.

    python bench/naive_bayes.py --rows 10000000 [--engines dfml,pyspark,sklearn]

Data (``generate``, seeded, written once under ``bench/data/naive_bayes_{rows}``): documents as
word counts, 20 non-negative count columns ``w0..w19`` (Poisson, each of the 5 topics with its own
Gamma-drawn rates of about 4 words a document in all, so the multinomial model is right but the
topics overlap and many documents are empty) and the topic as a string column (unequal priors).
Every tenth row (a seeded draw) goes to a held-out ``test`` parquet, the rest to ``train``, so
every engine scores the same rows.

Workload (``spark_workload``, the same function for dfml and PySpark):
Pipeline(StringIndexer(topic -> label), VectorAssembler(w0..w19 -> features),
NaiveBayes(multinomial, smoothing 1)) fitted on train, accuracy on test through
MulticlassClassificationEvaluator. NaiveBayes reads the indexed label, so the fit's dependency
depth is 2: dfml plans it as two passes over the source (the StringIndexer's counts, then the
NaiveBayes sums with the VectorAssembler fused into the same pass); the script counts dfml's
parquet reads of ``train`` during the fit (``SparkSession.parquet_reads``) and the graphs run, and
prints them next to ``PipelineModel.fitPasses``. scikit-learn: ``pd.factorize`` of the topic and
``MultinomialNB(alpha=1)`` on the count matrix (the reference for accuracy; it fits in memory).
Each engine runs in its own child process while this one samples the resident memory of the
process tree (bench/pipeline.py's ``measure``). Writes ``bench/results/naive_bayes_{rows}.json``.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import side_by_side  # noqa: E402 - bench/ is not a package
from pipeline import run_on  # noqa: E402

WORDS = [f"w{i}" for i in range(20)]
TOPICS = ["sport", "food", "news", "travel", "music"]
PRIORS = [0.35, 0.25, 0.2, 0.12, 0.08]
RATE_SCALE = 0.2               # ~4 words a document: the topics overlap (accuracy ~0.75)
TEST_FRACTION = 0.1
DEPTH = 2                      # StringIndexer -> NaiveBayes(labelCol=its output)
TARGETS = {"pyspark": 0.25}    # wall time: dfml / PySpark at most this (at 10M)


def generate(root: str, rows: int) -> str:
    """The train and test documents as parquet (skipped when already written for this size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    if os.path.exists(os.path.join(root, "_done")):
        return root
    rng = np.random.default_rng(7)
    rates = rng.gamma(shape=1.0, scale=RATE_SCALE, size=(len(TOPICS), len(WORDS)))
    for split in ("train", "test"):
        os.makedirs(os.path.join(root, split), exist_ok=True)
    step = 1_000_000
    for part, start in enumerate(range(0, rows, step)):
        n = min(step, rows - start)
        topic = rng.choice(len(TOPICS), size=n, p=PRIORS)
        counts = rng.poisson(rates[topic]).astype(np.float64)
        names = np.array(TOPICS, dtype=object)[topic]
        test = rng.random(n) < TEST_FRACTION
        for split, mask in (("train", ~test), ("test", test)):
            cols = {"topic": pa.array(names[mask], pa.string())}
            cols.update({w: counts[mask, j] for j, w in enumerate(WORDS)})
            pq.write_table(pa.table(cols), os.path.join(root, split, f"part-{part:05d}.parquet"))
    open(os.path.join(root, "_done"), "w").close()
    return root


def spark_workload(pkg: str, spark: Any, root: str) -> dict:
    """The Pipeline fit on train and accuracy on test in PySpark's API; ``pkg`` is "dfml" or
    "pyspark". Under dfml it also counts the fit's reads of the source and its graphs."""
    ml = importlib.import_module(f"{pkg}.ml")
    feat = importlib.import_module(f"{pkg}.ml.feature")
    cls = importlib.import_module(f"{pkg}.ml.classification")
    ev = importlib.import_module(f"{pkg}.ml.evaluation")
    source = os.path.join(root, "train")
    train = spark.read.parquet(source)
    test = spark.read.parquet(os.path.join(root, "test"))
    pipe = ml.Pipeline(stages=[
        feat.StringIndexer(inputCol="topic", outputCol="label"),
        feat.VectorAssembler(inputCols=WORDS, outputCol="features"),
        cls.NaiveBayes(modelType="multinomial", smoothing=1.0)])
    counted = pkg == "dfml"
    if counted:
        reads0, graphs0 = len(spark.parquet_reads), spark.graphs_run
    t0 = time.perf_counter()
    model = pipe.fit(train)
    fit_s = time.perf_counter() - t0
    out: dict = {}
    if counted:
        out = {"source_reads": sum(1 for p in spark.parquet_reads[reads0:] if source in p),
               "fit_graphs": spark.graphs_run - graphs0, "fit_passes": model.fitPasses}
    acc = ev.MulticlassClassificationEvaluator(metricName="accuracy").evaluate(
        model.transform(test))
    return {"accuracy": float(acc), "fit_s": round(fit_s, 2),
            "eval_s": round(time.perf_counter() - t0 - fit_s, 2), **out}


def run_dfml(root: str) -> dict:
    return run_on("dfml", spark_workload, root)


def run_pyspark(root: str) -> dict:
    return run_on("pyspark", spark_workload, root)


def run_sklearn(root: str) -> dict:
    import numpy as np
    import pandas as pd
    from sklearn.naive_bayes import MultinomialNB
    t0 = time.perf_counter()
    train = pd.read_parquet(os.path.join(root, "train"))
    codes, labels = pd.factorize(train["topic"])
    model = MultinomialNB(alpha=1.0).fit(train[WORDS].to_numpy(), codes)
    fit_s = time.perf_counter() - t0
    test = pd.read_parquet(os.path.join(root, "test"))
    pred = labels[model.predict(test[WORDS].to_numpy())]
    acc = float(np.mean(pred == test["topic"].to_numpy()))
    return {"accuracy": acc, "fit_s": round(fit_s, 2),
            "eval_s": round(time.perf_counter() - t0 - fit_s, 2)}


ENGINES = {"dfml": run_dfml, "pyspark": run_pyspark, "sklearn": run_sklearn}
LABELS = {"dfml": "dfml local[2]", "pyspark": "PySpark local[2]",
          "sklearn": "scikit-learn (pandas)"}


def main() -> None:
    def passes(results: dict) -> None:
        d = results.get("dfml", {})
        if "source_reads" in d:
            print(f"dfml fit: {d['source_reads']} reads of the source, {d['fit_graphs']} graphs, "
                  f"fitPasses {d['fit_passes']} (dependency depth {DEPTH})")
    side_by_side.main_of(
        __doc__, "naive_bayes", 10_000_000, ENGINES, LABELS, "accuracy", "diff", TARGETS,
        generate,
        header=f"{'wall s':>8} {'fit s':>8} {'peak MB':>8} {'accuracy':>9}",
        row=lambda r: f"{r['wall_s']:8.2f} {r['fit_s']:8.2f} {r['peak_mb']:8d} {r['accuracy']:9.4f}",
        title=lambda rows: f"{rows:,} rows x {len(WORDS)} counts, {len(TOPICS)} topics, "
                           f"{os.cpu_count()} cores; wall = whole child process",
        params={"features": len(WORDS), "topics": len(TOPICS), "modelType": "multinomial",
                "smoothing": 1.0, "rate_scale": RATE_SCALE, "test_fraction": TEST_FRACTION,
                "dependency_depth": DEPTH},
        after_table=passes, script=__file__)


if __name__ == "__main__":
    main()
