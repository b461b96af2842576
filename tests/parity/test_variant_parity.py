"""VARIANT values and functions against PySpark: the stored bytes (VariantVal's repr), show()
text, JSON text, schemas, variant_get casts, path edits and their errors, on JSON with nulls,
nested objects and arrays, integers, decimals, doubles and invalid text."""

from __future__ import annotations

import contextlib
import io

import pytest

from dfml.sql import functions as DF

JSONS = ['{"a":1}', '{"b":1,"a":2}', '{"b":{"z":1,"y":2},"a":[1,2]}', '1.5', '1.50', '0.05', '1e5',
         '1E20', '123456789012345678901234567890', '1.0', '-0.0', '"hi"', 'null', 'true', '[]',
         '{}', '[1,"a",null]', '[1,2.5]', '[1,2.5e0]', '[{"a":1},{"b":"x"}]', '"' + 'x' * 70 + '"',
         '3.14159265358979323846', '1e-7', '12345.678', '[1, 1.5, 1.25, null]', '9223372036854775807',
         '9223372036854775808', '100000000.0', '12345678901234567890123456789012345678901234',
         '{"a":{"b":[1,{"c":null}]},"d":"s","e":false}', '"a\\u0001\\n\\t/\u00e9"', None,
         # more than 255 fields and elements, offsets past one and two bytes: the wide layouts
         '{' + ",".join(f'"k{i}":[{i},"{"v" * (i % 90)}"]' for i in range(300)) + '}',
         '[' + ",".join(str(i * 1000003) for i in range(700)) + ']']


def _plain(v):
    if type(v).__name__ == "VariantVal":
        return ("variant", repr(v))
    if hasattr(v, "asDict") and isinstance(v, tuple):
        return tuple(_plain(x) for x in v)
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return sorted((k, _plain(x)) for k, x in v.items())
    return v


def _same(ours, theirs):
    assert ours.columns == theirs.columns
    assert [t for _, t in ours.dtypes] == [t for _, t in theirs.dtypes]
    a, b = [_plain(r) for r in ours.collect()], [_plain(r) for r in theirs.collect()]
    assert a == b, f"\n dfml:    {a}\n pyspark: {b}"


def _shown(df, **kw):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        df.show(**kw)
    return buf.getvalue()


@pytest.fixture
def frames(both):
    return both([(i, j) for i, j in enumerate(JSONS)], "i int, j string")


def test_parse_json_bytes_text_and_schema(frames, pyspark):
    from pyspark.sql import functions as PF
    ours, theirs = frames

    def q(F, df):
        v = F.parse_json("j")
        return df.orderBy("i").select(v, F.to_json(v), F.schema_of_variant(v), F.is_variant_null(v),
                                      F.is_valid_variant(v), F.try_parse_json("j"))
    _same(q(DF, ours), q(PF, theirs))
    assert _shown(q(DF, ours)) == _shown(q(PF, theirs))
    assert _shown(q(DF, ours).select("parse_json(j)"), truncate=False) == \
        _shown(q(PF, theirs).select("parse_json(j)"), truncate=False)
    assert str(q(DF, ours)) == str(q(PF, theirs))


def test_variant_val_methods(spark, pyspark):
    j = '{"a":1,"b":[1.5,null,"x"],"c":{"d":1e3}}'
    ours = spark.createDataFrame([(j,)], "j string").select(DF.parse_json("j").alias("v")).head().v
    from pyspark.sql import functions as PF
    theirs = pyspark.createDataFrame([(j,)], "j string").select(PF.parse_json("j").alias("v")).head().v
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs) and ours.toJson() == theirs.toJson()
    assert ours.toPython() == theirs.toPython()


def test_invalid_json(both, pyspark):
    from pyspark.sql import functions as PF
    ours, theirs = both([("{a:1}",), ('{"a":1,"a":2}',), ("NaN",), ("[1,",)], "j string")
    _same(ours.select(DF.try_parse_json("j")), theirs.select(PF.try_parse_json("j")))
    for bad in ["{a:1}", '{"a":1,"a":2}']:
        with pytest.raises(Exception):
            theirs.filter(PF.col("j") == bad).select(PF.parse_json("j")).collect()
        with pytest.raises(Exception):
            ours.filter(DF.col("j") == bad).select(DF.parse_json("j")).collect()


