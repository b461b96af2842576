"""Java regular expressions (as Spark's RegexTokenizer compiles them) in Python's ``re``.

The two dialects share their common syntax but differ in what some escapes mean: Java's ``\\s``,
``\\d``, ``\\w`` and case-insensitive matching are ASCII-only by default, where Python's are
Unicode; Java has ``\\p{Alpha}``-style POSIX classes and ``\\p{L}``-style Unicode categories,
``\\Q...\\E`` quoting, ``\\h``/``\\v``/``\\R``/``\\e``, ``(?<name>...)`` groups and ``\\z``/``\\Z``
with other meanings, and its ``\\b`` (Java 17, which Spark 4 runs on) sees Unicode letters as
word characters although its ``\\w`` does not.
``compile_java`` rewrites those into Python's spelling and compiles with ``re.ASCII``, so a
pattern written for Spark tokenizes the same text the same way. Splitting follows Java's
``Pattern.split`` (trailing empty strings dropped, no groups in the result).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

from ...sql.errors import IllegalArgumentException

__all__ = ["compile_java", "java_split", "utf16_length"]

# Java's POSIX classes (US-ASCII only unless UNICODE_CHARACTER_CLASS), as class contents
_PUNCT = re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").replace("\\ ", " ")
_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": "\\x00-\\x7f", "Alpha": "a-zA-Z", "Digit": "0-9",
    "Alnum": "a-zA-Z0-9", "Punct": _PUNCT, "Graph": "a-zA-Z0-9" + _PUNCT,
    "Print": "\\x20-\\x7e", "Blank": " \\t", "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F", "Space": " \\t\\n\\x0b\\f\\r",
}
_HSPACE = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_VSPACE = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"  # Java's \v (Python's \v is only \x0b)
# Unicode general categories by their Java names (one or two letters, optionally "Is"/"general
# category=" prefixed), plus the binary properties most used in tokenizing patterns
_ALIASES = {"IsAlphabetic": "L", "Alphabetic": "L", "IsLetter": "L", "IsDigit": "Nd",
            "IsPunctuation": "P", "IsWhite_Space": "Z", "IsLowercase": "Ll", "IsUppercase": "Lu"}


@functools.lru_cache(maxsize=None)
def _category_ranges() -> dict[str, list[tuple[int, int]]]:
    """Code point ranges of each two-letter Unicode general category (one scan, cached)."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    prev, start = None, 0
    for cp in range(sys.maxunicode + 2):
        cat = unicodedata.category(chr(cp)) if cp <= sys.maxunicode else None
        if cat != prev:
            if prev is not None:
                ranges.setdefault(prev, []).append((start, cp - 1))
            prev, start = cat, cp
    return ranges


@functools.lru_cache(maxsize=None)
def _category_class(cat: str) -> str:
    """Class contents (ranges) of every code point whose general category starts with ``cat``."""
    spans = sorted(r for name, rs in _category_ranges().items() if name.startswith(cat)
                   for r in rs)
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in spans)


def _property(name: str, pattern: str) -> str:
    if name.startswith("java"):
        raise IllegalArgumentException(f"RegexTokenizer: pattern {pattern!r} uses \\p{{{name}}}, a "
                                       f"Java method class dfml does not support")
    if name in _POSIX:
        return _POSIX[name]
    name = _ALIASES.get(name, name)
    for prefix in ("Is", "general_category=", "gc="):
        if name.startswith(prefix) and name[len(prefix):] in _CATEGORIES:
            name = name[len(prefix):]
    if name == "Z":  # white space in Unicode's sense: separators plus the ASCII controls
        return _category_class("Z") + "\\t\\n\\x0b\\f\\r\\x1c-\\x1f\\x85"
    if name not in _CATEGORIES:
        raise IllegalArgumentException(f"RegexTokenizer: pattern {pattern!r} uses an unknown or "
                                       f"unsupported character property \\p{{{name}}}")
    return _category_class(name)


_CATEGORIES = {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
               "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
               "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn"}


def _boundary(negated: bool) -> str:
    """Java 17's ``\\b``: a boundary between a letter/digit/underscore (in Unicode's sense, unlike
    Java's ASCII ``\\w``) and anything else; ``\\B`` is its absence. Java counts a non-spacing
    mark as part of the word before it (so ``i`` + combining dot + ``x`` is one word); this
    counts every non-spacing mark as a word character, which differs only for a mark with no
    letter before it."""
    w = f"[{_category_class('L')}{_category_class('Nd')}{_category_class('Mn')}_]"
    if negated:
        return f"(?:(?<={w})(?={w})|(?<!{w})(?!{w}))"
    return f"(?:(?<={w})(?!{w})|(?<!{w})(?={w}))"


