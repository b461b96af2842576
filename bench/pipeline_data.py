"""Generated data of a realistic shape for the parquet-to-model benchmark and example.

``events`` (one row per event): an id, three categorical columns with skewed (Zipf-like)
frequencies and 10, 60 and 300 distinct values, a store key into a small ``stores`` dimension
table (200 rows: region, size), ten numeric columns with about 5% nulls each, and a 0/1 label
drawn from a logistic model of some of those, so that a model has something to find.
Written with pyarrow in row groups of 500k rows; deterministic for a given seed.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CATEGORIES = {"channel": 10, "product": 60, "city": 300}
NUMERIC = [f"x{i}" for i in range(10)]
N_STORES = 200
REGIONS = ["north", "south", "east", "west", "centre", "islands", "coast", "mountain"]


def _zipf_codes(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, k + 1) ** 1.1
    return rng.choice(k, size=n, p=weights / weights.sum())


def _chunk(rng: np.random.Generator, start: int, n: int, effects: dict) -> pa.Table:
    cols: dict[str, pa.Array] = {"id": pa.array(np.arange(start, start + n, dtype=np.int64))}
    logit = np.full(n, -0.4)
    for name, k in CATEGORIES.items():
        codes = _zipf_codes(rng, n, k)
        logit += effects[name][codes]
        labels = np.array([f"{name}_{i:03d}" for i in range(k)], dtype=object)
        cols[name] = pa.array(labels[codes], pa.string())
    store = rng.integers(0, N_STORES, size=n)
    logit += effects["store"][store]
    cols["store_id"] = pa.array(store.astype(np.int32))
    for i, name in enumerate(NUMERIC):
        x = rng.normal(loc=i * 0.1, scale=1.0 + i * 0.2, size=n)
        if i < 5:
            logit += effects["numeric"][i] * x
        missing = rng.random(n) < 0.05
        cols[name] = pa.array(x, mask=missing)
    p = 1.0 / (1.0 + np.exp(-logit))
    cols["label"] = pa.array((rng.random(n) < p).astype(np.float64))
    return pa.table(cols)


def generate(root: str, rows: int, seed: int = 7, chunk_rows: int = 500_000) -> str:
    """Write ``root/events/*.parquet`` and ``root/stores.parquet`` (skipped if present)."""
    events = os.path.join(root, "events")
    done = os.path.join(root, "_SUCCESS")
    if os.path.exists(done):
        return root
    os.makedirs(events, exist_ok=True)
    rng = np.random.default_rng(seed)
    effects = {name: rng.normal(scale=0.6, size=k) for name, k in CATEGORIES.items()}
    effects["store"] = rng.normal(scale=0.3, size=N_STORES)
    effects["numeric"] = rng.normal(scale=0.5, size=5)
    for part, start in enumerate(range(0, rows, chunk_rows)):
        n = min(chunk_rows, rows - start)
        pq.write_table(_chunk(rng, start, n, effects), os.path.join(events, f"part-{part:05d}.parquet"))
    stores = pa.table({
        "store_id": pa.array(np.arange(N_STORES, dtype=np.int32)),
        "region": pa.array([REGIONS[i % len(REGIONS)] for i in range(N_STORES)], pa.string()),
        "store_size": pa.array(rng.lognormal(mean=3.0, sigma=0.5, size=N_STORES)),
    })
    pq.write_table(stores, os.path.join(root, "stores.parquet"))
    open(done, "w").close()
    return root
