"""Word2Vec's numerics: the vocabulary's Huffman tree and skip-gram training with hierarchical
softmax, in numpy.

The model is Spark's (and the original word2vec tool's): each vocabulary word is a leaf of a
Huffman tree built from the word counts, so frequent words get short paths; ``syn0`` holds the
word vectors and ``syn1`` one vector per inner node. For a word at position ``pos`` and each
context word in a window shrunk by a random ``b`` (``0 <= b < windowSize``), the context word's
vector is trained to predict, node by node, the left/right turns on the path to the centre word.

Where Spark runs those updates strictly one pair at a time (a JVM loop), this module runs them
in small batches of (centre, context) pairs: every pair of a batch reads the same parameters
and the batch's updates are summed into place (a sparse matrix product per batch). Batches are small (a few
hundred pairs), so the difference from sequential SGD is of the order of the noise SGD has
anyway, and a few thousand sentences train in well under a second per pass. The learning rate
decays linearly with the words processed, as Spark's, and the random draws come from numpy's
generator seeded by ``seed``: the vectors are not Spark's bit for bit (no two SGD runs are),
but the vocabulary, the tree and the behaviour (which words end up close) are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["huffman_paths", "encode_sentences", "train_partition", "MAX_EXP"]

MAX_EXP = 6.0  # as word2vec: a node whose score is beyond +-MAX_EXP gets no update
_BATCH_PAIRS = 256


def huffman_paths(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, points, lengths) of the Huffman tree over ``counts`` (sorted descending): row
    ``w`` of ``points`` lists the inner nodes (rows of ``syn1``) from the root to word ``w``'s
    leaf and row ``w`` of ``codes`` the turn (0/1) taken at each; padded past ``lengths[w]``.

    The tree is word2vec's: two queues (the leaves in count order, the merged nodes in
    creation order), always merging the two smallest, the second of each merge coded 1.
    """
    v = len(counts)
    if v == 1:  # one word: a path of length 1 through the only inner node (syn1 row 0)
        return np.zeros((1, 1), np.int8), np.zeros((1, 1), np.int32), np.ones(1, np.int32)
    count = np.concatenate([np.asarray(counts, np.int64), np.full(v - 1, 10 ** 15, np.int64)])
    parent = np.zeros(2 * v - 1, np.int64)
    binary = np.zeros(2 * v - 1, np.int8)
    pos1, pos2 = v - 1, v
    for a in range(v - 1):
        picks = []
        for _ in range(2):
            if pos1 >= 0 and count[pos1] < count[pos2]:
                picks.append(pos1)
                pos1 -= 1
            else:
                picks.append(pos2)
                pos2 += 1
        count[v + a] = count[picks[0]] + count[picks[1]]
        parent[picks[0]] = parent[picks[1]] = v + a
        binary[picks[1]] = 1
    root = 2 * v - 2
    paths = []
    for w in range(v):
        code, point, b = [], [], w
        while b != root:
            code.append(binary[b])
            b = int(parent[b])
            point.append(b - v)
        paths.append((code[::-1], point[::-1]))
    depth = max(len(c) for c, _ in paths)
    codes = np.zeros((v, depth), np.int8)
    points = np.zeros((v, depth), np.int32)
    lengths = np.zeros(v, np.int32)
    for w, (c, p) in enumerate(paths):
        codes[w, :len(c)], points[w, :len(p)], lengths[w] = c, p, len(c)
    return codes, points, lengths