GETS = [("$.a", "int"), ("$.a", "string"), ("$.b", "array<double>"), ("$.b[0]", "decimal(5,2)"),
        ("$.b[1]", "int"), ("$.c", "struct<d:double,e:int>"), ("$.c", "map<string,string>"),
        ("$['c'][\"d\"]", "bigint"), ("$", "string"), ("$.s", "int"), ("$.s", "boolean"),
        ("$.t", "boolean"), ("$.n", "int"), ("$.n", "variant"), ("$.missing", "int"), ("$.a", "variant"),
        ("$.x", "date"), ("$.big", "tinyint"), ("$.b", "int"), ("$.a", "binary")]


def test_variant_get_and_try(both, pyspark):
    from pyspark.sql import functions as PF
    rows = [('{"a":1,"b":[1.255,"x",null],"c":{"d":2.5,"e":"7"},"s":"12","t":"true","n":null,'
             '"x":"2024-02-03","big":300}',), ('[1]',), (None,)]
    ours, theirs = both(rows, "j string")

    def q(F, df, fn):
        v = F.parse_json("j")
        return df.select(*[getattr(F, fn)(v, p, t) for p, t in GETS])
    _same(q(DF, ours, "try_variant_get"), q(PF, theirs, "try_variant_get"))
    fine = [g for g in GETS if g not in [("$.b", "int"), ("$.a", "binary"), ("$.big", "tinyint"),
                                          ("$.s", "boolean"), ("$.b", "array<double>"),
                                          ("$.c", "struct<d:double,e:int>"), ("$.b[1]", "int")]]

    def ok(F, df):
        v = F.parse_json("j")
        return df.select(*[F.variant_get(v, p, t) for p, t in fine])
    _same(ok(DF, ours), ok(PF, theirs))
    with pytest.raises(Exception, match="INVALID_VARIANT_CAST"):
        ours.select(DF.variant_get(DF.parse_json("j"), "$.big", "tinyint")).collect()


def test_path_column_and_bad_paths(both, pyspark):
    from pyspark.sql import functions as PF
    ours, theirs = both([('{"a":{"b":[5,6]}}', "$.a.b[1]"), ('{"a":1}', "$.a"), ('{"a":1}', None)],
                        "j string, p string")
    _same(ours.select(DF.variant_get(DF.parse_json("j"), DF.col("p"), "int")),
          theirs.select(PF.variant_get(PF.parse_json("j"), PF.col("p"), "int")))
    for bad in ["a", "$a", "$.a.", "$[-1]"]:
        with pytest.raises(Exception, match="INVALID_VARIANT_GET_PATH"):
            ours.select(DF.variant_get(DF.parse_json("j"), bad, "int")).collect()


def test_edits(both, pyspark):
    from pyspark.sql import functions as PF
    ours, theirs = both([('{"a":1,"arr":[1,2,3],"o":{"x":null}}', "$.o.y"), ('[[1,2],5]', "$[0]"),
                         ('null', "$[0]"), (None, "$.a")], "j string, p string")

    def q(F, df):
        v = F.parse_json("j")
        return df.select(
            F.try_variant_insert(v, "$.b", F.lit(2)), F.try_variant_insert(v, "$.arr[1]", F.lit("z")),
            F.try_variant_insert(v, "$.c.d[2]", F.lit(3)), F.try_variant_insert(v, "$.a", F.lit(2)),
            F.try_variant_set(v, "$.a", F.parse_json(F.lit("[1.5, null]"))),
            F.try_variant_set(v, "$.arr[5]", F.lit(9)), F.try_variant_set(v, "$.q", F.lit(9), False),
            F.try_variant_set(v, F.col("p"), F.lit(None)),
            F.try_variant_array_append(v, "$", F.lit(3)), F.try_variant_array_append(v, "$.arr", F.lit(4)),
            F.try_variant_array_append(v, F.col("p"), F.lit(9)),
            F.variant_delete(v, "$.a", F.lit(None), "$.arr[0]", "$[1]"), F.variant_delete(v, F.col("p")),
            F.variant_strip_nulls(v), F.variant_strip_nulls(v, False),
            F.to_variant_object(F.struct(F.col("p").alias("k"), F.lit(1.5).alias("d"),
                                         F.array(F.lit(1), F.lit(None)).alias("a"))).alias("tvo"),
            F.to_variant_object(F.create_map(F.lit("k"), F.col("p"))).alias("tvm"))
    _same(q(DF, ours), q(PF, theirs))


