"""Everyday functions added for breadth (issue 9) against real PySpark: same rows, result types and
generated column names, through the Python functions and through SQL text, on inputs with nulls,
NaN, empty strings and ties."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from tests.parity.helpers import assert_same

NAN = float("nan")
ROWS = [("a'b\\c", 0, "x", 1.5, b"k"),
        (None, None, None, None, None),
        ("", 321, "hello", NAN, b""),
        ("abc", -1, "", -0.0, b"\x61\xff"),
        ("MARTHA", 7, "MARHTA", 2.0, b"key")]
SCHEMA = "s string, i int, t string, d double, b binary"


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


def _run(frames, build):
    ours, theirs = frames
    from pyspark.sql import functions as PF
    assert_same(build(ours, F), build(theirs, PF))


def _sql(frames, spark, pyspark, select):
    ours, theirs = frames
    ours.createOrReplaceTempView("more_fns")
    theirs.createOrReplaceTempView("more_fns")
    q = f"SELECT {select} FROM more_fns"
    assert_same(spark.sql(q), pyspark.sql(q))


STRINGS = {
    "quote_chr": lambda d, f: d.select(f.quote("s"), f.chr("i"), f.chr(f.lit(-5)), f.chr(f.lit(256))),
    "position": lambda d, f: d.select(f.position(f.lit("b"), "s"), f.position("t", "s"),
                                      f.position(f.lit("A"), "s", f.lit(2)),
                                      f.position(f.lit("b"), "s", f.lit(None).cast("int")),
                                      f.position(f.lit("b"), "s", f.lit(-1))),
    "substr": lambda d, f: d.select(f.substr("s", f.lit(2)), f.substr("s", f.lit(-2), f.lit(1)),
                                    f.substr("t", "i")),
    "encode": lambda d, f: d.select(f.encode("t", "UTF-16"), f.encode("t", "US-ASCII"),
                                    f.encode("s", "UTF-16LE"), f.encode("s", "utf-8"),
                                    f.encode("t", "UTF-32")),
    "decode": lambda d, f: d.select(f.decode(f.encode("t", "UTF-16"), "UTF-16"),
                                    f.decode(f.encode("s", "UTF-16BE"), "utf-16be"),
                                    f.decode(f.encode("t", "ISO-8859-1"), "ISO-8859-1")),
    "hmac": lambda d, f: d.select(f.hmac(f.lit("key"), "t"), f.hmac(f.lit("k"), "s", f.lit("SHA-512")),
                                  f.hmac(f.lit("k"), "b", f.lit("SHA-384")),
                                  f.hmac(f.lit("k"), "s", f.lit("MD5"))),
    "jaro_winkler": lambda d, f: d.select(f.jaro_winkler_similarity("s", "t"),
                                          f.jaro_winkler_similarity("t", f.lit("hallo"))),
    "utf8": lambda d, f: d.select(f.is_valid_utf8("b"), f.make_valid_utf8("b"),
                                  f.try_validate_utf8("b"), f.is_valid_utf8("s"),
                                  f.validate_utf8("t"), f.make_valid_utf8("s")),
    "deprecated_aliases": lambda d, f: d.select(f.shiftLeft("i", 1), f.shiftRight("i", 1),
                                                f.shiftRightUnsigned("i", 1), f.bitwiseNOT("i"),
                                                f.toDegrees("d"), f.toRadians("d")),
}


@pytest.mark.parametrize("case", sorted(STRINGS))
def test_strings(frames, case):
    _run(frames, STRINGS[case])


@pytest.mark.parametrize("select", [
    "quote(s), chr(i), chr(0), position('b', s), position(t, s, 2), substr(s, 2), substr(s, 2, 1)",
    "encode(t, 'utf-16'), decode(encode(s, 'UTF-16LE'), 'UTF-16LE'), hmac('k', t), hmac('k', b, 'SHA-224')",
    "jaro_winkler_similarity(s, t), jaro_winkler_similarity('DIXON', 'DICKSONX'), "
    "jaro_winkler_similarity('', ''), jaro_winkler_similarity('abcdefg', 'xyzabcd')",
    "is_valid_utf8(b), make_valid_utf8(b), try_validate_utf8(b), validate_utf8(s), is_valid_utf8(NULL)",
])
def test_strings_sql(frames, spark, pyspark, select):
    _sql(frames, spark, pyspark, select)


def test_version_shape(spark, pyspark):
    """``version()``: Spark's release first, then a build id (dfml's own, not Spark's hash)."""
    ours = spark.range(1).select(F.version())
    from pyspark.sql import functions as PF
    theirs = pyspark.range(1).select(PF.version())
    assert ours.columns == theirs.columns and ours.dtypes == theirs.dtypes
    assert ours.first()[0].split(" ")[0] == theirs.first()[0].split(" ")[0]


