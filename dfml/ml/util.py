"""Saving and loading stages in Spark's directory layout, with no pickle and no code loading.

A saved stage is a directory: ``metadata/part-00000`` (one JSON line: class, uid, timestamp,
paramMap, defaultParamMap, version, plus a checksum of every data file) and, for fitted state,
``data/part-00000.parquet``; a pipeline adds ``stages/NN_uid/`` per stage. Loading looks the
class name up in dfml's own registry of stage classes (a name that is not a dfml stage is
refused; nothing is imported from the file), and checks each data file against its checksum,
so a tampered or truncated model fails with ``ModelLoadError`` instead of loading garbage.
Writes go to a temporary sibling directory that is renamed into place at the end.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import time
import uuid
from typing import Any

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from .param import Params

__all__ = ["MLWriter", "MLReader", "ModelLoadError", "save_stage", "load_stage", "param_json",
           "param_from_json"]


class ModelLoadError(Exception):
    """A saved stage that cannot be loaded: missing, tampered with, truncated, or not dfml's."""


def _protocols(fs: Any) -> tuple[str, ...]:
    p = fs.protocol
    return (p,) if isinstance(p, str) else tuple(p)


def _fs(path: str) -> tuple[Any, str]:
    fs, root = fsspec.core.url_to_fs(path)
    return fs, root.rstrip("/")


def param_json(v: Any) -> Any:
    from .linalg import Matrix, Vector
    if isinstance(v, Vector):
        return Vector.__UDT__.serialize(v)
    if isinstance(v, Matrix):  # Spark's JSON form of a dense matrix param
        a = np.asarray(v.toArray(), dtype=np.float64)
        return {"type": 1, "numRows": a.shape[0], "numCols": a.shape[1],
                "values": a.reshape(-1, order="F").tolist(), "isTransposed": False}
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return repr(v)  # "nan"/"inf": JSON has no literal for them
    if isinstance(v, (list, tuple)):
        return [param_json(x) for x in v]
    return v


def param_from_json(v: Any) -> Any:
    if v in ("nan", "inf", "-inf"):
        return float(v)
    if isinstance(v, list):
        return [param_from_json(x) for x in v]
    return v


def _param_value(stage: Params, name: str, v: Any) -> Any:
    """A saved param's value; a string param keeps "nan" as text (ALS's coldStartStrategy)."""
    from .param import TypeConverters
    if isinstance(v, str) and stage.hasParam(name) and \
            stage.getParam(name).typeConverter is TypeConverters.toString:
        return v
    return param_from_json(v)


def _metadata(stage: Params, extra: dict | None) -> dict:
    cls = type(stage)
    # a pipeline's stages are saved as directories, listed in stageUids; a stage's other
    # object-valued params (a validator's estimator and evaluator) are saved by its _save_parts
    skip = {"stages", *stage._saved_elsewhere}
    return {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "timestamp": int(time.time() * 1000),
        "sparkVersion": f"dfml-{__version__}",
        "uid": stage.uid,
        "paramMap": {p.name: param_json(v) for p, v in stage._paramMap.items()
                     if p.name not in skip},
        "defaultParamMap": {p.name: param_json(v) for p, v in stage._defaultParamMap.items()
                            if p.name not in skip},
        **(extra or {}),
    }


