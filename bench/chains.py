"""Transformation chains: build and action time for 10, 100 and 1,000 steps at 10 and 500
columns (issue 15's curve). Three chain shapes: ``withColumn`` steps, ``withColumn`` and
``filter`` alternating, and ``withColumn`` steps followed by a ``groupBy().agg``. The input is a
20-row frame, so the action time is the cost of the plan, not of the data.

    python bench/chains.py                 # prints a table, writes bench/results/chains.json
    python bench/chains.py --steps 10,100  # a quicker run
"""

from __future__ import annotations

import argparse
import json
import os
import time

from dfml.sql import SparkSession, functions as F

SHAPES = ("withColumn", "alternating", "aggregate")


def chain(base, steps: int, shape: str):
    df = base
    for i in range(steps):
        if shape == "alternating" and i % 2:
            df = df.filter(F.col("c0") > -1 - i)
        else:
            df = df.withColumn(f"x{i % 7}", F.col("c0") + i)
    if shape == "aggregate":
        df = df.groupBy("c1").agg(F.sum("x1"))
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", default="10,100,1000")
    ap.add_argument("--cols", default="10,500")
    args = ap.parse_args()
    spark = SparkSession.builder.master("local[2]").getOrCreate()
    results = []
    print(f"{'cols':>5} {'steps':>6} {'shape':<12} {'build s':>8} {'ms/step':>8} "
          f"{'action s':>9} {'ms/step':>8}")
    for ncols in map(int, args.cols.split(",")):
        rows = [tuple(float(i + j) for j in range(ncols)) for i in range(20)]
        base = spark.createDataFrame(rows, [f"c{j}" for j in range(ncols)])
        for steps in map(int, args.steps.split(",")):
            for shape in SHAPES:
                t0 = time.perf_counter()
                df = chain(base, steps, shape)
                t1 = time.perf_counter()
                df.count()
                t2 = time.perf_counter()
                r = {"cols": ncols, "steps": steps, "shape": shape, "build_s": round(t1 - t0, 3),
                     "action_s": round(t2 - t1, 3)}
                results.append(r)
                print(f"{ncols:>5} {steps:>6} {shape:<12} {r['build_s']:>8.3f} "
                      f"{1000 * r['build_s'] / steps:>8.2f} {r['action_s']:>9.3f} "
                      f"{1000 * r['action_s'] / steps:>8.2f}", flush=True)
    spark.stop()
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "chains.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
