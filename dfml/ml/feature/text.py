"""Text stages: Tokenizer, RegexTokenizer, StopWordsRemover, NGram.

All four are plain transforms (no fit): each output is an ``array<string>`` column computed per
partition from the input column's Arrow data. They follow Spark's semantics where Python's
string tools differ: splitting keeps leading empty tokens and drops trailing ones (Java's
``split``), patterns are Java regular expressions (``_javaregex``), token lengths count UTF-16
units, and lowercasing follows the locale's rules for Turkish and Azeri dotted/dotless i. A null
input row fails the action with a SparkException naming the stage and column, as Spark's fails.
"""

from __future__ import annotations

import functools
import locale as _pylocale
import os
from typing import Any

import pyarrow as pa

from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from ..base import Transformer, partition_column, require_column
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasInputCols, HasOutputCol, HasOutputCols
from ._javaregex import compile_java, java_split, utf16_length
from ._text_fast import remove_words, tokenize_ascii
from .bucketizers import single_or_multi

__all__ = ["Tokenizer", "RegexTokenizer", "StopWordsRemover", "NGram"]

_STRINGS = T.ArrayType(T.StringType(), True)
_ARROW_STRINGS = pa.list_(pa.string())
_JAVA_SPACE = compile_java("\\s")
_LANGUAGES = ("danish", "dutch", "english", "finnish", "french", "german", "hungarian",
              "italian", "norwegian", "portuguese", "russian", "spanish", "swedish", "turkish")
_DIR = os.path.join(os.path.dirname(__file__), "stopwords")


def _name(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def _null_row(stage: str, column: str) -> SparkException:
    return SparkException(f"[FAILED_EXECUTE_UDF] {stage}: input column `{column}` has a null "
                          f"row, which {stage.split(' ')[0]} cannot process (Spark fails the "
                          f"same way); filter nulls out or fill them first")


def java_lower(s: str, loc: str = "en") -> str:
    """``s.toLowerCase(locale)`` as Java computes it: Python's Unicode lowercasing (final sigma
    included) plus the Turkish/Azeri rules for I and dotted İ when the locale's language is
    ``tr`` or ``az``. As in Spark, ``tr_TR`` is not a Turkish locale (Spark builds the locale
    from the whole string as a language name)."""
    if loc in ("tr", "az"):
        s = s.replace("İ", "i").replace("I", "ı")
    return s.lower()


class _RowsKernel:
    """``fn`` over the Python values of a partition's column; a null row raises (Spark's
    user-defined transform fails on it too)."""

    def __init__(self, fn: Any, stage: str, column: str):
        self.fn, self.stage, self.column = fn, stage, column

    def __call__(self, a: Any) -> pa.Array:
        vectorized = getattr(self.fn, "vectorized", None)
        if vectorized is not None:  # whole-chunk Arrow kernels where they give Java's answer
            arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
            if isinstance(arr, pa.Array) and not arr.null_count:
                fast = vectorized(arr)
                if fast is not None:
                    return fast
        out = []
        for v in a.to_pylist():
            if v is None:
                raise _null_row(self.stage, self.column)
            out.append(self.fn(v))
        return pa.array(out, _ARROW_STRINGS)


class _TokenizeFn:
    def __call__(self, s: str) -> list[str]:
        return java_split(_JAVA_SPACE, java_lower(s))

    def vectorized(self, arr: pa.Array) -> pa.Array | None:
        return tokenize_ascii(arr)


class _RegexTokenizeFn:
    def __init__(self, pattern: str, gaps: bool, min_length: int, lower: bool):
        self.pattern, self.gaps, self.min_length, self.lower = pattern, gaps, min_length, lower

    def __call__(self, s: str) -> list[str]:
        rx = compile_java(self.pattern)
        s = java_lower(s) if self.lower else s
        toks = java_split(rx, s) if self.gaps else [m.group(0) for m in rx.finditer(s)]
        if self.min_length <= 1:  # every string has >= 1 UTF-16 unit unless it is empty
            return toks if self.min_length <= 0 else [t for t in toks if t]
        return [t for t in toks if utf16_length(t) >= self.min_length]


class _StopWordsFn:
    def __init__(self, words: list[str], case_sensitive: bool, loc: str):
        self.case_sensitive, self.loc = case_sensitive, loc
        self.words = frozenset(words if case_sensitive else (java_lower(w, loc) for w in words))

    def __call__(self, terms: list[Any]) -> list[Any]:
        words = self.words
        if self.case_sensitive:
            return [t for t in terms if t not in words]
        if self.loc not in ("tr", "az"):  # str.lower is Java's lowercasing here; skip the call
            return [t for t in terms if t is None or t.lower() not in words]
        return [t for t in terms if t is None or java_lower(t, self.loc) not in words]

    def vectorized(self, arr: pa.Array) -> pa.Array | None:
        return remove_words(arr, self.words, self.case_sensitive, self.loc)


class _NGramFn:
    def __init__(self, n: int):
        self.n = n

    def __call__(self, terms: list[Any]) -> list[str]:
        words = ["null" if t is None else t for t in terms]  # Scala prints a null as "null"
        return [" ".join(words[i:i + self.n]) for i in range(len(words) - self.n + 1)]


def _unary_schema(stage: Any, schema: T.StructType, want: T.DataType, spelled: str
                  ) -> T.StructType:
    """Spark's schema rule for a one-column text transform: the input must have type
    ``want``; the output column (array<string>, nullable) must not exist yet."""
    col, out = stage.getInputCol(), stage.getOutputCol()
    dt = require_column(schema, col, (), stage, "")
    if dt != want:
        raise IllegalArgumentException(f"{_name(stage)}: input column `{col}` must be "
                                       f"{spelled}, but it is {dt.simpleString()}")
    if out in schema.names:
        raise IllegalArgumentException(f"{_name(stage)}: output column `{out}` already exists")
    return T.StructType(list(schema.fields) + [T.StructField(out, _STRINGS, True)])


class _TextTransformer(HasInputCol, HasOutputCol):
    """A one-column transform of a string (or array<string>) column into array<string> (a
    mixin placed before Transformer, so it is not itself a saved stage)."""

    _input_type: T.DataType = T.StringType()
    _input_spelled = "string"

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        self._check_params()
        return _unary_schema(self, schema, self._input_type, self._input_spelled)

    def _check_params(self) -> None:
        """Reject param values Spark's validators reject (named in the error)."""

    def _row_fn(self) -> Any:
        raise NotImplementedError

    def _transform(self, dataset: Any) -> Any:
        col = self.getInputCol()
        kernel = _RowsKernel(self._row_fn(), _name(self), col)
        return dataset.withColumn(self.getOutputCol(),
                                  partition_column(type(self).__name__, [col], kernel, _STRINGS))


class Tokenizer(_TextTransformer, Transformer):
    """Lowercases a string column and splits it at each whitespace character (Java's ``\\s``:
    space, tab, newline, vertical tab, form feed, carriage return). Runs of spaces and leading
    spaces give empty tokens, trailing spaces none, as Spark's ``String.split`` does; an empty
    string gives ``[""]``."""

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, outputCol: str | None = None
                  ) -> "Tokenizer":
        return self._set(**self._input_kwargs)

    def _row_fn(self) -> Any:
        return _TokenizeFn()


