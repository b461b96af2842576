"""Spark's first geospatial functions over WKB: ``st_geomfromwkb``, ``st_geogfromwkb``,
``st_asbinary``, ``st_setsrid``, ``st_srid``.

A WKB value is parsed (points, line strings, polygons, their multi forms and collections, in 2D,
Z, M and ZM, either byte order) and written back in the byte order asked for, so a round trip
gives Spark's bytes; a malformed buffer raises Spark's ``WKB_PARSE_ERROR`` with the position it
gives, and a geography's coordinates must be longitudes/latitudes. Parsing walks the buffer in
Python, one value at a time: WKB is a variable-length tree with no vectorized reader in the
project's dependencies.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from .. import types as T
from ..column import Column, Literal
from ..errors import SparkException
from ..geo_types import GeographyType, GeometryType, check_srid
from ._common import col_expr
from ._sketch_core import accepting, require_binary, sketch_function

__all__ = ["st_asbinary", "st_geomfromwkb", "st_geogfromwkb", "st_setsrid", "st_srid"]

_geo_input = accepting('("GEOGRAPHY" or "GEOMETRY")', GeometryType, GeographyType)
_int_input = accepting('"INT"', T.IntegerType, T.ShortType, T.ByteType, T.LongType)
_string_input = accepting('"STRING"', T.StringType)


def _parse_error(what: str, pos: int) -> SparkException:
    return SparkException(f"[WKB_PARSE_ERROR] Error parsing WKB: {what} at position {pos} "
                          f"SQLSTATE: 22023")


class _Reader:
    """Reads one WKB geometry into a tree: (type code, dims, payload)."""

    def __init__(self, buf: bytes, geography: bool):
        self.buf, self.geography = buf, geography

    def need(self, pos: int, n: int, at: int) -> None:
        if pos + n > len(self.buf):
            raise _parse_error("Unexpected end of WKB buffer", at)

    def geometry(self, pos: int) -> tuple[Any, int]:
        self.need(pos, 5, pos)
        order = self.buf[pos]
        if order not in (0, 1):
            raise _parse_error(f"Invalid byte order {order}", pos)
        e = "<" if order == 1 else ">"
        code = struct.unpack_from(e + "I", self.buf, pos + 1)[0]
        base, flavour = code % 1000, code // 1000
        if not 1 <= base <= 7 or flavour > 3:
            raise _parse_error(f"Invalid or unsupported type {code}", pos + 1)
        dims = 2 + (flavour in (1, 3)) + (flavour in (2, 3))
        pos += 5
        if base == 1:
            pts, pos = self.points(pos, e, dims, 1)
            return (code, pts[0]), pos
        self.need(pos, 4, pos)
        n = struct.unpack_from(e + "I", self.buf, pos)[0]
        pos += 4
        if base == 2:
            pts, pos = self.points(pos, e, dims, n)
            return (code, pts), pos
        if base == 3:
            rings = []
            for _ in range(n):
                self.need(pos, 4, pos)
                m = struct.unpack_from(e + "I", self.buf, pos)[0]
                ring, pos = self.points(pos + 4, e, dims, m)
                rings.append(ring)
            return (code, rings), pos
        parts = []
        for _ in range(n):
            part, pos = self.geometry(pos)
            parts.append(part)
        return (code, parts), pos

    def points(self, pos: int, e: str, dims: int, n: int) -> tuple[list, int]:
        size = 8 * dims
        self.need(pos, size * n, pos)
        out = []
        for i in range(n):
            p = struct.unpack_from(e + "d" * dims, self.buf, pos + i * size)
            if self.geography and not (math.isnan(p[0]) and math.isnan(p[1])) and \
                    not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90):
                raise _parse_error("Invalid coordinate value found", pos + i * size)
            out.append(p)
        return out, pos + size * n


def _write(tree: Any, e: str, out: list) -> None:
    code, payload = tree
    out.append(struct.pack(e[0] + "BI", 1 if e == "<" else 0, code))
    base = code % 1000

    def pts(points: list) -> None:
        for p in points:
            out.append(struct.pack(e + "d" * len(p), *p))
    if base == 1:
        pts([payload])
    elif base == 2:
        out.append(struct.pack(e + "I", len(payload)))
        pts(payload)
    elif base == 3:
        out.append(struct.pack(e + "I", len(payload)))
        for ring in payload:
            out.append(struct.pack(e + "I", len(ring)))
            pts(ring)
    else:
        out.append(struct.pack(e + "I", len(payload)))
        for part in payload:
            _write(part, e, out)


def _recode(wkb: bytes, little: bool = True, geography: bool = False) -> bytes:
    tree, _ = _Reader(bytes(wkb), geography).geometry(0)
    out: list = []
    _write(tree, "<" if little else ">", out)
    return b"".join(out)


def _fields(kind: str, srid: int, wkb: bytes) -> dict:
    return {f"__{kind}_srid": srid, f"__{kind}_wkb": wkb}


def _literal(c: Any) -> Any:
    """(is a literal, its value) of an argument given as a Python value or a Column."""
    if isinstance(c, Column):
        return (True, c._expr.value) if isinstance(c._expr, Literal) else (False, None)
    return (False, None) if isinstance(c, str) else (True, c)  # a str names a column


def st_geomfromwkb(wkb: Any, srid: Any = None) -> Column:
    """The GEOMETRY a WKB buffer describes, with ``srid`` (default 0; a column gives
    ``GEOMETRY(ANY)``, each row its own SRID)."""
    w = col_expr(wkb)
    is_lit, value = _literal(0 if srid is None else srid)
    if is_lit:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"st_geomfromwkb: srid must be an int or a Column, got {value!r}")
        fixed = check_srid(value, False)
        return sketch_function(
            "st_geomfromwkb", [wkb], lambda b: _fields("geometry", fixed, _recode(b)),
            GeometryType(fixed), sql=f"st_geomfromwkb({w.sql()}, {fixed})", checks=[require_binary])
    s = col_expr(srid)
    return sketch_function(
        "st_geomfromwkb", [wkb, srid],
        lambda b, r: _fields("geometry", check_srid(r, False), _recode(b)), GeometryType("ANY"),
        sql=f"st_geomfromwkb({w.sql()}, {s.sql()})", checks=[require_binary, _int_input])


def st_geogfromwkb(wkb: Any) -> Column:
    """The GEOGRAPHY (SRID 4326) a WKB buffer of longitude/latitude coordinates describes."""
    return sketch_function(
        "st_geogfromwkb", [wkb],
        lambda b: _fields("geography", 4326, _recode(b, geography=True)), GeographyType(4326),
        checks=[require_binary])


def _kind_of(dt: T.DataType) -> str:
    return "geography" if isinstance(dt, GeographyType) else "geometry"


def _check_endianness(text: str) -> bool:
    if text.upper() not in ("NDR", "XDR"):
        raise SparkException(f"[ST_INVALID_ENDIANNESS_VALUE] Endianness '{text}' must be either "
                             f"'NDR' (little-endian) or 'XDR' (big-endian). SQLSTATE: 22023")
    return text.upper() == "NDR"


def st_asbinary(geo: Any, endianness: Any = None) -> Column:
    """The WKB of a GEOMETRY or GEOGRAPHY, little-endian ('NDR', default) or big ('XDR')."""
    g = col_expr(geo)
    order = Column(Literal("NDR")) if endianness is None else \
        (Column(Literal(endianness)) if isinstance(endianness, str) else endianness)
    o = col_expr(order)
    is_lit, value = _literal(order)
    if is_lit and isinstance(value, str):
        _check_endianness(value)

    def run(v: dict, text: str) -> bytes:
        wkb = next(x for k, x in v.items() if k.endswith("_wkb"))
        return _recode(wkb, _check_endianness(text))
    return sketch_function("st_asbinary", [geo, order], run, T.BinaryType(),
                           sql=f"st_asbinary({g.sql()}, {o.sql()})",
                           checks=[_geo_input, _string_input])


def st_setsrid(geo: Any, srid: Any) -> Column:
    """The value with another SRID (a column of SRIDs gives ``GEOMETRY(ANY)``/``GEOGRAPHY(ANY)``)."""
    g = col_expr(geo)
    is_lit, value = _literal(srid)
    if is_lit and value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError(f"st_setsrid: srid must be an int or a Column, got {value!r}")
    s = col_expr(srid) if isinstance(srid, (Column, str)) else col_expr(Column(Literal(srid)))

    def out(types: list) -> T.DataType:
        cls = GeographyType if isinstance(types[0], GeographyType) else GeometryType
        return cls(value) if is_lit and value is not None else cls("ANY")

    def run(v: dict, r: int) -> dict:
        kind = "geography" if "__geography_wkb" in v else "geometry"
        return _fields(kind, check_srid(r, kind == "geography"), v[f"__{kind}_wkb"])
    return sketch_function("st_setsrid", [geo, s], run, out,
                           sql=f"st_setsrid({g.sql()}, {s.sql()})", checks=[_geo_input, _int_input])


def st_srid(geo: Any) -> Column:
    """The SRID of a GEOMETRY or GEOGRAPHY value."""
    def run(v: dict) -> int:
        return next(x for k, x in v.items() if k.endswith("_srid"))
    return sketch_function("st_srid", [geo], run, T.IntegerType(), checks=[_geo_input])
