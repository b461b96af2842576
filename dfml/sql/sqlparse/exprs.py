"""SQL expressions (sqlglot's Spark-dialect tree) as the Column expressions the Python API builds.

Every node becomes the Column a PySpark user would have written (``a + 1`` is
``col("a") + 1``, ``upper(s)`` is ``functions.upper(col("s"))``), so type rules, errors and
execution are the Python API's own. Where Spark names a SQL form differently from its Python
twin (``a BETWEEN 1 AND 2`` is ``between(a, 1, 2)``, ``-a`` is ``(- a)``) the Column is wrapped
in a ``SqlNamed`` node that only changes the printed name.
"""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
from typing import Any, Callable

from sqlglot import exp

from .. import types as T
from .. import udf_registry
from ..column import Column, ColumnRef, Expr, Literal, Star
from ..errors import AnalysisException
from ..subquery_nodes import SqlNamed
from .parsing import parse


def _named(c: Column, text: str) -> Column:
    return Column(SqlNamed(c._expr, text))


def unsupported(what: str) -> AnalysisException:
    return AnalysisException(f"[UNSUPPORTED_FEATURE] dfml does not support {what} in SQL text yet.",
                             "UNSUPPORTED_FEATURE")


# parameters of dfml.sql.functions that take a Python value rather than a column (Spark's
# Python API takes these as plain values; in SQL they are literals)
_VALUE_PARAMS = {"pattern", "replacement", "idx", "format", "sep", "matching", "replace",
                 "scale", "limit", "fmt", "roundOff", "numBits", "ignorenulls", "accuracy",
                 "percentage", "delimiter", "d", "len", "pos", "substr", "padding", "count",
                 "relativeSD", "ddof", "seed", "ascending", "asc", "months", "days", "n",
                 "offset", "default", "ignoreNulls"}

_BINARY: dict[type, Callable[[Column, Column], Column]] = {
    exp.Add: lambda a, b: a + b, exp.Sub: lambda a, b: a - b, exp.Mul: lambda a, b: a * b,
    exp.Div: lambda a, b: a / b, exp.Mod: lambda a, b: a % b,
    exp.EQ: lambda a, b: a == b, exp.NEQ: lambda a, b: a != b, exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b, exp.LT: lambda a, b: a < b, exp.LTE: lambda a, b: a <= b,
    exp.NullSafeEQ: lambda a, b: a.eqNullSafe(b), exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
}


