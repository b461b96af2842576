"""R model formulas as Spark's RFormula reads them: parsing and resolution against a schema.

Supported: ``label ~ terms`` (the label may be left out: ``~ a + b``); ``+`` adds a term, ``-``
removes one (terms are applied left to right, so ``a - a + a`` keeps ``a``); ``a:b`` is the
interaction of a and b; ``a * b`` is ``a + b + a:b``; ``(a + b)^2`` is ``a + b + a:b``; ``.`` is
every column but the label; ``- 1`` or ``+ 0`` drops the intercept and ``+ 1`` or ``- 0`` keeps
it. Column names follow Spark's pattern (a letter, or a dot and a letter or underscore, then
letters, digits, dots and underscores); anything else is an error that names the token.

Operator precedence is R's: ``^`` binds tightest, then ``:``, then ``*``, then ``+``/``-``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...sql.errors import IllegalArgumentException

__all__ = ["ParsedFormula", "ResolvedFormula", "parse_formula"]

DOT = "."

_TOKEN = re.compile(r"\s*(?:(?P<name>(?:[A-Za-z]|\.[A-Za-z_])[A-Za-z0-9._]*)|(?P<num>\d+)"
                    r"|(?P<op>[~+\-:*^().]))")


@dataclass(frozen=True)
class ResolvedFormula:
    """The label, the terms (each a tuple of column names; more than one is an interaction)
    and whether the model has an intercept."""

    label: str
    terms: tuple[tuple[str, ...], ...]
    has_intercept: bool

    def __str__(self) -> str:
        shown = ",".join(t[0] if len(t) == 1 else "{" + ",".join(t) + "}" for t in self.terms)
        return (f"ResolvedRFormula(label={self.label}, terms=[{shown}], "
                f"hasIntercept={'true' if self.has_intercept else 'false'})")


@dataclass(frozen=True)
class ParsedFormula:
    """A parsed formula before the schema is known: the label and an ordered list of steps,
    each ``("add" | "remove", interaction)``; an interaction is a tuple of names or ``.``."""

    formula: str
    label: str
    steps: tuple[tuple[str, tuple[str, ...]], ...]
    has_intercept: bool

    def columns(self, names: list[str]) -> list[str]:
        """Every column the formula reads from a frame with ``names`` (``.`` expanded)."""
        out = [self.label] if self.label else []
        for _, inter in self.steps:
            for c in inter:
                out += self._dot(names) if c == DOT else [c]
        return list(dict.fromkeys(out))

    def _dot(self, names: list[str]) -> list[str]:
        return [n for n in names if n != self.label]

    def resolve(self, names: list[str]) -> ResolvedFormula:
        """The terms, ``.`` expanded to the frame's columns, removals applied in order, each
        interaction kept once (``a:b`` and ``b:a`` are the same term)."""
        terms: list[tuple[str, ...]] = []
        for op, inter in self.steps:
            if DOT in inter and len(inter) > 1:
                raise IllegalArgumentException(
                    f"RFormula: '.' cannot take part in an interaction in formula "
                    f"{self.formula!r}")
            expanded = [(c,) for c in self._dot(names)] if inter == (DOT,) else [inter]
            if op == "add":
                for t in expanded:
                    if not any(set(t) == set(u) for u in terms):
                        terms.append(t)
            else:
                drop = [set(t) for t in expanded]
                terms = [t for t in terms if set(t) not in drop]
        return ResolvedFormula(self.label, tuple(terms), self.has_intercept)


class _Parser:
    """Recursive descent over the tokens; each rule returns a list of interactions plus the
    intercept changes it saw (only the top level may change the intercept)."""

    def __init__(self, formula: str):
        self.formula = formula
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        text = formula.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                bad = text[pos:].lstrip()
                self.fail(f"unexpected {bad[:1]!r}", len(text) - len(bad))
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0

    def fail(self, why: str, at: int | None = None) -> None:
        if at is None:
            at = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.formula)
        raise IllegalArgumentException(
            f"Could not parse formula: {self.formula} ({why} at position {at})")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            self.fail("unexpected end of formula")
        if value is not None and tok[1] != value:
            self.fail(f"expected {value!r} but found {tok[1]!r}")
        self.i += 1
        return tok

    def formula_(self) -> ParsedFormula:
        label = ""
        tok = self.peek()
        if tok is not None and tok[0] == "name":
            label = self.take()[1]
        if self.peek() is None or self.peek()[1] != "~":
            self.fail("expected '~' after the label" if label else "expected a label or '~'")
        self.take("~")
        steps, intercept = self.sum_(top=True)
        if self.peek() is not None:
            tok = self.peek()
            self.fail(f"unexpected {tok[1]!r}")
        return ParsedFormula(self.formula, label, tuple(steps), intercept)

    def sum_(self, top: bool) -> tuple[list[tuple[str, tuple[str, ...]]], bool]:
        steps: list[tuple[str, tuple[str, ...]]] = []
        intercept = True
        sign = "add"  # Spark accepts no sign before the first term ("y ~ -1 + a" fails)
        while True:
            tok = self.peek()
            if tok is not None and tok[0] == "num":
                if tok[1] not in ("0", "1"):
                    self.fail(f"unexpected number {tok[1]!r}")
                if not top:
                    self.fail("the intercept can only be set outside parentheses")
                self.take()
                # "+ 1" / "- 0" keep the intercept, "+ 0" / "- 1" drop it
                intercept = (tok[1] == "1") == (sign == "add")
            else:
                for inter in self.product():
                    steps.append((sign, inter))
            tok = self.peek()
            if tok is None or tok[1] not in "+-" or tok[0] != "op":
                return steps, intercept
            sign = "add" if self.take()[1] == "+" else "remove"

    def product(self) -> list[tuple[str, ...]]:
        """``x * y`` = x + y + x:y (``*`` is below ``:`` in precedence)."""
        terms = self.interaction()
        while self.peek() is not None and self.peek()[1] == "*":
            self.take()
            right = self.interaction()
            terms = _unique(terms + right + _cross(terms, right))
        return terms

    def interaction(self) -> list[tuple[str, ...]]:
        terms = self.power()
        while self.peek() is not None and self.peek()[1] == ":":
            self.take()
            terms = _cross(terms, self.power())
        return terms

    def power(self) -> list[tuple[str, ...]]:
        """``x ^ n``: every interaction of up to n of x's terms."""
        base = self.atom()
        if self.peek() is not None and self.peek()[1] == "^":
            self.take()
            tok = self.take()
            if tok[0] != "num" or int(tok[1]) < 1:
                self.i -= 1
                self.fail(f"expected a positive integer power but found {tok[1]!r}")
            out = base
            for _ in range(int(tok[1]) - 1):
                out = _unique(out + _cross(out, base))
            return out
        return base

    def atom(self) -> list[tuple[str, ...]]:
        tok = self.take()
        if tok[0] == "name":
            return [(tok[1],)]
        if tok[1] == ".":
            return [(DOT,)]
        if tok[1] == "(":
            steps, _ = self.sum_(top=False)
            self.take(")")
            kept: list[tuple[str, ...]] = []
            for op, inter in steps:
                if op == "add":
                    kept = _unique(kept + [inter])
                else:
                    kept = [t for t in kept if set(t) != set(inter)]
            return kept
        self.i -= 1
        self.fail(f"unexpected {tok[1]!r}")
        raise AssertionError  # fail raised


def _cross(left: list[tuple[str, ...]], right: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Every interaction of a left term with a right term (a column met twice counts once)."""
    return _unique([tuple(dict.fromkeys(a + b)) for a in left for b in right])


def _unique(terms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for t in terms:
        if not any(set(t) == set(u) for u in out):
            out.append(t)
    return out


def parse_formula(formula: str | None) -> ParsedFormula:
    """Parse ``formula``; an ``IllegalArgumentException`` naming the offending token if it is
    not a formula Spark accepts."""
    if formula is None or not str(formula).strip():
        raise IllegalArgumentException("RFormula: param formula is not set (for example "
                                       "'y ~ a + b')")
    return _Parser(str(formula)).formula_()
