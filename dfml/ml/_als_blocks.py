"""The worker-side pieces of ALS: ratings out of a partition, rating blocks, factor solves.

A fit groups the ratings twice, once by user block and once by item block (a user's block is
``id mod numUserBlocks``, Spark's hash partitioning of an int id). A ``RatingBlock`` holds the
ratings of the ids of one block, sorted by id (a CSR layout: ``ptr`` delimits each id's ratings)
and, for every rating, the position of the other side's id in the concatenation of that side's
factor blocks. Those blocks stay on the workers for the whole fit; an iteration only moves
factor matrices.

Once encoded, a block lists its ids by rating count (``order``), so the ids with the same count
sit side by side: a solve gathers their raters' factors as one ``(ids, count, rank)`` tensor and
builds every Gram matrix of the group with one batched BLAS product (few groups: a count seen
once is a group of one, a Zipf head's large product runs in BLAS too), instead of a ``k x k``
outer product per rating summed afterwards.

A solve builds, for each id of a block, the normal equations of its least-squares problem in
double precision and solves them, as Spark does: ``A = sum y y^T + lambda * n I``, ``b = sum r
y`` (explicit), or Hu-Koren-Volinsky's implicit form ``A = Y^T Y + sum c1 y y^T``, ``b = sum (1
+ c1) y [r > 0]`` with ``c1 = alpha |r|``; ``n`` counts the ratings (implicit: the positive
ones), the "ALS-WR" scaling of the regularization. Factors are kept as float32, as Spark's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..sql.errors import SparkException

__all__ = ["RatingBlock", "ratings_of", "split_blocks", "group_block", "encode_block",
           "block_ids", "solve_block", "stack_factors", "gram", "id_array", "INT_MIN", "INT_MAX"]

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
_GATHER = 1 << 16  # ratings gathered at a time (rank 10: 5.8 MB of doubles)
_SLICE = 4096  # ids whose equations are built and solved together (the Cholesky chunk)


def _raised(message: str) -> SparkException:
    return SparkException(f"[USER_RAISED_EXCEPTION] {message} SQLSTATE: P0001")


def _show(v: Any) -> str:
    if isinstance(v, float):
        from ..sql.formatting import format_double
        return format_double(v)
    return str(v)


def id_array(arr: pa.Array, column: str, allow_null: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(int32 ids, null mask) of an id column, with Spark's check: ids are whole numbers in
    int range; a null id is an error unless ``allow_null``."""
    nulls = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else \
        np.zeros(len(arr), dtype=bool)
    if nulls.any() and not allow_null:
        raise _raised(f"{column} Ids MUST NOT be Null")
    t = arr.type
    if pa.types.is_integer(t):
        v = pc.fill_null(arr, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        bad = (v < INT_MIN) | (v > INT_MAX)
    else:
        v = pc.fill_null(pc.cast(arr, pa.float64()), 0.0).to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(v) | (v != np.trunc(v)) | (v < INT_MIN) | (v > INT_MAX)
    bad &= ~nulls
    if bad.any():
        raise _raised(f"ALS only supports non-Null values in Integer range and without "
                      f"fractional part for column {column}, but got "
                      f"{_show(arr[int(np.argmax(bad))].as_py())}")
    return v.astype(np.int32), nulls


def ratings_of(part: Any, user: str, item: str, rating: str | None) -> tuple:
    """(users, items, ratings as float32) of a pandas partition, checked as Spark checks them."""
    from ..sql import _engine
    u, _ = id_array(_engine.arrow_array(part[user]), user)
    i, _ = id_array(_engine.arrow_array(part[item]), item)
    if rating:
        r_arr = pc.cast(_engine.arrow_array(part[rating]), pa.float64())
        r = pc.fill_null(r_arr, np.nan).to_numpy(zero_copy_only=False)
        if np.isnan(r).any():
            raise _raised("Ratings MUST NOT be Null or NaN")
        r = r.astype(np.float32)
    else:
        r = np.ones(len(u), dtype=np.float32)
    return u, i, r


def split_blocks(ratings: tuple, user_blocks: int, item_blocks: int) -> tuple[list, list]:
    """A partition's ratings cut by user block and by item block (each piece: users, items,
    ratings, in the partition's order): one stable sort by block number per side (a radix
    sort on small keys) and slices, rather than a pass over the partition per block."""
    return _cut(ratings, ratings[0], user_blocks), _cut(ratings, ratings[1], item_blocks)


def _cut(ratings: tuple, ids: np.ndarray, blocks: int) -> list:
    key = np.mod(ids, blocks)
    key = key.astype(np.uint8 if blocks <= 256 else np.uint16 if blocks <= 65536 else np.int64)
    order = np.argsort(key, kind="stable")
    ends = np.cumsum(np.bincount(key, minlength=blocks)).tolist()
    cols = [c[order] for c in ratings]
    return [tuple(c[a:b] for c in cols) for a, b in zip([0] + ends[:-1], ends)]


@dataclass
class RatingBlock:
    """The ratings of one block's ids: ``ids`` ascending; the ratings of ``ids[order[j]]`` are
    ``src[ptr[j]:ptr[j + 1]]`` (``src``: the rated side's id, then its factor position after
    ``encode_block``) with ratings ``r`` (float32). ``order`` is the identity until
    ``encode_block`` sorts the ids by rating count."""

    ids: np.ndarray
    ptr: np.ndarray
    src: np.ndarray
    r: np.ndarray
    order: np.ndarray


def group_block(side: int, *pieces: tuple) -> RatingBlock:
    """One block's pieces from every partition, grouped by the block's ids (``side`` 0: users
    own the block, 1: items)."""
    if pieces:
        own = np.concatenate([p[side] for p in pieces])
        other = np.concatenate([p[1 - side] for p in pieces])
        r = np.concatenate([p[2] for p in pieces])
    else:
        own = other = np.empty(0, np.int32)
        r = np.empty(0, np.float32)
    order = _stable_order(own)
    own, other, r = own[order], other[order], r[order]
    starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]]) if len(own) else \
        np.empty(0, np.int64)
    ptr = np.append(starts, len(own)).astype(np.int64)
    ids = own[starts].astype(np.int32)
    return RatingBlock(ids, ptr, other, r, np.arange(len(ids), dtype=np.int64))


