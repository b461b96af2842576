"""Digests, checksums and byte encodings: ``md5``, ``sha1``/``sha``, ``sha2``, ``crc32``,
``xxhash64``, ``base64``/``unbase64``, ``hex``/``unhex``, ``bin``.

Digests run over each value's bytes (a string's UTF-8), so the results match Spark's byte for
byte. ``xxhash64`` is XXH64 with Spark's seed (42) and Spark's way of feeding each type to it (ints
as 4 bytes, longs and doubles as 8, strings as their UTF-8 bytes, columns chained through the
seed); integer columns are hashed with vectorized numpy uint64 arithmetic.
"""

from __future__ import annotations

import base64 as _b64
import binascii
import hashlib
import zlib
from typing import Any, Callable

import numpy as np
import pyarrow as pa

from .. import nested_hash, types as T
from ..column import Column, Ctx, Typed
from ..errors import AnalysisException
from ..star_args import expands_star
from ._common import col_expr, func, per_partition, require

__all__ = ["md5", "sha1", "sha", "sha2", "crc32", "xxhash64", "base64", "unbase64", "hex", "unhex",
           "bin", "to_binary", "try_to_binary"]

_BYTES = (T.StringType, T.BinaryType)


def _as_bytes(v: Any) -> bytes | None:
    if v is None:
        return None
    return v.encode("utf-8") if isinstance(v, str) else bytes(v)


def _bytes_fn(name: str, fn: Callable[[bytes], Any], out: T.DataType, what: str = '"BINARY"',
              kinds: tuple = _BYTES, sql: Callable[[str], str] | None = None) -> Any:
    """A function of each value's bytes (null in, null out), evaluated per partition."""
    arrow_t = T.to_arrow(out)

    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            require(t, kinds, name, what)

            def k(a: Any) -> pa.Array:
                vals = a.to_pylist() if isinstance(a, pa.ChunkedArray) else [a]
                return pa.array([None if v is None else fn(v) for v in vals], arrow_t)
            if t.is_scalar:
                return Typed(None if t.value is None else fn(t.value), out, t.value is None)
            return Typed(per_partition(ctx, [t], k, out), out, t.nullable)
        e = col_expr(col)
        return func(name, [e], impl, sql=sql(e.sql()) if sql else None)
    f.__name__ = name
    return f


md5 = _bytes_fn("md5", lambda v: hashlib.md5(_as_bytes(v)).hexdigest(), T.StringType())
sha1 = _bytes_fn("sha1", lambda v: hashlib.sha1(_as_bytes(v)).hexdigest(), T.StringType())
sha = _bytes_fn("sha", lambda v: hashlib.sha1(_as_bytes(v)).hexdigest(), T.StringType())
crc32 = _bytes_fn("crc32", lambda v: zlib.crc32(_as_bytes(v)), T.LongType())
base64 = _bytes_fn("base64", lambda v: _b64.b64encode(_as_bytes(v)).decode("ascii"), T.StringType())


def _unbase64(v: str) -> bytes | None:
    s = "".join(v.split())
    try:
        return _b64.b64decode(s + "=" * (-len(s) % 4))
    except (binascii.Error, ValueError):
        return None


unbase64 = _bytes_fn("unbase64", _unbase64, T.BinaryType(), '"STRING"', (T.StringType,))


def _unhex(v: str) -> bytes | None:
    s = v if len(v) % 2 == 0 else "0" + v
    try:
        return bytes.fromhex(s) if all(c in "0123456789abcdefABCDEF" for c in s) else None
    except ValueError:
        return None


unhex = _bytes_fn("unhex", _unhex, T.BinaryType(), '"STRING"', (T.StringType,))


def _decode(v: str, fmt: str) -> bytes | None:
    f = fmt.lower()
    if f == "hex":
        return _unhex(v)
    if f in ("utf-8", "utf8"):
        return v.encode("utf-8")
    if f == "base64":
        return _unbase64(v)
    raise ValueError(f"to_binary: the format must be 'hex', 'utf-8', 'utf8' or 'base64', got {fmt!r}")


def _to_binary(name: str, strict: bool) -> Any:
    def f(col: Any, format: Any = None) -> Column:  # noqa: A002 - Spark's name
        fmt = "hex" if format is None else getattr(format._expr, "value", None) \
            if isinstance(format, Column) else format
        if not isinstance(fmt, str):
            raise TypeError(f"{name}(): format must be a string literal, got {format!r}")

        def one(v: str) -> bytes | None:
            out = _decode(v, fmt)
            if out is None and strict:
                raise ValueError(f"[CONVERSION_INVALID_INPUT] {name}: {v!r} is not valid {fmt}")
            return out
        e = col_expr(col)
        inner = _bytes_fn(name, one, T.BinaryType(), '"STRING"', (T.StringType,),
                          sql=lambda s: f"{name}({s}" + ("" if format is None else f", {fmt}") + ")")
        return inner(Column(e))
    f.__name__ = name
    return f


