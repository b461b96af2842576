"""LogisticRegression and LinearRegression: one read of the input per fit, outputs that agree
with the fitted coefficients, errors before work, exact L1 zeros, persistence."""

import math

import numpy as np
import pytest

from dfml.ml.classification import LogisticRegression, LogisticRegressionModel
from dfml.ml.linalg import DenseVector, Vectors
from dfml.ml.regression import LinearRegression, LinearRegressionModel
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException

RNG = np.random.default_rng(7)
X = RNG.normal(size=(200, 3)) * [1.0, 4.0, 0.5] + [0.0, 2.0, -1.0]
Z = X @ [1.2, -0.4, 2.0] + 0.3 + RNG.normal(size=200)


def _frame(spark, label, sparse=False):
    rows = []
    for i, (x, y) in enumerate(zip(X, label)):
        v = Vectors.sparse(3, {j: float(x[j]) for j in range(3)}) if sparse and i % 2 else \
            Vectors.dense([float(t) for t in x])
        rows.append((i, float(y), v))
    return spark.createDataFrame(rows, ["id", "label", "features"])


@pytest.fixture(scope="module")
def binary(spark):
    return _frame(spark, (Z > 0).astype(float))


@pytest.fixture(scope="module")
def parquet_binary(spark, binary, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("lr") / "train")
    binary.write.parquet(path)
    return path


def test_fit_reads_the_input_once(spark, parquet_binary, graphs):
    df = spark.read.parquet(parquet_binary)
    before = len(spark.parquet_reads)
    count = graphs()
    model = LogisticRegression(regParam=0.01).fit(df)
    assert sum(1 for p in spark.parquet_reads[before:] if parquet_binary in p) == 1
    assert count.count == 1  # every optimizer step ran on the blocks already in memory
    assert model.summary.totalIterations > 3


def test_outputs_follow_the_coefficients(spark, binary):
    model = LogisticRegression(regParam=0.05).fit(binary)
    beta, b = model.coefficients.toArray(), model.intercept
    rows = model.transform(binary).orderBy("id").collect()
    for r, x in zip(rows, X):
        m = float(x @ beta + b)
        p = 1.0 / (1.0 + math.exp(-m))
        assert r.rawPrediction.toArray() == pytest.approx([-m, m], rel=1e-9)
        assert r.probability.toArray() == pytest.approx([1 - p, p], rel=1e-9)
        assert r.prediction == (1.0 if p > 0.5 else 0.0)
        assert model.predict(r.features) == r.prediction
    hist = model.summary.objectiveHistory
    assert hist[-1] < hist[0] and all(b <= a + 1e-12 for a, b in zip(hist, hist[1:]))


def test_threshold_and_thresholds(spark, binary):
    model = LogisticRegression(threshold=0.9).fit(binary)
    preds = [r.prediction for r in model.transform(binary).collect()]
    probs = [r.probability[1] for r in model.transform(binary).collect()]
    assert preds == [1.0 if p > 0.9 else 0.0 for p in probs]
    model.setThresholds([0.5, 0.25])
    assert not model.isSet("threshold") and model.getThreshold() == pytest.approx(1 / 3)
    rows = model.transform(binary).collect()
    assert [r.prediction for r in rows] == \
        [float(np.argmax(np.asarray(r.probability.toArray()) / [0.5, 0.25])) for r in rows]


def test_sparse_and_dense_rows_give_the_same_model(spark):
    y = (Z > 0).astype(float)
    a = LogisticRegression(regParam=0.1).fit(_frame(spark, y))
    b = LogisticRegression(regParam=0.1).fit(_frame(spark, y, sparse=True))
    assert np.allclose(a.coefficients.toArray(), b.coefficients.toArray(), rtol=1e-7)


