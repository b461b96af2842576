"""Tree models through dfml and real PySpark at the scale of issue 11's acceptance: 100k rows of
five numeric features and one categorical one (a string column through StringIndexer and
VectorAssembler, whose metadata marks the slot nominal, so both libraries split it by category
sets). The held-out AUC is within 0.01 of PySpark's and the RMSE within 2%; the output schema
is the same; the three most important features are the same set, the categorical one among
them."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.regression as dr
from dfml.ml.feature import StringIndexer as DSI, VectorAssembler as DVA
from tests.parity.ml.tree_scores import assert_scores_close, fit_both

pytestmark = pytest.mark.slow

RNG = np.random.default_rng(2024)
N = 100_000
LEVELS = list("abcdefghijkl")
# distinct frequencies (StringIndexer orders by them) and effects that do not follow that
# order, so a numeric reading of the index would need many cuts where one set split suffices
SHARE = np.linspace(2.0, 0.5, len(LEVELS))
EFFECT = dict(zip(LEVELS, [0.0, 1.5, -1.0, 0.8, -1.5, 1.0, -0.3, 2.0, -0.8, 0.4, -2.0, 1.2]))
CAT = RNG.choice(LEVELS, size=N, p=SHARE / SHARE.sum())
X = RNG.normal(size=(N, 5))
X[::50, 4] = 0.0  # ties in the noise feature
X[:, 3] = np.round(X[:, 3], 1)  # and a feature of few distinct values
# the sine's weight keeps the three strongest features (1, 2 and the categorical 5) clear of
# the rest, so their set does not hang on a near tie
F = (0.5 * np.sin(2 * X[:, 0]) + X[:, 1] ** 2 - 1 + X[:, 2] + 0.5 * X[:, 2] * X[:, 3]
     + np.vectorize(EFFECT.get)(CAT))
Y_CLS = (F + 0.5 * RNG.normal(size=N) > 0).astype(float)
Y_REG = F + 0.5 * RNG.normal(size=N)
TEST = np.arange(N) % 5 == 0
NUMERIC = [f"x{i}" for i in range(5)]
FEATURES = NUMERIC + ["cat_idx"]  # the categorical slot is feature 5

CASES = [("GBTClassifier", dict(maxIter=20, maxDepth=5, seed=1)),
         ("GBTRegressor", dict(maxIter=20, maxDepth=5, seed=1)),
         # a forest's RMSE moves ~1-2% from seed to seed in either library (seeds 1-3 of Spark
         # score 1% better than 4-6): the mean of six seeds
         ("RandomForestRegressor", dict(numTrees=20, maxDepth=6, seeds=tuple(range(1, 7)))),
         ("RandomForestClassifier", dict(numTrees=20, maxDepth=6, seed=1))]


def _pandas():
    import pandas as pd
    frame = pd.DataFrame(X, columns=NUMERIC)
    frame["cat"] = CAT
    frame["ycls"], frame["yreg"], frame["test"] = Y_CLS, Y_REG, TEST
    return frame


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    from pyspark.ml.feature import StringIndexer as PSI, VectorAssembler as PVA

    def prepare(df, si, va):
        df = si(inputCol="cat", outputCol="cat_idx").fit(df).transform(df)
        df = va(inputCols=FEATURES, outputCol="features").transform(df)
        return df.filter("not test").cache(), df.filter("test").cache()
    data = _pandas()
    return (prepare(spark.createDataFrame(data), DSI, DVA),
            prepare(pyspark.createDataFrame(data), PSI, PVA))


def test_features_slot_is_nominal_in_both(frames):
    """The trees read the categorical slot from this metadata: both libraries write it."""
    meta = [side[0].schema["features"].metadata["ml_attr"]["attrs"]["nominal"]
            for side in frames]
    assert meta[0] == meta[1]
    assert [a["idx"] for a in meta[0]] == [5] and len(meta[0][0]["vals"]) == len(LEVELS)


@pytest.mark.parametrize("name,params", CASES, ids=[c[0] for c in CASES])
def test_trees_at_scale_score_like_spark(frames, name, params):
    classifier = "Classifier" in name
    label = "ycls" if classifier else "yreg"
    (ours, schema, top, _), (theirs, p_schema, p_top, _) = fit_both(frames, name, params, label)
    assert_scores_close(ours, theirs, classifier)
    assert schema == p_schema
    assert top == p_top
    assert 5 in top  # the categorical feature matters in both


def test_too_many_categories_for_max_bins_like_spark(frames):
    """Both refuse a categorical feature with more categories than maxBins, naming it."""
    import pyspark.ml.regression as pr
    errors = []
    for (train, _), mod in ((frames[0], dr), (frames[1], pr)):
        with pytest.raises(Exception) as info:
            mod.DecisionTreeRegressor(labelCol="yreg", maxBins=8).fit(train)
        errors.append(info.value)
    assert type(errors[0]).__name__ == type(errors[1]).__name__ == "IllegalArgumentException"
    text = ("DecisionTree requires maxBins (= 8) to be at least as large as the number of "
            "values in each categorical feature, but categorical feature 5 has 12 values.")
    assert all(text in str(e) for e in errors), [str(e) for e in errors]


@pytest.mark.parametrize("meta,c,text", [
    ({"type": "nominal", "vals": ["p", "q", "r"]}, 5.0,
     # Spark's text, its unclosed brace included (Spark fails the job with it)
     "Feature 1 is categorical with values in {0,...,2, but a data point gives it value 5.0."),
    ({"type": "nominal"}, 1.0,
     "Feature 1 is marked as Nominal (categorical), but it does not have the number of values "
     "specified.")], ids=["value_outside", "no_count"])
def test_bad_categorical_input_fails_like_spark(both, meta, c, text):
    import pyspark.ml.feature as pf
    import pyspark.ml.regression as pr
    from dfml.ml.feature import VectorAssembler
    errors = []
    for df, va, mod in zip(both([(0.0, 1.0, 0.5), (1.0, c, 1.5), (2.0, 0.0, 0.0)],
                                ["x", "c", "y"]),
                           (VectorAssembler, pf.VectorAssembler), (dr, pr)):
        df = va(inputCols=["x", "c"], outputCol="features").transform(
            df.withMetadata("c", {"ml_attr": meta}))
        with pytest.raises(Exception) as info:
            mod.DecisionTreeRegressor(labelCol="y").fit(df)
        errors.append(str(info.value))
    assert all(text in e for e in errors), errors
