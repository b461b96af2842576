"""Grouping by struct columns (``groupBy(window(...))``, ``groupBy(struct(a, b))``): Arrow's
hash group-by takes no struct keys, so a struct key groups by its fields and by whether it is
null, and the struct is put back together from the grouped fields."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

_SEP = "\x1f"


def split_struct_keys(table: pa.Table, keys: list[str]) -> tuple[pa.Table, list[str], list[Any]]:
    """``table`` with each struct key replaced by its fields and a validity column; the flat
    key names; what ``join_struct_keys`` needs to rebuild the structs."""
    flat: list[str] = []
    rebuild: list[Any] = []
    for k in keys:
        t = table.schema.field(k).type
        if not pa.types.is_struct(t):
            flat.append(k)
            continue
        col = table.column(k)
        names = [f"{k}{_SEP}{i}" for i in range(t.num_fields)]
        for i, n in enumerate(names):
            table = table.append_column(n, pc.struct_field(col, [i]))
        valid = f"{k}{_SEP}valid"
        table = table.append_column(valid, pc.is_valid(col)).drop_columns([k])
        flat += names + [valid]
        rebuild.append((k, t, names, valid))
    return table, flat, rebuild


def join_struct_keys(result: pa.Table, rebuild: list[Any]) -> dict[str, Any]:
    """The struct key columns of a grouped ``result``, by key name."""
    out = {}
    for k, t, names, valid in rebuild:
        fields = [result.column(n).combine_chunks() for n in names]
        mask = pc.invert(result.column(valid).combine_chunks())
        out[k] = pa.StructArray.from_arrays(fields, fields=list(t), mask=mask)
    return out
