"""dfml.xgboost: xgboost.spark's estimators on dfml. Keywords as xgboost.spark takes them,
its output columns and their order, the three feature forms, validation with early stopping,
ranking by query, base margins and contributions, save/load and Pipeline use, and named errors.
Predictions are checked against xgboost's scikit-learn API trained on the same rows (features
with few distinct values, so the distributed quantile sketch equals the local one)."""

import numpy as np
import pytest
import xgboost as xgb

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import VectorAssembler
from dfml.ml.linalg import Vectors
from dfml.sql.errors import AnalysisException, SparkException
from dfml.xgboost import (SparkXGBClassifier, SparkXGBClassifierModel, SparkXGBRanker,
                          SparkXGBRankerModel, SparkXGBRegressor, SparkXGBRegressorModel)

RNG = np.random.default_rng(5)
N = 400
X = np.round(RNG.normal(size=(N, 3)), 1)
Y_BIN = ((X[:, 0] + X[:, 1] * X[:, 2]) > 0).astype(float)
Y_MULTI = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5]).astype(float)
Y_REG = X[:, 0] ** 2 + X[:, 1] + 0.1 * RNG.normal(size=N)
W = 1.0 + (np.arange(N) % 3)
VALID = np.arange(N) % 4 == 0
QID = np.arange(N) // 10
PARAMS = dict(n_estimators=6, max_depth=3)


def _frame(spark, y, parts=2):
    rows = [(Vectors.dense(*map(float, x)), *map(float, x), [float(v) for v in x], float(t),
             float(w), bool(v), int(q))
            for x, t, w, v, q in zip(X, y, W, VALID, QID)]
    df = spark.createDataFrame(rows, ["features", "a", "b", "c", "arr", "label", "w", "valid",
                                      "qid"])
    return df.repartition(parts) if parts != 1 else df


def _col(df, name):
    return [r[0] for r in df.select(name).collect()]


def _margins(model, x):
    return model.get_booster().predict(xgb.DMatrix(x.astype(np.float32)), output_margin=True)


# ---------------------------------------------------------------- outputs
def test_binary_classifier_columns_as_xgboost_spark(spark):
    df = _frame(spark, Y_BIN, parts=1)
    model = SparkXGBClassifier(**PARAMS, seed=0).fit(df)
    assert isinstance(model, SparkXGBClassifierModel)
    out = model.transform(df)
    # xgboost.spark's order: rawPrediction, prediction, probability
    assert out.columns[-3:] == ["rawPrediction", "prediction", "probability"]
    assert [f.dataType.simpleString() for f in out.schema.fields[-3:]] == \
        ["vector", "double", "vector"]
    ref = xgb.XGBClassifier(**PARAMS, tree_method="hist").fit(X, Y_BIN)
    p = np.array([v.toArray() for v in _col(out, "probability")])
    np.testing.assert_allclose(p, ref.predict_proba(X.astype(np.float32)), rtol=1e-5, atol=1e-6)
    raw = np.array([v.toArray() for v in _col(out, "rawPrediction")])
    np.testing.assert_allclose(raw[:, 1], -raw[:, 0])
    np.testing.assert_allclose(raw[:, 1], _margins(model, X), rtol=1e-6)
    assert _col(out, "prediction") == list(np.argmax(p, axis=1).astype(float))


def test_multiclass_classifier_margins_and_softmax(spark):
    df = _frame(spark, Y_MULTI)
    model = SparkXGBClassifier(**PARAMS).fit(df)
    assert model.get_booster().num_boosted_rounds() == 6
    out = model.transform(df).select("rawPrediction", "probability", "prediction").collect()
    raw = np.array([r[0].toArray() for r in out])
    prob = np.array([r[1].toArray() for r in out])
    assert raw.shape == (N, 3)
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    np.testing.assert_allclose(prob, e / e.sum(axis=1, keepdims=True), rtol=1e-6)
    assert [r[2] for r in out] == list(np.argmax(prob, axis=1).astype(float))
    cfg = model.get_booster().save_config()
    assert '"num_class":"3"' in cfg and "multi:softprob" in cfg


def test_regressor_from_column_list_with_weights_matches_sklearn(spark):
    df = _frame(spark, Y_REG)
    est = SparkXGBRegressor(features_col=["a", "b", "c"], weight_col="w", **PARAMS)
    assert est.getOrDefault("features_cols") == ["a", "b", "c"]
    model = est.fit(df)
    assert isinstance(model, SparkXGBRegressorModel)
    out = model.transform(df)
    assert out.columns[-1] == "prediction"
    ref = xgb.XGBRegressor(**PARAMS, tree_method="hist").fit(X, Y_REG, sample_weight=W)
    np.testing.assert_allclose(_col(out, "prediction"), ref.predict(X.astype(np.float32)),
                               rtol=1e-5, atol=1e-5)


