"""Small text functions added for breadth: ``to_base32``/``from_base32``, ``try_parse_url``,
``sentences`` and the generator ``json_tuple``.

``from_base32`` decodes leniently, as Spark's (Apache Commons) decoder does: characters outside
the alphabet are skipped, lower case is accepted, decoding stops at padding, and trailing bits
that do not fill a byte are dropped, so it never fails. ``sentences`` splits on sentence ends
(``!``, ``?``, or ``.`` before a word not in lower case) and keeps words with inner apostrophes and
decimal points, which is what Java's default break iterators do for ordinary English text.
"""

from __future__ import annotations

import base64 as _b64
import json
import re
from typing import Any

from .. import types as T
from ..column import CaseWhen, Column, Ctx, Literal, Typed, cast_to
from ._arrays import array
from ._common import col_expr, func
from ._generators import inline
from ._zoned import rows

__all__ = ["to_base32", "from_base32", "try_parse_url", "sentences", "json_tuple"]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)} | {c.lower(): i for i, c in enumerate(_ALPHABET)}


def _bytes_arg(col: Any) -> Any:
    e = col_expr(col)

    def impl(ctx: Ctx, t: Typed, fn: Any, out: T.DataType) -> Typed:
        if not isinstance(t.dtype, (T.StringType, T.BinaryType, T.NullType)):
            t = cast_to(t, T.StringType())
        return rows(ctx, [t], lambda v: None if v is None else fn(
            v.encode("utf-8") if isinstance(v, str) else bytes(v)), out)
    return e, impl


def to_base32(col: Any) -> Column:
    """The RFC 4648 base32 text of a binary (or a string's UTF-8 bytes), padded with ``=``."""
    e, impl = _bytes_arg(col)
    return func("to_base32", [e], lambda ctx, t: impl(
        ctx, t, lambda b: _b64.b32encode(b).decode("ascii"), T.StringType()))


def _decode32(b: bytes) -> bytes:
    bits = nbits = 0
    out = bytearray()
    for ch in b.decode("utf-8", "replace"):
        if ch == "=":
            break
        v = _VALUE.get(ch)
        if v is None:
            continue
        bits, nbits = (bits << 5) | v, nbits + 5
        if nbits >= 8:
            nbits -= 8
            out.append((bits >> nbits) & 0xFF)
    return bytes(out)


def from_base32(col: Any) -> Column:
    """The bytes of base32 text (lenient: unknown characters are skipped, never an error)."""
    e, impl = _bytes_arg(col)
    return func("from_base32", [e], lambda ctx, t: impl(ctx, t, _decode32, T.BinaryType()))


def try_parse_url(url: Any, partToExtract: Any, key: Any = None) -> Column:  # noqa: N803
    """``parse_url`` that gives null for a URL it cannot parse, including text Java's URI
    parser refuses (spaces, quotes, braces and the like are not allowed unescaped)."""
    from ._text import parse_url
    u = Column(col_expr(url))
    shown = [u._expr, col_expr(partToExtract)] + ([] if key is None else [col_expr(key)])
    valid = Column(CaseWhen([((~u.rlike(r'[\s<>"{}|\\^`]'))._expr, u._expr)]))
    inner = parse_url(valid, partToExtract, key)._expr
    return func("try_parse_url", list(inner.children), inner.impl,
                sql=f"try_parse_url({', '.join(a.sql() for a in shown)})")


# a period ends a sentence only before a word that does not start in lower case ("e.g. so")
_SENTENCE_END = re.compile(r"(?<=[!?])\s+|(?<=\.)\s+(?![a-z])")
_WORD = re.compile(r"\w+(?:['\u2019.]\w+)*")


def _sentences(s: str) -> list:
    out = []
    for part in _SENTENCE_END.split(s):
        words = _WORD.findall(part)
        if words:
            out.append(words)
    return out


def sentences(string: Any, language: Any = None, country: Any = None) -> Column:
    """The words of each sentence of ``string``: an array of arrays of strings (``language``
    and ``country`` name the locale, as in Spark; the rules here are English ones)."""
    s = col_expr(string)
    lang = col_expr(language) if language is not None else Literal("")
    ctry = col_expr(country) if country is not None else Literal("")
    out = T.ArrayType(T.ArrayType(T.StringType(), True), True)

    def impl(ctx: Ctx, t: Typed, tl: Typed, tc: Typed) -> Typed:
        return rows(ctx, [cast_to(t, T.StringType())],
                    lambda v: None if v is None else _sentences(v), out)
    return func("sentences", [s, lang, ctry], impl,
                sql=f"sentences({s.sql()}, {lang.sql()}, {ctry.sql()})")


def _field_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def json_tuple(col: Any, *fields: str) -> Column:
    """A generator: one row per input row, the top-level ``fields`` of a JSON object as string
    columns ``c0``, ``c1``... (null for a missing field, a null or an unparsable document)."""
    if not fields:
        raise TypeError("json_tuple(): give at least one field name")
    for f in fields:
        if not isinstance(f, str):
            raise TypeError(f"json_tuple(): field names must be strings, got {f!r}")
    e = col_expr(col)
    names = list(fields)
    out = T.StructType([T.StructField(f"c{i}", T.StringType(), True) for i in range(len(names))])

    def one(s: Any) -> Any:
        try:
            doc = None if s is None else json.loads(s)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            return {f"c{i}": None for i in range(len(names))}
        return {f"c{i}": _field_text(doc.get(n)) for i, n in enumerate(names)}

    def impl(ctx: Ctx, t: Typed) -> Typed:
        return rows(ctx, [cast_to(t, T.StringType())], one, out)
    values = func("json_tuple", [e], impl)
    return inline(array(values))

