"""String and byte functions added for breadth: ``chr``, ``position``, ``substr``, ``quote``,
``encode``/``decode``, ``hmac``, ``jaro_winkler_similarity``, the UTF-8 validity family,
``version``, and the deprecated camel-case aliases PySpark still exports (``shiftLeft``,
``bitwiseNOT``, ``toDegrees``...).

Each is a per-row function over each partition's values (nothing here has a vectorized dask
or Arrow counterpart with Java's exact rules); a null argument gives null unless the function
says otherwise. Character sets are Java's names mapped to Python codecs, and coding errors are
raised as Spark raises them (``MALFORMED_CHARACTER_CODING``) rather than replaced.
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
from typing import Any, Callable

from .. import types as T
from ..column import Column, Expr, Typed
from ..errors import AnalysisException, SparkException
from ._bits import bitwise_not, shiftleft, shiftright, shiftrightunsigned
from ._common import col_expr, func, lit_expr, renamed
from ._math import degrees, radians
from ._strings import substring
from ._text import char, row_func

__all__ = ["chr", "position", "substr", "quote", "encode", "decode", "hmac",
           "jaro_winkler_similarity", "is_valid_utf8", "make_valid_utf8", "validate_utf8",
           "try_validate_utf8", "version", "shiftLeft", "shiftRight", "shiftRightUnsigned",
           "bitwiseNOT", "toDegrees", "toRadians"]

_S, _I, _B = T.StringType(), T.IntegerType(), T.BinaryType()


_rows = row_func  # the row-by-row helper of _text, with its type check


def _arg(v: Any) -> Expr:
    """A ``ColumnOrName | value`` argument: a str names a column."""
    return col_expr(v) if isinstance(v, (str, Column)) else lit_expr(v)


# ---------------------------------------------------------------------------- plain strings
def chr(col: Any) -> Column:  # noqa: A001 - Spark's name
    """Spark's ``chr``: ``char`` under its other name (the code modulo 256; "" below 0)."""
    e = col_expr(col)
    return renamed(char(Column(e)), f"chr({e.sql()})")


def _position(sub: str, s: str, start: Any) -> int:
    if start is None or start < 1:
        return 0
    if not sub:  # Spark finds the empty string at the very start, whatever ``start`` says
        return 1
    return s.find(sub, start - 1) + 1


def position(substr: Any, str: Any, start: Any = None) -> Column:  # noqa: A002 - Spark's names
    """The 1-based position of ``substr`` in ``str`` from ``start`` (0 when absent, when
    ``start`` < 1 and when ``start`` is null; null when either string is null)."""
    args = [col_expr(substr), col_expr(str), lit_expr(1) if start is None else col_expr(start)]

    def fn(sub: Any, s: Any, st: Any) -> Any:
        if st is None:
            return 0
        if sub is None or s is None:
            return None
        return _position(sub, s, st)
    return _rows("position", args, fn, _I, [_S, _S, _I], nulls=False)


def substr(str: Any, pos: Any, len: Any = None) -> Column:  # noqa: A002 - Spark's names
    """Spark's ``substr``: ``substring`` under its SQL name (to the end without ``len``)."""
    n = 2147483647 if len is None else len
    inner = substring(str, pos, n)
    args = [col_expr(str), _arg(pos), _arg(n)]
    return renamed(inner, f"substr({', '.join(a.sql() for a in args)})")


def _quote(s: str) -> str:
    return "'" + s.replace("'", "\\'") + "'"


def quote(col: Any) -> Column:
    """The string in single quotes, each single quote inside escaped by a backslash (other
    backslashes are left as they are, as Spark leaves them)."""
    return _rows("quote", [col_expr(col)], _quote, _S, [_S])


# ---------------------------------------------------------------------------- bytes
# Java's charset names (Spark accepts these, case-insensitively) and Python's codecs for them.
# Java's UTF-16 writes a big-endian byte-order mark and reads big-endian unless a mark says
# otherwise; Python's utf-16 writes the machine's order, so the encoder is spelled out.
_CHARSETS = {"us-ascii": "ascii", "iso-8859-1": "latin-1", "utf-8": "utf-8",
             "utf-16be": "utf-16-be", "utf-16le": "utf-16-le", "utf-16": "utf-16",
             "utf-32": "utf-32-be"}


