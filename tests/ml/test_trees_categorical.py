"""Categorical features in the tree estimators: a slot whose metadata marks it nominal (a
StringIndexer'd column through VectorAssembler) is split by category sets, as Spark's trees
split it; save/load and to_sklearn keep those splits; Spark's errors for a category count over
maxBins, a value outside the categories, and a nominal slot without a value count."""

import numpy as np
import pytest

from dfml.ml.classification import (DecisionTreeClassifier, GBTClassifier,
                                    RandomForestClassifier)
from dfml.ml.feature import StringIndexer, VectorAssembler
from dfml.ml.regression import DecisionTreeRegressor, GBTRegressor, RandomForestRegressor
from dfml.sql.errors import IllegalArgumentException

RNG = np.random.default_rng(5)
N = 800
X0 = RNG.normal(size=N)
LEVELS = list("abcdef")
CAT = RNG.choice(LEVELS, size=N)
# the label depends on the category through a set no threshold on an index can isolate
IN_SET = np.isin(CAT, ["a", "c", "f"])
Y_REG = IN_SET * 2.0 + 0.3 * X0
Y_BIN = (IN_SET ^ (X0 > 1.2)).astype(float)


@pytest.fixture(scope="module")
def frame(spark):
    rows = [(float(a), str(c), float(r), float(b)) for a, c, r, b in zip(X0, CAT, Y_REG, Y_BIN)]
    df = spark.createDataFrame(rows, ["x0", "cat", "yreg", "ybin"])
    df = StringIndexer(inputCol="cat", outputCol="ci").fit(df).transform(df)
    return VectorAssembler(inputCols=["x0", "ci"], outputCol="features").transform(df)


def _predictions(df, col="prediction"):
    return np.array([r[0] for r in df.select(col).collect()], dtype=float)


def test_one_split_isolates_a_category_set(frame):
    """A stump on the categorical slot separates {a, c, f} from the rest: as numbers, the
    indices of those categories are not on one side of any cut."""
    model = DecisionTreeRegressor(labelCol="yreg", maxDepth=1).fit(frame)
    assert "feature 1 in {" in model.toDebugString
    pred = _predictions(model.transform(frame))
    y = np.array([r[0] for r in frame.select("yreg").collect()])
    assert np.sqrt(np.mean((pred - y) ** 2)) < 0.35  # only the x0 part is left


@pytest.mark.parametrize("make", [
    lambda: GBTClassifier(labelCol="ybin", maxIter=5, maxDepth=3),
    lambda: RandomForestClassifier(labelCol="ybin", numTrees=4, maxDepth=4),
    lambda: DecisionTreeClassifier(labelCol="ybin", maxDepth=4),  # pruned, with set splits
    lambda: GBTRegressor(labelCol="yreg", maxIter=5, maxDepth=3),
    lambda: RandomForestRegressor(labelCol="yreg", numTrees=4, maxDepth=4)],
    ids=["gbtc", "rfc", "dtc", "gbtr", "rfr"])
def test_save_load_and_sklearn_keep_category_splits(frame, tmp_path, make):
    est = make()
    model = est.fit(frame)
    pred = _predictions(model.transform(frame))
    model.write().overwrite().save(str(tmp_path / "m"))
    loaded = type(model).load(str(tmp_path / "m"))
    assert np.array_equal(_predictions(loaded.transform(frame)), pred)
    X = np.array([r[0].toArray() for r in frame.select("features").collect()])
    assert np.array_equal(np.asarray(model.to_sklearn().predict(X), float), pred)
    imp = model.featureImportances.toArray()
    assert imp[1] > imp[0]  # the category decides most of the label


def test_category_count_over_max_bins_is_spark_error(frame):
    with pytest.raises(IllegalArgumentException,
                       match=r"maxBins \(= 4\) .* categorical feature 1 has 6 values"):
        GBTRegressor(labelCol="yreg", maxBins=4).fit(frame)


def test_value_outside_the_categories_is_named(spark):
    df = spark.createDataFrame([(0.0, 1.0, 0.5), (1.0, 5.0, 1.5), (2.0, 2.0, 0.0)],
                               ["x", "c", "y"])
    df = df.withMetadata("c", {"ml_attr": {"type": "nominal", "vals": ["p", "q", "r"]}})
    df = VectorAssembler(inputCols=["x", "c"], outputCol="features").transform(df)
    with pytest.raises(IllegalArgumentException,
                       match=r"Feature 1 is categorical with values in \{0,...,2, but a "
                             r"data point gives it value 5.0"):
        DecisionTreeRegressor(labelCol="y").fit(df)


def test_nominal_slot_without_value_count(spark):
    df = spark.createDataFrame([(0.0, 1.0, 0.5), (1.0, 0.0, 1.5)], ["x", "c", "y"])
    df = df.withMetadata("c", {"ml_attr": {"type": "nominal"}})
    df = VectorAssembler(inputCols=["x", "c"], outputCol="features").transform(df)
    with pytest.raises(IllegalArgumentException, match="Feature 1 is marked as Nominal"):
        RandomForestRegressor(labelCol="y").fit(df)