def _translate(pattern: str) -> str:
    """Rewrite the Java-only constructs of ``pattern`` into Python ``re`` syntax."""
    out: list[str] = []
    i, n, depth = 0, len(pattern), 0  # depth: inside a character class
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e == "Q":  # \Q...\E: everything between is literal
                end = pattern.find("\\E", i + 2)
                end = n if end < 0 else end
                out.append(re.escape(pattern[i + 2:end]))
                i = end + 2
                continue
            if e in "pP":
                if i + 2 < n and pattern[i + 2] == "{":
                    close = pattern.find("}", i + 3)
                    if close < 0:
                        raise IllegalArgumentException(
                            f"RegexTokenizer: pattern {pattern!r} has an unclosed \\{e}{{")
                    name, nxt = pattern[i + 3:close], close + 1
                else:
                    name, nxt = pattern[i + 2:i + 3], i + 3
                body = _property(name, pattern)
                if e == "P" and depth:
                    raise IllegalArgumentException(
                        f"RegexTokenizer: pattern {pattern!r} negates a property (\\P) inside a "
                        f"character class, which dfml cannot translate; use [^...] instead")
                out.append(body if depth else f"[{'^' if e == 'P' else ''}{body}]")
                i = nxt
                continue
            if e == "h":
                out.append(_HSPACE if depth else f"[{_HSPACE}]")
            elif e == "H" and not depth:
                out.append(f"[^{_HSPACE}]")
            elif e == "v":
                out.append(_VSPACE if depth else f"[{_VSPACE}]")
            elif e == "V" and not depth:
                out.append(f"[^{_VSPACE}]")
            elif e == "R" and not depth:
                out.append(f"(?:\\r\\n|[{_VSPACE}])")
            elif e == "e":
                out.append("\\x1b")
            elif e in "bB" and not depth:
                out.append(_boundary(e == "B"))
            elif e == "z" and not depth:
                out.append("\\Z")
            elif e == "Z" and not depth:
                out.append("(?=\\n?\\Z)")
            elif e == "k" and pattern.startswith("<", i + 2):
                close = pattern.find(">", i + 3)
                out.append(f"(?P={pattern[i + 3:close]})")
                i = close + 1
                continue
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            depth += 1
            out.append(c)
            if pattern.startswith("^", i + 1):  # a leading ] after [ or [^ is literal in both
                out.append("^")
                i += 1
            if pattern.startswith("]", i + 1):
                out.append("\\]")
                i += 1
        elif c == "]" and depth:
            depth -= 1
            out.append(c)
        elif c == "(" and not depth and pattern.startswith("(?<", i) and i + 3 < n \
                and pattern[i + 3] not in "=!":
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def compile_java(pattern: str) -> re.Pattern:
    """``pattern`` (Java syntax) compiled for Python with Java's default matching rules."""
    try:
        return re.compile(_translate(pattern), re.ASCII)
    except re.error as e:
        raise IllegalArgumentException(f"RegexTokenizer: pattern {pattern!r} is not a valid "
                                       f"regular expression: {e}") from None


def java_split(rx: re.Pattern, text: str) -> list[str]:
    """``text`` split around matches of ``rx`` as Java's ``Pattern.split(text)`` does: no
    match gives ``[text]``; an empty match at the start adds no leading empty string; trailing
    empty strings are dropped (so a string of separators only gives ``[]``). Without groups
    Python's ``split`` (C speed) yields the same pieces, less those two adjustments."""
    if rx.groups:
        parts = _split_with_groups(rx, text)
        if parts is None:
            return [text]
    else:
        parts = rx.split(text)
        if len(parts) > 1 and parts[0] == "":
            first = rx.match(text)
            if first is not None and first.end() == 0:  # zero-width at the start: no piece
                parts = parts[1:]
        if len(parts) == 1:
            return parts
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _split_with_groups(rx: re.Pattern, text: str) -> list[str] | None:
    """Pieces between matches (Python's ``split`` would insert the groups too); None when
    nothing matched but a zero-width match at the start."""
    parts: list[str] = []
    start = 0
    for m in rx.finditer(text):
        if m.end() == 0:  # zero-width match at the beginning: no leading empty piece
            continue
        parts.append(text[start:m.start()])
        start = m.end()
    if not parts:
        return None
    parts.append(text[start:])
    return parts


def utf16_length(s: str) -> int:
    """A string's length as Java counts it (UTF-16 code units: a character outside the BMP,
    such as most emoji, counts 2)."""
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)