def encode_sentences(sentences: list[Any], index: dict[str, int],
                     max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """(flat word indices, sentence lengths) of a partition's sentences: words outside the
    vocabulary dropped, then each sentence cut into pieces of at most ``max_len`` words, as
    Spark does before training."""
    flat: list[int] = []
    lengths: list[int] = []
    for s in sentences:
        if s is None:
            continue
        ids = [index[w] for w in s if w in index]
        for i in range(0, len(ids), max_len):
            piece = ids[i:i + max_len]
            flat.extend(piece)
            lengths.append(len(piece))
    return np.asarray(flat, np.int32), np.asarray(lengths, np.int64)


def _pairs(flat: np.ndarray, lengths: np.ndarray, window: int,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centre, context, position of the centre word) of every training pair, in stream order:
    each position draws its shrink ``b`` and pairs with the words within ``window - b``
    positions of it in its own sentence."""
    n = len(flat)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    ends = starts + np.repeat(lengths, lengths)
    pos = np.arange(n)
    reach = window - rng.integers(0, window, size=n)
    centres, contexts, where = [], [], []
    for off in range(-window, window + 1):
        if off == 0:
            continue
        c = pos + off
        ok = (abs(off) <= reach) & (c >= starts) & (c < ends)
        centres.append(pos[ok])
        contexts.append(c[ok])
    centre = np.concatenate(centres)
    context = np.concatenate(contexts)
    order = np.argsort(centre, kind="stable")
    centre, context = centre[order], context[order]
    return flat[centre], flat[context], centre


def _scatter_add(target: np.ndarray, rows: np.ndarray, src: np.ndarray, weights: np.ndarray,
                 values: np.ndarray) -> None:
    """``target[rows[i]] += weights[i] * values[src[i]]`` for every i, repeated rows summed:
    a sparse (distinct rows x sources) matrix times ``values`` (much faster than
    ``np.add.at`` on rows of vectors)."""
    if len(rows) == 0:
        return
    uniq, inv = np.unique(rows, return_inverse=True)
    m = sp.csr_matrix((weights, (inv, src)), shape=(len(uniq), len(values)))
    target[uniq] += (m @ values).astype(target.dtype, copy=False)


def train_partition(flat: np.ndarray, lengths: np.ndarray, syn0: np.ndarray, syn1: np.ndarray,
                    tree: tuple[np.ndarray, np.ndarray, np.ndarray], *, window: int,
                    step: float, iterations: int, total_words: int, partitions: int,
                    seed: Any, passes: int | None = None,
                    done_words: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """Train ``syn0``/``syn1`` (copies) on one partition's sentences for ``passes`` passes
    (default ``iterations``, the fit's total); returns them and the words processed. The learning rate falls linearly from
    ``step`` with the words processed by all partitions (estimated as ``partitions`` times this
    one's), floored at ``step * 1e-4``, as Spark's."""
    syn0, syn1 = syn0.copy(), syn1.copy()
    codes, points, depth = tree
    rng = np.random.default_rng(seed)
    span = np.arange(codes.shape[1])
    words = done_words
    for _ in range(iterations if passes is None else passes):
        word, ctx, at = _pairs(flat, lengths, window, rng)
        for lo in range(0, len(word), _BATCH_PAIRS):
            w, c = word[lo:lo + _BATCH_PAIRS], ctx[lo:lo + _BATCH_PAIRS]
            seen = words + int(at[min(lo + _BATCH_PAIRS, len(at)) - 1]) + 1
            alpha = max(step * (1 - partitions * seen / (iterations * total_words + 1)),
                        step * 1e-4)
            live = span[None, :] < depth[w][:, None]           # (pairs, depth)
            nodes = points[w]                                  # (pairs, depth)
            l1 = syn0[c]                                       # (pairs, dim)
            l2 = syn1[nodes]                                   # (pairs, depth, dim)
            f = np.einsum("pd,pkd->pk", l1, l2)
            live &= (f > -MAX_EXP) & (f < MAX_EXP)
            g = (1.0 - codes[w] - 1.0 / (1.0 + np.exp(-f))) * alpha * live
            g = g.astype(syn0.dtype)
            neu1e = np.einsum("pk,pkd->pd", g, l2)
            pair = np.broadcast_to(np.arange(len(w))[:, None], live.shape)[live]
            _scatter_add(syn1, nodes[live], pair, g[live], l1)
            _scatter_add(syn0, c, np.arange(len(c)), np.ones(len(c), syn0.dtype), neu1e)
        words += len(flat)
    return syn0, syn1, words - done_words
