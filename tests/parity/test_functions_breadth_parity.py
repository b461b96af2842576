"""Functions added for breadth (hashes, maps, array set operations, strings, math) against real
PySpark: same values, result types and generated column names, with nulls and edge values."""

from __future__ import annotations

import datetime as dt

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


NESTED_ROWS = [(1, "a", 2.5, ["x", "y"], [1, 2], {"p": 1}),
               (2, "b", None, None, [3, None], None),
               (3, "c", 1.0, ["z"], [None], {}),
               (4, None, NAN, [], [], {"q": None})]
NESTED_SCHEMA = "i int, s string, d double, ks array<string>, vs array<int>, m map<string,int>"


@pytest.fixture(scope="module")
def nested(spark, pyspark):
    return (spark.createDataFrame(NESTED_ROWS, NESTED_SCHEMA),
            pyspark.createDataFrame(NESTED_ROWS, NESTED_SCHEMA))


MAPS = {
    "create_map": lambda d, f: d.select(f.create_map("i", "d"), f.create_map(f.lit("k"), "i", "i", f.lit(None))),
    "keys_values_entries": lambda d, f: d.select(f.map_keys("m"), f.map_values("m"), f.map_entries("m")),
    "from_arrays": lambda d, f: d.select(f.map_from_arrays("ks", f.slice("vs", 1, 2))),
    "from_entries": lambda d, f: d.select(f.map_from_entries(f.map_entries("m"))),
    "contains_key": lambda d, f: d.select(f.map_contains_key("m", "p"), f.map_contains_key("m", f.lit("q"))),
    "concat": lambda d, f: d.select(f.map_concat("m", f.create_map("i", "i"))),
    "named_struct": lambda d, f: d.select(f.named_struct(f.lit("x"), "i", f.lit("y"), "s")),
}

ARRAYS = {
    "position": lambda d, f: d.select(f.array_position("vs", 2), f.array_position("ks", "y"),
                                      f.array_position("vs", f.lit(None))),
    "remove_compact_size": lambda d, f: d.select(f.array_remove("vs", 1), f.array_compact("vs"),
                                                 f.array_size("vs"), f.cardinality("m"),
                                                 f.cardinality("ks")),
    "set_ops": lambda d, f: d.select(f.array_union("vs", f.array(f.lit(3), f.lit(None))),
                                     f.array_intersect("vs", f.array(f.lit(3), f.lit(None))),
                                     f.array_except("vs", f.array(f.lit(3)))),
    "set_ops_nan": lambda d, f: d.select(
        f.array_union(f.array("d", f.lit(NAN)), f.array(f.lit(NAN), f.lit(-0.0), f.lit(0.0))),
        f.array_intersect(f.array("d", f.lit(NAN)), f.array(f.lit(NAN)))),
    "overlap": lambda d, f: d.select(f.arrays_overlap("vs", f.array(f.lit(3))),
                                     f.arrays_overlap("vs", f.array(f.lit(7)))),
    "zip": lambda d, f: d.select(f.arrays_zip("ks", "vs"), f.arrays_zip("vs", f.array("i"))),
    "flatten_slice": lambda d, f: d.select(f.flatten(f.array("vs", "vs")), f.slice("vs", -1, 1),
                                           f.slice("vs", 2, 5), f.slice("vs", "i", "i")),
    "repeat_sequence": lambda d, f: d.select(
        f.array_repeat("s", 3), f.array_repeat("d", "i"), f.sequence("i", f.lit(4)),
        f.sequence(f.lit(5), "i"), f.sequence(f.lit(1), f.lit(9), f.lit(3))),
    "append_prepend": lambda d, f: d.select(f.array_append("vs", f.col("i")),
                                            f.array_prepend("vs", f.lit(None)),
                                            f.array_append("ks", "s")),
    "join": lambda d, f: d.select(f.array_join("ks", ","),
                                  f.array_join(f.array("s", f.lit(None)), "-", "N")),
}


