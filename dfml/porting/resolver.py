"""Deciding, for each site, whether dfml has it: asked of dfml's own modules at run time.

``pyspark.X.Y`` is looked up as ``dfml.X.Y`` (dfml mirrors PySpark's module paths); a method of a
tracked class on dfml's class of that name; an ML param among the class's ``Param`` attributes or
constructor keywords; a setting among the keys dfml's source reads. So a function removed from
dfml is reported missing the next time ``dfml check`` runs, with no list to update.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib
import importlib.util
import inspect
import os
import re
import textwrap
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from .scanner import Site
from .spark_api import short

DIFFERENCES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "differences.toml")

# Where dfml keeps the classes PySpark exposes under other paths.
DFML_CLASSES = {
    "SparkSession": ("dfml.sql.session", "SparkSession"),
    "Builder": ("dfml.sql.session", "Builder"),
    "DataFrame": ("dfml.sql", "DataFrame"),
    "Column": ("dfml.sql", "Column"),
    "GroupedData": ("dfml.sql", "GroupedData"),
    "DataFrameReader": ("dfml.sql.readwriter", "DataFrameReader"),
    "DataFrameWriter": ("dfml.sql.readwriter", "DataFrameWriter"),
    "DataFrameNaFunctions": ("dfml.sql.na", "DataFrameNaFunctions"),
    "DataFrameStatFunctions": ("dfml.sql.stats", "DataFrameStatFunctions"),
    "RuntimeConfig": ("dfml.sql.session", "RuntimeConfig"),
    "Window": ("dfml.sql.window", "Window"),
    "WindowSpec": ("dfml.sql.window", "WindowSpec"),
    "SparkContext": ("dfml.sql.context", "SparkContext"),
    "SparkConf": ("dfml.sql.context", "SparkConf"),
    "UDFRegistration": ("dfml.sql.udf", "UDFRegistration"),
    "Catalog": ("dfml.sql.sqlparse.catalog", "Catalog"),
    "RDD": ("dfml.sql.rdd", "RDD"),
}

SUPPORTED, DIFFERENCE, MISSING = "supported", "difference", "missing"


@dataclass(frozen=True)
class Verdict:
    status: str             # supported | difference | missing
    note: str | None = None  # the documented difference, or why it is missing


def dfml_path(qualname: str) -> str:
    return "dfml" + qualname[len("pyspark"):] if qualname.startswith("pyspark") else qualname


@lru_cache(maxsize=None)
def is_module(qualname: str) -> bool:
    """Whether ``qualname`` (PySpark's path) names a module, judged by dfml's mirror of it."""
    name = dfml_path(qualname)
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def lookup(qualname: str):
    """dfml's object for PySpark's ``qualname``, or None: the longest importable module prefix,
    then attributes."""
    parts = dfml_path(qualname).split(".")
    for i in range(len(parts), 0, -1):
        if i < len(parts) and not is_module(".".join(parts[:i])):
            continue
        obj = _import(".".join(parts[:i]))
        if obj is None:
            continue
        for attr in parts[i:]:
            try:
                obj = getattr(obj, attr)
            except AttributeError:  # a lazy module __getattr__ may raise it, never others
                return None
        return obj
    return None


def dfml_class(owner: str):
    """dfml's class for a tracked class (short name) or a PySpark class path."""
    if owner in DFML_CLASSES:
        module, name = DFML_CLASSES[owner]
        return getattr(_import(module), name, None)
    found = lookup(owner)
    if found is None and short(owner) in DFML_CLASSES:
        return dfml_class(short(owner))
    return found


@lru_cache(maxsize=None)
def instance_attributes(cls) -> frozenset[str]:
    """Attributes that dfml's classes set on ``self`` in their methods (``self.conf = ...``):
    present on every instance, though not on the class ``hasattr`` sees."""
    names: set[str] = set()
    for klass in getattr(cls, "__mro__", ()):
        if not (getattr(klass, "__module__", "") or "").startswith("dfml."):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name) and node.value.id == "self":
                names.add(node.attr)
    return frozenset(names)


def has_member(cls, name: str) -> bool:
    return hasattr(cls, name) or name in instance_attributes(cls)


