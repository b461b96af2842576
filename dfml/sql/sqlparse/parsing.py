"""Parsing SQL text with sqlglot's Spark dialect, and its syntax errors as Spark reports them.

The dialect here is Spark's with one change: function calls stay calls by the name the user
wrote (sqlglot would otherwise turn ``ifnull`` into ``COALESCE``, ``substr`` into
``SUBSTRING``...), so a call resolves to the ``dfml.sql.functions`` entry of that name and the
generated column name is the one Spark prints. Only syntax that is not a plain call (``CAST``,
``EXTRACT``) keeps its own parser.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark
from sqlglot.errors import ParseError, TokenError

from ..errors import ParseException

_KEEP_PARSERS = {"CAST", "TRY_CAST", "EXTRACT"}


class _Parser(Spark.Parser):
    FUNCTIONS: dict = {}
    FUNCTION_PARSERS = {k: v for k, v in Spark.Parser.FUNCTION_PARSERS.items() if k in _KEEP_PARSERS}


class DfmlSpark(Spark):
    """Spark's dialect, with calls kept by name (see the module docstring)."""

    Parser = _Parser


def _syntax_error(text: str, err: Exception, shift: int = 0) -> ParseException:
    """Spark's PARSE_SYNTAX_ERROR: the token where parsing failed, with its line and column."""
    token, line, col = "end of input", 1, 0
    details = getattr(err, "errors", None) or []
    if details:
        d = details[0]
        line = d.get("line") or 1
        col = max((d.get("col") or 1) - len(d.get("highlight") or "") - (shift if line == 1 else 0), 0)
        if d.get("highlight"):
            token = f"'{d['highlight']}'"
    return ParseException(
        f"[PARSE_SYNTAX_ERROR] Syntax error at or near {token}. SQLSTATE: 42601 "
        f"(line {line}, pos {col})\n\n== SQL ==\n{_pointed(text, line, col)}", "PARSE_SYNTAX_ERROR")


def _pointed(text: str, line: int, col: int) -> str:
    """The SQL text with Spark's ``----^^^`` marker under the failing position."""
    lines = text.split("\n")
    marker = "-" * col + "^^^"
    return "\n".join(lines[:line] + [marker] + lines[line:])


class _quiet_fallback:
    """sqlglot logs a warning when it keeps a statement it does not model (``SHOW TABLES``) as
    a generic command; dfml handles those itself, so the warning would only be noise."""

    def __enter__(self) -> None:
        import logging
        self.logger = logging.getLogger("sqlglot")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)


def parse(text: str, what: str = "query") -> exp.Expression:
    """One statement (``what="query"``) or one expression, as a sqlglot tree."""
    if not isinstance(text, str):
        raise TypeError(f"expected SQL text (str), got {type(text).__name__}: {text!r}")
    if not text.strip():
        raise ParseException("[PARSE_EMPTY_STATEMENT] Syntax error, unexpected empty statement. "
                             "SQLSTATE: 42617", "PARSE_EMPTY_STATEMENT")
    try:
        if what == "query":
            with _quiet_fallback():
                trees = sqlglot.parse(text, read=DfmlSpark)
            trees = [t for t in trees if t is not None]
            if len(trees) != 1:
                raise ParseException(f"[PARSE_SYNTAX_ERROR] Syntax error at or near ';': one "
                                     f"statement expected, got {len(trees)}. SQLSTATE: 42601"
                                     f"\n\n== SQL ==\n{text}", "PARSE_SYNTAX_ERROR")
            return trees[0]
        return _parse_expression(text)
    except (ParseError, TokenError) as e:
        raise _syntax_error(text, e, 0 if what == "query" else len("SELECT ")) from None


def _parse_expression(text: str) -> exp.Expression:
    """An expression (with an optional ``AS`` alias), parsed as the one item of a SELECT list."""
    tree = sqlglot.parse_one(f"SELECT {text}", read=DfmlSpark)
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1 or \
            any(tree.args.get(k) for k in ("from_", "from", "where", "group", "order", "limit")):
        raise ParseError(f"not one expression: {text!r}")
    return tree.expressions[0]