def test_array_features_give_the_vector_models_predictions(spark):
    df = _frame(spark, Y_REG)
    a = SparkXGBRegressor(features_col="arr", **PARAMS).fit(df)
    v = SparkXGBRegressor(**PARAMS).fit(df)
    np.testing.assert_allclose(_col(a.transform(df), "prediction"),
                               _col(v.transform(df), "prediction"), rtol=1e-6)


def test_validation_column_and_early_stopping_keep_the_best_iteration(spark):
    df = _frame(spark, Y_REG)
    model = SparkXGBRegressor(n_estimators=200, max_depth=6, learning_rate=0.9,
                              validation_indicator_col="valid", early_stopping_rounds=3,
                              eval_metric="rmse").fit(df)
    booster = model.get_booster()
    best = int(booster.attr("best_iteration"))
    assert booster.num_boosted_rounds() < 200
    hist = model.training_summary.validation_objective_history["rmse"]
    assert int(np.argmin(hist)) == best
    assert len(model.training_summary.train_objective_history["rmse"]) == len(hist)
    got = _col(model.transform(df), "prediction")
    want = booster.predict(xgb.DMatrix(X.astype(np.float32)), iteration_range=(0, best + 1))
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_ranker_groups_rows_by_query(spark):
    df = _frame(spark, (Y_MULTI > 0).astype(float))
    model = SparkXGBRanker(qid_col="qid", **PARAMS).fit(df)
    assert isinstance(model, SparkXGBRankerModel)
    assert "rank:ndcg" in model.get_booster().save_config()
    ref = xgb.XGBRanker(**PARAMS, tree_method="hist").fit(X, (Y_MULTI > 0), qid=QID)
    got = _col(model.transform(df), "prediction")
    np.testing.assert_allclose(got, ref.predict(X.astype(np.float32)), rtol=1e-5, atol=1e-5)


def test_base_margin_and_contributions(spark):
    df = _frame(spark, Y_REG).withColumn("m", 10.0 + 0.0 * __import__("dfml").sql.functions.col("a"))
    model = SparkXGBRegressor(base_margin_col="m", pred_contrib_col="contrib", **PARAMS).fit(df)
    out = model.transform(df).select("prediction", "contrib").collect()
    dm = xgb.DMatrix(X.astype(np.float32), base_margin=np.full(N, 10.0))
    np.testing.assert_allclose([r[0] for r in out], model.get_booster().predict(dm), rtol=1e-6)
    contrib = np.array([r[1] for r in out])
    assert contrib.shape == (N, 4)
    np.testing.assert_allclose(contrib.sum(axis=1), [r[0] for r in out], rtol=1e-4, atol=1e-4)
    cls = SparkXGBClassifier(pred_contrib_col="c", **PARAMS).fit(_frame(spark, Y_MULTI))
    c = cls.transform(_frame(spark, Y_MULTI)).select("c").first()[0]
    assert len(c) == 3 and all(len(row) == 4 for row in c)


def test_null_vector_rows_predict_null(spark):
    df = _frame(spark, Y_BIN)
    model = SparkXGBClassifier(**PARAMS).fit(df)
    test = spark.createDataFrame([(Vectors.dense(0.5, 0.5, 0.5),), (None,)], ["features"])
    rows = model.transform(test).collect()
    assert rows[1]["prediction"] is None and rows[1]["probability"] is None
    assert rows[0]["prediction"] in (0.0, 1.0)


def test_sparse_vectors_absent_entries_are_zero_unless_asked(spark):
    rows = [(Vectors.sparse(3, [0], [float(x[0])]), float(t)) for x, t in zip(X, Y_REG)]
    df = spark.createDataFrame(rows, ["features", "label"])
    dense = spark.createDataFrame([(Vectors.dense(float(x[0]), 0.0, 0.0), float(t))
                                   for x, t in zip(X, Y_REG)], ["features", "label"])
    a = _col(SparkXGBRegressor(**PARAMS).fit(df).transform(df), "prediction")
    b = _col(SparkXGBRegressor(**PARAMS).fit(dense).transform(dense), "prediction")
    np.testing.assert_allclose(a, b, rtol=1e-6)
    m = SparkXGBRegressor(enable_sparse_data_optim=True, **PARAMS).fit(df)
    assert m.getOrDefault("enable_sparse_data_optim") is True


# ---------------------------------------------------------------- params
def test_keywords_map_as_xgboost_spark_does():
    est = SparkXGBClassifier(features_col="f", label_col="y", weight_col="w",
                             probability_col="p", raw_prediction_col="r", max_depth=4,
                             eta=0.3, seed=7, num_workers=2)
    assert (est.getFeaturesCol(), est.getLabelCol(), est.getOrDefault("weightCol")) == \
        ("f", "y", "w")
    assert (est.getOrDefault("probabilityCol"), est.getOrDefault("rawPredictionCol")) == \
        ("p", "r")
    assert est.getOrDefault("max_depth") == 4 and est.getOrDefault("n_estimators") == 100
    assert est.getOrDefault("arbitrary_params_dict") == {"eta": 0.3, "seed": 7}
    assert est.getOrDefault("num_workers") == 2
    est.setParams(max_depth=2, gamma=0.5)
    assert est.getOrDefault("max_depth") == 2 and est.getOrDefault("gamma") == 0.5


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_jobs=2), "n_jobs"), (dict(enable_categorical=True), "feature_types"),
    (dict(featuresCol="x"), "features_col"), (dict(eval_set=[]), "validation_indicator_col"),
    (dict(arbitrary_params_dict={}), "arbitrary_params_dict")])
