"""The whole-chunk Arrow kernels of Tokenizer and StopWordsRemover give exactly the row
kernels' (Java's) output where they run, and hand non-ASCII chunks back to the row kernels."""

import random

import pyarrow as pa

from dfml.ml.feature._text_fast import remove_words, tokenize_ascii
from dfml.ml.feature.text import _RowsKernel, _StopWordsFn, _TokenizeFn, _stop_words


def test_tokenize_ascii_equals_java_split_on_random_strings():
    rng = random.Random(3)
    chars = " \t\n\r\x0b\x0cabAZ"
    strs = ["".join(rng.choice(chars) for _ in range(rng.randint(0, 9))) for _ in range(5000)]
    fn = _TokenizeFn()
    assert tokenize_ascii(pa.array(strs)).to_pylist() == [fn(s) for s in strs]
    sliced = pa.array(strs).slice(100, 50)
    assert tokenize_ascii(sliced).to_pylist() == [fn(s) for s in strs[100:150]]


def test_non_ascii_chunks_use_the_row_kernel():
    assert tokenize_ascii(pa.array(["ΟΔΟΣ x"])) is None
    words = frozenset(w.lower() for w in _stop_words("english"))
    assert remove_words(pa.array([["Über", "the"]]), words, False, "en") is None
    assert remove_words(pa.array([["the"]]), words, False, "tr") is None
    kernel = _RowsKernel(_TokenizeFn(), "Tokenizer (t)", "s")
    assert kernel(pa.array(["ΟΔΟΣ Ab"])).to_pylist() == [["οδος", "ab"]]


def test_remove_words_equals_row_kernel():
    fn = _StopWordsFn(list(_stop_words("english")), False, "en")
    rows = [["The", None, "cat", "ABOUT", ""], [], ["i", "x"]]
    arr = pa.array(rows, pa.list_(pa.string()))
    assert fn.vectorized(arr).to_pylist() == [fn(r) for r in rows]
    exact = _StopWordsFn(["The"], True, "en")
    assert exact.vectorized(arr).to_pylist() == [exact(r) for r in rows]
