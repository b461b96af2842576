"""Tree models trained by XGBoost: output columns, save/load and to_sklearn giving identical
predictions, Spark's model facts, validation sets, thresholds, and named errors for bad params
and labels."""

import json
import os

import numpy as np
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.classification import (DecisionTreeClassificationModel, DecisionTreeClassifier,
                                    GBTClassificationModel, GBTClassifier,
                                    RandomForestClassificationModel, RandomForestClassifier)
from dfml.ml.feature import VectorAssembler
from dfml.ml._xgb import prune_binary
from dfml.ml.linalg import SparseVector, Vectors
from dfml.ml.regression import (DecisionTreeRegressionModel, DecisionTreeRegressor,
                                GBTRegressionModel, GBTRegressor, RandomForestRegressionModel,
                                RandomForestRegressor)
from dfml.sql.errors import IllegalArgumentException, SparkException

RNG = np.random.default_rng(3)
N = 600
X = RNG.normal(size=(N, 4))
Y_BIN = ((X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2])) > 0).astype(float)
Y_MULTI = np.digitize(X[:, 0] + 0.5 * X[:, 3], [-0.5, 0.5]).astype(float)
Y_REG = X[:, 0] ** 2 + np.sin(3 * X[:, 1]) + 0.1 * RNG.normal(size=N)

CLASSIFIERS = [(GBTClassifier, GBTClassificationModel, dict(maxIter=8, maxDepth=3)),
               (RandomForestClassifier, RandomForestClassificationModel, dict(numTrees=6)),
               (DecisionTreeClassifier, DecisionTreeClassificationModel, dict(maxDepth=4))]
REGRESSORS = [(GBTRegressor, GBTRegressionModel, dict(maxIter=8, maxDepth=3)),
              (RandomForestRegressor, RandomForestRegressionModel, dict(numTrees=6)),
              (DecisionTreeRegressor, DecisionTreeRegressionModel, dict(maxDepth=4))]


def _frame(spark, y, parts=3, sparse_every=0, valid=False):
    rows = []
    for i, (t, x) in enumerate(zip(y, X)):
        v = Vectors.sparse(4, {j: float(a) for j, a in enumerate(x) if j != 3}) \
            if sparse_every and i % sparse_every == 0 else Vectors.dense(x.tolist())
        rows.append((float(t), float(1 + i % 3), i % 5 == 0, v))
    return spark.createDataFrame(rows, ["label", "w", "isVal", "features"]).repartition(parts)


@pytest.fixture(scope="module")
def data(spark):
    return {"bin": _frame(spark, Y_BIN, sparse_every=4), "multi": _frame(spark, Y_MULTI),
            "reg": _frame(spark, Y_REG)}


def _cols(df, *names):
    rows = df.select(*names).collect()
    return [np.array([r[n].toArray() if hasattr(r[n], "toArray") else r[n] for r in rows], float)
            for n in names]


@pytest.mark.parametrize("est_cls,model_cls,params", CLASSIFIERS,
                         ids=[c[0].__name__ for c in CLASSIFIERS])
