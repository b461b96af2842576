"""ALS's starting factors, drawn from the same random stream Spark draws them from.

Spark seeds one ``XORShiftRandom`` per factor block (from the fit's seed and the block number)
and gives every id of the block, in ascending id order, a Gaussian vector scaled to unit
length. Drawing the same numbers here means a dfml fit and a Spark fit with the same seed and
block counts start from the same point, so their results agree to float rounding rather than
only statistically. The generator is Spark's xorshift over ``java.util.Random``'s Gaussian
method; its seed goes through Scala's MurmurHash3 of the seed's eight big-endian bytes.
"""

from __future__ import annotations

import numpy as np

from .feature.lsh_hashes import JavaRandom

__all__ = ["XORShiftRandom", "initial_factors", "factor_seeds"]

_M64 = (1 << 64) - 1
_M32 = (1 << 32) - 1


def _rotl32(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def _mix_last(h: int, k: int) -> int:
    k = (k * 0xCC9E2D51) & _M32
    k = _rotl32(k, 15)
    k = (k * 0x1B873593) & _M32
    return h ^ k


def _mix(h: int, k: int) -> int:
    h = _rotl32(_mix_last(h, k), 13)
    return (h * 5 + 0xE6546B64) & _M32


def _avalanche(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _scala_bytes_hash(data: bytes, seed: int) -> int:
    """Scala's ``MurmurHash3.bytesHash`` (little-endian words, then the tail), unsigned."""
    h = seed & _M32
    n = len(data) - len(data) % 4
    for i in range(0, n, 4):
        h = _mix(h, int.from_bytes(data[i:i + 4], "little"))
    tail = data[n:]
    if tail:
        h = _mix_last(h, int.from_bytes(tail, "little"))
    return _avalanche(h ^ len(data))


def _hash_seed(seed: int) -> int:
    data = (seed & _M64).to_bytes(8, "big")
    low = _scala_bytes_hash(data, 0x3C074A61)
    high = _scala_bytes_hash(data, low)
    return ((high << 32) | low) & _M64


def _signed(v: int, bits: int = 64) -> int:
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


class XORShiftRandom(JavaRandom):
    """Spark's xorshift generator: ``java.util.Random``'s methods over a 64-bit xorshift."""

    def __init__(self, seed: int):
        super().__init__(seed)
        self._state = _hash_seed(seed)

    def _next(self, bits: int) -> int:
        s = self._state
        s ^= (s << 21) & _M64
        s ^= s >> 35
        s ^= (s << 4) & _M64
        self._state = s
        v = s & ((1 << bits) - 1)
        return _signed(v, 32) if bits == 32 else v

    def nextLong(self) -> int:
        return _signed(((self._next(32) << 32) + self._next(32)) & _M64)


def _byteswap64(v: int) -> int:
    """Scala's ``hashing.byteswap64``: multiply, reverse the bytes, multiply (its constant is
    0x9e3775cd repeated, not the golden-ratio constant of other mixers)."""
    hc = (v * 0x9E3775CD9E3775CD) & _M64
    hc = int.from_bytes(hc.to_bytes(8, "big"), "little")
    return _signed((hc * 0x9E3775CD9E3775CD) & _M64)


def factor_seeds(seed: int) -> tuple[int, int]:
    """(user seed, item seed): the first two longs of a generator seeded with the fit's seed."""
    gen = XORShiftRandom(seed)
    return gen.nextLong(), gen.nextLong()


def initial_factors(seed: int, block: int, count: int, rank: int) -> np.ndarray:
    """(count, rank) float32 unit vectors for the ``count`` ids of ``block`` (ascending ids)."""
    rnd = XORShiftRandom(_byteswap64(_signed((seed ^ block) & _M64)))
    out = np.empty((count, rank), dtype=np.float32)
    for row in range(count):
        f = np.array([rnd.nextGaussian() for _ in range(rank)], dtype=np.float32)
        # Spark's BLAS (no native library) sums the float squares in order, in float
        norm = np.sqrt(np.cumsum(f * f, dtype=np.float32)[-1], dtype=np.float32)
        out[row] = f * (np.float32(1.0) / norm)
    return out
