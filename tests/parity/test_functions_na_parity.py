"""Functions added to reach 500 (issue 9, part "na"): vector_*, the xpath family and the rest of
this batch, against real PySpark: same rows, result types and generated column names, on inputs
with nulls, NaN, empty values and ties. One PySpark session for the module (the session fixture)."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from tests.parity.helpers import assert_same

NAN = float("nan")
VEC_ROWS = [([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], 1), ([0.0, 0.0, 0.0], [1.0, 2.0, 3.0], 1),
            (None, [1.0, 2.0, 3.0], 2), ([1.0, None, 3.0], [1.0, 2.0, 3.0], 2),
            ([NAN, 1.0, 1.0], [1.0, -2.0, 3.5], 3), ([], [], 4), ([2.5, -1.0, 0.5], None, 3)]
VEC_SCHEMA = "a array<float>, b array<float>, g int"
XML = '<a><b>b1</b><b>b2</b><c>3</c><d x="7">t</d><e> 12 </e><f>1e3</f></a>'
XML_ROWS = [(XML,), (None,), ("<a><c>1.5</c><c>-2</c></a>",), ("<a><c>x</c></a>",), ("",),
            ("<a><c>99999999999</c><b>b</b></a>",)]


def _pair(spark, pyspark, rows, schema):
    return spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)


@pytest.fixture(scope="module")
def vectors(spark, pyspark):
    return _pair(spark, pyspark, VEC_ROWS, VEC_SCHEMA)


@pytest.fixture(scope="module")
def xml(spark, pyspark):
    return _pair(spark, pyspark, XML_ROWS, "x string")


def _run(frames, build, rel=1e-9):
    ours, theirs = frames
    from pyspark.sql import functions as PF
    assert_same(build(ours, F), build(theirs, PF), rel=rel)


VECTOR_CASES = {
    "pairs": lambda d, f: d.select(f.vector_cosine_similarity("a", "b"), f.vector_inner_product("a", "b"),
                                   f.vector_l2_distance(d.a, "b")),
    "norms": lambda d, f: d.select(f.vector_norm("a"), f.vector_norm("b", f.lit(1.0).cast("float")),
                                   f.vector_norm("a", f.lit(float("inf")).cast("float")),
                                   f.vector_norm("b", f.lit(float("inf")).cast("float"))),
    "normalize": lambda d, f: d.select(f.vector_normalize("a"),
                                       f.vector_normalize("b", f.lit(1.0).cast("float"))),
    "aggs": lambda d, f: d.filter("g < 3").groupBy("g").agg(f.vector_sum("b"), f.vector_avg("b")),
    "aggs_nulls": lambda d, f: d.filter("g = 3").agg(f.vector_sum("a"), f.vector_avg("a"),
                                                     f.vector_sum("b")),
    "aggs_empty": lambda d, f: d.filter("g > 100").agg(f.vector_sum("a"), f.vector_avg("b")),
}


@pytest.mark.parametrize("case", list(VECTOR_CASES))
def test_vectors_match_pyspark(vectors, case):
    _run(vectors, VECTOR_CASES[case], rel=1e-6)


def test_vectors_refuse_double_arrays_and_other_lengths(spark, pyspark):
    d = spark.createDataFrame([([1.0, 2.0], [1.0])], "a array<double>, b array<double>")
    with pytest.raises(AnalysisException, match='requires the "ARRAY<FLOAT>" type'):
        d.select(F.vector_inner_product("a", "b")).collect()
    f = spark.createDataFrame([([1.0, 2.0], [1.0])], "a array<float>, b array<float>")
    with pytest.raises(Exception, match="VECTOR_DIMENSION_MISMATCH"):
        f.select(F.vector_l2_distance("a", "b")).collect()
    with pytest.raises(Exception, match="INVALID_VECTOR_NORM_DEGREE"):
        f.select(F.vector_norm("a", F.lit(3.0).cast("float"))).collect()


XPATH_CASES = {
    "xpath": lambda d, f: d.select(f.xpath("x", f.lit("a/b/text()")), f.xpath("x", f.lit("a/d/@x")),
                                   f.xpath("x", f.lit("a/b")), f.xpath("x", f.lit("a/zz/text()"))),
    "string": lambda d, f: d.select(f.xpath_string("x", f.lit("a/b")), f.xpath_string("x", f.lit("a/d/@x")),
                                    f.xpath_string("x", f.lit("a/zz")),
                                    f.xpath_string("x", f.lit("concat(a/b[2], '-', count(a/c))"))),
    "boolean": lambda d, f: d.select(f.xpath_boolean("x", f.lit("a/b")), f.xpath_boolean("x", f.lit("a/zz")),
                                     f.xpath_boolean("x", f.lit("a/c > 2"))),
    "numbers": lambda d, f: d.select(f.xpath_int("x", f.lit("a/c")), f.xpath_long("x", f.lit("sum(a/c)")),
                                     f.xpath_short("x", f.lit("a/c")), f.xpath_float("x", f.lit("a/c")),
                                     f.xpath_double("x", f.lit("a/c")), f.xpath_number("x", f.lit("a/e")),
                                     f.xpath_double("x", f.lit("a/f")), f.xpath_int("x", f.lit("count(a/b)"))),
    "predicates": lambda d, f: d.select(f.xpath("x", f.lit("//b[last()]/text()")),
                                        f.xpath_string("x", f.lit("a/*[@x='7']")),
                                        f.xpath("x", f.lit("a/b[position() > 1]/text()")),
                                        f.xpath_double("x", f.lit("a/c * 2 + 1"))),
}


@pytest.mark.parametrize("case", list(XPATH_CASES))
def test_xpath_matches_pyspark(xml, case):
    _run(xml, XPATH_CASES[case])


def test_xpath_path_must_be_constant(spark):
    d = spark.createDataFrame([("<a/>", "a")], "x string, p string")
    with pytest.raises(AnalysisException, match="foldable"):
        d.select(F.xpath_string("x", "p")).collect()
