"""A small XPath 1.0 evaluator over the standard library's XML parser, for the ``xpath_*``
functions.

``xml.etree``'s own path language has no text nodes, no attribute results, no parent links and
no functions (``count(a/b)``, ``sum(a/c)``, ``a/b/text()``, ``a/d/@x`` are everyday Spark
paths), and lxml is not a dependency. So the document becomes a tree of ``Node`` objects with
text and attribute nodes and document order, and expressions are parsed by recursive descent
into closures. Covered: the child, descendant(-or-self), parent, self and attribute axes (with
their abbreviations), name and ``*`` tests, ``text()``/``node()``, predicates (numeric
positions and conditions), unions, arithmetic, comparisons, ``and``/``or``, and XPath's core
string, number and boolean functions. Anything else is refused with the expression named.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any, Callable

__all__ = ["Node", "parse_document", "compile_xpath", "to_string", "to_number", "to_boolean"]


class Node:
    """A node of the document: ``kind`` is root, element, text or attribute."""
    __slots__ = ("kind", "name", "value", "children", "attrs", "parent", "order")

    def __init__(self, kind: str, name: str = "", value: str | None = None,
                 parent: Node | None = None):
        self.kind, self.name, self.value, self.parent = kind, name, value, parent
        self.children: list[Node] = []
        self.attrs: list[Node] = []
        self.order = 0

    def string_value(self) -> str:
        if self.kind in ("text", "attribute"):
            return self.value or ""
        return "".join(n.string_value() for n in self.children)

    def descendants(self) -> list[Node]:
        out: list[Node] = []
        for c in self.children:
            out.append(c)
            out.extend(c.descendants())
        return out


def parse_document(text: str) -> Node:
    """The document tree of ``text``; malformed XML raises ``ValueError``."""
    try:
        root_el = ET.fromstring(text)
    except ET.ParseError as e:
        raise ValueError(f"invalid XML document: {e}") from None
    root = Node("root")
    counter = [0]

    def number(n: Node) -> Node:
        counter[0] += 1
        n.order = counter[0]
        return n

    def build(el: ET.Element, parent: Node) -> None:
        node = number(Node("element", el.tag, parent=parent))
        parent.children.append(node)
        node.attrs = [number(Node("attribute", k, v, node)) for k, v in el.attrib.items()]
        if el.text:
            node.children.append(number(Node("text", value=el.text, parent=node)))
        for child in el:
            build(child, node)
            if child.tail:
                node.children.append(number(Node("text", value=child.tail, parent=node)))
    build(root_el, number(root))
    return root


_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?|\.\d+) |
    (?P<str>"[^"]*"|'[^']*') |
    (?P<op>//|::|\.\.|!=|<=|>=|[/()\[\]@,|=<>+\-*.$]) |
    (?P<name>[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?))""", re.X)

_AXES = {"child", "descendant", "descendant-or-self", "parent", "self", "attribute",
         "ancestor", "ancestor-or-self", "following-sibling", "preceding-sibling"}


def _tokens(expr: str) -> list[str]:
    out, pos = [], 0
    expr = expr.rstrip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise ValueError(f"unsupported XPath expression '{expr}' at position {pos}")
        out.append(m.group(m.lastgroup))
        pos = m.end()
    return out


def to_string(v: Any) -> str:
    if isinstance(v, list):
        return v[0].string_value() if v else ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return str(int(v)) if v == int(v) else repr(v)
    return v


