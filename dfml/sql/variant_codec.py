"""Spark's binary variant encoding: a value buffer and a metadata buffer (the key dictionary).

dfml stores a VARIANT column as Arrow ``struct<value: binary, metadata: binary>`` holding the
same bytes Spark writes, because the encoding is what keeps a variant's behaviour: the type of
each scalar (an integer, a decimal with its scale, a double, a date, a string...), the key order
of objects (sorted in the field list, insertion order in the data) and the exact bytes PySpark's
``VariantVal`` repr shows. A JSON text could not tell ``1.5`` the decimal from ``1.5e0`` the
double, nor a date from a string.

Decoded values are plain Python: ``None`` (variant null), bool, int, float (double),
:class:`Float32`, ``Decimal``, str, bytes, ``date``, ``datetime`` (aware: TIMESTAMP, naive:
TIMESTAMP_NTZ), list (array) and dict (object, in the order its data was written).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import struct
from typing import Any

_EPOCH = _dt.date(1970, 1, 1)
_EPOCH_TS = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_EPOCH_NTZ = _dt.datetime(1970, 1, 1)
_MAX_SHORT_STR = 63
WIDE = decimal.Context(prec=80)  # variant decimals reach 38 digits: more than the default 28


class Float32(float):
    """A variant FLOAT (4 bytes), apart from a DOUBLE."""


class VariantError(ValueError):
    """A variant operation failed with one of Spark's error classes (``cls``)."""

    def __init__(self, cls: str, message: str):
        super().__init__(f"[{cls}] {message}")
        self.error_class = cls


# ---------------------------------------------------------------- JSON text -> value

def _parse_number_text(text: str) -> Any:
    """A JSON number as Spark's parser types it: the smallest integer, else an exact decimal
    (up to 38 digits, no exponent), else a double."""
    if "e" not in text and "E" not in text:
        if "." not in text:
            n = int(text)
            if -(1 << 63) <= n < (1 << 63):
                return n
        d = decimal.Decimal(text)
        digits = len(d.as_tuple().digits)
        scale = max(0, -d.as_tuple().exponent)
        if max(digits, scale) <= 38:
            return d
    return float(text)


def _object_pairs(pairs: list) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise VariantError("VARIANT_DUPLICATE_KEY",
                               f"Failed to build variant because of a duplicate object key `{k}`.")
        out[k] = v
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON token {name}")


def parse_json_text(text: str) -> Any:
    """JSON text to a decoded value (ValueError when it is not JSON, as Spark's parser rejects)."""
    return json.loads(text, parse_int=_parse_number_text, parse_float=_parse_number_text,
                      parse_constant=_reject_constant, object_pairs_hook=_object_pairs)


# ---------------------------------------------------------------- value -> bytes

def _int_size(n: int) -> int:
    return 1 if n <= 0xFF else 2 if n <= 0xFFFF else 3 if n <= 0xFFFFFF else 4


def _le(n: int, size: int) -> bytes:
    return n.to_bytes(size, "little", signed=False)


def _decimal_parts(d: decimal.Decimal) -> tuple[int, int, int]:
    """(unscaled, scale, precision) of a decimal as Java's BigDecimal holds it."""
    sign, digits, exp = d.as_tuple()
    if exp > 0:  # 1E+2: no negative scales in a variant
        d = d.quantize(decimal.Decimal(1))
        sign, digits, exp = d.as_tuple()
    scale = -exp
    unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    return unscaled, scale, len(digits)


