"""Decoded variant values as Spark prints them: JSON text (``to_json``, ``show``, ``str`` of a
``VariantVal``) and the schema strings of ``schema_of_variant`` (``OBJECT<a: BIGINT>``).

Spark writes objects in key order, decimals without trailing zeros, doubles as Java's
``Double.toString``; a schema types every integer BIGINT and widens mixed numbers the way its
``schema_of_variant_agg`` merges them (integers meet decimals as DECIMAL(20,0), anything meets a
double as DOUBLE, unrelated types as VARIANT).
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
import json
import re
from typing import Any

from .formatting import format_double
from .variant_codec import WIDE, Float32


def float32_text(v: float) -> str:
    """Java's ``Float.toString`` (shortest digits that read back as the same float)."""
    import numpy as np
    return format_double(float(np.format_float_positional(np.float32(v), unique=True, trim="-")))


def decimal_text(d: decimal.Decimal) -> str:
    """Spark's text of a variant decimal: trailing zeros stripped, never an exponent."""
    return format(d.normalize(context=WIDE), "f") if d else "0"


def scalar_text(v: Any) -> str:
    """The text of a scalar for a cast to string (strings bare, dates as ISO)."""
    if isinstance(v, str):
        return v
    if isinstance(v, _dt.date) and not isinstance(v, _dt.datetime):
        return v.isoformat()
    return to_json(v)


def to_json(v: Any) -> str:
    """A decoded variant as Spark's JSON text."""
    out: list[str] = []
    _write(v, out)
    return "".join(out)


def _write(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, Float32):
        out.append(float32_text(v))
    elif isinstance(v, float):
        out.append(format_double(v))
    elif isinstance(v, decimal.Decimal):
        out.append(decimal_text(v))
    elif isinstance(v, str):
        out.append(json.dumps(v, ensure_ascii=False))
    elif isinstance(v, (bytes, bytearray)):
        out.append('"' + base64.b64encode(bytes(v)).decode("ascii") + '"')
    elif isinstance(v, _dt.datetime):
        raise NotImplementedError("dfml does not print timestamps inside a variant")
    elif isinstance(v, _dt.date):
        out.append('"' + v.isoformat() + '"')
    elif isinstance(v, list):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            _write(x, out)
        out.append("]")
    elif isinstance(v, dict):
        out.append("{")
        for i, k in enumerate(sorted(v)):
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False) + ":")
            _write(v[k], out)
        out.append("}")
    else:
        raise TypeError(f"not a variant value: {v!r}")


# ---------------------------------------------------------------- schemas
# A schema is "VOID", "BOOLEAN", "BIGINT", "DOUBLE", "FLOAT", "STRING", "BINARY", "DATE",
# "TIMESTAMP", "TIMESTAMP_NTZ", "VARIANT", ("DECIMAL", p, s), ("ARRAY", elem) or
# ("OBJECT", {name: schema}).

def schema_of(v: Any) -> Any:
    """The schema of one decoded variant value."""
    if v is None:
        return "VOID"
    if isinstance(v, bool):
        return "BOOLEAN"
    if isinstance(v, int):
        return "BIGINT"
    if isinstance(v, Float32):
        return "FLOAT"
    if isinstance(v, float):
        return "DOUBLE"
    if isinstance(v, decimal.Decimal):
        _, digits, exp = v.normalize(context=WIDE).as_tuple() if v else (0, (0,), 0)
        if exp > 0:
            return ("DECIMAL", len(digits) + exp, 0)
        return ("DECIMAL", max(len(digits), -exp), -exp)
    if isinstance(v, str):
        return "STRING"
    if isinstance(v, (bytes, bytearray)):
        return "BINARY"
    if isinstance(v, _dt.datetime):
        return "TIMESTAMP_NTZ" if v.tzinfo is None else "TIMESTAMP"
    if isinstance(v, _dt.date):
        return "DATE"
    if isinstance(v, list):
        elem: Any = "VOID"
        for x in v:
            elem = merge(elem, schema_of(x))
        return ("ARRAY", elem)
    return ("OBJECT", {k: schema_of(x) for k, x in v.items()})


def _exact(s: Any) -> tuple[int, int] | None:
    if s == "BIGINT":
        return (20, 0)
    if isinstance(s, tuple) and s[0] == "DECIMAL":
        return (s[1], s[2])
    return None


def merge(a: Any, b: Any) -> Any:
    """The schema that holds values of both ``a`` and ``b``."""
    if a == b:
        return a
    if a == "VOID":
        return b
    if b == "VOID":
        return a
    ea, eb = _exact(a), _exact(b)
    if ea and eb:
        scale = max(ea[1], eb[1])
        whole = max(ea[0] - ea[1], eb[0] - eb[1])
        return ("DECIMAL", min(whole + scale, 38), min(scale, 38))
    numeric = ("DOUBLE", "FLOAT")
    if (a in numeric or ea) and (b in numeric or eb):
        return "DOUBLE"
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "ARRAY":
        return ("ARRAY", merge(a[1], b[1]))
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "OBJECT":
        fields = dict(a[1])
        for k, s in b[1].items():
            fields[k] = merge(fields[k], s) if k in fields else s
        return ("OBJECT", fields)
    return "VARIANT"


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


def schema_text(s: Any) -> str:
    """A schema as Spark prints it."""
    if isinstance(s, str):
        return s
    if s[0] == "DECIMAL":
        return f"DECIMAL({s[1]},{s[2]})"
    if s[0] == "ARRAY":
        return f"ARRAY<{schema_text(s[1])}>"
    names = sorted(s[1])
    parts = [(k if _PLAIN_NAME.match(k) else "`" + k.replace("`", "``") + "`") + ": "
             + schema_text(s[1][k]) for k in names]
    return "OBJECT<" + ", ".join(parts) + ">"
