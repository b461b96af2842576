"""More string functions: ``left``/``right``, ``split_part``, ``substring_index``, the
``regexp_*`` family, ``levenshtein``, ``soundex``, ``overlay``, ``format_string``/``printf``,
``format_number``, byte and character lengths, ``btrim``, ``find_in_set``, ``replace``...

These have no dask ``.str`` method, so each is a per-row function over each partition's values
(null in any argument gives null unless the function says otherwise). Regular expressions are
Python's ``re``, which agrees with Java's for the common syntax.
"""

from __future__ import annotations

import decimal
import re
from typing import Any, Callable

from .. import types as T
from ..column import Column, Ctx, Expr, Typed, cast_to
from ..kernels import rowwise
from ._common import col_expr, func, lit_expr, per_partition

__all__ = ["left", "right", "split_part", "substring_index", "regexp_count", "regexp_like",
           "regexp", "regexp_extract_all", "regexp_substr", "regexp_instr", "levenshtein",
           "soundex", "overlay", "format_string", "printf", "format_number", "ucase", "lcase",
           "ascii", "octet_length", "bit_length", "char_length", "character_length", "btrim",
           "find_in_set", "replace", "startswith", "endswith", "contains", "like", "ilike", "rlike",
           "elt", "char", "url_encode", "url_decode", "try_url_decode", "mask", "parse_url"]


def row_func(name: str, args: list[Expr], fn: Callable[..., Any], out: T.DataType,
             casts: list[T.DataType | None] | None = None, sql: str | None = None,
             nulls: bool = True, check: Callable[[list[Typed]], None] | None = None) -> Column:
    """A function applied row by row; ``nulls``: a null argument gives null without calling ``fn``;
    ``check`` sees the typed arguments first, to refuse bad types before anything runs."""
    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        ts = list(ts)
        if check is not None:
            check(ts)
        ts = [t if c is None else cast_to(t, c) for t, c in zip(ts, casts or [None] * len(ts))]

        def one(*vals: Any) -> Any:
            if nulls and any(v is None for v in vals):
                return None
            return fn(*vals)
        if all(t.is_scalar for t in ts):
            ts[0] = Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable)
        return Typed(per_partition(ctx, ts, rowwise(one, T.to_arrow(out)), out), out, True)
    return func(name, args, impl, sql=sql)


_S, _I = T.StringType(), T.IntegerType()


def _arg(v: Any) -> Expr:
    """A ``ColumnOrName | value`` argument: a str names a column."""
    return col_expr(v) if isinstance(v, (str, Column)) else lit_expr(v)


def left(str: Any, len: Any) -> Column:  # noqa: A002 - Spark's names
    """The first ``len`` characters ("" for ``len`` <= 0)."""
    return row_func("left", [col_expr(str), _arg(len)], lambda s, n: s[:n] if n > 0 else "",
                     _S, [_S, _I])


def right(str: Any, len: Any) -> Column:  # noqa: A002
    """The last ``len`` characters ("" for ``len`` <= 0)."""
    return row_func("right", [col_expr(str), _arg(len)], lambda s, n: s[-n:] if n > 0 else "",
                     _S, [_S, _I])


def _split_part(s: str, d: str, n: int) -> str:
    if n == 0:
        raise ValueError("split_part: the part number 0 is invalid; parts are numbered from 1 "
                         "(negative numbers count from the end)")
    parts = s.split(d) if d else [s]
    i = n - 1 if n > 0 else len(parts) + n
    return parts[i] if 0 <= i < len(parts) else ""


def split_part(src: Any, delimiter: Any, partNum: Any) -> Column:  # noqa: N803
    """The ``partNum``-th piece of ``src`` split on ``delimiter`` ("" past the end)."""
    return row_func("split_part", [col_expr(src), col_expr(delimiter), col_expr(partNum)],
                     _split_part, _S, [_S, _S, _I])


def _substring_index(s: str, d: str, n: int) -> str:
    if not d or n == 0:
        return ""
    parts = s.split(d)
    return d.join(parts[:n]) if n > 0 else d.join(parts[n:])


