"""Java's and Spark's seeded random generators, bit for bit: where Spark draws a starting point.

A seeded Spark estimator gives the same model in dfml only if dfml draws the same numbers:
- ``JavaRandom`` is ``java.util.Random`` (the 48-bit linear congruential generator, its
  ``nextInt``/``nextDouble``/``nextLong`` and its polar-method ``nextGaussian``, whose log is
  ``strict_log``: Java's ``StrictMath.log``): LSH's hash parameters, bisecting k-means' splits.
- ``XORShiftRandom`` is Spark's generator: ``java.util.Random``'s methods over a 64-bit xorshift
  (shifts 21, 35, 4) whose state is the seed scrambled by Scala's MurmurHash3 (the seed's eight
  big-endian bytes hashed twice: once with Scala's array seed, once with that result): the
  multilayer perceptron's weights, ALS's starting factors.
- ``byteswap64`` is Scala's ``hashing.byteswap64``, which Spark applies to per-block seeds.
- ``xorshift_gaussians`` is the same ``XORShiftRandom(seed).nextGaussian()`` stream drawn as one
  array (ALS draws millions of them): the same numbers, bit for bit, without a Python call each.
The arithmetic is Java's: 64-bit wrapping, ``>>>`` a logical shift.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np

__all__ = ["JavaRandom", "XORShiftRandom", "strict_log", "strict_log_array", "byteswap64",
           "xorshift_gaussians"]

_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_LG = (6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
       2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
       1.479819860511658591e-01)


def _log_series(s: Any) -> Any:
    """fdlibm's log polynomial R(z) in s = f / (2 + f), the same operations in the same order
    for a float (``strict_log``) and for an array (``strict_log_array``), so both give the same
    bits."""
    z = s * s
    w = z * z
    t1 = w * (_LG[1] + w * (_LG[3] + w * _LG[5]))
    t2 = z * (_LG[0] + w * (_LG[2] + w * (_LG[4] + w * _LG[6])))
    return t2 + t1


def strict_log(x: float) -> float:
    """Java's ``StrictMath.log`` (fdlibm's algorithm) for a normal positive double: the
    natural log rounded exactly as Java rounds it, which ``math.log`` does not always match.
    ``x = 2^k * (1 + f)`` with ``sqrt(2)/2 < 1 + f < sqrt(2)``; then
    ``log(1 + f) = 2s + s*R(s*s)`` with ``s = f / (2 + f)`` and a fixed polynomial R."""
    bits = struct.unpack("<q", struct.pack("<d", x))[0]
    hx, lx = bits >> 32, bits & 0xFFFFFFFF
    if hx < 0x00100000 or hx >= 0x7FF00000:  # zero, subnormal, negative, inf, nan
        return math.log(x) if x > 0 else (float("-inf") if x == 0 else float("nan"))
    k = (hx >> 20) - 1023
    hx &= 0x000FFFFF
    i = (hx + 0x95F64) & 0x100000
    x = struct.unpack("<d", struct.pack("<q", ((hx | (i ^ 0x3FF00000)) << 32) | lx))[0]
    k += i >> 20
    f = x - 1.0
    dk = float(k)
    if (0x000FFFFF & (2 + hx)) < 3:  # |f| < 2^-20
        if f == 0.0:
            return 0.0 if k == 0 else dk * _LN2_HI + dk * _LN2_LO
        r = f * f * (0.5 - 0.33333333333333333 * f)
        return f - r if k == 0 else dk * _LN2_HI - ((r - dk * _LN2_LO) - f)
    s = f / (2.0 + f)
    r = _log_series(s)
    if ((hx - 0x6147A) | (0x6B851 - hx)) > 0:
        hfsq = 0.5 * f * f
        if k == 0:
            return f - (hfsq - s * (hfsq + r))
        return dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + dk * _LN2_LO)) - f)
    if k == 0:
        return f - s * (f - r)
    return dk * _LN2_HI - ((s * (f - r) - dk * _LN2_LO) - f)


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


class JavaRandom:
    """``java.util.Random``: the same stream of ints and Gaussians for the same seed."""

    _MULT, _MASK = 0x5DEECE66D, (1 << 48) - 1

    def __init__(self, seed: int):
        self._seed = (seed ^ self._MULT) & self._MASK
        self._gaussian: float | None = None

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULT + 0xB) & self._MASK
        v = self._seed >> (48 - bits)
        return v - (1 << 32) if v >= 1 << 31 else v  # (int) cast: only 32 bits can go negative

    def nextInt(self, bound: int) -> int:
        if bound & (bound - 1) == 0:
            return (bound * self._next(31)) >> 31
        while True:
            bits = self._next(31)
            val = bits % bound
            if bits - val + (bound - 1) < 1 << 31:  # no int overflow: accept
                return val

    def nextDouble(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * 2.0 ** -53

    def nextGaussian(self) -> float:
        if self._gaussian is not None:
            g, self._gaussian = self._gaussian, None
            return g
        while True:
            v1, v2 = 2 * self.nextDouble() - 1, 2 * self.nextDouble() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        mult = math.sqrt(-2 * strict_log(s) / s)
        self._gaussian = v2 * mult
        return v1 * mult

    def nextLong(self) -> int:
        """Two 32-bit draws joined as Java joins them (the low one sign-extended)."""
        return _signed(((self._next(32) << 32) + self._next(32)) & _M64)


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

    def doubles(self, n: int) -> np.ndarray:
        """The next ``n`` ``nextDouble`` draws as an array."""
        return np.fromiter((self.nextDouble() for _ in range(n)), dtype=np.float64, count=n)


def byteswap64(v: int) -> int:
    """Scala's ``hashing.byteswap64``: multiply, reverse the bytes, multiply (its constant is
    0x9e3775cd repeated, not the golden-ratio constant of other mixers)."""
    hc = (v * 0x9E3775CD9E3775CD) & _M64
    hc = int.from_bytes(hc.to_bytes(8, "big"), "little")
    return _signed((hc * 0x9E3775CD9E3775CD) & _M64)


def strict_log_array(x: np.ndarray) -> np.ndarray:
    """``strict_log`` over a float64 array: each element takes the scalar form's branch with
    the same operations in the same order (numpy rounds each one as Python does, nothing is
    fused), so each result is bit for bit the scalar's. The elements are sorted by branch first
    and each branch computed for its own elements only (half the work of computing every
    branch for every element and picking afterwards)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    bits = x.view(np.int64)
    hx, lx = bits >> 32, bits & 0xFFFFFFFF
    normal = (hx >= 0x00100000) & (hx < 0x7FF00000)
    k = (hx >> 20) - 1023
    hx = hx & 0x000FFFFF
    i = (hx + 0x95F64) & 0x100000
    f = (((hx | (i ^ 0x3FF00000)) << 32) | lx).view(np.float64) - 1.0
    k = k + (i >> 20)
    dk = k.astype(np.float64)
    k0 = k == 0
    out = np.empty_like(x)
    tiny = (0x000FFFFF & (2 + hx)) < 3  # |f| < 2^-20
    near = ~tiny & (((hx - 0x6147A) | (0x6B851 - hx)) > 0)
    with np.errstate(all="ignore"):
        if tiny.any():
            ft, dkt, k0t = f[tiny], dk[tiny], k0[tiny]
            rt = ft * ft * (0.5 - 0.33333333333333333 * ft)
            out[tiny] = np.where(ft == 0.0,
                                 np.where(k0t, 0.0, dkt * _LN2_HI + dkt * _LN2_LO),
                                 np.where(k0t, ft - rt, dkt * _LN2_HI - ((rt - dkt * _LN2_LO) - ft)))
        for pick, is_near in ((near, True), (~(tiny | near), False)):
            fp, dkp, k0p = f[pick], dk[pick], k0[pick]
            sp = fp / (2.0 + fp)
            r = _log_series(sp)
            if is_near:
                hfsq = 0.5 * fp * fp
                out[pick] = np.where(
                    k0p, fp - (hfsq - sp * (hfsq + r)),
                    dkp * _LN2_HI - ((hfsq - (sp * (hfsq + r) + dkp * _LN2_LO)) - fp))
            else:
                out[pick] = np.where(k0p, fp - sp * (fp - r),
                                     dkp * _LN2_HI - ((sp * (fp - r) - dkp * _LN2_LO) - fp))
    for j in np.flatnonzero(~normal):  # zero, subnormal, negative, inf, nan: rare, the scalar
        out[j] = strict_log(float(x[j]))
    return out


