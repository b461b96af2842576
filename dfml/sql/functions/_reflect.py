"""``reflect``, ``java_method`` and ``try_reflect``: Spark calls a Java static method by name.

dfml has no JVM, so it carries the static methods scripts reach for through these functions
(``java.util.UUID``, ``java.net.URLEncoder``/``URLDecoder``, ``java.lang.Math``,
``java.lang.String.valueOf``, ``scala.Predef.require``), written in Python with Java's results (its number printing, its
URL encoding, its UUID parsing), and refuses any other class or method with the analysis error
Spark gives for a method it cannot find. Overloads are chosen as Java's reflection does for
Spark's argument types: the first declared signature each argument fits, with primitive
widening (int to long to float to double). A call that throws in Java (a null unboxed, a bad
UUID) fails the action under ``reflect`` and is null under ``try_reflect``.
"""

from __future__ import annotations

import math
import re
import uuid as _uuid
from typing import Any, Callable
from urllib.parse import quote_plus, unquote_plus

import numpy as np

from .. import types as T
from ..column import Column, Ctx, Literal, Typed
from ..errors import AnalysisException, SparkException
from ..formatting import format_double
from ._common import col_expr, func
from ._zoned import rows

__all__ = ["reflect", "java_method", "try_reflect"]

_WIDER = {"int": ("int", "long", "float", "double"), "long": ("long", "float", "double"),
          "float": ("float", "double"), "double": ("double",), "boolean": ("boolean", "Object"),
          "String": ("String", "Object")}


class _JavaError(Exception):
    """A Java exception thrown inside the called method."""


def _java_round(x: float) -> int:
    return 0 if math.isnan(x) else int(math.floor(x + 0.5))


def _uuid_from_string(s: str) -> str:
    parts = s.split("-")
    if len(s) > 36 or len(parts) != 5 or not all(re.fullmatch(r"[0-9a-fA-F]+", p) for p in parts):
        raise _JavaError(f"Invalid UUID string: {s}")
    widths = (8, 4, 4, 4, 12)
    return "-".join(f"{int(p, 16) & ((1 << (4 * w)) - 1):0{w}x}" for p, w in zip(parts, widths))


def _url_encode(s: str, charset: str = "UTF-8") -> str:
    return quote_plus(s, safe="*", encoding=charset).replace("~", "%7E")


def _url_decode(s: str, charset: str = "UTF-8") -> str:
    if re.search(r"%(?![0-9a-fA-F]{2})", s):
        raise _JavaError("URLDecoder: Illegal hex characters in escape (%) pattern")
    return unquote_plus(s, encoding=charset, errors="strict")


def _object_str(o: Any) -> str:
    if o is None:
        return "null"
    if isinstance(o, bool):
        return "true" if o else "false"
    return str(o)


def _require(ok: bool) -> str:
    if not ok:
        raise _JavaError("requirement failed")
    return "()"  # Scala's Unit, as String.valueOf prints it


def _floor_div(a: int, b: int) -> int:
    if b == 0:
        raise _JavaError("/ by zero")
    return a // b


def _floor_mod(a: int, b: int) -> int:
    if b == 0:
        raise _JavaError("/ by zero")
    return a % b


def _each(kinds: tuple[str, ...], fn: Callable, arity: int = 1) -> list:
    return [((k,) * arity, fn, k) for k in kinds]


def _math_fn(fn: Callable[[float], float]) -> list:
    """A one-double Math method with Java's answers where Python raises: a zero's logarithm is
    -Infinity, an overflow is Infinity, any other domain error NaN."""
    def safe(x: float) -> float:
        try:
            return fn(x)
        except OverflowError:
            return math.inf
        except ValueError:
            return -math.inf if x == 0 and fn in (math.log, math.log10) else math.nan
    return [(("double",), safe, "double")]


_NUM = ("int", "long", "double")  # float arguments are refused (see _call)
# (class, method) -> the declared signatures in order: (parameter types, function, result type)
_METHODS: dict[tuple[str, str], list] = {
    ("java.util.UUID", "randomUUID"): [((), lambda: str(_uuid.uuid4()), "String")],
    ("java.util.UUID", "fromString"): [(("String",), _uuid_from_string, "String")],
    ("java.net.URLEncoder", "encode"): [(("String",), _url_encode, "String"),
                                         (("String", "String"), _url_encode, "String")],
    ("java.net.URLDecoder", "decode"): [(("String",), _url_decode, "String"),
                                         (("String", "String"), _url_decode, "String")],
    # Spark hands a boolean over boxed, so it reaches valueOf(Object): a null prints "null"
    ("java.lang.String", "valueOf"): [(("Object",), _object_str, "String"),
                                      (("int",), str, "String"), (("long",), str, "String"),
                                      (("double",), format_double, "String")],
    ("scala.Predef", "require"): [(("boolean",), lambda ok: _require(ok), "String")],
    ("java.lang.Math", "abs"): _each(_NUM, abs),
    ("java.lang.Math", "max"): _each(_NUM, max, 2),
    ("java.lang.Math", "min"): _each(_NUM, min, 2),
    ("java.lang.Math", "round"): [(("double",), _java_round, "long")],
    ("java.lang.Math", "floorDiv"): _each(("int", "long"), _floor_div, 2),
    ("java.lang.Math", "floorMod"): _each(("int", "long"), _floor_mod, 2),
    ("java.lang.Math", "pow"): [(("double", "double"), lambda a, b: _pow(a, b), "double")],
    ("java.lang.Math", "atan2"): [(("double", "double"), math.atan2, "double")],
    ("java.lang.Math", "hypot"): [(("double", "double"), math.hypot, "double")],
    ("java.lang.Math", "signum"): [(("double",), lambda x: x if x != x or x == 0
                                    else math.copysign(1.0, x), "double")],
    ("java.lang.Math", "floor"): [(("double",), lambda x: float(np.floor(x)), "double")],
    ("java.lang.Math", "ceil"): [(("double",), lambda x: float(np.ceil(x)), "double")],
    ("java.lang.Math", "toDegrees"): [(("double",), lambda x: x * (180.0 / math.pi), "double")],
    ("java.lang.Math", "toRadians"): [(("double",), lambda x: x * (math.pi / 180.0), "double")],
}
for _name, _fn in (("sqrt", math.sqrt), ("exp", math.exp), ("log", math.log),
                   ("log10", math.log10), ("cbrt", lambda x: math.copysign(abs(x) ** (1 / 3), x)),
                   ("sin", math.sin), ("cos", math.cos), ("tan", math.tan), ("asin", math.asin),
                   ("acos", math.acos), ("atan", math.atan)):
    _METHODS[("java.lang.Math", _name)] = _math_fn(_fn)