def test_classifier_columns_save_load_and_sklearn(spark, data, tmp_path, est_cls, model_cls,
                                                 params):
    df = data["bin"]
    model = est_cls(seed=7, **params).fit(df)
    assert isinstance(model, model_cls) and model.uid == model.parent.uid
    out = model.transform(df)
    assert out.schema.simpleString() == ("struct<label:double,w:double,isVal:boolean,"
                                         "features:vector,rawPrediction:vector,"
                                         "probability:vector,prediction:double>")
    raw, prob, pred = _cols(out, "rawPrediction", "probability", "prediction")
    assert np.allclose(prob.sum(axis=1), 1.0) and set(np.unique(pred)) <= {0.0, 1.0}
    assert np.array_equal(pred, np.argmax(prob, axis=1).astype(float))
    assert np.mean(pred == _cols(out, "label")[0]) > 0.75  # learned something
    assert model.numFeatures == 4 and model.numClasses == 2
    if est_cls is GBTClassifier:  # Spark's relation: probability = 1 / (1 + exp(-2 F))
        assert np.allclose(prob[:, 1], 1 / (1 + np.exp(-2 * raw[:, 1])), atol=1e-6)
        assert np.allclose(raw[:, 0], -raw[:, 1])
    if est_cls is RandomForestClassifier:  # the trees' votes: probabilities times numTrees
        assert np.allclose(raw, prob * 6)

    path = str(tmp_path / "m")
    model.save(path)
    assert os.path.exists(os.path.join(path, "data", "part-00000.parquet"))
    meta = json.loads(open(os.path.join(path, "metadata", "part-00000")).read())
    assert meta["class"] == f"dfml.ml._tree_models.{model_cls.__name__}"
    loaded = model_cls.load(path)
    again = _cols(loaded.transform(df), "rawPrediction", "probability", "prediction")
    for a, b in zip((raw, prob, pred), again):
        assert np.array_equal(a, b)
    assert loaded.numFeatures == 4 and loaded.numClasses == 2
    assert loaded.getSeed() == 7

    sk = model.to_sklearn()
    feats = np.array([r.features.toArray() for r in df.select("features").collect()])
    assert np.allclose(sk.predict_proba(feats)[:, 1], prob[:, 1], atol=1e-6)
    assert np.array_equal(sk.predict(feats).astype(float), pred)


@pytest.mark.parametrize("est_cls,model_cls,params", REGRESSORS,
                         ids=[c[0].__name__ for c in REGRESSORS])
def test_regressor_columns_save_load_and_sklearn(spark, data, tmp_path, est_cls, model_cls,
                                                params):
    df = data["reg"]
    model = est_cls(**params).fit(df)
    out = model.transform(df)
    assert out.schema.simpleString() == ("struct<label:double,w:double,isVal:boolean,"
                                         "features:vector,prediction:double>")
    pred, y = _cols(out, "prediction", "label")
    assert np.sqrt(np.mean((pred - y) ** 2)) < 0.8 * y.std()
    path = str(tmp_path / "m")
    model.write().overwrite().save(path)
    loaded = model_cls.load(path)
    assert np.array_equal(_cols(loaded.transform(df), "prediction")[0], pred)
    feats = np.array([r.features.toArray() for r in df.select("features").collect()])
    assert np.allclose(model.to_sklearn().predict(feats), pred, rtol=1e-6, atol=1e-6)
    assert model.predict(Vectors.dense(feats[0].tolist())) == pytest.approx(pred[0], rel=1e-6)


def test_multiclass_forest_and_tree(data):
    df = data["multi"]
    for est in (RandomForestClassifier(numTrees=4, maxDepth=4), DecisionTreeClassifier()):
        model = est.fit(df)
        assert model.numClasses == 3
        prob, pred, y = _cols(model.transform(df), "probability", "prediction", "label")
        assert prob.shape == (N, 3) and np.allclose(prob.sum(axis=1), 1.0)
        assert np.mean(pred == y) > 0.8
        assert np.array_equal(model.to_sklearn().predict(X.astype(np.float32)).astype(float),
                              pred)


def test_gbt_classifier_is_binary_only(data):
    with pytest.raises(IllegalArgumentException, match="binary classification only"):
        GBTClassifier(maxIter=2).fit(data["multi"])


def test_label_must_be_class_indices(spark):
    df = spark.createDataFrame([(0.5, Vectors.dense([1.0])), (1.0, Vectors.dense([2.0]))],
                               ["label", "features"])
    with pytest.raises(SparkException, match="label column `label` must hold class indices"):
        DecisionTreeClassifier().fit(df)


