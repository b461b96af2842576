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
    return ((x << np.uint32(r)) | (x >> np.uint32(32 - r))) & np.uint32(_M)


def mix_k1(k: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        k = (k * np.uint32(0xCC9E2D51)) & np.uint32(_M)
        k = _rotl(k, 15)
        return (k * np.uint32(0x1B873593)) & np.uint32(_M)


def mix_h1(h: np.ndarray, k: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ k
        h = _rotl(h, 13)
        return (h * np.uint32(5) + np.uint32(0xE6546B64)) & np.uint32(_M)


def fmix(h: np.ndarray, length: int | np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ np.asarray(length, dtype=np.uint64).astype(np.uint32)
        h = h ^ (h >> np.uint32(16))
        h = (h * np.uint32(0x85EBCA6B)) & np.uint32(_M)
        h = h ^ (h >> np.uint32(13))
        h = (h * np.uint32(0xC2B2AE35)) & np.uint32(_M)
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


def _words_at(data: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Little-endian uint32 words starting at byte positions ``pos`` (any alignment)."""
    b = [data[pos + i].astype(np.uint32) for i in range(4)]
    return b[0] | (b[1] << np.uint32(8)) | (b[2] << np.uint32(16)) | (b[3] << np.uint32(24))


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
    order = np.argsort(-blocks, kind="stable")  # rows with most blocks first
    sorted_blocks = blocks[order]
    neg = -sorted_blocks  # ascending, for searchsorted
    for j in range(int(sorted_blocks[0])):
        active = order[: int(np.searchsorted(neg, -j, side="left"))]  # rows with a block j
        h[active] = mix_h1(h[active], mix_k1(_words_at(data, starts[active] + 4 * j)))
    tail_start = starts + 4 * blocks
    tails = lens - 4 * blocks
    if standard:
        k = np.zeros(n, dtype=np.uint32)
        for i in (2, 1, 0):
            has = tails > i
            k[has] = k[has] | (data[tail_start[has] + i].astype(np.uint32) << np.uint32(8 * i))
        has = tails > 0
        h[has] = h[has] ^ mix_k1(k[has])
    else:
        for i in range(3):
            has = np.flatnonzero(tails > i)
            byte = data[tail_start[has] + i].astype(np.int8).astype(np.int64).astype(np.uint32)
            h[has] = mix_h1(h[has], mix_k1(byte))
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