_CLASSES = {c for c, _ in _METHODS}


def _pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except (ValueError, OverflowError):
        return math.nan if a < 0 else math.inf


def _java_kind(dt: T.DataType) -> str | None:
    return {T.BooleanType: "boolean", T.IntegerType: "int", T.LongType: "long",
            T.FloatType: "float", T.DoubleType: "double", T.StringType: "String"}.get(type(dt))


def _show(v: Any, kind: str) -> str:
    if kind in ("double", "float"):
        return format_double(float(v))
    return str(v)


def _call(name: str, cols: tuple, lenient: bool) -> Column:
    if len(cols) < 2:
        raise AnalysisException(
            f"[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{name}` requires > 1 parameters but the "
            f"actual number is {len(cols)}. Please, refer to "
            f"'https://spark.apache.org/docs/latest/sql-ref-functions.html' for a fix. "
            f"SQLSTATE: 42605", "WRONG_NUM_ARGS")
    exprs = [col_expr(c) for c in cols]
    shown = f"{name}({', '.join(e.sql() for e in exprs)})"

    def mismatch(sub: str, text: str) -> AnalysisException:
        return AnalysisException(f"[DATATYPE_MISMATCH.{sub}] Cannot resolve \"{shown}\" due to "
                                 f"data type mismatch: {text}.", "DATATYPE_MISMATCH")
    names = []
    for e, what in zip(exprs[:2], ("class", "method")):
        if not isinstance(e, Literal) or not isinstance(e.value, str):
            raise mismatch("NON_FOLDABLE_INPUT", f"the input `{what}` should be a foldable "
                           f"\"STRING\" expression; however, got \"{e.sql()}\"")
        names.append(e.value)
    cls, method = names

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        if cls not in _CLASSES:
            raise mismatch("UNEXPECTED_CLASS_TYPE", f"class {cls} not found")
        kinds = [_java_kind(t.dtype) for t in ts[2:]]
        if any(isinstance(t.dtype, T.FloatType) for t in ts[2:]):
            raise AnalysisException(
                f"{shown}: dfml does not pass FLOAT arguments to Java methods (Java prints a "
                f"float's result unlike a double's); cast the argument to DOUBLE",
                "UNSUPPORTED_FEATURE")
        chosen = None
        for params, fn, result in _METHODS.get((cls, method), []):
            if len(params) == len(kinds) and all(k is not None and p in _WIDER[k]
                                                 for k, p in zip(kinds, params)):
                chosen = (params, fn, result)
                break
        if chosen is None:
            raise mismatch("UNEXPECTED_STATIC_METHOD", f"cannot find a static method {method} "
                           f"that matches the argument types in {cls}")
        params, fn, result = chosen

        def one(_cls: Any, *args: Any) -> Any:
            try:
                if any(a is None for a, p in zip(args, params) if p != "Object"):
                    raise _JavaError("java.lang.NullPointerException")
                conv = [float(a) if p in ("double", "float") else a for a, p in zip(args, params)]
                return _show(fn(*conv), result)
            except (_JavaError, ValueError, UnicodeError) as err:
                if lenient:
                    return None
                raise SparkException(f"[{name}] {cls}.{method} threw: {err}") from None
        anchor = Typed(ctx.broadcast(ts[0]), ts[0].dtype, False)  # one value per row to map
        return rows(ctx, [anchor] + list(ts[2:]), one, T.StringType())
    return func(name, exprs, impl, sql=shown)


def reflect(*cols: Any) -> Column:
    """The string form of a Java static method's result: ``reflect(lit(class), lit(method),
    *args)`` (the methods dfml carries: see the module's docstring)."""
    return _call("reflect", cols, False)


def java_method(*cols: Any) -> Column:
    """``reflect`` under its other name."""
    return _call("java_method", cols, False)


def try_reflect(*cols: Any) -> Column:
    """``reflect``, null where the Java method would throw."""
    return _call("try_reflect", cols, True)
