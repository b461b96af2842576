"""MultilayerPerceptronClassifier through dfml and real PySpark on the same rows (one partition
on both sides, so both cut the data into the same stacks).

From the same starting weights (Spark's seeded draw, which dfml reproduces exactly, or given as
initialWeights) both solvers follow Spark's iterations: the weights after 1, 5 and 50 L-BFGS
iterations and after 5 and 50 gd steps agree to 1e-9 relative (the difference is floating-point
summation order, amplified by the iterations). Unseeded fits start from different draws and are
compared on held-out accuracy. Output columns, printed forms, errors and the saved layout are
compared as well."""

from __future__ import annotations

import glob
import json
import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml.classification import MultilayerPerceptronClassifier as DMLP
from dfml.ml.evaluation import MulticlassClassificationEvaluator as DMCE
from dfml.ml.linalg import Vectors as DV

RNG = np.random.default_rng(12)
N, D = 450, 4
X = RNG.normal(size=(N, D))
_score = np.column_stack([X[:, 0] - X[:, 1], X[:, 1] * X[:, 2], 0.5 * X[:, 3] - X[:, 0]])
Y = np.argmax(_score + 0.3 * RNG.normal(size=(N, 3)), axis=1).astype(float)
CUT = 300
LAYERS = [4, 5, 3]
REL = 1e-9


def _frames(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV

    def rows(V, lo, hi):
        return [(float(t), V.dense([float(v) for v in x])) for t, x in zip(Y[lo:hi], X[lo:hi])]
    return ((spark.createDataFrame(rows(DV, 0, CUT), ["label", "features"]).coalesce(1),
             spark.createDataFrame(rows(DV, CUT, N), ["label", "features"]).coalesce(1)),
            (pyspark.createDataFrame(rows(PV, 0, CUT), ["label", "features"]).coalesce(1),
             pyspark.createDataFrame(rows(PV, CUT, N), ["label", "features"]).coalesce(1)))


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return _frames(spark, pyspark)


@pytest.fixture(scope="module")
def spark_start(frames):
    """Spark's seeded starting weights (a fit of no iterations)."""
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    return PMLP(layers=LAYERS, seed=7, maxIter=0).fit(frames[1][0]).weights.toArray()


def _close(a, b, rel=REL):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b)) <= rel * max(np.max(np.abs(b)), 1.0)


def test_seeded_start_and_printed_forms_equal_sparks(frames, spark_start):
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    (otr, _), (ptr, _) = frames
    ours = DMLP(layers=LAYERS, seed=7, maxIter=0).fit(otr)
    theirs = PMLP(layers=LAYERS, seed=7, maxIter=0).fit(ptr)
    assert ours.weights.toArray().tolist() == spark_start.tolist()
    assert repr(ours.weights) == repr(theirs.weights)
    assert str(ours.weights) == str(theirs.weights)
    assert repr(ours).replace(ours.uid, "U") == repr(theirs).replace(theirs.uid, "U")
    assert (ours.numFeatures, ours.numClasses, ours.getLayers()) == \
        (theirs.numFeatures, theirs.numClasses, theirs.getLayers())
    assert ours.weights.size == theirs.weights.size == 4 * 5 + 5 + 5 * 3 + 3


@pytest.mark.parametrize("iters", [1, 5, 50])
def test_lbfgs_from_sparks_start_follows_sparks_iterations(frames, spark_start, iters):
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    (otr, _), (ptr, _) = frames
    w0 = spark_start.tolist()
    ours = DMLP(layers=LAYERS, initialWeights=w0, maxIter=iters).fit(otr)
    theirs = PMLP(layers=LAYERS, initialWeights=w0, maxIter=iters).fit(ptr)
    assert _close(ours.weights.toArray(), theirs.weights.toArray()), \
        np.max(np.abs(ours.weights.toArray() - theirs.weights.toArray()))
    a, b = ours.summary().objectiveHistory, theirs.summary().objectiveHistory
    assert len(a) == len(b) and _close(a, b)


@pytest.mark.parametrize("iters", [5, 50])
def test_gd_from_the_same_seed_follows_sparks_steps(frames, iters):
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    (otr, _), (ptr, _) = frames
    params = dict(layers=LAYERS, seed=7, maxIter=iters, solver="gd", stepSize=0.5)
    ours, theirs = DMLP(**params).fit(otr), PMLP(**params).fit(ptr)
    assert _close(ours.weights.toArray(), theirs.weights.toArray())
    a, b = ours.summary().objectiveHistory, theirs.summary().objectiveHistory
    assert len(a) == len(b) and _close(a, b)