@pytest.mark.parametrize("case", sorted(MAPS))
def test_maps(nested, case):
    _run(nested, MAPS[case])


@pytest.mark.parametrize("case", sorted(ARRAYS))
def test_arrays(nested, case):
    _run(nested, ARRAYS[case])


def test_create_map_odd_arguments():
    with pytest.raises(Exception, match="even number"):
        F.create_map("a", "b", "c")


TEXT_ROWS = [(1, "Hello World", 2.5, "a,b,c", 1234567.891),
             (2, None, None, None, None),
             (0, "", -0.5, "", 0.125),
             (21, "Ashcraft Tymczak", 0.99, "x,,y", -2.675),
             (-3, "kitten sitting", NAN, "b", 1e10)]
TEXT_SCHEMA = "i int, s string, d double, csv string, n double"


@pytest.fixture(scope="module")
def texts(spark, pyspark):
    return (spark.createDataFrame(TEXT_ROWS, TEXT_SCHEMA),
            pyspark.createDataFrame(TEXT_ROWS, TEXT_SCHEMA))


TEXT = {
    "left_right": lambda d, f: d.select(f.left("s", f.lit(3)), f.right("s", f.lit(4)),
                                        f.left("s", "i"), f.right("s", f.lit(0))),
    "split_part": lambda d, f: d.select(f.split_part("csv", f.lit(","), f.lit(2)),
                                        f.split_part("csv", f.lit(","), f.lit(-1)),
                                        f.split_part("csv", f.lit(","), f.lit(5))),
    "substring_index": lambda d, f: d.select(f.substring_index("csv", ",", 2),
                                             f.substring_index("csv", ",", -1)),
    "regexp_tests": lambda d, f: d.select(f.regexp_count("s", f.lit("[a-z]+")),
                                          f.regexp_like("s", f.lit("o W")), f.regexp("s", f.lit("^H"))),
    "regexp_extract": lambda d, f: d.select(f.regexp_extract_all("s", f.lit(r"(\w)(\w+)")),
                                            f.regexp_extract_all("s", f.lit(r"(\w)(\w+)"), 2),
                                            f.regexp_substr("s", f.lit("o.")),
                                            f.regexp_instr("s", f.lit("o"))),
    "levenshtein": lambda d, f: d.select(f.levenshtein("s", f.lit("kitten")),
                                         f.levenshtein("s", f.lit("kitten"), 3)),
    "soundex": lambda d, f: d.select(f.soundex("s"), f.soundex(f.lit("Tymczak")),
                                     f.soundex(f.lit("Pfister")), f.soundex(f.lit("Honeyman"))),
    "overlay": lambda d, f: d.select(f.overlay("s", f.lit("XY"), 3), f.overlay("s", f.lit("XY"), 3, 0),
                                     f.overlay("s", f.lit("_"), "i", f.lit(2))),
    "format_string": lambda d, f: d.select(
        f.format_string("%s-%d|%5.2f|%08.3f", "s", "i", "d", "n"),
        f.format_string("%,d %x %e %10s|%-6s|", "i", "i", "n", "s", "s"),
        f.printf(f.lit("%s=%d"), "s", "i")),
    "format_number": lambda d, f: d.select(f.format_number("n", 2), f.format_number("d", 0),
                                           f.format_number("i", 3), f.format_number("n", 5)),
    "lengths_case": lambda d, f: d.select(f.ucase("s"), f.lcase("s"), f.ascii("s"),
                                          f.octet_length("s"), f.bit_length("s"),
                                          f.char_length("s"), f.character_length("s")),
    "trim_find_replace": lambda d, f: d.select(
        f.btrim(f.lit("  a b  ")), f.btrim("s", f.lit("Hd")), f.find_in_set(f.lit("b"), "csv"),
        f.find_in_set(f.lit(""), "csv"), f.replace("s", f.lit("o")),
        f.replace("s", f.lit("o"), f.lit("0"))),
    "math": lambda d, f: d.select(f.factorial("i"), f.sinh("d"), f.cosh("d"), f.tanh("d"),
                                  f.asinh("d"), f.acosh("n"), f.atanh("d"), f.cot("d"),
                                  f.sec("d"), f.csc("d")),
}


