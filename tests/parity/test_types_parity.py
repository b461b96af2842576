"""Casts that overflow, dotted names and decimals: the same input through dfml and PySpark
(ANSI off, as conftest configures), compared row by row and type by type."""

from __future__ import annotations

import pytest

from dfml.sql import functions as DF
from dfml.sql.errors import AnalysisException

from .helpers import assert_same

TEXTS = ["1", "-1", " 12 ", "\t7\n", "1.9", "-1.9", "127", "128", "-129", "32767", "32768",
         "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
         "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e3", "1.5e2",
         "abc", "", None, "+5", "0x10", "99999999999999999999", "1.", ".5", ".", "-.", "+", "-",
         "--1", "1 2", "2147483647.9", "9223372036854775807.5", "007"]
INTEGRAL = ["byte", "short", "int", "long"]


def _casts(F, df, col):
    return df.select(col, *[F.col(col).cast(t).alias(t) for t in INTEGRAL])


def test_string_to_integral_casts(both, pyspark):
    from pyspark.sql import functions as PF
    ours, theirs = both([(t,) for t in TEXTS], "s string")
    assert_same(_casts(DF, ours, "s"), _casts(PF, theirs, "s"))


def test_double_to_integral_casts(both):
    from pyspark.sql import functions as PF
    rows = [(v,) for v in [1.9, -1.9, 1e10, -1e10, 3e19, -3e19, float("nan"), float("inf"),
                           float("-inf"), 127.5, 128.0, 300.0, -300.0, 2147483647.9, None]]
    ours, theirs = both(rows, "d double")
    assert_same(_casts(DF, ours, "d"), _casts(PF, theirs, "d"))


def test_integral_narrowing_casts(both):
    from pyspark.sql import functions as PF
    rows = [(v,) for v in [1, 127, 128, 255, 256, -129, 32768, 2147483648, -2147483649,
                           9223372036854775807, -9223372036854775808, None]]
    ours, theirs = both(rows, "l long")
    assert_same(_casts(DF, ours, "l"), _casts(PF, theirs, "l"))
    assert_same(_casts(DF, ours.select(DF.col("l").cast("int").alias("i")), "i"),
                _casts(PF, theirs.select(PF.col("l").cast("int").alias("i")), "i"))


# ---------------------------------------------------------------- dotted names
NESTED = [({"b": 1, "c": 2}, 10), ({"b": None, "c": 4}, None)]
NESTED_SCHEMA = "a struct<b:int,c:int>, `a.b` int"


@pytest.mark.parametrize("cols", [["a.b"], ["`a.b`"], ["a.c", "`a.b`"], ["A.B"], ["`a`.`b`"],
                                  ["`a`.b", "a"]], ids=str)
def test_dotted_names_resolve_as_spark(both, cols):
    ours, theirs = both(NESTED, NESTED_SCHEMA)
    assert_same(ours.select(*cols), theirs.select(*cols))


def test_dotted_column_needs_backticks(both):
    from pyspark.errors import AnalysisException as PAE
    ours, theirs = both([(10, 1)], "`x.y` int, z int")
    with pytest.raises(PAE, match="UNRESOLVED_COLUMN"):
        theirs.select("x.y").collect()
    with pytest.raises(AnalysisException, match=r"UNRESOLVED_COLUMN.*`x`\.`y`"):
        ours.select("x.y")
    assert_same(ours.select("`x.y`", "z"), theirs.select("`x.y`", "z"))
    assert_same(ours.withColumn("w", DF.col("`x.y`") + 1),
                theirs.withColumn("w", theirs["`x.y`"] + 1))
    assert ours.drop("x.y").columns == theirs.drop("x.y").columns


def test_field_of_a_non_struct_is_refused(both):
    from pyspark.errors import AnalysisException as PAE
    ours, theirs = both([(10, 1)], "`x.y` int, z int")
    with pytest.raises(PAE, match="INVALID_EXTRACT_BASE_FIELD_TYPE"):
        theirs.select("`x.y`.q").collect()
    with pytest.raises(AnalysisException, match="INVALID_EXTRACT_BASE_FIELD_TYPE"):
        ours.select("`x.y`.q")