def test_model_facts(data):
    df = data["bin"]
    gbt = GBTClassifier(maxIter=5, maxDepth=2).fit(df)
    assert gbt.getNumTrees == 5 and len(gbt.trees) == 5 and gbt.treeWeights == [1.0] + [0.1] * 4
    assert gbt.totalNumNodes == sum(t.numNodes for t in gbt.trees)
    imp = gbt.featureImportances
    assert isinstance(imp, SparseVector) and imp.size == 4
    assert sum(imp.values) == pytest.approx(1.0)
    # the target depends on features 0, 1, 2 only
    assert set(np.argsort(-imp.toArray())[:3]) == {0, 1, 2}
    header = gbt.toDebugString.splitlines()[0]
    assert header == f"GBTClassificationModel: uid = {gbt.uid}, numTrees=5, numClasses=2, " \
                     f"numFeatures=4"
    assert "  Tree 0 (weight 1.0):" in gbt.toDebugString
    dt = DecisionTreeRegressor(maxDepth=3).fit(data["reg"])
    assert dt.depth == 3 and dt.numNodes == dt.totalNumNodes
    assert repr(dt) == f"DecisionTreeRegressionModel: uid={dt.uid}, depth=3, " \
                       f"numNodes={dt.numNodes}, numFeatures=4"
    rf = RandomForestRegressor(numTrees=3, maxDepth=2).fit(data["reg"])
    assert str(rf) == f"RandomForestRegressionModel: uid={rf.uid}, numTrees=3, numFeatures=4"


def test_thresholds_pick_the_class(data):
    df = data["bin"]
    model = RandomForestClassifier(numTrees=3, thresholds=[0.0, 1.0]).fit(df)
    assert set(_cols(model.transform(df), "prediction")[0]) == {0.0}
    with pytest.raises(IllegalArgumentException, match="thresholds has 3 values"):
        DecisionTreeClassifier(thresholds=[0.2, 0.3, 0.5]).fit(df)


def test_weights_change_the_model(data):
    df = data["reg"]
    a = _cols(GBTRegressor(maxIter=3).fit(df).transform(df), "prediction")[0]
    b = _cols(GBTRegressor(maxIter=3, weightCol="w").fit(df).transform(df), "prediction")[0]
    assert not np.allclose(a, b)


def test_validation_indicator_stops_early(data):
    df = data["reg"]
    model = GBTRegressor(maxIter=200, stepSize=1.0, maxDepth=6,
                         validationIndicatorCol="isVal").fit(df)
    assert model.getNumTrees < 200 and len(model.trees) == model.getNumTrees
    with pytest.raises(TypeError, match="`w` must be boolean"):
        GBTRegressor(validationIndicatorCol="w").fit(df)


def test_in_a_pipeline_and_saved(spark, tmp_path):
    rows = [(float(a), float(b), float(a > b)) for a, b in RNG.normal(size=(200, 2))]
    df = spark.createDataFrame(rows, ["a", "b", "label"])
    pipe = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"),
                            GBTClassifier(maxIter=5)])
    model = pipe.fit(df)
    model.save(str(tmp_path / "p"))
    loaded = PipelineModel.load(str(tmp_path / "p"))
    assert loaded.transform(df).collect() == model.transform(df).collect()


@pytest.mark.parametrize("est,msg", [
    (lambda: GBTClassifier(maxDepth=-1), "maxDepth must be in \\[0, 30\\]"),
    (lambda: GBTRegressor(maxBins=1), "maxBins must be >= 2"),
    (lambda: RandomForestRegressor(numTrees=0), "numTrees must be >= 1"),
    (lambda: RandomForestClassifier(subsamplingRate=0.0), "subsamplingRate must be in"),
    (lambda: GBTRegressor(stepSize=1.5), "stepSize must be in"),
    (lambda: GBTRegressor(lossType="huber"), "lossType must be one of squared, absolute"),
    (lambda: GBTClassifier(lossType="squared"), "lossType must be one of logistic"),
    (lambda: RandomForestClassifier(featureSubsetStrategy="most"), "featureSubsetStrategy"),
    (lambda: DecisionTreeRegressor(minInstancesPerNode=0), "minInstancesPerNode must be >= 1"),
])
def test_param_errors_name_the_param(data, est, msg):
    with pytest.raises(IllegalArgumentException, match=msg):
        est().fit(data["bin"])


def test_missing_features_column_is_named(data):
    with pytest.raises(Exception, match="`feats` does not exist"):
        GBTRegressor(featuresCol="feats").fit(data["reg"])


