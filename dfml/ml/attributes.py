"""ML attributes: what Spark's feature stages write into column metadata, and read back.

Spark records in a column's metadata, under ``ml_attr``, what its values mean: a nominal
column's category labels (StringIndexer), a binary flag (Binarizer), a vector's slots with a
kind and a name each (VectorAssembler, OneHotEncoder). IndexToString turns indices back into
labels from it and VectorSlicer selects slots by name. dfml writes and reads the same JSON
layout, key for key, so metadata round-trips with Spark through parquet files.
"""

from __future__ import annotations

from typing import Any

from ..sql import types as T

__all__ = ["nominal", "binary", "vector_group", "sized_group", "nominal_values", "slot_attributes"]


def nominal(name: str | None, values: list[str], ordinal: bool = False) -> dict:
    attr: dict[str, Any] = {}
    if ordinal:
        attr["ord"] = True
    attr["vals"] = list(values)
    if name is not None:
        attr["name"] = name
    attr["type"] = "nominal"
    return {"ml_attr": attr}


def binary(name: str | None = None) -> dict:
    return {"ml_attr": ({"name": name} if name else {}) | {"type": "binary"}}


def vector_group(slots: list[tuple[str, dict]]) -> dict:
    """A vector column's metadata from (kind, attribute) per slot, kind one of numeric,
    binary, nominal; slot i gets ``idx`` i. Kinds are listed as Spark lists them."""
    groups: dict[str, list[dict]] = {}
    for i, (kind, attr) in enumerate(slots):
        groups.setdefault(kind, []).append({**attr, "idx": i})
    ordered = {k: groups[k] for k in ("nominal", "binary", "numeric") if k in groups}
    return {"ml_attr": {"num_attrs": len(slots), "attrs": ordered}}


def sized_group(size: int) -> dict:
    """A vector column's metadata giving only its size, as Spark's scalers and PCA write it
    (so a VectorAssembler downstream need not read a row to learn it)."""
    return {"ml_attr": {"num_attrs": int(size)}}


def nominal_values(field: T.StructField) -> list[str] | None:
    """A nominal column's labels, or None when its metadata has none."""
    attr = (field.metadata or {}).get("ml_attr") or {}
    vals = attr.get("vals")
    return [str(v) for v in vals] if attr.get("type") == "nominal" and vals is not None else None


def slot_attributes(field: T.StructField) -> list[tuple[str, dict]] | None:
    """(kind, attribute without idx) per slot of a vector column, in slot order; None when its
    metadata does not say how many slots it has."""
    attr = (field.metadata or {}).get("ml_attr") or {}
    n = attr.get("num_attrs")
    if n is None:
        return None
    slots: list[tuple[str, dict]] = [("numeric", {}) for _ in range(int(n))]
    for kind, group in (attr.get("attrs") or {}).items():
        for a in group:
            i = int(a["idx"])
            if 0 <= i < len(slots):
                slots[i] = (kind, {k: v for k, v in a.items() if k != "idx"})
    return slots


def scalar_slot(field: T.StructField) -> tuple[str, dict]:
    """How a numeric or boolean column enters a vector: its own nominal or binary attribute,
    renamed to the column, else a numeric slot named after the column."""
    attr = (field.metadata or {}).get("ml_attr") or {}
    kind = attr.get("type")
    if kind == "nominal":
        out = {k: v for k, v in attr.items() if k not in ("type", "name")}
        return "nominal", {**out, "name": field.name}
    if kind == "binary":
        return "binary", {"name": field.name}
    return "numeric", {"name": field.name}