class ExprTranslator:
    """One translation. ``functions`` is the ``dfml.sql.functions`` module, passed in by the
    caller (it defines ``expr`` itself, so importing it here would make an import cycle);
    ``params`` are the values of ``:name`` markers; ``resolver`` (from the query translator)
    maps a column name's parts to the Column of the query's scope, or None to leave it to the
    DataFrame's own resolution."""

    def __init__(self, functions: Any, params: dict[str, Any] | None = None,
                 resolver: Callable[[list[str]], Column | None] | None = None):
        self.F = functions
        self.params = params or {}
        self.resolver = resolver
        self.windows: dict[str, exp.Window] = {}  # the query's WINDOW clause, by name
        self.bound: dict[str, Column] = {}  # lambda parameters in scope (``x -> x + 1``)

    # ------------------------------------------------------------------ entry
    def column(self, node: exp.Expression) -> Column:
        if isinstance(node, exp.Paren):
            return self.column(node.this)
        handler = getattr(self, "_" + type(node).__name__.lower(), None)
        if handler is not None:
            return handler(node)
        fn = _BINARY.get(type(node))
        if fn is not None:
            return fn(self.column(node.this), self.column(node.expression))
        if isinstance(node, exp.Window):
            from .windows import window_column
            out, text = window_column(self, node)
            return out if text is None else _named(out, text)
        raise unsupported(f"{type(node).__name__} ({node.sql(dialect='spark')})")

    # ------------------------------------------------------------------ names and values
    def _alias(self, node: exp.Alias) -> Column:
        return self.column(node.this).alias(node.alias)

    def _column(self, node: exp.Column) -> Column:
        parts = [p.name for p in node.parts]
        if len(parts) == 1 and parts[0] in self.bound:
            return self.bound[parts[0]]
        if isinstance(node.this, exp.Star):
            return Column(Star(".".join(parts[:-1]) or None))
        if self.resolver is not None:
            found = self.resolver(parts)
            if found is not None:
                return found
        text = ".".join(f"`{p.replace('`', '``')}`" if ("." in p or "`" in p) else p for p in parts)
        return Column(ColumnRef(text))

    def _star(self, node: exp.Star) -> Column:
        return Column(Star())

    def _dot(self, node: exp.Dot) -> Column:
        return self.column(node.this).getField(node.expression.name)

    def _identifier(self, node: exp.Identifier) -> Column:
        if node.name in self.bound:
            return self.bound[node.name]
        return Column(ColumnRef(f"`{node.name}`" if "." in node.name else node.name))

    def _literal(self, node: exp.Literal) -> Column:
        return Column(Literal(literal_value(node)))

    def _null(self, node: exp.Null) -> Column:
        return Column(Literal(None))

    def _boolean(self, node: exp.Boolean) -> Column:
        return Column(Literal(bool(node.this)))

    def _placeholder(self, node: exp.Placeholder) -> Column:
        name = node.name
        if name not in self.params:
            raise AnalysisException(
                f"[UNBOUND_SQL_PARAMETER] Found the unbound parameter: {name}. Please, fix `args` "
                f"and provide a mapping of the parameter to a SQL literal.", "UNBOUND_SQL_PARAMETER")
        v = self.params[name]
        return v if isinstance(v, Column) else Column(Literal(v))

    def _hexstring(self, node: exp.HexString) -> Column:
        return _named(Column(Literal(bytes.fromhex(node.this))), f"X'{node.this.upper()}'")

    # ------------------------------------------------------------------ operators
    def _neg(self, node: exp.Neg) -> Column:
        inner = node.this
        if isinstance(inner, exp.Literal) and not inner.is_string:
            return Column(Literal(-literal_value(inner)))
        c = self.column(inner)
        return _named(-c, f"(- {c._expr.sql()})")

    def _not(self, node: exp.Not) -> Column:
        inner = node.this
        if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null):
            return self.column(inner.this).isNotNull()
        if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Boolean):
            return self._is_bool(inner, negated=True)
        return ~self.column(inner)

    def _intdiv(self, node: exp.IntDiv) -> Column:
        """``a DIV b``: the quotient truncated toward zero, as a bigint (null for b = 0)."""
        a, b = self.column(node.this), self.column(node.expression)
        return _named((a / b).cast("bigint"), f"({a._expr.sql()} div {b._expr.sql()})")

    def _is(self, node: exp.Is) -> Column:
        c = self.column(node.this)
        if isinstance(node.expression, exp.Null):
            return c.isNull()
        if isinstance(node.expression, exp.Boolean):
            return self._is_bool(node, negated=False)
        raise unsupported(f"IS {node.expression.sql()}")

    def _is_bool(self, node: exp.Is, negated: bool) -> Column:
        """``x IS [NOT] TRUE/FALSE``: Spark's ``x <=> true`` (never null)."""
        test = self.column(node.this).eqNullSafe(Column(Literal(bool(node.expression.this))))
        return ~test if negated else test

    def _in(self, node: exp.In) -> Column:
        if node.args.get("query") is not None:
            raise unsupported("IN (subquery) in an expression outside WHERE")
        return self.column(node.this).isin(*[self.column(e) for e in node.expressions])

    def _between(self, node: exp.Between) -> Column:
        c, lo, hi = self.column(node.this), self.column(node.args["low"]), self.column(node.args["high"])
        return _named(c.between(lo, hi), f"between({c._expr.sql()}, {lo._expr.sql()}, {hi._expr.sql()})")

    def _pattern(self, node: exp.Expression, what: str) -> str:
        pat = node.expression
        if isinstance(pat, exp.Literal) and pat.is_string:
            return pat.this
        raise unsupported(f"{what} with a pattern that is not a string literal")

    def _like(self, node: exp.Like) -> Column:
        out = self.column(node.this).like(self._pattern(node, "LIKE"))
        return ~out if node.args.get("negate") else out

    def _ilike(self, node: exp.ILike) -> Column:
        c = self.column(node.this)
        pat = self._pattern(node, "ILIKE")
        out = _named(c.ilike(pat), f"ilike({c._expr.sql()}, {pat})")
        return ~out if node.args.get("negate") else out

    def _regexplike(self, node: exp.RegexpLike) -> Column:
        c = self.column(node.this)
        pat = self._pattern(node, "RLIKE")
        return _named(c.rlike(pat), f"RLIKE({c._expr.sql()}, {pat})")

    def _dpipe(self, node: exp.DPipe) -> Column:
        F = self.F
        return F.concat(self.column(node.this), self.column(node.expression))

    def _case(self, node: exp.Case) -> Column:
        F = self.F
        subject = self.column(node.this) if node.this is not None else None
        out: Column | None = None
        for branch in node.args.get("ifs") or []:
            cond = self.column(branch.this)
            if subject is not None:
                cond = subject == cond
            value = self.column(branch.args["true"])
            out = F.when(cond, value) if out is None else out.when(cond, value)
        default = node.args.get("default")
        if default is not None:
            out = out.otherwise(self.column(default))
        return out

    def _if(self, node: exp.If) -> Column:
        F = self.F
        cond, yes = self.column(node.this), self.column(node.args["true"])
        no = self.column(node.args["false"]) if node.args.get("false") is not None else Column(Literal(None))
        out = F.when(cond, yes).otherwise(no)
        return _named(out, f"(IF({cond._expr.sql()}, {yes._expr.sql()}, {no._expr.sql()}))")

    # ------------------------------------------------------------------ casts
    def _cast(self, node: exp.Cast) -> Column:
        to = spark_type(node.args["to"])
        inner = node.this
        # DATE '...' parses as CAST, 1L / 1.5D / 2.5BD as TRY_CAST of the number: typed literals
        if isinstance(inner, exp.Literal) and (
                (type(node) is exp.Cast and inner.is_string)
                or (type(node) is exp.TryCast and isinstance(to, T.NumericType))):
            typed = typed_literal(inner, to)
            if typed is not None:
                return typed
        return self.column(inner).cast(to)

    _trycast = _cast

    def _interval(self, node: exp.Interval) -> Column:
        raise unsupported("INTERVAL literals")

    # ------------------------------------------------------------------ calls
    def _anonymous(self, node: exp.Anonymous) -> Column:
        return self.call(node.name, list(node.expressions))

    def _extract(self, node: exp.Extract) -> Column:
        return self.F.extract(Column(Literal(node.this.name)), self.column(node.expression))

    def _currentdate(self, node: exp.Expression) -> Column:
        return self.call("current_date", [])

    def _currenttimestamp(self, node: exp.Expression) -> Column:
        return self.call("current_timestamp", [])

    def _ignorenulls(self, node: exp.IgnoreNulls) -> Column:
        call = node.this
        if isinstance(call, exp.Anonymous) and call.name.lower() in ("first", "last"):
            F = self.F
            return getattr(F, call.name.lower())(self.column(call.expressions[0]), ignorenulls=True)
        raise unsupported("IGNORE NULLS here")

    def call(self, name: str, args: list[exp.Expression]) -> Column:
        F = self.F
        lname = name.lower()
        if args and isinstance(args[0], exp.Distinct):
            inner = [self.column(a) for a in args[0].expressions]
            fn = {"count": F.count_distinct, "sum": F.sum_distinct}.get(lname)
            if fn is None:
                raise unsupported(f"{name}(DISTINCT ...)")
            return fn(*inner)
        if lname in _CAST_FUNCTIONS and len(args) == 1:  # float('NaN') is CAST('NaN' AS FLOAT)
            return self.column(args[0]).cast(_CAST_FUNCTIONS[lname])
        if lname == "count" and len(args) == 1 and isinstance(args[0], exp.Star):
            return F.count("*")
        registered = udf_registry.lookup(lname)
        if registered is not None:
            return registered(*[self.column(a) for a in args])
        fn = getattr(F, _SQL_ALIASES.get(lname, lname), None)
        if fn is None or lname.startswith("_") or not callable(fn) or lname in _NOT_SQL:
            raise AnalysisException(
                f"[UNRESOLVED_ROUTINE] Cannot resolve routine `{lname}` on search path "
                f"[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]. "
                f"SQLSTATE: 42883", "UNRESOLVED_ROUTINE")
        out = self._invoke(fn, lname, args)
        if lname in _SQL_ALIASES:  # Spark prints the name the query used
            inner = out._expr.sql()
            out = _named(out, lname + inner[inner.index("("):] if "(" in inner else inner)
        return out

    def _transform(self, node: exp.Transform) -> Column:
        return self.call("transform", [node.this, node.expression])

    def _arrayfilter(self, node: exp.ArrayFilter) -> Column:
        return self.call("filter", [node.this, node.expression])

    def _exists(self, node: exp.Exists) -> Column:
        if not isinstance(node.args.get("expression"), exp.Lambda):
            raise unsupported("EXISTS (subquery)")
        return self.call("exists", [node.this, node.expression])

    def _lambda_fn(self, node: exp.Lambda) -> Callable[..., Column]:
        """A SQL lambda (``(x, i) -> ...``) as the Python function the higher-order functions
        take: its body translated with the parameters bound to the given columns."""
        names = [p.name for p in node.expressions]

        def run(*cols: Column) -> Column:
            saved = dict(self.bound)
            self.bound.update(zip(names, cols))
            try:
                return self.column(node.this)
            finally:
                self.bound = saved
        arity = {1: lambda a: run(a), 2: lambda a, b: run(a, b), 3: lambda a, b, c: run(a, b, c)}
        if len(names) not in arity:
            raise unsupported(f"a lambda of {len(names)} parameters")
        return arity[len(names)]

    def _invoke(self, fn: Callable[..., Column], name: str, args: list[exp.Expression]) -> Column:
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            params = []
        values: list[Any] = []
        for i, a in enumerate(args):
            if isinstance(a, exp.Lambda):
                values.append(self._lambda_fn(a))
                continue
            p = params[min(i, len(params) - 1)] if params else None
            if p is not None and p.name == "unit" and isinstance(a, exp.Column):  # timestampadd(HOUR,..)
                values.append(a.name)
                continue
            takes_value = p is not None and p.kind is not p.VAR_POSITIONAL and \
                p.name in _VALUE_PARAMS and name not in _COLUMN_ARGS
            if takes_value and _is_constant(a):
                values.append(self._constant(a))
            else:
                values.append(self.column(a))
        try:
            out = fn(*values)
        except TypeError as e:
            raise AnalysisException(
                f"[WRONG_NUM_ARGS] The `{name}` requires other arguments than the {len(args)} "
                f"given: {e}", "WRONG_NUM_ARGS") from None
        if not isinstance(out, Column):
            raise unsupported(f"the function {name}")
        return out

    def _constant(self, node: exp.Expression) -> Any:
        if isinstance(node, exp.Neg):
            return -self._constant(node.this)
        if isinstance(node, exp.Null):
            return None
        if isinstance(node, exp.Boolean):
            return bool(node.this)
        if isinstance(node, exp.Placeholder):
            return self.params.get(node.name)
        return literal_value(node)