def _codec(charset: Any, fname: str) -> str:
    if not isinstance(charset, str) or charset.lower() not in _CHARSETS:
        raise AnalysisException(
            f"[INVALID_PARAMETER_VALUE.CHARSET] The value of parameter(s) `charset` in "
            f"`{fname}` is invalid: expects one of the {', '.join(sorted(_CHARSETS))}, but got "
            f"{charset}. SQLSTATE: 22023", "INVALID_PARAMETER_VALUE.CHARSET")
    return _CHARSETS[charset.lower()]


def _coding_error(fname: str, charset: str) -> SparkException:
    return SparkException(f"[MALFORMED_CHARACTER_CODING] Invalid value found when performing "
                          f"`{fname}` with {charset} SQLSTATE: 22000")


def _encoder(charset: str) -> Callable[[str], bytes]:
    codec = _codec(charset, "encode")

    def enc(s: str) -> bytes:
        try:
            if codec == "utf-16":
                return b"\xfe\xff" + s.encode("utf-16-be") if s else b""
            return s.encode(codec)
        except UnicodeEncodeError:
            raise _coding_error("encode", charset) from None
    return enc


def _decoder(charset: str) -> Callable[[bytes], str]:
    codec = _codec(charset, "decode")

    def dec(b: bytes) -> str:
        try:
            if codec == "utf-16":  # a byte-order mark decides; big-endian without one (Java)
                if b[:2] in (b"\xfe\xff", b"\xff\xfe"):
                    return b.decode("utf-16")
                return b.decode("utf-16-be")
            return b.decode(codec)
        except UnicodeDecodeError:
            raise _coding_error("decode", charset) from None
    return dec


def _charset_of(charset: Any, fname: str) -> str:
    value = charset._expr.value if isinstance(charset, Column) and hasattr(charset._expr, "value") \
        else charset
    _codec(value, fname)
    return value


def encode(col: Any, charset: Any) -> Column:
    """The string's bytes in ``charset`` (US-ASCII, ISO-8859-1, UTF-8, UTF-16BE/LE, UTF-16,
    UTF-32); a character the charset cannot hold is an error, as in Spark."""
    cs = _charset_of(charset, "encode")
    e = col_expr(col)
    return _rows("encode", [e], _encoder(cs), _B, [_S], sql=f"encode({e.sql()}, {cs})")


def decode(col: Any, charset: Any) -> Column:
    """The bytes read as text in ``charset``; bytes that are not valid there are an error."""
    cs = _charset_of(charset, "decode")
    e = col_expr(col)
    return _rows("decode", [e], _decoder(cs), _S, [_B], sql=f"decode({e.sql()}, {cs})")


_HMAC = {"SHA-224": "sha224", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512",
         "MD5": "md5", "SHA-1": "sha1", "SHA1": "sha1"}


def _bytes_of(v: Any) -> bytes:
    return v.encode("utf-8") if isinstance(v, str) else bytes(v)


