"""Vectorized (Arrow compute + numpy) kernels for Tokenizer and StopWordsRemover.

The row-by-row kernels of ``text`` follow Java's string rules through Python's; on a chunk
where Python and Arrow agree those rules can run as whole-column kernels instead, which is
what makes a text pipeline over millions of documents affordable:

- lowercasing: Arrow's ``utf8_lower`` maps one code point to one, Java's ``toLowerCase`` (and
  Python's ``lower``) may map one to several (``İ``) or look at the context (final sigma). On
  ASCII text they agree, so a chunk takes the fast path only when it is all ASCII;
- splitting at ``\\s``: Java's ``split`` keeps a leading empty piece and drops the trailing
  ones; Arrow's ``split_pattern`` keeps all pieces, so the trailing empty ones are dropped here
  by position (an empty string, which holds no separator, stays ``[""]``);
- stop words: membership through ``is_in`` over the (lowercased) flattened tokens; null tokens
  never match, so they stay, as Spark keeps them.

Every function returns None when a chunk is outside what it handles, and the caller runs the
row kernel on that chunk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["tokenize_ascii", "remove_words"]

_LIST = pa.list_(pa.string())
_JAVA_SPACE_OTHER = "[\t\n\x0b\f\r]"  # Java's \s, less the plain space


def _all_ascii(strings: pa.Array) -> bool:
    if len(strings) == 0:
        return True
    return bool(pc.all(pc.string_is_ascii(strings), skip_nulls=True).as_py() is not False)


def _numpy(a: pa.Array) -> np.ndarray:
    return np.asarray(a.to_numpy(zero_copy_only=False))


def _as_string(a: pa.Array) -> pa.Array:
    return a.cast(pa.string()) if not pa.types.is_string(a.type) else a


def tokenize_ascii(arr: pa.Array) -> pa.Array | None:
    """Tokenizer's output for a chunk of non-null strings (lowercased, split at each Java
    whitespace character, trailing empty pieces dropped); None unless the chunk is ASCII."""
    arr = _as_string(arr)
    if not _all_ascii(arr):
        return None
    text = pc.ascii_lower(arr)
    if len(text) and pc.any(pc.match_substring_regex(text, _JAVA_SPACE_OTHER)).as_py():
        text = pc.replace_substring_regex(text, _JAVA_SPACE_OTHER, " ")
    pieces = pc.split_pattern(text, " ")
    flat = pc.list_flatten(pieces)
    row = _numpy(pc.list_parent_indices(pieces))
    offsets = _numpy(pieces.offsets).astype(np.int64)
    nonempty = _numpy(pc.binary_length(flat)) > 0
    # a piece stays when a non-empty piece follows it in its row (or it is one): the count of
    # non-empty pieces from it to the row's end is positive
    seen = np.concatenate([[0], np.cumsum(nonempty)])
    after = seen[offsets[1:]][row] - seen[:-1]
    keep = after > 0
    # a row without any separator is the string itself, even when empty ("" -> [""])
    lone = (np.diff(offsets) == 1)[row]
    keep |= lone
    return _rebuild(flat, keep, row, len(arr))


def _rebuild(flat: pa.Array, keep: np.ndarray, row: np.ndarray, n: int) -> pa.Array:
    """A list<string> array of the kept flat values, grouped by their rows (``row`` ascending)."""
    counts = np.bincount(row[keep], minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = _as_string(flat.filter(pa.array(keep)))
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=_LIST)


def remove_words(arr: pa.Array, words: frozenset, case_sensitive: bool,
                 loc: str) -> pa.Array | None:
    """StopWordsRemover's output for a chunk of non-null string lists; None when the chunk
    needs the row kernel (case-insensitive over non-ASCII tokens, or a Turkish/Azeri locale).
    ``words`` are already lowercased when the comparison ignores case."""
    if not case_sensitive and loc in ("tr", "az"):
        return None
    flat = _as_string(pc.list_flatten(arr))
    if not case_sensitive:
        if not _all_ascii(flat):
            return None
        flat_cmp = pc.ascii_lower(flat)
    else:
        flat_cmp = flat
    stop = pc.is_in(flat_cmp, value_set=pa.array(sorted(words), pa.string()), skip_nulls=True)
    keep = ~_numpy(stop.fill_null(False)).astype(bool)
    row = _numpy(pc.list_parent_indices(arr))
    return _rebuild(flat, keep, row, len(arr))
