"""The mining half of FPGrowth and PrefixSpan: pure Python over a compressed database.

The fits in ``dfml.ml.fpm`` reduce the data on the cluster to (a) item counts and (b) the
multiset of distinct transactions (or sequences) restricted to frequent items, each with its
multiplicity. What is left for the driver is usually far smaller than the input (baskets repeat
a lot once rare items are gone), and the search over it is the part that cannot be a column
expression. Items are mapped to ranks (0 = most frequent), so every recursion works on small
ints; callers map ranks back to their values.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

__all__ = ["frequent_itemsets", "frequent_sequences", "rank_items"]


def rank_items(counts: dict, min_count: int) -> list:
    """Frequent items, most frequent first. Ties are broken by the value itself (Spark breaks
    them by hash order, which no caller can rely on)."""
    frequent = [(item, c) for item, c in counts.items() if c >= min_count]
    frequent.sort(key=lambda ic: (-ic[1], _sort_key(ic[0])))
    return [item for item, _ in frequent]


def _sort_key(v: object) -> tuple:
    return (type(v).__name__, v)


# ------------------------------------------------------------------ FP-growth

def frequent_itemsets(db: dict[tuple[int, ...], int], min_count: int
                      ) -> Iterator[tuple[list[int], int]]:
    """Every itemset of ranks with support >= ``min_count`` in ``db`` (sorted rank tuples ->
    multiplicity), as (ranks, support). An itemset lists its least frequent item first and then
    the items of its conditional base, the order FP-growth discovers them in (Spark's too)."""
    yield from _grow(db, min_count, [])


def _grow(db: dict[tuple[int, ...], int], min_count: int, suffix: list[int]
          ) -> Iterator[tuple[list[int], int]]:
    support: dict[int, int] = defaultdict(int)
    for t, c in db.items():
        for r in t:
            support[r] += c
    for r in sorted(support, reverse=True):
        if support[r] < min_count:
            continue
        itemset = suffix + [r]
        yield itemset, support[r]
        # conditional base of r: the prefix before r of every transaction holding it, keeping
        # only items that are themselves frequent alongside r
        base: dict[tuple[int, ...], int] = defaultdict(int)
        for t, c in db.items():
            if r in t:
                prefix = t[:t.index(r)]
                if prefix:
                    base[prefix] += c
        if not base:
            continue
        local: dict[int, int] = defaultdict(int)
        for t, c in base.items():
            for x in t:
                local[x] += c
        keep = {x for x, c in local.items() if c >= min_count}
        pruned: dict[tuple[int, ...], int] = defaultdict(int)
        for t, c in base.items():
            t2 = tuple(x for x in t if x in keep)
            if t2:
                pruned[t2] += c
        if pruned:
            yield from _grow(pruned, min_count, itemset)


# ------------------------------------------------------------------ PrefixSpan

def frequent_sequences(db: dict[tuple[tuple[int, ...], ...], int], min_count: int,
                       max_length: int) -> Iterator[tuple[list[list[int]], int]]:
    """Every sequential pattern (a list of itemsets of ranks, each itemset ascending) with
    support >= ``min_count`` and at most ``max_length`` items in all, as (pattern, support).

    A sequence's match state for a pattern is (e, J): ``e`` the itemset where the earliest
    embedding of the pattern without its last itemset ends (-1 when it has one itemset) and
    ``J`` every later itemset holding the last itemset. Appending a new itemset {x} needs x
    after min(J); adding x to the last itemset needs x in one of J. The earliest embedding of
    the prefix leaves the most room, so this finds every occurrence the definition allows."""
    seqs = list(db.items())
    start = [(i, -1, None) for i in range(len(seqs))]
    yield from _span(seqs, start, [], min_count, max_length)


def _span(seqs: list, states: list, pattern: list[list[int]], min_count: int,
          max_length: int) -> Iterator[tuple[list[list[int]], int]]:
    length = sum(len(s) for s in pattern)
    if length >= max_length:
        return
    s_count: dict[int, int] = defaultdict(int)
    i_count: dict[int, int] = defaultdict(int)
    last_max = pattern[-1][-1] if pattern else -1
    for i, e, J in states:
        seq, mult = seqs[i]
        after = (min(J) if J is not None else -1) + 1
        seen: set[int] = set()
        for itemset in seq[after:]:
            seen.update(itemset)
        for x in seen:
            s_count[x] += mult
        if J is not None:
            grow: set[int] = set()
            for j in J:
                grow.update(x for x in seq[j] if x > last_max)
            for x in grow:
                i_count[x] += mult
    for x in sorted(i_count):
        if i_count[x] < min_count:
            continue
        new = pattern[:-1] + [pattern[-1] + [x]]
        yield new, i_count[x]
        nxt = []
        for i, e, J in states:
            J2 = [j for j in J if x in seqs[i][0][j]]
            if J2:
                nxt.append((i, e, J2))
        yield from _span(seqs, nxt, new, min_count, max_length)
    for x in sorted(s_count):
        if s_count[x] < min_count:
            continue
        new = pattern + [[x]]
        yield new, s_count[x]
        nxt = []
        for i, e, J in states:
            seq = seqs[i][0]
            e2 = min(J) if J is not None else -1
            J2 = [k for k in range(e2 + 1, len(seq)) if x in seq[k]]
            if J2:
                nxt.append((i, e2, J2))
        yield from _span(seqs, nxt, new, min_count, max_length)
