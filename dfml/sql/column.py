"""``Column``: the user's handle on an expression node (``dfml.sql.expressions``).

A Column names no frame: operators and methods build expression nodes, which compile against
a frame only when a transformation resolves them (against an empty frame of its input's
schema) and when an action lowers the plan. The functions Column's own methods need are in
``dfml.sql.column_ops``, below this module, so that it imports nothing from
``dfml.sql.functions`` (which builds on it).

The compile-time names other modules use (``Ctx``, ``Typed``, the nodes and type rules) are
importable from here as well as from their own modules.
"""

from __future__ import annotations

from typing import Any, Callable

from . import column_ops as ops
from . import types as T
from .coercion import (as_bool, cast_to, common_type, comparable, fix_dtype, is_numeric,
                       literal_type, wider_numeric)
from .expressions import (AggFunc, Alias, Arithmetic, CaseWhen, Cast, ColumnRef, Comparison,
                          EqNullSafe, Expr, Func, GetField, IsNull, Literal, Logical, Negate, Not,
                          Precompiled, SortOrder, Star, side_name)
from .formatting import format_double
from .multi_alias import MultiAlias
from .typed import Ctx, Typed
from .window_nodes import window_expr

__all__ = ["Column", "to_expr", "Ctx", "Typed", "Expr", "ColumnRef", "Literal", "Alias",
           "Arithmetic", "Comparison", "EqNullSafe", "Logical", "Not", "Negate", "IsNull", "Cast",
           "CaseWhen", "GetField", "Func", "AggFunc", "SortOrder", "Star", "Precompiled", "side_name",
           "literal_type", "is_numeric", "wider_numeric", "common_type", "cast_to", "fix_dtype",
           "comparable", "as_bool", "format_double"]


def _expr(v: Any) -> Expr:
    if isinstance(v, Column):
        return v._expr
    return Literal(v)


def _pow_arg(v: Any) -> Expr:
    """An operand of ``**``: a Column, a column name (as ``F.pow`` reads a str), else a value."""
    return to_expr(v) if isinstance(v, (Column, str)) else Literal(v)


def _bin(op_cls: Any, op: str | None = None, reverse: bool = False) -> Callable:
    def method(self: "Column", other: Any) -> "Column":
        a, b = (_expr(other), self._expr) if reverse else (self._expr, _expr(other))
        return Column(op_cls(op, a, b) if op is not None else op_cls(a, b))
    return method


