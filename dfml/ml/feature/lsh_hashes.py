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

from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql.errors import IllegalArgumentException, SparkException
from ..java_random import JavaRandom, strict_log
from ..linalg import as_struct_array, dense_to_arrow, to_matrix

__all__ = ["HASH_PRIME", "minhash_coefficients", "projection_vectors",
           "minhash_values", "projection_values", "jaccard", "euclidean", "hashes_to_arrow"]

HASH_PRIME = 2038074743


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
