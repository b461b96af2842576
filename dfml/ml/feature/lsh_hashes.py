"""The two LSH hash families and their distances, as numpy kernels over vector columns.

Both families draw their parameters from ``java.util.Random`` seeded with the stage's seed, as
Spark does, so a dfml model and a Spark model with the same seed hash every vector to the same
buckets (the generator below is Java's 48-bit linear congruential one, reproduced exactly).

- MinHash (sets as the non-zero indices of a vector): table ``t`` hashes a set to
  ``min((1 + i) * a_t + b_t mod 2038074743)`` over its indices ``i``; a vector with no non-zero
  entry has no minimum and is refused. Distance: Jaccard, ``1 - |A & B| / |A | B|``.
- Bucketed random projection (Euclidean space; the Gaussian draws use ``strict_log``, so
  they are Java's bit for bit, and only the norm each direction is scaled by may differ from
  Spark's BLAS in the last bit): table ``t`` hashes ``x`` to
  ``floor(x . u_t / bucketLength)``, ``u_t`` a random unit vector. Distance: Euclidean.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql.errors import IllegalArgumentException, SparkException
from ..linalg import as_struct_array, dense_to_arrow, to_matrix

__all__ = ["JavaRandom", "strict_log", "HASH_PRIME", "minhash_coefficients", "projection_vectors",
           "minhash_values", "projection_values", "jaccard", "euclidean", "hashes_to_arrow"]

HASH_PRIME = 2038074743


_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_LG = (6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
       2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
       1.479819860511658591e-01)


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
    z = s * s
    w = z * z
    t1 = w * (_LG[1] + w * (_LG[3] + w * _LG[5]))
    t2 = z * (_LG[0] + w * (_LG[2] + w * (_LG[4] + w * _LG[6])))
    r = t2 + t1
    if ((hx - 0x6147A) | (0x6B851 - hx)) > 0:
        hfsq = 0.5 * f * f
        if k == 0:
            return f - (hfsq - s * (hfsq + r))
        return dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + dk * _LN2_LO)) - f)
    if k == 0:
        return f - s * (f - r)
    return dk * _LN2_HI - ((s * (f - r) - dk * _LN2_LO) - f)


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


def minhash_coefficients(seed: int, tables: int) -> np.ndarray:
    """(tables, 2) int64 array of (a, b): a in [1, prime - 1], b in [0, prime - 2]."""
    rnd = JavaRandom(seed)
    out = []
    for _ in range(tables):
        a = 1 + rnd.nextInt(HASH_PRIME - 1)
        out.append((a, rnd.nextInt(HASH_PRIME - 1)))
    return np.asarray(out, np.int64).reshape(tables, 2)


def projection_vectors(seed: int, tables: int, dim: int) -> np.ndarray:
    """(tables, dim): one Gaussian draw per entry, row by row, each row scaled to unit length."""
    rnd = JavaRandom(seed)
    m = np.asarray([rnd.nextGaussian() for _ in range(tables * dim)]).reshape(tables, dim)
    norms = np.linalg.norm(m, axis=1)
    # scaled by the reciprocal, as Spark scales them (BLAS dscal with 1 / norm). Spark's norm
    # comes from its BLAS, whose vectorized sum may round the last bit differently
    return m * (1.0 / np.where(norms == 0, 1.0, norms))[:, None]


def _vectors(a: Any, column: str, stage: str, sparse: bool | None) -> Any:
    arr = as_struct_array(a)
    if arr.null_count:
        raise SparkException(f"{stage}: column `{column}` holds a null vector; fill or filter "
                             f"nulls first")
    try:
        return to_matrix(arr, sparse=sparse)
    except ValueError as e:
        raise SparkException(f"{stage}: column `{column}`: {e}") from None


def _nonzero_csr(m: Any) -> sp.csr_matrix:
    m = sp.csr_matrix(m, copy=True)  # Arrow's buffers are read-only
    m.eliminate_zeros()
    m.sort_indices()
    return m


def minhash_values(a: Any, coefficients: np.ndarray, column: str, stage: str) -> np.ndarray:
    """(rows, tables) float hash values of a vector column chunk; a row with no non-zero
    entry is an error, as in Spark."""
    m = _nonzero_csr(_vectors(a, column, stage, True))
    counts = np.diff(m.indptr)
    if (counts == 0).any():
        raise IllegalArgumentException(
            f"{stage}: column `{column}` holds a vector with no non-zero entry (row "
            f"{int(np.argmax(counts == 0))} of its partition); MinHash needs at least 1 non "
            f"zero entry")
    if m.shape[0] == 0:
        return np.zeros((0, len(coefficients)))
    idx = m.indices.astype(np.int64) + 1
    values = (idx[None, :] * coefficients[:, :1] + coefficients[:, 1:]) % HASH_PRIME
    return np.minimum.reduceat(values, m.indptr[:-1], axis=1).T.astype(np.float64)


def projection_values(a: Any, vectors: np.ndarray, bucket: float, column: str,
                      stage: str) -> np.ndarray:
    """(rows, tables) bucket numbers (as floats) of a vector column chunk."""
    m = _vectors(a, column, stage, None)
    if m.shape[0] and m.shape[1] != vectors.shape[1]:
        raise SparkException(f"{stage}: column `{column}` holds vectors of size {m.shape[1]}, "
                             f"the model was fitted on size {vectors.shape[1]}")
    return np.floor(np.asarray(m @ vectors.T) / bucket)


def jaccard(a: Any, b: Any, column: str, stage: str) -> np.ndarray:
    """Jaccard distance between the non-zero index sets of two vector chunks, row by row."""
    x = _nonzero_csr(_vectors(a, column, stage, True))
    y = _nonzero_csr(_vectors(b, column, stage, True))
    x.data[:] = 1.0
    y.data[:] = 1.0
    width = max(x.shape[1], y.shape[1])
    x.resize((x.shape[0], width))
    y.resize((y.shape[0], width))
    inter = np.asarray(x.multiply(y).sum(axis=1)).reshape(-1)
    union = np.diff(x.indptr) + np.diff(y.indptr) - inter
    if (union == 0).any():
        raise IllegalArgumentException(f"{stage}: two vectors of column `{column}` with no "
                                       f"non-zero entry have no Jaccard distance")
    return 1.0 - inter / union


def euclidean(a: Any, b: Any, column: str, stage: str) -> np.ndarray:
    x = _vectors(a, column, stage, None)
    y = _vectors(b, column, stage, None)
    d = x - y
    if sp.issparse(d):
        return np.sqrt(np.asarray(d.multiply(d).sum(axis=1)).reshape(-1))
    return np.sqrt(np.einsum("ij,ij->i", d, d))


def hashes_to_arrow(values: np.ndarray) -> pa.Array:
    """(rows, tables) hash values as Spark's hashes column: per row, a list holding one
    1-element dense vector per table."""
    n, t = values.shape
    inner = dense_to_arrow(values.reshape(-1, 1))
    return pa.LargeListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int64) * t), inner)
