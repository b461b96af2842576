"""MultilayerPerceptronClassifier without PySpark: Spark's seeded starting weights and first
L-BFGS step (numbers taken from Spark 4.3), the stacked loss, the checks that run before any
training, output columns (nulls, thresholds, sparse rows), summary, and save/load."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml import Pipeline
from dfml.ml._mlp import StackLoss, num_weights, random_weights, stack_weights
from dfml.ml.classification import (MultilayerPerceptronClassificationModel,
                                    MultilayerPerceptronClassifier as MLP)
from dfml.ml.feature import VectorAssembler
from dfml.ml.linalg import DenseVector, Vectors, VectorUDT
from dfml.ml.optim import Block
from dfml.sql.errors import IllegalArgumentException
from dfml.sql.types import StructField, StructType

XOR = [(0.0, Vectors.dense([0.0, 0.0])), (1.0, Vectors.dense([0.0, 1.0])),
       (1.0, Vectors.dense([1.0, 0.0])), (0.0, Vectors.dense([1.0, 1.0]))]
# Spark 4.3: MultilayerPerceptronClassifier(layers=[2, 3, 2], seed=123, maxIter=0 / 1) on XOR
SPARK_W0 = [-1.160946702561173, 0.505000787625046, 1.5373067685657458, -0.6420459004292237,
            -1.0780893151888158, -0.19661861230624025, 1.4634145827329261, 0.17717683544712765,
            0.1056139348376191, 0.5635147284794603, -0.29176236695664237, -0.19457236059040503,
            1.243881012513612, 1.0733807316343251, 0.009254484446285514, 0.27479084911943374,
            -0.35496558548380963]
SPARK_W1 = [-1.2103156647976245, 0.5781142549918894, 1.5051994541329432, -0.6859817958613748,
            -1.007288397377353, -0.2747420619440999, 1.3642210235671446, 0.31520792456723457,
            0.008965481189250793, 0.25669008607338684, 0.015062275449431006,
            -0.4185039572412276, 1.4678126091644346, 0.7626513210644411, 0.31998389501616953,
            -0.20386769186182763, 0.12369295549745163]

RNG = np.random.default_rng(5)
X3 = RNG.normal(size=(120, 3))
Y3 = np.digitize(X3[:, 0] + 0.5 * X3[:, 1], [-0.5, 0.5]).astype(float)


@pytest.fixture(scope="module")
def xor(spark):
    return spark.createDataFrame(XOR, ["label", "features"]).coalesce(1)


@pytest.fixture(scope="module")
def three(spark):
    return spark.createDataFrame([(float(y), Vectors.dense(*map(float, x)))
                                  for y, x in zip(Y3, X3)], ["label", "features"])


def test_seeded_start_is_sparks_xorshift_draw():
    assert random_weights([2, 3, 2], 123).tolist() == SPARK_W0
    assert num_weights([2, 3, 2]) == 17 == len(SPARK_W0)


def test_first_lbfgs_step_and_history_equal_sparks(xor):
    model = MLP(layers=[2, 3, 2], seed=123, maxIter=1).fit(xor)
    assert np.allclose(model.weights.toArray(), SPARK_W1, rtol=1e-12, atol=1e-14)
    s = model.summary()
    assert np.allclose(s.objectiveHistory, [0.8610948638488004, 0.7953905051899113], rtol=1e-12)
    assert s.totalIterations == 1
    assert MLP(layers=[2, 3, 2], seed=123, maxIter=0).fit(xor).weights.toArray().tolist() == SPARK_W0


def test_gd_history_ends_with_the_final_objective(xor):
    # Spark 4.3, solver="gd", stepSize=0.5, maxIter=3: three steps, four objective values
    model = MLP(layers=[2, 3, 2], seed=123, maxIter=3, solver="gd", stepSize=0.5).fit(xor)
    assert np.allclose(model.summary().objectiveHistory,
                       [0.8610948638488004, 0.7409994941713957, 0.7069848054187466,
                        0.6991043377182986], rtol=1e-12)


def test_stack_loss_is_the_mean_of_stack_means():
    layers, w = [3, 4, 3], random_weights([3, 4, 3], 7)
    c, stacks = stack_weights(10, 4)
    assert stacks == 3 and np.allclose(c, [0.25] * 8 + [0.5] * 2)
    g, loss, n = StackLoss(layers, 4)(Block(X3[:10], Y3[:10], None), w)
    parts = [StackLoss(layers, 100)(Block(X3[i:j], Y3[i:j], None), w)
             for i, j in ((0, 4), (4, 8), (8, 10))]
    assert n == 3
    assert np.isclose(loss, sum(p[1] for p in parts))
    assert np.allclose(g, sum(p[0] for p in parts))
    # the gradient is the loss's: a finite-difference check on a few weights
    for j in (0, 5, len(w) - 1):
        e = np.zeros_like(w)
        e[j] = 1e-6
        up = StackLoss(layers, 4)(Block(X3[:10], Y3[:10], None), w + e)[1]
        down = StackLoss(layers, 4)(Block(X3[:10], Y3[:10], None), w - e)[1]
        assert np.isclose((up - down) / 2e-6, g[j], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("layers", [[2], [2, 0, 2], []])
def test_bad_layers_fail_before_any_work(xor, graphs, layers):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match="layers"):
        MLP(layers=layers).fit(xor)
    assert n.count == 0


def test_unset_layers_and_bad_params_fail_before_any_work(xor, graphs):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match="set layers"):
        MLP().fit(xor)
    with pytest.raises(IllegalArgumentException, match="initialWeights has 3 values"):
        MLP(layers=[2, 3, 2], initialWeights=[1.0, 2.0, 3.0]).fit(xor)
    with pytest.raises(IllegalArgumentException, match="solver"):
        MLP(layers=[2, 2], solver="adam").fit(xor)
    with pytest.raises(IllegalArgumentException, match="blockSize"):
        MLP(layers=[2, 2], blockSize=0).fit(xor)
    assert n.count == 0


def test_first_layer_must_match_the_vector_size(spark, xor):
    with pytest.raises(IllegalArgumentException, match=r"first layer has 3 inputs but column "
                                                       r"`features` holds vectors of size 2"):
        MLP(layers=[3, 2, 2], maxIter=5).fit(xor)
    # when the column's metadata knows the size, the check runs on the schema alone
    df = spark.createDataFrame([(0.0, 1.0, 2.0), (1.0, 2.0, 0.0)], ["label", "a", "b"])
    assembled = VectorAssembler(inputCols=["a", "b"], outputCol="features").transform(df)
    with pytest.raises(IllegalArgumentException, match="vectors of size 2"):
        MLP(layers=[3, 2]).transformSchema(assembled.schema)


def test_labels_must_fit_the_last_layer(xor, spark):
    with pytest.raises(IllegalArgumentException, match=r"Labels MUST be in \[0, 1\), but got 1.0 "
                                                       r"in column `label`"):
        MLP(layers=[2, 3, 1]).fit(xor)
    neg = spark.createDataFrame([(-1.0, Vectors.dense([0.0, 1.0]))], ["label", "features"])
    with pytest.raises(IllegalArgumentException, match="got -1.0"):
        MLP(layers=[2, 2]).fit(neg)


def test_outputs_nulls_thresholds_and_sparse_rows(spark, three):
    model = MLP(layers=[3, 4, 3], seed=1, maxIter=30).fit(three)
    assert (model.numFeatures, model.numClasses, model.getLayers()) == (3, 3, [3, 4, 3])
    assert isinstance(model.weights, DenseVector) and model.weights.size == 31
    rows = [(Vectors.dense([0.5, -1.0, 2.0]),), (None,), (Vectors.sparse(3, [0], [2.0]),)]
    test = spark.createDataFrame(rows, StructType([StructField("features", VectorUDT())]))
    out = model.transform(test).collect()
    assert [f.name for f in model.transform(test).schema.fields] == \
        ["features", "rawPrediction", "probability", "prediction"]
    assert out[1].rawPrediction is None and out[1].prediction is None
    for r in (out[0], out[2]):
        raw = model.predictRaw(r.features).toArray()
        assert np.allclose(r.rawPrediction.toArray(), raw)
        p = np.exp(raw - raw.max())
        assert np.allclose(r.probability.toArray(), p / p.sum())
        assert r.prediction == float(np.argmax(raw)) == model.predict(r.features)
    # thresholds: the largest probability / threshold
    t = [1.0, 0.0, 1.0]  # a zero threshold wins outright (p / 0 is infinite)
    preds = model.setThresholds(t).transform(test).select("prediction").collect()
    assert [r.prediction for r in preds] == [1.0, None, 1.0]
    with pytest.raises(IllegalArgumentException, match="thresholds has 2 values for 3 classes"):
        model.setThresholds([0.5, 0.5]).transform(test)


def test_summary_evaluate_and_repr(three):
    model = MLP(layers=[3, 5, 3], seed=2, maxIter=40).fit(three)
    s = model.summary()
    assert model.hasSummary and s.totalIterations == len(s.objectiveHistory) - 1 <= 40
    assert s.objectiveHistory[-1] < s.objectiveHistory[0]
    assert s.accuracy > 0.8 and s.labels == [0.0, 1.0, 2.0]
    assert model.evaluate(three).accuracy == s.accuracy
    assert repr(model) == (f"MultilayerPerceptronClassificationModel: uid={model.uid}, "
                           f"numLayers=3, numClasses=3, numFeatures=3")


def test_initial_weights_start_the_fit(xor):
    a = MLP(layers=[2, 3, 2], initialWeights=SPARK_W0, maxIter=1, seed=999).fit(xor)
    assert np.allclose(a.weights.toArray(), SPARK_W1, rtol=1e-12)


def test_save_load_round_trip_in_sparks_layout(three, tmp_path):
    est = MLP(layers=[3, 4, 3], seed=3, maxIter=10, blockSize=16)
    model = est.fit(three)
    path = str(tmp_path / "mlp")
    model.save(path)
    table = pq.read_table(os.path.join(path, "data", "part-00000.parquet"))
    assert table.column_names == ["weights"]  # Spark 3+: layers is a param, data the weights
    meta = json.loads(open(os.path.join(path, "metadata", "part-00000")).read())
    assert meta["paramMap"]["layers"] == [3, 4, 3] and meta["paramMap"]["blockSize"] == 16
    loaded = MultilayerPerceptronClassificationModel.load(path)
    assert loaded.weights == model.weights and loaded.getLayers() == [3, 4, 3]
    assert not loaded.hasSummary
    cols = ["rawPrediction", "probability", "prediction"]
    assert loaded.transform(three).select(*cols).collect() == \
        model.transform(three).select(*cols).collect()
    est.save(str(tmp_path / "est"))
    assert MLP.load(str(tmp_path / "est")).getBlockSize() == 16


def test_in_a_pipeline(spark):
    df = spark.createDataFrame([(float(y), *map(float, x)) for y, x in zip(Y3, X3)],
                               ["label", "a", "b", "c"])
    pipe = Pipeline(stages=[VectorAssembler(inputCols=["a", "b", "c"], outputCol="features"),
                            MLP(layers=[3, 4, 3], seed=4, maxIter=20)])
    fitted = pipe.fit(df)
    direct = MLP(layers=[3, 4, 3], seed=4, maxIter=20).fit(
        VectorAssembler(inputCols=["a", "b", "c"], outputCol="features").transform(df))
    assert np.allclose(fitted.stages[1].weights.toArray(), direct.weights.toArray())
