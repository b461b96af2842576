"""Tokenizer, RegexTokenizer, StopWordsRemover, NGram: Java's split and regex rules, locale
lowercasing, plan-only transforms (FitSpec kind transform, no graph before an action),
persistence round trips, and named errors for bad params, columns and null rows."""

from __future__ import annotations

import json
import os

import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import NGram, RegexTokenizer, StopWordsRemover, Tokenizer
from dfml.ml.feature._javaregex import compile_java, java_split, utf16_length
from dfml.ml.feature.text import java_lower
from dfml.ml.fitspec import TRANSFORM
from dfml.sql import types as T
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException


@pytest.fixture
def text(spark):
    return spark.createDataFrame([(0, "Hello  World"), (1, " a,b "), (2, "")], "id int, s string")


@pytest.fixture
def tokens(spark):
    return spark.createDataFrame([(0, ["The", "cat", None, "sat"]), (1, [])],
                                 "id int, a array<string>")


def _out(df):
    return [r.o for r in df.orderBy("id").collect()]


# -- Java's rules -----------------------------------------------------------------------------

@pytest.mark.parametrize("s,expected", [
    ("a b", ["a", "b"]), ("  a", ["", "", "a"]), ("a  ", ["a"]), (" ", []), ("", [""]),
    ("a\u00a0b", ["a\u00a0b"]), ("a\x0bb", ["a", "b"]),
])
def test_java_split_on_whitespace(s, expected):
    """Leading empty pieces stay, trailing ones go, no match keeps the whole string, and only
    ASCII whitespace separates (Python's ``str.split``/``re`` would split at U+00A0 too)."""
    assert java_split(compile_java("\\s"), s) == expected


def test_java_split_zero_width_match_at_start_adds_no_empty_piece():
    assert java_split(compile_java("(?=[A-Z])"), "HelloWorld") == ["Hello", "World"]


@pytest.mark.parametrize("pattern,s,expected", [
    ("\\w+", "straße é1", ["stra", "e", "1"]),          # \w is ASCII in Java
    ("\\p{L}+", "straße é1", ["straße", "é"]),          # \p{L}: every letter
    ("\\p{Punct}", "a,b!c", [",", "!"]),
    ("\\p{IsAlphabetic}+", "ab1c", ["ab", "c"]),
    ("[\\p{Lu}]+", "aBCd", ["BC"]),
    ("\\Q.*\\E", "a.*b", [".*"]),
    ("(?<w>a)\\k<w>", "aab", ["aa"]),
    ("\\h+", "a\u00a0\tb", ["\u00a0\t"]),
    ("\\v", "a\nb\u2028c\x0bd", ["\n", "\u2028", "\x0b"]),      # Java's \v: vertical space
    ("\\R", "a\r\nb\rc", ["\r\n", "\r"]),
    ("[\\e]", "a\x1bb", ["\x1b"]),
    ("(?i)k", "Kk\u212a", ["K", "k"]),                  # case folding is ASCII-only in Java
    ("\\b\\w+\\b", "straße is é1 i\u0307x ok_2", ["is", "ok_2"]),  # Java 17's Unicode \b
])
def test_java_regex_constructs(pattern, s, expected):
    assert [m.group(0) for m in compile_java(pattern).finditer(s)] == expected


def test_bad_patterns_are_named():
    with pytest.raises(IllegalArgumentException, match="not a valid regular expression"):
        compile_java("(unclosed")
    with pytest.raises(IllegalArgumentException, match="Klingon"):
        compile_java("\\p{Klingon}")


def test_utf16_length_counts_astral_characters_twice():
    assert utf16_length("a😀") == 3 and utf16_length("é") == 1


def test_turkish_lowercasing_only_for_the_bare_language():
    assert java_lower("DIŞ İ", "tr") == "dış i"
    assert java_lower("DIŞ", "tr_TR") == "diş"  # Spark reads "tr_TR" as a language name
    assert java_lower("ΟΔΟΣ") == "οδος"         # final sigma as Java lowercases it


# -- transforms -------------------------------------------------------------------------------

def test_tokenizer_keeps_spark_empty_tokens(text):
    out = Tokenizer(inputCol="s", outputCol="o").transform(text)
    assert out.schema["o"] == T.StructField("o", T.ArrayType(T.StringType(), True), True)
    assert _out(out) == [["hello", "", "world"], ["", "a,b"], [""]]


def test_regex_tokenizer_params(text):
    rt = RegexTokenizer(inputCol="s", outputCol="o", pattern="[\\s,]+", toLowercase=False)
    assert _out(rt.transform(text)) == [["Hello", "World"], ["a", "b"], []]
    rt.setMinTokenLength(0)
    assert _out(rt.transform(text)) == [["Hello", "World"], ["", "a", "b"], [""]]
    rt.setGaps(False).setPattern("[a-z]+").setToLowercase(True).setMinTokenLength(2)
    assert _out(rt.transform(text)) == [["hello", "world"], [], []]


