"""Every dfml ML class has its Spark class's params, by name and in explainParams() order."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import dfml.ml
from dfml.ml.base import Persistable
from dfml.ml.param import Params

_SPARK_MODULES = ("pyspark.ml.feature", "pyspark.ml.classification", "pyspark.ml.regression",
                  "pyspark.ml.clustering", "pyspark.ml.tuning",
                  "pyspark.ml.evaluation", "pyspark.ml")


def _dfml_classes() -> dict[str, type]:
    for m in pkgutil.walk_packages(dfml.ml.__path__, "dfml.ml."):
        importlib.import_module(m.name)
    return {c.__name__: c for name, c in Params._registry.items()
            if name.startswith("dfml.ml.") and issubclass(c, Persistable)
            and not inspect.isabstract(c) and not c.__name__.startswith("_")
            and c.__module__ != "dfml.ml.base" and c.__name__ != "Evaluator"
            and _in_spark(c.__name__)}  # dfml-only stages (dfml.ml.sklearn) have no oracle


def _in_spark(name: str) -> bool:
    return any(hasattr(importlib.import_module(m), name) for m in _SPARK_MODULES)


def _make(cls: type) -> object:
    if cls.__name__ in ("CrossValidatorModel", "TrainValidationSplitModel"):
        return cls(None)  # a tuning model needs its best model; its params do not
    return cls(stages=[]) if cls.__name__ == "PipelineModel" else cls()


def _explained_names(obj: object) -> list[str]:
    # a param doc may continue on indented lines
    return [line.split(":", 1)[0] for line in obj.explainParams().splitlines()
            if line and not line[0].isspace()]


@pytest.mark.parametrize("name", sorted(_dfml_classes()))
def test_param_names_and_order_equal_spark(pyspark, name):
    cls = _dfml_classes()[name]
    # PySpark's OneVsRestModel cannot be built without fitted JVM models; its params are those
    # of the shared _OneVsRestParams it derives from, so that class is the oracle
    oracle = "_OneVsRestParams" if name == "OneVsRestModel" else name
    spark_cls = next(getattr(importlib.import_module(m), oracle) for m in _SPARK_MODULES
                     if hasattr(importlib.import_module(m), oracle))
    ours, theirs = _make(cls), _make(spark_cls)
    try:
        spark_names = [p.name for p in theirs.params]
    except AttributeError:  # PySpark's unfitted tree ensembles: `trees` needs a JVM model
        pytest.skip(f"PySpark cannot list an unfitted {name}'s params")
    assert [p.name for p in ours.params] == spark_names
    assert _explained_names(ours) == _explained_names(theirs)