def _write_stage(stage: Any, fs: Any, root: str) -> None:
    from .pipeline import Pipeline, PipelineModel
    checksums = {}
    extra: dict[str, Any] = {}
    if isinstance(stage, (Pipeline, PipelineModel)):
        stages = stage.getStages() if isinstance(stage, Pipeline) else stage.stages
        width = max(2, len(str(len(stages) - 1)))
        extra["stageUids"] = [s.uid for s in stages]
        for i, s in enumerate(stages):
            _write_stage(s, fs, f"{root}/stages/{i:0{width}d}_{s.uid}")
    json_params = stage._save_parts(lambda child, rel: _write_stage(child, fs, f"{root}/{rel}"))
    tables = {"data": stage._save_data(), **stage._save_tables()}
    for name, table in tables.items():
        if table is None:
            continue
        buf = io.BytesIO()
        pq.write_table(table, buf)
        data = buf.getvalue()
        fs.makedirs(f"{root}/{name}", exist_ok=True)
        with fs.open(f"{root}/{name}/part-00000.parquet", "wb") as f:
            f.write(data)
        checksums[f"{name}/part-00000.parquet"] = hashlib.sha256(data).hexdigest()
    extra.update(stage._save_extra_metadata())
    meta = _metadata(stage, extra)
    meta["paramMap"].update(json_params)
    meta["checksums"] = checksums
    fs.makedirs(f"{root}/metadata", exist_ok=True)
    with fs.open(f"{root}/metadata/part-00000", "wb") as f:
        f.write((json.dumps(meta, sort_keys=True) + "\n").encode())


def save_stage(stage: Any, path: str, overwrite: bool = False) -> None:
    """Write ``stage`` to ``path`` atomically (temporary directory, then rename)."""
    fs, root = _fs(path)
    if fs.exists(root):
        if not overwrite:
            raise FileExistsError(f"[PATH_ALREADY_EXISTS] {path} already exists; use "
                                  f"write().overwrite().save(path) to replace it")
    from ..sql.io.locking import commit_lock, rename_new, replace_dir
    parent = root.rsplit("/", 1)[0] if "/" in root else "."
    job = uuid.uuid4().hex[:8]
    tmp = f"{parent}/.{root.rsplit('/', 1)[-1]}.tmp-{job}"
    try:
        _write_stage(stage, fs, tmp)
        # as a DataFrame write: under the path's commit lock, the old model moved aside (and
        # back if the rename fails), so a failed save never loses the model already there
        with commit_lock(fs, root):
            if not fs.exists(root):
                rename_new(fs, tmp, root)
            elif overwrite:
                replace_dir(fs, tmp, root, job)
            else:
                raise FileExistsError(f"[PATH_ALREADY_EXISTS] {path} already exists (saved by "
                                      f"another writer meanwhile)")
    finally:
        if fs.exists(tmp):
            fs.rm(tmp, recursive=True)


def _spark_part(fs: Any, folder: str, suffix: str) -> list[str]:
    """The ``part-*`` files Spark's writers leave in ``folder`` (their names carry a job uuid)."""
    if not fs.exists(folder):
        return []
    return sorted(p for p in fs.ls(folder, detail=False)
                  if p.rsplit("/", 1)[-1].startswith("part-") and p.endswith(suffix))


def _read_metadata(fs: Any, root: str, path: str) -> dict:
    meta_path = f"{root}/metadata/part-00000"
    if not fs.exists(meta_path):
        spark_parts = _spark_part(fs, f"{root}/metadata", ".txt")
        if len(spark_parts) != 1:
            raise ModelLoadError(f"{path}: no saved dfml stage here ({meta_path} is missing)")
        meta_path = spark_parts[0]  # written by Spark itself
    try:
        with fs.open(meta_path, "rb") as f:
            meta = json.loads(f.read().decode())
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelLoadError(f"{path}: metadata is not valid JSON ({e})") from None
    for key in ("class", "uid", "paramMap", "defaultParamMap"):
        if key not in meta:
            raise ModelLoadError(f"{path}: metadata has no {key!r}")
    return meta


# Every module that defines a saved class (stage, model, evaluator). Loading imports them all
# before it looks a class name up, so what loads never depends on what the process happened to
# import first (a scoring job that only imports PipelineModel must load any pipeline). Only these
# dfml modules are ever imported; the class name in a file selects among their classes, it never
# names code to import. tests/ml/test_model_loading.py checks the list covers every saved class.
STAGE_MODULES = (
    "dfml.ml.pipeline",
    "dfml.ml.classification",
    "dfml.ml.classification_nb",
    "dfml.ml.regression",
    "dfml.ml.clustering",
    "dfml.ml.fpm",
    "dfml.ml.recommendation",
    "dfml.ml.evaluation",
    "dfml.ml.feature",
    "dfml.ml.tuning",
    "dfml.ml.sklearn",
)


