"""Spark's ``count_min_sketch`` aggregate, in Spark's own binary format (not DataSketches').

The image is big-endian: version 1 (int), the total count (long), depth and width (ints), one
hash multiplier per row (longs), then the depth x width table of counts (longs). Depth and
width come from the requested confidence and relative error (``ceil(-log2(1 - confidence))``
rows of ``ceil(2 / eps)`` counters); the multipliers are the first ``depth`` draws of Java's
``java.util.Random(seed).nextInt(2^31 - 1)``, reproduced here, so the same input gives the
same bytes as Spark. An integer goes to column ``(m * v + ((m * v) >> 32)) & (2^31 - 1)`` mod
width of each row (64-bit wrapping arithmetic); a string (as UTF-8) or binary value to
``|(h1 + i * h2) mod width|`` in row i, where h1 and h2 are Spark's SQL Murmur3 of its bytes
seeded 0 and h1 (32-bit wrapping arithmetic). Tables of one width and seed add up, which is
how the partial sketches of the partitions merge.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import pyarrow as pa

from .. import types as T
from ..column import Column, Literal
from ..murmur3 import hash_binary_array
from ._common import col_expr
from ._sketch_core import FAMILIES, SketchAgg, SketchFamily, accepting

__all__ = ["count_min_sketch"]

_MASK48 = (1 << 48) - 1
_PRIME = (1 << 31) - 1


def _multipliers(seed: int, depth: int) -> list[int]:
    """The first ``depth`` values of Java's ``new Random(seed).nextInt(2^31 - 1)``."""
    state = (seed ^ 0x5DEECE66D) & _MASK48
    out: list[int] = []
    while len(out) < depth:
        state = (state * 0x5DEECE66D + 0xB) & _MASK48
        bits = state >> 17
        val = bits % _PRIME
        if bits - val + (_PRIME - 1) < 2 ** 31:  # Java retries when this overflows an int
            out.append(val)
    return out


def _dims(eps: float, confidence: float) -> tuple[int, int]:
    return math.ceil(-math.log(1 - confidence) / math.log(2)), math.ceil(2 / eps)


def _signed64(x: int) -> int:
    x &= (1 << 64) - 1
    return x - (1 << 64) if x >= 1 << 63 else x


def _signed32(x: int) -> int:
    x &= (1 << 32) - 1
    return x - (1 << 32) if x >= 1 << 31 else x


def _long_columns(a: int, v: int, width: int) -> int:
    h = _signed64(a * v)
    h = _signed64(h + (h >> 32)) & _PRIME
    return h % width


def _bytes_columns(values: list, depth: int, width: int) -> np.ndarray:
    """The column in each row of each byte-string value: (len(values), depth)."""
    arr = pa.array(values, pa.large_binary())
    h1 = hash_binary_array(arr, 0, False)
    h2 = hash_binary_array(arr, h1, False)
    out = np.empty((len(values), depth), np.int64)
    for i in range(depth):
        for r, (x, y) in enumerate(zip(h1.view(np.int32), h2.view(np.int32))):
            s = _signed32(int(x) + i * int(y))
            out[r, i] = abs(int(math.fmod(s, width)))
    return out


def _image(total: int, mult: list[int], table: np.ndarray) -> bytes:
    depth, width = table.shape
    head = struct.pack(">iqii", 1, total, depth, width) + struct.pack(f">{depth}q", *mult)
    return head + table.astype(">i8").tobytes()


def _read(b: bytes) -> tuple[int, list[int], np.ndarray]:
    _, total, depth, width = struct.unpack_from(">iqii", b, 0)
    mult = list(struct.unpack_from(f">{depth}q", b, 20))
    table = np.frombuffer(b, ">i8", depth * width, 20 + 8 * depth).astype(np.int64)
    return total, mult, table.reshape(depth, width)


def _build(values: list, param: tuple) -> bytes:
    eps, confidence, seed = param
    depth, width = _dims(eps, confidence)
    mult = _multipliers(seed, depth)
    table = np.zeros((depth, width), np.int64)
    texts = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in values
             if isinstance(v, (str, bytes, bytearray, memoryview))]
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool):
            for i, a in enumerate(mult):
                table[i, _long_columns(a, int(v), width)] += 1
    if texts:
        cols = _bytes_columns(texts, depth, width)
        for i in range(depth):
            np.add.at(table[i], cols[:, i], 1)
    return _image(len(values), mult, table)


def _merge(images: list, param: tuple) -> bytes:
    total, mult, table = _read(images[0])
    for b in images[1:]:
        t, _, other = _read(b)
        total, table = total + t, table + other
    return _image(total, mult, table)


FAMILIES["count_min"] = SketchFamily(
    _build, _merge, lambda param: _build([], param),
    accepting('("INTEGRAL" or "STRING" or "BINARY")', T.IntegralType, T.StringType, T.BinaryType))


def _number(v: Any, name: str) -> Any:
    if isinstance(v, Column):
        if not isinstance(v._expr, Literal):
            raise TypeError(f"count_min_sketch: {name} must be a constant, got {v._expr.sql()}")
        return v._expr.value
    return v


def count_min_sketch(col: Any, eps: Any, confidence: Any, seed: Any = None) -> Column:
    """A Count-Min sketch of the non-null values (Spark's binary format): counts of each value
    over-estimated by at most ``eps`` of the total with probability ``confidence``."""
    e = col_expr(col)
    eps_v, conf_v = _number(eps, "eps"), _number(confidence, "confidence")
    seed_v = _number(seed, "seed")
    if not isinstance(eps_v, (int, float)) or not eps_v > 0:
        raise ValueError(f"count_min_sketch: eps must be a positive number, got {eps_v!r}")
    if not isinstance(conf_v, (int, float)) or not 0 < conf_v < 1:
        raise ValueError(f"count_min_sketch: confidence must be within (0, 1), got {conf_v!r}")
    if seed_v is None:
        import random
        seed_v = random.randint(-2 ** 31, 2 ** 31 - 1)
    if not isinstance(seed_v, int):
        raise TypeError(f"count_min_sketch: seed must be an int, got {seed_v!r}")
    shown = f"count_min_sketch({e.sql()}, {_shown(eps, eps_v)}, {_shown(confidence, conf_v)}, {seed_v})"
    # Spark seeds java.util.Random with the seed's low 32 bits (a long seed is truncated)
    return Column(SketchAgg("count_min_sketch", [e], sql=shown, family="count_min",
                            param=(float(eps_v), float(conf_v), _signed32(seed_v))))


def _shown(arg: Any, v: Any) -> str:
    return arg._expr.sql() if isinstance(arg, Column) else str(v)
