"""GaussianMixture, its model and summary: EM reaching the groups' moments, Spark's rules
(the start, the stopping test, maxIter 0, weights), transform outputs, single-row predictions,
persistence in Spark's layout, one read of the input per fit, and early named errors."""

import json
import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml._gmm import Gaussian, posteriors
from dfml.ml.clustering import GaussianMixture, GaussianMixtureModel
from dfml.ml.linalg import DenseMatrix, DenseVector, Vectors
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException

CENTERS = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]])


def _points():
    rng = np.random.default_rng(0)
    return np.vstack([c + rng.normal(scale=s, size=(n, 2))
                      for c, s, n in zip(CENTERS, (0.5, 1.0, 0.8), (15, 20, 25))])


@pytest.fixture
def blobs(spark):
    rows = [(i, Vectors.dense(p.tolist()), float(1 + i % 2)) for i, p in enumerate(_points())]
    return spark.createDataFrame(rows, ["id", "features", "w"]).repartition(3)


def _by_center(model):
    """Component indices ordered by the true center each mean is nearest to."""
    near = [int(np.argmin(((CENTERS - g.mean.toArray()) ** 2).sum(axis=1)))
            for g in model.gaussians]
    assert sorted(near) == [0, 1, 2]
    return [near.index(j) for j in range(3)]


def _moments(X, w):
    mean = w @ X / w.sum()
    cov = (X - mean).T @ ((X - mean) * w[:, None]) / w.sum()
    return mean, cov


@pytest.mark.parametrize("weighted", [False, True])
def test_em_reaches_each_groups_weighted_moments(blobs, weighted):
    gm = GaussianMixture(k=3, seed=2, tol=1e-10, maxIter=500, weightCol="w" if weighted else None)
    model = gm.fit(blobs)
    X = _points()
    w = np.array([1.0 + i % 2 for i in range(len(X))]) if weighted else np.ones(len(X))
    order = _by_center(model)
    bounds = [0, 15, 35, 60]
    for g, i in enumerate(order):
        sl = slice(bounds[g], bounds[g + 1])
        mean, cov = _moments(X[sl], w[sl])
        assert np.allclose(model.gaussians[i].mean.toArray(), mean, atol=1e-8)
        assert np.allclose(model.gaussians[i].cov.toArray(), cov, atol=1e-8)
        assert model.weights[i] == pytest.approx(w[sl].sum() / w.sum(), abs=1e-10)
    assert sum(model.weights) == pytest.approx(1.0)
    s = model.summary
    assert [s.clusterSizes[i] for i in order] == [15, 20, 25]
    gs = model._gaussians()
    dens = np.column_stack([np.exp(g.logpdf(X)) for g in gs])
    # the summary's log-likelihood is the last E-step's (one step behind the returned model,
    # which has converged here)
    ll = float(np.dot(w, np.log(np.finfo(float).eps * 3 + dens @ np.array(model.weights))))
    assert s.logLikelihood == pytest.approx(ll, rel=1e-9)
    assert s.k == 3 and 1 <= s.numIter <= 500
    assert s.probabilityCol == "probability" and s.probability.columns == ["probability"]


def test_transform_outputs_probability_then_prediction(blobs):
    model = GaussianMixture(k=3, seed=2).fit(blobs)
    out = model.transform(blobs)
    assert out.columns == ["id", "features", "w", "probability", "prediction"]
    assert out.schema["prediction"].dataType.simpleString() == "int"
    assert out.schema["probability"].dataType.simpleString() == "vector"
    rows = out.orderBy("id").collect()
    for r in rows:
        p = r.probability.toArray()
        assert p.sum() == pytest.approx(1.0) and r.prediction == int(np.argmax(p))
        assert model.predict(r.features) == r.prediction
        assert np.allclose(model.predictProbability(r.features).toArray(), p)
    assert isinstance(model.predictProbability(rows[0].features), DenseVector)
    only = model.copy({model.probabilityCol: ""}).transform(blobs)
    assert only.columns == ["id", "features", "w", "prediction"]
    renamed = model.setPredictionCol("c").transform(blobs)
    assert "c" in renamed.columns


def test_model_forms(blobs):
    model = GaussianMixture(k=3, seed=2).fit(blobs)
    assert repr(model) == f"GaussianMixtureModel: uid={model.uid}, k=3, numFeatures=2"
    assert model.numFeatures == 2 and len(model.weights) == 3
    g = model.gaussians[0]
    assert isinstance(g.mean, DenseVector) and isinstance(g.cov, DenseMatrix)
    assert g.cov.numRows == g.cov.numCols == 2 and g.cov.isTransposed is False
    df = model.gaussiansDF
    assert df.columns == ["mean", "cov"]
    assert [f.dataType.simpleString() for f in df.schema.fields] == ["vector", "matrix"]
    rows = df.collect()
    assert rows[0].mean == g.mean and rows[0].cov == g.cov