def test_stop_words_remover_keeps_null_tokens(tokens):
    out = StopWordsRemover(inputCol="a", outputCol="o").transform(tokens)
    assert _out(out) == [["cat", None, "sat"], []]
    case = StopWordsRemover(inputCol="a", outputCol="o", caseSensitive=True)
    assert _out(case.transform(tokens)) == [["The", "cat", None, "sat"], []]


def test_stop_words_remover_output_is_nullable_whatever_the_input(spark):
    schema = T.StructType([T.StructField("a", T.ArrayType(T.StringType(), False), False)])
    out = StopWordsRemover(inputCol="a", outputCol="o").transform(
        spark.createDataFrame([(["a", "x"],)], schema))
    assert out.schema["o"] == T.StructField("o", T.ArrayType(T.StringType(), True), True)
    assert out.collect()[0].o == ["x"]


def test_stop_words_remover_multi_column(spark):
    df = spark.createDataFrame([(0, ["a", "x"], ["THE", "y"])], "id int, a array<string>, "
                               "b array<string>")
    out = StopWordsRemover(inputCols=["a", "b"], outputCols=["oa", "ob"]).transform(df)
    row = out.collect()[0]
    assert (row.oa, row.ob) == (["x"], ["y"])


def test_ngram_joins_and_prints_null_tokens(tokens):
    assert _out(NGram(inputCol="a", outputCol="o").transform(tokens)) == \
        [["The cat", "cat null", "null sat"], []]
    assert _out(NGram(inputCol="a", outputCol="o", n=5).transform(tokens)) == [[], []]


def test_default_stop_words_are_spark_lists():
    english = StopWordsRemover.loadDefaultStopWords("english")
    assert len(english) == 181 and english[:3] == ["i", "me", "my"]
    assert len(StopWordsRemover.loadDefaultStopWords("finnish")) == 235  # repeats kept
    assert "" not in StopWordsRemover.loadDefaultStopWords("french")
    assert StopWordsRemover().getStopWords() == english


def test_text_stages_are_plan_only_transforms(spark, text, tokens, graphs):
    n = graphs()
    for stage, df in [(Tokenizer(inputCol="s", outputCol="o"), text),
                      (RegexTokenizer(inputCol="s", outputCol="o"), text),
                      (StopWordsRemover(inputCol="a", outputCol="o"), tokens),
                      (NGram(inputCol="a", outputCol="o"), tokens)]:
        spec = stage._fit_spec(df.schema)
        assert spec.kind == TRANSFORM and spec.writes == ("o",) and spec.aggregations == ()
        stage.transform(df)
    assert n.count == 0


def test_pipeline_of_text_stages_fits_without_reading(text, graphs):
    pipe = Pipeline(stages=[Tokenizer(inputCol="s", outputCol="w"),
                            StopWordsRemover(inputCol="w", outputCol="c"),
                            NGram(inputCol="c", outputCol="o")])
    n = graphs()
    model = pipe.fit(text)
    assert n.count == 0
    assert _out(model.transform(text)) == [["hello ", " world"], [" a,b"], []]


# -- persistence ------------------------------------------------------------------------------

@pytest.mark.parametrize("stage", [
    Tokenizer(inputCol="s", outputCol="o"),
    RegexTokenizer(inputCol="s", outputCol="o", pattern="\\p{L}+", gaps=False, minTokenLength=2,
                   toLowercase=False),
    StopWordsRemover(inputCol="s", outputCol="o", stopWords=["ünï", "x"], caseSensitive=True,
                     locale="tr"),
    StopWordsRemover(inputCols=["a", "b"], outputCols=["c", "d"]),
    NGram(inputCol="s", outputCol="o", n=3),
], ids=["tokenizer", "regex", "stop_custom", "stop_multi", "ngram"])
def test_save_load_round_trip(tmp_path, stage):
    path = str(tmp_path / "stage")
    stage.save(path)
    loaded = type(stage).load(path)
    assert loaded.uid == stage.uid
    assert {p.name: v for p, v in loaded.extractParamMap().items()} == \
        {p.name: v for p, v in stage.extractParamMap().items()}
    with open(os.path.join(path, "metadata", "part-00000"), encoding="utf-8") as f:
        meta = json.loads(f.read())
    assert meta["class"] == f"dfml.ml.feature.text.{type(stage).__name__}"
    assert not os.path.exists(os.path.join(path, "data"))  # params only, as in Spark