# dfml packages outside dfml.ml that define saved stages; each is imported only when a file names
# one of its classes (dfml.xgboost imports xgboost itself, which most loads do not need)
STAGE_PACKAGES = ("dfml.xgboost",)


SPARK_PREFIX = "org.apache.spark.ml."


def _saved_class_name(cls_name: str) -> bool:
    return cls_name.startswith(("dfml.ml.", SPARK_PREFIX) + tuple(p + "." for p in STAGE_PACKAGES))


def stage_class(cls_name: str) -> type | None:
    """The dfml class a saved stage's metadata names, or None if dfml has no such class. A
    Spark class name (``org.apache.spark.ml.fpm.FPGrowthModel``) maps to the dfml class of the
    same module path, only if that class declares ``_reads_spark_layout`` (its data is the same
    table Spark writes)."""
    import importlib
    for module in STAGE_MODULES:
        importlib.import_module(module)
    if cls_name.startswith(SPARK_PREFIX):
        cls = Params._registry.get("dfml.ml." + cls_name[len(SPARK_PREFIX):])
        return cls if getattr(cls, "_reads_spark_layout", False) else None
    for package in STAGE_PACKAGES:
        if cls_name.startswith(package + "."):
            importlib.import_module(package)
    return Params._registry.get(cls_name)


def _inside(fs: Any, root: str, target: str, top: str | None, path: str) -> None:
    """Refuse a part of a saved model that resolves outside the model's own directory (a
    symlinked stage or data file): loading must read only what the directory holds."""
    if top is None or "file" not in _protocols(fs):
        return
    import os
    real = os.path.realpath(target)
    if real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
        raise ModelLoadError(f"{path}: {target[len(root):].lstrip('/') or target} resolves to "
                             f"{real}, outside the model directory; refusing to load it")