def _stable_order(ids: np.ndarray) -> np.ndarray:
    """``np.argsort(ids, kind="stable")`` for int32 ids, as two stable passes on 16-bit keys
    (low half, then high half of ``id - min``): numpy sorts 16-bit keys by radix, in linear
    time, about 3x a comparison sort of the ids."""
    if len(ids) == 0:
        return np.empty(0, np.int64)
    key = ids.astype(np.int64) - int(ids.min())
    first = np.argsort((key & 0xFFFF).astype(np.uint16), kind="stable")
    return first[np.argsort((key[first] >> 16).astype(np.uint16), kind="stable")]


def block_ids(block: RatingBlock) -> np.ndarray:
    return block.ids


def _positions(src: np.ndarray, other_ids: tuple) -> np.ndarray:
    """Each id of ``src``'s row in the concatenation of ``other_ids``: through a table indexed
    by id when the ids span a range not much wider than their number (ids numbered from 0,
    the common case: one gather), else by a binary search in each block."""
    n = len(other_ids)
    total = sum(len(x) for x in other_ids)
    offsets = np.cumsum([0] + [len(x) for x in other_ids])
    if total and len(src):
        lo = min(int(x[0]) for x in other_ids if len(x))
        hi = max(int(x[-1]) for x in other_ids if len(x))
        if hi - lo < 4 * total + 1024:
            table = np.empty(hi - lo + 1, dtype=np.int64)
            for b, ids in enumerate(other_ids):
                table[ids.astype(np.int64) - lo] = np.arange(offsets[b], offsets[b + 1])
            return table[src.astype(np.int64) - lo]
    pos = np.empty(len(src), dtype=np.int64)
    which = np.mod(src, n)
    for b, ids in enumerate(other_ids):
        m = which == b
        pos[m] = offsets[b] + np.searchsorted(ids, src[m])
    return pos


def encode_block(block: RatingBlock, *other_ids: np.ndarray) -> RatingBlock:
    """Replace each rating's other-side id by its row in the concatenation of the other side's
    factor blocks (block ``b`` holds the ids ``= b mod len(other_ids)``, ascending), and list
    the ids by rating count (stable: each id's ratings keep their order, so its sums do)."""
    pos = _positions(block.src, other_ids)
    counts = np.diff(block.ptr)
    by_count = np.argsort(counts, kind="stable")
    starts = block.ptr[:-1][by_count]
    sorted_counts = counts[by_count]
    # the ratings of the j-th id by count: starts[j] + 0 .. sorted_counts[j] - 1
    take = np.repeat(starts - np.cumsum(sorted_counts) + sorted_counts, sorted_counts) + \
        np.arange(len(block.src))
    ptr = np.append(0, np.cumsum(sorted_counts)).astype(np.int64)
    return RatingBlock(block.ids, ptr, pos[take], block.r[take], block.order[by_count])


