"""Finding the uses of PySpark's API in a script's syntax tree, without running it.

The scanner follows values the way a reader would: ``spark.read.parquet(p)`` is a DataFrame, so
``df = ...; df.filter(...)`` is ``DataFrame.filter``; ``F.col("a") > 1`` is a Column, so
``.cast(...)`` after it is ``Column.cast``. Types flow through assignments, tuple unpacking
(``train, test = df.randomSplit(...)``), ``with`` blocks, annotations, and the script's own
functions (argument types seen at call sites, return types from ``return`` statements: the
scanner runs over the module until those stop changing). A name ``spark`` that the script never
binds is the SparkSession, as in notebooks and the ``pyspark`` shell.

Each use becomes a ``Site`` whose ``target`` says what to look up in dfml; the scanner itself
knows nothing of what dfml supports.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import Callable

from . import spark_api as api
from .spark_api import short

ROOTS = ("pyspark", "dfml")


@dataclass(frozen=True, order=True)
class Site:
    """One use of PySpark's API: where, what kind, its PySpark name, and what to look up."""

    cell: int
    line: int
    col: int
    kind: str     # import | name | method | attribute | param | conf
    api: str      # PySpark's name: pyspark.sql.functions.col, DataFrame.filter, ...
    target: tuple = field(compare=False)


def canon(qualname: str) -> str:
    """dfml's module paths mirror PySpark's: report both in PySpark's terms."""
    head, _, rest = qualname.partition(".")
    return "pyspark" + ("." + rest if rest else "") if head in ROOTS else qualname


def is_ml_class(q: str) -> bool:
    return q.startswith("pyspark.ml.") and short(q)[:1].isupper()


def instance(q: str) -> tuple:
    """The type of a value of the PySpark class ``q``."""
    name = short(q)
    if name in api.SQL_CLASSES and not q.startswith("pyspark.pandas"):
        return ("inst", name)
    return ("inst", q)


_UNBOUND = object()
_CONFLICT = ("conflict",)
_UDF = ("udf",)  # a user-defined function: calling it gives a Column


def _makes_udf(t) -> bool:
    return isinstance(t, tuple) and t[0] == "name" and t[1] in (
        "pyspark.sql.functions.udf", "pyspark.sql.functions.pandas_udf")


