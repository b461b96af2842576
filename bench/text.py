"""Documents to model, side by side: dfml (local[2]), PySpark local[2], scikit-learn.

    python bench/text.py --rows 1000000 [--engines dfml,pyspark,sklearn]

The workload (data from ``text_data.py``): read the documents parquet, then Tokenizer ->
StopWordsRemover -> HashingTF (2^18 features, Spark's default) -> IDF -> LogisticRegression
on 80% of the rows, and the area under ROC on the other 20%. dfml and PySpark run the very
same function (``spark_workload``) with their own modules; scikit-learn does the same work
with HashingVectorizer (same number of features, no alternating signs, no normalization,
whitespace tokens, Spark's English stop words) + TfidfTransformer + LogisticRegression. Each
engine runs in its own child process while this one samples the resident memory of that
process and all its children every 50 ms. Reports the wall time of the whole child, the time
of the read + fit and of the transform + evaluation, peak memory, AUC and dfml's ratios;
writes ``bench/results/text_{rows}.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from pipeline import _tree_rss, compile_dfml, run_on  # noqa: E402 - bench/ is not a package
from text_data import _stop_words, generate  # noqa: E402

NUM_FEATURES = 1 << 18
REG_PARAM = 0.001
MAX_ITER = 50
TARGETS = {"pyspark": 0.25, "sklearn": 1.0}   # wall time: dfml / anchor at most this


def spark_workload(pkg: str, spark: Any, root: str) -> dict:
    """The pipeline in PySpark's API; ``pkg`` is "dfml" or "pyspark". Returns the test AUC and
    the seconds of the fit (read included) and of the evaluation."""
    F = importlib.import_module(f"{pkg}.sql.functions")
    ml = importlib.import_module(f"{pkg}.ml")
    feat = importlib.import_module(f"{pkg}.ml.feature")
    clf = importlib.import_module(f"{pkg}.ml.classification")
    ev = importlib.import_module(f"{pkg}.ml.evaluation")

    t0 = time.perf_counter()
    df = spark.read.parquet(os.path.join(root, "docs"))
    train = df.filter(F.col("id") % 5 != 0)
    test = df.filter(F.col("id") % 5 == 0)
    pipeline = ml.Pipeline(stages=[
        feat.Tokenizer(inputCol="text", outputCol="words"),
        feat.StopWordsRemover(inputCol="words", outputCol="filtered"),
        feat.HashingTF(inputCol="filtered", outputCol="tf", numFeatures=NUM_FEATURES),
        feat.IDF(inputCol="tf", outputCol="features"),
        clf.LogisticRegression(featuresCol="features", labelCol="label", regParam=REG_PARAM,
                               maxIter=MAX_ITER),
    ])
    model = pipeline.fit(train)
    t1 = time.perf_counter()
    evaluator = ev.BinaryClassificationEvaluator(labelCol="label", metricName="areaUnderROC")
    auc = float(evaluator.evaluate(model.transform(test)))
    return {"auc": auc, "fit_s": t1 - t0, "eval_s": time.perf_counter() - t1}


def run_dfml(root: str) -> dict:
    return run_on("dfml", spark_workload, root)


def run_pyspark(root: str) -> dict:
    return run_on("pyspark", spark_workload, root)


def run_sklearn(root: str) -> dict:
    import pandas as pd
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline

    t0 = time.perf_counter()
    df = pd.read_parquet(os.path.join(root, "docs"))
    train, test = df[df["id"] % 5 != 0], df[df["id"] % 5 == 0]
    # Spark's tokens (lowercased, split at whitespace) and stop words, so both see the same terms
    vectorizer = HashingVectorizer(n_features=NUM_FEATURES, alternate_sign=False, norm=None,
                                   token_pattern=r"\S+", stop_words=_stop_words())
    # Spark's objective is mean loss + regParam/2 |w|^2; scikit-learn's is C * sum loss + |w|^2/2
    model = make_pipeline(vectorizer, TfidfTransformer(norm=None),
                          LogisticRegression(C=1.0 / (REG_PARAM * len(train)), max_iter=MAX_ITER))
    model.fit(train["text"], train["label"])
    t1 = time.perf_counter()
    auc = float(roc_auc_score(test["label"], model.predict_proba(test["text"])[:, 1]))
    return {"auc": auc, "fit_s": t1 - t0, "eval_s": time.perf_counter() - t1}


ENGINES = {"dfml": run_dfml, "pyspark": run_pyspark, "sklearn": run_sklearn}
LABELS = {"dfml": "dfml local[2]", "pyspark": "PySpark local[2]", "sklearn": "scikit-learn"}


def measure(engine: str, root: str) -> dict:
    """Runs ``engine`` in a child process; wall time and peak memory of its process tree."""
    import psutil
    compile_dfml()  # as an installed wheel has it (pipeline.compile_dfml)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", engine, "--data", root]
    start = time.perf_counter()
    # the dfml of this checkout, in the child and in its Dask workers
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    proc = psutil.Process(child.pid)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc))
            time.sleep(0.05)
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = child.communicate()
    wall = time.perf_counter() - start
    done.set()
    t.join()
    if child.returncode != 0:
        return {"engine": engine, "error": f"exit code {child.returncode}"}
    r = json.loads(out.strip().splitlines()[-1])
    return {"engine": engine, "wall_s": round(wall, 2), "fit_s": round(r["fit_s"], 2),
            "eval_s": round(r["eval_s"], 2), "peak_mb": round(peak[0] / 2 ** 20),
            "auc": round(r["auc"], 5)}


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                             capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "../dfml"], cwd=HERE,
                               text=True, capture_output=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--engines", default="dfml,pyspark,sklearn")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.child:
        print(json.dumps(ENGINES[ns.child](ns.data)))
        return
    root = generate(os.path.join(HERE, "data", f"text_{ns.rows}"), ns.rows)
    results = {}
    for engine in ns.engines.split(","):
        results[engine] = measure(engine, root)
        print(json.dumps(results[engine]), flush=True)
    print(f"\n{ns.rows:,} documents, {os.cpu_count()} cores; wall = whole child process incl. "
          f"start-up; fit = read + fit; eval = transform + AUC of the 20% split")
    print(f"{'engine':18} {'wall s':>8} {'fit s':>8} {'eval s':>8} {'peak MB':>8} {'AUC':>8}")
    for e, r in results.items():
        if "error" in r:
            print(f"{LABELS[e]:18} {r['error']}")
            continue
        print(f"{LABELS[e]:18} {r['wall_s']:8.2f} {r['fit_s']:8.2f} {r['eval_s']:8.2f} "
              f"{r['peak_mb']:8d} {r['auc']:8.4f}")
    d = results.get("dfml", {})
    ratios = {}
    if "wall_s" in d:
        for anchor in ("pyspark", "sklearn"):
            a = results.get(anchor, {})
            if "wall_s" in a:
                ratios[anchor] = {"time": round(d["wall_s"] / a["wall_s"], 3),
                                  "fit": round(d["fit_s"] / a["fit_s"], 3),
                                  "eval": round(d["eval_s"] / a["eval_s"], 3),
                                  "memory": round(d["peak_mb"] / a["peak_mb"], 3),
                                  "auc_diff": round(d["auc"] - a["auc"], 4)}
                r = ratios[anchor]
                print(f"dfml / {LABELS[anchor]}: time {r['time']:.2f}x (target <= "
                      f"{TARGETS[anchor]}x; fit {r['fit']:.2f}x, eval {r['eval']:.2f}x), "
                      f"memory {r['memory']:.2f}x, AUC difference {r['auc_diff']:+.4f}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"text_{ns.rows}.json"), "w") as f:
        json.dump({"rows": ns.rows, "commit": _commit(), "machine": platform.platform(),
                   "cores": os.cpu_count(), "results": results, "ratios": ratios,
                   "targets": TARGETS}, f, indent=2)


if __name__ == "__main__":
    main()