def has_param(cls, name: str) -> bool:
    """Whether dfml's ML class ``cls`` takes ``name`` as a param (a Param, or a keyword)."""
    if type(getattr(cls, name, None)).__name__ == "Param":
        return True
    try:
        return name in inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return False


_KEY = re.compile(r"^(spark|dfml)\.[A-Za-z0-9_.]+$")


@lru_cache(maxsize=1)
def known_settings() -> frozenset[str]:
    """Every ``spark.*``/``dfml.*`` key that appears as a string in dfml's source (a key ending in
    ``.`` is a prefix, such as ``spark.executorEnv.``): the settings dfml reads."""
    import dfml
    root = os.path.dirname(os.path.abspath(dfml.__file__))
    keys = set()
    for folder, _, files in os.walk(root):
        for f in files:
            if f.endswith(".py"):
                with open(os.path.join(folder, f), encoding="utf-8") as fh:
                    tree = ast.parse(fh.read())
                keys.update(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                            and isinstance(n.value, str) and _KEY.match(n.value))
    return frozenset(keys)


def setting_known(key: str) -> bool:
    keys = known_settings()
    return key in keys or any(k.endswith(".") and key.startswith(k) for k in keys)


@dataclass(frozen=True)
class Difference:
    patterns: tuple[str, ...]
    text: str
    status: str  # difference, or missing for names dfml has but that do not work as in Spark


def load_differences(path: str = DIFFERENCES_FILE) -> list[Difference]:
    """The known differences (``[[difference]]`` tables with ``api`` patterns and ``text``)."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out = []
    for i, entry in enumerate(data.get("difference", []), start=1):
        if not entry.get("api") or not entry.get("text"):
            raise ValueError(f"{path}: difference #{i} needs 'api' and 'text'")
        status = entry.get("status", DIFFERENCE)
        if status not in (DIFFERENCE, MISSING):
            raise ValueError(f"{path}: difference #{i}: status {status!r} is not "
                             f"'difference' or 'missing'")
        apis = entry["api"]
        out.append(Difference(tuple([apis] if isinstance(apis, str) else apis),
                              " ".join(entry["text"].split()), status))
    return out


class Resolver:
    """Classifies sites against the dfml that is imported, with the known differences."""

    def __init__(self, differences: list[Difference] | None = None):
        self.differences = load_differences() if differences is None else differences

    def exists(self, target: tuple) -> tuple[bool, str | None]:
        kind = target[0]
        if kind == "module":
            ok = is_module(target[1])
            return ok, None if ok else f"dfml has no module {dfml_path(target[1])}"
        if kind == "name":
            ok = lookup(target[1]) is not None
            return ok, None if ok else f"dfml has no {dfml_path(target[1])}"
        if kind == "member":
            cls = dfml_class(target[1])
            if cls is None:
                return False, f"dfml has no {short(target[1])}"
            ok = has_member(cls, target[2])
            return ok, None if ok else f"dfml's {short(target[1])} has no {target[2]}"
        if kind == "param":
            cls = lookup(target[1])
            if cls is None:
                return False, f"dfml has no {short(target[1])}"
            ok = has_param(cls, target[2])
            return ok, None if ok else f"dfml's {short(target[1])} has no param {target[2]}"
        if kind == "conf":
            ok = setting_known(target[1])
            return ok, None if ok else "dfml does not read this setting (it is accepted and ignored)"
        if kind == "flag":
            from ..cli import submit_flags
            ok = target[1] in submit_flags()
            return ok, None if ok else f"dfml submit has no {target[1]} flag"
        if kind == "master":
            from ..cluster.config import MasterURLError, parse_master
            try:
                parse_master(target[1])
            except MasterURLError as e:
                return False, str(e)
            return True, None
        raise ValueError(f"unknown site target {target!r}")

    def classify(self, site: Site) -> Verdict:
        ok, why = self.exists(site.target)
        for d in self.differences:
            if any(fnmatch.fnmatchcase(site.api, p) for p in d.patterns):
                # A setting dfml does not read is a documented difference when listed (its
                # text says what dfml does instead); any other missing name stays missing.
                if ok or (site.kind == "conf" and d.status == DIFFERENCE):
                    return Verdict(d.status, d.text)
        return Verdict(SUPPORTED) if ok else Verdict(MISSING, why)