def test_edit_errors(spark):
    df = spark.createDataFrame([('{"a":1}',)], "j string")
    v = DF.parse_json("j")
    for fn, args, cls in [(DF.variant_insert, ("$.a", DF.lit(2)), "VARIANT_DUPLICATE_KEY"),
                          (DF.variant_insert, ("$.a.b", DF.lit(2)), "VARIANT_PATH_TYPE_MISMATCH"),
                          (DF.variant_set, ("$.a.b", DF.lit(2)), "VARIANT_PATH_TYPE_MISMATCH"),
                          (DF.variant_array_append, ("$.a", DF.lit(2)), "VARIANT_PATH_TYPE_MISMATCH")]:
        with pytest.raises(Exception, match=cls):
            df.select(fn(v, *args)).collect()
    with pytest.raises(Exception, match="INVALID_VARIANT_PATH"):
        DF.variant_delete(v, "$")
    with pytest.raises(Exception, match="DATATYPE_MISMATCH"):
        df.select(DF.variant_get("j", "$.a", "int"))
    with pytest.raises(NotImplementedError, match="timestamp"):
        DF.variant_get(v, "$.a", "timestamp")


def test_schema_of_variant_agg(both, pyspark):
    from pyspark.sql import functions as PF
    ours, theirs = both([(1, '{"a":1}'), (1, '{"b":1.5,"a":2.25}'), (2, "1"), (2, "2.5"), (2, None),
                         (3, None), (4, '[1]'), (4, '{"a":1}')], "g int, j string")
    _same(ours.groupBy("g").agg(DF.schema_of_variant_agg(DF.parse_json("j"))).orderBy("g"),
          theirs.groupBy("g").agg(PF.schema_of_variant_agg(PF.parse_json("j"))).orderBy("g"))


@pytest.mark.parametrize("q", [
    "select parse_json('{\"a\":[1,2.5]}') v, variant_get(parse_json('{\"a\":[1,2.5]}'), '$.a[1]', "
    "'double') d, schema_of_variant(parse_json('[1]')) s",
    "select parse_json('{\"a\":1}')::string s, cast(parse_json('1') as int) i, cast('{\"a\":1}' as "
    "variant) v, cast(1 as variant) w, 1.5::variant x, "
    "cast(parse_json('[1,\"2\"]') as array<int>) z, cast(parse_json('null') as string) n",
    "select to_variant_object(named_struct('b', 1, 'a', 'x', 'd', date'2024-01-01', 'f', 1.5f, "
    "'e', 1.5D)) o, variant_strip_nulls(parse_json('[null, {\"a\": null}, [null]]'), false) p"])
def test_sql_text(spark, pyspark, q):
    _same(spark.sql(q), pyspark.sql(q))


def test_cast_from_variant_is_strict(spark, pyspark):
    q = "select cast(parse_json('\"x\"') as int) y"
    with pytest.raises(Exception, match="INVALID_VARIANT_CAST"):
        pyspark.sql(q).collect()
    with pytest.raises(Exception, match="INVALID_VARIANT_CAST"):
        spark.sql(q).collect()


def test_parquet_both_ways(both, pyspark, spark, tmp_path):
    from pyspark.sql import functions as PF
    ours, theirs = both([(1, '{"a":1,"b":[1.5,null]}'), (2, None), (3, '"s"')], "i int, j string")
    ours.select("i", DF.parse_json("j").alias("v")).write.parquet(str(tmp_path / "ours"))
    theirs.select("i", PF.parse_json("j").alias("v")).write.parquet(str(tmp_path / "theirs"))
    for name in ["ours", "theirs"]:
        _same(spark.read.parquet(str(tmp_path / name)).orderBy("i"),
              pyspark.read.parquet(str(tmp_path / name)).orderBy("i"))
