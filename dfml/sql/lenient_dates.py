"""Spark's lenient reading of date and timestamp strings (``2024-1-5``, ``2024``,
``2024-01-01T10:00``): what a cast of a string and a comparison of a date with a string use.
A leaf module, so that casts and type coercion can both use it."""

from __future__ import annotations

import datetime as _dt
import re as _re

__all__ = ["parse_date", "parse_timestamp"]

_DATE_RE = _re.compile(r"^([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T].*)?)?)?$", _re.S)
_TS_RE = _re.compile(r"^([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T](\d{1,2})(?::(\d{1,2})"
                     r"(?::(\d{1,2})(?:\.(\d{0,9}))?)?)?\s*(Z|UTC)?)?)?)?$")


def parse_date(text: str) -> _dt.date | None:
    """A string as Spark casts it to a date (surrounding blanks ignored); None when it does not
    parse or names no real day, as Spark's non-ANSI cast gives null."""
    m = _DATE_RE.match(text.strip())
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def parse_timestamp(text: str) -> _dt.datetime | None:
    """A string as Spark casts it to a timestamp (no zone offsets but ``Z``); None when invalid."""
    m = _TS_RE.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, sec, frac, _ = m.groups()
    try:
        return _dt.datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0),
                            int(sec or 0), int(((frac or "") + "000000")[:6]))
    except ValueError:
        return None
