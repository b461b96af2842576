"""One partition in window order, and reductions over window frames, all vectorized.

``SortedPartition`` sorts a pandas partition once (partition keys, then each order key's null
flag and value, stable: Arrow puts NaN above every number, as Spark orders it; keys with an
int64 form, integers, dates, timestamps and small decimals, sort as numpy integers packed into
one, see ``_lex_order``) and keeps, per row in that order, its position, its partition's
[start, end) and, when a frame or function asks, its peer group's [start, end) (rows equal on
every order key, nulls and NaNs equal to themselves). A frame becomes [lo, hi)
per row: ROWS frames by clipping offsets, RANGE frames by peer boundaries or, for numeric
offsets, one ``searchsorted`` over (partition, value) pairs packed as complex numbers (numpy
orders complex numbers by real then imaginary part).

``frame_reduce`` computes one aggregate partial (sum, count, size, min, max, first, last) over
every row's frame: prefix sums for sums and counts (NaN and infinities counted apart, so one
NaN does not poison the rest), a sparse table of value ranks for min and max.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .window_funcs import last_valid, nth_valid, take_or_null


def _arrow(s: pd.Series) -> pa.Array:
    from .functions._common import arrow_of
    a = arrow_of(s)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _same_as_previous(v: pa.Array) -> np.ndarray:
    """Per position i >= 1: v[i] equals v[i - 1] (null equals null, NaN equals NaN)."""
    a, b = v.slice(1), v.slice(0, len(v) - 1)
    same = pc.fill_null(pc.equal(a, b), False)
    same = pc.or_(same, pc.and_(a.is_null(), b.is_null()))
    if pa.types.is_floating(v.type):
        same = pc.or_(same, pc.fill_null(pc.and_(pc.is_nan(a), pc.is_nan(b)), False))
    return np.asarray(same, dtype=bool)


def _spans(starts_mask: np.ndarray, run: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """For runs beginning where ``starts_mask`` is set: each row's run [start, end).
    ``run`` (each row's run number, ``cumsum(starts_mask) - 1``) when the caller has it."""
    first = np.flatnonzero(starts_mask)
    if run is None:
        run = np.cumsum(starts_mask) - 1
    ends = np.empty_like(first)
    ends[:-1], ends[-1:] = first[1:], len(starts_mask)
    return first[run], ends[run]


def _pairs(real: np.ndarray, imag: np.ndarray) -> np.ndarray:
    """(real, imag) pairs as complex numbers, set part by part (``x + 1j * inf`` would make
    the real part NaN)."""
    out = np.empty(len(real), dtype=np.complex128)
    out.real, out.imag = real, imag
    return out


def partition_groups(part: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Per row, an int64 whose order is the order of its partition key (nulls last) and whose
    equality is key equality; computed once per partition and shared by every ordering. One
    integer-like key without nulls is its own value; others are pandas' sorted group numbers."""
    n = len(part)
    if not keys:
        return np.zeros(n, dtype=np.int64)
    if len(keys) == 1:
        v = _arrow(part[keys[0]])
        ints = _as_int64(v) if not v.null_count else None
        if ints is not None:
            return ints
    return part.groupby(keys, dropna=False, sort=True).ngroup().to_numpy()


def _as_int64(v: pa.Array) -> np.ndarray | None:
    """``v``'s values as int64 in the same order (nulls as 0), for the types that have such a
    form: integers, dates, timestamps, durations and decimals of up to 18 digits (unscaled);
    None for the others (floats keep Arrow's NaN order, strings their byte order)."""
    t = v.type
    if pa.types.is_decimal128(t) and t.precision <= 18:
        words = np.frombuffer(v.buffers()[1], dtype=np.int64)[2 * v.offset: 2 * (v.offset + len(v))]
        out = words[0::2].copy()
    elif pa.types.is_integer(t) and t != pa.uint64():
        out = np.asarray(pc.fill_null(v, 0).cast(pa.int64()), dtype=np.int64)
        return out
    elif pa.types.is_date32(t):
        out = np.asarray(pc.fill_null(v.cast(pa.int32()), 0).cast(pa.int64()), dtype=np.int64)
        return out
    elif pa.types.is_date64(t) or pa.types.is_timestamp(t) or pa.types.is_duration(t):
        out = np.asarray(pc.fill_null(v.cast(pa.int64()), 0), dtype=np.int64)
        return out
    else:
        return None
    if v.null_count:
        out[np.asarray(v.is_null(), dtype=bool)] = 0
    return out


def _numpy_order(group: np.ndarray, values: list[tuple[pa.Array, bool, bool]]
                 ) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """The window order as a numpy sort, when every order key has an int64 form: each key
    becomes a null flag (when it has nulls) and its value (bitwise not for descending: the
    order reverses with no overflow), then ``_lex_order`` sorts them. None when a key has no
    int64 form or the partition key alone needs all 64 bits. Returns the permutation and the
    keys (without the group) for peer detection."""
    keys: list[np.ndarray] = []
    for v, asc, nulls_first in values:
        ints = _as_int64(v)
        if ints is None:
            return None
        if v.null_count:
            null = np.asarray(v.is_null(), dtype=bool)
            keys.append((~null if nulls_first else null).astype(np.int64))
        keys.append(ints if asc else ~ints)
    perm = _lex_order([group] + keys)
    return None if perm is None else (perm, keys)


def _lex_order(keys: list[np.ndarray]) -> np.ndarray | None:
    """The stable lexicographic order of int64 ``keys`` (the first most significant).

    The leading keys that fit 63 bits together (each as its offset from its minimum) are
    packed into one int64; the row's position is packed below them when it fits too, making
    every packed value distinct. numpy's unstable sort of int64 (vectorized: about 5x its
    stable sort) then orders the rows, and only runs of equal packed values, rare when the
    keys nearly identify a row, are ordered again by the keys that did not fit and by
    position, which is the stable order. None when the first key alone needs 64 bits."""
    n = len(keys[0])
    spans = []
    for k in keys:
        lo, hi = (int(k.min()), int(k.max())) if n else (0, 0)
        spans.append((lo, (hi - lo).bit_length()))
    packed = np.zeros(n, dtype=np.int64)
    used = taken = 0
    for k, (lo, bits) in zip(keys, spans):
        if used + bits > 63:
            break
        packed = (packed << bits) | (k - lo) if bits else packed
        used += bits
        taken += 1
    if not taken and spans[0][1]:
        return None
    rest = keys[taken:]
    position_bits = max(n - 1, 0).bit_length()
    if not rest and used + position_bits <= 63:
        return np.argsort((packed << position_bits) | np.arange(n, dtype=np.int64))
    perm = np.argsort(packed)
    ordered = packed[perm]
    tie = ordered[1:] == ordered[:-1]
    if not tie.any():
        return perm
    in_run = np.zeros(n, dtype=bool)
    in_run[1:] |= tie
    in_run[:-1] |= tie
    where = np.flatnonzero(in_run)
    run = np.cumsum(np.concatenate([[True], ~tie]))[where]
    rows = perm[where]
    # np.lexsort's last key is the primary one: run, then the remaining keys, then position
    perm[where] = rows[np.lexsort([rows] + [k[rows] for k in reversed(rest)] + [run])]
    return perm


class SortedPartition:
    """A pandas partition in window order (see the module docstring)."""

    def __init__(self, part: pd.DataFrame, keys: list[str], order: list[tuple[str, bool, bool]],
                 group: np.ndarray | None = None):
        n = self.n = len(part)
        if group is None:
            group = partition_groups(part, keys)
        values = [(_arrow(part[col]), asc, nulls_first) for col, asc, nulls_first in order]
        fast = _numpy_order(group, values)
        if fast is not None:
            self.perm, sort_keys = fast
        else:
            self.perm = self._arrow_order(group, values)
        self.inverse = np.empty(n, dtype=np.int64)
        self.inverse[self.perm] = np.arange(n)
        g = group[self.perm]
        new_group = np.ones(n, dtype=bool)
        new_group[1:] = g[1:] != g[:-1]
        self.new_group = new_group
        self.group_seq = np.cumsum(new_group) - 1
        self.start, self.end = _spans(new_group, self.group_seq)
        self.pos = np.arange(n) - self.start
        self.size = self.end - self.start
        self._values = values
        self._sorted_keys: list | None = None
        self._int_keys = sort_keys if fast is not None else None
        self._peers: tuple | None = None
        self.bounds: tuple[np.ndarray, np.ndarray] = (self.start, self.end)

    @property
    def new_peer(self) -> np.ndarray:
        """Per row in window order: it starts a peer group (rows equal on every order key).
        Found when first asked for: ROWS frames and row_number never need it."""
        return self._peer_spans()[0]

    @property
    def peer_start(self) -> np.ndarray:
        return self._peer_spans()[1]

    @property
    def peer_end(self) -> np.ndarray:
        return self._peer_spans()[2]

    def _peer_spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._peers is None:
            new_peer = self.new_group.copy()
            if self._int_keys is not None:
                for k in self._int_keys:
                    s = k[self.perm]
                    new_peer[1:] |= s[1:] != s[:-1]
            elif self.n > 1:
                for v, _, _ in self.sorted_keys:
                    new_peer[1:] |= ~_same_as_previous(v)
            self._peers = (new_peer,) + _spans(new_peer)
        return self._peers

    @property
    def sorted_keys(self) -> list[tuple[pa.Array, bool, bool]]:
        """The order keys in window order (Arrow), taken when first asked for."""
        if self._sorted_keys is None:
            self._sorted_keys = [(v.take(pa.array(self.perm)), asc, nf) for v, asc, nf in self._values]
        return self._sorted_keys

    @staticmethod
    def _arrow_order(group: np.ndarray, values: list[tuple[pa.Array, bool, bool]]) -> np.ndarray:
        """The window order by Arrow's stable sort: group, then per key its null flag, NaN flag
        (floats: NaN above every number, whatever the direction) and value."""
        cols: dict[str, Any] = {"__g": pa.array(group, pa.int64())}
        sort_keys = [("__g", "ascending")]
        for i, (v, asc, nulls_first) in enumerate(values):
            cols[f"__n{i}"], cols[f"__v{i}"] = v.is_null(), v
            sort_keys.append((f"__n{i}", "descending" if nulls_first else "ascending"))
            if pa.types.is_floating(v.type):
                cols[f"__nan{i}"] = pc.fill_null(pc.is_nan(v), False)
                sort_keys.append((f"__nan{i}", "ascending" if asc else "descending"))
            sort_keys.append((f"__v{i}", "ascending" if asc else "descending"))
        return np.asarray(pc.sort_indices(pa.table(cols), sort_keys=sort_keys))

    def take(self, s: pd.Series) -> pa.Array:
        """Column ``s`` in window order."""
        return _arrow(s).take(pa.array(self.perm))

    def dense_rank(self) -> np.ndarray:
        c = np.cumsum(self.new_peer)
        return c - c[self.start] + 1

    def frame(self, frame: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Every row's frame as [lo, hi) positions in window order."""
        kind, a, b = frame
        idx = np.arange(self.n)
        if kind == "ROWS":
            lo = self.start if a is None else np.clip(idx + a, self.start, self.end)
            hi = self.end if b is None else np.clip(idx + b + 1, self.start, self.end)
        else:
            lo = self.start if a is None else self.peer_start if a == 0 else None
            hi = self.end if b is None else self.peer_end if b == 0 else None
            if lo is None or hi is None:
                lo2, hi2 = self._range_offsets(a, b)
                lo = lo2 if lo is None else lo
                hi = hi2 if hi is None else hi
        return lo, np.maximum(hi, lo)

    def _range_offsets(self, a: int | None, b: int | None) -> tuple[np.ndarray, np.ndarray]:
        """[lo, hi) of RANGE frames with numeric offsets on the one (numeric) order key."""
        v, asc, nulls_first = self.sorted_keys[0]
        null = np.asarray(v.is_null(), dtype=bool)
        w = np.asarray(pc.fill_null(v.cast(pa.float64()), 0.0), dtype=np.float64)
        nan = np.isnan(w) & ~null
        if not asc:
            w = -w  # window order is ascending in -v: offsets read the same way
        # nulls and NaNs sit at the ends of their partition, as their sort places them
        w = np.where(null, -np.inf if nulls_first else np.inf, w)
        w = np.where(nan, np.inf if asc else -np.inf, w)
        special = null | nan
        keyed = _pairs(self.group_seq, w)
        base = np.where(special, 0.0, w)
        lo = hi = None
        if a is not None:
            lo = np.searchsorted(keyed, _pairs(self.group_seq, base + a), side="left")
            lo = np.where(special, self.peer_start, lo)
        if b is not None:
            hi = np.searchsorted(keyed, _pairs(self.group_seq, base + b), side="right")
            hi = np.where(special, self.peer_end, hi)
        return lo, hi

    def restore(self, arr: pa.Array, index: Any, dtype: Any) -> pd.Series:
        """An Arrow result in window order as a Series in the partition's own row order."""
        arr = arr.take(pa.array(self.inverse)).cast(dtype.pyarrow_dtype)
        return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=index)


# ---------------------------------------------------------------- reductions over frames
def frame_reduce(x: pa.Array, how: str, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    """Partial ``how`` of ``x`` (window order) over every row's frame [lo, hi)."""
    if how == "size":
        return pa.array((hi - lo).astype(np.int64))
    valid = ~np.asarray(x.is_null(), dtype=bool)
    if how == "count":
        c = np.concatenate([[0], np.cumsum(valid)])
        return pa.array((c[hi] - c[lo]).astype(np.int64))
    if how == "sum":
        return _frame_sum(x, valid, lo, hi)
    if how in ("min", "max"):
        return _frame_extreme(x, valid, lo, hi, how)
    if how == "first":
        return nth_valid(x, lo, hi, 1)
    if how == "last":
        return last_valid(x, lo, hi)
    raise NotImplementedError(f"the partial {how!r} over a window frame")


def frame_lists(x: pa.Array, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    """The non-null values of every row's frame, as a list per row (``collect_list``): the
    frame's non-nulls are one slice of the partition's non-null positions, so the lists are
    gathered with one ``take``."""
    valid = ~np.asarray(x.is_null(), dtype=bool)
    where = np.flatnonzero(valid)
    before = _prefix(valid.astype(np.int64))
    first, lengths = before[lo], before[hi] - before[lo]
    offsets = _prefix(lengths)
    total = int(offsets[-1])
    idx = np.arange(total) - np.repeat(offsets[:-1], lengths) + np.repeat(first, lengths)
    values = x.take(pa.array(where[idx].astype(np.int64)))
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)


def distinct_lists(lists: pa.ListArray) -> pa.ListArray:
    """Each list without repeated values, first occurrences kept (``collect_set``): one
    ``drop_duplicates`` over (row, value) pairs of the flattened lists."""
    parents = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    values = lists.flatten()
    pairs = pd.DataFrame({"row": parents, "value": pd.Series(
        pd.arrays.ArrowExtensionArray(values))})
    keep = np.flatnonzero(~pairs.duplicated().to_numpy())
    counts = np.bincount(parents[keep], minlength=len(lists))
    offsets = _prefix(counts.astype(np.int64)).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(keep)))


def first_value(x: pa.Array, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    return take_or_null(x, lo, hi > lo)


def last_value(x: pa.Array, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    return take_or_null(x, hi - 1, hi > lo)


def _prefix(v: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros(1, dtype=v.dtype), np.cumsum(v)])


def _frame_sum(x: pa.Array, valid: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    if pa.types.is_decimal(x.type):
        return _decimal_frame_sum(x, lo, hi)
    if pa.types.is_integer(x.type):
        v = np.asarray(pc.fill_null(x.cast(pa.int64()), 0), dtype=np.int64)
        c = _prefix(v)
        return pa.array(c[hi] - c[lo]).cast(x.type)
    v = np.asarray(pc.fill_null(x.cast(pa.float64()), 0.0), dtype=np.float64)
    nan, pinf, ninf = np.isnan(v), v == np.inf, v == -np.inf
    finite = np.where(nan | pinf | ninf, 0.0, v)
    c, cn, cp, cm = _prefix(finite), _prefix(nan), _prefix(pinf), _prefix(ninf)
    n_nan, n_pos, n_neg = cn[hi] - cn[lo], cp[hi] - cp[lo], cm[hi] - cm[lo]
    total = c[hi] - c[lo]
    total = np.where(n_pos > 0, np.inf, total)
    total = np.where(n_neg > 0, -np.inf, total)
    total = np.where((n_nan > 0) | ((n_pos > 0) & (n_neg > 0)), np.nan, total)
    return pa.array(total, pa.float64()).cast(x.type)


def _small_decimal_frame_sum(x: pa.Array, lo: np.ndarray, hi: np.ndarray) -> pa.Array | None:
    if not pa.types.is_decimal128(x.type):
        return None
    filled = pc.fill_null(x, pa.scalar(0, x.type)) if x.null_count else x
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    # a decimal128 is 16 little-endian bytes: an unscaled value that fits an int64 is its low 8
    # bytes with the high 8 its sign (whatever the declared precision: sums widen it to 25+)
    raw = np.frombuffer(filled.buffers()[1], dtype=np.int64)
    words = raw[2 * filled.offset: 2 * (filled.offset + len(filled))]
    unscaled, high = words[0::2], words[1::2]
    if x.type.precision > 18 and not np.array_equal(high, unscaled >> 63):
        return None
    if float(np.abs(unscaled, dtype=np.float64).sum()) >= 2.0 ** 62:
        return None
    c = _prefix(unscaled)
    total = (c[hi] - c[lo]).astype(np.int64)
    words = np.empty(2 * len(total), dtype=np.int64)
    words[0::2], words[1::2] = total, np.where(total < 0, -1, 0)
    out = pa.Array.from_buffers(pa.decimal128(38, x.type.scale), len(total),
                                [None, pa.py_buffer(words.tobytes())])
    return out.cast(pa.decimal256(76, x.type.scale))


def _decimal_frame_sum(x: pa.Array, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    """Exact decimal sums: prefix sums of Python decimals (Arrow has no decimal cumulative sum)
    in a context wide enough for any decimal256, returned as decimal256 (the aggregate's finish
    fits them to its result type, null where they overflow, as Spark without ANSI). Decimals of
    up to 18 digits whose sums stay below 2^62 take the fast way: int64 prefix sums of their
    unscaled values, exact too."""
    fast = _small_decimal_frame_sum(x, lo, hi)
    if fast is not None:
        return fast
    import decimal
    zero = decimal.Decimal(0)
    values = np.array([zero] + pc.fill_null(x, pa.scalar(zero, x.type)).to_pylist(), dtype=object)
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        prefix = np.cumsum(values)
        total = prefix[hi] - prefix[lo]
    return pa.array(total.tolist(), pa.decimal256(76, x.type.scale))


def _frame_extreme(x: pa.Array, valid: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   how: str) -> pa.Array:
    """min/max of non-null values per frame: dense ranks of the values (Arrow's order, NaN
    above numbers) in a sparse table, so each frame is two lookups."""
    n = len(x)
    if n == 0:
        return x
    rank = np.asarray(pc.rank(x, sort_keys="ascending", tiebreaker="dense"), dtype=np.int64)
    sentinel = np.iinfo(np.int64).max if how == "min" else -1
    codes = np.where(valid, rank, sentinel)
    pick = np.minimum if how == "min" else np.maximum
    table = [codes]
    k = 1
    while (1 << k) <= n:
        prev, half = table[-1], 1 << (k - 1)
        table.append(pick(prev[:-half], prev[half:]))
        k += 1
    length = hi - lo
    nonempty = length > 0
    level = np.zeros(n, dtype=np.int64)
    level[nonempty] = np.floor(np.log2(length[nonempty])).astype(np.int64)
    best = np.full(n, sentinel, dtype=np.int64)
    for lv in np.unique(level[nonempty]):
        rows = np.flatnonzero(nonempty & (level == lv))
        t = table[lv]
        best[rows] = pick(t[lo[rows]], t[hi[rows] - (1 << lv)])
    found = best != sentinel
    where_rank = np.zeros(int(rank.max()) + 2, dtype=np.int64)
    where_rank[rank] = np.arange(n)
    idx = where_rank[np.where(found, best, 0)]
    return take_or_null(x, idx, found)
