"""ChiSqSelector, UnivariateFeatureSelector, VarianceThresholdSelector: the selection rules on
hand-made p-values, fused fits (one pass for several selectors), persistence, scikit-learn
export with identical output, and errors before any work."""

import numpy as np
import pandas as pd
import pytest

from dfml.ml import Pipeline
from dfml.ml.feature import (ChiSqSelector, ChiSqSelectorModel, StringIndexer,
                             UnivariateFeatureSelector, UnivariateFeatureSelectorModel,
                             VarianceThresholdSelector, VarianceThresholdSelectorModel)
from dfml.ml.feature._selector_scores import select_indices
from dfml.ml.linalg import Vectors
from dfml.sql.errors import AnalysisException, IllegalArgumentException

NAN = float("nan")


@pytest.fixture
def df(spark):
    rng = np.random.default_rng(5)
    rows = []
    for i in range(40):
        y = float(i % 2)
        x = [y if i % 3 else float(rng.integers(0, 2)), 3.0, float(rng.integers(0, 3)),
             round(float(rng.normal() + y), 3)]
        v = Vectors.sparse(4, [j for j in range(4) if x[j]], [x[j] for j in range(4) if x[j]]) \
            if i % 2 else Vectors.dense(x)
        rows.append((i, v, y, "ab"[i % 2] if i % 5 else "c"))
    return spark.createDataFrame(rows, ["id", "features", "label", "cat"])


def _out(model, df):
    return [r.o for r in model.transform(df).orderBy("id").collect()]


# -- the selection rules ----------------------------------------------------------------------

def test_selection_modes():
    p = np.array([0.04, 0.5, 0.001, NAN, 0.04, 0.2])
    assert select_indices(p, "numTopFeatures", 3) == [2, 0, 4]        # ties by index
    assert select_indices(p, "numTopFeatures", 10) == [2, 0, 4, 5, 1, 3]  # NaN last
    assert select_indices(p, "percentile", 0.5) == [2, 0, 4]
    assert select_indices(p, "fpr", 0.05) == [0, 2, 4]                # index order
    assert select_indices(p, "fwe", 0.05) == [2]                       # 0.05 / 6
    # Benjamini-Hochberg at 0.31: 0.001, 0.04, 0.04, 0.2 pass their ranks' bounds
    # (0.31 / 6 * rank), 0.5 does not
    assert select_indices(p, "fdr", 0.31) == [2, 0, 4, 5]
    assert select_indices(np.array([0.9, 0.01, 0.2]), "fdr", 0.3) == [1]
    assert select_indices(p, "fdr", 0.001) == []


def test_near_equal_p_values_tie():
    """P-values equal up to the last bits rank by index, as Spark's do."""
    assert select_indices(np.array([0.4647580015448902, 0.1, 0.46475800154489]),
                          "numTopFeatures", 3) == [1, 0, 2]


# -- fits -------------------------------------------------------------------------------------

def test_variance_selector_drops_constant(spark, df):
    m = VarianceThresholdSelector(outputCol="o").fit(df)
    assert m.selectedFeatures == [0, 2, 3]
    first = _out(m, df)[0]
    assert first.toArray().tolist() == [df.orderBy("id").first().features[j] for j in (0, 2, 3)]


def test_selectors_fit_in_one_pass(spark, df):
    """Three selectors and a StringIndexer reading the same input: one pass, one graph."""
    stages = [ChiSqSelector(numTopFeatures=2, outputCol="a"),
              UnivariateFeatureSelector(outputCol="b").setFeatureType("continuous")
              .setLabelType("categorical").setSelectionThreshold(2),
              VarianceThresholdSelector(outputCol="c"),
              StringIndexer(inputCol="cat", outputCol="cat_idx")]
    model = Pipeline(stages=stages).fit(df)
    assert model.fitPasses == 1
    assert "pass 1: ChiSqSelector[0]" in model.explain()
    alone = ChiSqSelector(numTopFeatures=2, outputCol="a").fit(df)
    assert model.stages[0].selectedFeatures == alone.selectedFeatures


