"""Saved models load in a fresh process, whatever it imported, and only from inside their directory.

A batch-scoring job typically imports ``PipelineModel`` and nothing else; loading used to
refuse every stage class whose module that process had not imported yet.
"""

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import textwrap

import pytest

import dfml.ml
from dfml.ml.feature import RFormula, SQLTransformer, TargetEncoder
from dfml.ml import Pipeline, PipelineModel
from dfml.ml.base import Persistable
from dfml.ml.classification import LogisticRegression, NaiveBayes
from dfml.ml.clustering import (LDA, BisectingKMeans, GaussianMixture, KMeans,
                                PowerIterationClustering)
from dfml.ml.evaluation import (BinaryClassificationEvaluator, ClusteringEvaluator,
                                MulticlassClassificationEvaluator, RegressionEvaluator)
from dfml.ml.feature import (PCA, Binarizer, Bucketizer, ElementwiseProduct, Imputer,
                             IndexToString, Interaction, MaxAbsScaler, MinMaxScaler, Normalizer,
                             OneHotEncoder, PolynomialExpansion, QuantileDiscretizer, RobustScaler,
                             StandardScaler, StringIndexer, VectorAssembler, VectorSlicer)
from dfml.ml.feature import (IDF, CountVectorizer, FeatureHasher, HashingTF, NGram, RegexTokenizer,
                              StopWordsRemover, Tokenizer)
from dfml.ml.feature import ChiSqSelector, UnivariateFeatureSelector, VarianceThresholdSelector
from dfml.ml.feature import DCT, VectorIndexer, VectorSizeHint
from dfml.ml.feature import BucketedRandomProjectionLSH, MinHashLSH, Word2Vec
from dfml.ml.linalg import Vectors
from dfml.ml.param import Params
from dfml.ml.classification import (DecisionTreeClassifier, GBTClassifier, LinearSVC,
                                    FMClassifier, MultilayerPerceptronClassifier, OneVsRest,
                                    RandomForestClassifier)
from dfml.ml.regression import (AFTSurvivalRegression, FMRegressor, GeneralizedLinearRegression, IsotonicRegression,
                                DecisionTreeRegressor, GBTRegressor, LinearRegression,
                                RandomForestRegressor)
from dfml.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit
from dfml.ml.sklearn import Incremental, ParallelPostFit, SklearnEstimator
from sklearn.linear_model import LogisticRegression as SkLogistic, SGDClassifier
from dfml.ml.util import STAGE_MODULES, ModelLoadError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_BASES = {"dfml.ml.base", "dfml.ml.evaluation.Evaluator", "dfml.ml.tuning._Validator",
          "dfml.ml.feature.selectors._SelectorModel", "dfml.ml.fm._FMEstimator",
          "dfml.ml.fm._FMModel"}


def _saved_classes() -> set[str]:
    """Every concrete saved class dfml defines, found by importing every dfml.ml module."""
    for m in pkgutil.walk_packages(dfml.ml.__path__, "dfml.ml."):
        importlib.import_module(m.name)
    return {name for name, cls in Params._registry.items()
            if issubclass(cls, Persistable) and not inspect.isabstract(cls)
            and cls.__module__.startswith("dfml.ml.")
            and cls.__module__ not in _BASES and name not in _BASES}


