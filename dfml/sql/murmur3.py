"""Murmur3 x86_32, vectorized with numpy: the one kernel behind Spark's ``hash`` function and
the ML hashing stages (HashingTF, FeatureHasher).

Spark has two byte-string variants and both are needed to reproduce its numbers:

* ``hash()`` (SQL) uses Spark's older ``hashUnsafeBytes``: 4-byte little-endian blocks, then
  every remaining byte, sign-extended to an int, mixed in as a block of its own;
* the ML hashing stages use ``hashUnsafeBytes2``, standard MurmurHash3: the tail bytes are
  packed into one little-endian word that is mixed into the state without the rotate/multiply
  step.

A column of strings hashes without a Python loop per row: its Arrow offsets and data buffer
are read as numpy arrays, and the block loop runs once per block position over the rows that
still have a block there (rows sorted by length, so those rows are a prefix).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["mix_k1", "mix_h1", "fmix", "hash_int", "hash_long", "hash_bytes",
           "hash_binary_array", "non_negative_mod"]

_M = 0xFFFFFFFF


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


# uint32 arithmetic wraps modulo 2**32 by itself, which is exactly Murmur3's arithmetic
def mix_k1(k: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        k = np.asarray(k, dtype=np.uint32) * np.uint32(0xCC9E2D51)
        return _rotl(k, 15) * np.uint32(0x1B873593)


def mix_h1(h: np.ndarray, k: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = _rotl(np.asarray(h, dtype=np.uint32) ^ k, 13)
        return h * np.uint32(5) + np.uint32(0xE6546B64)


def fmix(h: np.ndarray, length: int | np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = np.asarray(h, dtype=np.uint32) ^ np.asarray(length, dtype=np.uint64).astype(np.uint32)
        h = h ^ (h >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h = h ^ (h >> np.uint32(13))
        h = h * np.uint32(0xC2B2AE35)
        return h ^ (h >> np.uint32(16))


def hash_int(v: np.ndarray, seed: Any) -> np.ndarray:
    """Spark's ``hashInt`` of 32-bit values (uint32 hashes)."""
    seed = np.asarray(seed, dtype=np.uint32)
    return fmix(mix_h1(seed, mix_k1(np.asarray(v).astype(np.int64).astype(np.uint32))), 4)


def hash_long(v: np.ndarray, seed: Any) -> np.ndarray:
    """Spark's ``hashLong`` of 64-bit values: low word, then high word."""
    seed = np.asarray(seed, dtype=np.uint32)
    u = np.asarray(v).astype(np.int64).view(np.uint64)
    low = (u & np.uint64(_M)).astype(np.uint32)
    high = (u >> np.uint64(32)).astype(np.uint32)
    return fmix(mix_h1(mix_h1(seed, mix_k1(low)), mix_k1(high)), 8)


def _word_table(data: np.ndarray) -> np.ndarray:
    """``table[a, i]`` is the little-endian uint32 word at byte ``4 * i + a``: reading a word at
    any position is then one gather (zero bytes pad the end)."""
    m = len(data) // 4 + 2
    padded = np.zeros(4 * m + 4, dtype=np.uint8)
    padded[:len(data)] = data
    return np.stack([padded[a:a + 4 * m].view("<u4") for a in range(4)]).astype(np.uint32)


def _word_index(table: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Flat positions in ``table`` of the words starting at byte positions ``pos``."""
    return (pos % 4) * table.shape[1] + pos // 4


def hash_bytes(offsets: np.ndarray, data: np.ndarray, seed: Any, standard: bool) -> np.ndarray:
    """Murmur3 of each byte string ``data[offsets[i]:offsets[i+1]]`` (uint32 per string).

    ``standard`` selects the ML stages' tail rule (standard MurmurHash3), else the SQL
    ``hash`` rule (each tail byte sign-extended and mixed alone); see the module docstring.
    ``seed`` is one seed or one per string (``hash`` chains columns through it)."""
    offsets = np.asarray(offsets, dtype=np.int64)
    data = np.asarray(data, dtype=np.uint8)
    n = len(offsets) - 1
    starts, lens = offsets[:-1], np.diff(offsets)
    h = np.broadcast_to(np.asarray(seed, dtype=np.uint32), (n,)).copy()
    if n == 0:
        return h
    blocks = lens // 4
    # rows sorted by block count (most first): at block j the rows still running are a
    # prefix, so each step works on slices instead of gathered copies
    order = np.argsort(-blocks, kind="stable")
    sorted_blocks, sorted_starts, hs = blocks[order], starts[order], h[order]
    neg = -sorted_blocks  # ascending, for searchsorted
    table = _word_table(data)
    flat = table.reshape(-1)
    if n and sorted_blocks[0] > 0:
        at = _word_index(table, sorted_starts)
        for j in range(int(sorted_blocks[0])):
            k = int(np.searchsorted(neg, -j, side="left"))  # rows with a block j
            hs[:k] = mix_h1(hs[:k], mix_k1(flat[at[:k] + j]))
    h[order] = hs
    tail_start = starts + 4 * blocks
    tails = lens - 4 * blocks
    # the (up to 3) tail bytes of every row, zero past each row's end
    word = flat[_word_index(table, tail_start)]
    keep = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF], dtype=np.uint32)[tails]
    word = word & keep
    has = tails > 0
    if standard:  # one word of tail bytes, mixed in without the rotate/multiply step
        h = np.where(has, h ^ mix_k1(word), h)
    else:  # each tail byte, sign-extended, as a block of its own
        for i in range(3):
            byte = ((word >> np.uint32(8 * i)) & np.uint32(0xFF)).astype(np.uint8)
            signed = byte.view(np.int8).astype(np.int32).view(np.uint32)
            h = np.where(tails > i, mix_h1(h, mix_k1(signed)), h)
    return fmix(h, lens)


def hash_binary_array(arr: Any, seed: Any, standard: bool) -> np.ndarray:
    """``hash_bytes`` of an Arrow string/binary array (a null hashes as an empty string: the
    caller decides what a null means). Strings hash as their UTF-8 bytes."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) \
            or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_binary())
    elif not pa.types.is_large_binary(arr.type):
        arr = arr.cast(pa.large_binary())
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset: arr.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None \
        else np.zeros(0, dtype=np.uint8)
    if arr.null_count:  # a null slot may still span bytes; make it empty
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False))
        lens = np.where(valid, np.diff(offsets), 0)
        starts = offsets[:-1]
        offsets = np.concatenate([[0], np.cumsum(lens)])
        take = np.repeat(starts, lens) + (np.arange(offsets[-1]) - np.repeat(offsets[:-1], lens))
        data = data[take]
    return hash_bytes(offsets, data, seed, standard)


def non_negative_mod(h: np.ndarray, n: int) -> np.ndarray:
    """Spark's ``nonNegativeMod`` of signed 32-bit hashes: the index a hash lands in."""
    signed = np.asarray(h, dtype=np.uint32).view(np.int32).astype(np.int64)
    return np.mod(signed, n)  # numpy's mod already has the sign of the divisor