# Spark's one-argument cast functions
_CAST_FUNCTIONS = {"float": "float", "double": "double", "int": "int", "bigint": "bigint",
                   "smallint": "smallint", "tinyint": "tinyint", "string": "string",
                   "boolean": "boolean", "date": "date", "timestamp": "timestamp",
                   "binary": "binary"}

# SQL names of functions dfml.sql.functions has under another of Spark's names
_SQL_ALIASES = {"std": "stddev", "len": "length", "map": "create_map",
                "timestampadd": "timestamp_add", "timestampdiff": "timestamp_diff"}

# functions whose PySpark parameters are all columns even where the name is usually a value's
# (``split_part(s, ',', 2)``'s delimiter): SQL constants reach them as literal columns
_COLUMN_ARGS = {"split_part", "replace", "overlay", "printf", "like", "ilike", "position",
                "to_timestamp_ltz", "to_timestamp_ntz", "to_unix_timestamp", "try_to_timestamp"}

# names dfml.sql.functions exports that are Python helpers, not Spark SQL functions
_NOT_SQL = {"col", "column", "lit", "expr", "broadcast", "when", "to_expr", "col_expr", "udf",
            "pandas_udf", "UserDefinedFunction", "PandasUDFType",
            "lit_expr", "asc", "desc", "asc_nulls_first", "asc_nulls_last", "desc_nulls_first",
            "desc_nulls_last", "countDistinct", "sumDistinct", "approxCountDistinct",
            "call_function", "call_udf"}


