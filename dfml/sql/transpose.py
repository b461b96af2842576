"""``DataFrame.transpose``: rows become columns, named by the index column's values.

The output's column names are data, so, as in Spark, the index values are collected when
``transpose`` is called (one action, at most ``MAX_VALUES`` + 1 rows): rows whose index is null
are dropped, the rest sorted ascending by the index (ties kept, each its own column), and each
non-index column becomes one row whose ``key`` is its name. The values share one type, the
least common type of the non-index columns (no promotion to string), as Spark requires.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import types as T
from .coercion import common_type
from .errors import AnalysisException

if TYPE_CHECKING:
    from .dataframe import DataFrame

MAX_VALUES = 500  # Spark's spark.sql.transposeMaxValues default
_INDEX = "__dfml_transpose_index"


def _values_type(fields: list[T.StructField]) -> T.DataType:
    """The least common type of the non-index columns, folded left to right; the first pair
    that has none is named in the error, as Spark names it."""
    out: T.DataType = T.NullType()
    for f in fields:
        try:
            out = common_type([out, f.dataType], "transpose")
        except AnalysisException:
            raise AnalysisException(
                f"[TRANSPOSE_NO_LEAST_COMMON_TYPE] Transpose requires non-index columns to share "
                f"a least common type, but \"{out.simpleString().upper()}\" and "
                f"\"{f.dataType.simpleString().upper()}\" do not. SQLSTATE: 42K09",
                "TRANSPOSE_NO_LEAST_COMMON_TYPE") from None
    return out


def transpose(df: "DataFrame", indexColumn: Any = None) -> "DataFrame":
    from . import functions as F
    from .column import Column
    if indexColumn is None:
        if not df.columns:
            raise AnalysisException("[TRANSPOSE_INVALID_INDEX_COLUMN] Invalid index column for "
                                    "TRANSPOSE because: the DataFrame has no columns. SQLSTATE: 42804",
                                    "TRANSPOSE_INVALID_INDEX_COLUMN")
        index = df[df.columns[0]]
    elif isinstance(indexColumn, (str, Column)):
        index = df[indexColumn] if isinstance(indexColumn, str) else indexColumn
    else:
        raise TypeError(f"transpose(): indexColumn must be a Column or a str, got "
                        f"{type(indexColumn).__name__}")
    indexed = df.select(index.alias(_INDEX), *[df[i] for i in range(len(df.columns))])
    index_field = indexed.schema.fields[0]
    if isinstance(index_field.dataType, (T.ArrayType, T.MapType, T.StructType)):
        raise AnalysisException(
            f"[TRANSPOSE_INVALID_INDEX_COLUMN] Invalid index column for TRANSPOSE because: Index "
            f"column must be of atomic type, but found: {index_field.dataType.simpleString().upper()}"
            f". SQLSTATE: 42804", "TRANSPOSE_INVALID_INDEX_COLUMN")
    index_name = _index_name(df, index)
    value_fields = [f for f in df.schema.fields if f.name != index_name]
    vtype = _values_type(value_fields)
    rows = (indexed.filter(F.col(_INDEX).isNotNull()).orderBy(F.col(_INDEX))
            .select(F.col(_INDEX).cast("string"),
                    *[_ref(f.name).cast(vtype) if not isinstance(vtype, T.NullType) else _ref(f.name)
                      for f in value_fields])
            .limit(MAX_VALUES + 1).collect())
    if len(rows) > MAX_VALUES:
        raise AnalysisException(
            f"[TRANSPOSE_EXCEED_ROW_LIMIT] Number of rows exceeds the allowed limit of {MAX_VALUES}"
            f" for TRANSPOSE. If this was intended, set spark.sql.transposeMaxValues to at least "
            f"the current row count. SQLSTATE: 54006", "TRANSPOSE_EXCEED_ROW_LIMIT")
    # unique stand-in names first (index values may repeat), Spark's names by a final select
    stand_ins = [f"c{i}" for i in range(len(rows))]
    schema = T.StructType([T.StructField("key", T.StringType(), False)]
                          + [T.StructField(n, vtype, True) for n in stand_ins])
    data = [(f.name, *[r[j + 1] for r in rows]) for j, f in enumerate(value_fields)]
    local = df.sparkSession.createDataFrame(data, schema)
    return local.select("key", *[F.col(s).alias(r[0]) for s, r in zip(stand_ins, rows)])


def _ref(name: str) -> Any:
    """The top-level column named exactly ``name`` (dots and all)."""
    from .column import Column, ColumnRef
    return Column(ColumnRef.of(name))


def _index_name(df: "DataFrame", index: Any) -> str | None:
    """The name of the frame's column the index is (it is left out of the values), if any."""
    from .column import ColumnRef
    expr = getattr(index, "_expr", None)
    if isinstance(expr, ColumnRef) and expr.name in df.columns:
        return expr.name
    return None
