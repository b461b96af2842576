"""StringIndexer, IndexToString and OneHotEncoder: label order, invalid values per
handleInvalid, numeric inputs, multi-column forms, the fit-free OneHotEncoder inside a
Pipeline, persistence and errors raised before any work runs."""

import os

import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import (IndexToString, OneHotEncoder, OneHotEncoderModel, StringIndexer,
                             StringIndexerModel)
from dfml.ml.linalg import SparseVector
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException

ROWS = [(0, "a", 1, 1.5), (1, "b", 2, 2.0), (2, "c", 1, 1.5), (3, "a", 3, None),
        (4, "a", 2, 3.0), (5, "c", 2, 2.0), (6, None, 1, 1.5), (7, "d", 1, 0.5), (8, "b", 9, 0.5)]


@pytest.fixture
def df(spark):
    return spark.createDataFrame(ROWS, "id int, cat string, n int, x double")


def _col(df, name):
    return [r[name] for r in df.orderBy("id").collect()]


@pytest.mark.parametrize("order,labels", [
    ("frequencyDesc", ["a", "b", "c", "d"]),     # b and c tie (2 each): alphabetical
    ("frequencyAsc", ["d", "b", "c", "a"]),
    ("alphabetDesc", ["d", "c", "b", "a"]),
    ("alphabetAsc", ["a", "b", "c", "d"])])
def test_label_orders(df, order, labels):
    m = StringIndexer(inputCol="cat", outputCol="ci", stringOrderType=order,
                      handleInvalid="keep").fit(df)
    assert m.labels == labels
    got = _col(m.transform(df), "ci")
    expect = [float(labels.index(c)) if c is not None else 4.0 for _, c, _, _ in ROWS]
    assert got == expect


def test_numeric_inputs_are_indexed_by_their_spark_strings(df):
    m = StringIndexer(inputCols=["n", "x"], outputCols=["ni", "xi"], handleInvalid="keep").fit(df)
    assert m.labelsArray == [["1", "2", "3", "9"], ["1.5", "0.5", "2.0", "3.0"]]
    out = m.transform(df)
    assert _col(out, "ni") == [0.0, 1.0, 0.0, 2.0, 1.0, 1.0, 0.0, 0.0, 3.0]
    assert _col(out, "xi")[3] == 4.0          # null -> keep bucket


def test_handle_invalid(spark, df):
    m = StringIndexer(inputCol="cat", outputCol="ci").fit(df)   # error (default)
    with pytest.raises(SparkException, match="NULL"):
        m.transform(df).collect()
    unseen = spark.createDataFrame([(0, "zz")], "id int, cat string")
    with pytest.raises(SparkException, match="Unseen label: zz"):
        m.transform(unseen).collect()
    skip = m.copy({m.handleInvalid: "skip"}).transform(df)
    assert _col(skip, "id") == [0, 1, 2, 3, 4, 5, 7, 8]
    assert m.copy({m.handleInvalid: "keep"}).transform(unseen).collect()[0].ci == 4.0


def test_from_labels_and_index_to_string(spark, df):
    m = StringIndexerModel.from_labels(["c", "a", "b", "d"], inputCol="cat", outputCol="ci",
                                       handleInvalid="skip")
    out = m.transform(df)
    assert _col(out, "ci") == [1.0, 2.0, 0.0, 1.0, 1.0, 0.0, 3.0, 2.0]
    back = IndexToString(inputCol="ci", outputCol="cat2", labels=m.labels).transform(out)
    assert [(r.cat, r.cat2) for r in back.collect()] == [(r.cat, r.cat) for r in back.collect()]
    bad = spark.createDataFrame([(7.0,)], "ci double")
    with pytest.raises(SparkException, match="Unseen index"):
        IndexToString(inputCol="ci", outputCol="o", labels=["a"]).transform(bad).collect()
    with pytest.raises(IllegalArgumentException, match="labels"):
        IndexToString(inputCol="ci", outputCol="o").transform(bad)


@pytest.mark.parametrize("drop_last,keep,size", [(True, False, 3), (False, False, 4),
                                                 (True, True, 4), (False, True, 5)])