@pytest.mark.parametrize("block", [1, 7])
def test_uneven_stacks_follow_spark(frames, block):
    """blockSize 7 leaves a short last stack (300 = 42 * 7 + 6): each stack is a mean."""
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    (otr, _), (ptr, _) = frames
    params = dict(layers=LAYERS, seed=3, maxIter=10, blockSize=block)
    ours, theirs = DMLP(**params).fit(otr), PMLP(**params).fit(ptr)
    assert _close(ours.weights.toArray(), theirs.weights.toArray())


def test_unseeded_held_out_accuracy_within_one_percent(frames):
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator as PMCE
    (otr, ote), (ptr, pte) = frames
    # different starting draws: dfml's default seed is not PySpark's (a per-process hash)
    ours = DMLP(layers=[4, 8, 3], seed=11).fit(otr)
    theirs = PMLP(layers=[4, 8, 3], seed=12).fit(ptr)
    a = DMCE(metricName="accuracy").evaluate(ours.transform(ote))
    b = PMCE(metricName="accuracy").evaluate(theirs.transform(pte))
    assert abs(a - b) <= 0.01, (a, b)


def test_output_columns_as_sparks(frames, spark_start):
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    (otr, ote), (ptr, pte) = frames
    w0 = spark_start.tolist()
    ours = DMLP(layers=LAYERS, initialWeights=w0, maxIter=20).fit(otr)
    theirs = PMLP(layers=LAYERS, initialWeights=w0, maxIter=20).fit(ptr)
    o, t = ours.transform(ote), theirs.transform(pte)
    assert o.columns == t.columns
    assert [f.dataType.simpleString() for f in o.schema.fields] == \
        [f.dataType.simpleString() for f in t.schema.fields]
    for r, s in zip(o.collect(), t.collect()):
        assert _close(r.rawPrediction.toArray(), s.rawPrediction.toArray(), 1e-8)
        assert _close(r.probability.toArray(), s.probability.toArray(), 1e-8)
        assert r.prediction == s.prediction
    v = X[CUT]
    from pyspark.ml.linalg import Vectors as PV
    assert _close(ours.predictRaw(DV.dense(*v)).toArray(),
                  theirs.predictRaw(PV.dense(*v)).toArray(), 1e-8)
    assert ours.predict(DV.dense(*v)) == theirs.predict(PV.dense(*v))
    # thresholds: the largest probability over its threshold
    th = [0.6, 0.1, 0.3]
    a = [r.prediction for r in ours.setThresholds(th).transform(ote).collect()]
    b = [r.prediction for r in theirs.setThresholds(th).transform(pte).collect()]
    assert a == b
    assert ours.summary().accuracy == pytest.approx(theirs.summary().accuracy, abs=1e-12)


def test_bad_layers_are_errors_on_both(frames):
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    (otr, _), (ptr, _) = frames
    for layers in ([5, 3, 3], [4, 3, 2]):  # wrong input size; fewer outputs than classes
        with pytest.raises(Exception):
            PMLP(layers=layers, maxIter=1).fit(ptr)
        with pytest.raises(Exception, match="first layer|Labels MUST be in"):
            DMLP(layers=layers, maxIter=1).fit(otr)
    with pytest.raises(Exception, match="layers"):
        PMLP(layers=[4], maxIter=1).fit(ptr)
    with pytest.raises(Exception, match="layers"):
        DMLP(layers=[4], maxIter=1).fit(otr)


def test_saved_layout_as_sparks(frames, tmp_path):
    from pyspark.ml.classification import MultilayerPerceptronClassifier as PMLP
    (otr, _), (ptr, _) = frames
    ours = DMLP(layers=LAYERS, seed=7, maxIter=3).fit(otr)
    theirs = PMLP(layers=LAYERS, seed=7, maxIter=3).fit(ptr)
    ours.save(str(tmp_path / "ours"))
    theirs.save(str(tmp_path / "theirs"))
    a = pq.read_table(glob.glob(str(tmp_path / "ours" / "data" / "*.parquet"))[0])
    b = pq.read_table(glob.glob(str(tmp_path / "theirs" / "data" / "*.parquet"))[0])
    assert a.column_names == b.column_names == ["weights"]
    assert _close(DV.dense(a.column("weights")[0].as_py()["values"]).toArray(),
                  b.column("weights")[0].as_py()["values"])

    def meta(p):
        with open(glob.glob(os.path.join(p, "metadata", "part-*"))[0]) as f:
            return json.loads(f.readline())
    m, n = meta(str(tmp_path / "ours")), meta(str(tmp_path / "theirs"))
    assert m["paramMap"]["layers"] == n["paramMap"]["layers"] == LAYERS
    # the defaults Spark records (minus seed: PySpark's default is a per-process hash)
    assert set(n["defaultParamMap"]) <= set(m["defaultParamMap"])
    for k in ("blockSize", "maxIter", "solver", "stepSize", "tol"):
        assert m["defaultParamMap"][k] == n["defaultParamMap"][k], k
