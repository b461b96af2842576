"""The ``xpath`` family: values out of XML strings by an XPath 1.0 expression (evaluated by
``_xpath_eval``, on the standard library's parser).

As in Spark, the path is a constant string; a null or empty document or path gives null;
``xpath`` returns the node values of a node set (null for element nodes, whose DOM value is
null: select ``text()`` or ``@attr`` for their text); the numeric forms convert the result as
XPath's ``number()`` does (NaN when it is not a number) and the integral ones then truncate as
Java's double-to-integer conversion does (NaN to 0, out-of-range saturates). A malformed
document fails the action, naming the function.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .. import types as T
from ..column import Column, Ctx, Typed
from ..errors import AnalysisException, SparkException
from ._common import col_expr, func
from ._xpath_eval import compile_xpath, parse_document, to_boolean, to_number, to_string
from ._zoned import rows

__all__ = ["xpath", "xpath_boolean", "xpath_double", "xpath_float", "xpath_int", "xpath_long",
           "xpath_number", "xpath_short", "xpath_string"]


def _node_values(v: Any, path: str) -> list:
    if not isinstance(v, list):
        raise SparkException(f"[INVALID_XPATH] xpath: '{path}' does not select a node set")
    return [n.value if n.kind in ("text", "attribute") else None for n in v]


def _java_integral(bits: int) -> Callable[[Any], int]:
    lo, hi = -(1 << 31), (1 << 31) - 1
    wide = bits == 64

    def conv(v: Any) -> int:
        x = to_number(v)
        if math.isnan(x):
            return 0
        if wide:
            return int(max(min(x, 2.0 ** 63 - 1), -2.0 ** 63)) if math.isfinite(x) \
                else ((1 << 63) - 1 if x > 0 else -(1 << 63))
        n = int(max(min(x, hi), lo)) if math.isfinite(x) else (hi if x > 0 else lo)
        if bits == 16:  # Java's shortValue(): the int's low 16 bits, signed
            n = (n + (1 << 15)) % (1 << 16) - (1 << 15)
        return n
    return conv


def _family(name: str, out: T.DataType, convert: Callable[[Any, str], Any]) -> Callable[..., Column]:
    def fn(xml: Any, path: Any) -> Column:
        x = col_expr(xml)
        p = col_expr(path)  # a str is a column name, as in PySpark: pass lit("a/b")
        sql = f"{name}({x.sql()}, {p.sql()})"

        def impl(ctx: Ctx, tx: Typed, tp: Typed) -> Typed:
            if not tp.is_scalar:
                raise AnalysisException(
                    f'[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "{sql}" due to data '
                    f'type mismatch: the input `path` should be a foldable "STRING" expression; '
                    f'however, got "{p.sql()}".', "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT")
            for t, what in ((tx, "first"), (tp, "second")):
                if not isinstance(t.dtype, (T.StringType, T.NullType)):
                    raise AnalysisException(
                        f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{sql}" due to '
                        f'data type mismatch: The {what} parameter requires the "STRING" type, '
                        f'however "{(x if what == "first" else p).sql()}" has the type '
                        f'"{t.dtype.simpleString().upper()}".',
                        "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
            path_text = tp.value
            if not path_text:
                return Typed(None, out, True)
            try:
                ev = compile_xpath(path_text)
            except ValueError as e:
                raise AnalysisException(f"[INVALID_XPATH] {name}: {e}", "INVALID_XPATH") from None

            def one(doc: Any, _p: Any) -> Any:
                if not doc:
                    return None
                try:
                    tree = parse_document(doc)
                except ValueError as e:
                    raise SparkException(f"{name}: error evaluating '{path_text}': {e}") from None
                return convert(ev(tree), path_text)
            return rows(ctx, [tx, tp], one, out)
        return func(name, [x, p], impl, sql=sql)
    fn.__name__ = name
    return fn


xpath = _family("xpath", T.ArrayType(T.StringType(), True), _node_values)
xpath.__doc__ = "The values of the nodes ``path`` selects in the XML string ``xml``: an array of strings."
xpath_string = _family("xpath_string", T.StringType(), lambda v, p: to_string(v))
xpath_string.__doc__ = "The string value of what ``path`` selects (its first node's text; '' for none)."
xpath_boolean = _family("xpath_boolean", T.BooleanType(), lambda v, p: to_boolean(v))
xpath_boolean.__doc__ = "Whether ``path`` selects anything (or its value as XPath's boolean())."
xpath_double = _family("xpath_double", T.DoubleType(), lambda v, p: to_number(v))
xpath_double.__doc__ = "The value of ``path`` as a double (NaN when it is not a number)."
xpath_number = _family("xpath_number", T.DoubleType(), lambda v, p: to_number(v))
xpath_number.__doc__ = "The value of ``path`` as a double (``xpath_double`` under its other name)."
xpath_float = _family("xpath_float", T.FloatType(), lambda v, p: to_number(v))
xpath_float.__doc__ = "The value of ``path`` as a float (NaN when it is not a number)."
xpath_int = _family("xpath_int", T.IntegerType(), lambda v, p, c=_java_integral(32): c(v))
xpath_int.__doc__ = "The value of ``path`` as an int (0 when it is not a number)."
xpath_long = _family("xpath_long", T.LongType(), lambda v, p, c=_java_integral(64): c(v))
xpath_long.__doc__ = "The value of ``path`` as a bigint (0 when it is not a number)."
xpath_short = _family("xpath_short", T.ShortType(), lambda v, p, c=_java_integral(16): c(v))
xpath_short.__doc__ = "The value of ``path`` as a smallint (0 when it is not a number)."