def test_one_graph_for_a_fit(spark, graphs, df):
    n = graphs()
    UnivariateFeatureSelector(outputCol="o").setFeatureType("continuous") \
        .setLabelType("continuous").fit(df)
    assert n.count == 1


@pytest.mark.parametrize("est,cls", [
    (ChiSqSelector(numTopFeatures=2, outputCol="o"), ChiSqSelectorModel),
    (UnivariateFeatureSelector(outputCol="o", selectionMode="fpr").setFeatureType("continuous")
     .setLabelType("categorical").setSelectionThreshold(0.5), UnivariateFeatureSelectorModel),
    (VarianceThresholdSelector(varianceThreshold=0.1, outputCol="o"),
     VarianceThresholdSelectorModel)])
def test_round_trip(spark, df, tmp_path, est, cls):
    model = est.fit(df)
    path = str(tmp_path / "m")
    model.write().overwrite().save(path)
    loaded = cls.load(path)
    assert loaded.uid == model.uid and loaded.extractParamMap() == model.extractParamMap()
    assert loaded.selectedFeatures == model.selectedFeatures
    assert _out(loaded, df) == _out(model, df)
    assert repr(loaded) == f"{cls.__name__}: uid={model.uid}, " \
        f"numSelectedFeatures={len(model.selectedFeatures)}"


@pytest.mark.parametrize("est", [
    ChiSqSelector(numTopFeatures=2, outputCol="o"),
    UnivariateFeatureSelector(outputCol="o").setFeatureType("continuous")
    .setLabelType("categorical").setSelectionThreshold(2),
    UnivariateFeatureSelector(outputCol="o").setFeatureType("continuous")
    .setLabelType("continuous").setSelectionThreshold(3),
    VarianceThresholdSelector(outputCol="o")])
def test_sklearn_export_gives_the_same_output(spark, df, est):
    model = est.fit(df)
    rows = df.orderBy("id").collect()
    X = np.vstack([r.features.toArray() for r in rows])
    sk = model.to_sklearn()
    ours = np.vstack([v.toArray() for v in _out(model, df)])
    assert np.array_equal(sk.transform(X), ours)


# -- errors before any work -------------------------------------------------------------------

@pytest.mark.parametrize("est,match", [
    (ChiSqSelector(selectorType="best"), "selectorType"),
    (ChiSqSelector(numTopFeatures=0), "numTopFeatures"),
    (ChiSqSelector(selectorType="fpr", fpr=1.5), "fpr"),
    (UnivariateFeatureSelector(), "featureType"),
    (UnivariateFeatureSelector().setFeatureType("categorical").setLabelType("continuous"),
     "not supported"),
    (UnivariateFeatureSelector().setFeatureType("continuous").setLabelType("continuous")
     .setSelectionThreshold(2.5), "positive integer"),
    (UnivariateFeatureSelector(selectionMode="percentile").setFeatureType("continuous")
     .setLabelType("continuous").setSelectionThreshold(2.0), r"\[0, 1\]"),
    (VarianceThresholdSelector(varianceThreshold=-1.0), "varianceThreshold")])
def test_bad_params(spark, graphs, df, est, match):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match=match):
        est.setOutputCol("o").fit(df)
    assert n.count == 0


def test_bad_columns(spark, graphs, df):
    n = graphs()
    with pytest.raises(AnalysisException, match="Did you mean `features`"):
        ChiSqSelector(featuresCol="feature", outputCol="o").fit(df)
    with pytest.raises(TypeError, match="must be numeric"):
        ChiSqSelector(labelCol="cat", outputCol="o").fit(df)
    with pytest.raises(ValueError, match="already exists"):
        VarianceThresholdSelector(outputCol="label").fit(df)
    assert n.count == 0


def test_nothing_selected_gives_empty_vectors(spark, df):
    """fwe with a tiny bound keeps no feature: every row becomes an empty vector, as in Spark."""
    model = ChiSqSelector(selectorType="fwe", fwe=1e-300, outputCol="o").fit(df)
    assert model.selectedFeatures == []
    out = _out(model, df)
    assert all(v.size == 0 for v in out)
    assert type(out[0]).__name__ == "DenseVector" and type(out[1]).__name__ == "SparseVector"