def test_coding_errors_raise(spark):
    df = spark.createDataFrame([("héllo", b"\xff")], "s string, b binary")
    with pytest.raises(Exception, match="MALFORMED_CHARACTER_CODING"):
        df.select(F.encode("s", "US-ASCII")).collect()
    with pytest.raises(Exception, match="MALFORMED_CHARACTER_CODING"):
        df.select(F.decode("b", "UTF-8")).collect()
    with pytest.raises(Exception, match="INVALID_UTF8_STRING"):
        df.select(F.validate_utf8("b")).collect()
    with pytest.raises(Exception, match="Empty key"):
        df.select(F.hmac(F.lit(""), "s")).collect()
    with pytest.raises(AnalysisException, match="charset"):
        F.encode("s", "EBCDIC")


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match="use shiftleft"):
        F.shiftLeft("i", 1)


REGR_ROWS = [(1, 1.0, 2.0), (1, None, 3.0), (1, 2.0, NAN), (2, 3.0, 3.0), (2, 3.0, 5.0),
             (3, None, None), (4, 1.0, 1.0), (5, 1.0, 2.0), (5, 2.5, 4.0), (5, 2.0, 4.0),
             (5, 7.0, None), (6, 2.0, 1.0), (6, 4.0, 1.0)]
REGR = ["regr_count", "regr_avgx", "regr_avgy", "regr_slope", "regr_intercept", "regr_r2",
        "regr_sxx", "regr_sxy", "regr_syy"]


@pytest.fixture(scope="module")
def regr_frames(spark, pyspark):
    schema = "g int, y double, x double"
    return spark.createDataFrame(REGR_ROWS, schema), pyspark.createDataFrame(REGR_ROWS, schema)


def test_regr_grouped(regr_frames):
    """Pairs with a null drop out, NaN stays in; no pairs, one pair and a constant x or y."""
    _run(regr_frames, lambda d, f: d.groupBy("g").agg(*[getattr(f, n)("y", "x") for n in REGR]))


def test_regr_global_and_sql(regr_frames, spark, pyspark):
    _run(regr_frames, lambda d, f: d.where("g != 1").select(
        *[getattr(f, n)(f.col("y"), f.col("x") * 2) for n in REGR]))
    _sql(regr_frames, spark, pyspark, ", ".join(f"{n}(y, x)" for n in REGR))


BIT_ROWS = [(1, 5, "a", 3), (1, 3, "a", 3), (1, None, None, 3), (2, None, None, None),
            (3, -1, "c", 1), (3, 6, None, 1), (4, 2**31 - 1, "d", 5)]


@pytest.fixture(scope="module")
def bit_frames(spark, pyspark):
    schema = "g int, i int, s string, l long"
    return spark.createDataFrame(BIT_ROWS, schema), pyspark.createDataFrame(BIT_ROWS, schema)


def test_bit_and_string_aggs(bit_frames):
    """Groups whose values are all equal (or null), so the order of arrival cannot matter."""
    _run(bit_frames, lambda d, f: d.groupBy("g").agg(
        f.bit_and("i"), f.bit_or("i"), f.bit_xor("i"), f.bit_xor("l"), f.bit_and("l"),
        f.listagg("s"), f.listagg("s", ","), f.string_agg("s", "-"),
        f.listagg_distinct("s", ","), f.string_agg_distinct("s")))


