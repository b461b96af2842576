"""Higher-order functions: ``transform``, ``filter``, ``exists``, ``forall``, ``zip_with``,
``map_filter``, ``transform_keys``, ``transform_values``, ``map_zip_with``, with Python lambdas as Spark takes them.

The lambda is called once, on placeholder columns, to build its body as an expression. At
compile time the array (or map) column is exploded per partition into one row per element, the
lambda's variables (element, position; key, value) and the outer columns the body reads as
columns of that exploded frame, keeping each parent row's index so partitions stay aligned. The
body compiles against it as any expression does (native dask operations, Spark's null and NaN
rules), and a per-partition kernel nests the results back by the array's offsets.
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from ..column import Column, ColumnRef, Ctx, Expr, Typed
from ..errors import AnalysisException
from ._common import col_expr

__all__ = ["transform", "filter", "exists", "forall", "zip_with", "map_filter",
           "transform_keys", "transform_values", "map_zip_with"]

_fresh = itertools.count()


class LambdaVar(ColumnRef):
    """A lambda's parameter: a column of the exploded frame. Spark's Python API names it
    ``namedlambdavariable()`` in column names, and so does dfml."""

    def __init__(self, shown: str):
        super().__init__(f"__lambda_{shown}", literal=True)
        self.shown = shown

    def sql(self) -> str:
        return "namedlambdavariable()"


def _lambda(f: Callable, names: list[str], allowed: tuple[int, ...], fname: str
            ) -> tuple[list[LambdaVar], Expr]:
    """The body of ``f`` over fresh variables (Spark's ``x_0`` style names)."""
    if not callable(f):
        raise TypeError(f"{fname}(): expected a function, got {type(f).__name__}")
    params = [p for p in inspect.signature(f).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(params) not in allowed or any(p.kind == p.VAR_POSITIONAL
                                         for p in inspect.signature(f).parameters.values()):
        raise ValueError(f"{fname}(): the function should take {' or '.join(map(str, allowed))} "
                         f"arguments, got {len(params)}")
    lvars = [LambdaVar(f"{n}_{next(_fresh)}") for n in names[:len(params)]]
    body = f(*[Column(v) for v in lvars])
    if not isinstance(body, Column):
        raise ValueError(f"{fname}(): the function should return a Column, got "
                         f"{type(body).__name__}")
    return lvars, body._expr


def _outer_refs(body: Expr, own: tuple[LambdaVar, ...]) -> list[ColumnRef]:
    """The columns the body reads besides this lambda's own variables (an enclosing lambda's
    variables included, for nested higher-order functions)."""
    bound = {v.name for v in own}
    bound.update(v.name for n in body.walk() if isinstance(n, HigherOrder) for v in n.lvars)
    return [n for n in body.walk() if isinstance(n, ColumnRef) and n.name not in bound]


# for the other higher-order modules (folds, sorts): the lambda builder and outer references
make_lambda, outer_refs = _lambda, _outer_refs


def _pa(part: pd.Series) -> pa.Array:
    """A partition's column as one Arrow array; a map as its list of (key, value) entries."""
    arr = pa.array(part.array) if not isinstance(part.dtype, pd.ArrowDtype) \
        else part.array._pa_array.combine_chunks()
    if isinstance(arr, pa.MapArray):
        arr = pa.ListArray.from_arrays(arr.offsets, arr.values, mask=arr.is_null())
    return arr


def _lengths(arr: pa.Array) -> np.ndarray:
    """Each list's (or map's) length, 0 for a null one (``flatten`` skips those)."""
    lens = np.diff(np.asarray(arr.offsets)).astype(np.int64)
    return np.where(np.asarray(arr.is_null()), 0, lens) if arr.null_count else lens


def _map_union(a: pa.Array, b: pa.Array, key_t: pa.DataType) -> tuple:
    """The keys of two maps per row, the first map's in its order and then the second's new
    ones (Spark's order), as (parent row, key, entry of the first map, entry of the second),
    the entries null where a map lacks the key; rows where either map is null have none."""
    n = len(a)
    valid = ~(np.asarray(a.is_null()) | np.asarray(b.is_null())) if n else np.zeros(0, bool)
    sides = []
    for side, arr in enumerate((a, b)):
        parent = np.repeat(np.arange(n), _lengths(arr))
        keep = valid[parent] if len(parent) else np.zeros(0, bool)
        keys = arr.flatten().field("key").cast(key_t).filter(pa.array(keep))
        sides.append(pd.DataFrame({
            "parent": parent[keep], "side": side,
            "key": pd.Series(pd.arrays.ArrowExtensionArray(keys)) if len(keys) else
            pd.Series([], dtype=pd.ArrowDtype(key_t)),
            "entry": np.arange(len(parent))[keep]}))
    both = pd.concat(sides, ignore_index=True).sort_values(["parent", "side"], kind="stable")
    first = both[~both.duplicated(["parent", "key"])][["parent", "key"]]
    for side, name in ((0, "e1"), (1, "e2")):
        entries = sides[side].rename(columns={"entry": name})[["parent", "key", name]]
        first = first.merge(entries, on=["parent", "key"], how="left")
    return (valid, first["parent"].to_numpy(np.int64),
            _pa(first["key"]) if len(first) else pa.array([], key_t),
            first["e1"].to_numpy(), first["e2"].to_numpy())


def _entries(arr: pa.Array, at: np.ndarray) -> pa.Array:
    """The values of a map's flattened entries at positions ``at`` (NaN: no entry, a null)."""
    missing = np.isnan(at)
    idx = pa.array(np.where(missing, 0, at).astype(np.int64), mask=missing)
    return arr.flatten().field("value").take(idx)


class _Explode:
    """Per partition: one row per element (zip_with: per position of the longer array), with the
    lambda variables and the outer columns, under the parent row's index."""
    __name__ = "higher_order_explode"

    def __init__(self, kind: str, arrays: list[str], var_names: list[str], outer: list[str],
                 var_types: list[pa.DataType]):
        self.kind, self.arrays, self.var_names = kind, arrays, var_names
        self.outer, self.var_types = outer, var_types

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-hof-explode", self.kind, tuple(self.arrays), tuple(self.var_names),
                tuple(self.outer), tuple(str(t) for t in self.var_types))

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        arrs = [_pa(part[a]) for a in self.arrays]
        if self.kind == "mapzip":
            _, parent, keys, e1, e2 = _map_union(arrs[0], arrs[1], self.var_types[0])
            values = [keys, _entries(arrs[0], e1.astype(float)), _entries(arrs[1], e2.astype(float))]
        elif self.kind == "zip":
            a, b = arrs
            la, lb = _lengths(a), _lengths(b)
            valid = ~(np.asarray(a.is_null()) | np.asarray(b.is_null()))
            n = np.where(valid, np.maximum(la, lb), 0)
            parent = np.repeat(np.arange(len(part)), n)
            pos = np.arange(len(parent)) - np.repeat(np.cumsum(n) - n, n)
            cols = []
            for arr, ln in ((a, la), (b, lb)):
                starts = np.asarray(arr.offsets)[:-1][parent] if len(parent) else parent
                idx = pa.array(starts + pos, mask=pos >= ln[parent])
                cols.append(arr.values.take(idx))
            values = cols
        else:
            arr = arrs[0]
            parent = np.repeat(np.arange(len(part)), _lengths(arr))
            flat = arr.flatten()
            if self.kind == "map":
                values = [flat.field("key"), flat.field("value")]
            else:
                first = np.searchsorted(parent, np.arange(len(part)))
                pos = np.arange(len(parent)) - first[parent] if len(parent) else parent
                values = [flat, pa.array(pos, pa.int32())]
        out = {}
        for name, v, t in zip(self.var_names, values, self.var_types):
            out[name] = pd.Series(pd.arrays.ArrowExtensionArray(v.cast(t)))
        for c in self.outer:
            out[c] = part[c].iloc[parent].reset_index(drop=True)
        frame = pd.DataFrame(out, columns=self.var_names + self.outer)
        frame.index = part.index[parent]
        return frame


class _Nest:
    """Per partition: the body's values put back into one list (or map, or truth value) per row."""
    __name__ = "higher_order_nest"

    def __init__(self, kind: str, arrays: list[str], out_t: pa.DataType):
        self.kind, self.arrays, self.out_t = kind, arrays, out_t

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-hof-nest", self.kind, tuple(self.arrays), str(self.out_t))

    def __call__(self, part: pd.DataFrame, body: pd.Series) -> pd.Series:
        arrs = [_pa(part[a]) for a in self.arrays]
        vals = _pa(body) if len(body) else pa.array([], self.out_t.value_type
                                                    if hasattr(self.out_t, "value_type") else None)
        n = len(part)
        if self.kind == "mapzip":
            valid, parent, keys, _, _ = _map_union(arrs[0], arrs[1], self.out_t.key_type)
            lens = np.bincount(parent, minlength=n) if n else np.zeros(0, np.int64)
            offsets = pa.array(np.concatenate([[0], np.cumsum(lens)]), pa.int32())
            items = vals.cast(self.out_t.item_type) if len(vals) else pa.array([], self.out_t.item_type)
            out = pa.MapArray.from_arrays(offsets, keys, items, type=self.out_t, mask=pa.array(~valid))
        elif self.kind == "zip":
            a, b = arrs
            nulls = np.asarray(pc.or_(a.is_null(), b.is_null()))
            lens = np.where(nulls, 0, np.maximum(_lengths(a), _lengths(b)))
            out = _lists(lens, nulls, vals, self.out_t)
        else:
            arr = arrs[0]
            nulls = np.asarray(arr.is_null())
            lens = _lengths(arr)
            parent = np.repeat(np.arange(n), lens)
            if self.kind in ("transform", "transform_values", "transform_keys"):
                if self.kind == "transform":
                    out = _lists(lens, nulls, vals, self.out_t)
                else:
                    flat = arr.flatten()
                    keys = vals if self.kind == "transform_keys" else flat.field("key")
                    items = vals if self.kind == "transform_values" else flat.field("value")
                    if self.kind == "transform_keys":
                        _check_keys(keys, parent)
                    offsets = pa.array(np.concatenate([[0], np.cumsum(lens)]), pa.int32())
                    out = pa.MapArray.from_arrays(offsets, keys, items, type=self.out_t,
                                                  mask=pa.array(nulls))
            elif self.kind in ("filter", "map_filter"):
                keep = np.asarray(pc.fill_null(vals, False), dtype=bool) if len(vals) else \
                    np.zeros(0, bool)
                kept = np.bincount(parent[keep], minlength=n) if n else np.zeros(0, np.int64)
                flat = arr.flatten().filter(pa.array(keep))
                if self.kind == "filter":
                    out = _lists(kept, nulls, flat, self.out_t)
                else:
                    offsets = pa.array(np.concatenate([[0], np.cumsum(kept)]), pa.int32())
                    out = pa.MapArray.from_arrays(offsets, flat.field("key"), flat.field("value"),
                                                  type=self.out_t, mask=pa.array(nulls))
            else:  # exists / forall: Spark's three-valued any / all
                v = vals.to_numpy(zero_copy_only=False) if len(vals) else np.zeros(0, object)
                isnull = np.asarray(vals.is_null()) if len(vals) else np.zeros(0, bool)
                truth = np.where(isnull, False, v).astype(bool)
                trues = np.bincount(parent[truth], minlength=n)
                falses = np.bincount(parent[~truth & ~isnull], minlength=n)
                unknown = np.bincount(parent[isnull], minlength=n)
                if self.kind == "exists":
                    res = np.where(trues > 0, True, False)
                    mask = nulls | ((trues == 0) & (unknown > 0))
                else:
                    res = np.where(falses > 0, False, True)
                    mask = nulls | ((falses == 0) & (unknown > 0))
                out = pa.array(res, pa.bool_(), mask=mask)
        return pd.Series(pd.arrays.ArrowExtensionArray(out), index=part.index)


def _lists(lens: np.ndarray, nulls: np.ndarray, values: pa.Array, out_t: pa.DataType) -> pa.Array:
    offsets = pa.array(np.concatenate([[0], np.cumsum(lens)]).astype(np.int64), pa.int64())
    values = values.cast(out_t.value_type) if len(values) else pa.array([], out_t.value_type)
    return pa.LargeListArray.from_arrays(offsets, values, type=out_t, mask=pa.array(nulls))


def _check_keys(keys: pa.Array, parent: np.ndarray) -> None:
    if keys.null_count:
        raise AnalysisException("[NULL_MAP_KEY] Cannot use null as map key.", "NULL_MAP_KEY")
    seen = set()
    for p, k in zip(parent.tolist(), keys.to_pylist()):
        if (p, k) in seen:
            raise AnalysisException(
                f"[DUPLICATED_MAP_KEY] Duplicate map key {k} was found, please check the input "
                f"data.", "DUPLICATED_MAP_KEY")
        seen.add((p, k))


class HigherOrder(Expr):
    """A higher-order function over one array or map (two for ``zip_with``) and a lambda."""

    def __init__(self, name: str, args: list[Expr], lvars: list[LambdaVar], body: Expr):
        self.name = name
        self.lvars = tuple(lvars)
        self.children = tuple(args) + (body,)

    def sql(self) -> str:
        args, body = self.children[:-1], self.children[-1]
        lam = f"lambdafunction({body.sql()}, {', '.join(v.sql() for v in self.lvars)})"
        return f"{self.name}({', '.join(a.sql() for a in args)}, {lam})"

    def compile(self, ctx: Ctx) -> Typed:
        args, body = self.children[:-1], self.children[-1]
        typed = [a.compile(ctx) for a in args]
        want = T.MapType if self.name in ("map_filter", "transform_keys", "transform_values",
                                          "map_zip_with") else T.ArrayType
        for a, t in zip(args, typed):
            if not isinstance(t.dtype, want):
                raise AnalysisException(
                    f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{self.sql()}\" "
                    f"due to data type mismatch: the input {a.sql()} should be of "
                    f"{'MAP' if want is T.MapType else 'ARRAY'} type, but it's "
                    f"{t.dtype.simpleString().upper()}.", "DATATYPE_MISMATCH")
        kind = {"zip_with": "zip", "map_filter": "map", "transform_keys": "map",
                "transform_values": "map", "map_zip_with": "mapzip"}.get(self.name, "array")
        if kind == "mapzip":
            var_types = [self._zip_key_type(typed), typed[0].dtype.valueType,
                         typed[1].dtype.valueType]
            var_null = [False, True, True]
        elif kind == "zip":
            var_types = [typed[0].dtype.elementType, typed[1].dtype.elementType]
            var_null = [True, True]
        elif kind == "map":
            var_types = [typed[0].dtype.keyType, typed[0].dtype.valueType]
            var_null = [False, typed[0].dtype.valueContainsNull]
        else:
            var_types = [typed[0].dtype.elementType, T.IntegerType()]
            var_null = [typed[0].dtype.containsNull, False]
        outer = []
        for ref in _outer_refs(body, self.lvars):
            name = ctx.resolve(ref.name, ref.plan_id) if ref.literal \
                else ctx.resolve_path(ref.name, ref.plan_id)[0]
            if name not in outer:
                outer.append(name)
        arr_names = [f"__hof_arr{i}" for i in range(len(typed))]
        base = ctx.frame[outer] if outer else ctx.frame[[]]
        base = base.assign(**{n: ctx.broadcast(t) for n, t in zip(arr_names, typed)})
        var_names = [v.name for v in self.lvars]
        var_arrow = [T.to_arrow(t) for t in var_types][:len(var_names)]
        meta = pd.DataFrame({**{n: pd.Series([], dtype=pd.ArrowDtype(t))
                                for n, t in zip(var_names, var_arrow)},
                             **{c: base._meta[c] for c in outer}})
        exploded = base.map_partitions(_Explode(kind, arr_names, var_names, outer, var_arrow),
                                       meta=meta)
        fields = [T.StructField(n, t, nl) for n, t, nl in zip(var_names, var_types, var_null)]
        fields += [ctx.schema[c] for c in outer]
        inner = Ctx(exploded, T.StructType(fields), ctx.aliases, ctx.plan_ids)
        b = body.compile(inner)
        out_t, nullable = self._result_type(typed, b, body)
        values = inner.broadcast(b)
        if self.name in ("filter", "exists", "forall", "map_filter") and \
                not isinstance(b.dtype, (T.BooleanType, T.NullType)):
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{self.sql()}\" due to "
                f"data type mismatch: the lambda function should return BOOLEAN, but it returns "
                f"{b.dtype.simpleString().upper()}.", "DATATYPE_MISMATCH")
        arrow_t = T.to_arrow(out_t)
        nest = _Nest({"zip": "zip", "mapzip": "mapzip"}.get(kind, self.name), arr_names, arrow_t)
        series = base.map_partitions(nest, values, meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t)),
                                     align_dataframes=False)
        return Typed(series, out_t, nullable)

    def _zip_key_type(self, typed: list[Typed]) -> T.DataType:
        """``map_zip_with``'s key type: the two maps' key types made one (Spark widens numbers,
        and refuses keys it cannot compare)."""
        from ..coercion import common_type
        k1, k2 = typed[0].dtype.keyType, typed[1].dtype.keyType
        try:
            return common_type([k1, k2], "map_zip_with")
        except AnalysisException:
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.MAP_ZIP_WITH_DIFF_TYPES] Cannot resolve \"{self.sql()}\" due "
                f"to data type mismatch: Input to the map_zip_with should have been two maps "
                f"with compatible key types, but it's [\"{k1.simpleString().upper()}\", "
                f"\"{k2.simpleString().upper()}\"].", "DATATYPE_MISMATCH") from None

    def _result_type(self, typed: list[Typed], b: Typed, body: Expr) -> tuple[T.DataType, bool]:
        src = typed[0].dtype
        nullable = any(t.nullable for t in typed)
        if self.name in ("exists", "forall"):
            return T.BooleanType(), True
        if self.name == "filter":
            return src, nullable
        if self.name == "map_filter":
            return src, nullable
        bt = T.StringType() if isinstance(b.dtype, T.NullType) else b.dtype
        if self.name == "transform_values":
            return T.MapType(src.keyType, bt, b.nullable), nullable
        if self.name == "transform_keys":
            return T.MapType(bt, src.valueType, src.valueContainsNull), nullable
        if self.name == "map_zip_with":
            return T.MapType(self._zip_key_type(typed), bt, b.nullable), nullable
        return T.ArrayType(bt, b.nullable), nullable


