"""Spark's year-month and calendar interval types (``interval year to month`` and
``interval``), for ``make_ym_interval``, ``make_interval`` and ``try_make_interval``.

Spark computes with these but PySpark cannot bring them back to Python (``collect`` raises
NOT_IMPLEMENTED there); they show as text. dfml keeps each in a small Arrow struct whose field
names mark it (so a column read back from Arrow is recognised as the interval it is, as ML
vectors are), prints them as Spark does, and collects them as the value objects below, whose
``str`` is Spark's text.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from . import types as T

__all__ = ["YearMonthIntervalType", "CalendarIntervalType", "YearMonthInterval",
           "CalendarInterval"]

_YM_FIELD = "__spark_year_month_interval_months"
_CAL_FIELDS = ("__spark_interval_months", "__spark_interval_days", "__spark_interval_micros")


@dataclass(frozen=True)
class YearMonthInterval:
    """A number of months, printed as Spark prints ``INTERVAL 'y-m' YEAR TO MONTH``."""
    months: int

    def __str__(self) -> str:
        sign = "-" if self.months < 0 else ""
        years, months = divmod(abs(self.months), 12)
        return f"INTERVAL '{sign}{years}-{months}' YEAR TO MONTH"


def _java_rem(a: int, b: int) -> tuple[int, int]:
    """Java's truncating division and remainder (the remainder takes the dividend's sign)."""
    q = abs(a) // b * (1 if a >= 0 else -1)
    return q, a - q * b


@dataclass(frozen=True)
class CalendarInterval:
    """Months, days and microseconds kept apart (a month is not a fixed number of days), printed
    as Spark prints them: ``1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds``."""
    months: int
    days: int
    microseconds: int

    def __str__(self) -> str:
        if not (self.months or self.days or self.microseconds):
            return "0 seconds"
        parts = []
        years, months = _java_rem(self.months, 12)
        hours, rest = _java_rem(self.microseconds, 3_600_000_000)
        minutes, rest = _java_rem(rest, 60_000_000)
        for n, unit in ((years, "years"), (months, "months"), (self.days, "days"),
                        (hours, "hours"), (minutes, "minutes")):
            if n:
                parts.append(f"{n} {unit}")
        if rest:
            secs = decimal.Decimal(rest).scaleb(-6).normalize()
            parts.append(f"{format(secs, 'f')} seconds")
        return " ".join(parts)


class YearMonthIntervalType(T.UserDefinedType):
    """``interval year to month`` (only the YEAR TO MONTH form make_ym_interval builds)."""

    @classmethod
    def sqlType(cls) -> T.DataType:
        return T.StructType([T.StructField(_YM_FIELD, T.IntegerType(), False)])

    @classmethod
    def arrowType(cls) -> pa.DataType:
        return pa.struct([pa.field(_YM_FIELD, pa.int32(), False)])

    @classmethod
    def matches(cls, t: pa.DataType) -> bool:
        return pa.types.is_struct(t) and t.num_fields == 1 and t.field(0).name == _YM_FIELD

    def simpleString(self) -> str:
        return "interval year to month"

    def serialize(self, obj: Any) -> Any:
        return {_YM_FIELD: obj.months}

    def deserialize(self, datum: Any) -> Any:
        return YearMonthInterval(datum[_YM_FIELD])

    def display(self, obj: Any) -> str:
        return str(obj if isinstance(obj, YearMonthInterval) else self.deserialize(obj))


class CalendarIntervalType(T.UserDefinedType):
    """``interval``: months, days and microseconds (Spark's CalendarInterval)."""

    @classmethod
    def sqlType(cls) -> T.DataType:
        kinds = (T.IntegerType(), T.IntegerType(), T.LongType())
        return T.StructType([T.StructField(n, k, False) for n, k in zip(_CAL_FIELDS, kinds)])

    @classmethod
    def arrowType(cls) -> pa.DataType:
        kinds = (pa.int32(), pa.int32(), pa.int64())
        return pa.struct([pa.field(n, k, False) for n, k in zip(_CAL_FIELDS, kinds)])

    @classmethod
    def matches(cls, t: pa.DataType) -> bool:
        return pa.types.is_struct(t) and t.num_fields == 3 and \
            tuple(t.field(i).name for i in range(3)) == _CAL_FIELDS

    def simpleString(self) -> str:
        return "interval"

    def serialize(self, obj: Any) -> Any:
        return dict(zip(_CAL_FIELDS, (obj.months, obj.days, obj.microseconds)))

    def deserialize(self, datum: Any) -> Any:
        return CalendarInterval(*(datum[n] for n in _CAL_FIELDS))

    def display(self, obj: Any) -> str:
        return str(obj if isinstance(obj, CalendarInterval) else self.deserialize(obj))


T.register_udt(YearMonthIntervalType())
T.register_udt(CalendarIntervalType())
