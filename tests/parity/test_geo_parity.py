"""Geospatial functions (``st_*`` over WKB) against real PySpark: WKB round trips in both byte
orders, SRIDs kept and set, the printed schema, the collected values, and Spark's errors."""

from __future__ import annotations

import pytest

from dfml.sql import functions as DF

from .helpers import assert_same

PT = "0101000000000000000000F03F0000000000000040"
PT_XDR = "00000000013FF00000000000004000000000000000"
LINE = "010200000002000000000000000000F03F000000000000004000000000000008400000000000001040"
POLY = ("01030000000100000004000000" + "0000000000000000" * 2 + "000000000000F03F" + "0000000000000000"
        + "000000000000F03F" * 2 + "0000000000000000" * 2)
MULTI = "0104000000020000000101000000000000000000F03F000000000000004000000000013FF00000000000004000000000000000"
PT_Z = "01E9030000000000000000F03F00000000000000400000000000000840"
PT_ZM = "01B90B0000000000000000F03F000000000000004000000000000008400000000000001040"
PT_NAN = "0101000000000000000000F87F000000000000F87F"
COLLECTION = "0107000000020000000101000000000000000000F03F0000000000000040" + LINE
ROWS = [(bytes.fromhex(h), s) for h, s in [(PT, 4326), (PT_XDR, 3857), (LINE, 0), (POLY, 4326),
                                          (MULTI, 0), (PT_Z, 3857), (PT_ZM, 0), (PT_NAN, 4326),
                                          (COLLECTION, 0), (PT + "00", 0)]] + [(None, None), (bytes.fromhex(PT), None)]
SCHEMA = "wkb BINARY, srid INT"


def _ps():
    from pyspark.sql import functions as PF
    return PF


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


def _round_trips(F, df):
    geom, geog = F.st_geomfromwkb("wkb"), F.st_geogfromwkb("wkb")
    return df.select(
        F.hex(F.st_asbinary(geom)), F.hex(F.st_asbinary(geom, "XDR")),
        F.hex(F.st_asbinary(geog, F.lit("ndr"))), F.hex(F.st_asbinary(geog, "xdr")),
        F.st_srid(geom), F.st_srid(geog), F.st_srid(F.st_geomfromwkb("wkb", 3857)),
        F.st_srid(F.st_geomfromwkb("wkb", "srid")), F.st_srid(F.st_setsrid(geom, "srid")),
        F.st_srid(F.st_setsrid(geom, 4326)), F.st_srid(F.st_setsrid(geog, F.lit(4326))),
        F.hex(F.st_asbinary(F.st_setsrid(F.st_geomfromwkb("wkb", "srid"), 0), "XDR")))


def test_round_trips_and_srids_match(frames):
    ours, theirs = frames
    assert_same(_round_trips(DF, ours), _round_trips(_ps(), theirs))


def _values(F, df):
    return df.select(F.st_geomfromwkb("wkb").alias("g"), F.st_geogfromwkb("wkb").alias("h"),
                     F.st_geomfromwkb("wkb", "srid").alias("a"),
                     F.st_setsrid(F.st_geogfromwkb("wkb"), F.col("srid") * 0 + 4326).alias("b"))


def test_schema_text_and_collected_values_match(frames):
    ours, theirs = frames
    ours, theirs = _values(DF, ours), _values(_ps(), theirs)
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    # printSchema's text (PySpark prints the JVM's tree; its Python treeString drops the SRID)
    assert ours.schema.treeString() == theirs._jdf.schema().treeString()

    def plain(rows):
        return [tuple(None if v is None else (type(v).__name__, bytes(v.getBytes()), v.getSrid())
                      for v in r) for r in rows]
    assert plain(ours.collect()) == plain(theirs.collect())
    assert [repr(r) for r in ours.limit(2).collect()] == [repr(r) for r in theirs.limit(2).collect()]


@pytest.mark.parametrize("case", [
    ("truncated", "0102", lambda F: F.st_geomfromwkb("wkb"), "WKB_PARSE_ERROR"),
    ("bad_type", "0109000000" + "00" * 16, lambda F: F.st_geomfromwkb("wkb"), "WKB_PARSE_ERROR"),
    ("ewkb", "0101000020E6100000000000000000F03F0000000000000040", lambda F: F.st_geomfromwkb("wkb"),
     "WKB_PARSE_ERROR"),
    ("longitude_out_of_range", "0101000000000000000000694000000000000000C0", lambda F: F.st_geogfromwkb("wkb"),
     "WKB_PARSE_ERROR"),
    ("srid_of_geography", PT, lambda F: F.st_setsrid(F.st_geogfromwkb("wkb"), 3857), "ST_INVALID_SRID_VALUE"),
    ("negative_srid", PT, lambda F: F.st_setsrid(F.st_geomfromwkb("wkb"), -1), "ST_INVALID_SRID_VALUE"),
    ("unknown_srid", PT, lambda F: F.st_geomfromwkb("wkb", 12345), "ST_INVALID_SRID_VALUE"),
    ("endianness", PT, lambda F: F.st_asbinary(F.st_geomfromwkb("wkb"), "ABC"), "ST_INVALID_ENDIANNESS_VALUE"),
], ids=lambda c: c[0] if isinstance(c, tuple) else "")
def test_bad_values_raise_sparks_errors(spark, pyspark, case):
    from pyspark.errors import PySparkException
    from dfml.sql.errors import PySparkException as DfmlException
    _, wkb, build, error = case
    rows = [(bytes.fromhex(wkb),)]
    with pytest.raises(PySparkException, match=error) as theirs:
        pyspark.createDataFrame(rows, "wkb BINARY").select(build(_ps())).collect()
    with pytest.raises(DfmlException, match=error) as ours:
        spark.createDataFrame(rows, "wkb BINARY").select(build(DF)).collect()
    if error == "WKB_PARSE_ERROR":  # the same text, with the same position
        want = str(theirs.value).split("Error parsing WKB:")[1].split("SQLSTATE")[0].strip()
        assert want in str(ours.value)


@pytest.mark.parametrize("case", [
    ("asbinary_of_binary", lambda F: F.st_asbinary("wkb")),
    ("srid_of_int", lambda F: F.st_srid("n")),
    ("geomfromwkb_of_int", lambda F: F.st_geomfromwkb("n")),
], ids=lambda c: c[0])
def test_wrong_input_types_are_refused_like_spark(spark, pyspark, case):
    from pyspark.errors import AnalysisException as PsAnalysisException
    from dfml.sql.errors import AnalysisException as DfmlAnalysisException
    _, build = case
    rows = [(bytes.fromhex(PT), 1)]
    with pytest.raises(PsAnalysisException) as theirs:
        pyspark.createDataFrame(rows, "wkb BINARY, n INT").select(build(_ps())).collect()
    with pytest.raises(DfmlAnalysisException) as ours:
        spark.createDataFrame(rows, "wkb BINARY, n INT").select(build(DF)).collect()
    want = str(theirs.value).split(";")[0].split("SQLSTATE")[0].strip()
    assert want in str(ours.value)


def test_parameter_names_are_pysparks():
    import inspect

    from pyspark.sql import functions as PF
    for n in ("st_asbinary", "st_geomfromwkb", "st_geogfromwkb", "st_setsrid", "st_srid"):
        assert list(inspect.signature(getattr(DF, n)).parameters) == \
            list(inspect.signature(getattr(PF, n)).parameters), n
