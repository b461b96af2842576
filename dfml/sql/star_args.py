"""``*`` among a function's arguments (``struct("*")``, ``hash("*")``, ``concat_ws("-", df["*"])``).

Spark expands the star into the columns of the DataFrame the call is selected from. A function
builds its expression (names, types) from its arguments when it is called, before any DataFrame
is known, so such a call is kept as a ``StarCall``: the function and its raw arguments. The
DataFrame's ``select``/``withColumn`` rebuilds it with the star replaced by its columns."""

from __future__ import annotations

import functools
from typing import Any, Callable

from . import types as T
from .errors import AnalysisException
from .expressions import ColumnRef, Expr, Star
from .typed import Ctx, Typed


def _is_star(arg: Any) -> bool:
    if isinstance(arg, str):
        return arg == "*" or arg.endswith(".*")
    return isinstance(getattr(arg, "_expr", None), Star)


class StarCall(Expr):
    """``builder(*args)`` where some of ``args`` stand for ``*``; see the module docstring."""

    def __init__(self, builder: Callable[..., Any], args: tuple[Any, ...]):
        self.builder = builder
        self.args = args

    def _key(self) -> tuple:
        return (type(self), self.builder, tuple(map(repr, self.args)))

    def sql(self) -> str:
        return f"{self.builder.__name__}(*)"

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(
            f"[INVALID_USAGE_OF_STAR_OR_REGEX] Invalid usage of '*' in {self.builder.__name__}(): "
            "use the call in select() or withColumn() of the DataFrame whose columns it stands for.",
            "INVALID_USAGE_OF_STAR_OR_REGEX")

    def expand(self, star_names: Callable[[Star], list[str]]) -> Expr:
        from .column import Column, to_expr
        skip = getattr(self.builder, "_star_skip", 0)
        args: list[Any] = list(self.args[:skip])
        for a in self.args[skip:]:
            if _is_star(a):
                star = to_expr(a) if not isinstance(a, Column) else a._expr
                args.extend(Column(ColumnRef.of(n)) for n in star_names(star))
            else:
                args.append(a)
        return self.builder(*args)._expr


def expands_star(fn: Callable[..., Any] | None = None, *, skip: int = 0) -> Any:
    """Let ``fn``'s positional arguments after the first ``skip`` include ``*`` (a single list
    argument counts as its items). Used as ``@expands_star`` or ``@expands_star(skip=1)``."""
    if fn is None:
        return lambda f: expands_star(f, skip=skip)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        head, rest = args[:skip], args[skip:]
        flat = tuple(rest[0]) if len(rest) == 1 and isinstance(rest[0], (list, tuple)) else rest
        if kwargs or not any(_is_star(a) for a in flat):
            return fn(*args, **kwargs)
        from .column import Column
        return Column(StarCall(call, head + flat))
    call._star_skip = skip  # type: ignore[attr-defined]
    return call


def expand_star_calls(e: Expr, star_names: Callable[[Star], list[str]]) -> Expr:
    """``e`` with each ``StarCall`` in it rebuilt over the columns its stars stand for."""
    if not any(isinstance(x, StarCall) for x in e.walk()):
        return e
    return e.replace(lambda x: x.expand(star_names) if isinstance(x, StarCall) else None)


def struct_star_fields(e: Star, schema: Any, alias: str | None,
                       input_columns: Callable[[str], Any]) -> list[Expr] | None:
    """``s.*`` over a struct column ``s`` when no input is called ``s`` (``input_columns(s)``
    is None): one reference per field, each shown under the field's name, as Spark expands it.
    None when ``e`` is an input's star instead."""
    name = e.qualifier
    if e.plan_id is not None or not name or name == alias:
        return None
    field = next((f for f in schema.fields if f.name.lower() == name.lower()), None)
    if field is None or not isinstance(field.dataType, T.StructType):
        return None
    if input_columns(name) is not None:
        return None

    def quote(n: str) -> str:
        return "`" + n.replace("`", "``") + "`"
    return [ColumnRef(f"{quote(field.name)}.{quote(f.name)}", None) for f in field.dataType.fields]
