"""``Column.withField`` and ``Column.dropFields``: a struct with one field added, replaced or
removed (at a dotted path inside nested structs), as one Arrow kernel per partition. A null
struct stays null, as in Spark."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from . import types as T
from .errors import AnalysisException
from .expressions import Expr, Func
from .kernels import per_partition
from .typed import Ctx, Typed


def _struct(t: Typed, what: str) -> T.StructType:
    if not isinstance(t.dtype, T.StructType):
        raise AnalysisException(
            f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{what}\" due to data type "
            f"mismatch: the input should be of STRUCT type, but it's "
            f"{t.dtype.simpleString().upper()}.", "DATATYPE_MISMATCH")
    return t.dtype


def _find(st: T.StructType, name: str) -> int | None:
    hits = [i for i, f in enumerate(st.fields) if f.name.lower() == name.lower()]
    return hits[-1] if hits else None


def _with_type(st: T.StructType, path: list[str], value: T.DataType | None,
               nullable: bool) -> T.StructType:
    """The struct type after setting (value given) or dropping (None) the field at ``path``."""
    i = _find(st, path[0])
    fields = list(st.fields)
    if len(path) > 1:
        if i is None or not isinstance(fields[i].dataType, T.StructType):
            if value is None:
                return st
            raise AnalysisException(f"[FIELD_NOT_FOUND] No such struct field `{path[0]}`.",
                                    "FIELD_NOT_FOUND")
        inner = _with_type(fields[i].dataType, path[1:], value, nullable)
        fields[i] = T.StructField(fields[i].name, inner, fields[i].nullable)
    elif value is None:
        fields = [f for f in fields if f.name.lower() != path[0].lower()]
    elif i is None:
        fields.append(T.StructField(path[0], value, nullable))
    else:  # replaced, under the name given (Spark matches ignoring case, keeps the new name)
        fields[i] = T.StructField(path[0], value, nullable)
    return T.StructType(fields)


def _set(arr: pa.StructArray, path: list[str], value: Any) -> pa.StructArray:
    names = [arr.type.field(j).name for j in range(arr.type.num_fields)]
    kids = [arr.field(j) for j in range(len(names))]
    low = [n.lower() for n in names]
    key = path[0].lower()
    if len(path) > 1:
        j = len(low) - 1 - low[::-1].index(key)
        kids[j] = _set(kids[j], path[1:], value)
    elif value is None:
        keep = [j for j, n in enumerate(low) if n != key]
        names, kids = [names[j] for j in keep], [kids[j] for j in keep]
    elif key in low:
        j = len(low) - 1 - low[::-1].index(key)
        kids[j], names[j] = value, path[0]
    else:
        names, kids = names + [path[0]], kids + [value]
    mask = arr.is_null() if arr.null_count else None
    return pa.StructArray.from_arrays(kids, names=names, mask=mask)


def _flat(a: Any) -> pa.Array:
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def with_field(struct: Expr, name: str, value: Expr) -> Expr:
    path = name.split(".")

    def impl(ctx: Ctx, s: Typed, v: Typed) -> Typed:
        st = _struct(s, f"update_fields({struct.sql()}, WithField({value.sql()}))")
        out = _with_type(st, path, v.dtype, v.nullable)

        def kernel(a: Any, b: Any) -> pa.Array:
            arr = _flat(a)
            val = _flat(b) if isinstance(b, (pa.Array, pa.ChunkedArray)) else \
                pa.array([b] * len(arr), T.to_arrow(v.dtype))
            return _set(arr, path, val.cast(T.to_arrow(v.dtype)))
        return Typed(per_partition(ctx, [s, v], kernel, out), out, s.nullable)
    return Func("withField", [struct, value], impl,
                sql=f"update_fields({struct.sql()}, WithField({value.sql()}))")


def drop_fields(struct: Expr, names: tuple[str, ...]) -> Expr:
    if not names:
        raise ValueError("dropFields() needs at least one field name")
    paths = [n.split(".") for n in names]

    def impl(ctx: Ctx, s: Typed) -> Typed:
        label = f"update_fields({struct.sql()}, {', '.join(f'dropfield()' for _ in names)})"
        st = _struct(s, label)
        out = st
        for p in paths:
            out = _with_type(out, p, None, True)
        if not out.fields:
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.CANNOT_DROP_ALL_FIELDS] Cannot resolve \"{label}\" due to "
                f"data type mismatch: Cannot drop all fields in struct.", "DATATYPE_MISMATCH")

        def kernel(a: Any) -> pa.Array:
            arr = _flat(a)
            for p in paths:
                arr = _set(arr, p, None)
            return arr
        return Typed(per_partition(ctx, [s], kernel, out), out, s.nullable)
    return Func("dropFields", [struct], impl,
                sql=f"update_fields({struct.sql()}, {', '.join('dropfield()' for _ in names)})")


__all__ = ["with_field", "drop_fields"]