_NUMBER = re.compile(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*$")


def to_number(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    s = to_string(v)
    return float(s) if _NUMBER.match(s) else math.nan


def to_boolean(v: Any) -> bool:
    if isinstance(v, list):
        return bool(v)
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    if isinstance(v, str):
        return bool(v)
    return bool(v)


Ev = Callable[[Node, int, int], Any]  # (context node, position, size) -> value


def _round(x: float) -> float:
    return x if math.isnan(x) or math.isinf(x) else float(math.floor(x + 0.5))


def _substring(s: str, start: float, length: float = math.inf) -> str:
    a = _round(start)
    b = a + _round(length)
    return "".join(ch for i, ch in enumerate(s, 1) if a <= i < b)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "count": lambda ns: float(len(ns)),
    "sum": lambda ns: math.fsum(to_number(n.string_value()) for n in ns),
    "string": to_string, "number": to_number, "boolean": to_boolean,
    "not": lambda v: not to_boolean(v),
    "true": lambda: True, "false": lambda: False,
    "concat": lambda *vs: "".join(to_string(v) for v in vs),
    "contains": lambda a, b: to_string(b) in to_string(a),
    "starts-with": lambda a, b: to_string(a).startswith(to_string(b)),
    "string-length": lambda v: float(len(to_string(v))),
    "normalize-space": lambda v: " ".join(to_string(v).split()),
    "substring": lambda s, a, n=math.inf: _substring(to_string(s), to_number(a), to_number(n)),
    "substring-before": lambda a, b: to_string(a).partition(to_string(b))[0]
    if to_string(b) in to_string(a) else "",
    "substring-after": lambda a, b: to_string(a).partition(to_string(b))[2]
    if to_string(b) in to_string(a) else "",
    "translate": lambda s, f, t: "".join(
        (to_string(t)[to_string(f).index(c)] if to_string(f).index(c) < len(to_string(t)) else "")
        if c in to_string(f) else c for c in to_string(s)),
    "floor": lambda v: float(math.floor(to_number(v))) if math.isfinite(to_number(v)) else to_number(v),
    "ceiling": lambda v: float(math.ceil(to_number(v))) if math.isfinite(to_number(v)) else to_number(v),
    "round": lambda v: _round(to_number(v)),
    "name": lambda ns: ns[0].name if ns else "",
    "local-name": lambda ns: ns[0].name.rpartition("}")[2] if ns else "",
}


class _Parser:
    def __init__(self, expr: str):
        self.expr, self.toks, self.i = expr, _tokens(expr), 0

    def fail(self) -> ValueError:
        where = self.toks[self.i] if self.i < len(self.toks) else "the end"
        return ValueError(f"unsupported XPath expression '{self.expr}' (at {where!r})")

    def peek(self, k: int = 0) -> str | None:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        t = self.peek()
        if t is None or (want is not None and t != want):
            raise self.fail()
        self.i += 1
        return t

    def parse(self) -> Ev:
        ev = self.binary(0)
        if self.peek() is not None:
            raise self.fail()
        return ev

    _LEVELS = [("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"),
               ("*", "div", "mod")]

    def binary(self, level: int) -> Ev:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            op = self.take()
            left = _combine(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Ev:
        if self.peek() == "-":
            self.take()
            inner = self.unary()
            return lambda n, p, s: -to_number(inner(n, p, s))
        left = self.path_expr()
        while self.peek() == "|":
            self.take()
            right = self.path_expr()
            left = _union(left, right)
        return left

    def path_expr(self) -> Ev:
        t = self.peek()
        if t is None:
            raise self.fail()
        if t[0].isdigit() or (t[0] == "." and len(t) > 1):
            self.take()
            v = float(t)
            return lambda n, p, s: v
        if t[0] in "'\"":
            self.take()
            return lambda n, p, s, v=t[1:-1]: v
        if t == "(" or (self.peek(1) == "(" and t not in ("text", "node")):
            primary = self.primary()
            if self.peek() in ("/", "//"):
                return _then(primary, self.relative())
            return primary
        if t in ("/", "//"):
            self.take()
            if t == "/" and (self.peek() is None or self.peek() in ("|", ")", "]", "=")):
                return lambda n, p, s: [_root(n)]
            rest = self.relative(descend=t == "//")
            return lambda n, p, s: rest(_root(n), 1, 1)
        return self.relative()

    def primary(self) -> Ev:
        if self.peek() == "(":
            self.take()
            inner = self.binary(0)
            self.take(")")
            return inner
        name = self.take()
        self.take("(")
        args: list[Ev] = []
        while self.peek() != ")":
            args.append(self.binary(0))
            if self.peek() == ",":
                self.take()
        self.take(")")
        if name == "position":
            return lambda n, p, s: float(p)
        if name == "last":
            return lambda n, p, s: float(s)
        fn = _FUNCTIONS.get(name)
        if fn is None:
            raise ValueError(f"unsupported XPath function {name}() in '{self.expr}'")
        if not args and name in ("string", "number", "name", "local-name", "string-length",
                                 "normalize-space"):
            args = [lambda n, p, s: [n]]
        return lambda n, p, s: fn(*[a(n, p, s) for a in args])

    def relative(self, descend: bool = False) -> Ev:
        steps = [(descend, self.step())]
        while self.peek() in ("/", "//"):
            steps.append((self.take() == "//", self.step()))

        def run(n: Node, p: int, s: int) -> list[Node]:
            nodes = [n]
            for deep, step in steps:
                found: dict[int, Node] = {}
                for c in nodes:
                    for m in step(c, deep):
                        found[id(m)] = m
                nodes = sorted(found.values(), key=lambda x: x.order)
            return nodes
        return run

    def step(self) -> Callable[[Node, bool], list[Node]]:
        t = self.take()
        if t == ".":
            return lambda n, deep: ([n] + n.descendants()) if deep else [n]
        if t == "..":
            return lambda n, deep: _expand([n], deep, lambda m: [m.parent] if m.parent else [])
        axis = "child"
        if t == "@":
            axis, t = "attribute", self.take()
        elif self.peek() == "::":
            if t not in _AXES:
                raise self.fail()
            self.take()
            axis, t = t, self.take()
        if t in ("text", "node") and self.peek() == "(":
            self.take("(")
            self.take(")")
            test = (lambda m: m.kind == "text") if t == "text" else (lambda m: True)
        elif t == "*":
            test = (lambda m: m.kind == ("attribute" if axis == "attribute" else "element"))
        else:
            want = t
            test = (lambda m: m.kind in ("element", "attribute") and m.name == want)
        preds = []
        while self.peek() == "[":
            self.take()
            preds.append(self.binary(0))
            self.take("]")
        move = _AXIS_MOVES[axis]

        def apply(n: Node, deep: bool) -> list[Node]:
            out: list[Node] = []
            for start in ([n] + n.descendants() if deep else [n]):
                picked = [m for m in move(start) if test(m)]
                for pred in preds:
                    size = len(picked)
                    keep = []
                    for pos, m in enumerate(picked, 1):
                        v = pred(m, pos, size)
                        if (v == pos) if isinstance(v, float) else to_boolean(v):
                            keep.append(m)
                    picked = keep
                out.extend(picked)
            return out
        return apply


def _root(n: Node) -> Node:
    while n.parent is not None:
        n = n.parent
    return n


def _expand(nodes: list[Node], deep: bool, move: Callable[[Node], list[Node]]) -> list[Node]:
    starts = [m for n in nodes for m in ([n] + n.descendants() if deep else [n])]
    return [x for m in starts for x in move(m)]


def _ancestors(n: Node) -> list[Node]:
    out = []
    while n.parent is not None:
        n = n.parent
        out.append(n)
    return out


def _siblings(n: Node, after: bool) -> list[Node]:
    if n.parent is None or n.kind == "attribute":
        return []
    sib = n.parent.children
    i = sib.index(n)
    return sib[i + 1:] if after else sib[:i][::-1]


_AXIS_MOVES: dict[str, Callable[[Node], list[Node]]] = {
    "child": lambda n: n.children,
    "attribute": lambda n: n.attrs,
    "descendant": lambda n: n.descendants(),
    "descendant-or-self": lambda n: [n] + n.descendants(),
    "self": lambda n: [n],
    "parent": lambda n: [n.parent] if n.parent else [],
    "ancestor": _ancestors,
    "ancestor-or-self": lambda n: [n] + _ancestors(n),
    "following-sibling": lambda n: _siblings(n, True),
    "preceding-sibling": lambda n: _siblings(n, False),
}


def _then(first: Ev, rest: Ev) -> Ev:
    def run(n: Node, p: int, s: int) -> list[Node]:
        found: dict[int, Node] = {}
        for m in first(n, p, s):
            for x in rest(m, 1, 1):
                found[id(x)] = x
        return sorted(found.values(), key=lambda x: x.order)
    return run


def _union(a: Ev, b: Ev) -> Ev:
    def run(n: Node, p: int, s: int) -> list[Node]:
        found = {id(x): x for x in list(a(n, p, s)) + list(b(n, p, s))}
        return sorted(found.values(), key=lambda x: x.order)
    return run


_ARITH = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
          "div": lambda x, y: x / y if y else (math.nan if x == 0 or math.isnan(x)
                                               else math.copysign(math.inf, x) * math.copysign(1, y)),
          "mod": lambda x, y: math.fmod(x, y) if y else math.nan}
_COMPARE = {"=": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y}


def _compare(op: str, a: Any, b: Any) -> bool:
    """XPath 1.0 comparison: node sets compare by any member's string (or number) value."""
    cmp = _COMPARE[op]
    if isinstance(a, list) or isinstance(b, list):
        xs = [n.string_value() for n in a] if isinstance(a, list) else [a]
        ys = [n.string_value() for n in b] if isinstance(b, list) else [b]
        return any(_compare(op, x, y) for x in xs for y in ys)
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            return cmp(to_boolean(a), to_boolean(b))
        if isinstance(a, float) or isinstance(b, float):
            return cmp(to_number(a), to_number(b))
        return cmp(to_string(a), to_string(b))
    return cmp(to_number(a), to_number(b))


def _combine(op: str, left: Ev, right: Ev) -> Ev:
    if op == "or":
        return lambda n, p, s: to_boolean(left(n, p, s)) or to_boolean(right(n, p, s))
    if op == "and":
        return lambda n, p, s: to_boolean(left(n, p, s)) and to_boolean(right(n, p, s))
    if op in _COMPARE:
        return lambda n, p, s: _compare(op, left(n, p, s), right(n, p, s))
    fn = _ARITH[op]
    return lambda n, p, s: fn(to_number(left(n, p, s)), to_number(right(n, p, s)))


def compile_xpath(expr: str) -> Callable[[Node], Any]:
    """``expr`` as a function of a document (its result: a node list, str, float or bool)."""
    ev = _Parser(expr).parse()
    return lambda doc: ev(doc, 1, 1)