def test_bit_and_string_aggs_sql(bit_frames, spark, pyspark):
    _sql(bit_frames, spark, pyspark, "bit_and(i), bit_or(l), bit_xor(i), string_agg(s, '|'), "
                                      "approx_percentile(i, 0.5), approx_percentile(l, array(0.1, 0.9), 100)")


def test_bit_agg_refuses_doubles(spark):
    df = spark.createDataFrame([(1.5,)], "d double")
    with pytest.raises(AnalysisException, match="INTEGRAL"):
        df.select(F.bit_or("d")).collect()


def test_listagg_keeps_arrival_order(spark):
    df = spark.createDataFrame([("b",), ("a",), (None,), ("b",)], "s string").coalesce(1)
    assert df.select(F.listagg("s", ", ")).first()[0] == "b, a, b"
    assert df.select(F.listagg_distinct("s")).first()[0] == "ba"


FOLD_ROWS = [([3, None, 1], 10, [2.5, NAN, -1.0]), (None, 1, None), ([], 2, []),
             ([2, 2, 5], None, [NAN, None, 0.0])]


@pytest.fixture(scope="module")
def fold_frames(spark, pyspark):
    schema = "xs array<int>, k int, ds array<double>"
    return spark.createDataFrame(FOLD_ROWS, schema), pyspark.createDataFrame(FOLD_ROWS, schema)


FOLDS = {
    "aggregate": lambda d, f: d.select(
        f.aggregate("xs", f.lit(0), lambda a, x: a + f.coalesce(x, f.lit(0))),
        f.aggregate("ds", f.lit(0.0), lambda a, x: a + x, lambda a: a * 2)),
    "reduce_outer_column": lambda d, f: d.select(
        f.reduce("xs", f.lit(0), lambda a, x: a + f.coalesce(x, f.col("k")), lambda a: a * 2)),
    "array_sort_default": lambda d, f: d.select(f.array_sort("xs"), f.array_sort("ds")),
    "array_sort_comparator": lambda d, f: d.select(
        f.array_sort("xs", lambda l, r: f.coalesce(r, f.lit(0)) - f.coalesce(l, f.lit(0))),
        f.array_sort("xs", lambda l, r: f.when(l.isNull(), 1).when(r.isNull(), -1)
                     .when(l < r, 1).when(l > r, -1).otherwise(0))),
}


@pytest.mark.parametrize("case", sorted(FOLDS))
def test_folds(fold_frames, case):
    _run(fold_frames, FOLDS[case])


def test_aggregate_struct_accumulator(fold_frames):
    """A struct accumulator whose merge gives nullable fields is the initial value's type.
    (Names differ: dfml prints ``struct(n, s)`` where Spark prints ``struct(0 AS n, ...)``.)"""
    from pyspark.sql import functions as PF
    ours, theirs = fold_frames

    def build(d, f):
        return d.select(f.aggregate(
            "ds", f.struct(f.lit(0).alias("n"), f.lit(0.0).alias("s")),
            lambda acc, x: f.struct((acc.n + 1).alias("n"),
                                    (acc.s + f.coalesce(x, f.lit(1.0))).alias("s")),
            lambda acc: acc.s / acc.n).alias("mean"))
    assert_same(build(ours, F), build(theirs, PF))


def test_folds_sql(fold_frames, spark, pyspark):
    _sql(fold_frames, spark, pyspark,
         "aggregate(xs, 0D, (acc, x) -> acc + coalesce(x, 0), a -> a / 2), "
         "reduce(xs, 0, (acc, x) -> acc + coalesce(x, k)), array_sort(ds), "
         "array_sort(xs, (l, r) -> coalesce(l, 0) - coalesce(r, 0))")


def test_aggregate_merge_type_must_match(spark):
    df = spark.createDataFrame([([1.5],)], "ds array<double>")
    with pytest.raises(AnalysisException, match="initial value"):
        df.select(F.aggregate("ds", F.lit(0), lambda a, x: a + x)).collect()


def _same_shape(ours, theirs):
    assert ours.columns == theirs.columns and ours.dtypes == theirs.dtypes


