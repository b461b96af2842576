"""Time zones: the session zone, zone names as Spark reads them, and the conversions between
the stored form of a timestamp and wall-clock time in a zone.

A ``TimestampType`` value is stored as a naive ``timestamp[us]``: the wall-clock time of the
instant in the process's local zone (what ``collect()`` gives back as a naive ``datetime``, as
PySpark does). Spark shows and computes with the wall-clock time of the session zone
(``spark.sql.session.timeZone``); when the two zones are the same (the default) the conversions
here are the identity, and only functions that name a zone (``from_utc_timestamp``...) move
values. ``TimestampNTZType`` values are wall-clock times in no zone and never move.

Conversions from wall-clock time follow java.time, as Spark does: a time in a DST gap moves
forward by the gap's length, and an ambiguous time takes the earlier offset (Python's
``fold=0`` gives both).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import sys
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_UTC = _dt.timezone.utc

# java.time's ZoneId.SHORT_IDS: the three-letter names Spark accepts besides region ids
_SHORT_IDS = {
    "ACT": "Australia/Darwin", "AET": "Australia/Sydney", "AGT": "America/Argentina/Buenos_Aires",
    "ART": "Africa/Cairo", "AST": "America/Anchorage", "BET": "America/Sao_Paulo",
    "BST": "Asia/Dhaka", "CAT": "Africa/Harare", "CNT": "America/St_Johns",
    "CST": "America/Chicago", "CTT": "Asia/Shanghai", "EAT": "Africa/Addis_Ababa",
    "ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis", "IST": "Asia/Kolkata",
    "JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan", "NST": "Pacific/Auckland",
    "PLT": "Asia/Karachi", "PNT": "America/Phoenix", "PRT": "America/Puerto_Rico",
    "PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal", "VST": "Asia/Ho_Chi_Minh",
    "EST": "-05:00", "MST": "-07:00", "HST": "-10:00",
}
_OFFSET = re.compile(r"^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$", re.I)


@lru_cache(maxsize=256)
def zone(name: str, what: str = "time zone") -> _dt.tzinfo:
    """The zone ``name`` names (a region id, ``UTC``, ``+08:00``, ``GMT-3``, ``JST``...); an
    unknown name raises, naming it (Spark fails the query the same way)."""
    if not isinstance(name, str):
        raise TypeError(f"{what}: expected a zone name (str), got {type(name).__name__}: {name!r}")
    text = name.strip()
    text = _SHORT_IDS.get(text, text)
    if text.upper() in ("UTC", "Z", "GMT", "UT", "ETC/UTC"):
        return _UTC
    m = _OFFSET.match(text)
    if m:
        sign, h, mi, s = m.group(1), int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0)
        if h > 18 or mi > 59 or s > 59:
            raise ValueError(f"[INVALID_TIMEZONE] {what}: the offset {name!r} is out of range")
        delta = _dt.timedelta(hours=h, minutes=mi, seconds=s)
        return _dt.timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"[INVALID_TIMEZONE] {what}: {name!r} is not a time zone Spark knows "
                         f"(use a region id such as 'America/Los_Angeles' or an offset such as "
                         f"'+08:00')") from None


def process_zone_name() -> str:
    """The process's local zone (the zone naive stored timestamps are read in)."""
    tz = os.environ.get("TZ")
    if tz:
        return tz.lstrip(":")
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def session_zone_name() -> str:
    """``spark.sql.session.timeZone`` of the active session; the process zone when unset (Spark's
    default is the JVM's zone), read when an expression compiles, never on a worker."""
    session_module = sys.modules.get("dfml.sql.session")
    s = session_module.SparkSession.getActiveSession() if session_module else None
    name = s.conf.get("spark.sql.session.timeZone", None) if s is not None else None
    return name or process_zone_name()


def wall_to_utc(w: _dt.datetime | None, z: _dt.tzinfo) -> _dt.datetime | None:
    """The UTC instant (naive) of wall-clock time ``w`` in zone ``z``."""
    if w is None:
        return None
    return w.replace(tzinfo=z, fold=0).astimezone(_UTC).replace(tzinfo=None)


def utc_to_wall(u: _dt.datetime | None, z: _dt.tzinfo) -> _dt.datetime | None:
    """The wall-clock time (naive) in zone ``z`` of UTC instant ``u``."""
    if u is None:
        return None
    return u.replace(tzinfo=_UTC).astimezone(z).replace(tzinfo=None)


class Zones:
    """The process and session zones of one compiled expression (captured at compile time, so a
    kernel running on a worker uses the driver's session settings)."""

    def __init__(self) -> None:
        self.process_name = process_zone_name()
        self.session_name = session_zone_name()
        self.process = zone(self.process_name, "the process time zone")
        self.session = zone(self.session_name, "spark.sql.session.timeZone")
        self.same = self.process_name == self.session_name or self.process == self.session

    def stored_to_session(self, s: _dt.datetime | None) -> _dt.datetime | None:
        """A stored timestamp as the session zone's wall-clock time."""
        if s is None or self.same:
            return s
        return utc_to_wall(wall_to_utc(s, self.process), self.session)

    def session_to_stored(self, w: _dt.datetime | None) -> _dt.datetime | None:
        """A session wall-clock time as the stored timestamp of its instant."""
        if w is None or self.same:
            return w
        return utc_to_wall(wall_to_utc(w, self.session), self.process)

    def stored_to_utc(self, s: _dt.datetime | None) -> _dt.datetime | None:
        return wall_to_utc(s, self.process)

    def utc_to_stored(self, u: _dt.datetime | None) -> _dt.datetime | None:
        return utc_to_wall(u, self.process)


def as_datetime(v: Any) -> _dt.datetime | None:
    """A date or datetime value as a datetime (a date is its midnight)."""
    if v is None or isinstance(v, _dt.datetime):
        return v
    return _dt.datetime(v.year, v.month, v.day)
