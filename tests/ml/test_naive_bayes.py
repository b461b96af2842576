"""NaiveBayes: a fit is one aggregation pass (fused with other stages' in a Pipeline), every
model type exports to the matching scikit-learn estimator with the same outputs, models save
and load in Spark's layout, null feature rows give null outputs, bad input fails with the
column named."""

import numpy as np
import pandas as pd
import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.classification import NaiveBayes, NaiveBayesModel
from dfml.ml.feature import StringIndexer, VectorAssembler
from dfml.ml.linalg import DenseMatrix, Vectors
from dfml.sql import types as T
from dfml.sql.errors import IllegalArgumentException, SparkException

TYPES = ["multinomial", "complement", "bernoulli", "gaussian"]


def _data(spark, kind, n=60, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = float(i % 3)
        if kind == "bernoulli":
            x = (rng.random(5) < 0.2 + 0.25 * label).astype(float)
        elif kind == "gaussian":
            x = rng.normal(size=5) + label
        else:
            x = rng.poisson(1.0 + label * np.arange(5) / 4).astype(float)
        v = Vectors.sparse(5, np.flatnonzero(x), x[x != 0]) if i % 2 else Vectors.dense(x)
        rows.append((i, label, float(1 + i % 4), v))
    return spark.createDataFrame(rows, ["id", "label", "w", "features"]).repartition(3)


@pytest.mark.parametrize("kind", TYPES)
def test_fit_is_one_graph_and_matches_sklearn(spark, graphs, kind):
    df = _data(spark, kind)
    n = graphs()
    model = NaiveBayes(modelType=kind, weightCol="w", smoothing=0.5).fit(df)
    assert n.count == 1
    out = model.transform(df).orderBy("id").collect()
    X = np.vstack([r.features.toArray() for r in out])
    sk = model.to_sklearn()
    assert type(sk).__name__ == {"multinomial": "MultinomialNB", "complement": "ComplementNB",
                                 "bernoulli": "BernoulliNB", "gaussian": "GaussianNB"}[kind]
    prob = np.vstack([r.probability.toArray() for r in out])
    assert np.allclose(sk.predict_proba(X), prob, rtol=1e-9, atol=1e-12)
    assert list(sk.predict(X)) == [r.prediction for r in out]


def test_sklearn_fit_agrees_on_gaussian_parameters(spark):
    """Unweighted, scikit-learn's own GaussianNB fit has the same means, variances, priors."""
    from sklearn.naive_bayes import GaussianNB
    df = _data(spark, "gaussian")
    model = NaiveBayes(modelType="gaussian").fit(df)
    rows = df.orderBy("id").collect()
    X = np.vstack([r.features.toArray() for r in rows])
    y = np.array([r.label for r in rows])
    sk = GaussianNB().fit(X, y)
    assert np.allclose(model.theta.toArray(), sk.theta_)
    assert np.allclose(model.sigma.toArray(), sk.var_, rtol=1e-9)
    assert np.allclose(np.exp(model.pi.toArray()), sk.class_prior_)


@pytest.mark.parametrize("kind", TYPES)
def test_save_load_round_trip(spark, tmp_path, kind):
    df = _data(spark, kind)
    model = NaiveBayes(modelType=kind, thresholds=[0.5, 0.3, 0.2]).fit(df)
    path = str(tmp_path / "nb")
    model.save(path)
    loaded = NaiveBayesModel.load(path)
    assert loaded.pi == model.pi and loaded.theta == model.theta
    assert loaded.sigma == model.sigma and repr(loaded.theta) == repr(model.theta)
    assert loaded.getModelType() == kind and loaded.getThresholds() == [0.5, 0.3, 0.2]
    a = model.transform(df).orderBy("id").collect()
    assert loaded.transform(df).orderBy("id").collect() == a
    est = tmp_path / "est"
    NaiveBayes(modelType=kind, smoothing=0.3).save(str(est))
    assert NaiveBayes.load(str(est)).getSmoothing() == 0.3


def test_null_features_give_null_outputs_and_classes_are_distinct_labels(spark):
    df = spark.createDataFrame([(0.0, Vectors.dense([1.0, 0.0])), (4.0, Vectors.dense([0.0, 2.0]))],
                               ["label", "features"])
    model = NaiveBayes().fit(df)
    assert model.numClasses == 2  # labels 0 and 4: two classes, predicted as 0.0 and 1.0
    schema = T.StructType([T.StructField("id", T.IntegerType()), df.schema["features"]])
    test = spark.createDataFrame([(1, None), (2, Vectors.dense([0.0, 3.0]))], schema)
    out = model.transform(test).orderBy("id").collect()
    assert out[0].prediction is None and out[0].probability is None
    assert out[1].prediction == 1.0


def test_errors_name_the_column(spark):
    df = spark.createDataFrame([(0.0, Vectors.dense([1.0, -3.0]))], ["y", "f"])
    with pytest.raises(SparkException, match="column `f`.*Negative"):
        NaiveBayes(labelCol="y", featuresCol="f").fit(df)
    with pytest.raises(SparkException, match="column `y`.*Null or NaN"):
        NaiveBayes(labelCol="y", featuresCol="f", modelType="gaussian").fit(
            spark.createDataFrame([(None, Vectors.dense([1.0]))], df.schema))
    with pytest.raises(SparkException, match=r"column `y`.*in \[0, 3\)"):
        NaiveBayes(labelCol="y", featuresCol="f", modelType="gaussian",
                   thresholds=[1.0, 1.0, 1.0]).fit(
            spark.createDataFrame([(3.0, Vectors.dense([1.0]))], df.schema))
    with pytest.raises(IllegalArgumentException, match="thresholds has 3 values for 1 classes"):
        model = NaiveBayes(labelCol="y", featuresCol="f", modelType="gaussian").fit(
            spark.createDataFrame([(0.0, Vectors.dense([1.0]))], df.schema))
        model.setThresholds([1.0, 2.0, 3.0]).transform(df)
    model = NaiveBayes(featuresCol="f", labelCol="y").fit(
        spark.createDataFrame([(0.0, Vectors.dense([1.0, 1.0]))], df.schema))
    with pytest.raises(SparkException, match="column `f`.*Negative"):
        model.transform(df).collect()
    with pytest.raises(IllegalArgumentException, match="modelType"):
        NaiveBayes(modelType="Gaussian").fit(df)


@pytest.fixture
def counts_source(tmp_path):
    rng = np.random.default_rng(5)
    n = 400
    topic = rng.choice(["sport", "food", "news"], size=n)
    rate = {"sport": [3, 1, 0.2], "food": [0.3, 3, 1], "news": [1, 0.5, 2]}
    words = np.array([rng.poisson(rate[t]) for t in topic], dtype=float)
    path = str(tmp_path / "docs.parquet")
    pd.DataFrame({"id": np.arange(n), "topic": topic, "shop": rng.choice(["a", "b"], size=n),
                  "w1": words[:, 0], "w2": words[:, 1], "w3": words[:, 2],
                  "label": (topic == "sport").astype(float)}).to_parquet(path)
    return path


def test_pipeline_fuses_naive_bayes_with_string_indexer(spark, graphs, counts_source):
    """StringIndexer and NaiveBayes fit in the same single pass over the source."""
    df = spark.read.parquet(counts_source)
    pipe = Pipeline(stages=[StringIndexer(inputCol="shop", outputCol="shop_idx"),
                            VectorAssembler(inputCols=["w1", "w2", "w3"], outputCol="features"),
                            NaiveBayes()])
    before, n = len(spark.parquet_reads), graphs()
    model = pipe.fit(df)
    assert model.fitPasses == 1 and n.count == 1
    assert sum(1 for p in spark.parquet_reads[before:] if counts_source in p) == 1
    assert "pass 1: StringIndexer[0]" in model.explain()
    assert "NaiveBayes[2]" in model.explain().split("pass 1")[1]
    alone = NaiveBayes().fit(VectorAssembler(inputCols=["w1", "w2", "w3"],
                                             outputCol="features").transform(df))
    assert np.allclose(model.stages[-1].theta.toArray(), alone.theta.toArray(), rtol=1e-12)


def test_indexed_label_takes_one_pass_per_dependency_level(spark, tmp_path, graphs,
                                                           counts_source):
    """NaiveBayes reads the StringIndexer's output, so the fit's dependency depth is 2: the
    source is read exactly twice (the label counts, then the NaiveBayes sums with the
    VectorAssembler fused in), one graph per pass (issue 12, acceptance 4)."""
    df = spark.read.parquet(counts_source)
    pipe = Pipeline(stages=[StringIndexer(inputCol="topic", outputCol="y"),
                            VectorAssembler(inputCols=["w1", "w2", "w3"], outputCol="features"),
                            NaiveBayes(labelCol="y")])
    before, n = len(spark.parquet_reads), graphs()
    model = pipe.fit(df)
    assert model.fitPasses == 2 and n.count == 2
    assert sum(1 for p in spark.parquet_reads[before:] if counts_source in p) == 2
    passes = model.explain().split("pass 2")
    assert "StringIndexer[0]" in passes[0] and "NaiveBayes[2]" in passes[1]
    path = str(tmp_path / "pm")
    model.save(path)
    a = model.transform(df).orderBy("id").select("probability", "prediction").collect()
    b = PipelineModel.load(path).transform(df).orderBy("id").select(
        "probability", "prediction").collect()
    assert a == b
    pdf = pd.read_parquet(counts_source).sort_values("id")
    sk = model.to_sklearn()
    assert np.allclose(sk.predict_proba(pdf), [r.probability.toArray() for r in a], rtol=1e-9)
    assert list(sk.predict(pdf)) == [r.prediction for r in a]
    acc = np.mean([r.prediction == r.y for r in model.transform(df).collect()])
    assert acc > 0.6
    assert isinstance(model.stages[-1].sigma, DenseMatrix) and model.stages[-1].sigma.numRows == 0


def _words(spark, with_weight=False):
    rng = np.random.default_rng(3)
    n = 300
    y = rng.integers(0, 3, size=n).astype(float)
    x = rng.poisson(0.5 + y[:, None] * np.array([0.1, 0.8, 0.3, 1.2]))
    pdf = pd.DataFrame({"id": np.arange(n), "y": y, "a": x[:, 0].astype(float),
                        "b": x[:, 1].astype(np.int32), "c": x[:, 2] > 0,
                        "d": x[:, 3].astype(float) + rng.random(n),
                        "w": 1.0 + rng.random(n) if with_weight else 1.0})
    return spark.createDataFrame(pdf).repartition(3)


@pytest.mark.parametrize("kind", TYPES)
def test_pipeline_sums_from_assembler_inputs_without_vectors(spark, monkeypatch, kind):
    """In a Pipeline, NaiveBayes over a VectorAssembler's output sums the assembler's
    (numeric, int, boolean) inputs directly: no vector is built in the pass, and the model is
    the one the vector column gives."""
    import dfml.ml.feature.assembler as assembler
    df = _words(spark, with_weight=True)
    if kind == "bernoulli":
        df = df.withColumn("a", (df.a > 0).cast("double")).withColumn("d", (df.d > 1).cast("int")) \
            .withColumn("b", (df.b > 0).cast("int"))
    va = VectorAssembler(inputCols=["a", "b", "c", "d"], outputCol="features")
    nb = NaiveBayes(modelType=kind, labelCol="y", weightCol="w", smoothing=0.5)
    alone = nb.fit(va.transform(df))

    def no_vectors(*args, **kwargs):
        raise AssertionError("a vector was assembled during the fit")
    monkeypatch.setattr(assembler, "assemble_rows", no_vectors)
    fused = Pipeline(stages=[va, nb]).fit(df).stages[-1]
    for m in ("pi", "theta", "sigma"):
        assert np.allclose(getattr(fused, m).toArray(), getattr(alone, m).toArray(),
                           rtol=1e-12, atol=0)


def _error_of(fit):
    with pytest.raises(Exception) as e:
        fit()
    return type(e.value), str(e.value)


@pytest.mark.parametrize("handle", ["error", "keep"])
def test_pipeline_from_assembler_inputs_raises_what_the_vectors_would(spark, handle):
    """Bad values fail the fused fit with the error (type and text, with the row shown as
    the assembled vector) that the fit over the vector column gives."""
    schema = "y double, a double, b double"
    va = VectorAssembler(inputCols=["a", "b"], outputCol="features", handleInvalid=handle)
    nb = NaiveBayes(labelCol="y")
    for rows in ([(0.0, 1.0, 2.0), (1.0, -1.0, 0.0)], [(0.0, 1.0, None), (1.0, 0.0, 1.0)],
                 [(0.0, float("nan"), 1.0)], [(0.0, 0.0, float("inf"))]):
        df = spark.createDataFrame(rows, schema)
        alone = _error_of(lambda: nb.fit(va.transform(df)))
        assert _error_of(lambda: Pipeline(stages=[va, nb]).fit(df)) == alone
        assert "Vector values" in alone[1] or "VectorAssembler" in alone[1] or \
            "NaN" in alone[1]


def test_pipeline_from_assembler_inputs_after_skip_and_rewrites(spark):
    """handleInvalid='skip' drops the same rows; an input rewritten after the assembler keeps
    the vector column (its assembled values differ from the frame's)."""
    from dfml.ml.feature import Binarizer
    df = spark.createDataFrame([(0.0, 1.0, 2.0), (1.0, None, 3.0), (1.0, 0.0, float("nan")),
                                (1.0, 4.0, 1.0), (0.0, 2.0, 0.0)], "y double, a double, b double")
    va = VectorAssembler(inputCols=["a", "b"], outputCol="features", handleInvalid="skip")
    nb = NaiveBayes(labelCol="y")
    fused = Pipeline(stages=[va, nb]).fit(df).stages[-1]
    alone = nb.fit(va.transform(df))
    assert fused.theta == alone.theta and fused.pi == alone.pi
    va2 = VectorAssembler(inputCols=["a", "b"], outputCol="features")
    clean = df.na.drop()
    late = Pipeline(stages=[va2, Binarizer(inputCol="y", outputCol="a2", threshold=0.5),
                            nb]).fit(clean).stages[-1]
    assert late.theta == nb.fit(va2.transform(clean)).theta


@pytest.mark.parametrize("kind", TYPES)
def test_pipeline_model_scores_from_assembler_inputs(spark, monkeypatch, kind):
    """PipelineModel.transform computes NaiveBayes outputs from the assembler's inputs: the
    same rows, to the bit, as the stages applied one by one (which go through the assembled
    vectors), and no vector is built unless selected."""
    import dfml.ml.feature.assembler as assembler
    df = _words(spark)
    if kind == "bernoulli":
        df = df.withColumn("a", (df.a > 0).cast("double")).withColumn("d", (df.d > 1).cast("int")) \
            .withColumn("b", (df.b > 0).cast("int"))
    va = VectorAssembler(inputCols=["a", "b", "c", "d"], outputCol="features")
    model = Pipeline(stages=[va, NaiveBayes(modelType=kind, labelCol="y",
                                            thresholds=[0.3, 0.5, 0.2])]).fit(df)
    by_stage = df
    for s in model.stages:
        by_stage = by_stage.transform(s.transform)
    cols = ["id", "rawPrediction", "probability", "prediction"]
    want = by_stage.orderBy("id").select(*cols).collect()
    assert model.transform(df).orderBy("id").select(*cols + ["features"]).collect() == \
        by_stage.orderBy("id").select(*cols + ["features"]).collect()

    def no_vectors(*args, **kwargs):
        raise AssertionError("a vector was assembled")
    monkeypatch.setattr(assembler, "assemble_rows", no_vectors)
    assert model.transform(df).select(*cols).orderBy("id").collect() == want


def test_pipeline_model_from_assembler_inputs_errors_and_rewrites(spark):
    """Bad values raise what the vectors would; an input rewritten between the assembler and
    the model keeps the vector column (the model must see the assembled values)."""
    from dfml.ml.feature import SQLTransformer
    train = spark.createDataFrame([(0.0, 1.0, 2.0), (1.0, 3.0, 0.0)], "y double, a double, b double")
    va = VectorAssembler(inputCols=["a", "b"], outputCol="features", handleInvalid="keep")
    model = Pipeline(stages=[va, NaiveBayes(labelCol="y")]).fit(train)
    for rows in ([(0.0, -1.0, 2.0)], [(0.0, None, 2.0)]):
        bad = spark.createDataFrame(rows, train.schema)
        alone = _error_of(lambda: model.stages[1].transform(va.transform(bad)).collect())
        assert _error_of(lambda: model.transform(bad).collect()) == alone
    sql = SQLTransformer(statement="SELECT y, a * 2 AS a, b, features FROM __THIS__")
    want = model.stages[1].transform(va.transform(train)).select(
        "prediction", "probability").collect()
    for between in (sql, PipelineModel([sql])):  # declared rewrites, and a nested pipeline's
        late = PipelineModel([va, between, model.stages[1]])
        assert late.transform(train).select("prediction", "probability").collect() == want
    fused = Pipeline(stages=[va, Pipeline(stages=[sql]), NaiveBayes(labelCol="y")]).fit(train)
    assert fused.stages[-1].theta == model.stages[1].theta