@pytest.mark.parametrize("case", sorted(TEXT))
def test_text_and_math(texts, case):
    _run(texts, TEXT[case])


INT_ROWS = [(1, 10, "ff", 2.5), (None, None, None, None), (0, -1, "-15", 0.0),
            (-7, 2**62, "zz1", -1.5), (2**31 - 1, -2**63, "18446744073709551616", 3.0)]
INT_SCHEMA = "i int, l long, h string, d double"


@pytest.fixture(scope="module")
def ints(spark, pyspark):
    return spark.createDataFrame(INT_ROWS, INT_SCHEMA), pyspark.createDataFrame(INT_ROWS, INT_SCHEMA)


BITS = {
    "shifts": lambda d, f: d.select(f.shiftleft("i", 3), f.shiftleft("l", 63), f.shiftright("i", 1),
                                    f.shiftright("l", 65), f.shiftrightunsigned("i", 28),
                                    f.shiftrightunsigned("l", 60)),
    "not_count": lambda d, f: d.select(f.bitwise_not("i"), f.bitwise_not("l"), f.bit_count("i"),
                                       f.bit_count("l")),
    "bit_get": lambda d, f: d.select(f.bit_get("i", f.lit(0)), f.getbit("l", f.lit(62))),
    "conv": lambda d, f: d.select(f.conv("h", 16, 10), f.conv("h", 16, -10), f.conv("i", 10, 2),
                                  f.conv("l", 10, 16), f.conv("h", 36, 8), f.conv("h", 10, -16),
                                  f.conv("l", 10, -16)),
    "null_functions": lambda d, f: d.select(
        f.nvl2("i", "l", f.lit(5)), f.equal_null("i", f.lit(None)), f.equal_null("i", "l"),
        f.nullifzero("i"), f.zeroifnull("i"), f.zeroifnull("d")),
}


@pytest.mark.parametrize("case", sorted(BITS))
def test_bits_and_nulls(ints, case):
    _run(ints, BITS[case])


MORE_ROWS = [(1, "abc", "a%", [1, 2, 3], {"a": 1}, "a:1,b:2"),
             (None, None, None, None, None, None),
             (3, "A_c%", "A\\_c%", [], {}, "x"),
             (-2, "xyz", "%Z", [None, 5], {"z": None}, "k:v:w,,m:")]
MORE_SCHEMA = "i int, s string, p string, a array<int>, m map<string,int>, kv string"


@pytest.fixture(scope="module")
def more(spark, pyspark):
    return spark.createDataFrame(MORE_ROWS, MORE_SCHEMA), pyspark.createDataFrame(MORE_ROWS, MORE_SCHEMA)


MORE = {
    "string_tests": lambda d, f: d.select(f.startswith("s", f.lit("a")), f.endswith("s", f.lit("c")),
                                          f.contains("s", f.lit("b"))),
    "like": lambda d, f: d.select(f.like("s", "p"), f.ilike("s", "p"),
                                  f.rlike("s", f.lit("^[a-z]+$")), f.like("s", f.lit("A\\_c%"))),
    "elt_char": lambda d, f: d.select(f.elt("i", "s", "p", "kv"), f.char("i"), f.char(f.lit(321))),
    "str_to_map": lambda d, f: d.select(f.str_to_map("kv"), f.str_to_map("kv", f.lit(","), f.lit("="))),
    "get": lambda d, f: d.select(f.get("a", 1), f.get("a", "i"), f.try_element_at("a", f.lit(-1)),
                                 f.try_element_at("m", f.lit("a"))),
    "array_insert": lambda d, f: d.select(
        f.array_insert("a", 1, f.lit(9)), f.array_insert("a", 5, f.lit(9)),
        f.array_insert("a", -1, f.lit(9)), f.array_insert("a", -2, f.lit(9)),
        f.array_insert("a", -6, f.lit(9))),
    "typeof_negate": lambda d, f: d.select(f.typeof("m"), f.typeof("a"), f.typeof("i"), f.negate("i")),
}


