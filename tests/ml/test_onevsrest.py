"""OneVsRest without PySpark: save/load in Spark's layout (classifier/, model_i/), the fit's
errors naming the param, null feature rows, and the first class winning a tie."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from dfml.ml.classification import (LinearSVC, LogisticRegression, OneVsRest, OneVsRestModel)
from dfml.ml.linalg import Vectors
from dfml.sql.errors import IllegalArgumentException

RNG = np.random.default_rng(3)
X = RNG.normal(size=(60, 2))
Y = np.argmax(X @ np.array([[2.0, -1.0, 0.0], [0.0, 1.5, -2.0]]), axis=1).astype(float)


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame([(float(y), Vectors.dense(*map(float, x))) for y, x in zip(Y, X)],
                                 ["label", "features"])


def test_save_load_round_trip(df, tmp_path):
    model = OneVsRest(classifier=LogisticRegression(regParam=0.1), parallelism=2).fit(df)
    path = str(tmp_path / "ovr")
    model.save(path)
    assert sorted(os.listdir(path)) == ["classifier", "metadata", "model_0", "model_1", "model_2"]
    with open(os.path.join(path, "metadata", "part-00000")) as f:
        meta = json.load(f)
    assert meta["numClasses"] == 3 and "classifier" not in meta["paramMap"]
    loaded = OneVsRestModel.load(path)
    assert isinstance(loaded.getClassifier(), LogisticRegression)
    assert loaded.getClassifier().getRegParam() == 0.1
    for a, b in zip(loaded.models, model.models):
        assert a.coefficients == b.coefficients and a.intercept == b.intercept
    cols = ["rawPrediction", "prediction"]
    assert loaded.transform(df).select(*cols).collect() == model.transform(df).select(*cols).collect()
    est_path = str(tmp_path / "ovr_est")
    OneVsRest(classifier=LinearSVC(maxIter=5), parallelism=3).save(est_path)
    est = OneVsRest.load(est_path)
    assert est.getParallelism() == 3 and est.getClassifier().getMaxIter() == 5


def test_predicts_the_training_classes(df):
    model = OneVsRest(classifier=LogisticRegression()).fit(df)
    got = [r.prediction for r in model.transform(df).collect()]
    assert np.mean(np.array(got) == Y) > 0.9
    assert model.numClasses == 3


def test_output_columns_can_be_dropped(df):
    model = OneVsRest(classifier=LogisticRegression(), rawPredictionCol="").fit(df)
    assert model.transform(df).columns == ["label", "features", "prediction"]


def test_null_features_give_null_outputs(spark, df):
    model = OneVsRest(classifier=LogisticRegression()).fit(df)
    from dfml.sql import types as T
    from dfml.ml.linalg import VectorUDT
    schema = T.StructType([T.StructField("features", VectorUDT(), True)])
    rows = model.transform(spark.createDataFrame([(None,), (Vectors.dense(0.0, 0.0),)],
                                                 schema)).collect()
    assert rows[0].prediction is None and rows[0].rawPrediction is None
    assert rows[1].prediction is not None


def test_tie_goes_to_the_first_class(spark):
    """All-zero coefficients (every label seen equally): the scores tie, class 0 wins."""
    rows = [(float(i % 2), Vectors.dense(1.0)) for i in range(4)]
    d = spark.createDataFrame(rows, ["label", "features"])
    model = OneVsRest(classifier=LogisticRegression(fitIntercept=False)).fit(d)
    assert {r.prediction for r in model.transform(d).collect()} == {0.0}


def test_bad_params_are_named(df):
    with pytest.raises(IllegalArgumentException, match="classifier is not set"):
        OneVsRest().fit(df)
    with pytest.raises(IllegalArgumentException, match="parallelism must be >= 1"):
        OneVsRest(classifier=LogisticRegression(), parallelism=0).fit(df)
    with pytest.raises(Exception, match="`nope`"):
        OneVsRest(classifier=LogisticRegression(), labelCol="nope").fit(df)
