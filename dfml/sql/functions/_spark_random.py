"""Spark's per-partition random streams, reproduced so that ``rand(42)``, ``randn(42)``,
``randstr``, ``uniform`` and ``uuid`` give Spark's values for the same seed and partitioning
(each partition's stream is seeded with the seed plus the partition index).

Spark draws from an xorshift generator (shifts 21, 35, 4 on a 64-bit state) whose state is
the seed plus the partition index, scrambled by two Murmur3 hashes of its big-endian bytes; a
double takes 26 then 27 low bits of two successive states (``java.util.Random``'s recipe), a
normal deviate comes from pairs of doubles by Marsaglia's polar method.

The stream is sequential, but each step is linear over GF(2): the state after k steps is a
64x64 bit matrix applied to the state. So a partition's states are computed without a row loop:
from a block of the first k states, the next k are that matrix power applied to the block, by
8 byte-indexed tables of 256 entries (8 lookups and XORs per state), doubling the block each time.
"""

from __future__ import annotations

import numpy as np

_M64 = (1 << 64) - 1
_M32 = (1 << 32) - 1


def _rotl32(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def _murmur3_words(words: list[int], seed: int, length: int) -> int:
    """Murmur3 (x86, 32-bit) of little-endian 32-bit words, as an unsigned int."""
    h = seed & _M32
    for k in words:
        k = (k * 0xCC9E2D51) & _M32
        k = _rotl32(k, 15)
        k = (k * 0x1B873593) & _M32
        h ^= k
        h = _rotl32(h, 13)
        h = (h * 5 + 0xE6546B64) & _M32
    h ^= length
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    h ^= h >> 16
    return h


def initial_state(seed: int) -> int:
    """The generator's state for ``seed`` (a Java long): two chained Murmur3 hashes of the
    seed's 8 big-endian bytes (Scala's array seed first) make its low and high words."""
    data = (seed & _M64).to_bytes(8, "big")
    words = [int.from_bytes(data[i:i + 4], "little") for i in (0, 4)]
    low = _murmur3_words(words, 0x3C074A61, 8)
    high = _murmur3_words(words, low, 8)
    return (high << 32) | low


def _step(x: int) -> int:
    x ^= (x << 21) & _M64
    x ^= x >> 35
    x ^= (x << 4) & _M64
    return x


def _step_array(x: np.ndarray) -> np.ndarray:
    x = x ^ (x << np.uint64(21))
    x = x ^ (x >> np.uint64(35))
    return x ^ (x << np.uint64(4))


def _tables(columns: np.ndarray) -> np.ndarray:
    """Byte tables of a bit matrix given by its 64 columns (the images of the unit states):
    ``tables[b, v]`` is the image of byte value ``v`` placed at byte ``b``."""
    tables = np.zeros((8, 256), dtype=np.uint64)
    for b in range(8):
        for bit in range(8):
            size = 1 << bit
            tables[b, size:2 * size] = tables[b, :size] ^ columns[8 * b + bit]
    return tables


def _apply(tables: np.ndarray, x: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    for b in range(8):
        out ^= tables[b, ((x >> np.uint64(8 * b)) & np.uint64(255)).astype(np.intp)]
    return out


def states(seed: int, count: int) -> np.ndarray:
    """The first ``count`` states after ``seed``'s initial state (uint64), one per draw."""
    out = np.empty(max(count, 0), dtype=np.uint64)
    if count <= 0:
        return out
    first = min(count, 64)
    x = initial_state(seed)
    for i in range(first):
        x = _step(x)
        out[i] = x
    filled = first
    # columns of the k-step matrix: the unit states advanced k steps (k = the filled block)
    columns = np.array([1 << j for j in range(64)], dtype=np.uint64)
    for _ in range(filled):
        columns = _step_array(columns)
    while filled < count:
        take = min(filled, count - filled)
        out[filled:filled + take] = _apply(_tables(columns), out[:take])
        # the 2k-step matrix: the k-step matrix applied to its own columns
        columns = _apply(_tables(columns), columns)
        filled += take
    return out


def doubles(seed: int, count: int) -> np.ndarray:
    """``count`` uniform doubles in [0, 1): 26 and 27 low bits of two successive states."""
    s = states(seed, 2 * count)
    hi = (s[0::2] & np.uint64((1 << 26) - 1)).astype(np.int64)
    lo = (s[1::2] & np.uint64((1 << 27) - 1)).astype(np.int64)
    return ((hi << 27) + lo).astype(np.float64) * (2.0 ** -53)


def gaussians(seed: int, count: int) -> np.ndarray:
    """``count`` standard normal deviates: pairs of doubles mapped to [-1, 1)^2, those inside
    the unit circle (and not at its centre) kept, each giving two deviates in order."""
    need = -(-count // 2)
    pool = max(2 * need + 16, int(2 * need * 1.35) + 16)
    while True:
        d = doubles(seed, pool) * 2.0 - 1.0
        v1, v2 = d[0::2], d[1::2][:len(d) // 2]
        v1 = v1[:len(v2)]
        s = v1 * v1 + v2 * v2
        ok = (s < 1.0) & (s != 0.0)
        if int(ok.sum()) >= need:
            break
        pool *= 2
    v1, v2, s = v1[ok][:need], v2[ok][:need], s[ok][:need]
    m = np.sqrt(-2.0 * np.log(s) / s)
    out = np.empty(2 * need, dtype=np.float64)
    out[0::2], out[1::2] = v1 * m, v2 * m
    return out[:count]


def ints(seed: int, count: int) -> np.ndarray:
    """``count`` Java ``nextInt()`` values: the low 32 bits of each state, signed."""
    return (states(seed, count) & np.uint64(_M32)).astype(np.uint32).view(np.int32)


_ALPHANUMERIC = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                              dtype=np.uint8)


def random_strings(seed: int, count: int, length: int) -> list[str]:
    """``randstr``: each character one ``nextInt()`` of the stream, |v mod 62| (Java's
    remainder) indexing 0-9, a-z, A-Z; a row takes ``length`` successive draws."""
    if length == 0:
        return [""] * count
    v = ints(seed, count * length).astype(np.int64)
    codes = _ALPHANUMERIC[np.abs(np.fmod(v, 62))]
    return np.frombuffer(codes.tobytes(), dtype=f"S{length}").astype(f"U{length}").tolist()


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# where each of the 32 hex digits goes in the 36-character text (dashes after 8, 12, 16, 20)
_DIGIT_AT = np.array([i + (i >= 8) + (i >= 12) + (i >= 16) + (i >= 20) for i in range(32)])


def random_uuids(seed: int, count: int) -> list[str]:
    """``uuid(seed)``: Spark draws version-4 UUIDs from a Mersenne Twister seeded with the
    long's two 32-bit halves (the classic array seeding, which numpy's legacy seeding is); each
    UUID is two 64-bit draws (high word first), with the version and variant bits set."""
    u = seed & _M64
    raw = np.random.RandomState([u >> 32, u & _M32])._bit_generator.random_raw(4 * count)
    raw = raw.astype(np.uint64)
    longs = (raw[0::2] << np.uint64(32)) | raw[1::2]
    hi = (longs[0::2] & np.uint64(0xFFFFFFFFFFFF0FFF)) | np.uint64(0x4000)
    lo = (longs[1::2] | np.uint64(1 << 63)) & np.uint64(0xBFFFFFFFFFFFFFFF)
    words = np.stack([hi, lo], axis=1).astype(">u8").view(np.uint8).reshape(count, 16)
    digits = np.empty((count, 32), dtype=np.uint8)
    digits[:, 0::2], digits[:, 1::2] = _HEX[words >> 4], _HEX[words & 15]
    text = np.full((count, 36), ord("-"), dtype=np.uint8)
    text[:, _DIGIT_AT] = digits
    return np.frombuffer(text.tobytes(), dtype="S36").astype("U36").tolist()