def _xorshift_step(s: np.ndarray) -> np.ndarray:
    s = s ^ (s << np.uint64(21))
    s ^= s >> np.uint64(35)
    s ^= s << np.uint64(4)
    return s


def _gf2_apply(cols: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A linear map of 64-bit words over GF(2) (``cols[i]``: the image of bit ``i``) applied
    to every word of ``x``."""
    out = np.zeros(x.shape, dtype=np.uint64)
    for i in range(64):
        out ^= ((x >> np.uint64(i)) & np.uint64(1)) * cols[i]
    return out


def _xorshift_jump(steps: int) -> np.ndarray:
    """The xorshift step is linear over GF(2): the map of ``steps`` steps, by squaring."""
    power = _xorshift_step(np.uint64(1) << np.arange(64, dtype=np.uint64))
    out = np.uint64(1) << np.arange(64, dtype=np.uint64)  # identity
    while steps:
        if steps & 1:
            out = _gf2_apply(power, out)
        steps >>= 1
        if steps:
            power = _gf2_apply(power, power)
    return out


def _xorshift_states(state: int, n: int) -> np.ndarray:
    """The next ``n`` xorshift states after ``state`` (the one each ``_next`` call leaves).

    The stream is cut into ``lanes`` runs of ``steps`` states: each run's start is a jump of the
    one before (the ``steps``-step map, applied by doubling: 1, 2, 4... lanes at a time), then
    all runs step together as numpy arrays, so Python loops ``steps`` times, not ``n``."""
    lanes = 1 << max(0, min(14, int(np.log2(max(n, 1)) / 2) + 2))
    steps = -(-n // lanes)
    starts = np.array([state], dtype=np.uint64)
    jump = _xorshift_jump(steps)
    while len(starts) < lanes:
        starts = np.concatenate([starts, _gf2_apply(jump, starts)])
        if len(starts) < lanes:
            jump = _gf2_apply(jump, jump)
    out = np.empty((steps, lanes), dtype=np.uint64)
    s = starts
    for t in range(steps):
        s = _xorshift_step(s)
        out[t] = s
    return out.T.ravel()[:n]


def xorshift_gaussians(seed: int, n: int) -> np.ndarray:
    """The first ``n`` ``XORShiftRandom(seed).nextGaussian()`` values (float64), bit for bit.

    ``nextGaussian`` is Java's polar method: two ``nextDouble`` (26 + 27 low bits of two states
    each) make a candidate pair, kept when ``0 < s < 1`` (``s = v1^2 + v2^2``), and a kept pair
    gives two Gaussians in order. The states come in bulk, the candidates are screened as
    arrays, and more states are drawn (continuing the stream) until enough pairs are kept."""
    state = _hash_seed(seed)
    pairs = -(-n // 2)
    kept: list[np.ndarray] = []
    have = 0
    while have < pairs:
        want = pairs - have
        cand = int(want / (np.pi / 4) * 1.01) + 16
        st = _xorshift_states(state, 4 * cand)
        state = int(st[-1])
        d = (((st[0::2] & np.uint64((1 << 26) - 1)) << np.uint64(27))
             + (st[1::2] & np.uint64((1 << 27) - 1))).astype(np.float64) * 2.0 ** -53
        v1, v2 = 2 * d[0::2] - 1, 2 * d[1::2] - 1
        s = v1 * v1 + v2 * v2
        ok = (s > 0) & (s < 1)
        v1, v2, s = v1[ok][:want], v2[ok][:want], s[ok][:want]
        # Java stops at the pair it needs: candidates past the last kept one are never drawn,
        # but nothing reads the state after them (one array per generator)
        mult = np.sqrt(-2 * strict_log_array(s) / s)
        kept.append(np.stack([v1 * mult, v2 * mult], axis=1).ravel())
        have += len(s)
    out = np.concatenate(kept) if kept else np.empty(0)
    return out[:n]
