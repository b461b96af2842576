"""A Spark-style job for YARN: read parquet from HDFS, aggregate, fit a feature pipeline, write
the result and the model back to HDFS.

    dfml submit --master yarn --deploy-mode cluster --num-executors 2 --executor-memory 512m \\
        examples/yarn_pipeline.py hdfs:///data/flights hdfs:///out/per_carrier hdfs:///out/model

With ``--make-data`` it first writes a small flights table (4 parquet files) to the input path.
The last line it prints is a JSON summary (rows written, workers seen) for scripts and tests.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys

from dfml.ml import Pipeline
from dfml.ml.feature import StandardScaler, StringIndexer, VectorAssembler
from dfml.sql import SparkSession, functions as F

CARRIERS = ["AA", "DL", "UA", "WN", "B6"]


def make_data(path: str, rows: int) -> None:
    """Four parquet files of flights under ``path`` (any fsspec URL, hdfs:// included)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dfml.sql.io.files import url_to_fs

    fs, root = url_to_fs(path)
    if fs.exists(root):
        fs.rm(root, recursive=True)
    fs.makedirs(root, exist_ok=True)
    rng = np.random.default_rng(11)
    for part in range(4):
        n = rows // 4
        table = pa.table({
            "carrier": pa.array(rng.choice(CARRIERS, size=n), pa.string()),
            "distance": pa.array(rng.integers(100, 3000, size=n), pa.int64()),
            "dep_delay": pa.array(rng.normal(10, 25, size=n).round(1), pa.float64()),
        })
        buf = io.BytesIO()
        pq.write_table(table, buf)
        with fs.open(f"{root.rstrip('/')}/part-{part:05d}.parquet", "wb") as f:
            f.write(buf.getvalue())


def python_in_use() -> dict:
    """This process' interpreter, environment, working directory and dfml (for the summary)."""
    import dfml
    return {"executable": sys.executable, "prefix": sys.prefix, "cwd": os.getcwd(),
            "dfml": os.path.dirname(dfml.__file__)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("model", nargs="?")
    ap.add_argument("--make-data", type=int, metavar="ROWS", default=0)
    args = ap.parse_args(argv)
    if args.make_data:
        make_data(args.input, args.make_data)

    spark = SparkSession.builder.appName("yarn-pipeline").getOrCreate()
    flights = spark.read.parquet(args.input)
    per_carrier = (flights.filter(F.col("distance") > 300)
                   .groupBy("carrier")
                   .agg(F.count("*").alias("flights"),
                        F.round(F.avg("dep_delay"), 3).alias("avg_dep_delay"),
                        F.max("distance").alias("max_distance")))
    per_carrier.write.mode("overwrite").parquet(args.output)

    summary = {"rows": spark.read.parquet(args.output).count()}
    if args.model:
        pipeline = Pipeline(stages=[
            StringIndexer(inputCol="carrier", outputCol="carrier_idx"),
            VectorAssembler(inputCols=["carrier_idx", "distance", "dep_delay"],
                            outputCol="features"),
            StandardScaler(inputCol="features", outputCol="scaled"),
        ])
        model = pipeline.fit(flights)
        model.write().overwrite().save(args.model)
        summary["model_stages"] = len(model.stages)
        summary["scaled_rows"] = model.transform(flights).filter(F.col("scaled").isNotNull()).count()
    # Where the work ran: each worker reports its YARN container (None outside YARN).
    summary["workers"] = sorted(
        str(v) for v in spark.client.run(lambda: os.environ.get("CONTAINER_ID")).values())
    summary["driver_container"] = os.environ.get("CONTAINER_ID")
    # Which Python ran there: with --archives env.tar.gz#environment, the archive's.
    summary["worker_python"] = sorted(spark.client.run(python_in_use).values(),
                                      key=lambda p: p["cwd"])
    summary["driver_python"] = python_in_use()
    cluster = getattr(getattr(spark, "_handle", None), "cluster", None)
    summary["application"] = getattr(cluster, "app_id", None) or None
    spark.stop()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