@pytest.mark.parametrize("case", sorted(MORE))
def test_more(more, case):
    _run(more, MORE[case])


def test_regexp_instr_group(texts):
    _run(texts, lambda d, f: d.select(f.regexp_instr("s", f.lit(r"(o)\s?(W|r)"), f.lit(2))))


SQL_QUERIES = [
    "SELECT map(1, 'a', 2, 'b') AS m, map_keys(map(1, 2)) AS k",
    "SELECT md5('a'), crc32('a'), hex(17), xxhash64('a', 1), sha2('x', 512)",
    "SELECT format_number(1234.5, 1), split_part('a,b', ',', 2), conv('ff', 16, 10), "
    "replace('abc', 'b', 'x'), overlay('abc', 'x', 2), printf('%s-%d', 'a', 1)",
    "SELECT ucase('a'), lcase('A'), char_length('ab'), character_length('abc'), left('abc', 2)",
    "SELECT slice(array(1, 2, 3), 2, 1), flatten(array(array(1), array(2))), sequence(1, 5, 2), "
    "array_position(array(3, 4), 4), named_struct('a', 1, 'b', 'x')",
    "SELECT shiftleft(1, 2), bit_count(7), typeof(1.5), regexp_count('aaa', 'a'), str_to_map('a:1')",
]


@pytest.mark.parametrize("query", SQL_QUERIES)
def test_sql_text(spark, pyspark, query):
    assert_same(spark.sql(query), pyspark.sql(query))


def test_to_binary(texts):
    _run(texts, lambda d, f: d.select(
        f.to_binary(f.lit("abc"), f.lit("utf-8")), f.to_binary(f.lit("6162")),
        f.to_binary("s", f.lit("utf8")), f.try_to_binary("s"),
        f.try_to_binary(f.lit("YWJj"), f.lit("base64"))))


BOOL_ROWS = [(1, True, 2), (1, False, 3), (2, None, None), (2, True, 1), (3, None, 5), (3, False, None)]


@pytest.fixture(scope="module")
def bools(spark, pyspark):
    schema = "g int, b boolean, v int"
    return spark.createDataFrame(BOOL_ROWS, schema), pyspark.createDataFrame(BOOL_ROWS, schema)


def test_boolean_aggregates_grouped(bools):
    _run(bools, lambda d, f: d.groupBy("g").agg(f.count_if("b"), f.bool_and("b"), f.every("b"),
                                                f.bool_or("b"), f.some("b")))


def test_boolean_aggregates_global(bools):
    _run(bools, lambda d, f: d.agg(f.count_if("b"), f.bool_and("b"), f.bool_or("b"),
                                   f.count_if(f.col("v") > 1)))


DATE_ROWS = [(dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 13, 45, 12, 345678), 1700000000, 2024,
              2, 30, 1.5),
             (None, None, None, None, None, None, None),
             (dt.date(1969, 12, 31), dt.datetime(1969, 12, 31, 23, 59, 59, 999999), -1, 2023, 2, 28,
              -0.25)]
DATE_SCHEMA = "d date, t timestamp, n long, y int, m int, dd int, x double"


@pytest.fixture(scope="module")
def dates(spark, pyspark):
    return spark.createDataFrame(DATE_ROWS, DATE_SCHEMA), pyspark.createDataFrame(DATE_ROWS, DATE_SCHEMA)