def _hof(name: str, cols: list[Any], f: Callable, names: list[str], allowed: tuple[int, ...]) -> Column:
    lvars, body = _lambda(f, names, allowed, name)
    return Column(HigherOrder(name, [col_expr(c) for c in cols], lvars, body))


def transform(col: Any, f: Callable) -> Column:
    """Each element through ``f(x)`` or ``f(x, i)`` (``i`` its 0-based position)."""
    return _hof("transform", [col], f, ["x", "i"], (1, 2))


def filter(col: Any, f: Callable) -> Column:  # noqa: A001 - Spark's name
    """The elements for which ``f(x)`` (or ``f(x, i)``) is true."""
    return _hof("filter", [col], f, ["x", "i"], (1, 2))


def exists(col: Any, f: Callable) -> Column:
    """Whether ``f(x)`` holds for some element (null if none does and some are unknown)."""
    return _hof("exists", [col], f, ["x"], (1,))


def forall(col: Any, f: Callable) -> Column:
    """Whether ``f(x)`` holds for every element (null if none fails and some are unknown)."""
    return _hof("forall", [col], f, ["x"], (1,))


def zip_with(left: Any, right: Any, f: Callable) -> Column:
    """``f(x, y)`` over two arrays position by position; the shorter is padded with nulls."""
    return _hof("zip_with", [left, right], f, ["x", "y"], (2,))


def map_filter(col: Any, f: Callable) -> Column:
    """The entries of a map for which ``f(k, v)`` is true."""
    return _hof("map_filter", [col], f, ["k", "v"], (2,))


def transform_keys(col: Any, f: Callable) -> Column:
    """A map with each key replaced by ``f(k, v)`` (a null or repeated key is Spark's error)."""
    return _hof("transform_keys", [col], f, ["k", "v"], (2,))


def transform_values(col: Any, f: Callable) -> Column:
    """A map with each value replaced by ``f(k, v)``."""
    return _hof("transform_values", [col], f, ["k", "v"], (2,))


def map_zip_with(col1: Any, col2: Any, f: Callable) -> Column:
    """Two maps merged key by key: each key of either map gets ``f(k, v1, v2)``, a value a map
    lacks being null (null when either map is null)."""
    return _hof("map_zip_with", [col1, col2], f, ["k", "v1", "v2"], (3,))
