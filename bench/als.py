"""ALS, side by side: dfml ALS (local[2] Dask cluster), PySpark ALS local[2] and a numpy solve in
one process, on the same synthetic explicit ratings.

    python bench/als.py --rows 10000000 [--engines dfml,pyspark,numpy]

Data (``generate``, seeded, written once under ``bench/data/als_{rows}``): ``rows`` ratings whose
users and items are drawn from Zipf-like laws (probability of the k-th most popular id
proportional to ``k ** -0.8`` for users, ``k ** -1.0`` for items, the popularity order shuffled
over the ids), as real rating logs are: a few heavy users and hit items, a long tail seen once or
never (at 10M rows the top user has about 1% of the ratings, the top item about 8%; a steeper
user law would put over 10% on one user, a skew test rather than a benchmark). ``rows / 10``
users and ``rows / 100`` items (1M x 100k at 10M rows). A rating is ``3 + u . v + noise``, with
``u`` and ``v`` rank-5 Gaussian factors and noise of standard deviation 0.5, so a good model's
held-out RMSE approaches 0.5 for the ids seen often. Every tenth row (a seeded draw) goes to a
held-out ``test`` parquet, the rest to ``train``: both engines get the same split rather than
each its own ``randomSplit``.

Workload (``spark_workload``, the same function for dfml and PySpark): ALS(rank=10, maxIter=10,
regParam=0.1, seed=1, coldStartStrategy="drop") fitted on train, then the RMSE of its predictions
on test through RegressionEvaluator (test rows whose user or item is not in train are dropped, as
cold start "drop" does, and counted). Each engine runs in its own child process while this one
samples the resident memory of the process tree (bench/pipeline.py's ``measure``). scikit-learn
has no ALS; the third engine, ``numpy``, is the same model solved in one process (``run_numpy``),
a reference for what the work costs without a cluster. Writes ``bench/results/als_{rows}.json``.
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

RANK, ITERS, REG, SEED = 10, 10, 0.1, 1
TRUE_RANK, NOISE, TEST_FRACTION = 5, 0.5, 0.1
USER_EXPONENT, ITEM_EXPONENT = 0.8, 1.0
TARGETS = {"pyspark": 0.25}   # wall time: dfml / PySpark at most this (at 10M)


def _zipf_rank(rng: Any, n_ids: int, exponent: float, size: int) -> Any:
    """``size`` popularity ranks in [0, n_ids) with P(rank k) ~ (k + 1) ** -exponent (a Zipf law
    truncated at ``n_ids``); the caller maps ranks to ids through one seeded shuffle, so
    popularity is not the id order (as in real logs, and no engine gains from sorted ids)."""
    import numpy as np
    cdf = np.cumsum(np.arange(1, n_ids + 1, dtype=np.float64) ** -exponent)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), n_ids - 1)


def sizes(rows: int) -> tuple[int, int]:
    """Users and items for ``rows`` ratings: 10 ratings a user and 100 an item on average."""
    return max(100, rows // 10), max(20, rows // 100)


def generate(root: str, rows: int) -> str:
    """The train and test ratings as parquet (skipped when already written for this size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    if os.path.exists(os.path.join(root, "_done")):
        return root
    n_users, n_items = sizes(rows)
    rng = np.random.default_rng(42)
    users_f = rng.normal(scale=TRUE_RANK ** -0.25, size=(n_users, TRUE_RANK))
    items_f = rng.normal(scale=TRUE_RANK ** -0.25, size=(n_items, TRUE_RANK))
    user_perm, item_perm = rng.permutation(n_users), rng.permutation(n_items)
    for split in ("train", "test"):
        os.makedirs(os.path.join(root, split), exist_ok=True)
    step = 1_000_000
    for part, start in enumerate(range(0, rows, step)):
        n = min(step, rows - start)
        # the popularity order is one fixed shuffle for the whole set (not one per chunk)
        u = user_perm[_zipf_rank(rng, n_users, USER_EXPONENT, n)].astype(np.int32)
        i = item_perm[_zipf_rank(rng, n_items, ITEM_EXPONENT, n)].astype(np.int32)
        r = 3.0 + np.einsum("ij,ij->i", users_f[u], items_f[i]) + rng.normal(scale=NOISE, size=n)
        test = rng.random(n) < TEST_FRACTION
        for split, mask in (("train", ~test), ("test", test)):
            pq.write_table(pa.table({"user": u[mask], "item": i[mask], "rating": r[mask]}),
                           os.path.join(root, split, f"part-{part:05d}.parquet"))
    open(os.path.join(root, "_done"), "w").close()
    return root


def spark_workload(pkg: str, spark: Any, root: str) -> dict:
    """ALS fit on train and held-out RMSE on test in PySpark's API; ``pkg`` is "dfml" or
    "pyspark"."""
    rec = importlib.import_module(f"{pkg}.ml.recommendation")
    ev = importlib.import_module(f"{pkg}.ml.evaluation")
    train = spark.read.parquet(os.path.join(root, "train"))
    test = spark.read.parquet(os.path.join(root, "test"))
    t0 = time.perf_counter()
    model = rec.ALS(rank=RANK, maxIter=ITERS, regParam=REG, seed=SEED, userCol="user",
                    itemCol="item", ratingCol="rating", coldStartStrategy="drop").fit(train)
    fit_s = time.perf_counter() - t0
    pred = model.transform(test)
    rmse = ev.RegressionEvaluator(metricName="rmse", labelCol="rating",
                                  predictionCol="prediction").evaluate(pred)
    return {"rmse": float(rmse), "test_rows_scored": int(pred.count()),
            "fit_s": round(fit_s, 2), "eval_s": round(time.perf_counter() - t0 - fit_s, 2)}


def run_dfml(root: str) -> dict:
    return run_on("dfml", spark_workload, root)


def run_pyspark(root: str) -> dict:
    return run_on("pyspark", spark_workload, root)


def _solve_side(other: Any, own_idx: Any, other_idx: Any, n_own: int, r: Any) -> Any:
    """One half-iteration in one process: every id's regularized least squares against the
    other side's factors, ``(sum v v' + regParam * n I) x = sum r v`` (Spark's explicit ALS,
    regularization scaled by the id's rating count), the Gram sums by ``bincount`` per entry."""
    import numpy as np
    x, k = other[other_idx], other.shape[1]
    gram = np.empty((n_own, k, k))
    for a in range(k):
        for b in range(a, k):
            gram[:, a, b] = gram[:, b, a] = np.bincount(own_idx, x[:, a] * x[:, b], n_own)
    rhs = np.stack([np.bincount(own_idx, x[:, a] * r, n_own) for a in range(k)], axis=1)
    gram += REG * np.bincount(own_idx, minlength=n_own)[:, None, None] * np.eye(k)
    return np.linalg.solve(gram, rhs[..., None])[..., 0]


def run_numpy(root: str) -> dict:
    """A one-process reference (scikit-learn has no ALS): the same model solved with numpy on
    the whole ratings array, random unit-length starting factors of its own (not Spark's), so
    its RMSE is close to the others' but not identical."""
    import numpy as np
    import pandas as pd
    t0 = time.perf_counter()
    train = pd.read_parquet(os.path.join(root, "train"))
    user_ids, u = np.unique(train["user"].to_numpy(), return_inverse=True)
    item_ids, i = np.unique(train["item"].to_numpy(), return_inverse=True)
    r = train["rating"].to_numpy(np.float64)
    rng = np.random.default_rng(SEED)
    users = rng.normal(size=(len(user_ids), RANK))
    users /= np.linalg.norm(users, axis=1, keepdims=True)
    for _ in range(ITERS):
        items = _solve_side(users, i, u, len(item_ids), r)
        users = _solve_side(items, u, i, len(user_ids), r)
    fit_s = time.perf_counter() - t0
    test = pd.read_parquet(os.path.join(root, "test"))
    tu, ti = test["user"].to_numpy(), test["item"].to_numpy()
    pu = np.minimum(np.searchsorted(user_ids, tu), len(user_ids) - 1)
    pi = np.minimum(np.searchsorted(item_ids, ti), len(item_ids) - 1)
    seen = (user_ids[pu] == tu) & (item_ids[pi] == ti)    # coldStartStrategy="drop"
    pred = np.einsum("ij,ij->i", users[pu[seen]], items[pi[seen]])
    rmse = float(np.sqrt(np.mean((pred - test["rating"].to_numpy()[seen]) ** 2)))
    return {"rmse": rmse, "test_rows_scored": int(seen.sum()), "fit_s": round(fit_s, 2),
            "eval_s": round(time.perf_counter() - t0 - fit_s, 2)}


ENGINES = {"dfml": run_dfml, "pyspark": run_pyspark, "numpy": run_numpy}
LABELS = {"dfml": "dfml local[2]", "pyspark": "PySpark local[2]", "numpy": "numpy (1 process)"}


def main() -> None:
    def title(rows: int) -> str:
        n_users, n_items = sizes(rows)
        return (f"{rows:,} ratings ({n_users:,} users x {n_items:,} items, Zipf), rank {RANK}, "
                f"{ITERS} iterations, {os.cpu_count()} cores; wall = whole child process")

    def params(rows: int) -> dict:
        n_users, n_items = sizes(rows)
        return {"rank": RANK, "maxIter": ITERS, "regParam": REG, "seed": SEED,
                "coldStartStrategy": "drop", "users": n_users, "items": n_items,
                "true_rank": TRUE_RANK, "noise_sd": NOISE, "test_fraction": TEST_FRACTION,
                "zipf_exponents": [USER_EXPONENT, ITEM_EXPONENT]}
    side_by_side.main_of(
        __doc__, "als", 10_000_000, ENGINES, LABELS, "rmse", "diff", TARGETS, generate,
        header=f"{'wall s':>8} {'fit s':>8} {'peak MB':>8} {'RMSE':>8} {'scored':>9}",
        row=lambda r: (f"{r['wall_s']:8.2f} {r['fit_s']:8.2f} {r['peak_mb']:8d} {r['rmse']:8.4f} "
                       f"{r['test_rows_scored']:9d}"),
        title=title, params=params, width=18, script=__file__)


if __name__ == "__main__":
    main()