def _is_constant(node: exp.Expression) -> bool:
    if isinstance(node, exp.Neg):
        return _is_constant(node.this)
    return isinstance(node, (exp.Literal, exp.Null, exp.Boolean, exp.Placeholder))


def literal_value(node: exp.Literal) -> Any:
    """A SQL literal as Spark types it: ints as int/bigint, decimals as Decimal, ``1e3`` double."""
    text = node.this
    if node.is_string:
        return text
    if "e" in text.lower():
        return float(text)
    if "." in text:
        return decimal.Decimal(text)
    v = int(text)
    if abs(v) >= 2 ** 63:
        return decimal.Decimal(text)
    return v


def typed_literal(node: exp.Literal, to: T.DataType) -> Column | None:
    """``DATE '2020-01-01'``, ``1L``, ``1.5D``, ``2.5BD``: a literal of the named type."""
    text = node.this
    try:
        if isinstance(to, T.DateType) and node.is_string:
            v = dt.date.fromisoformat(text.strip())
            return Column(Literal(v))
        if isinstance(to, T.TimestampType) and node.is_string:
            v = dt.datetime.fromisoformat(text.strip())
            return _named(Column(Literal(v)), f"TIMESTAMP '{v.isoformat(sep=' ')}'")
        if isinstance(to, (T.LongType, T.IntegerType, T.ShortType, T.ByteType)) and not node.is_string:
            return Column(Literal(int(text), to))
        if isinstance(to, (T.DoubleType, T.FloatType)) and not node.is_string:
            return _named(Column(Literal(float(text), to)), text if "." in text or "e" in text.lower()
                          else f"{text}.0")
        if isinstance(to, T.DecimalType):
            d = decimal.Decimal(text)
            return Column(Literal(d, to))
    except ValueError:
        return None
    return None


