"""ALS training on the cluster: rating blocks built once and kept on the workers, then
alternating factor solves where the blocks live.

The build is one counted graph: each input partition is read and checked, cut by user block
and by item block, and each block task gathers its pieces from every partition (only that
block's piece of a partition moves). Each half-iteration then submits one solve per block,
taking the other side's factor blocks as inputs (stacked once per worker when that side is
large), so dask moves factor matrices between workers and the client sees nothing until the
end, when the factors are gathered for the model.
"""

from __future__ import annotations

from operator import getitem
from typing import Any

import numpy as np

from ..sql import _engine
from ._als_blocks import (block_ids, encode_block, gram, group_block, ratings_of, solve_block,
                          split_blocks, stack_factors)
from ._als_random import factor_seeds, initial_factors

__all__ = ["train_als"]

_STACK_BYTES = 8 << 20  # one side's float32 factors from which each worker stacks them once


def _init(seed: int, block: int, rank: int, ids: np.ndarray) -> np.ndarray:
    return initial_factors(seed, block, len(ids), rank)


def _build(dataset: Any, cols: tuple[str, str, str | None], nub: int, nib: int, rank: int,
           seed: int) -> dict[str, list]:
    """The graph of rating blocks, ids and starting factors, submitted as one counted graph;
    futures by name."""
    from dask import delayed
    user, item, rating = cols
    session = _engine.session_of(dataset)
    parts = _engine.partitions(dataset, [c for c in (user, item, rating) if c])
    ratings = [delayed(ratings_of, pure=True)(p, user, item, rating) for p in parts]
    splits = [delayed(split_blocks, pure=True, nout=2)(r, nub, nib) for r in ratings]
    ugroups = [delayed(group_block, pure=True)(0, *[delayed(getitem)(s[0], b) for s in splits])
               for b in range(nub)]
    igroups = [delayed(group_block, pure=True)(1, *[delayed(getitem)(s[1], b) for s in splits])
               for b in range(nib)]
    uids = [delayed(block_ids, pure=True)(g) for g in ugroups]
    iids = [delayed(block_ids, pure=True)(g) for g in igroups]
    ublocks = [delayed(encode_block, pure=True)(g, *iids) for g in ugroups]
    iblocks = [delayed(encode_block, pure=True)(g, *uids) for g in igroups]
    useed, iseed = factor_seeds(seed)
    uinit = [delayed(_init, pure=True)(useed, b, rank, ids) for b, ids in enumerate(uids)]
    iinit = [delayed(_init, pure=True)(iseed, b, rank, ids) for b, ids in enumerate(iids)]
    groups = {"ublocks": ublocks, "iblocks": iblocks, "uids": uids, "iids": iids,
              "uinit": uinit, "iinit": iinit}
    futures = _engine.submit(session, [t for g in groups.values() for t in g])
    out, at = {}, 0
    for name, tasks in groups.items():
        out[name] = futures[at:at + len(tasks)]
        at += len(tasks)
    return out


def _half_step(client: Any, blocks: list, src: list, params: tuple, implicit: bool,
               workers: list) -> list:
    """New factor blocks of one side from the other side's (futures in, futures out).

    With ``workers``, each worker stacks the other side's blocks once, for the solves it runs,
    instead of every solve copying the whole side (no stack moves between workers), and block
    ``b``'s solve is asked of worker ``b mod len(workers)`` every time: left to itself the
    scheduler can send every solve to one worker (where the stack is) and leave the others
    idle. Without, each solve takes the blocks and stacks them itself."""
    if not workers:
        YtY = client.submit(gram, *src, pure=False) if implicit else None
        return [client.submit(solve_block, blk, params, YtY, *src, pure=False) for blk in blocks]
    pinned = [{"workers": [w], "allow_other_workers": True} for w in workers]
    stacks = [client.submit(stack_factors, *src, pure=False, **at) for at in pinned]
    YtY = client.submit(gram, stacks[0], pure=False) if implicit else None
    return [client.submit(solve_block, blk, params, YtY, stacks[b % len(stacks)], pure=False,
                          **pinned[b % len(pinned)])
            for b, blk in enumerate(blocks)]


def _stacking_workers(client: Any, f: dict, rank: int) -> tuple[list, list]:
    """(workers for the item solves, workers for the user solves): the workers when the other
    side's factors are large enough that a copy of them in every solve costs more than the
    stack tasks' extra scheduling round trip (``_STACK_BYTES``), else none."""
    from ..sql.graph_lock import GRAPH_LOCK
    with GRAPH_LOCK.released():
        n_users, n_items = (sum(client.gather(client.map(len, f[k], pure=False)))
                            for k in ("uids", "iids"))
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    big = [n * rank * 4 >= _STACK_BYTES and len(workers) > 0 for n in (n_users, n_items)]
    return (workers if big[0] else []), (workers if big[1] else [])


def train_als(dataset: Any, cols: tuple[str, str, str | None], rank: int, max_iter: int,
              reg: float, implicit: bool, alpha: float, nonnegative: bool, nub: int, nib: int,
              seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(user ids, user factors, item ids, item factors), each side sorted by id."""
    session = _engine.session_of(dataset)
    client = _engine.client_of(session)
    f = _build(dataset, cols, nub, nib, rank, seed)
    params = (float(reg), bool(implicit), float(alpha), bool(nonnegative))
    users, items = f["uinit"], f["iinit"]
    item_workers, user_workers = _stacking_workers(client, f, rank) if max_iter else ([], [])
    for _ in range(max_iter):
        items = _half_step(client, f["iblocks"], users, params, implicit, item_workers)
        users = _half_step(client, f["ublocks"], items, params, implicit, user_workers)
    from ..sql.graph_lock import GRAPH_LOCK
    with GRAPH_LOCK.released():
        uids, U, iids, I = client.gather([f["uids"], users, f["iids"], items])
    del f, users, items  # released, not cancelled (see optim.blocks.TrainingBlocks.release)
    return _sorted(uids, U, rank) + _sorted(iids, I, rank)


def _sorted(ids: list, factors: list, rank: int) -> tuple[np.ndarray, np.ndarray]:
    all_ids = np.concatenate(ids) if ids else np.empty(0, np.int32)
    all_f = np.concatenate(factors) if factors else np.empty((0, rank), np.float32)
    order = np.argsort(all_ids, kind="stable")
    return all_ids[order].astype(np.int32), np.ascontiguousarray(all_f[order], dtype=np.float32)