def hmac(key: Any, msg: Any, alg: Any = None) -> Column:
    """The HMAC of ``msg`` under ``key`` (strings are their UTF-8 bytes) with the hash ``alg``
    (SHA-256 by default; SHA-224/384/512, SHA-1 and MD5 too), as binary."""
    args = [col_expr(key), col_expr(msg), lit_expr("SHA-256") if alg is None else col_expr(alg)]

    def fn(k: Any, m: Any, name: str) -> bytes:
        digest = _HMAC.get(name.upper())
        if digest is None:
            raise SparkException(f"[INVALID_PARAMETER_VALUE.ALGORITHM] The value of parameter(s) "
                                 f"`alg` in `hmac` is invalid: {name}. SQLSTATE: 22023")
        if not k:
            raise SparkException("[INVALID_PARAMETER_VALUE.HMAC_CRYPTO_ERROR] The value of "
                                 "parameter(s) `key` in `hmac` is invalid: detail message: Empty "
                                 "key SQLSTATE: 22023")
        return _hmac.new(_bytes_of(k), _bytes_of(m), getattr(hashlib, digest)).digest()

    def check(ts: list[Typed]) -> None:
        for t, what in zip(ts, ("key", "msg", "alg")):
            if not isinstance(t.dtype, (T.StringType, T.BinaryType, T.NullType)):
                raise AnalysisException(
                    f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "hmac" due to '
                    f'data type mismatch: the parameter `{what}` requires ("BINARY" or '
                    f'"STRING") type, however the input has type '
                    f'"{t.dtype.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
    return _rows("hmac", args, fn, _B, [None, None, _S], check=check)


# ---------------------------------------------------------------------------- similarity
def _jaro_winkler(a: str, b: str) -> float:
    """Jaro similarity with Winkler's bonus (prefix up to 4 characters, scale 0.1): characters
    match within half the longer length minus one, transpositions count half."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used = [False] * len(b)
    matched_a = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == ch:
                used[j] = True
                matched_a.append(ch)
                break
    m = len(matched_a)
    if m == 0:
        return 0.0
    matched_b = [b[j] for j in range(len(b)) if used[j]]
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b)) / 2
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def jaro_winkler_similarity(str1: Any, str2: Any) -> Column:
    """The Jaro-Winkler similarity of two strings, from 0.0 (nothing alike) to 1.0 (equal)."""
    return _rows("jaro_winkler_similarity", [col_expr(str1), col_expr(str2)], _jaro_winkler,
                 T.DoubleType(), [_S, _S])


# ---------------------------------------------------------------------------- UTF-8 validity
# A dfml string column is Arrow UTF-8, valid by construction; bytes (a binary argument, as
# Spark's implicit binary -> string cast keeps them) are where invalid sequences can occur.
def _utf8(name: str, fn: Callable[[bytes], Any], out: T.DataType) -> Any:
    def f(str: Any) -> Column:  # noqa: A002 - Spark's name
        def check(ts: list[Typed]) -> None:
            if not isinstance(ts[0].dtype, (T.StringType, T.BinaryType, T.NullType)):
                raise AnalysisException(
                    f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{name}" due to '
                    f'data type mismatch: the parameter requires "STRING" type, however the '
                    f'input has type "{ts[0].dtype.simpleString().upper()}".',
                    "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        return _rows(name, [col_expr(str)], lambda v: fn(_bytes_of(v)), out, check=check)
    f.__name__ = name
    f.__doc__ = f"Spark's ``{name}`` (strings are valid UTF-8; binary input is checked)."
    return f


def _valid(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _validated(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise SparkException(f"[INVALID_UTF8_STRING] Invalid UTF8 byte sequence found in string: "
                             f"{b.hex().upper()}. SQLSTATE: 22029") from None


is_valid_utf8 = _utf8("is_valid_utf8", _valid, T.BooleanType())
make_valid_utf8 = _utf8("make_valid_utf8", lambda b: b.decode("utf-8", errors="replace"), _S)
validate_utf8 = _utf8("validate_utf8", _validated, _S)
try_validate_utf8 = _utf8("try_validate_utf8", lambda b: b.decode("utf-8") if _valid(b) else None, _S)


def version() -> Column:
    """The Spark version dfml follows, then a build id (Spark prints its release and git hash)."""
    import sys

    from ... import __version__
    # looked up, not imported: the session module sits above the functions (as current_timezone)
    session_module = sys.modules.get("dfml.sql.session")
    release = getattr(session_module, "SPARK_VERSION", "4.3.0")
    text = f"{release} dfml-{__version__}"
    return func("version", [], lambda ctx: Typed(text, _S, False), sql="version()")


# ---------------------------------------------------------------------------- deprecated aliases
def _deprecated(since: str, use: str) -> None:
    """PySpark warns on its deprecated names; scripts that filter those warnings see ours too."""
    import warnings
    warnings.warn(f"Deprecated in {since}, use {use} instead.", FutureWarning, stacklevel=3)


def shiftLeft(col: Any, numBits: int) -> Column:  # noqa: N802,N803 - PySpark's deprecated name
    """Deprecated in PySpark: ``shiftleft``."""
    _deprecated("3.2", "shiftleft")
    return shiftleft(col, numBits)


def shiftRight(col: Any, numBits: int) -> Column:  # noqa: N802,N803
    """Deprecated in PySpark: ``shiftright``."""
    _deprecated("3.2", "shiftright")
    return shiftright(col, numBits)


def shiftRightUnsigned(col: Any, numBits: int) -> Column:  # noqa: N802,N803
    """Deprecated in PySpark: ``shiftrightunsigned``."""
    _deprecated("3.2", "shiftrightunsigned")
    return shiftrightunsigned(col, numBits)


def bitwiseNOT(col: Any) -> Column:  # noqa: N802
    """Deprecated in PySpark: ``bitwise_not``."""
    _deprecated("3.2", "bitwise_not")
    return bitwise_not(col)


def toDegrees(col: Any) -> Column:  # noqa: N802
    """Deprecated in PySpark: ``degrees``."""
    _deprecated("2.1", "degrees")
    return degrees(col)


def toRadians(col: Any) -> Column:  # noqa: N802
    """Deprecated in PySpark: ``radians``."""
    _deprecated("2.1", "radians")
    return radians(col)
