"""dfml.ml.sklearn: scikit-learn estimators as pipeline stages on the cluster. SklearnEstimator
fits on one worker and refuses input over its byte limit naming Incremental; Incremental streams
partitions through partial_fit (and gives scikit-learn's own partial_fit result); ParallelPostFit
applies any fitted model per partition; joblib_backend runs sklearn's n_jobs on the workers;
stages save with skops (no pickle) and loading refuses untrusted types."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import VectorAssembler
from dfml.ml.linalg import Vectors
from dfml.ml.sklearn import (Incremental, ParallelPostFit, SklearnEstimator, SklearnModel,
                             joblib_backend)
from dfml.ml.util import ModelLoadError
from dfml.sql.errors import IllegalArgumentException, SparkException

RNG = np.random.default_rng(2)
N = 300
X = RNG.normal(size=(N, 3))
Y = (X[:, 0] - X[:, 1] > 0).astype(float)
Y_REG = X @ np.array([1.0, -2.0, 0.5]) + 3.0


def _frame(spark, y=Y, parts=3):
    rows = [(Vectors.dense(*map(float, x)), float(t), float(1 + i % 2))
            for i, (x, t) in enumerate(zip(X, y))]
    return spark.createDataFrame(rows, ["features", "label", "w"]).repartition(parts)


def _col(df, name):
    return [r[0] for r in df.select(name).collect()]


def _ordered(spark, y=Y):
    """The rows in their original order (a repartition would shuffle them)."""
    rows = [(Vectors.dense(*map(float, x)), float(t)) for x, t in zip(X, y)]
    return spark.createDataFrame(rows, ["features", "label"])


# ---------------------------------------------------------------- SklearnEstimator
def test_estimator_fits_on_a_worker_and_predicts_as_sklearn(spark):
    df = _ordered(spark)
    model = SklearnEstimator(estimator=LogisticRegression()).fit(df)
    assert isinstance(model, SklearnModel)
    ref = LogisticRegression().fit(X, Y)
    np.testing.assert_allclose(model.sklearnModel.coef_, ref.coef_, rtol=1e-6)
    out = model.transform(df)
    assert out.columns == ["features", "label", "prediction", "probability"]
    assert _col(out, "prediction") == list(ref.predict(X))
    prob = np.array([v.toArray() for v in _col(out, "probability")])
    np.testing.assert_allclose(prob, ref.predict_proba(X), rtol=1e-6)


def test_weights_reach_sample_weight(spark):
    df = _frame(spark, Y_REG)
    model = SklearnEstimator(estimator=LinearRegression(), weightCol="w").fit(df)
    np.testing.assert_allclose(model.sklearnModel.coef_, [1.0, -2.0, 0.5], atol=1e-8)
    with pytest.raises(IllegalArgumentException, match="sample_weight"):
        SklearnEstimator(estimator=PCA(2), labelCol="", weightCol="w").fit(df)


def test_unsupervised_estimator_with_empty_label_and_transform_output(spark):
    df = _ordered(spark)
    model = SklearnEstimator(estimator=PCA(n_components=2), labelCol="",
                             outputCol="pcs").fit(df)
    out = model.transform(df)
    assert out.columns == ["features", "label", "pcs"]
    got = np.array([v.toArray() for v in _col(out, "pcs")])
    np.testing.assert_allclose(np.abs(got), np.abs(PCA(n_components=2).fit_transform(X)),
                               rtol=1e-6, atol=1e-9)
    km = SklearnEstimator(estimator=KMeans(3, n_init=1, random_state=0), labelCol="").fit(df)
    assert set(_col(km.transform(df), "prediction")) <= {0.0, 1.0, 2.0}


def test_input_over_the_limit_is_refused_naming_incremental(spark):
    df = _frame(spark)
    with pytest.raises(SparkException, match="Incremental"):
        SklearnEstimator(estimator=LogisticRegression(), maxBytes=1000).fit(df)


def test_bad_setups_fail_with_named_errors(spark):
    with pytest.raises(IllegalArgumentException, match="estimator"):
        SklearnEstimator(estimator=None)
    with pytest.raises(IllegalArgumentException, match="partial_fit"):
        Incremental(estimator=LogisticRegression())
    with pytest.raises(IllegalArgumentException, match="model"):
        ParallelPostFit()
    df = _frame(spark)
    with pytest.raises(Exception, match="featurez"):
        SklearnEstimator(estimator=LogisticRegression(), featuresCol="featurez").fit(df)


# ---------------------------------------------------------------- Incremental
def test_incremental_streams_partitions_through_partial_fit(spark, graphs):
    df = _frame(spark, parts=4)
    inc = Incremental(estimator=SGDClassifier(random_state=0, tol=None, max_iter=5),
                      epochs=2, shuffleBlocks=False)
    counter = graphs()
    model = inc.fit(df)
    # one pass for the classes, then one graph per partition per epoch
    assert counter.count == 1 + 2 * 4
    acc = np.mean(np.array(_col(model.transform(df), "prediction")) ==
                  np.array(_col(df, "label")))
    assert acc > 0.9
    assert list(model.sklearnModel.classes_) == [0.0, 1.0]


def test_incremental_equals_sklearn_partial_fit_in_the_same_order(spark):
    df = _ordered(spark, Y_REG)   # one partition, rows in order
    from sklearn.linear_model import SGDRegressor
    model = Incremental(estimator=SGDRegressor(random_state=0), shuffleBlocks=False,
                        epochs=3).fit(df)
    ref = SGDRegressor(random_state=0)
    for _ in range(3):
        ref.partial_fit(X, Y_REG)
    np.testing.assert_allclose(model.sklearnModel.coef_, ref.coef_, rtol=1e-10)


# ---------------------------------------------------------------- ParallelPostFit
def test_parallel_post_fit_applies_a_model_fitted_elsewhere(spark):
    ref = LogisticRegression().fit(X, Y)
    df = _ordered(spark)
    post = ParallelPostFit(model=ref, predictionCol="p", probabilityCol="")
    out = post.transform(df)
    assert out.columns == ["features", "label", "p"]
    assert _col(out, "p") == list(ref.predict(X))
    nulls = spark.createDataFrame([(Vectors.dense(0.0, 1.0, 0.0),), (None,)], ["features"])
    rows = ParallelPostFit(model=ref).transform(nulls).collect()
    assert rows[1]["prediction"] is None and rows[1]["probability"] is None


def test_string_classes_predict_strings(spark):
    names = np.where(Y > 0, "yes", "no")
    ref = LogisticRegression().fit(X, names)
    out = ParallelPostFit(model=ref).transform(_ordered(spark))
    assert out.schema["prediction"].dataType.simpleString() == "string"
    assert _col(out, "prediction") == list(ref.predict(X))


# ---------------------------------------------------------------- joblib
def test_joblib_backend_runs_sklearn_n_jobs_on_the_workers(spark):
    from distributed import get_task_stream
    with get_task_stream(spark.client) as ts:
        with joblib_backend(spark):
            search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, cv=3,
                                  n_jobs=2).fit(X, Y)
    ref = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, cv=3).fit(X, Y)
    assert search.best_params_ == ref.best_params_
    workers = set(spark.client.scheduler_info()["workers"])
    ran = {t["worker"] for t in ts.data}
    assert ran and ran <= workers   # the candidates' fits ran as tasks on the workers


# ---------------------------------------------------------------- persistence
def test_models_and_estimators_save_with_skops_and_load(spark, tmp_path):
    pytest.importorskip("skops")
    df = _ordered(spark)
    pipe = Pipeline(stages=[SklearnEstimator(estimator=LogisticRegression(C=0.5))])
    model = pipe.fit(df)
    model.write().overwrite().save(str(tmp_path / "m"))
    loaded = PipelineModel.load(str(tmp_path / "m"))
    assert _col(loaded.transform(df), "probability") == _col(model.transform(df), "probability")
    est = SklearnEstimator(estimator=LogisticRegression(C=0.25), labelCol="y")
    est.save(str(tmp_path / "e"))
    again = SklearnEstimator.load(str(tmp_path / "e"))
    assert again.getEstimator().C == 0.25 and again.getLabelCol() == "y"
    post = ParallelPostFit(model=LogisticRegression().fit(X, Y))
    post.save(str(tmp_path / "p"))
    assert _col(ParallelPostFit.load(str(tmp_path / "p")).transform(df), "prediction") == \
        _col(post.transform(df), "prediction")
    assert not list((tmp_path / "m").rglob("*.pkl"))


class Custom(LogisticRegression):
    """A type skops does not trust by default."""


def test_loading_refuses_untrusted_types(spark, tmp_path):
    pytest.importorskip("skops")
    post = ParallelPostFit(model=Custom().fit(X, Y))
    post.save(str(tmp_path / "p"))
    with pytest.raises(ModelLoadError, match="Custom"):
        ParallelPostFit.load(str(tmp_path / "p"))


# ---------------------------------------------------------------- out-of-core
OUT_OF_CORE = """
import json, sys
from dfml.sql import SparkSession, functions as F
from dfml.ml.functions import array_to_vector
from dfml.ml.sklearn import Incremental, ParallelPostFit
from sklearn.linear_model import SGDClassifier
LIMIT_MB, ROWS, D, PARTS = 1000, 4_000_000, 100, 100
spark = (SparkSession.builder.master("local[1]").config("spark.executor.memory", f"{LIMIT_MB}m")
         .config("spark.dfml.progress", "false").getOrCreate())