def gram(*factor_blocks: np.ndarray) -> np.ndarray:
    """``Y^T Y`` over every factor of one side (double): the implicit model's shared term."""
    Y = np.concatenate(factor_blocks).astype(np.float64)
    return Y.T @ Y


def _slices(ptr: np.ndarray) -> list[int]:
    """Cuts of a block's ids (in ``order``) into slices of at most ``_SLICE`` ids and, unless
    one id has more, ``_GATHER`` ratings: a slice's equations are built and solved before the
    next, so the scratch arrays stay small and are reused (fresh arrays of a whole block's
    equations cost more in page faults than the products that fill them)."""
    m = len(ptr) - 1
    cuts, s = [0], 0
    while s < m:
        e = min(s + _SLICE, int(np.searchsorted(ptr, ptr[s] + _GATHER, side="right")) - 1)
        s = max(e, s + 1)
        cuts.append(s)
    return cuts


def _normal_equations(block: RatingBlock, s: int, e: int, Y: np.ndarray, implicit: bool,
                      alpha: float, buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, b, counts) for the ids ``s:e`` of the block, in ``block.order`` (A without the
    regularization and ``Y^T Y``). Ids with the same number of ratings form one group: their
    raters' factors gathered as a ``(group, count, rank)`` tensor ``G``, the group's ``[A | b]``
    is one batched BLAS product ``G^T [w_a G | w_b]`` (``w_a`` one for explicit ratings).
    ``buf`` holds the gathered rows (every gather of the slice reuses it)."""
    m, k = e - s, Y.shape[1]
    ptr = block.ptr[s:e + 1]
    n = np.diff(ptr)
    r = block.r[ptr[0]:ptr[-1]].astype(np.float64)
    base = int(ptr[0])
    if implicit:
        c1 = alpha * np.abs(r)
        wa, wb = c1, np.where(r > 0, 1.0 + c1, 0.0)
        counts = np.add.reduceat((r > 0).astype(np.int64), ptr[:-1] - base) if m else n
    else:
        wa, wb, counts = None, r, n
    Ab = np.empty((m, k, k + 1))
    cuts = np.concatenate([[0], np.flatnonzero(np.diff(n)) + 1, [m]]).tolist()
    for g0, g1 in zip(cuts[:-1], cuts[1:]):
        c = int(n[g0])
        lo, hi = int(ptr[g0]), int(ptr[g1])
        H = buf[:(hi - lo) * (k + 1)].reshape(hi - lo, k + 1)
        H[:, k] = wb[lo - base:hi - base]
        if wa is None:
            H[:, :k] = np.take(Y, block.src[lo:hi], axis=0)
            G = H[:, :k]
        else:
            G = np.take(Y, block.src[lo:hi], axis=0).astype(np.float64)
            np.multiply(G, wa[lo - base:hi - base, None], out=H[:, :k])
        np.matmul(G.reshape(g1 - g0, c, k).transpose(0, 2, 1), H.reshape(g1 - g0, c, k + 1),
                  out=Ab[g0:g1])
    return Ab[:, :, :k], Ab[:, :, k], counts


def _nnls(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """argmin over x >= 0 of x'Ax/2 - b'x, as a least-squares NNLS on A's square root."""
    from scipy.optimize import nnls
    w, V = np.linalg.eigh(A)
    w = np.clip(w, 0.0, None)
    keep = w > w.max() * 1e-12 if len(w) and w.max() > 0 else np.zeros(len(w), bool)
    M = np.sqrt(w[keep])[:, None] * V[:, keep].T
    c = (V[:, keep].T @ b) / np.sqrt(w[keep])
    return nnls(M, c, maxiter=50 * len(b))[0]