def substring_index(str: Any, delim: str, count: int) -> Column:  # noqa: A002
    """Everything before the ``count``-th ``delim`` (after it, counting from the end, if negative)."""
    return row_func("substring_index", [col_expr(str), lit_expr(delim), lit_expr(count)],
                     _substring_index, _S, [_S, _S, _I])


def _regex(p: str) -> re.Pattern:
    try:
        return re.compile(p)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {p!r}: {exc}") from None


def regexp_count(str: Any, regexp: Any) -> Column:  # noqa: A002
    """How many times the pattern matches (non-overlapping)."""
    return row_func("regexp_count", [col_expr(str), col_expr(regexp)],
                     lambda s, p: len(_regex(p).findall(s)), _I, [_S, _S])


def regexp_like(str: Any, regexp: Any) -> Column:  # noqa: A002
    """Whether the pattern matches anywhere in the string."""
    return row_func("REGEXP_LIKE", [col_expr(str), col_expr(regexp)],
                     lambda s, p: _regex(p).search(s) is not None, T.BooleanType(), [_S, _S])


def regexp(str: Any, regexp: Any) -> Column:  # noqa: A002
    return row_func("REGEXP", [col_expr(str), col_expr(regexp)],
                     lambda s, p: _regex(p).search(s) is not None, T.BooleanType(), [_S, _S])


def _group(m: re.Match, idx: int) -> str:
    if idx > (m.re.groups or 0) or idx < 0:
        raise ValueError(f"regexp group index {idx} is out of range: the pattern has "
                         f"{m.re.groups} groups")
    g = m.group(idx)
    return "" if g is None else g


def regexp_extract_all(str: Any, regexp: Any, idx: Any = None) -> Column:  # noqa: A002
    """The ``idx``-th group (default 1) of every match, as an array."""
    args = [col_expr(str), col_expr(regexp)] + ([] if idx is None else [_arg(idx)])

    def fn(s: str, p: str, i: int = 1) -> list:
        return [_group(m, i) for m in _regex(p).finditer(s)]
    return row_func("regexp_extract_all", args, fn, T.ArrayType(_S, True), [_S, _S, _I],
                     sql=None if idx is not None else
                     f"regexp_extract_all({args[0].sql()}, {args[1].sql()}, 1)")


def regexp_substr(str: Any, regexp: Any) -> Column:  # noqa: A002
    """The first match of the pattern, or null."""
    def fn(s: str, p: str) -> str | None:
        m = _regex(p).search(s)
        return m.group(0) if m else None
    return row_func("regexp_substr", [col_expr(str), col_expr(regexp)], fn, _S, [_S, _S])


def regexp_instr(str: Any, regexp: Any, idx: Any = None) -> Column:  # noqa: A002
    """The 1-based position of the first match (of group ``idx``), 0 when none."""
    args = [col_expr(str), col_expr(regexp)] + ([] if idx is None else [_arg(idx)])

    def fn(s: str, p: str, i: int = 0) -> int:
        m = _regex(p).search(s)
        if m is not None:
            _group(m, i)  # checks the index; Spark reports where the whole match starts
        return 0 if m is None else m.start() + 1
    return row_func("regexp_instr", args, fn, _I, [_S, _S, _I],
                     sql=None if idx is not None else
                     f"regexp_instr({args[0].sql()}, {args[1].sql()}, 0)")


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def levenshtein(left: Any, right: Any, threshold: int | None = None) -> Column:
    """The edit distance; with ``threshold``, -1 when the distance is above it."""
    if threshold is None:
        return row_func("levenshtein", [col_expr(left), col_expr(right)], _levenshtein, _I,
                         [_S, _S])
    return row_func("levenshtein", [col_expr(left), col_expr(right), lit_expr(threshold)],
                     lambda a, b, t: (lambda d: d if d <= t else -1)(_levenshtein(a, b)), _I,
                     [_S, _S, _I])


_SOUNDEX = {c: d for d, cs in {"1": "BFPV", "2": "CGJKQSXZ", "3": "DT", "4": "L", "5": "MN",
                              "6": "R"}.items() for c in cs}


def _soundex(s: str) -> str:
    if not s or not ("A" <= s[0].upper() <= "Z"):
        return s
    up = s.upper()
    out, last = up[0], _SOUNDEX.get(up[0], "")
    for c in up[1:]:
        code = _SOUNDEX.get(c)
        if code is None:
            if c not in "HW":  # vowels separate equal codes, H and W do not
                last = ""
            continue
        if code != last:
            out += code
            if len(out) == 4:
                break
        last = code
    return out.ljust(4, "0")


