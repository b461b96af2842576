"""Saved stages: Spark's layout, no pickle, atomic writes, and loud failures on bad files."""

import json
import os
import pickle

import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import StandardScaler, StandardScalerModel, VectorAssembler
from dfml.ml.util import ModelLoadError


@pytest.fixture
def fitted(spark):
    df = spark.createDataFrame([(1.0, 2.0), (3.0, 5.0), (4.0, 1.0)], ["a", "b"])
    model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="raw"),
                             StandardScaler(inputCol="raw", outputCol="f", withMean=True)]).fit(df)
    return df, model


def _files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def test_layout_and_round_trip(fitted, tmp_path):
    df, model = fitted
    path = str(tmp_path / "m")
    model.write().save(path)
    files = _files(path)
    assert files[0] == "metadata/part-00000"
    va, ss = model.stages
    assert f"stages/00_{va.uid}/metadata/part-00000" in files
    assert f"stages/01_{ss.uid}/data/part-00000.parquet" in files
    meta = json.loads(open(os.path.join(path, "metadata/part-00000")).read())
    assert meta["class"] == "dfml.ml.pipeline.PipelineModel" and meta["uid"] == model.uid
    loaded = PipelineModel.load(path)
    assert [s.uid for s in loaded.stages] == [va.uid, ss.uid]
    assert loaded.stages[1].getWithMean() is True and loaded.stages[1].isSet("withMean")
    assert loaded.transform(df).collect() == model.transform(df).collect()


def test_no_pickle_anywhere(fitted, tmp_path):
    _, model = fitted
    path = str(tmp_path / "m")
    model.save(path)
    for rel in _files(path):
        data = open(os.path.join(path, rel), "rb").read()
        assert not data.startswith(b"\x80"), rel  # pickle protocol 2+ header
        with pytest.raises(Exception):
            pickle.loads(data)


def test_existing_path_needs_overwrite(fitted, tmp_path):
    _, model = fitted
    path = str(tmp_path / "m")
    model.save(path)
    with pytest.raises(FileExistsError, match="PATH_ALREADY_EXISTS"):
        model.save(path)
    model.write().overwrite().save(path)
    assert PipelineModel.load(path).uid == model.uid


def test_modified_class_name_is_refused(fitted, tmp_path):
    _, model = fitted
    path = str(tmp_path / "m")
    model.save(path)
    stage_dir = os.path.join(path, "stages", f"01_{model.stages[1].uid}")
    meta_file = os.path.join(stage_dir, "metadata/part-00000")
    meta = json.loads(open(meta_file).read())
    meta["class"] = "os.system"
    open(meta_file, "w").write(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="'os.system', which is not a dfml pipeline stage"):
        PipelineModel.load(path)


def test_truncated_data_is_refused(fitted, tmp_path):
    _, model = fitted
    path = str(tmp_path / "m")
    model.save(path)
    data = os.path.join(path, "stages", f"01_{model.stages[1].uid}", "data/part-00000.parquet")
    blob = open(data, "rb").read()
    open(data, "wb").write(blob[: len(blob) // 2])
    with pytest.raises(ModelLoadError, match="checksum"):
        PipelineModel.load(path)


def test_wrong_class_and_missing_path(fitted, tmp_path):
    _, model = fitted
    path = str(tmp_path / "m")
    model.save(path)
    with pytest.raises(ModelLoadError, match="not a dfml.ml.feature.scalers.StandardScalerModel"):
        StandardScalerModel.load(path)
    with pytest.raises(ModelLoadError, match="no saved dfml stage"):
        PipelineModel.load(str(tmp_path / "nothing"))


def test_failed_write_leaves_nothing(fitted, tmp_path, monkeypatch):
    _, model = fitted
    path = tmp_path / "m"

    def boom(self):
        raise RuntimeError("disk full")
    monkeypatch.setattr(StandardScalerModel, "_save_data", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(str(path))
    assert not path.exists()
    assert os.listdir(tmp_path) == []


def test_unfitted_pipeline_round_trip(tmp_path):
    p = Pipeline(stages=[VectorAssembler(inputCols=["a"], outputCol="v"),
                         StandardScaler(inputCol="v", outputCol="s", withStd=False)])
    p.save(str(tmp_path / "p"))
    q = Pipeline.load(str(tmp_path / "p"))
    assert q.uid == p.uid and [s.uid for s in q.getStages()] == [s.uid for s in p.getStages()]
    assert q.getStages()[1].getWithStd() is False