def _cholesky_solve(A: np.ndarray, b: np.ndarray, YtY: np.ndarray | None, diag: np.ndarray,
                    chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """(x, ok): ``(A + YtY + diag I) x = b`` for a stack of symmetric positive definite
    systems by Cholesky, as Spark solves them, vectorized across the systems (numpy's batched
    solve pays a LAPACK call per ``k x k`` system, about twice this). The systems are laid out
    ``(k, k, chunk)`` so each step is one array operation over a cache-sized chunk of systems
    (``YtY`` and the diagonal are added there, in that order, not over the whole stack). ``ok``
    is False where a pivot is not clearly positive (a singular system, as regParam 0 can give,
    or one singular up to rounding): the caller solves those as before."""
    m, k = b.shape
    x = np.empty((m, k))
    ok = np.ones(m, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for s in range(0, m, chunk):
            e = min(s + chunk, m)
            a = np.empty((k, k, e - s))
            # transposed in cache-sized pieces: one strided copy of the whole chunk thrashes
            for t in range(s, e, 512):
                a[:, :, t - s:t - s + 512] = A[t:min(t + 512, e)].transpose(1, 2, 0)
            if YtY is not None:
                a += YtY[:, :, None]
            L = np.empty_like(a)  # only the lower triangle is read, each entry after it is set
            for j in range(k):
                a[j, j] += diag[s:e]
                pivot = a[j, j] - np.einsum("pc,pc->c", L[j, :j], L[j, :j])
                ok[s:e] &= pivot > 1e-10 * a[j, j]  # else singular, or nearly: not trusted
                d = np.sqrt(pivot)
                L[j, j] = d
                if j + 1 < k:
                    L[j + 1:, j] = (a[j + 1:, j]
                                    - np.einsum("ipc,pc->ic", L[j + 1:, :j], L[j, :j])) / d
            y = np.ascontiguousarray(b[s:e].T)
            for i in range(k):
                y[i] = (y[i] - np.einsum("pc,pc->c", L[i, :i], y[:i])) / L[i, i]
            for i in range(k - 1, -1, -1):
                y[i] = (y[i] - np.einsum("pc,pc->c", L[i + 1:, i], y[i + 1:])) / L[i, i]
            x[s:e] = y.T
    return x, ok


def _full(A: np.ndarray, YtY: np.ndarray | None, diag: np.ndarray) -> np.ndarray:
    A = A + YtY if YtY is not None else A.copy()
    k = A.shape[-1]
    A[:, np.arange(k), np.arange(k)] += diag[:, None]
    return A


def _general_solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a singular system (regParam 0): the least-squares answer
        return np.stack([np.linalg.lstsq(a, v, rcond=None)[0] for a, v in zip(A, b)])


def _solve(A: np.ndarray, b: np.ndarray, YtY: np.ndarray | None, diag: np.ndarray,
           nonnegative: bool) -> np.ndarray:
    """x of ``(A + YtY + diag I) x = b`` for each system of the stack."""
    if nonnegative:
        full = _full(A, YtY, diag)
        return np.stack([_nnls(a, v) for a, v in zip(full, b)]) if len(A) else b
    x, ok = _cholesky_solve(A, b, YtY, diag)
    if not ok.all():
        x[~ok] = _general_solve(_full(A[~ok], YtY, diag[~ok]), b[~ok])
    return x


def stack_factors(*factor_blocks: np.ndarray) -> np.ndarray:
    """One side's factor blocks as one array: for a large side, made once per half-step on
    each worker and shared by the solves it runs (rather than a copy in every solve task)."""
    return np.concatenate(factor_blocks) if factor_blocks else np.empty((0, 0), np.float32)


def solve_block(block: RatingBlock, params: tuple, YtY: np.ndarray | None,
                *factor_blocks: np.ndarray) -> np.ndarray:
    """New factors (float32, one row per id of ``block``) given the other side's factor
    blocks (or their ``stack_factors``); ``params`` is (regParam, implicit, alpha,
    nonnegative)."""
    reg, implicit, alpha, nonnegative = params
    Y = factor_blocks[0] if len(factor_blocks) == 1 else stack_factors(*factor_blocks)
    k = Y.shape[1]
    if len(block.ids) == 0:
        return np.empty((0, k), dtype=np.float32)
    most = int(np.diff(block.ptr).max())
    buf = np.empty(max(min(_GATHER, len(block.r)), most) * (k + 1))
    out = np.empty((len(block.ids), k), dtype=np.float32)
    cuts = _slices(block.ptr)
    for s, e in zip(cuts[:-1], cuts[1:]):
        A, b, counts = _normal_equations(block, s, e, Y, implicit, alpha, buf)
        out[block.order[s:e]] = _solve(A, b, YtY, reg * counts, nonnegative)
    return out