def soundex(col: Any) -> Column:
    """The four-character Soundex code (a string not starting with a letter is returned as is)."""
    return row_func("soundex", [col_expr(col)], _soundex, _S, [_S])


def overlay(src: Any, replace: Any, pos: Any, len: Any = -1) -> Column:  # noqa: A002
    """``src`` with ``len`` characters from 1-based ``pos`` replaced (default: ``replace``'s length)."""
    def fn(s: str, r: str, p: int, n: int) -> str:
        n = len_(r) if n < 0 else n
        return _sql_substr(s, 1, p - 1) + r + _sql_substr(s, p + n, 2**31 - 1)
    return row_func("overlay", [col_expr(src), col_expr(replace), _arg(pos), _arg(len)], fn, _S,
                     [_S, _S, _I, _I])


len_ = len


def _sql_substr(s: str, pos: int, length: int) -> str:
    """SQL's 1-based substring (negative ``pos`` counts from the end; the end is computed before
    the start is clamped, as Spark does)."""
    start = pos - 1 if pos > 0 else (len(s) + pos if pos < 0 else 0)
    end = start + length
    start = max(start, 0)
    return s[start:end] if start < end else ""


def _java_format(fmt: str, *args: Any) -> str:
    """Java's ``String.format`` for the common conversions (Python's % has the same syntax)."""
    conv = re.compile(r"%(\d+\$)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])")
    it = iter(args)

    def sub(m: re.Match) -> str:
        index, flags, width, prec, c = m.groups()
        if c == "%":
            return "%"
        if c == "n":
            return "\n"
        v = args[int(index[:-1]) - 1] if index else next(it, None)
        if v is None:
            return ("%" + flags.replace(",", "") + (width or "") + (prec or "") + "s") % "null"
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))) and c in "eEfgG":
            word = "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
            return ("%" + flags.replace(",", "").replace("0", "") + (width or "") + "s") % word
        if c in "xXo" and isinstance(v, int) and v < 0:  # Java prints two's complement
            v &= 0xFFFFFFFF if v >= -2**31 else 0xFFFFFFFFFFFFFFFF
        if c in "bB":
            out = str(bool(v)).lower()
            return out.upper() if c == "B" else out
        if c in "sS":
            v = "true" if v is True else "false" if v is False else v
            out = ("%" + flags + (width or "") + (prec or "") + "s") % (v,)
            return out.upper() if c == "S" else out
        spec = flags.replace(",", "") + (width or "") + (prec or "")
        if "," in flags:
            return format(v, ("<" if "-" in flags else "") + (width or "") + "," +
                          (prec or "") + ("d" if c == "d" else "f"))
        return ("%" + spec + c) % v
    return conv.sub(sub, fmt)


def format_string(format: str, *cols: Any) -> Column:  # noqa: A002
    """printf-style formatting, Java's way (a null argument prints as "null")."""
    args = [lit_expr(format)] + [col_expr(c) for c in cols]
    return row_func("format_string", args, _java_format, _S, nulls=False)


def printf(format: Any, *cols: Any) -> Column:  # noqa: A002
    args = [col_expr(format)] + [col_expr(c) for c in cols]
    return row_func("printf", args, lambda f, *a: None if f is None else _java_format(f, *a), _S,
                     nulls=False)


def _format_number(x: Any, d: int) -> str | None:
    if d < 0:
        return None
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            return "NaN" if x != x else ("∞" if x > 0 else "-∞")
        x = decimal.Decimal(x)  # the double's exact binary value, as Java's DecimalFormat
    q = decimal.Decimal(x).quantize(decimal.Decimal(1).scaleb(-d), rounding=decimal.ROUND_HALF_EVEN)
    return format(q, f",.{d}f")


def format_number(col: Any, d: int) -> Column:
    """The number with thousands separators and ``d`` decimals, rounded half to even."""
    return row_func("format_number", [col_expr(col), lit_expr(d)], _format_number, _S)