def test_spark_defaults():
    assert GBTClassifier().getLossType() == "logistic"
    assert GBTRegressor().getLossType() == "squared"
    assert GBTRegressor().getValidationTol() == 0.01
    assert GBTClassifier().getValidationTol() == 0.01
    assert RandomForestClassifier().getImpurity() == "gini"
    assert RandomForestRegressor().getNumTrees() == 20
    assert DecisionTreeRegressor().getMaxBins() == 32
    assert GBTClassifier().getMaxIter() == 20 and GBTClassifier().getStepSize() == 0.1
    assert RandomForestClassifier().getFeatureSubsetStrategy() == "auto"


@pytest.mark.parametrize("make", [lambda **k: DecisionTreeClassifier(maxDepth=6, **k),
                                  lambda **k: RandomForestClassifier(numTrees=4, maxDepth=6,
                                                                     seed=3, **k)],
                         ids=["tree", "forest"])
def test_prune_tree_merges_leaves_of_one_class(data, make):
    df = data["bin"]
    full = make(pruneTree=False).fit(df)
    assert make().getPruneTree() is True
    pruned = full.copy({full.rawPredictionCol: "raw2", full.probabilityCol: "prob2",
                        full.predictionCol: "pred2"})
    pruned._raw = prune_binary(full._raw)  # the same trees, pruned as a fit prunes them
    pruned._node_table = None
    # one pass, so both models see the rows in one order
    a, b, feats = _cols(pruned.transform(full.transform(df)), "prediction", "pred2", "features")
    assert pruned.totalNumNodes < full.totalNumNodes
    # merging same-class leaves never changes a tree's class; a forest's average may move
    # across 1/2 for a few rows (Spark's pruned forests too)
    if isinstance(full, DecisionTreeClassificationModel):
        assert np.array_equal(a, b)
    else:
        assert np.mean(a == b) > 0.95
    assert np.array_equal(pruned.to_sklearn().predict(feats).astype(float), b)
    assert make().fit(df).totalNumNodes < full.totalNumNodes


def test_leaf_col_numbers_leaves_left_to_right(data):
    df = data["reg"]
    model = DecisionTreeRegressor(maxDepth=1, leafCol="leaf").fit(df)
    leaf, pred = _cols(model.transform(df), "leaf", "prediction")
    assert leaf.shape == (N, 1) and set(leaf[:, 0]) == {0.0, 1.0}
    assert len(set(pred[leaf[:, 0] == 0])) == 1  # one leaf, one prediction


def test_predict_leaf(data):
    df = data["reg"]
    dt = DecisionTreeRegressor(maxDepth=1).fit(df)
    assert dt.predictLeaf(Vectors.dense(X[0].tolist())) in (0.0, 1.0)
    rf = RandomForestRegressor(numTrees=3, maxDepth=1).fit(df)
    assert len(rf.predictLeaf(Vectors.dense(X[0].tolist()))) == 3


def test_bagged_rounds_count_per_worker_even_when_workers_share_the_objective():
    """In-process (threads) workers share one objective object: each worker's rounds must
    still draw the bootstrap of its own round number, as separate copies in worker processes
    do (a shared counter made the second worker draw round 1's sample at round 0)."""
    import numpy as np

    from dfml.ml._xgb import BaggedRound

    class Matrix:  # the two methods of an xgboost DMatrix the objective reads
        def __init__(self, y):
            self.y = y

        def get_label(self):
            return self.y

        def get_weight(self):
            return np.empty(0)

    rng = np.random.default_rng(3)
    a, b = Matrix(rng.normal(size=50)), Matrix(rng.normal(size=60))
    shared = BaggedRound(seed=7, rate=1.0)
    own_a, own_b = BaggedRound(seed=7, rate=1.0), BaggedRound(seed=7, rate=1.0)
    for _ in range(3):  # the workers' calls interleave round by round
        for m, own in ((a, own_a), (b, own_b)):
            got, want = shared(np.zeros(len(m.y)), m), own(np.zeros(len(m.y)), m)
            assert np.array_equal(got[1], want[1]) and np.array_equal(got[0], want[0])
