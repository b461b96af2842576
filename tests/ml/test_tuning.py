"""ParamGridBuilder, CrossValidator and TrainValidationSplit: grids, folds (user's and random),
errors for bad params and bad fold numbers, the Pipeline prefix fitted once per fold,
parallel candidates, folds released after use, copy, and save/load round trips."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from dfml.ml import Pipeline
from dfml.ml.classification import LogisticRegression
from dfml.ml.evaluation import BinaryClassificationEvaluator
from dfml.ml.feature import StringIndexer, VectorAssembler
from dfml.ml.linalg import Vectors
from dfml.ml.tuning import (CrossValidator, CrossValidatorModel, ParamGridBuilder,
                            TrainValidationSplit, TrainValidationSplitModel)
from dfml.ml._tuning_run import k_folds, split_point
from dfml import StorageLevel
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException


def _rows(n=60, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        x = rng.normal(size=2)
        y = float(x[0] + 0.5 * x[1] + rng.normal() * 0.7 > 0)
        c = ["a", "b", "c"][(i // 3) % 3]  # every category in every fold
        out.append((Vectors.dense(x.tolist()), y, i % 3, float(x[0]), c))
    return out


@pytest.fixture(scope="module")
def data(spark):
    return spark.createDataFrame(_rows(), ["features", "label", "fold", "x", "c"])


def _cv(lr, grid, **kw):
    return CrossValidator(estimator=lr, estimatorParamMaps=grid,
                          evaluator=BinaryClassificationEvaluator(), **kw)


# ------------------------------------------------------------------------------ grid
def test_grid_is_every_combination_with_base_values():
    lr = LogisticRegression()
    grid = (ParamGridBuilder().baseOn({lr.labelCol: "l"}).baseOn([lr.predictionCol, "p"])
            .addGrid(lr.regParam, [1.0, 2.0]).addGrid(lr.maxIter, [1, 5]).build())
    assert len(grid) == 4
    assert {(m[lr.regParam], m[lr.maxIter]) for m in grid} == {(1.0, 1), (2.0, 1), (1.0, 5),
                                                               (2.0, 5)}
    assert all(m[lr.labelCol] == "l" and m[lr.predictionCol] == "p" for m in grid)
    assert [m[lr.maxIter] for m in grid] == [1, 5, 1, 5]  # the param added last varies fastest


def test_grid_rejects_non_params_and_bad_values():
    lr = LogisticRegression()
    with pytest.raises(TypeError, match="must be a Param"):
        ParamGridBuilder().addGrid("regParam", [1.0])
    with pytest.raises(TypeError, match="maxIter"):
        ParamGridBuilder().addGrid(lr.maxIter, ["many"]).build()


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("kw, name", [({"numFolds": 1}, "numFolds"),
                                      ({"parallelism": 0}, "parallelism")])
def test_bad_cross_validator_params_are_named(data, kw, name):
    lr = LogisticRegression()
    cv = _cv(lr, ParamGridBuilder().addGrid(lr.regParam, [0.0]).build(), **kw)
    with pytest.raises(IllegalArgumentException, match=f"parameter {name} given invalid value"):
        cv.fit(data)


def test_bad_train_ratio_and_missing_params_are_named(data):
    lr = LogisticRegression()
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0]).build()
    tvs = TrainValidationSplit(estimator=lr, estimatorParamMaps=grid, trainRatio=1.5,
                               evaluator=BinaryClassificationEvaluator())
    with pytest.raises(IllegalArgumentException, match="trainRatio given invalid value 1.5"):
        tvs.fit(data)
    with pytest.raises(IllegalArgumentException, match="evaluator must be set"):
        CrossValidator(estimator=lr, estimatorParamMaps=grid).fit(data)
    with pytest.raises(IllegalArgumentException, match="estimatorParamMaps is empty"):
        _cv(lr, []).fit(data)
    with pytest.raises(TypeError, match="list of param maps"):
        _cv(lr, [("regParam", 0.1)]).fit(data)


def test_fold_numbers_out_of_range_fail_as_spark(spark, data):
    lr = LogisticRegression(maxIter=2)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0]).build()
    bad = data.selectExpr("features", "label", "CASE WHEN x > 1.0 THEN 5 ELSE fold END AS fold")
    with pytest.raises(SparkException, match=r"Fold number must be in range \[0, 3\), but got 5"):
        _cv(lr, grid, foldCol="fold").fit(bad)
    nulls = data.selectExpr("features", "label",
                            "CASE WHEN x > 1.0 THEN NULL ELSE fold END AS fold")
    with pytest.raises(SparkException, match=r"but got null"):
        _cv(lr, grid, foldCol="fold").fit(nulls)
    with pytest.raises(SparkException, match=r"but got -1"):
        _cv(lr, grid, foldCol="fold").fit(data.selectExpr("features", "label", "fold - 1 AS fold"))


def test_empty_folds_and_bad_fold_columns_are_named(data):
    lr = LogisticRegression(maxIter=2)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0]).build()
    with pytest.raises(ValueError, match="The validation data at fold 3 is empty"):
        _cv(lr, grid, foldCol="fold", numFolds=4).fit(data)
    one = data.selectExpr("features", "label", "0 AS fold")
    with pytest.raises(ValueError, match="The training data at fold 0 is empty"):
        _cv(lr, grid, foldCol="fold").fit(one)
    with pytest.raises(AnalysisException, match="`folds` does not exist. Did you mean `fold`"):
        _cv(lr, grid, foldCol="folds").fit(data)
    with pytest.raises(TypeError, match="column `c` must be an integer type"):
        _cv(lr, grid, foldCol="c").fit(data)


# ------------------------------------------------------------------------------ folds
def test_random_folds_partition_the_rows(spark):
    df = spark.range(200).withColumnRenamed("id", "k")
    folds = k_folds(df, 4, "", 7, CrossValidator())
    seen = []
    for train, validation in folds:
        t = {r.k for r in train.collect()}
        v = {r.k for r in validation.collect()}
        assert not t & v and len(t | v) == 200
        assert train.columns == ["k"]  # the random column is not passed on
        seen += sorted(v)
    assert sorted(seen) == list(range(200))


def test_foldcol_metrics_are_the_mean_of_per_fold_fits(data):
    lr = LogisticRegression(maxIter=10)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.3]).build()
    model = _cv(lr, grid, foldCol="fold").fit(data)
    ev = BinaryClassificationEvaluator()
    for j, m in enumerate(grid):
        per_fold = []
        for i in range(3):
            fitted = lr.fit(data.filter(f"fold != {i}"), m)
            per_fold.append(ev.evaluate(fitted.transform(data.filter(f"fold = {i}"))))
        assert model.avgMetrics[j] == pytest.approx(np.mean(per_fold), abs=1e-12)
        assert model.stdMetrics[j] == pytest.approx(np.std(per_fold), abs=1e-12)
    best = int(np.argmax(model.avgMetrics))
    assert model.bestModel.getRegParam() == grid[best][lr.regParam]
    assert model.bestModel.uid == lr.uid
    assert model.getFoldCol() == "fold" and model.getNumFolds() == 3


def test_parallel_candidates_give_the_same_metrics(data):
    lr = LogisticRegression(maxIter=5)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.5]).build()
    one = _cv(lr, grid, foldCol="fold", parallelism=1).fit(data)
    three = _cv(lr, grid, foldCol="fold", parallelism=2).fit(data)
    assert three.avgMetrics == pytest.approx(one.avgMetrics, abs=1e-12)


def test_folds_are_released_after_the_fit(spark, data):
    lr = LogisticRegression(maxIter=3)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.1]).build()
    before = set(spark._cached)
    _cv(lr, grid, numFolds=2).fit(data)
    assert set(spark._cached) == before


def test_unpersist_releases_the_cached_partitions(spark):
    df = spark.range(10).filter("id > 2")
    df.cache()
    assert df.storageLevel != StorageLevel.NONE and df._plan.plan_id in spark._cached
    df.unpersist()
    assert df.storageLevel == StorageLevel.NONE and df._plan.plan_id not in spark._cached
    assert df.count() == 7


# ------------------------------------------------------------------------------ pipeline prefix
def _pipeline():
    si = StringIndexer(inputCol="c", outputCol="ci")
    va = VectorAssembler(inputCols=["ci", "x"], outputCol="f")
    lr = LogisticRegression(featuresCol="f", maxIter=10)
    return Pipeline(stages=[si, va, lr]), si, lr


def test_pipeline_prefix_is_fitted_once_per_fold(monkeypatch, data):
    pipe, si, lr = _pipeline()
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.1, 0.5]).build()
    calls = {"indexer": 0, "lr": 0}
    si_model_from, lr_fit = StringIndexer._model_from, LogisticRegression._fit

    def count_si(self, *a, **k):
        calls["indexer"] += 1
        return si_model_from(self, *a, **k)

    def count_lr(self, *a, **k):
        calls["lr"] += 1
        return lr_fit(self, *a, **k)
    monkeypatch.setattr(StringIndexer, "_model_from", count_si)
    monkeypatch.setattr(LogisticRegression, "_fit", count_lr)
    model = _cv(pipe, grid, foldCol="fold", collectSubModels=True, parallelism=2).fit(data)
    # once per fold, plus the refit of the best map on the whole input
    assert calls["indexer"] == 3 + 1
    assert calls["lr"] == 3 * 3 + 1
    # each candidate's model is the whole pipeline, its prefix shared within a fold
    sub = model.subModels[1][2]
    assert [type(s).__name__ for s in sub.stages] == ["StringIndexerModel", "VectorAssembler",
                                                     "LogisticRegressionModel"]
    assert sub.stages[2].getRegParam() == 0.5
    assert sub.stages[0] is model.subModels[1][0].stages[0]


def test_pipeline_metrics_match_fitting_the_whole_pipeline(data):
    pipe, si, lr = _pipeline()
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.5]).build()
    shared = _cv(pipe, grid, foldCol="fold").fit(data)
    ev = BinaryClassificationEvaluator()
    for j, m in enumerate(grid):
        per_fold = [ev.evaluate(pipe.fit(data.filter(f"fold != {i}"), m)
                                .transform(data.filter(f"fold = {i}"))) for i in range(3)]
        assert shared.avgMetrics[j] == pytest.approx(np.mean(per_fold), abs=1e-12)


def test_split_point_is_the_first_stage_whose_params_vary():
    pipe, si, lr = _pipeline()
    assert split_point(pipe, ParamGridBuilder().addGrid(lr.regParam, [0.0, 1.0]).build()) == 2
    grid = ParamGridBuilder().addGrid(si.stringOrderType, ["frequencyDesc", "alphabetAsc"]) \
        .addGrid(lr.regParam, [0.0, 1.0]).build()
    assert split_point(pipe, grid) == 0
    # a param fixed in every map does not vary: the prefix still covers its stage
    grid = ParamGridBuilder().baseOn({si.handleInvalid: "keep"}) \
        .addGrid(lr.regParam, [0.0, 1.0]).build()
    assert split_point(pipe, grid) == 2
    assert split_point(pipe, [{lr.regParam: 0.1}, {lr.regParam: 0.1}]) == 3
    assert split_point(pipe, [{pipe.stages: [lr]}, {pipe.stages: [si, lr]}]) == 0
    assert split_point(lr, ParamGridBuilder().addGrid(lr.regParam, [0.0, 1.0]).build()) == 0


# ------------------------------------------------------------------------------ train/validation
def test_train_validation_split_scores_each_map_once(spark):
    rows = _rows(200, seed=3)
    df = spark.createDataFrame([r[:2] for r in rows], ["features", "label"])
    lr = LogisticRegression(maxIter=10)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 5.0]).build()
    tvs = TrainValidationSplit(estimator=lr, estimatorParamMaps=grid, trainRatio=0.8, seed=5,
                               evaluator=BinaryClassificationEvaluator(), collectSubModels=True)
    model = tvs.fit(df)
    assert len(model.validationMetrics) == 2 and len(model.subModels) == 2
    best = int(np.argmax(model.validationMetrics))
    assert model.bestModel.getRegParam() == grid[best][lr.regParam]
    assert [m.getRegParam() for m in model.subModels] == [0.0, 5.0]
    again = tvs.fit(df)  # the split is a function of the seed
    assert again.validationMetrics == pytest.approx(model.validationMetrics, abs=1e-12)
    assert model.getTrainRatio() == 0.8


# ------------------------------------------------------------------------------ copy
def test_copy_copies_estimator_and_evaluator(data):
    lr = LogisticRegression(maxIter=3)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.1]).build()
    cv = _cv(lr, grid, numFolds=2)
    other = cv.copy({lr.maxIter: 7, cv.numFolds: 4})
    assert other.getEstimator() is not lr and other.getEstimator().getMaxIter() == 7
    assert lr.getMaxIter() == 3 and other.getNumFolds() == 4 and cv.getNumFolds() == 2
    assert other.getEstimatorParamMaps() is cv.getEstimatorParamMaps()
    model = cv.setCollectSubModels(True).fit(data)
    copied = model.copy()
    assert copied.uid == model.uid and copied.avgMetrics == model.avgMetrics
    assert copied.bestModel is not model.bestModel and len(copied.subModels) == 2


# ------------------------------------------------------------------------------ save / load
def _meta(path):
    with open(os.path.join(path, "metadata", "part-00000")) as f:
        return json.loads(f.read())


def test_cross_validator_round_trip(tmp_path):
    pipe, si, lr = _pipeline()
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.5]).addGrid(si.handleInvalid,
                                                                      ["keep"]).build()
    cv = _cv(pipe, grid, numFolds=4, seed=11, foldCol="fold", parallelism=2)
    path = str(tmp_path / "cv")
    cv.save(path)
    meta = _meta(path)
    assert meta["paramMap"]["numFolds"] == 4 and "estimator" not in meta["paramMap"]
    assert meta["paramMap"]["estimatorParamMaps"][1] == [
        {"parent": lr.uid, "name": "regParam", "value": "0.5", "isJson": True},
        {"parent": si.uid, "name": "handleInvalid", "value": '"keep"', "isJson": True}]
    assert os.path.isdir(os.path.join(path, "estimator", "stages"))
    assert os.path.isdir(os.path.join(path, "evaluator", "metadata"))
    back = CrossValidator.load(path)
    assert back.uid == cv.uid and back.getNumFolds() == 4 and back.getSeed() == 11
    assert back.getFoldCol() == "fold" and back.getParallelism() == 2
    stages = back.getEstimator().getStages()
    maps = back.getEstimatorParamMaps()
    assert maps[1] == {stages[2].regParam: 0.5, stages[0].handleInvalid: "keep"}
    assert all(p.parent in (stages[2].uid, stages[0].uid) for m in maps for p in m)
    assert type(back.getEvaluator()).__name__ == "BinaryClassificationEvaluator"


def test_cross_validator_model_round_trip_with_sub_models(data, tmp_path):
    lr = LogisticRegression(maxIter=5)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.2]).build()
    model = _cv(lr, grid, foldCol="fold", collectSubModels=True).fit(data)
    path = str(tmp_path / "m")
    model.write().option("persistSubModels", "true").save(path)
    meta = _meta(path)
    assert meta["avgMetrics"] == model.avgMetrics and meta["persistSubModels"] is True
    assert meta["stdMetrics"] == model.stdMetrics
    assert os.path.isdir(os.path.join(path, "subModels", "fold2", "1"))
    back = CrossValidatorModel.load(path)
    assert back.avgMetrics == model.avgMetrics and back.stdMetrics == model.stdMetrics
    assert back.subModels[2][1].coefficients == model.subModels[2][1].coefficients
    ours = model.transform(data).select("probability").collect()
    assert back.transform(data).select("probability").collect() == ours
    plain = str(tmp_path / "plain")
    model.write().option("persistSubModels", "false").save(plain)
    assert not os.path.exists(os.path.join(plain, "subModels"))
    assert CrossValidatorModel.load(plain).subModels is None


def test_sub_models_cannot_be_saved_when_not_collected(data, tmp_path):
    lr = LogisticRegression(maxIter=3)
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0]).build()
    model = TrainValidationSplit(estimator=lr, estimatorParamMaps=grid,
                                 evaluator=BinaryClassificationEvaluator()).fit(data)
    with pytest.raises(ValueError, match="collectSubModels set to true"):
        model.write().option("persistSubModels", True).save(str(tmp_path / "x"))
    with pytest.raises(ValueError, match="persistSubModels option value maybe is invalid"):
        model.write().option("persistSubModels", "maybe").save(str(tmp_path / "y"))
    path = str(tmp_path / "tvs")
    model.save(path)
    back = TrainValidationSplitModel.load(path)
    assert back.validationMetrics == model.validationMetrics and back.subModels is None
    assert back.getTrainRatio() == 0.75
    assert back.bestModel.coefficients == model.bestModel.coefficients
    assert _meta(path)["validationMetrics"] == model.validationMetrics


def test_save_refuses_params_of_other_stages(tmp_path):
    lr, other = LogisticRegression(), LogisticRegression()
    cv = _cv(lr, [{other.regParam: 0.1}])
    with pytest.raises(ValueError, match="An extraneous Param was found"):
        cv.save(str(tmp_path / "cv"))