class _Encoder:
    def __init__(self) -> None:
        self.keys: dict[str, int] = {}

    def key_id(self, k: str) -> int:
        if k not in self.keys:
            self.keys[k] = len(self.keys)
        return self.keys[k]

    def value(self, v: Any) -> bytes:
        if v is None:
            return b"\x00"
        if isinstance(v, bool):
            return b"\x04" if v else b"\x08"
        if isinstance(v, int):
            for tid, size in ((3, 1), (4, 2), (5, 4), (6, 8)):
                if -(1 << (8 * size - 1)) <= v < (1 << (8 * size - 1)):
                    return bytes([tid << 2]) + v.to_bytes(size, "little", signed=True)
            return self.value(decimal.Decimal(v))
        if isinstance(v, Float32):
            return bytes([14 << 2]) + struct.pack("<f", v)
        if isinstance(v, float):
            return bytes([7 << 2]) + struct.pack("<d", v)
        if isinstance(v, decimal.Decimal):
            unscaled, scale, precision = _decimal_parts(v)
            width = max(precision, scale)
            tid, size = (8, 4) if width <= 9 else (9, 8) if width <= 18 else (10, 16)
            return bytes([tid << 2, scale]) + unscaled.to_bytes(size, "little", signed=True)
        if isinstance(v, str):
            b = v.encode("utf-8")
            if len(b) <= _MAX_SHORT_STR:
                return bytes([(len(b) << 2) | 1]) + b
            return bytes([16 << 2]) + _le(len(b), 4) + b
        if isinstance(v, (bytes, bytearray)):
            return bytes([15 << 2]) + _le(len(v), 4) + bytes(v)
        if isinstance(v, _dt.datetime):
            if v.tzinfo is None:
                return bytes([13 << 2]) + _micros(v - _EPOCH_NTZ).to_bytes(8, "little", signed=True)
            return bytes([12 << 2]) + _micros(v - _EPOCH_TS).to_bytes(8, "little", signed=True)
        if isinstance(v, _dt.date):
            return bytes([11 << 2]) + (v - _EPOCH).days.to_bytes(4, "little", signed=True)
        if isinstance(v, (list, tuple)):
            parts = [self.value(x) for x in v]
            return _container(3, None, parts)
        if isinstance(v, dict):
            ids, parts = [], []
            for k, x in v.items():  # a key enters the dictionary before the keys inside its value
                ids.append(self.key_id(str(k)))
                parts.append(self.value(x))
            return _container(2, (list(v), ids), parts)
        raise TypeError(f"cannot store a {type(v).__name__} value in a variant")