def test_inactive_features_are_left_out_of_the_fit(spark):
    """Features that never vary (here: 2^17 hashed-like columns, 3 of them used, one constant)
    get 0 and the others the very model of the narrow input: the fit runs on the active
    columns only (a wide column list also has to reach the workers intact)."""
    wide, cols = 1 << 17, [5, 70000, 131000]
    y = (Z > 0).astype(float)
    rows = [(float(t), Vectors.sparse(wide, {**dict(zip(cols, map(float, x))), 90000: 1.0}),
             Vectors.dense(list(map(float, x)))) for x, t in zip(X, y)]
    df = spark.createDataFrame(rows, ["label", "wide", "narrow"])
    for kw in ({}, {"family": "multinomial"}, {"elasticNetParam": 0.5},
               {"standardization": False}, {"fitIntercept": False}):
        a = LogisticRegression(featuresCol="wide", regParam=0.01, **kw).fit(df)
        b = LogisticRegression(featuresCol="narrow", regParam=0.01, **kw).fit(df)
        A, B = a.coefficientMatrix.toArray(), b.coefficientMatrix.toArray()
        assert A.shape[1] == wide and np.count_nonzero(np.delete(A, cols, axis=1)) == 0
        assert np.allclose(A[:, cols], B, rtol=1e-9, atol=1e-12), kw
        assert np.allclose(a.interceptVector.toArray(), b.interceptVector.toArray(),
                           rtol=1e-9, atol=1e-12)
        assert a.summary.objectiveHistory == pytest.approx(b.summary.objectiveHistory, rel=1e-12)


def test_l1_gives_exact_zeros(spark):
    noise = RNG.normal(size=(200, 5))
    rows = [(float(z > 0), Vectors.dense(list(x) + list(e))) for x, z, e in zip(X, Z, noise)]
    df = spark.createDataFrame(rows, ["label", "features"])
    coef = LogisticRegression(regParam=0.08, elasticNetParam=1.0).fit(df).coefficients.toArray()
    assert np.count_nonzero(coef[3:] == 0.0) >= 3 and np.all(coef[:3] != 0.0)


def test_multinomial(spark):
    y = np.digitize(Z, [-1.0, 2.0]).astype(float)
    model = LogisticRegression(regParam=0.01).fit(_frame(spark, y))
    assert model.isMultinomial and model.numClasses == 3
    assert model.coefficientMatrix.toArray().shape == (3, 3)
    assert abs(model.interceptVector.toArray().sum()) < 1e-9  # intercepts are centered
    with pytest.raises(SparkException, match="coefficientMatrix"):
        model.coefficients
    r = model.transform(_frame(spark, y)).first()
    assert sum(r.probability.toArray()) == pytest.approx(1.0)
    assert r.prediction == float(np.argmax(r.rawPrediction.toArray()))


def test_single_class_gives_infinite_intercept(spark):
    model = LogisticRegression().fit(_frame(spark, np.ones(200)))
    assert model.intercept == math.inf and not model.coefficients.toArray().any()


def test_bad_input_fails_before_any_work(spark, binary, graphs):
    count = graphs()
    with pytest.raises(IllegalArgumentException, match="elasticNetParam must be in"):
        LogisticRegression(elasticNetParam=2.0).fit(binary)
    with pytest.raises(IllegalArgumentException, match="family"):
        LogisticRegression(family="poisson").fit(binary)
    with pytest.raises(AnalysisException, match="Did you mean `features`"):
        LogisticRegression(featuresCol="feature").fit(binary)
    with pytest.raises(TypeError, match="must be a vector"):
        LogisticRegression(featuresCol="label").fit(binary)
    with pytest.raises(IllegalArgumentException, match="solver"):
        LinearRegression(solver="sgd").fit(binary)
    with pytest.raises(ValueError, match="already exists"):
        LinearRegression(predictionCol="id").fit(binary)
    assert count.count == 0


def test_invalid_labels_are_named(spark):
    with pytest.raises(SparkException, match="invalid label 0.5"):
        LogisticRegression().fit(_frame(spark, np.full(200, 0.5)))
    with pytest.raises(IllegalArgumentException, match="family binomial"):
        LogisticRegression(family="binomial").fit(_frame(spark, np.arange(200) % 3))