def test_max_iter_zero_keeps_the_start_and_reports_spark_value(blobs):
    model = GaussianMixture(k=2, maxIter=0, seed=5).fit(blobs)
    assert model.summary.numIter == 0
    assert model.summary.logLikelihood == -np.finfo(np.float64).max
    # the start: diagonal covariances, weights shares of the sampled rows (1/k unweighted)
    assert model.weights == [0.5, 0.5]
    for g in model.gaussians:
        c = g.cov.toArray()
        assert c[0, 1] == 0.0 and c[1, 0] == 0.0


def test_seed_makes_fits_repeatable(blobs):
    a = GaussianMixture(k=3, seed=11, maxIter=4).fit(blobs)
    b = GaussianMixture(k=3, seed=11, maxIter=4).fit(blobs)
    assert a.weights == b.weights
    assert all(x.mean == y.mean for x, y in zip(a.gaussians, b.gaussians))


def test_pseudo_inverse_for_a_singular_covariance():
    g = Gaussian(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 0.0]]))
    # only the non-zero eigenvalue counts; the density along the flat direction is constant
    x = np.array([[1.0, 2.0], [1.0, 7.0]])
    assert np.allclose(g.logpdf(x), -0.5 * 2 * np.log(2 * np.pi))
    with pytest.raises(IllegalArgumentException, match="no non-zero singular values"):
        Gaussian(np.zeros(2), np.zeros((2, 2)))
    p = posteriors(x, np.array([1.0]), [g])
    assert np.allclose(p, 1.0)


def test_fit_reads_its_input_once_per_fit(blobs, graphs):
    df = blobs.select("features")
    counter = graphs()
    GaussianMixture(k=3, seed=1, maxIter=5).fit(df)
    assert counter.count == 1


def test_save_load_round_trip_in_spark_layout(blobs, tmp_path):
    model = GaussianMixture(k=3, seed=4, maxIter=7).fit(blobs)
    path = str(tmp_path / "gm")
    model.save(path)
    table = pq.read_table(os.path.join(path, "data", "part-00000.parquet"))
    assert table.column_names == ["weights", "mus", "sigmas"] and table.num_rows == 1
    meta = json.loads(open(os.path.join(path, "metadata", "part-00000")).read())
    assert meta["paramMap"]["k"] == 3 and meta["paramMap"]["maxIter"] == 7
    loaded = GaussianMixtureModel.load(path)
    assert loaded.uid == model.uid and loaded.getK() == 3 and not loaded.hasSummary
    assert loaded.weights == model.weights
    assert all(a.mean == b.mean and a.cov == b.cov
               for a, b in zip(loaded.gaussians, model.gaussians))
    assert loaded.transform(blobs).orderBy("id").collect() == \
        model.transform(blobs).orderBy("id").collect()
    est = GaussianMixture(k=4, tol=0.5, weightCol="w")
    est.save(str(tmp_path / "est"))
    back = GaussianMixture.load(str(tmp_path / "est"))
    assert back.getK() == 4 and back.getTol() == 0.5 and back.getWeightCol() == "w"
    pm = Pipeline(stages=[GaussianMixture(k=3, seed=4)]).fit(blobs)
    pm.save(str(tmp_path / "pipe"))
    again = PipelineModel.load(str(tmp_path / "pipe"))
    assert isinstance(again.stages[0], GaussianMixtureModel)


def test_errors_name_the_problem(spark, blobs):
    with pytest.raises(IllegalArgumentException, match="k must be > 1"):
        GaussianMixture(k=1).fit(blobs)
    with pytest.raises(IllegalArgumentException, match="aggregationDepth"):
        GaussianMixture(aggregationDepth=1).fit(blobs)
    with pytest.raises(AnalysisException, match="`feats`"):
        GaussianMixture(featuresCol="feats").fit(blobs)
    with pytest.raises(IllegalArgumentException, match="`id`"):
        GaussianMixture(featuresCol="id").fit(blobs)
    with pytest.raises(ValueError, match="`w` already exists"):
        GaussianMixture(predictionCol="w").fit(blobs)
    with pytest.raises(SparkException, match="no rows"):
        GaussianMixture().fit(blobs.filter("id < 0"))
    bad = spark.createDataFrame([(Vectors.dense([1.0, float("nan")]),)] * 12, ["features"])
    with pytest.raises(Exception, match="NaN"):
        GaussianMixture().fit(bad)
    model = GaussianMixture(k=3, seed=2, maxIter=3).fit(blobs)
    with pytest.raises(IllegalArgumentException, match="size 3"):
        model.predict(Vectors.dense([1.0, 2.0, 3.0]))
