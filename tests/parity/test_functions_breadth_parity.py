"""Functions added for breadth (hashes, maps, array set operations, strings, math) against real
PySpark: same values, result types and generated column names, with nulls and edge values."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from tests.parity.helpers import assert_same

NAN = float("nan")
LONG_TEXT = "héllo wörld, a longer string over thirty-two bytes"
ROWS = [(1, "abc", 1.5, b"xy", 10, True),
        (None, None, None, None, None, None),
        (-7, "", -0.0, b"", -1, False),
        (2**31 - 1, LONG_TEXT, NAN, b"\x00\xff", 2**40, True)]
SCHEMA = "i int, s string, d double, b binary, l long, t boolean"


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


def _run(frames, build):
    ours, theirs = frames
    from pyspark.sql import functions as PF
    assert_same(build(ours, F), build(theirs, PF))


HASHES = {
    "digests": lambda d, f: d.select(f.md5("s"), f.sha1("b"), f.sha("s"), f.sha2("s", 256),
                                     f.sha2("s", 384), f.sha2("b", 0), f.crc32("s")),
    "xxhash64_types": lambda d, f: d.select(f.xxhash64("i"), f.xxhash64("s"), f.xxhash64("d"),
                                            f.xxhash64("l"), f.xxhash64("t"), f.xxhash64("b")),
    "xxhash64_chained": lambda d, f: d.select(f.xxhash64("i", "s", "d"), f.xxhash64("l", "t")),
    "encodings": lambda d, f: d.select(f.base64("s"), f.base64("b"), f.hex("i"), f.hex("s"),
                                       f.hex("b"), f.bin("l"), f.hex("l"), f.bin("i")),
    "decodings": lambda d, f: d.select(f.unbase64(f.base64("s")), f.unhex(f.hex("s")),
                                       f.unhex(f.lit("abc")), f.unhex(f.lit("zz"))),
}


@pytest.mark.parametrize("case", sorted(HASHES))
def test_hashes(frames, case):
    _run(frames, HASHES[case])


def test_sha2_bad_length():
    with pytest.raises(ValueError, match="numBits"):
        F.sha2("s", 100)
