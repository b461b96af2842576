"""DCT, VectorSizeHint, VectorIndexer: category maps and output on hand-made rows, a fused fit,
persistence, and errors before any work."""

import numpy as np
import pytest
from scipy.fft import dct

from dfml.ml import Pipeline
from dfml.ml.feature import (DCT, VarianceThresholdSelector, VectorAssembler, VectorIndexer,
                             VectorIndexerModel, VectorSizeHint)
from dfml.ml.feature.vector_stages import category_map
from dfml.ml.linalg import Vectors
from dfml.sql.errors import IllegalArgumentException

NAN = float("nan")


@pytest.fixture
def df(spark):
    rows = [(0, Vectors.dense([0.0, 1.0, -1.0, 7.0])), (1, Vectors.dense([2.0, 1.0, 0.0, 7.5])),
            (2, Vectors.sparse(4, [2], [3.0])), (3, Vectors.dense([-1.0, 1.0, 5.0, 8.0]))]
    return spark.createDataFrame(rows, ["id", "v"])


def _out(df, col="o"):
    return [r[col] for r in df.orderBy("id").collect()]


def test_category_map_puts_zero_first():
    assert category_map(np.array([-2.0, 0.0, 1.0, 3.0])) == {0.0: 0, -2.0: 1, 1.0: 2, 3.0: 3}
    assert category_map(np.array([1.0, 3.0])) == {1.0: 0, 3.0: 1}


def test_vector_indexer(spark, df):
    model = VectorIndexer(inputCol="v", outputCol="o", maxCategories=3).fit(df)
    assert model.categoryMaps == {0: {0.0: 0, -1.0: 1, 2.0: 2}, 1: {0.0: 0, 1.0: 1}}
    out = _out(model.transform(df))
    assert out[3].toArray().tolist() == [1.0, 1.0, 5.0, 8.0]
    assert out[2] == Vectors.sparse(4, [2], [3.0])       # implicit zeros stay zero
    meta = model.transform(df).schema["o"].metadata["ml_attr"]
    assert meta["attrs"]["nominal"] == [{"ord": False, "vals": ["-1.0", "0.0", "2.0"], "idx": 0}]
    assert meta["attrs"]["binary"] == [{"vals": ["0.0", "1.0"], "idx": 1}]


def test_vector_indexer_unseen_values(spark, df):
    model = VectorIndexer(inputCol="v", outputCol="o", maxCategories=3).fit(df)
    new = spark.createDataFrame([(0, Vectors.dense([5.0, 1.0, 0.0, 7.0])),
                                 (1, Vectors.dense([2.0, 1.0, 0.0, 7.0]))], ["id", "v"])
    with pytest.raises(Exception, match="invalid value 5.0 on feature index 0"):
        model.transform(new).collect()
    kept = _out(model.copy({model.handleInvalid: "keep"}).transform(new))
    assert kept[0].toArray().tolist() == [3.0, 1.0, 0.0, 7.0]
    assert model.copy({model.handleInvalid: "skip"}).transform(new).count() == 1


def test_dct_round_trip(spark, df):
    fwd = DCT(inputCol="v", outputCol="f").transform(df)
    back = _out(DCT(inputCol="f", outputCol="o", inverse=True).transform(fwd))
    orig = [r.v.toArray() for r in df.orderBy("id").collect()]
    assert np.allclose(np.vstack([v.toArray() for v in back]), np.vstack(orig))
    assert np.allclose(_out(fwd, "f")[0].toArray(), dct(orig[0], norm="ortho"))


def test_size_hint_lets_assembler_skip_the_first_row(spark, df):
    hinted = VectorSizeHint(inputCol="v", size=4).transform(df)
    assert hinted.schema["v"].metadata == {"ml_attr": {"num_attrs": 4}}
    out = VectorAssembler(inputCols=["v", "id"], outputCol="o").transform(hinted)
    assert out.schema["o"].metadata["ml_attr"]["num_attrs"] == 5


def test_indexer_and_selector_fit_in_one_pass(spark, df):
    model = Pipeline(stages=[VectorIndexer(inputCol="v", outputCol="o", maxCategories=3),
                             VarianceThresholdSelector(featuresCol="v", outputCol="s")]).fit(df)
    assert model.fitPasses == 1


def test_round_trip(spark, df, tmp_path):
    model = VectorIndexer(inputCol="v", outputCol="o", maxCategories=3,
                          handleInvalid="keep").fit(df)
    path = str(tmp_path / "m")
    model.write().overwrite().save(path)
    loaded = VectorIndexerModel.load(path)
    assert loaded.categoryMaps == model.categoryMaps and loaded.numFeatures == 4
    assert loaded.extractParamMap() == model.extractParamMap()
    assert _out(loaded.transform(df)) == _out(model.transform(df))
    assert repr(loaded) == f"VectorIndexerModel: uid={model.uid}, numFeatures=4, handleInvalid=keep"


@pytest.mark.parametrize("stage,match", [
    (VectorIndexer(inputCol="v", outputCol="o", maxCategories=1), "maxCategories"),
    (VectorIndexer(inputCol="v", outputCol="o", handleInvalid="drop"), "handleInvalid"),
])
def test_bad_params(spark, graphs, df, stage, match):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match=match):
        stage.fit(df)
    assert n.count == 0


def test_size_hint_errors(spark, graphs, df):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match="set size"):
        VectorSizeHint(inputCol="v").transform(df)
    with pytest.raises(IllegalArgumentException, match="handleInvalid"):
        VectorSizeHint(inputCol="v", size=4, handleInvalid="keep").transform(df)
    with pytest.raises(TypeError, match="must be a vector"):
        VectorSizeHint(inputCol="id", size=4).transform(df)
    assert n.count == 0