class Scanner:
    """Collects the sites of one script (a file, or a notebook's cells in order)."""

    def __init__(self, is_module: Callable[[str], bool], exists: Callable[[str], bool]):
        self.is_module = is_module
        self.exists = exists  # whether a class path is known (to follow what fit returns)
        self.hints: dict[str, dict] = {}     # function -> {param index or name: type}
        self.returns: dict[str, tuple] = {}  # function -> type of its returned value

    # ------------------------------------------------------------------ driving
    def scan(self, trees: list[tuple[int, ast.Module]]) -> list[Site]:
        """Sites of ``trees`` (``(cell, tree)`` in execution order), re-run until types settle."""
        self.defined = {n.id for _, t in trees for n in ast.walk(t)
                        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        self.defined |= {n.name for _, t in trees for n in ast.walk(t)
                         if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        self.defined |= {a.arg for _, t in trees for n in ast.walk(t) if isinstance(n, ast.arguments)
                         for a in n.posonlyargs + n.args + n.kwonlyargs + [n.vararg, n.kwarg] if a}
        self.defined |= {(a.asname or a.name).split(".")[0] for _, t in trees for n in ast.walk(t)
                         if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        for _ in range(4):
            before = (repr(self.hints), repr(self.returns))
            self._run(trees)
            if (repr(self.hints), repr(self.returns)) == before:
                break
        return sorted(self.sites)

    def _run(self, trees):
        self.sites: set[Site] = set()
        self.env: dict[str, object] = {}
        self.new_hints: dict[str, dict] = {}
        self.new_returns: dict[str, tuple] = {}
        self.function: str | None = None
        self.stars: list[str] = []      # PySpark modules imported with *
        self.foreign_stars = False      # other modules imported with *
        self.members: dict[str, object] = {}  # self.X assigned in a class's methods
        for cell, tree in trees:
            self.cell = cell or 0
            self.block(tree.body)
        self.hints, self.returns = self.new_hints, self.new_returns

    def add(self, node: ast.AST, kind: str, name: str, target: tuple) -> None:
        """Record a site; an attribute is placed at its name (``df.a().b()``: where ``b`` is)."""
        line, col = node.lineno, node.col_offset
        if isinstance(node, ast.Attribute) and node.end_lineno is not None:
            line, col = node.end_lineno, node.end_col_offset - len(node.attr)
        self.sites.add(Site(self.cell, line, col + 1, kind, name, target))

    # ------------------------------------------------------------------ statements
    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        handler = getattr(self, "stmt_" + type(node).__name__, None)
        if handler is not None:
            handler(node)
        else:
            self.generic(node)

    def generic(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self.stmt(child)
            elif isinstance(child, ast.expr):
                self.ev(child)
            else:
                self.generic(child)

    def stmt_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            root = alias.name.split(".")[0]
            if root not in ROOTS:
                continue
            q = canon(alias.name)
            self.add(alias, "import", q, ("module", q))
            if alias.asname:
                self.env[alias.asname] = ("mod", q)
            else:
                self.env[root] = ("mod", "pyspark")

    def stmt_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or (node.module or "").split(".")[0] not in ROOTS:
            self.foreign_stars |= any(a.name == "*" for a in node.names)
            return
        m = canon(node.module)
        for alias in node.names:
            if alias.name == "*":
                self.add(alias, "import", m, ("module", m))
                self.stars.append(m)
                continue
            q = f"{m}.{alias.name}"
            if self.is_module(q):
                self.add(alias, "import", q, ("module", q))
                self.env[alias.asname or alias.name] = ("mod", q)
            else:
                self.add(alias, "import", q, ("name", q))
                self.env[alias.asname or alias.name] = ("name", q)

    def stmt_Assign(self, node: ast.Assign) -> None:
        t = self.ev(node.value)
        for target in node.targets:
            self.bind(target, t)

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        declared = self.annotation(node.annotation)
        t = self.ev(node.value) if node.value is not None else None
        self.bind(node.target, t or declared)

    def stmt_With(self, node: ast.With) -> None:
        for item in node.items:
            t = self.ev(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, t)
        self.block(node.body)

    stmt_AsyncWith = stmt_With

    def stmt_For(self, node: ast.For) -> None:
        t = self.ev(node.iter)
        self.bind(node.target, t[1] if isinstance(t, tuple) and t[0] == "list" else None)
        self.block(node.body)
        self.block(node.orelse)

    stmt_AsyncFor = stmt_For

    def stmt_Return(self, node: ast.Return) -> None:
        t = self.ev(node.value) if node.value is not None else None
        if self.function and t is not None:
            seen = self.new_returns.setdefault(self.function, t)
            if seen != t:
                self.new_returns[self.function] = _CONFLICT

    def stmt_FunctionDef(self, node: ast.FunctionDef) -> None:
        decorators = [self.ev(d) for d in node.decorator_list]
        args = node.args
        for d in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.ev(d)
        params = args.posonlyargs + args.args + args.kwonlyargs
        outer, outer_fn = self.env, self.function
        self.env = dict(outer)
        key = f"{node.name}:{node.lineno}"  # functions of one name in several places differ
        self.env[node.name] = outer[node.name] = ("func", key)
        hints = self.hints.get(key, {})
        for i, a in enumerate(params):
            t = self.annotation(a.annotation) if a.annotation is not None else None
            t = t or hints.get(i) or hints.get(a.arg)
            t = None if t == _CONFLICT else t
            if t is None and a.arg == "spark":
                t = ("inst", "SparkSession")
            self.env[a.arg] = t
        for a in (args.vararg, args.kwarg):
            if a is not None:
                self.env[a.arg] = None
        if node.returns is not None:
            self.annotation(node.returns)
        self.function = key
        self.block(node.body)
        self.env, self.function = outer, outer_fn
        if any(d == _UDF or _makes_udf(d) for d in decorators):  # @udf / @pandas_udf(...)
            outer[node.name] = _UDF

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node: ast.ClassDef) -> None:
        for e in node.bases + node.decorator_list + [k.value for k in node.keywords]:
            self.ev(e)
        outer = self.env
        self.env = dict(outer)
        self.block(node.body)
        self.env = outer
        outer[node.name] = None

    def annotation(self, node: ast.expr) -> tuple | None:
        """The type an annotation names (``DataFrame``, ``"pyspark.sql.DataFrame"``...)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
            saved, self.sites = self.sites, set()
            t = self.ev(node)
            self.sites = saved
        else:
            t = self.ev(node)
        return instance(t[1]) if isinstance(t, tuple) and t[0] == "name" else None

    def bind(self, target: ast.expr, t) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = t
        elif isinstance(target, (ast.Tuple, ast.List)):
            inner = t[1] if isinstance(t, tuple) and t[0] == "list" else None
            for elt in target.elts:
                self.bind(elt.value if isinstance(elt, ast.Starred) else elt, inner)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                and target.value.id == "self":
            self.members[target.attr] = t  # self.spark = ...: seen by the class's other methods
        else:
            self.ev(target)

    # ------------------------------------------------------------------ expressions
    def ev(self, node: ast.expr):
        """The type of ``node`` (or None), recording the sites inside it."""
        handler = getattr(self, "ev_" + type(node).__name__, None)
        if handler is not None:
            return handler(node)
        types = [self.ev(c) if isinstance(c, ast.expr) else self.generic(c)
                 for c in ast.iter_child_nodes(node)]
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)) and ("inst", "Column") in types:
            return ("inst", "Column")
        if isinstance(node, ast.IfExp):  # two different types: unknown
            body, other = types[1], types[2]
            return body if other is None or other == body else (other if body is None else None)
        return None

    def ev_Name(self, node: ast.Name):
        t = self.env.get(node.id, _UNBOUND)
        if t is not _UNBOUND:
            return t
        if self.stars:
            return self.star_name(node)
        return ("inst", "SparkSession") if node.id == "spark" else None

    def star_name(self, node: ast.Name):
        """A name the script never binds, after ``from pyspark.X import *``: a name of X when
        dfml's X has it (even ``sum`` or ``max``, which the import shadows); a missing one when
        it is neither a builtin, nor defined later in the script, nor from another star import."""
        for m in self.stars:
            q = f"{m}.{node.id}"
            if self.exists(q):
                self.add(node, "name", q, ("name", q))
                return ("name", q)
        if node.id == "spark":
            return ("inst", "SparkSession")
        if node.id in self.defined or hasattr(builtins, node.id) or self.foreign_stars:
            return None
        q = f"{self.stars[0]}.{node.id}"
        self.add(node, "name", q, ("name", q))
        return ("name", q)

    def ev_NamedExpr(self, node: ast.NamedExpr):
        t = self.ev(node.value)
        self.bind(node.target, t)
        return t

    def ev_Subscript(self, node: ast.Subscript):
        base = self.ev(node.value)
        key = self.ev(node.slice)
        if base == ("inst", "DataFrame"):
            many = isinstance(node.slice, (ast.List, ast.Tuple)) or key == ("inst", "Column")
            return ("inst", "DataFrame") if many else ("inst", "Column")
        if base == ("inst", "Column"):
            return base
        if isinstance(base, tuple) and base[0] == "list":
            return base[1]
        return None

    def ev_Attribute(self, node: ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id == "self" \
                and node.attr in self.members:
            return self.members[node.attr]
        return self.member(node, self.ev(node.value), None)

    def ev_Call(self, node: ast.Call):
        if isinstance(node.func, ast.Attribute):  # a method: its receiver decides what it is
            recv = self.ev(node.func.value)
            for a in node.args + [k.value for k in node.keywords]:
                self.ev(a)
            return self.member(node.func, recv, node)
        f = self.ev(node.func)
        args = [self.ev(a) for a in node.args]
        kwargs = {k.arg: self.ev(k.value) for k in node.keywords}
        return self.call(node, f, args, kwargs)

    def call(self, node: ast.Call, f, args: list, kwargs: dict):
        """The result of calling a value of type ``f`` that is not a method."""
        if not isinstance(f, tuple):
            return None
        if f[0] == "func":
            hints = self.new_hints.setdefault(f[1], {})
            for key, t in list(enumerate(args)) + list(kwargs.items()):
                if key is not None:  # call sites that disagree leave the parameter unknown
                    hints[key] = t if hints.get(key, t) == t else _CONFLICT
            t = self.returns.get(f[1])
            return None if t == _CONFLICT else t
        if f == _UDF:
            return ("inst", "Column")
        if f[0] != "name":
            return None
        q = f[1]
        if _makes_udf(f):  # udf(fn, type) is a UDF; udf(returnType=...) a decorator making one
            return _UDF
        if q.startswith("pyspark.sql.functions."):
            return None if short(q) in api.NON_COLUMN_FUNCTIONS else ("inst", "Column")
        if is_ml_class(q):
            self.params(node, q)
        return instance(q) if short(q)[:1].isupper() else None

    def params(self, call: ast.Call, q: str) -> None:
        """Param sites of an ML constructor or ``setParams`` call (keywords, as in PySpark)."""
        for k in call.keywords:
            if k.arg is not None:
                self.add(k, "param", f"{short(q)}({k.arg}=)", ("param", q, k.arg))

    def member(self, node: ast.Attribute, base, call: ast.Call | None):
        """``base.attr`` (``call`` is the Call node when it is called): record and type it."""
        attr = node.attr
        if not isinstance(base, tuple):
            return None
        kind = base[0]
        if kind == "mod":
            q = f"{base[1]}.{attr}"
            if call is None and attr[:1].islower() and self.is_module(q):
                return ("mod", q)
            self.add(node, "name", q, ("name", q))
            f = ("name", q)
            if call is not None:
                return self.call(call, f, [None] * len(call.args),
                                 {k.arg: None for k in call.keywords})
            return f
        if kind == "name":
            owner = base[1]
            if not short(owner)[:1].isupper():
                return None
            self.add(node, "method" if call else "attribute", f"{short(owner)}.{attr}",
                     ("member", owner, attr))
            cls = short(owner)
            if cls in api.SQL_CLASSES:
                table = api.PROPERTIES if call is None else api.RETURNS
                key = cls + ".class" if call is not None and cls == "SparkSession" else cls
                res = table.get(key, {}).get(attr)
                return ("inst", res) if res else None
            if call is not None and attr == "load":
                return instance(owner)
            return None
        if kind != "inst":
            return None
        cls = base[1]
        if cls in api.SQL_CLASSES:
            return self.sql_member(node, cls, attr, call)
        if call is None and short(cls) in api.RECORD_CLASSES:
            return None  # row.field
        self.add(node, "method" if call else "attribute", f"{short(cls)}.{attr}",
                 ("member", cls, attr))
        if call is None or not is_ml_class(cls):
            return None
        if attr == "setParams":
            self.params(call, cls)
        if attr == "fit" and not cls.endswith("Model"):
            model = api.FIT_RETURNS.get(short(cls), cls + "Model")
            return ("inst", model) if self.exists(model) else None
        if attr == "transform":
            return ("inst", "DataFrame")
        if attr.startswith("set") or attr in ("copy", "addGrid", "baseOn", "clear"):
            return base
        return None

    def sql_member(self, node: ast.Attribute, cls: str, attr: str, call: ast.Call | None):
        props = api.PROPERTIES.get(cls, {})
        if call is None:
            if cls == "Column" or (cls == "DataFrame" and attr not in props):
                return ("inst", "Column")   # a struct field or a column by name
            self.add(node, "attribute", f"{cls}.{attr}", ("member", cls, attr))
            res = props.get(attr)
            return ("inst", res) if res else None
        self.add(node, "method", f"{cls}.{attr}", ("member", cls, attr))
        if (cls, attr) in api.CONF_SETTERS:
            self.settings(call, attr)
        if (cls, attr) in api.MASTER_SETTERS and call.args \
                and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
            self.add(call.args[0], "master", call.args[0].value, ("master", call.args[0].value))
        if (cls, attr) in api.LIST_RETURNS:
            return ("list", ("inst", "DataFrame"))
        res = api.result_of(cls, attr)
        return ("inst", res) if res else None

    def settings(self, call: ast.Call, method: str) -> None:
        """Record the setting keys a ``set``/``config``/``setAll`` call passes as literals."""
        def key(node):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                self.add(node, "conf", node.value, ("conf", node.value))

        if method == "setAll":
            if call.args and isinstance(call.args[0], (ast.List, ast.Tuple)):
                for pair in call.args[0].elts:
                    if isinstance(pair, (ast.Tuple, ast.List)) and pair.elts:
                        key(pair.elts[0])
            return
        if call.args:
            key(call.args[0])
        for k in call.keywords:
            if k.arg == "key":
                key(k.value)
            elif k.arg == "map" and isinstance(k.value, ast.Dict):
                for k2 in k.value.keys:
                    if k2 is not None:
                        key(k2)
        if call.args and isinstance(call.args[0], ast.Dict) and method == "config":
            for k2 in call.args[0].keys:
                if k2 is not None:
                    key(k2)