def test_linear_solvers_agree_and_match_least_squares(spark):
    df = _frame(spark, Z)
    normal = LinearRegression(solver="normal").fit(df)
    lbfgs = LinearRegression(solver="l-bfgs").fit(df)
    A = np.hstack([X, np.ones((200, 1))])
    exact = np.linalg.lstsq(A, Z, rcond=None)[0]
    assert np.allclose(normal.coefficients.toArray(), exact[:3], rtol=1e-9)
    assert normal.intercept == pytest.approx(exact[3], rel=1e-9)
    assert np.allclose(lbfgs.coefficients.toArray(), exact[:3], rtol=1e-6)
    s = normal.summary
    resid = Z - A @ exact
    assert s.meanSquaredError == pytest.approx(float(resid @ resid) / 200, rel=1e-9)
    assert s.r2 == pytest.approx(1 - resid @ resid / ((Z - Z.mean()) @ (Z - Z.mean())), rel=1e-9)
    se = np.sqrt(np.diag(np.linalg.inv(A.T @ A)) * (resid @ resid) / (200 - 4))
    assert np.allclose(s.coefficientStandardErrors, se, rtol=1e-8)
    with pytest.raises(RuntimeError, match="normal solver"):
        lbfgs.summary.coefficientStandardErrors
    row = LinearRegression().fit(df).transform(df).orderBy("id").first()
    assert row.prediction == pytest.approx(float(X[0] @ exact[:3] + exact[3]), rel=1e-9)


@pytest.mark.parametrize("make", [lambda: LogisticRegression(regParam=0.1),
                                  lambda: LogisticRegression(regParam=0.1, family="multinomial"),
                                  lambda: LinearRegression(regParam=0.1)])
def test_save_load_round_trip(spark, binary, tmp_path, make):
    model = make().fit(binary)
    path = str(tmp_path / "model")
    model.save(path)
    loaded = type(model).load(path)
    assert loaded.uid == model.uid and not loaded.hasSummary
    assert loaded.transform(binary).collect() == model.transform(binary).collect()
    assert type(loaded) in (LogisticRegressionModel, LinearRegressionModel)


def test_null_features_give_null_outputs(spark):
    from dfml.ml.linalg import VectorUDT
    from dfml.sql import types as T
    schema = T.StructType([T.StructField("label", T.DoubleType()),
                           T.StructField("features", VectorUDT())])
    df = spark.createDataFrame([(1.0, Vectors.dense([1.0, 2.0])), (0.0, None)], schema)
    train = spark.createDataFrame([(1.0, Vectors.dense([1.0, 2.0])), (0.0, Vectors.dense([0.0, 1.0])),
                                   (1.0, Vectors.dense([2.0, 0.5])), (0.0, Vectors.dense([-1.0, 1.5]))],
                                  ["label", "features"])
    model = LogisticRegression(regParam=0.5).fit(train)
    rows = model.transform(df).collect()
    assert rows[1].prediction is None and rows[1].probability is None
    with pytest.raises(SparkException, match="null vector"):
        LogisticRegression().fit(df)


def test_bound_params_round_trip_through_save_and_load(spark, tmp_path):
    from dfml.ml.classification import LogisticRegression, LogisticRegressionModel
    from dfml.ml.linalg import Matrices, Vectors
    df = spark.createDataFrame([(1.0, Vectors.dense([1.0, 2.0])), (0.0, Vectors.dense([0.5, -1.0])),
                                (1.0, Vectors.dense([2.0, 1.0])), (0.0, Vectors.dense([-1.0, 0.3]))],
                               ["label", "features"])
    lr = LogisticRegression(lowerBoundsOnCoefficients=Matrices.dense(1, 2, [0.0, 0.1]),
                            upperBoundsOnIntercepts=Vectors.dense([-0.5]))
    model = lr.fit(df)
    assert model.coefficients.toArray()[1] >= 0.1 - 1e-12 and model.intercept <= -0.5 + 1e-12
    lr.save(str(tmp_path / "lr"))
    model.save(str(tmp_path / "model"))
    again = LogisticRegression.load(str(tmp_path / "lr"))
    assert again.getLowerBoundsOnCoefficients().toArray().tolist() == [[0.0, 0.1]]
    assert again.getUpperBoundsOnIntercepts().toArray().tolist() == [-0.5]
    loaded = LogisticRegressionModel.load(str(tmp_path / "model"))
    assert loaded.getLowerBoundsOnCoefficients().toArray().tolist() == [[0.0, 0.1]]
    assert loaded.transform(df).collect() == model.transform(df).collect()