def test_one_hot_sizes(spark, drop_last, keep, size):
    df = spark.createDataFrame([(0, 0.0), (1, 1.0), (2, 3.0), (3, 2.0)], "id int, i double")
    m = OneHotEncoder(inputCol="i", outputCol="v", dropLast=drop_last,
                      handleInvalid="keep" if keep else "error").fit(df)
    assert m.categorySizes == [4]
    vs = _col(m.transform(df), "v")
    assert all(isinstance(v, SparseVector) and v.size == size for v in vs)
    assert vs[1] == SparseVector(size, [1], [1.0])
    assert vs[2] == (SparseVector(size, [], []) if drop_last and not keep
                     else SparseVector(size, [3], [1.0]))
    unseen = spark.createDataFrame([(9, 7.0)], "id int, i double")
    if keep:  # the extra category, itself dropped by dropLast
        expect = SparseVector(size, [], []) if drop_last else SparseVector(size, [4], [1.0])
        assert m.transform(unseen).collect()[0].v == expect
    else:
        with pytest.raises(SparkException, match="Unseen value: 7.0"):
            m.transform(unseen).collect()


def test_one_hot_rejects_non_indices(spark):
    df = spark.createDataFrame([(0.5,)], "i double")
    with pytest.raises(IllegalArgumentException, match="indices"):
        OneHotEncoder(inputCol="i", outputCol="v").fit(df)
    with pytest.raises(IllegalArgumentException, match="error or keep"):
        OneHotEncoder(inputCol="i", outputCol="v", handleInvalid="skip").fit(df)


def test_pipeline_encoder_needs_no_pass_after_indexer(spark, df):
    p = Pipeline(stages=[
        StringIndexer(inputCols=["cat", "n"], outputCols=["ci", "ni"], handleInvalid="keep"),
        OneHotEncoder(inputCols=["ci", "ni"], outputCols=["cv", "nv"])])
    with_graphs = spark.graphs_run
    model = p.fit(df)
    assert model.fitPasses == 1
    assert spark.graphs_run - with_graphs == 1
    assert "no pass: OneHotEncoder" in model.explain()
    enc = model.stages[1]
    assert enc.categorySizes == [5, 5]        # 4 labels + the 'keep' bucket
    row = model.transform(df).orderBy("id").collect()[6]   # cat is null -> keep bucket, dropped
    assert row.cv == SparseVector(4, [], [])


def test_schema_errors_before_work(spark, df):
    n = spark.graphs_run
    with pytest.raises(AnalysisException, match="Did you mean `cat`"):
        StringIndexer(inputCol="cta", outputCol="o").fit(df)
    with pytest.raises(IllegalArgumentException, match="stringOrderType"):
        StringIndexer(inputCol="cat", outputCol="o", stringOrderType="random").fit(df)
    with pytest.raises(ValueError, match="already exists"):
        StringIndexer(inputCol="cat", outputCol="n").fit(df)
    with pytest.raises(TypeError, match="numeric"):
        OneHotEncoder(inputCol="cat", outputCol="v").fit(df)
    with pytest.raises(IllegalArgumentException, match="outputCols"):
        StringIndexer(inputCols=["cat", "n"], outputCols=["o"]).fit(df)
    assert spark.graphs_run == n


def test_save_load_round_trip(tmp_path, df):
    p = Pipeline(stages=[
        StringIndexer(inputCols=["cat", "n"], outputCols=["ci", "ni"], handleInvalid="keep",
                      stringOrderType="alphabetDesc"),
        OneHotEncoder(inputCols=["ci", "ni"], outputCols=["cv", "nv"], dropLast=False),
        IndexToString(inputCol="ci", outputCol="back", labels=["d", "c", "b", "a", "?"])])
    model = p.fit(df)
    model.write().overwrite().save(str(tmp_path / "m"))
    loaded = PipelineModel.load(str(tmp_path / "m"))
    assert loaded.stages[0].labelsArray == model.stages[0].labelsArray
    assert loaded.stages[1].categorySizes == model.stages[1].categorySizes
    cols = ["id", "ci", "ni", "cv", "nv", "back"]
    assert loaded.transform(df).orderBy("id").select(*cols).collect() == \
        model.transform(df).orderBy("id").select(*cols).collect()
    for stage in (p.getStages()[0], p.getStages()[1]):
        stage.write().overwrite().save(str(tmp_path / stage.uid))
        assert type(stage).load(str(tmp_path / stage.uid)).extractParamMap() == \
            stage.extractParamMap()
    for root, _, files in os.walk(tmp_path):
        for f in files:
            assert not f.endswith((".pkl", ".pickle"))