def _simple(name: str, fn: Callable[[str], Any], out: T.DataType) -> Any:
    def f(col: Any) -> Column:
        return row_func(name, [col_expr(col)], fn, out, [_S])
    f.__name__ = name
    return f


ucase = _simple("ucase", str.upper, _S)
lcase = _simple("lcase", str.lower, _S)
ascii = _simple("ascii", lambda s: ord(s[0]) if s else 0, _I)  # noqa: A001
octet_length = _simple("octet_length", lambda s: len(s.encode("utf-8")), _I)
bit_length = _simple("bit_length", lambda s: 8 * len(s.encode("utf-8")), _I)
char_length = _simple("char_length", len, _I)
character_length = _simple("character_length", len, _I)


def btrim(str: Any, trim: Any = None) -> Column:  # noqa: A002
    """The string without leading and trailing spaces (or characters of ``trim``)."""
    if trim is None:
        return row_func("btrim", [col_expr(str)], lambda s: s.strip(" "), _S, [_S])
    return row_func("btrim", [col_expr(str), col_expr(trim)], lambda s, t: s.strip(t), _S, [_S, _S])


def find_in_set(str: Any, str_array: Any) -> Column:  # noqa: A002
    """The 1-based index of ``str`` in the comma-separated list (0 if absent or holding a comma)."""
    def fn(s: str, lst: str) -> int:
        if "," in s:
            return 0
        parts = lst.split(",")
        return parts.index(s) + 1 if s in parts else 0
    return row_func("find_in_set", [col_expr(str), col_expr(str_array)], fn, _I, [_S, _S])


def replace(src: Any, search: Any, replace: Any = None) -> Column:
    """Every occurrence of ``search`` replaced (removed when no replacement is given)."""
    args = [col_expr(src), col_expr(search)] + ([] if replace is None else [col_expr(replace)])
    return row_func("replace", args, lambda s, a, b="": s.replace(a, b) if a else s, _S,
                     [_S, _S, _S], sql=None if replace is not None else
                     f"replace({args[0].sql()}, {args[1].sql()}, )")


def _test_fn(name: str, test: Callable[[str, str], bool]) -> Any:
    def f(str: Any, other: Any) -> Column:  # noqa: A002 - Spark's names
        return row_func(name, [col_expr(str), col_expr(other)], test, T.BooleanType(), [_S, _S])
    f.__name__ = name
    return f


startswith = _test_fn("startswith", lambda s, p: s.startswith(p))
endswith = _test_fn("endswith", lambda s, p: s.endswith(p))
contains = _test_fn("contains", lambda s, p: p in s)


def _like_regex(pattern: str, escape: str = "\\", flags: int = 0) -> re.Pattern:
    """A SQL LIKE pattern (``%`` any run, ``_`` one character, ``escape`` quoting) as a regex."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL | flags)


def _like(name: str, flags: int, sql: Callable[[str, str], str]) -> Any:
    def f(str: Any, pattern: Any, escapeChar: Any = None) -> Column:  # noqa: A002,N803
        esc = "\\" if escapeChar is None else (escapeChar._expr.value if isinstance(escapeChar, Column)
                                               else escapeChar)
        args = [col_expr(str), col_expr(pattern)]
        return row_func(name, args,
                         lambda s, p: _like_regex(p, esc, flags).fullmatch(s) is not None,
                         T.BooleanType(), [_S, _S], sql=sql(args[0].sql(), args[1].sql()))
    f.__name__ = name
    return f


like = _like("like", 0, lambda a, b: f"{a} LIKE {b}")
ilike = _like("ilike", re.IGNORECASE, lambda a, b: f"ilike({a}, {b})")


def rlike(str: Any, regexp: Any) -> Column:  # noqa: A002
    """Whether the regular expression matches anywhere in the string."""
    return row_func("RLIKE", [col_expr(str), col_expr(regexp)],
                     lambda s, p: _regex(p).search(s) is not None, T.BooleanType(), [_S, _S])


def elt(*inputs: Any) -> Column:
    """The ``n``-th of the following values (1-based; null when out of range)."""
    args = [col_expr(c) for c in inputs]

    def fn(n: Any, *vals: Any) -> Any:
        return None if n is None or not 1 <= n <= len(vals) else vals[n - 1]
    return row_func("elt", args, fn, _S, [_I] + [_S] * (len(args) - 1), nulls=False)


def char(col: Any) -> Column:
    """The character with the code ``col`` modulo 256 ("" for a negative code)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        v = cast_to(t, T.LongType())
        fn = rowwise(lambda x: None if x is None else ("" if x < 0 else chr(x % 256)),
                     T.to_arrow(_S))
        ts = [v] if not v.is_scalar else [Typed(ctx.broadcast(v), v.dtype)]
        return Typed(per_partition(ctx, ts, fn, _S), _S, True)
    return func("char", [col], impl)