def _read_table(fs: Any, root: str, rel: str, checksums: dict, top: str | None,
                path: str) -> pa.Table:
    """The parquet file ``rel`` of a saved stage, checked against its metadata checksum."""
    data_path = f"{root}/{rel}"
    _inside(fs, root, data_path, top, path)
    try:
        with fs.open(data_path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise ModelLoadError(f"{path}: data file {data_path} is missing") from None
    want = checksums.get(rel)
    if want is None or hashlib.sha256(data).hexdigest() != want:
        raise ModelLoadError(f"{path}: data file {data_path} does not match the checksum in "
                             f"the metadata (truncated or modified)")
    try:
        # One small row: read it on this thread, without pre-buffering. With pyarrow 26 a
        # threaded read leaves a cached future holding our Python bytes; an I/O thread
        # frees it during interpreter shutdown and the process aborts ("terminate called
        # without an active exception"), in about one fresh process in four.
        return pq.read_table(pa.BufferReader(data), use_threads=False, pre_buffer=False)
    except (pa.ArrowInvalid, OSError) as e:
        raise ModelLoadError(f"{path}: data file {data_path} is not readable parquet: {e}") from None


def _load(fs: Any, root: str, path: str, expected: type | None, top: str | None = None) -> Any:
    if top is None and "file" in _protocols(fs):
        import os
        top = os.path.realpath(root)
    _inside(fs, root, root, top, path)
    _inside(fs, root, f"{root}/metadata/part-00000", top, path)
    meta = _read_metadata(fs, root, path)
    cls_name = meta["class"]
    cls = stage_class(cls_name) if isinstance(cls_name, str) else None
    from .base import Persistable  # pipeline stages and evaluators
    if cls is None or not _saved_class_name(cls_name) or not issubclass(cls, Persistable):
        raise ModelLoadError(f"{path}: metadata names class {cls_name!r}, which is not a dfml "
                             f"pipeline stage or evaluator; refusing to load it")
    if expected is not None and not issubclass(cls, expected):
        raise ModelLoadError(f"{path}: holds a {cls_name}, not a {expected.__module__}."
                             f"{expected.__qualname__}")
    stage = cls.__new__(cls)
    Params.__init__(stage)
    stage._resetUid(meta["uid"])
    try:
        for name, v in meta["defaultParamMap"].items():
            if stage.hasParam(name):
                stage._setDefault(**{name: _param_value(stage, name, v)})
        for name, v in meta["paramMap"].items():
            if name in stage._saved_elsewhere:
                continue
            stage._set(**{name: _param_value(stage, name, v)})
    except (TypeError, AttributeError) as e:
        raise ModelLoadError(f"{path}: bad param in metadata: {e}") from None
    stage._init_loaded()
    checksums = meta.get("checksums", {})
    rel = "data/part-00000.parquet"
    if cls_name.startswith(SPARK_PREFIX):
        stage._load_data(_read_spark_data(fs, root, path, top))
    elif rel in checksums or fs.exists(f"{root}/{rel}"):
        stage._load_data(_read_table(fs, root, rel, checksums, top, path))
    if stage._table_dirs:
        stage._load_tables({name: _read_table(fs, root, f"{name}/part-00000.parquet", checksums,
                                              top, path) for name in stage._table_dirs})
    stage._load_extra_metadata(meta)
    stage._load_parts(meta, lambda rel: _load(fs, f"{root}/{rel}", f"{path}/{rel}", None, top),
                      lambda rel: fs.exists(f"{root}/{rel}"))
    if "stageUids" in meta:
        from .pipeline import Pipeline, PipelineModel
        stages = []
        listing = {p.rsplit("/", 1)[-1]: p for p in fs.ls(f"{root}/stages", detail=False)} \
            if fs.exists(f"{root}/stages") else {}
        width = max(2, len(str(len(meta["stageUids"]) - 1)))
        for i, uid in enumerate(meta["stageUids"]):
            name = f"{i:0{width}d}_{uid}"
            if name not in listing:
                raise ModelLoadError(f"{path}: stage directory stages/{name} is missing")
            stages.append(_load(fs, f"{root}/stages/{name}", f"{path}/stages/{name}", None, top))
        if isinstance(stage, Pipeline):
            stage._set(stages=stages)
        elif isinstance(stage, PipelineModel):
            stage.stages = stages
    return stage


def _read_spark_data(fs: Any, root: str, path: str, top: str | None) -> pa.Table:
    """The table Spark wrote under ``data/`` (one or more parquet parts; no checksums there)."""
    parts = _spark_part(fs, f"{root}/data", ".parquet")
    if not parts:
        raise ModelLoadError(f"{path}: no parquet part under {root}/data")
    tables = []
    for part in parts:
        _inside(fs, root, part, top, path)
        try:
            with fs.open(part, "rb") as f:
                tables.append(pq.read_table(pa.BufferReader(f.read()), use_threads=False,
                                            pre_buffer=False))
        except (pa.ArrowInvalid, OSError) as e:
            raise ModelLoadError(f"{path}: data file {part} is not readable parquet: {e}") from None
    return pa.concat_tables(tables)


def load_stage(path: str, expected: type | None = None) -> Any:
    fs, root = _fs(path)
    return _load(fs, root, path, expected)


class MLWriter:
    """``stage.write().overwrite().save(path)``."""

    def __init__(self, stage: Any):
        self.stage = stage
        self._overwrite = False
        self.optionMap: dict[str, Any] = {}

    def overwrite(self) -> "MLWriter":
        self._overwrite = True
        return self

    def option(self, key: str, value: Any) -> "MLWriter":
        """Keep a writer option (keys are case-insensitive, as Spark's); stages that take one
        (a tuning model's ``persistSubModels``) read ``optionMap``."""
        self.optionMap[str(key).lower()] = value
        return self

    def session(self, spark: Any) -> "MLWriter":
        return self

    def save(self, path: str) -> None:
        save_stage(self.stage, path, self._overwrite)


class MLReader:
    """``Cls.read().load(path)``."""

    def __init__(self, cls: type):
        self.cls = cls

    def session(self, spark: Any) -> "MLReader":
        return self

    def load(self, path: str) -> Any:
        return load_stage(path, self.cls)
