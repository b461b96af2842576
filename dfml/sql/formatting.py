"""Values as Spark prints them (Java's ``Double.toString`` for doubles): used by column names,
``show()``, casts to string, summaries, vectors and model files, which must all agree."""

from __future__ import annotations

import math


def format_double(v: float) -> str:
    """A double as Java's ``Double.toString`` prints it (Spark's output for doubles)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "-0.0" if math.copysign(1, v) < 0 else "0.0"
    a = abs(v)
    if 1e-3 <= a < 1e7:
        s = repr(v)
        if "e" in s or "E" in s:
            s = f"{v:f}"
        return s if "." in s else s + ".0"
    mant, exp = repr(v).lower().split("e") if "e" in repr(v) else (repr(v), "0")
    if "e" not in repr(v):
        # repr gave a plain form (e.g. 12345678.0): convert to scientific
        digits = f"{v:.17e}"
        m, e = digits.split("e")
        m = m.rstrip("0")
        mant, exp = m, e
        # shortest form
        for p in range(1, 18):
            cand = f"{v:.{p}e}"
            if float(cand) == v:
                mant, exp = cand.split("e")
                break
    if "." not in mant:
        mant += ".0"
    mant = mant.rstrip("0")
    if mant.endswith("."):
        mant += "0"
    return f"{mant}E{int(exp)}"


def scalar_text(v: object) -> str:
    """A literal's text in a generated column name: a binary as Spark's ``X'CAFE'``, anything
    else as ``str`` gives it."""
    if isinstance(v, (bytes, bytearray)):
        return "X'" + bytes(v).hex().upper() + "'"
    return str(v)