before = dict(spark.client.scheduler_info()["workers"])
# rows made on the worker (nothing comes from the client): D copies of one centred uniform
df = spark.range(0, ROWS, numPartitions=PARTS).withColumn("r", F.rand(1))
df = df.select(array_to_vector(F.array_repeat(F.col("r") - 0.5, D)).alias("features"),
               (F.col("r") > 0.5).cast("double").alias("label"))
model = Incremental(estimator=SGDClassifier(random_state=0), classes=[0.0, 1.0],
                    shuffleBlocks=False).fit(df)
scored = ParallelPostFit(model=model.sklearnModel, probabilityCol="").transform(df)
acc = scored.select(F.avg((F.col("prediction") == F.col("label")).cast("double"))).first()[0]
after = spark.client.scheduler_info()["workers"]
print(json.dumps({"acc": acc, "same_workers": sorted(before) == sorted(after),
                  "limit": min(w["memory_limit"] for w in before.values()),
                  "data": ROWS * D * 8}))
"""


@pytest.mark.slow
def test_incremental_trains_on_three_times_the_workers_memory(tmp_path):
    """Acceptance: SGDClassifier through Incremental on 3.2 GB of features with one worker
    limited to 1000 MB: no worker restart (its address is unchanged), and ParallelPostFit scores
    every row with only the accuracy coming back. The limit leaves room above a worker's own
    ~300-400 MB (its imports): at 600 MB the worker crossed dask's pause threshold (80%) with
    two partitions in flight and waited for memory that nothing could free (a CI run hung here
    until the timeout). Runs of 9 minutes and more before came from ``spark.range`` shipping
    its id array inside each per-partition graph; ranges are now made on the workers."""
    import json
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", OUT_OF_CORE], capture_output=True, text=True,
                         env=env, cwd=str(tmp_path), timeout=560)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["data"] >= 3 * res["limit"]
    assert res["same_workers"]
    assert res["acc"] > 0.99