_TYPE_NAMES = {"TEXT": "string", "VARCHAR": "string", "CHAR": "string", "NCHAR": "string",
               "NVARCHAR": "string", "INT": "int", "BIGINT": "bigint", "SMALLINT": "smallint",
               "TINYINT": "tinyint", "DOUBLE": "double", "FLOAT": "float", "BOOLEAN": "boolean",
               "DATE": "date", "TIMESTAMP": "timestamp", "DATETIME": "timestamp",
               "TIMESTAMPNTZ": "timestamp_ntz", "BINARY": "binary", "VARBINARY": "binary",
               "DECIMAL": "decimal"}


def spark_type(node: exp.DataType) -> T.DataType:
    """A sqlglot type as dfml's DataType (parsed from Spark's DDL spelling)."""
    text = node.sql(dialect="spark")
    try:
        return T.parse_type(text)
    except Exception:
        pass
    base = _TYPE_NAMES.get(node.this.name)
    if base is None:
        raise unsupported(f"the type {text}")
    params = [p.sql() for p in node.expressions]
    return T.parse_type(base + (f"({','.join(params)})" if params else ""))


def expr_column(text: str, functions: Any) -> Column:
    """``functions.expr(text)``: one SQL expression as a Column."""
    return ExprTranslator(functions).column(parse(text, "expression"))


def sql_function_names(functions: Any) -> dict[str, Any]:
    """The built-in function names SQL text can call, each with the Python function it runs
    (``spark.catalog.listFunctions``): dfml.sql.functions' public names that are Spark SQL
    functions, their SQL-only aliases and the cast functions (``int(x)``)."""
    out: dict[str, Any] = {}
    for name in dir(functions):
        fn = getattr(functions, name)
        if name.startswith("_") or name != name.lower() or name in _NOT_SQL \
                or not callable(fn) or isinstance(fn, type) or not hasattr(fn, "__module__") \
                or not str(fn.__module__).startswith("dfml.sql.functions"):
            continue
        out[name] = fn
    for alias, target in _SQL_ALIASES.items():
        if target in out:
            out[alias] = out[target]
    for name in _CAST_FUNCTIONS:
        out.setdefault(name, None)
    return {k: v for k, v in out.items() if k not in _PYTHON_ONLY}


# dfml.sql.functions' names that PySpark has in Python only (partition transforms, Python
# spellings of SQL syntax or of a function SQL knows under another name): not in Spark's
# function registry, so not listed as SQL functions
_PYTHON_ONLY = {"bitwise_not", "bucket", "count_distinct", "create_map", "days", "hours",
                "listagg_distinct", "months", "negate", "product", "string_agg_distinct",
                "sum_distinct", "timestamp_add", "timestamp_diff", "timestampadd",
                "timestampdiff", "years"}
