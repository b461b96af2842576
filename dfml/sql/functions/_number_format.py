"""Spark's number format strings: ``to_char``/``to_varchar`` (a number as text) and
``to_number``/``try_to_number`` (text as a decimal).

A format is made of ``0``/``9`` (digits: before the point a ``0`` pads with zeros, a ``9`` with
spaces), ``.``/``D`` (the decimal point), ``,``/``G`` (a grouping separator, with a digit on
each side), ``$`` (a currency sign), and one sign element: ``S`` at the start or end (``+`` or
``-``), ``MI`` at the end (``-`` or a space) or ``PR`` at the end (negative values in angle
brackets). Parsing wants the text to follow the format: no more digits than it allows on each
side of the point, the currency sign where it stands, grouping separators exactly where the
format puts them for a number of that size. The result of ``to_number`` is a
``decimal(digits, digits after the point)``.
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from .. import types as T
from ..column import Column, Ctx, Typed, cast_to
from ..errors import AnalysisException, SparkException
from ._common import col_expr, func
from ._zoned import rows

__all__ = ["to_char", "to_varchar", "to_number", "try_to_number"]


class _Format:
    """A parsed number format (validated when the function is built, naming the format)."""

    def __init__(self, fmt: str):
        self.text = fmt
        rest = fmt.upper()
        self.sign = self.sign_at_end = None
        if rest.startswith("S"):
            self.sign, rest = "S", rest[1:]
        elif rest.endswith("MI") or rest.endswith("PR"):
            self.sign, self.sign_at_end, rest = rest[-2:], True, rest[:-2]
        elif rest.endswith("S"):
            self.sign, self.sign_at_end, rest = "S", True, rest[:-1]
        self.currency = rest.startswith("$")
        rest = rest[1:] if self.currency else rest
        rest = rest.replace("D", ".").replace("G", ",")
        if not rest or not re.fullmatch(r"[09,]*(\.[09]*)?", rest) or not re.search(r"[09]", rest) \
                or re.search(r"(^|[^09]),|,($|[^09])", rest):
            raise AnalysisException(
                f"[INVALID_FORMAT.WRONG_NUM_DIGIT] The format is invalid: '{fmt}'. The format "
                f"string must contain digits 0 or 9, with a digit on each side of a grouping "
                f"separator, and a sign (S, MI, PR) only at its start or end.",
                "INVALID_FORMAT")
        self.int_part, _, self.frac_part = rest.partition(".")
        self.has_point = "." in rest
        self.int_digits = sum(c in "09" for c in self.int_part)
        self.frac_digits = len(self.frac_part)
        # grouping separators, by how many digits stand to their right
        self.groups, n = set(), 0
        for c in reversed(self.int_part):
            if c == ",":
                self.groups.add(n)
            else:
                n += 1

    def result_type(self) -> T.DecimalType:
        return T.DecimalType(max(self.int_digits + self.frac_digits, 1), self.frac_digits)

    def format(self, v: Any) -> str:
        exact = decimal.Decimal(str(v))
        neg = exact < 0
        kept = exact.normalize()
        lost = kept.as_tuple().exponent < -self.frac_digits if kept.is_finite() else True
        d = exact.quantize(decimal.Decimal(1).scaleb(-self.frac_digits))
        whole, _, frac = format(abs(d), "f").partition(".")
        whole = whole.lstrip("0")
        if lost or len(whole) > self.int_digits:
            # Spark never rounds here: a value the format cannot hold whole shows as #s
            body = re.sub(r"[09]", "#", self.int_part).replace(",", " ") + (
                "." + "#" * self.frac_digits if self.has_point else "")
        else:
            out, digits, units = [], list(whole), True
            for c in reversed(self.int_part):
                if c == ",":
                    out.append(",")
                    continue
                # an integer part of 0 still shows its units digit (" 0.50", not "  .50")
                out.append(digits.pop() if digits else "0" if c == "0" or units else " ")
                units = False
            chars = out[::-1]
            # a separator with no digit on its left is padding, like the digits there
            seen_digit = False
            for i, c in enumerate(chars):
                if c == ",":
                    chars[i] = "," if seen_digit else " "
                elif c != " ":
                    seen_digit = True
            body = "".join(chars) + ("." + frac if self.has_point else "")
        if self.currency:
            body = "$" + body
        if self.sign == "S":
            s = "-" if neg else "+"
            return body + s if self.sign_at_end else s + body
        if self.sign == "MI":
            return body + ("-" if neg else " ")
        if self.sign == "PR":
            return f"<{body}>" if neg else f" {body} "
        return body

    def parse(self, s: str) -> decimal.Decimal | None:
        neg = False
        if self.sign == "PR" and s.startswith("<") and s.endswith(">"):
            neg, s = True, s[1:-1]
        elif self.sign == "MI" and s.endswith("-"):
            neg, s = True, s[:-1]
        elif self.sign == "S" and self.sign_at_end and s[-1:] in ("+", "-"):
            neg, s = s[-1] == "-", s[:-1]
        elif self.sign == "S" and not self.sign_at_end and s[:1] in ("+", "-"):
            neg, s = s[0] == "-", s[1:]
        if self.currency:
            if not s.startswith("$"):
                return None
            s = s[1:]
        m = re.fullmatch(r"([0-9,]*)(?:\.([0-9]*))?", s)
        if not m or not s or (m.group(2) is not None and not self.has_point):
            return None
        whole, frac = m.group(1), m.group(2) or ""
        digits = whole.replace(",", "")
        if len(digits) > self.int_digits or len(frac) > self.frac_digits or not (digits or frac):
            return None
        if "," in whole:
            found, n = set(), 0
            for c in reversed(whole):
                if c == ",":
                    if n in found or n == 0:
                        return None
                    found.add(n)
                else:
                    n += 1
            if found != {g for g in self.groups if g < len(digits)} or whole.startswith(","):
                return None
        value = decimal.Decimal((digits or "0") + "." + (frac or "0"))
        value = value.quantize(decimal.Decimal(1).scaleb(-self.frac_digits))
        return -value if neg else value


def _format_of(fmt: Any, fname: str) -> _Format:
    e = col_expr(fmt) if not isinstance(fmt, str) else None
    text = fmt if isinstance(fmt, str) else getattr(e, "value", None)
    if not isinstance(text, str):
        raise AnalysisException(f"{fname}(): the format must be a constant string, got "
                                f"{e.sql() if e is not None else fmt!r}", "NON_FOLDABLE_INPUT")
    return _Format(text)


def to_char(col: Any, format: Any) -> Column:  # noqa: A002 - Spark's name
    """A number as text laid out by a number ``format`` (see the module notes); a number the
    format cannot hold exactly (more integer digits, or nonzero decimals beyond its places)
    shows as ``#`` in every digit place: Spark does not round."""
    return _to_text("to_char", col, format)


