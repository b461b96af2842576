"""Spark's binary variant encoding without a session: round trips, the layouts chosen by size,
JSON text and schema strings (PySpark's bytes for the same values are pinned in
tests/parity/test_variant_parity.py)."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from dfml.sql.variant_codec import Float32, VariantError, decode, encode, parse_json_text
from dfml.sql.variant_text import schema_of, schema_text, to_json
from dfml.sql.variant_val import VariantVal


@pytest.mark.parametrize("v", [
    None, True, False, 0, -128, 127, 128, -32769, 2 ** 40, -(2 ** 63), 1.5, Float32(0.25),
    decimal.Decimal("1.50"), decimal.Decimal("-0.05"), decimal.Decimal("1" * 38), "", "x" * 63,
    "y" * 64, "é", b"\x00\x01", dt.date(2024, 2, 29), [], {}, [1, [2, [3]]],
    {"b": 1, "a": {"c": [None, "z"]}}, {f"k{i}": i for i in range(300)}, list(range(300)),
    ["w" * 300] * 300])
def test_round_trip(v):
    value, meta = encode(v)
    assert decode(value, meta) == v


def test_parse_types_numbers_as_spark():
    assert parse_json_text("1") == 1 and isinstance(parse_json_text("1"), int)
    assert parse_json_text("1.50") == decimal.Decimal("1.50")
    assert isinstance(parse_json_text("1e2"), float)
    assert isinstance(parse_json_text("9223372036854775808"), decimal.Decimal)
    assert isinstance(parse_json_text("1" * 40), float)
    with pytest.raises(VariantError, match="VARIANT_DUPLICATE_KEY"):
        parse_json_text('{"a":1,"a":2}')
    with pytest.raises(ValueError):
        parse_json_text("NaN")


def test_text_and_schema():
    v = parse_json_text('{"b":[1,2.5,null],"a":1.0,"c d":1e20}')
    assert to_json(v) == '{"a":1,"b":[1,2.5,null],"c d":1.0E20}'
    assert schema_text(schema_of(v)) == "OBJECT<a: DECIMAL(1,0), b: ARRAY<DECIMAL(21,1)>, `c d`: DOUBLE>"


def test_variant_val():
    v = VariantVal.parseJson('{"a":1}')
    assert repr(v) == "VariantVal(bytearray(b'\\x02\\x01\\x00\\x00\\x02\\x0c\\x01'), bytearray(b'\\x01\\x01\\x00\\x01a'))"
    assert str(v) == v.toJson() == '{"a":1}' and v.toPython() == {"a": 1}


def test_bad_arguments_fail_when_the_column_is_built(spark):
    from dfml.sql import functions as F
    from dfml.sql.errors import AnalysisException
    with pytest.raises(VariantError, match="INVALID_VARIANT_GET_PATH"):
        F.variant_get(F.parse_json("j"), "a", "int")
    with pytest.raises(VariantError, match="INVALID_VARIANT_PATH"):
        F.variant_set(F.parse_json("j"), "$", F.lit(1))
    with pytest.raises(NotImplementedError, match="timestamp"):
        F.try_variant_get(F.parse_json("j"), "$", "timestamp")
    with pytest.raises(ValueError, match="CANNOT_BE_EMPTY"):
        F.variant_delete(F.parse_json("j"))
    df = spark.createDataFrame([("1",)], "j string")
    with pytest.raises(AnalysisException, match="VARIANT"):
        df.select(F.schema_of_variant("j"))
