"""``VariantVal``: one VARIANT value as ``collect()`` returns it (PySpark's class of that name).

It holds Spark's two byte buffers, so its repr shows the same bytes as PySpark's; ``str`` and
``toJson`` give the JSON text Spark prints, ``toPython`` the plain Python value.
"""

from __future__ import annotations

from typing import Any

from . import variant_codec, variant_text


class VariantVal:
    """A variant value: ``value`` and ``metadata`` are Spark's binary encoding of it."""

    def __init__(self, value: bytes, metadata: bytes):
        self.value = value
        self.metadata = metadata

    def __str__(self) -> str:
        return self.toJson()

    def __repr__(self) -> str:
        return "VariantVal(%r, %r)" % (self.value, self.metadata)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VariantVal) and bytes(self.value) == bytes(other.value) \
            and bytes(self.metadata) == bytes(other.metadata)

    def __hash__(self) -> int:
        return hash((bytes(self.value), bytes(self.metadata)))

    def toPython(self) -> Any:
        """The value as Python: dicts, lists, ints, Decimals, floats, strings, dates, None."""
        return variant_codec.decode(self.value, self.metadata)

    def toJson(self, zone_id: str = "UTC") -> str:
        """The value as Spark's JSON text (objects in key order)."""
        return variant_text.to_json(self.toPython())

    @classmethod
    def parseJson(cls, json_str: str) -> "VariantVal":
        """A VariantVal from JSON text, typed as ``parse_json`` types it."""
        value, metadata = variant_codec.encode(variant_codec.parse_json_text(json_str))
        return cls(bytearray(value), bytearray(metadata))
