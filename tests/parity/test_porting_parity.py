"""``dfml check`` against PySpark itself: the API shape the scanner follows (what each method of
SparkSession, DataFrame, Column... returns) must be PySpark's, as PySpark's own annotations state
it, and every name the scanner reports in a sample script must be a real PySpark name."""

from __future__ import annotations

import importlib
import inspect
import os
import re

import pytest

from dfml.porting import spark_api as api
from dfml.porting.check import check_paths

pyspark = pytest.importorskip("pyspark")

SAMPLES = os.path.join(os.path.dirname(__file__), "..", "porting", "samples")


def spark_object(qualname: str):
    """PySpark's object at ``qualname`` (a module path, then attributes), or None."""
    parts = qualname.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def tracked(annotation) -> str | None:
    """The tracked class (short name) a PySpark return annotation names, "list" for a list of
    DataFrames, None for anything else."""
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    text = text.replace("ParentDataFrame", "DataFrame").replace("SparkSession.Builder", "Builder")
    if re.fullmatch(r"typing\.List\[ForwardRef\('DataFrame'\)\]", text):
        return "list"
    m = re.fullmatch(r"(?:typing\.)?Optional\[(?:ForwardRef\(')?(\w+)(?:'\))?\]", text)
    text = m.group(1) if m else text
    text = re.sub(r"^(?:pyspark\.core\.rdd\.)?RDD\[.*\]$", "RDD", text)
    return text if text in api.SQL_CLASSES else None


def members():
    for cls, path in api.SQL_CLASSES.items():
        klass = spark_object(path)
        assert klass is not None, path
        for name in dir(klass):
            if not name.startswith("_"):
                yield cls, klass, name


def test_tracked_classes_and_properties_exist_in_pyspark():
    for cls, path in api.SQL_CLASSES.items():
        assert isinstance(spark_object(path), type), path
    for cls, props in api.PROPERTIES.items():
        klass = spark_object(api.SQL_CLASSES[cls])
        assert [p for p in props if not hasattr(klass, p)] == [], cls


def test_return_types_agree_with_pyspark_annotations():
    wrong = []
    for cls, klass, name in members():
        raw = inspect.getattr_static(klass, name)
        is_property = isinstance(raw, property) or type(raw).__name__ == "cached_property"
        func = raw.fget if isinstance(raw, property) else getattr(raw, "func", None) \
            if is_property else getattr(klass, name)
        if not callable(func):
            continue
        try:
            annotation = inspect.signature(func).return_annotation
        except (TypeError, ValueError):
            continue
        if annotation is inspect.Signature.empty:
            continue
        want = tracked(annotation)
        if is_property:
            got = api.PROPERTIES.get(cls, {}).get(
                name, "Column" if cls in ("DataFrame", "Column") else None)
        else:
            got = "list" if (cls, name) in api.LIST_RETURNS else api.result_of(cls, name)
        if got != want:
            wrong.append(f"{cls}.{name}: scanner {got}, PySpark {annotation}")
    assert wrong == []


def test_sample_sites_are_pyspark_names():
    """Every name reported in the samples (missing ones aside) exists in PySpark."""
    unknown = []
    for f in check_paths([SAMPLES]).files:
        for site, verdict in f.sites:
            kind, *rest = site.target
            if verdict.status == "missing" or kind == "conf":
                continue
            if kind in ("module", "name"):
                ok = spark_object(rest[0]) is not None
            elif kind == "member":
                owner = api.SQL_CLASSES.get(rest[0], rest[0])
                ok = hasattr(spark_object(owner), rest[1])
            else:  # param
                ok = hasattr(spark_object(rest[0]), rest[1])
            if not ok:
                unknown.append(f"{f.path}:{site.line} {site.api}")
    assert unknown == []
