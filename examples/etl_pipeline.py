"""The main job: a PySpark-style ETL pipeline on dfml's embedded local Dask cluster.

Writes a small flights data set (parquet) the first time it runs, then reads it back,
filters, joins a carrier dimension table, aggregates per carrier, writes the result as
parquet and prints it. Change ``master`` to ``tcp://host:8786`` to run on an existing
Dask scheduler; nothing else changes.

    python examples/etl_pipeline.py [--rows 200000] [--master local[2]]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dfml.sql import SparkSession, functions as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
OUT = os.path.join(HERE, "out")
CARRIERS = ["AA", "DL", "UA", "WN", "B6", "AS", "NK", "F9", "HA", "G4"]


def make_data(rows: int) -> None:
    """Write a skewed flights fact table (4 parquet files, with nulls) and a carrier dimension."""
    flights_dir = os.path.join(DATA, "flights")
    if os.path.isdir(flights_dir):
        return
    os.makedirs(flights_dir)
    rng = np.random.default_rng(7)
    weights = np.array([30, 25, 20, 10, 5, 4, 3, 1.5, 1, 0.5])
    for part in range(4):
        n = rows // 4
        carrier = rng.choice(CARRIERS, size=n, p=weights / weights.sum())
        distance = rng.integers(100, 3000, size=n)
        dep_delay = rng.normal(10, 25, size=n).round(1)
        arr_delay = (dep_delay + rng.normal(0, 10, size=n)).round(1)
        arr_mask = rng.random(n) < 0.03  # cancelled or diverted: no arrival delay
        day = np.datetime64("2024-01-01") + rng.integers(0, 366, size=n).astype("timedelta64[D]")
        table = pa.table({
            "flight_date": pa.array(day.astype("datetime64[D]"), pa.date32()),
            "carrier": pa.array(carrier, pa.string()),
            "distance": pa.array(distance, pa.int64()),
            "dep_delay": pa.array(dep_delay, pa.float64()),
            "arr_delay": pa.array(arr_delay, pa.float64(), mask=arr_mask),
        })
        pq.write_table(table, os.path.join(flights_dir, f"part-{part:05d}.parquet"))
    names = ["American", "Delta", "United", "Southwest", "JetBlue", "Alaska", "Spirit",
             "Frontier", "Hawaiian", "Allegiant"]
    pq.write_table(pa.table({"carrier": CARRIERS, "name": names,
                             "low_cost": [c in ("WN", "B6", "NK", "F9", "G4") for c in CARRIERS]}),
                   os.path.join(DATA, "carriers.parquet"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args(argv)
    make_data(args.rows)

    with SparkSession.builder.master(args.master).appName("etl-example").getOrCreate() as spark:
        flights = spark.read.parquet(os.path.join(DATA, "flights"))
        carriers = spark.read.parquet(os.path.join(DATA, "carriers.parquet"))
        delayed = (flights
                   .filter(F.col("arr_delay").isNotNull() & (F.col("distance") > 300))
                   .withColumn("late", (F.col("arr_delay") > 15).cast("int")))
        per_carrier = (delayed.join(carriers, "carrier", "left")
                       .groupBy("carrier", "name", "low_cost")
                       .agg(F.count("*").alias("flights"),
                            F.round(F.avg("arr_delay"), 2).alias("avg_arr_delay"),
                            F.round(F.sum("late") / F.count("*"), 4).alias("late_share"),
                            F.max("distance").alias("max_distance"))
                       .orderBy(F.col("flights").desc()))
        per_carrier.write.mode("overwrite").parquet(os.path.join(OUT, "per_carrier"))
        result = spark.read.parquet(os.path.join(OUT, "per_carrier"))
        result.orderBy(F.col("flights").desc()).show()
        print(f"first flight date: {flights.agg(F.min('flight_date')).first()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