def to_varchar(col: Any, format: Any) -> Column:  # noqa: A002 - Spark's name
    """``to_char`` under its other name (Spark shows it as ``to_char``)."""
    return _to_text("to_char", col, format)


def _to_text(fname: str, col: Any, format: Any) -> Column:  # noqa: A002
    e, f = col_expr(col), col_expr(format)
    fmt = _format_of(format, fname)

    def impl(ctx: Ctx, t: Typed, _f: Typed) -> Typed:
        if not isinstance(t.dtype, (T.NumericType, T.NullType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{fname}" due to data '
                f'type mismatch: dfml formats numbers only, however "{e.sql()}" has the type '
                f'"{t.dtype.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        return rows(ctx, [t], lambda v: None if v is None else fmt.format(v), T.StringType())
    return func(fname, [e, f], impl, sql=f"{fname}({e.sql()}, {f.sql()})")


def _to_decimal(fname: str, col: Any, format: Any, strict: bool) -> Column:  # noqa: A002
    e, f = col_expr(col), col_expr(format)
    fmt = _format_of(format, fname)
    out = fmt.result_type()

    def one(s: Any) -> Any:
        if s is None:
            return None
        v = fmt.parse(s)
        if v is None and strict:
            raise SparkException(
                f"[INVALID_FORMAT.MISMATCH_INPUT] The input '{s}' does not match the format "
                f"'{fmt.text}' of {fname}. SQLSTATE: 42601")
        return v

    def impl(ctx: Ctx, t: Typed, _f: Typed) -> Typed:
        return rows(ctx, [cast_to(t, T.StringType())], one, out)
    return func(fname, [e, f], impl, sql=f"{fname}({e.sql()}, {f.sql()})")


def to_number(col: Any, format: Any) -> Column:  # noqa: A002 - Spark's name
    """Text as a decimal, read by a number ``format``; text that does not follow the format
    fails the action (``try_to_number`` gives null instead)."""
    return _to_decimal("to_number", col, format, True)


def try_to_number(col: Any, format: Any) -> Column:  # noqa: A002 - Spark's name
    """``to_number`` with null for text that does not follow the format."""
    return _to_decimal("try_to_number", col, format, False)
