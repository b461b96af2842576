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

from .java_random import XORShiftRandom, byteswap64

__all__ = ["initial_factors", "factor_seeds"]


def factor_seeds(seed: int) -> tuple[int, int]:
    """(user seed, item seed): the first two longs of a generator seeded with the fit's seed."""
    gen = XORShiftRandom(seed)
    return gen.nextLong(), gen.nextLong()


def initial_factors(seed: int, block: int, count: int, rank: int) -> np.ndarray:
    """(count, rank) float32 unit vectors for the ``count`` ids of ``block`` (ascending ids)."""
    rnd = XORShiftRandom(byteswap64(seed ^ block))
    out = np.empty((count, rank), dtype=np.float32)
    for row in range(count):
        f = np.array([rnd.nextGaussian() for _ in range(rank)], dtype=np.float32)
        # Spark's BLAS (no native library) sums the float squares in order, in float
        norm = np.sqrt(np.cumsum(f * f, dtype=np.float32)[-1], dtype=np.float32)
        out[row] = f * (np.float32(1.0) / norm)
    return out
