"""Saving and loading validators and their models in Spark's layout.

A validator's directory holds its metadata (its params; ``estimatorParamMaps`` inside the
paramMap as a list of maps, each a list of ``{"parent", "name", "value", "isJson"}`` where the
value is the JSON text of the param's value, or, for a stage-valued param, the relative
directory it was saved to), plus ``estimator/`` and ``evaluator/``. A model adds
``bestModel/``, its metrics in the metadata, and with ``persistSubModels`` each sub-model
under ``subModels/`` (``fold<i>/<j>`` for a CrossValidatorModel, ``<j>`` for a
TrainValidationSplitModel). Loading resolves each saved param by its owner's uid among the
loaded estimator's stages, so the maps point at the loaded estimator's params again.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .util import MLWriter, ModelLoadError, param_from_json, param_json

__all__ = ["save_validator_parts", "load_validator_parts", "ValidatorModelWriter",
           "cv_model_metadata", "tvs_model_metadata"]

_NO_SUB_MODELS = ("When persisting tuning models, you can only set persistSubModels to true if "
                  "the tuning was done with collectSubModels set to true. To save the "
                  "sub-models, try rerunning fitting with collectSubModels set to true.")


def _stages_by_uid(stage: Any) -> dict[str, Any]:
    """Every stage nested in ``stage`` (itself included), by uid."""
    from .pipeline import Pipeline
    out = {stage.uid: stage}
    if isinstance(stage, Pipeline):
        for s in stage.getStages():
            out.update(_stages_by_uid(s))
    return out


def _is_stage(v: Any) -> bool:
    from .base import Persistable
    return isinstance(v, Persistable)


def save_validator_parts(v: Any, save_child: Callable[[Any, str], None]) -> dict:
    """Save the estimator, the evaluator (and any stage-valued grid value); the param maps in
    their saved form, for the metadata's paramMap."""
    est, eva = v.getOrDefault("estimator"), v.getOrDefault("evaluator")
    owners = _stages_by_uid(est)
    saved_maps, n_saved = [], 0
    for m in v.getOrDefault("estimatorParamMaps"):
        entries = []
        for p, value in m.items():
            if p.parent not in owners:
                raise ValueError(f"Validator save requires all Params in estimatorParamMaps to "
                                 f"apply to its Estimator, An extraneous Param was found: "
                                 f"{p!r}")
            entry: dict[str, Any] = {"parent": p.parent, "name": p.name}
            if _is_stage(value):
                rel = f"epm_{p.name}{n_saved}"
                n_saved += 1
                save_child(value, rel)
                entry.update(value=rel, isJson=False)
            else:
                entry.update(value=json.dumps(param_json(value)), isJson=True)
            entries.append(entry)
        saved_maps.append(entries)
    save_child(eva, "evaluator")
    save_child(est, "estimator")
    model = getattr(v, "bestModel", None)
    if model is not None:
        save_child(model, "bestModel")
        if _persist_sub_models(v):
            for rel, sub in _sub_model_dirs(v):
                save_child(sub, rel)
    return {"estimatorParamMaps": saved_maps}


def _sub_model_dirs(v: Any) -> list[tuple[str, Any]]:
    from .tuning import CrossValidatorModel
    if isinstance(v, CrossValidatorModel):
        return [(f"subModels/fold{i}/{j}", m) for i, fold in enumerate(v.subModels)
                for j, m in enumerate(fold)]
    return [(f"subModels/{j}", m) for j, m in enumerate(v.subModels)]


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def load_validator_parts(v: Any, meta: dict, load_child: Callable[[str], Any],
                         exists: Callable[[str], bool]) -> None:
    """Load what ``save_validator_parts`` wrote and set it on ``v``."""
    eva, est = load_child("evaluator"), load_child("estimator")
    owners = _stages_by_uid(est)
    owners[eva.uid] = eva
    maps = []
    for entries in meta["paramMap"].get("estimatorParamMaps", []):
        m = {}
        for e in entries:
            owner = owners.get(e.get("parent"))
            if owner is None or not owner.hasParam(e.get("name", "")):
                raise ModelLoadError(f"estimatorParamMaps names param {e.get('name')!r} of "
                                     f"{e.get('parent')!r}, which the saved estimator has not")
            p = owner.getParam(e["name"])
            if "isJson" not in e or _truthy(e["isJson"]):
                value = p.typeConverter(param_from_json(json.loads(e["value"])))
            else:
                value = load_child(json.loads(e["value"]) if e["value"].startswith('"')
                                   else e["value"])
            m[p] = value
        maps.append(m)
    v._set(estimator=est, evaluator=eva, estimatorParamMaps=maps)
    if not hasattr(v, "bestModel"):
        return
    v.bestModel = load_child("bestModel")
    if _truthy(meta.get("persistSubModels", False)):
        from .tuning import CrossValidatorModel
        if isinstance(v, CrossValidatorModel):
            v.subModels = [[load_child(f"subModels/fold{i}/{j}") for j in range(len(maps))]
                           for i in range(v.getOrDefault("numFolds"))]
        else:
            v.subModels = [load_child(f"subModels/{j}") for j in range(len(maps))]


def _persist_sub_models(v: Any) -> bool:
    flag = getattr(v, "_persist_sub_models", None)
    return v.subModels is not None if flag is None else flag


def cv_model_metadata(v: Any) -> dict:
    out: dict[str, Any] = {"avgMetrics": list(v.avgMetrics),
                           "persistSubModels": _persist_sub_models(v)}
    if v.stdMetrics:
        out["stdMetrics"] = list(v.stdMetrics)
    return out


def tvs_model_metadata(v: Any) -> dict:
    return {"validationMetrics": list(v.validationMetrics),
            "persistSubModels": _persist_sub_models(v)}


class ValidatorModelWriter(MLWriter):
    """A tuning model's writer: the ``persistSubModels`` option ("true"/"false", default:
    whether sub-models were collected) decides whether ``subModels/`` is written."""

    def save(self, path: str) -> None:
        option = self.optionMap.get("persistsubmodels")
        if option is None:
            flag = self.stage.subModels is not None
        elif isinstance(option, bool) or str(option).lower() in ("true", "false"):
            flag = option if isinstance(option, bool) else str(option).lower() == "true"
        else:
            raise ValueError(f"persistSubModels option value {option} is invalid, the possible "
                             f"values are True, 'True' or False, 'False'")
        if flag and self.stage.subModels is None:
            raise ValueError(_NO_SUB_MODELS)
        self.stage._persist_sub_models = flag
        try:
            super().save(path)
        finally:
            self.stage._persist_sub_models = None
