"""Spark's ``XORShiftRandom``: the generator behind its seeded ML initializations.

A seeded Spark estimator that draws its starting point (the multilayer perceptron's initial
weights) gives the same numbers in dfml only if dfml draws the same sequence. Spark's generator
is a 64-bit xorshift (shifts 21, 35, 4) whose state is the seed scrambled by MurmurHash3 (the
8 big-endian bytes of the seed hashed twice: once with Scala's array seed, once with that
result), read through ``java.util.Random``'s ``nextDouble`` (26 + 27 bits). The arithmetic is
Java's: 64-bit wrapping, ``>>>`` a logical shift.
"""

from __future__ import annotations

import struct

import numpy as np

from ..sql import murmur3

__all__ = ["XORShiftRandom"]

_MASK64 = (1 << 64) - 1
_ARRAY_SEED = 0x3C074A61  # scala.util.hashing.MurmurHash3.arraySeed


def _bytes_hash8(data: bytes, seed: int) -> int:
    """MurmurHash3 x86_32 of 8 bytes (two little-endian words, no tail), unsigned."""
    h = np.uint32(seed & 0xFFFFFFFF)
    for (word,) in struct.iter_unpack("<I", data):
        h = murmur3.mix_h1(h, murmur3.mix_k1(np.uint32(word)))
    return int(murmur3.fmix(h, 8))


def _hash_seed(seed: int) -> int:
    data = struct.pack(">q", _to_long(seed))
    low = _bytes_hash8(data, _ARRAY_SEED)
    high = _bytes_hash8(data, low)
    return ((high << 32) | low) & _MASK64


def _to_long(v: int) -> int:
    v = int(v) & _MASK64
    return v - (1 << 64) if v >= (1 << 63) else v


class XORShiftRandom:
    """``XORShiftRandom(seed).next_doubles(n)`` gives Spark's first ``n`` ``nextDouble`` draws."""

    def __init__(self, seed: int):
        self._state = _hash_seed(seed)

    def _next(self, bits: int) -> int:
        s = self._state
        s ^= (s << 21) & _MASK64
        s ^= s >> 35
        s ^= (s << 4) & _MASK64
        self._state = s
        return s & ((1 << bits) - 1)  # Java keeps the low bits as an int; they are non-negative

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))

    def next_doubles(self, n: int) -> np.ndarray:
        return np.fromiter((self.next_double() for _ in range(n)), dtype=np.float64, count=n)
