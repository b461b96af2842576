"""ALS's starting factors, drawn from the same random stream Spark draws them from.

Spark seeds one ``XORShiftRandom`` per factor block (from the fit's seed and the block number)
and gives every id of the block, in ascending id order, a Gaussian vector scaled to unit
length. Drawing the same numbers here means a dfml fit and a Spark fit with the same seed and
block counts start from the same point, so their results agree to float rounding rather than
only statistically. The generator is Spark's xorshift over ``java.util.Random``'s Gaussian
method; its seed goes through Scala's MurmurHash3 of the seed's eight big-endian bytes. A
block's Gaussians are drawn as one array (``xorshift_gaussians``: the same numbers as the
per-call generator, without a Python call for each of the millions a large fit needs).
"""

from __future__ import annotations

import numpy as np

from .java_random import XORShiftRandom, byteswap64, xorshift_gaussians

__all__ = ["initial_factors", "initial_factors_reference", "factor_seeds"]


def factor_seeds(seed: int) -> tuple[int, int]:
    """(user seed, item seed): the first two longs of a generator seeded with the fit's seed."""
    gen = XORShiftRandom(seed)
    return gen.nextLong(), gen.nextLong()


def initial_factors(seed: int, block: int, count: int, rank: int) -> np.ndarray:
    """(count, rank) float32 unit vectors for the ``count`` ids of ``block`` (ascending ids)."""
    g = xorshift_gaussians(byteswap64(seed ^ block), count * rank)
    f = g.astype(np.float32).reshape(count, rank)
    if count == 0 or rank == 0:
        return f
    # Spark's BLAS (no native library) sums the float squares in order, in float: cumsum along
    # a row is that running float sum
    norm = np.sqrt(np.cumsum(f * f, axis=1, dtype=np.float32)[:, -1], dtype=np.float32)
    return f * (np.float32(1.0) / norm)[:, None]


def initial_factors_reference(seed: int, block: int, count: int, rank: int) -> np.ndarray:
    """``initial_factors`` one Gaussian call at a time, as Spark draws them: the slow form the
    array form is checked against."""
    rnd = XORShiftRandom(byteswap64(seed ^ block))
    out = np.empty((count, rank), dtype=np.float32)
    for row in range(count):
        f = np.array([rnd.nextGaussian() for _ in range(rank)], dtype=np.float32)
        norm = np.sqrt(np.cumsum(f * f, dtype=np.float32)[-1], dtype=np.float32)
        out[row] = f * (np.float32(1.0) / norm)
    return out