def test_misc_values_and_names(frames, spark, pyspark):
    _run(frames, lambda d, f: d.select(f.assert_true(f.col("i").isNull() | (f.col("i") > -5)),
                                       f.assert_true(f.lit(True), "never"),
                                       f.call_function("upper", "s"), f.call_function("ABS", "i")))
    _sql(frames, spark, pyspark, "assert_true(i IS NULL OR i > -5), assert_true(true, 'x')")


def test_call_udf_and_call_function_find_registered_udfs(spark, pyspark):
    from pyspark.sql import functions as PF
    rows = [(1,), (None,)]
    spark.udf.register("plus_one_fa", lambda x: None if x is None else x + 1, "int")
    pyspark.udf.register("plus_one_fa", lambda x: None if x is None else x + 1, "int")
    ours, theirs = spark.createDataFrame(rows, "i int"), pyspark.createDataFrame(rows, "i int")
    assert_same(ours.select(F.call_udf("plus_one_fa", "i"), F.call_function("plus_one_fa", "i")),
                theirs.select(PF.call_udf("plus_one_fa", "i"), PF.call_function("plus_one_fa", "i")))
    with pytest.raises(AnalysisException, match="UNRESOLVED_ROUTINE"):
        F.call_udf("no_such_udf_fa", "i")
    with pytest.raises(AnalysisException, match="UNRESOLVED_ROUTINE"):
        F.call_function("no_such_function_fa", "i")


def test_random_family_shapes(frames):
    """Names and types as Spark's; seeded values repeat (they are dfml's generator's, not
    Spark's XORShift values)."""
    from pyspark.sql import functions as PF
    ours, theirs = frames

    def build(d, f):
        return d.select(f.random(3), f.uniform(f.lit(0), f.lit(10), f.lit(3)),
                        f.uniform(f.lit(0.0), f.lit(1.0), f.lit(3)), f.randstr(f.lit(5), f.lit(1)),
                        f.uuid())
    got, want = build(ours, F), build(theirs, PF)
    _same_shape(got, want)
    rows = got.collect()
    assert all(0 <= r[1] < 10 and 0.0 <= r[2] < 1.0 and len(r[3]) == 5 and r[3].isalnum()
               and len(r[4]) == 36 for r in rows)
    again = build(ours, F).collect()
    assert [r[:4] for r in rows] == [r[:4] for r in again]
    assert len({r[4] for r in rows}) == len(rows)


def test_raise_error_and_failed_assertion(frames, spark):
    from pyspark.sql import functions as PF
    ours, theirs = frames
    _same_shape(ours.select(F.raise_error("boom")), theirs.select(PF.raise_error("boom")))
    with pytest.raises(Exception, match=r"USER_RAISED_EXCEPTION\] boom"):
        ours.select(F.raise_error("boom")).collect()
    with pytest.raises(Exception, match=r"'\(i > 1\)' is not true!"):
        ours.select(F.assert_true(F.col("i") > 1)).collect()
    with pytest.raises(Exception, match="custom"):
        spark.sql("SELECT assert_true(false, 'custom')").collect()


BITMAP_ROWS = [(1, 1, b"\x01"), (1, 5, b"\x03\x00\x80"), (1, None, None), (2, 32768, None),
               (2, 32769, b"\xff"), (3, -1, b""), (3, 0, b"\x10"), (4, None, None)]


@pytest.fixture(scope="module")
def bitmap_frames(spark, pyspark):
    schema = "g int, v long, b binary"
    return spark.createDataFrame(BITMAP_ROWS, schema), pyspark.createDataFrame(BITMAP_ROWS, schema)


def test_bitmap_scalars(bitmap_frames):
    _run(bitmap_frames, lambda d, f: d.select(f.bitmap_bit_position("v"),
                                              f.bitmap_bucket_number("v"), f.bitmap_count("b")))