def _url_encode(s: str) -> str:
    """Java's ``URLEncoder`` (UTF-8): letters, digits and ``.-*_`` kept, space as ``+``."""
    from urllib.parse import quote_plus
    return quote_plus(s, safe="*").replace("~", "%7E")


def url_encode(str: Any) -> Column:  # noqa: A002
    return row_func("url_encode", [col_expr(str)], _url_encode, _S, [_S])


def _url_decode(s: str, strict: bool) -> str | None:
    from urllib.parse import unquote_plus
    if re.search(r"%(?![0-9a-fA-F]{2})", s):
        if strict:
            raise ValueError(f"[CANNOT_DECODE_URL] url_decode: {s!r} is not valid URL encoding")
        return None
    return unquote_plus(s, errors="strict")


def url_decode(str: Any) -> Column:  # noqa: A002
    return row_func("url_decode", [col_expr(str)], lambda s: _url_decode(s, True), _S, [_S])


def try_url_decode(str: Any) -> Column:  # noqa: A002
    return row_func("try_url_decode", [col_expr(str)], lambda s: _url_decode(s, False), _S, [_S])


def mask(col: Any, upperChar: Any = None, lowerChar: Any = None, digitChar: Any = None,  # noqa: N803
         otherChar: Any = None) -> Column:
    """Letters and digits replaced (``X``, ``x``, ``n`` by default; other characters kept unless
    ``otherChar`` is given). A null replacement keeps that class as it is."""
    def char_of(v: Any, default: str | None) -> str | None:
        if v is None:
            return default
        return v._expr.value if isinstance(v, Column) else v
    up, low, dig, oth = (char_of(upperChar, "X"), char_of(lowerChar, "x"), char_of(digitChar, "n"),
                         char_of(otherChar, None))

    def fn(s: str) -> str:
        return "".join((up if up is not None else c) if c.isupper() and c.isascii() else
                       (low if low is not None else c) if c.islower() and c.isascii() else
                       (dig if dig is not None else c) if c.isdigit() and c.isascii() else
                       (oth if oth is not None else c) for c in s)
    shown = ", ".join("NULL" if v is None else v for v in (up, low, dig, oth))
    e = col_expr(col)
    return row_func("mask", [e], fn, _S, [_S], sql=f"mask({e.sql()}, {shown})")


def _parse_url(url: str, part: str, key: str | None = None) -> str | None:
    from urllib.parse import urlsplit
    try:
        u = urlsplit(url)
    except ValueError:
        return None
    userinfo = u.netloc.rpartition("@")[0] if "@" in u.netloc else None
    values = {"HOST": u.hostname, "PATH": u.path, "QUERY": u.query or None,
              "REF": u.fragment or None, "PROTOCOL": u.scheme or None,
              "FILE": u.path + ("?" + u.query if u.query else ""),
              "AUTHORITY": u.netloc or None, "USERINFO": userinfo}
    v = values.get(part)
    if key is None or part != "QUERY" or v is None:
        return v
    m = re.search(r"(?:&|^)" + re.escape(key) + r"=([^&]*)", v)
    return m.group(1) if m else None


def parse_url(url: Any, partToExtract: Any, key: Any = None) -> Column:  # noqa: N803
    """A part of a URL: HOST, PATH, QUERY (or one query parameter's value with ``key``), REF,
    PROTOCOL, FILE, AUTHORITY or USERINFO; null when the URL has no such part."""
    args = [col_expr(url), col_expr(partToExtract)] + ([] if key is None else [col_expr(key)])
    return row_func("parse_url", args, _parse_url, _S, [_S, _S, _S])