class Column:
    """An expression over the columns of a DataFrame; built by ``F.col``, operators and functions."""

    def __init__(self, expr: Expr):
        self._expr = expr

    # arithmetic
    __add__ = _bin(Arithmetic, "+")
    __radd__ = _bin(Arithmetic, "+")  # ``1 + c`` is Spark's ``(c + 1)``: the column first
    __sub__ = _bin(Arithmetic, "-")
    __rsub__ = _bin(Arithmetic, "-", True)
    __mul__ = _bin(Arithmetic, "*")
    __rmul__ = _bin(Arithmetic, "*")
    __truediv__ = _bin(Arithmetic, "/")
    __rtruediv__ = _bin(Arithmetic, "/", True)
    __mod__ = _bin(Arithmetic, "%")
    __rmod__ = _bin(Arithmetic, "%", True)
    __div__ = __truediv__

    def __pow__(self, other: Any) -> "Column":
        return Column(ops.power(self._expr, _pow_arg(other)))

    def __rpow__(self, other: Any) -> "Column":
        return Column(ops.power(_pow_arg(other), self._expr))

    def __neg__(self) -> "Column":
        return Column(Negate(self._expr))

    # comparison
    __eq__ = _bin(Comparison, "=")  # type: ignore[assignment]
    __ne__ = _bin(Comparison, "!=")  # type: ignore[assignment]
    __lt__ = _bin(Comparison, "<")
    __le__ = _bin(Comparison, "<=")
    __gt__ = _bin(Comparison, ">")
    __ge__ = _bin(Comparison, ">=")
    eqNullSafe = _bin(EqNullSafe)

    # logic
    __and__ = _bin(Logical, "AND")
    __rand__ = _bin(Logical, "AND")
    __or__ = _bin(Logical, "OR")
    __ror__ = _bin(Logical, "OR")

    def __invert__(self) -> "Column":
        return Column(Not(self._expr))

    def __bool__(self) -> bool:
        raise ValueError("Cannot convert column into bool: please use '&' for 'and', '|' for "
                         "'or', '~' for 'not' when building DataFrame boolean expressions.")

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self):
        raise TypeError("Column is not iterable")

    def __getitem__(self, key: Any) -> "Column":
        if isinstance(key, slice):
            return self.substr(key.start, key.stop)
        return Column(GetField(self._expr, key, bracket=True))

    def __getattr__(self, item: str) -> "Column":
        if item.startswith("_"):
            raise AttributeError(item)
        return Column(GetField(self._expr, item))

    def getItem(self, key: Any) -> "Column":
        return Column(GetField(self._expr, key, bracket=True))

    def getField(self, name: str) -> "Column":
        return Column(GetField(self._expr, name))

    def withField(self, fieldName: str, col: "Column") -> "Column":
        from .struct_ops import with_field
        if not isinstance(fieldName, str) or not isinstance(col, Column):
            raise TypeError("withField(): fieldName must be a str and col a Column")
        return Column(with_field(self._expr, fieldName, col._expr))

    def dropFields(self, *fieldNames: str) -> "Column":
        from .struct_ops import drop_fields
        return Column(drop_fields(self._expr, fieldNames))

    # naming
    def alias(self, *alias: str, **kwargs: Any) -> "Column":
        if not alias:
            raise ValueError("alias() needs at least one name")
        metadata = kwargs.pop("metadata", None)
        if len(alias) > 1:
            if metadata is not None or kwargs:
                raise ValueError("alias(): metadata can only be given with a single name")
            return Column(MultiAlias(self._expr, tuple(alias)))
        if kwargs:
            raise TypeError(f"alias() got unexpected keyword arguments {sorted(kwargs)}")
        if metadata is not None and not isinstance(metadata, dict):
            raise TypeError(f"alias(): metadata must be a dict, got {type(metadata).__name__}")
        return Column(Alias(self._expr, alias[0], metadata))

    name = alias

    def cast(self, dataType: T.DataType | str) -> "Column":
        if isinstance(dataType, str):
            dataType = T.parse_type(dataType)
        if not isinstance(dataType, T.DataType):
            raise TypeError(f"cast() takes a DataType or a type name, got {dataType!r}")
        return Column(Cast(self._expr, dataType))

    astype = cast

    def try_cast(self, dataType: T.DataType | str) -> "Column":
        """``cast`` that gives null where a value does not convert: dfml's casts follow Spark
        with ANSI mode off, which already does."""
        return self.cast(dataType)

    def bitwiseAND(self, other: Any) -> "Column":
        return Column(ops.bitwise("&", self._expr, _expr(other)))

    def bitwiseOR(self, other: Any) -> "Column":
        return Column(ops.bitwise("|", self._expr, _expr(other)))

    def bitwiseXOR(self, other: Any) -> "Column":
        return Column(ops.bitwise("^", self._expr, _expr(other)))

    # predicates
    def isNull(self) -> "Column":
        return Column(IsNull(self._expr))

    def isNotNull(self) -> "Column":
        return Column(IsNull(self._expr, negate=True))

    def isNaN(self) -> "Column":
        return Column(ops.isnan(self._expr))

    def isin(self, *cols: Any) -> "Column":
        if len(cols) == 1 and hasattr(cols[0], "_plan"):  # a DataFrame: IN (subquery)
            from .subquery_nodes import Subquery
            return Column(Subquery("in", cols[0], self._expr))
        if len(cols) == 1 and isinstance(cols[0], (list, set, tuple)):
            cols = tuple(cols[0])
        return Column(ops.isin(self._expr, [_expr(v) for v in cols]))

    def outer(self) -> "Column":
        """This column of the enclosing query's row, inside a subquery (``dfml.sql.subqueries``)."""
        from .subquery_nodes import OuterRef
        return Column(OuterRef(self._expr))

    def between(self, lowerBound: Any, upperBound: Any) -> "Column":
        return Column(ops.between(self._expr, _expr(lowerBound), _expr(upperBound)))

    def like(self, other: str) -> "Column":
        return Column(ops.like(self._expr, other))

    def ilike(self, other: str) -> "Column":
        return Column(ops.like(self._expr, other, case_insensitive=True))

    def rlike(self, other: str) -> "Column":
        return Column(ops.rlike(self._expr, other))

    def startswith(self, other: Any) -> "Column":
        return Column(ops.string_test("startswith", self._expr, _expr(other)))

    def endswith(self, other: Any) -> "Column":
        return Column(ops.string_test("endswith", self._expr, _expr(other)))

    def contains(self, other: Any) -> "Column":
        return Column(ops.string_test("contains", self._expr, _expr(other)))

    def substr(self, startPos: Any, length: Any) -> "Column":
        if isinstance(startPos, int) and isinstance(length, int):
            return Column(ops.substring(self._expr, startPos, length, sql_name="substr"))
        if isinstance(startPos, int) != isinstance(length, int):
            raise TypeError("substr(): startPos and length must be both ints or both Columns, got "
                            f"{type(startPos).__name__} and {type(length).__name__}")
        return Column(ops.substring_of(self._expr, _expr(startPos), _expr(length), sql_name="substr"))

    def when(self, condition: "Column", value: Any) -> "Column":
        if not isinstance(self._expr, CaseWhen) or self._expr.otherwise is not None:
            raise TypeError("when() can only be applied on a Column built by functions.when()")
        return Column(CaseWhen(self._expr.branches + [(condition._expr, _expr(value))]))

    def otherwise(self, value: Any) -> "Column":
        if not isinstance(self._expr, CaseWhen) or self._expr.otherwise is not None:
            raise TypeError("otherwise() can only be applied once on a Column built by functions.when()")
        return Column(CaseWhen(self._expr.branches, _expr(value)))

    # ordering
    def asc(self) -> "Column":
        return Column(SortOrder(self._expr, True))

    def asc_nulls_first(self) -> "Column":
        return Column(SortOrder(self._expr, True, True))

    def asc_nulls_last(self) -> "Column":
        return Column(SortOrder(self._expr, True, False))

    def desc(self) -> "Column":
        return Column(SortOrder(self._expr, False))

    def desc_nulls_first(self) -> "Column":
        return Column(SortOrder(self._expr, False, True))

    def desc_nulls_last(self) -> "Column":
        return Column(SortOrder(self._expr, False, False))

    def transform(self, f: Any) -> "Column":
        """``f(self)``: lets a chain of column functions read left to right, as Spark 4's."""
        out = f(self)
        if not isinstance(out, Column):
            raise TypeError(f"transform(): the function must return a Column, got "
                            f"{type(out).__name__}")
        return out

    # windows
    def over(self, window: Any) -> "Column":
        return Column(window_expr(self._expr, window))

    def __repr__(self) -> str:
        return f"Column<'{self._expr.sql()}'>"


def to_expr(c: "Column | str") -> Expr:
    """A Column, or a column name, as an expression node."""
    if isinstance(c, Column):
        return c._expr
    if isinstance(c, str):
        if c == "*":
            return Star()
        if c.endswith(".*"):
            return Star(c[:-2])
        return ColumnRef(c)
    raise TypeError(f"expected a Column or a column name, got {type(c).__name__}: {c!r}")