def _fresh_python(code: str) -> str:
    """Run ``code`` in a new interpreter that has imported nothing of dfml."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_stage_modules_cover_every_saved_class():
    found = _saved_classes()
    listed = json.loads(_fresh_python("""
        import json
        from dfml.ml.util import stage_class
        from dfml.ml.param import Params
        stage_class("")
        print(json.dumps(sorted(Params._registry)))
    """).strip().splitlines()[-1])
    missing = found - set(listed)
    assert not missing, f"add their modules to dfml.ml.util.STAGE_MODULES: {sorted(missing)}"
    assert all(m.startswith("dfml.ml.") for m in STAGE_MODULES)


@pytest.fixture(scope="module")
def saved_everything(spark, tmp_path_factory):
    """One fitted pipeline holding every stage type, the unfitted pipeline, every evaluator."""
    rows = [(float(i % 7) if i % 5 else None, float((i * 3) % 11), ["a", "b", "c"][i % 3],
             float(i % 2), ["w", "x", "y", "z"][i % 4:] + ["a", "b", "c"][: i % 3])
            for i in range(60)]
    df = spark.createDataFrame(rows, "x1 double, x2 double, c string, label double, "
                                     "words array<string>")
    stages = [
        StringIndexer(inputCol="c", outputCol="ci"),
        OneHotEncoder(inputCol="ci", outputCol="coh"),
        Imputer(inputCols=["x1", "x2"], outputCols=["x1i", "x2i"]),
        VectorAssembler(inputCols=["x1i", "x2i", "coh"], outputCol="raw"),
        Bucketizer(inputCol="x1i", outputCol="b", splits=[-float("inf"), 2.0, 4.0, float("inf")]),
        QuantileDiscretizer(inputCol="x2i", outputCol="q", numBuckets=3),
        Binarizer(inputCol="x1i", outputCol="bin", threshold=3.0),
        StandardScaler(inputCol="raw", outputCol="s1", withMean=True),
        MinMaxScaler(inputCol="raw", outputCol="s2"),
        MaxAbsScaler(inputCol="raw", outputCol="s3"),
        RobustScaler(inputCol="raw", outputCol="s4"),
        Normalizer(inputCol="raw", outputCol="n", p=1.0),
        ElementwiseProduct(inputCol="raw", outputCol="e",
                           scalingVec=Vectors.dense([1.0, 2.0, 3.0, 4.0])),
        PolynomialExpansion(inputCol="raw", outputCol="p", degree=2),
        VectorSlicer(inputCol="raw", outputCol="vs", indices=[0, 2]),
        Interaction(inputCols=["x1i", "vs"], outputCol="it"),
        PCA(inputCol="raw", outputCol="pc", k=2),
        Tokenizer(inputCol="c", outputCol="tok"),
        RegexTokenizer(inputCol="c", outputCol="rtok", pattern=","),
        StopWordsRemover(inputCol="tok", outputCol="sw"),
        NGram(inputCol="rtok", outputCol="ng", n=1),
        LogisticRegression(featuresCol="s1", labelCol="label", maxIter=20),
        IndexToString(inputCol="prediction", outputCol="predicted", labels=["no", "yes"]),
        LinearRegression(featuresCol="s2", labelCol="label", predictionCol="linear",
                         solver="normal"),
        NaiveBayes(featuresCol="s2", predictionCol="nb", probabilityCol="nbProb",
                   rawPredictionCol="nbRaw"),
        GeneralizedLinearRegression(featuresCol="s2", family="binomial", predictionCol="glr"),
        IsotonicRegression(featuresCol="s2", predictionCol="iso"),
        LinearSVC(featuresCol="s2", predictionCol="svc", rawPredictionCol="svcRaw", maxIter=10),
        OneVsRest(classifier=LogisticRegression(maxIter=5), featuresCol="s2", predictionCol="ovr",
                  rawPredictionCol="ovrRaw"),
        SQLTransformer(statement="SELECT *, x2 + 1.0 AS lifetime FROM __THIS__"),
        AFTSurvivalRegression(featuresCol="s2", labelCol="lifetime", censorCol="label",
                              predictionCol="aft", quantilesCol="aftq", maxIter=5),
        FMClassifier(featuresCol="s2", predictionCol="fmc", rawPredictionCol="fmcr",
                     probabilityCol="fmcp", maxIter=3, factorSize=2),
        FMRegressor(featuresCol="s2", predictionCol="fmr", maxIter=3, factorSize=2),
        MultilayerPerceptronClassifier(featuresCol="s2", layers=[4, 3, 2], maxIter=3, seed=1,
                                       predictionCol="mlp", rawPredictionCol="mlpRaw",
                                       probabilityCol="mlpProb"),
        KMeans(featuresCol="s3", predictionCol="cluster", k=2, seed=7),
        GaussianMixture(featuresCol="s3", predictionCol="gmm", probabilityCol="gmmProb", k=2,
                        seed=7, maxIter=5),
        BisectingKMeans(featuresCol="s3", predictionCol="bkm", k=2, seed=7),
        HashingTF(inputCol="words", outputCol="tf", numFeatures=16),
        LDA(featuresCol="tf", k=2, maxIter=3, seed=7, topicDistributionCol="topics"),
        IDF(inputCol="tf", outputCol="tfidf", minDocFreq=1),
        CountVectorizer(inputCol="words", outputCol="cv", minDF=2),
        FeatureHasher(inputCols=["x2", "c"], outputCol="fh", numFeatures=32),
        ChiSqSelector(featuresCol="raw", outputCol="chi", numTopFeatures=2),
        UnivariateFeatureSelector(featuresCol="raw", outputCol="ufs", selectionMode="fpr")
        .setFeatureType("continuous").setLabelType("categorical").setSelectionThreshold(0.9),
        VarianceThresholdSelector(featuresCol="raw", outputCol="vts"),
        VectorSizeHint(inputCol="raw", size=4, handleInvalid="optimistic"),
        DCT(inputCol="raw", outputCol="dct"),
        VectorIndexer(inputCol="raw", outputCol="vi", maxCategories=3),
        Word2Vec(inputCol="words", outputCol="w2v", vectorSize=3, minCount=1, seed=1),
        MinHashLSH(inputCol="tf", outputCol="mh", numHashTables=2, seed=1),
        BucketedRandomProjectionLSH(inputCol="raw", outputCol="brp", bucketLength=1.0, seed=1),
        # tree models (XGBoost boosters saved as UBJSON in data/)
        GBTClassifier(featuresCol="s1", maxIter=2, maxDepth=2, predictionCol="gbtc",
                      rawPredictionCol="gbtcr", probabilityCol="gbtcp"),
        RandomForestClassifier(featuresCol="s1", numTrees=2, maxDepth=2, predictionCol="rfc",
                               rawPredictionCol="rfcr", probabilityCol="rfcp"),
        DecisionTreeClassifier(featuresCol="s1", maxDepth=2, predictionCol="dtc",
                               rawPredictionCol="dtcr", probabilityCol="dtcp"),
        GBTRegressor(featuresCol="s2", maxIter=2, maxDepth=2, predictionCol="gbtr"),
        RandomForestRegressor(featuresCol="s2", numTrees=2, maxDepth=2, predictionCol="rfr"),
        DecisionTreeRegressor(featuresCol="s2", maxDepth=2, predictionCol="dtr"),
        # scikit-learn stages (objects stored by skops in data/)
        SklearnEstimator(estimator=SkLogistic(), featuresCol="s1", predictionCol="skp",
                         probabilityCol="skprob"),
        Incremental(estimator=SGDClassifier(random_state=0), featuresCol="s1",
                    predictionCol="inc", probabilityCol=""),
        ParallelPostFit(model=SkLogistic().fit([[0.0, 0.0], [1.0, 1.0]], [0, 1]), featuresCol="vs",
                        predictionCol="ppf", probabilityCol=""),
        RFormula(formula="label ~ x2 + c:x1i", featuresCol="rff"),
        TargetEncoder(inputCol="ci", outputCol="te"),
        SQLTransformer(statement="SELECT *, x2 * 2 AS x22 FROM __THIS__"),
    ]
    pipeline = Pipeline(stages=stages)
    model = pipeline.fit(df)
    root = tmp_path_factory.mktemp("saved")
    paths = {"model": str(root / "model"), "pipeline": str(root / "pipeline")}
    model.save(paths["model"])
    pipeline.save(paths["pipeline"])
    paths["gbt"] = str(root / "gbt")
    next(s for s in model.stages if type(s).__name__ == "GBTClassificationModel").save(paths["gbt"])
    evaluators = [BinaryClassificationEvaluator(), MulticlassClassificationEvaluator(metricName="f1"),
                  RegressionEvaluator(predictionCol="linear", metricName="mae"),
                  ClusteringEvaluator(featuresCol="s3", predictionCol="cluster"),
                  PowerIterationClustering(k=3)]  # saved like an evaluator: params only
    for i, ev in enumerate(evaluators):
        paths[f"evaluator{i}"] = str(root / f"evaluator{i}")
        ev.save(paths[f"evaluator{i}"])
    scored = model.transform(df).select("predicted", "linear", "pc", "it", "q", "nb", "tfidf", "cv",
                                        "fh", "w2v").collect()
    feats = VectorAssembler(inputCols=["x2"], outputCol="f").transform(df)
    lr = LogisticRegression(featuresCol="f", maxIter=5)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.5]).build()
    tuners = [CrossValidator(estimator=lr, estimatorParamMaps=grid, numFolds=2,
                             evaluator=BinaryClassificationEvaluator()),
              TrainValidationSplit(estimator=lr, estimatorParamMaps=grid,
                                   evaluator=BinaryClassificationEvaluator())]
    tuners += [t.fit(feats) for t in tuners]
    for i, t in enumerate(tuners):
        paths[f"tuning{i}"] = str(root / f"tuning{i}")
        t.save(paths[f"tuning{i}"])
    from dfml.ml.fpm import FPGrowth
    fp = FPGrowth(minSupport=0.5)
    fps = [fp, fp.fit(spark.createDataFrame([(["a", "b"],), (["a"],)], "items array<string>"))]
    paths["fpgrowth"] = str(root / "fpgrowth")
    fps[1].save(paths["fpgrowth"])
    paths["fpgrowth_estimator"] = str(root / "fpgrowth_estimator")
    fp.save(paths["fpgrowth_estimator"])
    from dfml.ml.recommendation import ALS
    als = ALS(rank=2, maxIter=1, seed=1)
    fps += [als, als.fit(spark.createDataFrame([(0, 0, 1.0), (1, 1, 2.0)], "user int, item int, "
                                                                          "rating double"))]
    paths["als_model"] = str(root / "als_model")
    fps[-1].save(paths["als_model"])
    paths["als"] = str(root / "als")
    als.save(paths["als"])
    classes = {f"{type(s).__module__}.{type(s).__qualname__}"
               for s in list(model.stages) + stages + evaluators + tuners + fps + [model, pipeline]}
    return df, paths, scored, classes


def test_every_saved_class_is_in_the_fresh_process_test(saved_everything):
    *_, classes = saved_everything
    missing = _saved_classes() - classes
    assert not missing, f"add these to saved_everything: {sorted(missing)}"


def test_fresh_process_loads_and_scores_with_only_pipeline_model_imported(saved_everything,
                                                                         tmp_path):
    df, paths, scored, _ = saved_everything
    data = str(tmp_path / "input.parquet")
    df.write.parquet(data)
    out = _fresh_python(f"""
        import json
        from dfml.ml import PipelineModel
        from dfml.sql import SparkSession
        spark = SparkSession.builder.master("local[1]").getOrCreate()
        model = PipelineModel.load({paths["model"]!r})
        rows = model.transform(spark.read.parquet({data!r})).select(
            "predicted", "linear", "pc", "it", "q", "nb", "tfidf", "cv", "fh", "w2v").collect()
        print(json.dumps([[r[0], r[1]] + [v.toArray().tolist() for v in r[2:4]] + [r[4], r[5]]
                          + [v.toArray().tolist() for v in r[6:]] for r in rows]))
    """)
    got = json.loads(out.strip().splitlines()[-1])
    want = [[r[0], r[1]] + [v.toArray().tolist() for v in r[2:4]] + [r[4], r[5]]
            + [v.toArray().tolist() for v in r[6:]] for r in scored]
    assert sorted(map(json.dumps, got)) == sorted(map(json.dumps, want))


def test_fresh_process_loads_every_saved_type_through_the_generic_loader(saved_everything):
    _, paths, _, classes = saved_everything
    out = _fresh_python(f"""
        import json
        from dfml.ml.util import load_stage
        paths = {paths!r}
        seen = set()
        def walk(stage):
            seen.add(type(stage).__module__ + "." + type(stage).__qualname__)
            subs = stage.getStages() if hasattr(stage, "getStages") else getattr(stage, "stages", [])
            for s in subs:
                walk(s)
        for p in paths.values():
            walk(load_stage(p))
        print(json.dumps(sorted(seen)))
    """)
    assert set(json.loads(out.strip().splitlines()[-1])) == classes


def test_processes_that_load_a_model_exit_cleanly(saved_everything):
    """pyarrow 26 aborted about one fresh process in four at exit after a threaded read of a
    model's data file ("terminate called without an active exception"); eight loads of a
    boosted model in parallel processes make a regression all but certain to show."""
    _, paths, _, _ = saved_everything
    code = ("from dfml.ml.util import load_stage\n"
            f"load_stage({paths['gbt']!r})\n")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(8)]
    results = [(p.wait(timeout=300), p.stderr.read().decode()[-500:]) for p in procs]
    assert all(code == 0 for code, _ in results), results


def test_symlinked_stage_directory_is_refused(spark, tmp_path):
    df = spark.createDataFrame([(1.0, 2.0), (3.0, 5.0)], ["a", "b"])
    model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="raw"),
                             StandardScaler(inputCol="raw", outputCol="f")]).fit(df)
    inside, outside = str(tmp_path / "m"), str(tmp_path / "elsewhere")
    model.save(inside)
    stage_dir = os.path.join(inside, "stages", sorted(os.listdir(os.path.join(inside, "stages")))[1])
    os.rename(stage_dir, outside)
    os.symlink(outside, stage_dir)
    with pytest.raises(ModelLoadError, match="outside the model directory"):
        PipelineModel.load(inside)


def test_symlinked_data_file_is_refused(spark, tmp_path):
    df = spark.createDataFrame([(1.0, 2.0), (3.0, 5.0)], ["a", "b"])
    model = StandardScaler(inputCol="raw", outputCol="f").fit(
        VectorAssembler(inputCols=["a", "b"], outputCol="raw").transform(df))
    path = str(tmp_path / "m")
    model.save(path)
    data = os.path.join(path, "data", "part-00000.parquet")
    moved = str(tmp_path / "stolen.parquet")
    os.rename(data, moved)
    os.symlink(moved, data)
    with pytest.raises(ModelLoadError, match="outside the model directory"):
        type(model).load(path)


def test_a_symlinked_model_root_itself_loads(spark, tmp_path):
    """Only parts that escape the model are refused; a link to the whole model is fine."""
    df = spark.createDataFrame([(1.0, 2.0), (3.0, 5.0)], ["a", "b"])
    model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="raw")]).fit(df)
    real, link = str(tmp_path / "real"), str(tmp_path / "link")
    model.save(real)
    os.symlink(real, link)
    assert PipelineModel.load(link).stages[0].getInputCols() == ["a", "b"]
