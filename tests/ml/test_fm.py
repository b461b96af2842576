"""FMClassifier / FMRegressor without PySpark: save/load round trip, the attributes' shapes,
the binary-label check, and the printed model."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.classification import FMClassificationModel, FMClassifier
from dfml.ml.linalg import Vectors
from dfml.ml.regression import FMRegressionModel, FMRegressor

RNG = np.random.default_rng(2)
X = RNG.normal(size=(80, 3))
Y = (X[:, 0] * X[:, 1] + X[:, 2] > 0).astype(float)


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame([(float(y), Vectors.dense(*map(float, x))) for y, x in zip(Y, X)],
                                 ["label", "features"])


def test_classifier_save_load(df, tmp_path):
    model = FMClassifier(factorSize=3, maxIter=50, stepSize=0.1, seed=4).fit(df)
    assert (model.factors.numRows, model.factors.numCols, len(model.linear)) == (3, 3, 3)
    path = str(tmp_path / "fmc")
    model.save(path)
    loaded = FMClassificationModel.load(path)
    assert np.array_equal(loaded.factors.toArray(), model.factors.toArray())
    cols = ["rawPrediction", "probability", "prediction"]
    assert loaded.transform(df).select(*cols).collect() == model.transform(df).select(*cols).collect()
    row = model.transform(df).select(*cols).first()
    v = Vectors.dense(*map(float, X[0]))
    assert np.allclose(row.probability.toArray(), model.predictProbability(v).toArray())
    assert repr(model).startswith(f"FMClassificationModel: uid={model.uid}, numClasses=2, "
                                  f"numFeatures=3, factorSize=3")


def test_regressor_save_load_and_fits(df, tmp_path):
    model = FMRegressor(factorSize=2, maxIter=100, stepSize=0.05, seed=1).fit(df)
    path = str(tmp_path / "fmr")
    model.save(path)
    loaded = FMRegressionModel.load(path)
    a = loaded.transform(df).select("prediction").collect()
    assert a == model.transform(df).select("prediction").collect()
    assert model.objectiveHistory[-1] < model.objectiveHistory[0]


def test_labels_must_be_binary(spark):
    three = spark.createDataFrame([(float(i % 3), Vectors.dense(float(i))) for i in range(6)],
                                  ["label", "features"])
    with pytest.raises(Exception, match="binary labels 0 and 1"):
        FMClassifier(maxIter=2).fit(three)
    with pytest.raises(Exception, match="solver must be adamW or gd"):
        FMRegressor(solver="sgd").fit(three)