def test_refused_keywords_name_the_alternative(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SparkXGBRegressor(**kwargs)


def test_positional_arguments_are_refused():
    with pytest.raises(TypeError, match="keyword"):
        SparkXGBRegressor("features")


def test_bad_setups_fail_with_named_errors(spark):
    df = _frame(spark, Y_REG)
    with pytest.raises(ValueError, match="objective"):
        SparkXGBClassifier(objective="binary:hinge").fit(df)
    with pytest.raises(ValueError, match="qid_col"):
        SparkXGBRanker().fit(df)
    with pytest.raises(ValueError, match="qid_col"):
        SparkXGBRegressor(qid_col="qid").fit(df)
    with pytest.raises(SparkException, match="label column `label`.*class indices"):
        SparkXGBClassifier(n_estimators=2).fit(df)
    with pytest.raises(AnalysisException, match="featurs"):
        SparkXGBRegressor(features_col="featurs").fit(df)
    with pytest.raises(AnalysisException, match="`zz`"):
        SparkXGBRegressor(features_col=["a", "zz"]).fit(df)
    with pytest.raises(TypeError, match="`valid` must be numeric"):
        SparkXGBRegressor(weight_col="valid").fit(df)
    with pytest.raises(TypeError, match="`label` must be boolean"):
        SparkXGBRegressor(validation_indicator_col="label").fit(df)


# ---------------------------------------------------------------- persistence and pipelines
def test_save_load_gives_identical_predictions_and_xgboost_json(spark, tmp_path):
    df = _frame(spark, Y_MULTI)
    model = SparkXGBClassifier(**PARAMS, seed=3).fit(df)
    model.write().overwrite().save(str(tmp_path / "m"))
    loaded = SparkXGBClassifierModel.load(str(tmp_path / "m"))
    assert loaded.uid == model.uid
    assert loaded.getOrDefault("max_depth") == 3
    assert loaded.getOrDefault("arbitrary_params_dict") == {"seed": 3}
    a = model.transform(df).select("probability", "prediction").collect()
    b = loaded.transform(df).select("probability", "prediction").collect()
    assert a == b
    raw = loaded.get_booster().save_raw("json")
    assert raw.startswith(b"{")
    est = SparkXGBRegressor(max_depth=2, eta=0.2)
    est.save(str(tmp_path / "e"))
    again = SparkXGBRegressor.load(str(tmp_path / "e"))
    assert again.getOrDefault("arbitrary_params_dict") == {"eta": 0.2}
    assert again.getOrDefault("max_depth") == 2


def test_pipeline_stage_fits_saves_and_loads(spark, tmp_path):
    df = _frame(spark, Y_BIN)
    pipe = Pipeline(stages=[VectorAssembler(inputCols=["a", "b", "c"], outputCol="v"),
                            SparkXGBClassifier(features_col="v", **PARAMS)])
    model = pipe.fit(df)
    model.write().overwrite().save(str(tmp_path / "p"))
    loaded = PipelineModel.load(str(tmp_path / "p"))
    a = model.transform(df).select("prediction").collect()
    assert a == loaded.transform(df).select("prediction").collect()
    assert model.stages[-1].get_feature_importances()


def test_model_trained_on_columns_predicts_from_them(spark):
    df = _frame(spark, Y_REG)
    model = SparkXGBRegressor(features_col=["a", "b", "c"], **PARAMS).fit(df)
    only = df.select("a", "b", "c")
    assert len(_col(model.transform(only), "prediction")) == N
    sk = model._xgb_sklearn_model
    np.testing.assert_allclose(_col(model.transform(only), "prediction"),
                               sk.predict(X.astype(np.float32)), rtol=1e-6)


def test_cross_validator_tunes_an_xgboost_param(spark):
    from dfml.ml.evaluation import RegressionEvaluator
    from dfml.ml.tuning import CrossValidator, ParamGridBuilder
    df = _frame(spark, Y_REG)
    est = SparkXGBRegressor(n_estimators=5)
    grid = ParamGridBuilder().addGrid(est.max_depth, [1, 4]).build()
    cv = CrossValidator(estimator=est, estimatorParamMaps=grid, numFolds=2, seed=1,
                        evaluator=RegressionEvaluator()).fit(df)
    assert len(cv.avgMetrics) == 2
    assert cv.avgMetrics[1] < cv.avgMetrics[0]          # depth 4 fits x0**2 better
    assert cv.bestModel.getOrDefault("max_depth") == 4