class RegexTokenizer(_TextTransformer, Transformer):
    """Splits a string column around matches of ``pattern`` (``gaps=True``, the default) or
    keeps the matches themselves as tokens (``gaps=False``), after lowercasing unless
    ``toLowercase`` is false; tokens shorter than ``minTokenLength`` (default 1, counted in
    UTF-16 units as Java counts) are dropped. ``pattern`` is a Java regular expression."""

    minTokenLength = Param(Params._dummy(), "minTokenLength", "minimum token length (>= 0)",
                           TC.toInt)
    gaps = Param(Params._dummy(), "gaps", "whether regex splits on gaps (True) or matches "
                 "tokens (False)", TC.toBoolean)
    pattern = Param(Params._dummy(), "pattern", "regex pattern (Java dialect) used for "
                    "tokenizing", TC.toString)
    toLowercase = Param(Params._dummy(), "toLowercase", "whether to convert all characters to "
                        "lowercase before tokenizing", TC.toBoolean)

    @keyword_only
    def __init__(self, *, minTokenLength: int = 1, gaps: bool = True, pattern: str = "\\s+",
                 inputCol: str | None = None, outputCol: str | None = None,
                 toLowercase: bool = True):
        super().__init__()
        self._setDefault(minTokenLength=1, gaps=True, pattern="\\s+", toLowercase=True)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, minTokenLength: int = 1, gaps: bool = True, pattern: str = "\\s+",
                  inputCol: str | None = None, outputCol: str | None = None,
                  toLowercase: bool = True) -> "RegexTokenizer":
        return self._set(**self._input_kwargs)

    def _check_params(self) -> None:
        if self.getMinTokenLength() < 0:
            raise IllegalArgumentException(f"{_name(self)}: minTokenLength must be >= 0, got "
                                           f"{self.getMinTokenLength()}")
        compile_java(self.getPattern())  # a bad pattern fails here, before any work

    def _row_fn(self) -> Any:
        return _RegexTokenizeFn(self.getPattern(), self.getGaps(), self.getMinTokenLength(),
                                self.getToLowercase())


class NGram(_TextTransformer, Transformer):
    """Each run of ``n`` consecutive tokens (default 2) of an array<string> column, joined by
    single spaces; fewer than ``n`` tokens give an empty array. A null token prints as
    ``null`` inside its n-grams, as in Spark."""

    n = Param(Params._dummy(), "n", "number of elements per n-gram (>=1)", TC.toInt)
    _input_type = T.ArrayType(T.StringType(), True)
    _input_spelled = "array<string>"

    @keyword_only
    def __init__(self, *, n: int = 2, inputCol: str | None = None, outputCol: str | None = None):
        super().__init__()
        self._setDefault(n=2)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, n: int = 2, inputCol: str | None = None,
                  outputCol: str | None = None) -> "NGram":
        return self._set(**self._input_kwargs)

    def _check_params(self) -> None:
        if self.getN() < 1:
            raise IllegalArgumentException(f"{_name(self)}: n must be >= 1, got {self.getN()}")

    def _row_fn(self) -> Any:
        return _NGramFn(self.getN())


