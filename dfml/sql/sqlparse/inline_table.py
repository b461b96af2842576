"""``VALUES (...), (...)`` as one relation: each column typed by Spark's rule for inline tables
(the wider type of its cells, without promoting to string), every cell cast to it, and only then
the rows unioned, so rows of different literal types (``-0.5`` is decimal(1,1), ``100.5``
decimal(4,1), ``NULL`` void, ``ARRAY()`` array<void>) meet in one type instead of failing."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .. import types as T
from ..coercion import is_numeric, wider_numeric
from ..column import Column, Expr
from ..errors import AnalysisException
from ..typed import Ctx, Typed


class _Typed(Expr):
    """``child`` under the column's inline-table type and nullability: the union of the rows
    keeps top-level types but not nested flags (a struct field's "not null"), which Spark's
    inline table states from its cells."""

    def __init__(self, child: Expr, dtype: T.DataType, nullable: bool):
        self.children = (child,)
        self.dtype = dtype
        self.nullable = nullable

    def sql(self) -> str:
        return self.children[0].sql()

    def output_name(self) -> str:
        return self.children[0].output_name()

    def compile(self, ctx: Ctx) -> Typed:
        return Typed(self.children[0].compile(ctx).value, self.dtype, self.nullable)


class _NoWider(Exception):
    """Two cell types with no common type (caught to raise Spark's inline-table error)."""


def wider_cell_type(a: T.DataType, b: T.DataType) -> T.DataType:
    """Spark's wider type of two inline-table cells: numeric widening, date with timestamp,
    nested types element by element; strings never absorb other types."""
    if isinstance(a, T.NullType):
        return b
    if isinstance(b, T.NullType) or a == b:
        return a
    if is_numeric(a) and is_numeric(b):
        return wider_numeric(a, b)
    if {type(a), type(b)} <= {T.DateType, T.TimestampType}:
        return T.TimestampType()
    if isinstance(a, T.ArrayType) and isinstance(b, T.ArrayType):
        return T.ArrayType(wider_cell_type(a.elementType, b.elementType),
                           a.containsNull or b.containsNull)
    if isinstance(a, T.MapType) and isinstance(b, T.MapType):
        return T.MapType(wider_cell_type(a.keyType, b.keyType),
                         wider_cell_type(a.valueType, b.valueType),
                         a.valueContainsNull or b.valueContainsNull)
    if isinstance(a, T.StructType) and isinstance(b, T.StructType) and \
            [n.lower() for n in a.names] == [n.lower() for n in b.names]:
        return T.StructType([T.StructField(x.name, wider_cell_type(x.dataType, y.dataType),
                                           x.nullable or y.nullable)
                             for x, y in zip(a.fields, b.fields)])
    if type(a) is type(b) and a.simpleString() == b.simpleString():
        return a  # same type, nullability flags apart
    raise _NoWider()


def _is_empty_map(node: exp.Expression) -> bool:
    """``MAP()``: dfml builds it as map<string,string> (Arrow has no map with null keys), but
    as a cell it must widen to any map type, as Spark's map<void,void> does."""
    if isinstance(node, exp.Anonymous):  # dfml's parser leaves a bare MAP() anonymous
        return node.name.lower() == "map" and not node.expressions
    if not isinstance(node, exp.VarMap):
        return False
    keys = node.args.get("keys")
    return keys is None or not keys.expressions


def values_relation(session: Any, tr: Any, node: exp.Values) -> Any:
    """The DataFrame of a VALUES list: columns col1, col2... of each column's wider type."""
    from .. import functions as F
    rows = [row.expressions if isinstance(row, exp.Tuple) else [row] for row in node.expressions]
    width = len(rows[0])
    for r in rows:
        if len(r) != width:
            raise AnalysisException(
                f"[INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH] Invalid inline table. Inline table "
                f"expected {width} columns but found {len(r)} columns in row "
                f"{rows.index(r)}.", "INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH")
    names = [f"col{i + 1}" for i in range(width)]
    one = session.range(1)
    frames = [one.select(*[tr.column(c).alias(n) for c, n in zip(r, names)]) for r in rows]
    targets: list[T.DataType] = []
    nullable = [any(f.schema.fields[i].nullable for f in frames) for i in range(width)]
    for i, name in enumerate(names):
        cell_types = [T.MapType(T.NullType(), T.NullType(), False) if _is_empty_map(r[i])
                      else f.schema.fields[i].dataType for r, f in zip(rows, frames)]
        out: T.DataType = T.NullType()
        try:
            for t in cell_types:
                out = wider_cell_type(out, t)
        except _NoWider:
            raise AnalysisException(
                f"[INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE] Invalid inline table. "
                f"Found incompatible types in the column `{name}` for inline table.",
                "INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE") from None
        targets.append(out)
    result = None
    for f in frames:
        cast = [F.col(n) if f.schema.fields[i].dataType == targets[i] or
                isinstance(targets[i], T.NullType) else F.col(n).cast(targets[i]).alias(n)
                for i, n in enumerate(names)]
        f = f.select(*cast)
        result = f if result is None else result.union(f)
    return result.select(*[Column(_Typed(F.col(n)._expr, t, null)).alias(n)
                           for n, t, null in zip(names, targets, nullable)])