def test_pipeline_model_with_text_stages_round_trip(tmp_path, text):
    model = Pipeline(stages=[RegexTokenizer(inputCol="s", outputCol="w", pattern=","),
                             NGram(inputCol="w", outputCol="o", n=1)]).fit(text)
    model.save(str(tmp_path / "m"))
    loaded = PipelineModel.load(str(tmp_path / "m"))
    assert _out(loaded.transform(text)) == _out(model.transform(text))


# -- errors -----------------------------------------------------------------------------------

def test_missing_column_is_named_with_a_suggestion(text):
    with pytest.raises(AnalysisException, match="`sx`.*Did you mean `s`"):
        Tokenizer(inputCol="sx", outputCol="o").transform(text)


@pytest.mark.parametrize("stage,col,want", [
    (Tokenizer(inputCol="id", outputCol="o"), "id", "string"),
    (RegexTokenizer(inputCol="id", outputCol="o"), "id", "string"),
    (StopWordsRemover(inputCol="s", outputCol="o"), "s", "array<string>"),
    (NGram(inputCol="s", outputCol="o"), "s", "array<string>"),
])
def test_wrong_input_type(text, stage, col, want):
    with pytest.raises(IllegalArgumentException, match=f"`{col}` must be {want}"):
        stage.transform(text)


def test_output_column_must_be_new(text, tokens):
    with pytest.raises(IllegalArgumentException, match="`s` already exists"):
        Tokenizer(inputCol="s", outputCol="s").transform(text)
    with pytest.raises(IllegalArgumentException, match="`a` already exists"):
        StopWordsRemover(inputCol="a", outputCol="a").transform(tokens)


@pytest.mark.parametrize("stage,match", [
    (RegexTokenizer(inputCol="s", outputCol="o", minTokenLength=-1), "minTokenLength"),
    (RegexTokenizer(inputCol="s", outputCol="o", pattern="[a-"), "pattern"),
    (NGram(inputCol="a", outputCol="o", n=0), "n must be >= 1"),
    (StopWordsRemover(inputCol="a", outputCol="o", locale="xx_YY"), "locale 'xx_YY'"),
    (StopWordsRemover(inputCol="a", outputCols=["o"]), "outputCols"),
    (StopWordsRemover(inputCols=["a"], outputCols=["o", "p"]), "outputCols has 2"),
])
def test_bad_params_fail_before_any_work(text, tokens, stage, match, graphs):
    df = text if stage.hasParam("pattern") else tokens
    n = graphs()
    with pytest.raises(IllegalArgumentException, match=match):
        stage.transform(df)
    assert n.count == 0


def test_unknown_stop_word_language():
    with pytest.raises(IllegalArgumentException, match="'klingon' is not in the supported"):
        StopWordsRemover.loadDefaultStopWords("klingon")


@pytest.mark.parametrize("make,col", [
    (lambda: Tokenizer(inputCol="s", outputCol="o"), "s"),
    (lambda: RegexTokenizer(inputCol="s", outputCol="o"), "s"),
    (lambda: StopWordsRemover(inputCol="a", outputCol="o"), "a"),
    (lambda: NGram(inputCol="a", outputCol="o"), "a"),
])
def test_null_row_fails_the_action_naming_the_column(spark, make, col):
    df = spark.createDataFrame([(0, "x", ["x"]), (1, None, None)],
                               "id int, s string, a array<string>")
    out = make().transform(df)  # lazily: the plan is fine, the data is not
    with pytest.raises(SparkException, match=f"`{col}` has a null row"):
        out.collect()


def test_repr_is_the_uid_as_in_pyspark():
    """PySpark prints a (non-model) transformer as its uid, not Scala's toString."""
    s = StopWordsRemover(inputCol="a")
    assert repr(s) == s.uid and repr(NGram()).startswith("NGram_")


def test_positional_set_params_fails_with_pyspark_message():
    """PySpark's doctests expect this exact sentence (it was "X.setParams takes keyword
    arguments only", which failed every such example)."""
    with pytest.raises(TypeError, match="^Method setParams forces keyword arguments.$"):
        Tokenizer().setParams("text")


@pytest.mark.parametrize("pattern", ["x*", "(?=[A-Z])", "\\s", ",+", "\\b", "a|"])
@pytest.mark.parametrize("s", ["", " ", "  a  ", "AbCd", "xxaxx", "a,b,,", "héllo wörld"])
def test_java_split_same_with_and_without_groups(pattern, s):
    """Splitting uses Python's C ``split`` when the pattern has no groups and a match loop when
    it has (``split`` would return the groups); both must give Java's pieces."""
    assert java_split(compile_java(pattern), s) == java_split(compile_java(f"({pattern})"), s)
