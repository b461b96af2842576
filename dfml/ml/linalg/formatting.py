"""How PySpark's linalg reprs print a number, shared by vectors and matrices."""

from __future__ import annotations


def short_float(v: float) -> str:
    """A value rounded to four decimals and cut after the fourth (``0.3333``, ``1e+20``,
    ``-0.0``): the form PySpark's vector and matrix reprs use, so printed models stay short."""
    text = str(round(float(v), 4))
    dot = text.find(".")
    return text if dot < 0 else text[:dot + 5]