def _micros(delta: _dt.timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _container(basic: int, keyed: tuple | None, parts: list[bytes]) -> bytes:
    """An array (``keyed`` None) or an object: the data stays in written order; an object's
    field list (ids and offsets) is sorted by key, as Spark's builder leaves it."""
    offsets, pos = [], 0
    for p in parts:
        offsets.append(pos)
        pos += len(p)
    n = len(parts)
    large = n > 0xFF
    off_size = _int_size(pos)
    head = _le(n, 4 if large else 1)
    if keyed is None:
        header = (((int(large) << 2) | (off_size - 1)) << 2) | basic
        body = b"".join(_le(o, off_size) for o in offsets + [pos])
    else:
        names, ids = keyed
        order = sorted(range(n), key=lambda i: names[i])
        id_size = _int_size(max(ids, default=0))
        header = (((int(large) << 4) | ((id_size - 1) << 2) | (off_size - 1)) << 2) | basic
        body = b"".join(_le(ids[i], id_size) for i in order) + \
            b"".join(_le(offsets[i], off_size) for i in order) + _le(pos, off_size)
    return bytes([header]) + head + body + b"".join(parts)


def encode(v: Any) -> tuple[bytes, bytes]:
    """A decoded value as Spark's (value, metadata) bytes."""
    enc = _Encoder()
    value = enc.value(v)
    keys = [k.encode("utf-8") for k in enc.keys]
    total = sum(len(k) for k in keys)
    size = _int_size(max(total, len(keys)))
    meta = bytes([1 | ((size - 1) << 6)]) + _le(len(keys), size)
    pos = 0
    offs = [0]
    for k in keys:
        pos += len(k)
        offs.append(pos)
    meta += b"".join(_le(o, size) for o in offs) + b"".join(keys)
    return value, meta


# ---------------------------------------------------------------- bytes -> value

def _uint(b: bytes, at: int, size: int) -> int:
    return int.from_bytes(b[at:at + size], "little", signed=False)


def _dictionary(meta: bytes) -> list[str]:
    if not meta or meta[0] & 0x0F != 1:
        raise VariantError("MALFORMED_VARIANT", "Variant binary is malformed. Please check the data "
                           "source is valid.")
    size = ((meta[0] >> 6) & 3) + 1
    n = _uint(meta, 1, size)
    offs = [_uint(meta, 1 + size * (i + 1), size) for i in range(n + 1)]
    start = 1 + size * (n + 2)
    return [bytes(meta[start + offs[i]:start + offs[i + 1]]).decode("utf-8") for i in range(n)]


def decode(value: bytes, meta: bytes) -> Any:
    """Spark's (value, metadata) bytes as a decoded value."""
    return _read(bytes(value), 0, _dictionary(bytes(meta)))


def _read(b: bytes, at: int, keys: list[str]) -> Any:
    head = b[at]
    basic, vh = head & 3, head >> 2
    if basic == 1:
        return b[at + 1:at + 1 + vh].decode("utf-8")
    if basic == 0:
        return _primitive(b, at + 1, vh)
    if basic == 3:
        large, off_size = (vh >> 2) & 1, (vh & 3) + 1
        n_size = 4 if large else 1
        n = _uint(b, at + 1, n_size)
        base = at + 1 + n_size + (n + 1) * off_size
        return [_read(b, base + _uint(b, at + 1 + n_size + i * off_size, off_size), keys)
                for i in range(n)]
    large, id_size, off_size = (vh >> 4) & 1, ((vh >> 2) & 3) + 1, (vh & 3) + 1
    n_size = 4 if large else 1
    n = _uint(b, at + 1, n_size)
    ids_at = at + 1 + n_size
    offs_at = ids_at + n * id_size
    base = offs_at + (n + 1) * off_size
    fields = [(_uint(b, offs_at + i * off_size, off_size), keys[_uint(b, ids_at + i * id_size, id_size)])
              for i in range(n)]
    return {k: _read(b, base + off, keys) for off, k in sorted(fields)}


def _primitive(b: bytes, at: int, tid: int) -> Any:
    if tid == 0:
        return None
    if tid in (1, 2):
        return tid == 1
    if tid in (3, 4, 5, 6):
        size = {3: 1, 4: 2, 5: 4, 6: 8}[tid]
        return int.from_bytes(b[at:at + size], "little", signed=True)
    if tid == 7:
        return struct.unpack_from("<d", b, at)[0]
    if tid in (8, 9, 10):
        size = {8: 4, 9: 8, 10: 16}[tid]
        unscaled = int.from_bytes(b[at + 1:at + 1 + size], "little", signed=True)
        return decimal.Decimal(unscaled).scaleb(-b[at], context=WIDE)
    if tid == 11:
        return _EPOCH + _dt.timedelta(days=int.from_bytes(b[at:at + 4], "little", signed=True))
    if tid in (12, 13):
        us = int.from_bytes(b[at:at + 8], "little", signed=True)
        return (_EPOCH_TS if tid == 12 else _EPOCH_NTZ) + _dt.timedelta(microseconds=us)
    if tid == 14:
        return Float32(struct.unpack_from("<f", b, at)[0])
    if tid in (15, 16):
        n = _uint(b, at, 4)
        raw = b[at + 4:at + 4 + n]
        return bytes(raw) if tid == 15 else raw.decode("utf-8")
    raise VariantError("UNKNOWN_PRIMITIVE_TYPE_IN_VARIANT",
                       f"Unknown primitive type with id {tid} was found in a variant value.")


def is_valid(value: bytes, meta: bytes) -> bool:
    """Whether the bytes decode to a whole variant (Spark's ``is_valid_variant``)."""
    try:
        decode(value, meta)
    except Exception:  # noqa: BLE001 - any failure to read means malformed
        return False
    return True