def test_bitmap_aggregates(bitmap_frames, spark, pyspark):
    """Spark's 4096-byte layout, byte for byte; all-null groups give empty (or full) bitmaps."""
    _run(bitmap_frames, lambda d, f: d.groupBy("g").agg(
        f.bitmap_construct_agg(f.bitmap_bit_position("v")), f.bitmap_or_agg("b"),
        f.bitmap_and_agg("b")))
    _sql(bitmap_frames, spark, pyspark,
         "bitmap_count(bitmap_construct_agg(bitmap_bit_position(v))), bitmap_count(bitmap_or_agg(b))")


def test_shuffle_shape(bitmap_frames):
    from pyspark.sql import functions as PF
    ours, theirs = bitmap_frames
    got = ours.select(F.shuffle(F.array("g", "v")), F.shuffle(F.array(F.lit(1), F.lit(2)), F.lit(7)))
    _same_shape(got, theirs.select(PF.shuffle(PF.array("g", "v")),
                                   PF.shuffle(PF.array(PF.lit(1), PF.lit(2)), PF.lit(7))))
    rows = got.collect()
    assert all(sorted(r[1]) == [1, 2] for r in rows)
    assert rows == got.collect()  # a seeded shuffle repeats


def test_to_csv_and_from_csv(spark, pyspark):
    from pyspark.sql import functions as PF
    rows = [(1, "a,b", 2.5, None, "1,abc,2.5"), (None, None, NAN, True, "x,,"),
            (3, 'q"x', 1e20, False, None), (4, " sp ", -0.0, True, "7")]
    schema = "i int, s string, d double, t boolean, v string"
    ours, theirs = spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)
    assert_same(ours.select(F.to_csv(F.struct("i", "s", "d", "t")),
                            F.from_csv("v", "a INT, b STRING, c DOUBLE")),
                theirs.select(PF.to_csv(PF.struct("i", "s", "d", "t")),
                              PF.from_csv("v", "a INT, b STRING, c DOUBLE")))


SCHEMA_SAMPLES = [
    "schema_of_csv('1,abc,2.5,true,,2020-01-01')", "schema_of_csv('a')",
    "schema_of_csv('3000000000,-1,NaN')",
    "schema_of_json('{\"a\": 1, \"b\": [1.5, 2], \"c\": {\"d\": \"x\"}, \"e\": null, \"f\": true}')",
    "schema_of_json('[1, 2]')", "schema_of_json('{\"z\": 1.0e3, \"a\": []}')",
    "schema_of_json('[1, \"x\"]')",
]


@pytest.mark.parametrize("select", SCHEMA_SAMPLES)
def test_schema_inference(spark, pyspark, select):
    assert_same(spark.sql(f"SELECT {select}"), pyspark.sql(f"SELECT {select}"))


def test_schema_inference_python_api(spark, pyspark):
    from pyspark.sql import functions as PF
    sample = '{"b": 12345678901, "a": "x"}'
    assert_same(spark.range(1).select(F.schema_of_json(F.lit(sample)), F.schema_of_csv("1,x")),
                pyspark.range(1).select(PF.schema_of_json(PF.lit(sample)), PF.schema_of_csv("1,x")))
    with pytest.raises(AnalysisException, match="foldable"):
        F.schema_of_json(F.col("s"))


INLINE_ROWS = [(1, [(1, "a"), (2, None)]), (2, []), (3, None), (4, [None, (5, "e")])]


@pytest.fixture(scope="module")
def inline_frames(spark, pyspark):
    schema = "k int, xs array<struct<a:int,b:string>>"
    return spark.createDataFrame(INLINE_ROWS, schema), pyspark.createDataFrame(INLINE_ROWS, schema)


def test_inline_and_stack(inline_frames):
    """A null struct inside the array gives a row of nulls; inline_outer keeps null and empty
    arrays as one row of nulls."""
    _run(inline_frames, lambda d, f: d.select("k", f.inline("xs")))
    _run(inline_frames, lambda d, f: d.select("k", f.inline_outer("xs")))
    _run(inline_frames, lambda d, f: d.select(f.stack(f.lit(2), "k", f.lit(7), f.col("k") * 2,
                                                      f.lit(None).cast("int"))))


def test_inline_and_stack_sql(inline_frames, spark, pyspark):
    _sql(inline_frames, spark, pyspark, "k, inline_outer(xs)")
    _sql(inline_frames, spark, pyspark, "stack(2, 'x', k, 'y', k + 1)")