to_binary = _to_binary("to_binary", True)
try_to_binary = _to_binary("try_to_binary", False)


def _long_hex(v: Any) -> str:
    if isinstance(v, (str, bytes, bytearray)):
        return _as_bytes(v).hex().upper()
    return format(int(v) & 0xFFFFFFFFFFFFFFFF, "X")


def hex(col: Any) -> Column:  # noqa: A001 - Spark's name
    """Upper-case hex of a long (two's complement for negatives), or of a string's/binary's bytes."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        require(t, (T.IntegralType, T.StringType, T.BinaryType), "hex",
                '("BIGINT" or "BINARY" or "STRING")')
        return _per_value(ctx, t, _long_hex, T.StringType())
    return func("hex", [col], impl)


def bin(col: Any) -> Column:  # noqa: A001 - Spark's name
    """The binary digits of a long (64-bit two's complement for negatives); strings are cast."""
    def to_bin(v: Any) -> str | None:
        try:
            return format(int(v) & 0xFFFFFFFFFFFFFFFF, "b")
        except (TypeError, ValueError):
            return None

    def impl(ctx: Ctx, t: Typed) -> Typed:
        require(t, (T.IntegralType, T.StringType), "bin", '"BIGINT"')
        return _per_value(ctx, t, to_bin, T.StringType())
    return func("bin", [col], impl)


def _per_value(ctx: Ctx, t: Typed, fn: Callable[[Any], Any], out: T.DataType) -> Typed:
    arrow_t = T.to_arrow(out)
    if t.is_scalar:
        return Typed(None if t.value is None else fn(t.value), out, True)

    def k(a: pa.ChunkedArray) -> pa.Array:
        return pa.array([None if v is None else fn(v) for v in a.to_pylist()], arrow_t)
    return Typed(per_partition(ctx, [t], k, out), out, True)


def sha2(col: Any, numBits: int) -> Column:  # noqa: N803 - Spark's name
    """SHA-2 hex digest of 224, 256 (0 means 256), 384 or 512 bits."""
    if not isinstance(numBits, int) or isinstance(numBits, bool):
        raise TypeError(f"sha2(): numBits must be an int, got {type(numBits).__name__}")
    algo = {0: hashlib.sha256, 224: hashlib.sha224, 256: hashlib.sha256, 384: hashlib.sha384,
            512: hashlib.sha512}.get(numBits)
    if algo is None:
        raise ValueError(f"sha2(): numBits must be one of 0, 224, 256, 384, 512, got {numBits}")
    e = col_expr(col)
    inner = _bytes_fn("sha2", lambda v: algo(_as_bytes(v)).hexdigest(),
                      T.StringType(), sql=lambda s: f"sha2({s}, {numBits})")
    return inner(Column(e))


# ---------------------------------------------------------------- xxhash64

_M = 0xFFFFFFFFFFFFFFFF
P1, P2, P3 = 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
P4, P5 = 0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5
_U = np.uint64


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << _U(r)) | (x >> _U(64 - r))


def _fmix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _U(33))
    h = h * _U(P2)
    h = h ^ (h >> _U(29))
    h = h * _U(P3)
    return h ^ (h >> _U(32))