DATES = {
    "aliases": lambda d, f: d.select(f.day("d"), f.date_diff("d", f.lit("2024-01-01")),
                                     f.dateadd("d", 3), f.dateadd("d", "m")),
    "names": lambda d, f: d.select(f.dayname("d"), f.monthname("t"), f.weekday("d")),
    "make_and_unix_date": lambda d, f: d.select(f.make_date("y", "m", "dd"), f.unix_date("d"),
                                                f.date_from_unix_date("m")),
    "unix_times": lambda d, f: d.select(f.unix_seconds("t"), f.unix_millis("t"), f.unix_micros("t")),
    "timestamps_from": lambda d, f: d.select(f.timestamp_seconds("n"), f.timestamp_seconds("x"),
                                             f.timestamp_millis("n"), f.timestamp_micros("n")),
    "trunc": lambda d, f: d.select(f.trunc("d", "year"), f.trunc("d", "MM"), f.trunc("d", "week"),
                                   f.trunc("d", "quarter"), f.trunc("d", "day")),
    "date_trunc": lambda d, f: d.select(f.date_trunc("hour", "t"), f.date_trunc("quarter", "t"),
                                        f.date_trunc("millisecond", "t"), f.date_trunc("week", "t"),
                                        f.date_trunc("dd", "t")),
    "next_day": lambda d, f: d.select(f.next_day("d", "Mon"), f.next_day("d", "thursday"),
                                      f.next_day("d", "xx")),
}


@pytest.mark.parametrize("case", sorted(DATES))
def test_dates(dates, case):
    _run(dates, DATES[case])


def test_try_arithmetic(bools):
    _run(bools, lambda d, f: d.select(f.try_add("g", "v"), f.try_subtract("g", "v"),
                                      f.try_multiply("g", "v"), f.try_divide("v", "g"),
                                      f.try_divide("g", f.lit(0)), f.try_mod("v", "g")))


def test_aggregate_aliases(bools):
    _run(bools, lambda d, f: d.groupBy("g").agg(f.array_agg("v"), f.try_sum("v"), f.try_avg("v")))
    _run(bools, lambda d, f: d.agg(f.try_sum("v"), f.try_avg("v")))


def test_first_last_value_ignoring_nulls(bools):
    # groups 2 and 3 hold one non-null value each, so the answer does not depend on row order
    _run(bools, lambda d, f: d.filter("g > 1").groupBy("g").agg(
        f.first_value("v", f.lit(True)), f.last_value("v", f.lit(True))))


JSON_ROWS = [('{"a": 1, "b": {"c": [1, 2, {"d": "x"}]}, "s": "str"}', 1, "q", [1, None], {"k": 2.5}),
             (None, None, None, None, None),
             ("not json", 2, None, [], {}),
             ("[1, 2, 3]", None, "z", None, {"n": None}),
             ('{"a": "7", "b": null}', 3, "", [3], None)]
JSON_SCHEMA = "j string, i int, s string, a array<int>, m map<string,double>"


@pytest.fixture(scope="module")
def jsons(spark, pyspark):
    return spark.createDataFrame(JSON_ROWS, JSON_SCHEMA), pyspark.createDataFrame(JSON_ROWS, JSON_SCHEMA)


JSON = {
    "get_json_object": lambda d, f: d.select(
        f.get_json_object("j", "$.a"), f.get_json_object("j", "$.b.c[1]"),
        f.get_json_object("j", "$.b"), f.get_json_object("j", "$.s"),
        f.get_json_object("j", "$.b.c[2].d"), f.get_json_object("j", "$.missing")),
    "array_length_keys": lambda d, f: d.select(f.json_array_length("j"), f.json_object_keys("j")),
    "to_json": lambda d, f: d.select(f.to_json(f.struct("i", "s", "a")), f.to_json("m"),
                                     f.to_json("a"), f.to_json(f.struct("m"))),
    "from_json_struct": lambda d, f: d.select(f.from_json("j", "a INT, s STRING")),
    "from_json_strings": lambda d, f: d.select(f.from_json("j", "a STRING, b STRING")),
    "from_json_other": lambda d, f: d.select(f.from_json(f.lit("[1,2]"), "array<int>"),
                                             f.from_json(f.lit('{"x": 1.5}'), "map<string,double>")),
}