def test_inline_refuses_non_struct_elements(spark):
    df = spark.createDataFrame([([1],)], "xs array<int>")
    with pytest.raises(AnalysisException, match="ARRAY<STRUCT>"):
        df.select(F.inline("xs"))


JSON_DOCS = ['[{"f1":"value1"},{"f1":"value2"}]', '[{"f1":"value12"},{"f2":"value13"}]', '[1]',
             '[1,2]', '[]', '{"a":[{"b":1},{"b":null},{"c":2}]}', '{"a":[[1,2],[3]]}',
             '[{"f1":[1,2]},{"f1":[3]}]', '[{"f1":null}]', '[1,null]', '[null]', '[[null]]',
             '[[1,[2]],3]', '{"a":null}', '[["x","y"],"z"]', 'not json', None]
JSON_PATHS = ['$[*].f1', '$[*]', '$.a[*].b', '$.a[*]', '$.a[*][*]', '$.a[*][0]', '$[*].f1[*]',
              '$[*].f1[0]', '$[0]', '$.*', '$[*][*]', '$[0][*]', '$[*][*][*]', '$.a']


def test_get_json_object_wildcards(spark, pyspark):
    """Spark's wildcard rules: one match unwrapped (a string keeps its quotes), [*][*]
    flattens, an index before a wildcard keeps the array, a null field is no match."""
    from pyspark.sql import functions as PF
    rows = [(i, d) for i, d in enumerate(JSON_DOCS)]
    ours, theirs = spark.createDataFrame(rows, "i int, j string"), pyspark.createDataFrame(rows, "i int, j string")
    assert_same(ours.select("i", *[F.get_json_object("j", p) for p in JSON_PATHS]),
                theirs.select("i", *[PF.get_json_object("j", p) for p in JSON_PATHS]))


def test_from_json_and_from_csv_options(spark, pyspark):
    """The options PySpark's docstrings use, and schemas given as schema_of_* columns."""
    from pyspark.sql import functions as PF
    rows = [("{a:123}", "  abc ; d ;NA", "1,2,3"), ('{"a":456}', "x;;y", "4,5,"), (None, None, None)]
    schema = "j string, c string, n string"
    ours, theirs = spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)

    def build(d, f):
        return d.select(
            f.from_json("j", "a INT"), f.from_json("j", "a INT", {"allowUnquotedFieldNames": "true"}),
            f.from_json("j", f.schema_of_json('{"a": 1}'), {"allowUnquotedFieldNames": True}),
            f.from_csv("c", "s string, t string, u string", {"sep": ";"}),
            f.from_csv("c", "s string, t string, u string",
                       {"delimiter": ";", "ignoreLeadingWhiteSpace": True, "nullValue": "NA"}),
            f.from_csv("c", "s string, t string", {"sep": ";", "ignoreTrailingWhiteSpace": "true"}),
            f.from_csv("n", f.schema_of_csv("1,2,3")), f.from_csv("n", "a INT, b INT, c INT"))
    assert_same(build(ours, F), build(theirs, PF))


def test_from_json_and_from_csv_refuse_other_options(spark):
    df = spark.createDataFrame([("1",)], "v string")
    with pytest.raises(NotImplementedError, match="dateFormat"):
        df.select(F.from_json("v", "a INT", {"dateFormat": "yyyy"}))
    with pytest.raises(NotImplementedError, match="quote"):
        df.select(F.from_csv("v", "a INT", {"quote": "'"}))


def test_dayname_of_strings(spark, pyspark):
    from pyspark.sql import functions as PF
    rows = [("2024-01-15 10:00:00",), ("2024-01-16",), ("2024-01-20T23:59:59",), ("x",), (None,)]
    ours, theirs = spark.createDataFrame(rows, "s string"), pyspark.createDataFrame(rows, "s string")
    assert_same(ours.select(F.dayname("s"), F.dayname(F.to_timestamp("s"))),
                theirs.select(PF.dayname("s"), PF.dayname(PF.to_timestamp("s"))))
