"""Spark's GEOMETRY and GEOGRAPHY types and their Python values (``Geometry``, ``Geography``).

A value is a shape in WKB plus its SRID. dfml stores a column as an Arrow struct of the two
(the SRID per row, since ``GEOMETRY(ANY)`` mixes them) and hands out ``Geometry(wkb, srid)`` /
``Geography(wkb, srid)`` objects on collect, as PySpark does. The WKB kept is the parsed shape
written back in little-endian (NDR) order, so bytes after the shape are dropped.

SRIDs: Spark accepts any SRID of its EPSG registry; dfml knows 0 (no system), 3857 and 4326,
and refuses the others with Spark's ``ST_INVALID_SRID_VALUE``, saying so. A geography is
always 4326 (OGC:CRS84).
"""

from __future__ import annotations

import zlib
from typing import Any

import pyarrow as pa

from . import types as T
from .errors import SparkException

__all__ = ["Geometry", "Geography", "GeometryType", "GeographyType", "check_srid", "KNOWN_SRIDS"]

KNOWN_SRIDS = (0, 3857, 4326)


def check_srid(srid: int, geography: bool) -> int:
    """``srid`` if Spark (and dfml) accept it for the type, else Spark's error."""
    ok = srid == 4326 if geography else srid in KNOWN_SRIDS
    if not ok:
        note = "" if geography or srid < 0 else \
            f" (dfml knows the SRIDs {', '.join(map(str, KNOWN_SRIDS))} only)"
        raise SparkException(f"[ST_INVALID_SRID_VALUE] Invalid or unsupported SRID (spatial "
                             f"reference identifier) value: {srid}.{note} SQLSTATE: 22023")
    return srid


class Geometry:
    """A GEOMETRY value: WKB bytes and an SRID (PySpark's class, same methods and repr)."""

    def __init__(self, wkb: bytes, srid: int):
        self.wkb = wkb
        self.srid = srid

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.wkb!r}, {self.srid:d})"

    __str__ = __repr__

    def getSrid(self) -> int:  # noqa: N802 - PySpark's name
        return self.srid

    def getBytes(self) -> bytes:  # noqa: N802
        return self.wkb

    def __eq__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.wkb == other.wkb and self.srid == other.srid

    def __hash__(self) -> int:
        return hash((type(self).__name__, bytes(self.wkb), self.srid))

    @classmethod
    def fromWKB(cls, wkb: bytes, srid: int) -> Any:  # noqa: N802
        return cls(wkb, srid)


class Geography(Geometry):
    """A GEOGRAPHY value: WKB bytes (longitude/latitude) and an SRID."""


class _GeoType(T.UserDefinedType):
    """GEOMETRY(srid) / GEOGRAPHY(srid), ``srid`` an int or ``"ANY"`` (mixed per row)."""

    kind = "geometry"
    value_class: type = Geometry

    def __init__(self, srid: Any = 0):
        self.srid = srid

    @classmethod
    def arrowType(cls) -> pa.DataType:
        # field names say which type the struct stores, so parquet round trips keep it
        return pa.struct([pa.field(f"__{cls.kind}_srid", pa.int32()),
                          pa.field(f"__{cls.kind}_wkb", pa.large_binary())])

    @classmethod
    def sqlType(cls) -> T.DataType:
        return T.StructType([T.StructField(f"__{cls.kind}_srid", T.IntegerType(), True),
                             T.StructField(f"__{cls.kind}_wkb", T.BinaryType(), True)])

    def simpleString(self) -> str:
        return f"{self.kind}({str(self.srid).lower()})"

    def jsonValue(self) -> Any:
        if self.kind == "geography":
            return "geography(OGC:CRS84, SPHERICAL)" if self.srid == 4326 else \
                f"geography(SRID:{self.srid})"
        crs = {3857: "EPSG:3857", 4326: "OGC:CRS84"}.get(self.srid, f"SRID:{self.srid}")
        return f"geometry({crs})"

    def serialize(self, obj: Any) -> Any:
        return {f"__{self.kind}_srid": obj.srid, f"__{self.kind}_wkb": bytes(obj.wkb)}

    def deserialize(self, datum: Any) -> Any:
        if datum is None:
            return None
        return self.value_class(bytearray(datum[f"__{self.kind}_wkb"]), datum[f"__{self.kind}_srid"])

    def display(self, obj: Any) -> str:
        # Spark prints the JVM object's default text, whose hash is an identity hash (differs
        # run to run); dfml prints the same shape with a hash of the bytes
        return f"org.apache.spark.unsafe.types.BinaryView@{zlib.crc32(bytes(obj.wkb)):x}"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.srid == other.srid  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.srid))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.srid!r})"


class GeometryType(_GeoType):
    kind = "geometry"
    value_class = Geometry


class GeographyType(_GeoType):
    kind = "geography"
    value_class = Geography

    def __init__(self, srid: Any = 4326):
        self.srid = srid


T.register_udt(GeometryType("ANY"))
T.register_udt(GeographyType("ANY"))
