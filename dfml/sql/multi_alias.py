"""``alias("a", "b")``: names for each output column of a generator (``posexplode``,
``explode`` of a map, ``inline``). Spark accepts several names only there; anywhere else the
select fails with its MULTI_ALIAS_WITHOUT_GENERATOR error."""

from __future__ import annotations

from .errors import AnalysisException
from .expressions import Alias, Expr
from .typed import Ctx, Typed


class MultiAlias(Alias):
    """An ``Alias`` whose ``name`` is the first of ``names`` (for code that names select items
    generically); the generator's select reads ``names``."""

    def __init__(self, child: Expr, names: tuple[str, ...]):
        super().__init__(child, names[0])
        self.names = tuple(names)

    def sql(self) -> str:
        return "(" + ", ".join(self.names) + ")"

    def compile(self, ctx: Ctx) -> Typed:
        child = self.children[0]
        raise AnalysisException(
            f"[MULTI_ALIAS_WITHOUT_GENERATOR] Multi part aliasing ({', '.join(self.names)}) is not "
            f'supported with "{child.sql()}" as it is not a generator function.',
            "MULTI_ALIAS_WITHOUT_GENERATOR")

    def check_count(self, produced: list[str]) -> list[str]:
        """The names, once their count matches the generator's ``produced`` columns."""
        return check_alias_count(self.names, produced)


def check_alias_count(names: tuple[str, ...], produced: list[str]) -> list[str]:
    """``names`` for a generator's ``produced`` columns; Spark's error when the counts differ."""
    if len(names) != len(produced):
        raise AnalysisException(
            "[UDTF_ALIAS_NUMBER_MISMATCH] The number of aliases supplied in the AS clause does "
            "not match the number of columns output by the UDTF.\n"
            f"Expected {len(produced)} aliases, but got {', '.join(names)}.",
            "UDTF_ALIAS_NUMBER_MISMATCH")
    return list(names)