@functools.lru_cache(maxsize=None)
def _stop_words(language: str) -> tuple[str, ...]:
    with open(os.path.join(_DIR, f"{language}.txt"), encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":  # a final newline ends the last line; it adds no word
        lines.pop()
    return tuple(line.rstrip("\r") for line in lines)


@functools.lru_cache(maxsize=None)
def _known_languages() -> frozenset[str]:
    return frozenset(k.split("_")[0].split(".")[0] for k in _pylocale.locale_alias)


def _valid_locale(loc: str) -> bool:
    """A locale name in Java's ``Locale.toString`` form (``en``, ``en_US``, ``tr_TR``...) whose
    language Python's locale tables know (Java's list of available locales is not reachable
    from Python; this accepts the same spellings and rejects made-up languages)."""
    parts = loc.split("_")
    if not parts[0] or parts[0] != parts[0].lower() or parts[0] not in _known_languages():
        return False
    return len(parts) == 1 or (len(parts) == 2 and parts[1].isalnum() and
                               parts[1] == parts[1].upper() and len(parts[1]) in (2, 3))


class StopWordsRemover(Transformer, HasInputCol, HasOutputCol, HasInputCols, HasOutputCols):
    """Drops the stop words from array<string> columns (one column, or several with
    inputCols/outputCols). The default list is Spark's English one; ``loadDefaultStopWords``
    gives the other languages'. Comparison ignores case unless ``caseSensitive``, lowercasing
    by ``locale`` (default ``en``); null tokens are kept."""

    stopWords = Param(Params._dummy(), "stopWords", "The words to be filtered out",
                      TC.toListString)
    caseSensitive = Param(Params._dummy(), "caseSensitive", "whether to do a case sensitive "
                          "comparison over the stop words", TC.toBoolean)
    locale = Param(Params._dummy(), "locale", "locale of the input. ignored when case "
                   "sensitive is true", TC.toString)

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None,
                 stopWords: list[str] | None = None, caseSensitive: bool = False,
                 locale: str | None = None, inputCols: list[str] | None = None,
                 outputCols: list[str] | None = None):
        super().__init__()
        self._setDefault(stopWords=StopWordsRemover.loadDefaultStopWords("english"),
                         caseSensitive=False, locale="en")
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, outputCol: str | None = None,
                  stopWords: list[str] | None = None, caseSensitive: bool = False,
                  locale: str | None = None, inputCols: list[str] | None = None,
                  outputCols: list[str] | None = None) -> "StopWordsRemover":
        return self._set(**self._input_kwargs)

    @staticmethod
    def loadDefaultStopWords(language: str) -> list[str]:
        """Spark's stop word list for ``language`` (danish, dutch, english, finnish, french,
        german, hungarian, italian, norwegian, portuguese, russian, spanish, swedish,
        turkish)."""
        if language not in _LANGUAGES:
            raise IllegalArgumentException(f"StopWordsRemover: {language!r} is not in the "
                                           f"supported language list: {', '.join(_LANGUAGES)}")
        return list(_stop_words(language))

    def _columns(self) -> tuple[list[str], list[str]]:
        ins, outs, _ = single_or_multi(self, ("outputCol",), ("outputCols",))
        return ins, outs

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        if not _valid_locale(self.getLocale()):
            raise IllegalArgumentException(f"{_name(self)}: locale {self.getLocale()!r} is not "
                                           f"an available locale (expected e.g. 'en', 'en_US', "
                                           f"'tr')")
        ins, outs = self._columns()
        fields = list(schema.fields)
        for i, o in zip(ins, outs):
            dt = require_column(schema, i, (), self, "")
            if not (isinstance(dt, T.ArrayType) and isinstance(dt.elementType, T.StringType)):
                raise IllegalArgumentException(f"{_name(self)}: input column `{i}` must be "
                                               f"array<string>, but it is {dt.simpleString()}")
            if o in schema.names:
                raise IllegalArgumentException(f"{_name(self)}: output column `{o}` already "
                                               f"exists")
            fields.append(T.StructField(o, _STRINGS, True))
        return T.StructType(fields)

    def _transform(self, dataset: Any) -> Any:
        ins, outs = self._columns()
        fn = _StopWordsFn(list(self.getStopWords()), self.getCaseSensitive(), self.getLocale())
        # whatever the input's nullability, Spark's output is a nullable array<string> of
        # nullable strings (its UDF's type), so dfml's is too
        cols = {o: partition_column("StopWordsRemover", [i], _RowsKernel(fn, _name(self), i),
                                    _STRINGS)
                for i, o in zip(ins, outs)}
        return dataset.withColumns(cols)
