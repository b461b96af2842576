"""Grouping by struct columns (``groupBy(window(...))``, ``groupBy(struct(a, b))``): Arrow's
hash group-by takes no struct keys, so a struct key groups by its fields and by whether it is
null, and the struct is put back together from the grouped fields.

Arrow takes no list keys either (arrays, vectors, structs holding them): such a key groups by
its binary order key (equal values, equal keys), and each group's value is taken back from the
group's first row, found by a ``min`` over the row numbers."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .order_keys import holds_list, order_key_array

_SEP = "\x1f"


def split_struct_keys(table: pa.Table, keys: list[str]) -> tuple[pa.Table, list[str], list[Any]]:
    """``table`` with each struct key replaced by its fields and a validity column; the flat
    key names; what ``join_struct_keys`` needs to rebuild the structs."""
    flat: list[str] = []
    rebuild: list[Any] = []
    for k in keys:
        t = table.schema.field(k).type
        if holds_list(t):
            col = table.column(k)
            key, row = f"{k}{_SEP}key", f"{k}{_SEP}row"
            table = table.append_column(key, order_key_array(col))
            table = table.append_column(row, pa.array(range(table.num_rows), pa.int64()))
            flat.append(key)
            rebuild.append((k, t, None, (col.combine_chunks(), row)))
            continue
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


def row_aggregates(rebuild: list[Any]) -> list[tuple[str, str]]:
    """The aggregations ``join_struct_keys`` needs besides the caller's own."""
    return [(valid[1], "min") for _, _, names, valid in rebuild if names is None]


def join_struct_keys(result: pa.Table, rebuild: list[Any]) -> dict[str, Any]:
    """The struct key columns of a grouped ``result``, by key name."""
    out = {}
    for k, t, names, valid in rebuild:
        if names is None:  # a key holding lists: its value from the group's first row
            col, row = valid
            out[k] = col.take(result.column(f"{row}_min").combine_chunks())  # Arrow's name
            continue
        fields = [result.column(n).combine_chunks() for n in names]
        mask = pc.invert(result.column(valid).combine_chunks())
        out[k] = pa.StructArray.from_arrays(fields, fields=list(t), mask=mask)
    return out