@pytest.mark.parametrize("case", sorted(JSON))
def test_json(jsons, case):
    _run(jsons, JSON[case])


STAT_ROWS = [(1, 2.0, "a", 5), (1, 4.0, "b", 1), (1, None, "c", None), (2, None, None, 3),
             (2, None, "d", None), (3, 7.0, "e", 2), (3, 7.0, "e", 9), (3, 1.0, "f", 4),
             (3, -2.5, "g", 0)]


@pytest.fixture(scope="module")
def stats(spark, pyspark):
    schema = "g int, v double, s string, o int"
    return spark.createDataFrame(STAT_ROWS, schema), pyspark.createDataFrame(STAT_ROWS, schema)


def test_percentiles_and_product(stats):
    _run(stats, lambda d, f: d.groupBy("g").agg(f.median("v"), f.percentile("v", 0.25),
                                                f.percentile("v", [0.1, 0.9]), f.product("v")))


def test_max_min_by(stats):
    _run(stats, lambda d, f: d.groupBy("g").agg(f.max_by("s", "o"), f.min_by("s", "o"),
                                                f.max_by("v", "o")))


def test_mode_without_ties(stats):
    # Spark breaks ties arbitrarily; groups 2 and 3 have a single most frequent value
    _run(stats, lambda d, f: d.filter("g > 1").groupBy("g").agg(f.mode("s")))


def test_list_aggregates_global(stats):
    _run(stats, lambda d, f: d.agg(f.median("v"), f.mode("v"), f.product("o"), f.max_by("s", "o")))


def test_url_and_mask(texts):
    _run(texts, lambda d, f: d.select(
        f.url_encode("s"), f.url_encode(f.lit("a b&c=d/~*é")),
        f.url_decode(f.lit("a+b%26c%3D%C3%A9")), f.try_url_decode(f.lit("%zz")),
        f.mask("s"), f.mask("s", f.lit("U"), f.lit("l"), f.lit("#"), f.lit("*")),
        f.mask(f.lit("AbC-12"), lowerChar=f.lit("q"))))


def test_posexplode_outer(nested):
    _run(nested, lambda d, f: d.select("i", f.posexplode_outer("vs")))
    _run(nested, lambda d, f: d.select("i", f.posexplode_outer("ks")))


URL = "http://u:p@spark.apache.org:80/path/x?query=1&k=v#Ref"
PARTS = ["HOST", "PATH", "QUERY", "REF", "PROTOCOL", "FILE", "AUTHORITY", "USERINFO", "BAD"]


def test_parse_url(texts):
    _run(texts, lambda d, f: d.select(*[f.parse_url(f.lit(URL), f.lit(p)) for p in PARTS]))
    _run(texts, lambda d, f: d.select(
        f.parse_url(f.lit("http://a.b/p?query=1&k=v"), f.lit("QUERY"), f.lit("k")),
        f.parse_url(f.lit("http://a.b/p?query=1&k=v"), f.lit("QUERY"), f.lit("zz")),
        f.parse_url(f.lit("https://a.b"), f.lit("PATH")), f.parse_url(f.lit("https://a.b"), f.lit("QUERY")),
        f.parse_url("s", f.lit("HOST"))))


def test_width_bucket(texts):
    _run(texts, lambda d, f: d.select(
        f.width_bucket("n", f.lit(0.2), f.lit(10.6), f.lit(5)),
        f.width_bucket("d", f.lit(3.0), f.lit(-1.0), f.lit(4)),
        f.width_bucket("i", f.lit(0), f.lit(20), f.lit(4)),
        f.width_bucket("d", f.lit(0), f.lit(0), f.lit(3))))


def test_session_constants(texts):
    _run(texts, lambda d, f: d.select(f.current_database(), f.current_catalog(), f.current_user(),
                                      f.user(), f.session_user(), f.current_timezone()))
