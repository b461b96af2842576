"""DataFrame methods that Spark files under statistics and schema matching: ``crosstab``,
``sampleBy``, ``approxQuantile``, ``corr``, ``cov`` (also reachable as ``df.stat.*``), ``to``
(a schema by name) and ``colRegex``. A mixin of ``DataFrame``, so these live beside their
implementations and not in ``dataframe.py``.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any

from . import types as T
from .column import Column
from .errors import AnalysisException, IllegalArgumentException
from .expressions import Star

if TYPE_CHECKING:
    from .dataframe import DataFrame


def crosstab(df: "DataFrame", col1: str, col2: str) -> "DataFrame":
    """Counts of each (col1, col2) pair as a table: one row per col1 value (as text, null as
    "null"), one bigint column per col2 value (as text, sorted), zero where a pair never occurs;
    the first column is named ``col1_col2``. One aggregate runs; the table is built locally."""
    for c in (col1, col2):
        if not isinstance(c, str):
            raise TypeError(f"crosstab(): columns must be names (str), got {type(c).__name__}")
    from .group import value_name  # Spark names crosstab cells as it names pivot columns
    pairs = df.groupBy(col1, col2).count().collect()
    rows_of: dict[str, dict[str, int]] = {}
    names: set[str] = set()
    for a, b, n in pairs:
        rows_of.setdefault(value_name(a), {})[value_name(b)] = n
        names.add(value_name(b))
    order = sorted(names)
    schema = T.StructType([T.StructField(f"{col1}_{col2}", T.StringType(), True)]
                          + [T.StructField(n, T.LongType(), False) for n in order])
    rows = [tuple([key] + [counts.get(n, 0) for n in order]) for key, counts in rows_of.items()]
    return df._session.createDataFrame(rows, schema)


def sample_by(df: "DataFrame", col: Any, fractions: dict, seed: int | None) -> "DataFrame":
    """A stratified sample: each row kept with its stratum's fraction (0 for a value not in
    ``fractions``), by a seeded uniform draw per row, as Spark draws it."""
    from . import functions as F
    if not isinstance(col, (str, Column)):
        raise TypeError(f"sampleBy(): col must be a str or Column, got {type(col).__name__}")
    if not isinstance(fractions, dict):
        raise TypeError(f"sampleBy(): fractions must be a dict, got {type(fractions).__name__}")
    for k, v in fractions.items():
        if not isinstance(k, (float, int, str)) or isinstance(k, bool):
            raise TypeError(f"sampleBy(): fraction keys must be float, int or str, got {k!r}")
    if any(not (0.0 <= float(v) <= 1.0) for v in fractions.values()):
        shown = ", ".join(f"{k} -> {v}" for k, v in fractions.items())
        raise IllegalArgumentException(f"requirement failed: Fractions must be in [0, 1], but "
                                       f"got Map({shown}).")
    key = F.col(col) if isinstance(col, str) else col
    share = F.lit(0.0)
    for k, v in fractions.items():
        share = F.when(key == F.lit(k), F.lit(float(v))).otherwise(share)
    seed = int(seed) if seed is not None else 0
    return df.filter(F.rand(seed) < share)


def _storable(src: T.DataType, dst: T.DataType) -> bool:
    """Spark's store-assignment rule for ``to``: numbers to numbers, any atomic value to text,
    dates to timestamps; nothing from text to another type."""
    if src == dst or isinstance(src, T.NullType):
        return True
    numeric = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType,
               T.DecimalType)
    if isinstance(src, numeric) and isinstance(dst, numeric):
        return True
    if isinstance(dst, T.StringType):
        return not isinstance(src, (T.ArrayType, T.MapType, T.StructType))
    return isinstance(src, T.DateType) and isinstance(dst, (T.TimestampType, T.TimestampNTZType))


def to_schema(df: "DataFrame", schema: T.StructType) -> "DataFrame":
    """``df.to(schema)``: the columns ``schema`` names, matched by name (Spark's case rule), in
    its order, cast to its types where Spark's store assignment allows; a column the frame lacks
    is null. Errors (a type that cannot be stored, a nullable column for a non-nullable field)
    raise here, before any work."""
    from . import functions as F
    if not isinstance(schema, T.StructType):
        raise TypeError(f"to(): schema must be a StructType, got {type(schema).__name__}")
    have = {f.name.lower(): f for f in df.schema.fields}
    out = []
    for f in schema.fields:
        src = have.get(f.name.lower())
        if src is None:
            if not f.nullable:
                raise AnalysisException(
                    f"[NULLABLE_COLUMN_OR_FIELD] Column or field `{f.name}` is nullable while "
                    f"it's required to be non-nullable.", "NULLABLE_COLUMN_OR_FIELD")
            out.append(F.lit(None).cast(f.dataType).alias(f.name, metadata=f.metadata))
            continue
        if not _storable(src.dataType, f.dataType):
            raise AnalysisException(
                f"[INVALID_COLUMN_OR_FIELD_DATA_TYPE] Column or field `{f.name}` is of type "
                f"\"{src.dataType.simpleString().upper()}\" while it's required to be "
                f"\"{f.dataType.simpleString().upper()}\".", "INVALID_COLUMN_OR_FIELD_DATA_TYPE")
        if src.nullable and not f.nullable:
            raise AnalysisException(
                f"[NULLABLE_COLUMN_OR_FIELD] Column or field `{f.name}` is nullable while it's "
                f"required to be non-nullable.", "NULLABLE_COLUMN_OR_FIELD")
        c = F.col(f"`{src.name}`")
        if src.dataType != f.dataType:
            c = c.cast(f.dataType)
        out.append(c.alias(f.name, metadata=f.metadata))
    return df.select(*out)


class RegexStar(Star):
    """``df.colRegex("`re`")`` in a select: every column whose whole name the Java regular
    expression matches, ignoring case as Spark's default resolver does."""

    def __init__(self, pattern: str):
        super().__init__()
        self.pattern = pattern

    def names(self, names: list[str]) -> list[str]:
        from .join_names import display
        rx = re.compile(self.pattern, re.IGNORECASE)
        return [n for n in names if rx.fullmatch(display(n))]


class StatMethods:
    """Mixed into ``DataFrame``."""

    @property
    def stat(self) -> Any:
        from .stats import DataFrameStatFunctions
        return DataFrameStatFunctions(self)

    def corr(self, col1: str, col2: str, method: str | None = None) -> float:
        from . import functions as F
        if method not in (None, "pearson"):
            raise ValueError(f"corr(): only the pearson method is supported, got {method!r}")
        return self.agg(F.corr(col1, col2)).collect()[0][0]

    def cov(self, col1: str, col2: str) -> float:
        from . import functions as F
        return self.agg(F.covar_samp(col1, col2)).collect()[0][0]

    def approxQuantile(self, col: Any, probabilities: list[float], relativeError: float) -> Any:
        return self.stat.approxQuantile(col, probabilities, relativeError)

    def crosstab(self, col1: str, col2: str) -> "DataFrame":
        return crosstab(self, col1, col2)

    def sampleBy(self, col: Any, fractions: dict, seed: int | None = None) -> "DataFrame":
        return sample_by(self, col, fractions, seed)

    def to(self, schema: T.StructType) -> "DataFrame":
        return to_schema(self, schema)

    def colRegex(self, colName: str) -> Column:
        """Columns by a regular expression in backticks (``"`c.*`"``); without backticks, the
        column of that name."""
        if not isinstance(colName, str):
            raise TypeError(f"colRegex(): colName must be a str, got {type(colName).__name__}")
        if len(colName) > 1 and colName.startswith("`") and colName.endswith("`"):
            return Column(RegexStar(colName[1:-1]))
        return self[colName]

    def registerTempTable(self, name: str) -> None:
        warnings.warn("Deprecated in 2.0, use createOrReplaceTempView instead.", FutureWarning)
        self.createOrReplaceTempView(name)
