"""The streaming histogram behind ``histogram_numeric`` (Ben-Haim and Tom-Tov's algorithm, in the
form Hive and Spark run it), so that dfml's bins are the ones Spark prints.

Spark adds values one at a time into at most ``nb`` bins kept sorted by centre: a new value gets
its own bin (an equal centre only counts one more), and when there are ``nb + 1`` bins the two
adjacent ones whose centres are closest merge into their weighted mean. Ties between equally close
pairs are broken by a ``java.util.Random`` seeded with 31183, which is reproduced here bit for bit
(``JavaRandom``) so the same input order gives the same bins.
"""

from __future__ import annotations


__all__ = ["JavaRandom", "numeric_histogram"]

_MULT, _ADD, _MASK = 0x5DEECE66D, 0xB, (1 << 48) - 1


class JavaRandom:
    """``java.util.Random``'s 48-bit linear congruential generator (only ``nextDouble``)."""

    def __init__(self, seed: int):
        self.seed = (seed ^ _MULT) & _MASK

    def _next(self, bits: int) -> int:
        self.seed = (self.seed * _MULT + _ADD) & _MASK
        return self.seed >> (48 - bits)

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))


def _find(xs: list[float], v: float) -> tuple[int, bool]:
    """Where ``v`` goes among the bin centres, by Spark's binary search (NaN stops it where it
    lands, as Java's comparisons do), and whether that bin's centre equals ``v``."""
    lo, hi, at = 0, len(xs), 0
    while lo < hi:
        at = (lo + hi) // 2
        if xs[at] > v:
            hi = at
        elif xs[at] < v:
            at += 1
            lo = at
        else:
            break
    return at, lo < hi and xs[at] == v


def _trim(xs: list[float], ys: list[float], nb: int, rng: JavaRandom) -> None:
    while len(xs) > nb:
        best, loc, ties = xs[1] - xs[0], 0, 1
        for i in range(1, len(xs) - 1):
            d = xs[i + 1] - xs[i]
            if d < best:
                best, loc, ties = d, i, 1
            elif d == best:
                ties += 1
                if rng.next_double() <= 1.0 / ties:
                    loc = i
        w = ys[loc] + ys[loc + 1]
        # Spark's order of operations: the centres must round as its do, or ties differ
        xs[loc] = xs[loc] * (ys[loc] / w) + xs[loc + 1] / w * ys[loc + 1]
        ys[loc] = w
        del xs[loc + 1], ys[loc + 1]


def numeric_histogram(values: list[float], nb: int) -> list[tuple[float, float]] | None:
    """The ``(centre, count)`` bins of ``values`` (nulls already dropped) added in order; None
    when there are none (Spark's null result)."""
    xs: list[float] = []
    ys: list[float] = []
    rng = JavaRandom(31183)
    for v in values:
        at, same = _find(xs, v)
        if same:
            ys[at] += 1.0
            continue
        xs.insert(at, v)
        ys.insert(at, 1.0)
        if len(xs) > nb:
            _trim(xs, ys, nb, rng)
    return list(zip(xs, ys)) if xs else None