def _hash_int(v: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """XXH64 of 4 little-endian bytes, vectorized (``v`` holds the int's 32 bits in a uint64)."""
    h = seed + _U(P5) + _U(4)
    h = h ^ ((v & _U(0xFFFFFFFF)) * _U(P1))
    return _fmix(_rotl(h, 23) * _U(P2) + _U(P3))


def _hash_long(v: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """XXH64 of 8 little-endian bytes, vectorized."""
    h = seed + _U(P5) + _U(8)
    h = h ^ (_rotl(v * _U(P2), 31) * _U(P1))
    return _fmix(_rotl(h, 27) * _U(P1) + _U(P4))


def _rotl_int(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M


def _round(acc: int, lane: int) -> int:
    return (_rotl_int((acc + lane * P2) & _M, 31) * P1) & _M


def _hash_bytes(b: bytes, seed: int) -> int:
    """XXH64 of a byte string (the reference algorithm, one value at a time)."""
    n, i = len(b), 0
    if n >= 32:
        v = [(seed + P1 + P2) & _M, (seed + P2) & _M, seed, (seed - P1) & _M]
        while i + 32 <= n:
            for j in range(4):
                v[j] = _round(v[j], int.from_bytes(b[i + 8 * j:i + 8 * j + 8], "little"))
            i += 32
        h = (_rotl_int(v[0], 1) + _rotl_int(v[1], 7) + _rotl_int(v[2], 12) + _rotl_int(v[3], 18)) & _M
        for x in v:
            h = ((h ^ _round(0, x)) * P1 + P4) & _M
    else:
        h = (seed + P5) & _M
    h = (h + n) & _M
    while i + 8 <= n:
        h ^= _round(0, int.from_bytes(b[i:i + 8], "little"))
        h = (_rotl_int(h, 27) * P1 + P4) & _M
        i += 8
    if i + 4 <= n:
        h ^= (int.from_bytes(b[i:i + 4], "little") * P1) & _M
        h = (_rotl_int(h, 23) * P2 + P3) & _M
        i += 4
    while i < n:
        h ^= (b[i] * P5) & _M
        h = (_rotl_int(h, 11) * P1) & _M
        i += 1
    return int(_fmix(np.array([h], dtype=np.uint64))[0])


def _hash_column(a: pa.ChunkedArray, dtype: T.DataType, seed: np.ndarray) -> np.ndarray:
    """Fold one column into the running seeds; a null leaves its row's seed as it was."""
    if nested_hash.is_nested(dtype):
        return nested_hash.fold(a, dtype, seed, _hash_column)
    if isinstance(dtype, T.NullType):
        return seed
    a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    valid = ~np.asarray(a.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if isinstance(dtype, (T.StringType, T.BinaryType)):
        out = seed.copy()
        for i, v in enumerate(a.to_pylist()):
            if v is not None:
                out[i] = _hash_bytes(_as_bytes(v), int(seed[i]))
        return out
    if isinstance(dtype, T.BooleanType):
        vals = a.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint64)
        return np.where(valid, _hash_int(vals, seed), seed)
    if isinstance(dtype, (T.ByteType, T.ShortType, T.IntegerType, T.DateType)):
        ints = a.cast(pa.int32()) if not isinstance(dtype, T.DateType) else a.view(pa.int32())
        vals = ints.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64).view(np.uint64)
        return np.where(valid, _hash_int(vals, seed), seed)
    if isinstance(dtype, (T.LongType, T.TimestampType, T.TimestampNTZType)):
        vals = a.view(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False).view(np.uint64)
        return np.where(valid, _hash_long(vals, seed), seed)
    if isinstance(dtype, T.FloatType):
        f = a.fill_null(0.0).to_numpy(zero_copy_only=False).astype(np.float32)
        f = np.where(f == 0.0, np.float32(0.0), f)  # -0.0 hashes as 0.0
        f = np.where(np.isnan(f), np.float32("nan"), f)  # the one canonical NaN
        vals = f.view(np.uint32).astype(np.uint64)
        return np.where(valid, _hash_int(vals, seed), seed)
    if isinstance(dtype, T.DoubleType):
        f = a.fill_null(0.0).to_numpy(zero_copy_only=False).astype(np.float64)
        f = np.where(f == 0.0, 0.0, f)
        f = np.where(np.isnan(f), np.float64("nan"), f)
        return np.where(valid, _hash_long(f.view(np.uint64), seed), seed)
    raise AnalysisException(f'xxhash64 of a "{dtype.simpleString().upper()}" column is not '
                            "supported yet", "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


_XX_LEAVES = (T.StringType, T.BinaryType, T.BooleanType, T.ByteType, T.ShortType, T.IntegerType,
              T.DateType, T.LongType, T.TimestampType, T.TimestampNTZType, T.FloatType,
              T.DoubleType, T.NullType)


@expands_star
def xxhash64(*cols: Any) -> Column:
    """Spark's 64-bit xxHash of the columns (seed 42, each column's hash seeding the next)."""
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    if not cols:
        raise AnalysisException("xxhash64 requires at least one argument",
                                "WRONG_NUM_ARGS.WITHOUT_SUGGESTION")

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        dtypes = [t.dtype for t in ts]
        nested_hash.check_hashable(
            "xxhash64", f"xxhash64({', '.join(col_expr(c).sql() for c in cols)})", dtypes,
            _XX_LEAVES)

        def k(*parts: Any) -> pa.Array:
            n = next(len(p) for p in parts if isinstance(p, pa.ChunkedArray))
            seed = np.full(n, 42, dtype=np.uint64)
            for p, dt in zip(parts, dtypes):
                if isinstance(dt, T.NullType) or p is None:
                    continue
                if not isinstance(p, pa.ChunkedArray):
                    p = pa.chunked_array([pa.array([p] * n, T.to_arrow(dt))])
                seed = _hash_column(p, dt, seed)
            return pa.array(seed.view(np.int64), pa.int64())
        return Typed(per_partition(ctx, list(ts), k, T.LongType()), T.LongType(), False)
    return func("xxhash64", list(cols), impl)
