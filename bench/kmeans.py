"""KMeans, side by side: dfml KMeans (local[2] Dask cluster), PySpark KMeans local[2], and
scikit-learn's KMeans on a numpy array in one process.

    python bench/kmeans.py --rows 1000000 [--engines dfml,pyspark,sklearn]

Data: ``rows`` points in 20 dense dimensions drawn around 20 Gaussian centres (seeded), written
once as parquet of 20 double columns (``bench/data/kmeans_{rows}``). Model: k=20, at most 20
iterations, tolerance 1e-4, seed 1; Spark and dfml start with k-means|| (Spark's default, 2
steps), scikit-learn with k-means++ and one init (it has no k-means||), so the starting points
differ and the final costs are compared as a check, not an identity. Each engine runs in its own
child process while this one samples the resident memory of the process tree, as bench/gbt.py
does. Writes ``bench/results/kmeans_{rows}.json``.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import side_by_side  # noqa: E402 - bench/ is not a package
from pipeline import run_on  # noqa: E402

K, DIM, ITERS, TOL = 20, 20, 20, 1e-4
COLS = [f"x{i}" for i in range(DIM)]
TARGETS = {"pyspark": 0.25, "sklearn": 1.0}   # wall time: dfml / anchor at most this (at 10M)


def generate(root: str, rows: int) -> str:
    """The points as parquet (skipped when already written for this size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = os.path.join(root, "points")
    if os.path.exists(os.path.join(path, "_done")):
        return root
    os.makedirs(path, exist_ok=True)
    rng = np.random.default_rng(42)
    centres = rng.uniform(-10, 10, size=(K, DIM))
    step = 1_000_000
    for part, start in enumerate(range(0, rows, step)):
        n = min(step, rows - start)
        x = centres[rng.integers(0, K, n)] + rng.normal(size=(n, DIM))
        pq.write_table(pa.table({c: x[:, i] for i, c in enumerate(COLS)}),
                       os.path.join(path, f"part-{part:05d}.parquet"))
    open(os.path.join(path, "_done"), "w").close()
    return root


def spark_workload(pkg: str, spark: Any, root: str) -> dict:
    """The KMeans fit in PySpark's API; ``pkg`` is "dfml" or "pyspark"."""
    feat = importlib.import_module(f"{pkg}.ml.feature")
    clu = importlib.import_module(f"{pkg}.ml.clustering")
    df = spark.read.parquet(os.path.join(root, "points"))
    data = feat.VectorAssembler(inputCols=COLS, outputCol="features").transform(df)
    model = clu.KMeans(k=K, maxIter=ITERS, tol=TOL, seed=1).fit(data)
    s = model.summary
    return {"cost": float(s.trainingCost), "iterations": int(s.numIter)}


def run_dfml(root: str) -> dict:
    return run_on("dfml", spark_workload, root)


def run_pyspark(root: str) -> dict:
    return run_on("pyspark", spark_workload, root)


def run_sklearn(root: str) -> dict:
    import pandas as pd
    from sklearn.cluster import KMeans
    x = pd.read_parquet(os.path.join(root, "points"), columns=COLS).to_numpy()
    m = KMeans(n_clusters=K, max_iter=ITERS, tol=TOL, n_init=1, random_state=1).fit(x)
    return {"cost": float(m.inertia_), "iterations": int(m.n_iter_)}


ENGINES = {"dfml": run_dfml, "pyspark": run_pyspark, "sklearn": run_sklearn}
LABELS = {"dfml": "dfml local[2]", "pyspark": "PySpark local[2]",
          "sklearn": "scikit-learn (numpy)"}


def main() -> None:
    side_by_side.main_of(
        __doc__, "kmeans", 1_000_000, ENGINES, LABELS, "cost", "ratio", TARGETS, generate,
        header=f"{'wall s':>8} {'peak MB':>8} {'cost':>14} {'iters':>5}",
        row=lambda r: f"{r['wall_s']:8.2f} {r['peak_mb']:8d} {r['cost']:14.1f} {r['iterations']:5d}",
        title=lambda rows: f"{rows:,} rows x {DIM}, k={K}, {os.cpu_count()} cores; wall = whole "
                           f"child process",
        params={"k": K, "dim": DIM, "maxIter": ITERS, "tol": TOL}, script=__file__)


if __name__ == "__main__":
    main()
