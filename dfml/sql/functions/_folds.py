"""Higher-order functions whose lambda runs in sequence or over pairs: ``aggregate``/``reduce``
(a fold from an initial value, with an optional ``finish``) and ``array_sort`` with or without
a comparator.

A fold's steps depend on each other, so it cannot be one exploded frame as ``transform`` is.
Each partition runs it itself: step ``k`` takes the rows whose array has a ``k``-th element,
puts the accumulator, that element and the outer columns the lambda reads into a small frame,
and evaluates the lambda's body over it as any expression (Spark's types, nulls and NaN),
so a partition costs one evaluation per position of its longest array. A comparator is
evaluated once per partition over every ordered pair of each array's elements, then each
array is sorted with those answers. Result types come from compiling the bodies once over
empty stand-ins when the plan is built.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import types as T
from ..column import Column, ColumnRef, Ctx, Expr, Typed
from ..errors import AnalysisException, SparkException
from ._common import col_expr, lit_expr
from ._higher_order import LambdaVar, make_lambda, outer_refs

__all__ = ["aggregate", "reduce", "array_sort"]


def _arrow(part: pd.Series) -> pa.Array:
    arr = pa.array(part.array) if not isinstance(part.dtype, pd.ArrowDtype) \
        else part.array._pa_array.combine_chunks()
    return arr


def _series(arr: pa.Array, index: Any) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=index)


def _evaluate(body: Expr, cols: dict[str, pa.Array], fields: list[T.StructField],
              out_t: T.DataType) -> pa.Array:
    """``body`` over the columns given (one partition's worth), as an Arrow array."""
    import dask.dataframe as dd
    n = len(next(iter(cols.values()))) if cols else 0
    frame = pd.DataFrame({k: _series(v, pd.RangeIndex(n)) for k, v in cols.items()})
    ctx = Ctx(dd.from_pandas(frame, npartitions=1, sort=False), T.StructType(fields))
    t = body.compile(ctx)
    arrow_t = T.to_arrow(out_t)
    if t.is_scalar:
        return pa.array([t.value] * n, arrow_t)
    s = t.value.compute(scheduler="sync")
    return (pa.array(s.array) if not isinstance(s.dtype, pd.ArrowDtype)
            else s.array._pa_array.combine_chunks()).cast(arrow_t)


def _stand_in(body: Expr, fields: list[T.StructField]) -> Typed:
    """The body compiled over an empty frame of the given columns: its type, nothing run."""
    import dask.dataframe as dd
    frame = pd.DataFrame({f.name: pd.Series([], dtype=pd.ArrowDtype(T.to_arrow(f.dataType)))
                          for f in fields})
    return body.compile(Ctx(dd.from_pandas(frame, npartitions=1), T.StructType(fields)))


def _outer(ctx: Ctx, bodies: list[Expr], lvars: tuple[LambdaVar, ...]) -> list[str]:
    names: list[str] = []
    for body in bodies:
        for ref in outer_refs(body, lvars):
            name = ctx.resolve(ref.name, ref.plan_id) if ref.literal \
                else ctx.resolve_path(ref.name, ref.plan_id)[0]
            if name not in names:
                names.append(name)
    return names


def _mismatch(what: str, sql: str, detail: str) -> AnalysisException:
    return AnalysisException(f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{sql}" '
                             f'due to data type mismatch: {detail}', "DATATYPE_MISMATCH")


class _FoldKernel:
    """Per partition: the fold of each row's array, then ``finish`` of the accumulator."""
    __name__ = "aggregate_fold"

    def __init__(self, merge: Expr, finish: Expr | None, acc: str, elem: str, done: str,
                 outer_fields: list[T.StructField], acc_t: T.DataType, elem_t: T.DataType,
                 out_t: T.DataType):
        self.merge, self.finish, self.acc, self.elem, self.done = merge, finish, acc, elem, done
        self.outer_fields, self.acc_t, self.elem_t, self.out_t = outer_fields, acc_t, elem_t, out_t

    def __dask_tokenize__(self) -> tuple:
        from dask.base import tokenize
        return ("dfml-fold", tokenize(self.merge), tokenize(self.finish), self.acc, self.elem,
                self.done, str(self.out_t))

    def __call__(self, part: pd.DataFrame) -> pd.Series:
        arr, init = _arrow(part["__fold_arr"]), _arrow(part["__fold_init"]).cast(T.to_arrow(self.acc_t))
        outer = {f.name: _arrow(part[f.name]) for f in self.outer_fields}
        lens = np.diff(np.asarray(arr.offsets)).astype(np.int64)
        nulls = np.asarray(arr.is_null())
        lens[nulls] = 0
        starts = np.asarray(arr.offsets)[:-1]
        acc = init
        fields = [T.StructField(self.acc, self.acc_t), T.StructField(self.elem, self.elem_t)] \
            + self.outer_fields
        for k in range(int(lens.max()) if len(lens) else 0):
            rows = np.nonzero(lens > k)[0]
            take = pa.array(rows)
            cols = {self.acc: acc.take(take), self.elem: arr.values.take(pa.array(starts[rows] + k))}
            cols.update({n: v.take(take) for n, v in outer.items()})
            stepped = _evaluate(self.merge, cols, fields, self.acc_t)
            merged = acc.to_pylist()
            for r, v in zip(rows.tolist(), stepped.to_pylist()):
                merged[r] = v
            acc = pa.array(merged, T.to_arrow(self.acc_t))
        if self.finish is not None:
            fields = [T.StructField(self.done, self.acc_t)] + self.outer_fields
            acc = _evaluate(self.finish, {self.done: acc, **outer}, fields, self.out_t)
        out = pa.array(acc.to_pylist(), T.to_arrow(self.out_t), mask=nulls)
        return _series(out, part.index)


class Fold(Expr):
    """``aggregate(array, init, merge[, finish])``: Spark's left fold over an array."""

    def __init__(self, name: str, array: Expr, init: Expr, merge_vars: list[LambdaVar],
                 merge: Expr, finish_vars: list[LambdaVar], finish: Expr | None):
        self.name = name
        self.merge_vars, self.finish_vars = tuple(merge_vars), tuple(finish_vars)
        self.children = (array, init, merge) + ((finish,) if finish is not None else ())

    def _lambdas(self) -> list[str]:
        body = self.children[2]
        out = [f"lambdafunction({body.sql()}, {', '.join(v.sql() for v in self.merge_vars)})"]
        finish = self.children[3] if len(self.children) > 3 else None
        if finish is not None:
            out.append(f"lambdafunction({finish.sql()}, {self.finish_vars[0].sql()})")
        else:  # Spark prints the identity finish it adds
            out.append("lambdafunction(namedlambdavariable(), namedlambdavariable())")
        return out

    def sql(self) -> str:
        arr, init = self.children[:2]
        return f"{self.name}({arr.sql()}, {init.sql()}, {', '.join(self._lambdas())})"

    def compile(self, ctx: Ctx) -> Typed:
        arr_e, init_e, merge = self.children[:3]
        finish = self.children[3] if len(self.children) > 3 else None
        arr, init = arr_e.compile(ctx), init_e.compile(ctx)
        if not isinstance(arr.dtype, T.ArrayType):
            raise _mismatch(self.name, self.sql(), f"the input {arr_e.sql()} should be of ARRAY "
                            f"type, but it's {arr.dtype.simpleString().upper()}.")
        acc_t = T.IntegerType() if isinstance(init.dtype, T.NullType) else init.dtype
        elem_t = arr.dtype.elementType
        all_vars = self.merge_vars + self.finish_vars
        outer = _outer(ctx, [b for b in (merge, finish) if b is not None], all_vars)
        outer_fields = [ctx.schema[c] for c in outer]
        acc_n, elem_n = self.merge_vars[0].name, self.merge_vars[1].name
        m = _stand_in(merge, [T.StructField(acc_n, acc_t), T.StructField(elem_n, elem_t)] + outer_fields)
        if m.dtype.simpleString() == acc_t.simpleString():
            acc_t = m.dtype  # the same type; the merge's nullability (a struct's fields) wins
        elif not isinstance(m.dtype, T.NullType):
            raise _mismatch(self.name, self.sql(), f"the merge lambda should return "
                            f'"{acc_t.simpleString().upper()}" (the initial value\'s type), but '
                            f'it returns "{m.dtype.simpleString().upper()}".')
        done_n = self.finish_vars[0].name if finish is not None else "__fold_done"
        out_t = acc_t
        if finish is not None:
            f = _stand_in(finish, [T.StructField(done_n, acc_t)] + outer_fields)
            out_t = T.StringType() if isinstance(f.dtype, T.NullType) else f.dtype
        base = ctx.frame[outer] if outer else ctx.frame[[]]
        base = base.assign(__fold_arr=ctx.broadcast(arr), __fold_init=ctx.broadcast(init))
        kernel = _FoldKernel(merge, finish, acc_n, elem_n, done_n, outer_fields, acc_t, elem_t, out_t)
        series = base.map_partitions(kernel, meta=pd.Series([], dtype=pd.ArrowDtype(T.to_arrow(out_t))))
        return Typed(series, out_t, True)


def _fold(name: str, col: Any, initialValue: Any, merge: Callable, finish: Callable | None) -> Column:
    mvars, mbody = make_lambda(merge, ["acc", "x"], (2,), name)
    fvars, fbody = make_lambda(finish, ["acc"], (1,), name) if finish is not None else ([], None)
    return Column(Fold(name, col_expr(col), lit_expr(initialValue) if not isinstance(initialValue, str)
                       else col_expr(initialValue), mvars, mbody, fvars, fbody))


def aggregate(col: Any, initialValue: Any, merge: Callable, finish: Callable | None = None) -> Column:  # noqa: N803
    """The array folded left from ``initialValue`` with ``merge(acc, x)``, then ``finish(acc)``
    if given; null for a null array, ``finish(initialValue)`` for an empty one. ``merge`` must
    return the initial value's type (Spark's rule)."""
    return _fold("aggregate", col, initialValue, merge, finish)


def reduce(col: Any, initialValue: Any, merge: Callable, finish: Callable | None = None) -> Column:  # noqa: N803
    """Spark's ``reduce``: ``aggregate`` under its other name."""
    return _fold("reduce", col, initialValue, merge, finish)


# ---------------------------------------------------------------------------- array_sort
_DEFAULT_CMP = ("lambdafunction((IF(((namedlambdavariable() IS NULL) AND (namedlambdavariable() IS "
                "NULL)), 0, (IF((namedlambdavariable() IS NULL), 1, (IF((namedlambdavariable() IS "
                "NULL), -1, (IF((namedlambdavariable() < namedlambdavariable()), -1, "
                "(IF((namedlambdavariable() > namedlambdavariable()), 1, 0)))))))))), "
                "namedlambdavariable(), namedlambdavariable())")


class _SortKernel:
    """Per partition: each array sorted by the comparator's answers for its pairs."""
    __name__ = "array_sort_cmp"

    def __init__(self, body: Expr | None, left: str, right: str, outer_fields: list[T.StructField],
                 elem_t: T.DataType, arr_t: T.DataType):
        self.body, self.left, self.right = body, left, right
        self.outer_fields, self.elem_t, self.arr_t = outer_fields, elem_t, arr_t

    def __dask_tokenize__(self) -> tuple:
        from dask.base import tokenize
        return ("dfml-array-sort", tokenize(self.body), self.left, self.right, str(self.arr_t))

    def __call__(self, part: pd.DataFrame) -> pd.Series:
        arr = _arrow(part["__sort_arr"])
        lists = arr.to_pylist()
        if self.body is None:
            from ..nan_rules import order_key
            out = [None if xs is None else
                   sorted((x for x in xs if x is not None), key=order_key)
                   + [None] * sum(x is None for x in xs) for xs in lists]
            return _series(pa.array(out, T.to_arrow(self.arr_t)), part.index)
        rows, li, ri = [], [], []
        for r, xs in enumerate(lists):
            n = len(xs or [])
            if n > 1:
                a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
                rows.extend([r] * (n * n))
                li.extend(a.ravel().tolist())
                ri.extend(b.ravel().tolist())
        answers: dict = {}
        if rows:
            flat = [lists[r][i] for r, i in zip(rows, li)], [lists[r][j] for r, j in zip(rows, ri)]
            et = T.to_arrow(self.elem_t)
            cols = {self.left: pa.array(flat[0], et), self.right: pa.array(flat[1], et)}
            take = pa.array(rows)
            cols.update({f.name: _arrow(part[f.name]).take(take) for f in self.outer_fields})
            fields = [T.StructField(self.left, self.elem_t), T.StructField(self.right, self.elem_t)] \
                + self.outer_fields
            got = _evaluate(self.body, cols, fields, T.IntegerType()).to_pylist()
            answers = {(r, i, j): v for r, i, j, v in zip(rows, li, ri, got)}
        out = []
        for r, xs in enumerate(lists):
            if xs is None:
                out.append(None)
                continue

            def cmp(i: int, j: int, r: int = r) -> int:
                v = answers.get((r, i, j), 0)
                if v is None:
                    raise SparkException("[COMPARATOR_RETURNS_NULL] The comparator has returned a "
                                         "NULL for a comparison; it should return a positive "
                                         "integer for \"greater than\", 0 for \"equal\" and a "
                                         "negative integer for \"less than\". SQLSTATE: 22004")
                return v
            order = sorted(range(len(xs)), key=functools.cmp_to_key(cmp))
            out.append([xs[i] for i in order])
        return _series(pa.array(out, T.to_arrow(self.arr_t)), part.index)


class ArraySort(Expr):
    """``array_sort(array[, comparator])``: ascending with nulls last, or by the comparator."""

    def __init__(self, array: Expr, lvars: list[LambdaVar], body: Expr | None):
        self.lvars = tuple(lvars)
        self.children = (array,) + ((body,) if body is not None else ())

    def sql(self) -> str:
        arr = self.children[0]
        if len(self.children) == 1:
            return f"array_sort({arr.sql()}, {_DEFAULT_CMP})"
        body = self.children[1]
        return (f"array_sort({arr.sql()}, lambdafunction({body.sql()}, "
                f"{', '.join(v.sql() for v in self.lvars)}))")

    def compile(self, ctx: Ctx) -> Typed:
        arr_e = self.children[0]
        body = self.children[1] if len(self.children) > 1 else None
        arr = arr_e.compile(ctx)
        if not isinstance(arr.dtype, T.ArrayType):
            raise _mismatch("array_sort", self.sql(), f"the input {arr_e.sql()} should be of "
                            f"ARRAY type, but it's {arr.dtype.simpleString().upper()}.")
        elem_t = arr.dtype.elementType
        outer = _outer(ctx, [body], self.lvars) if body is not None else []
        outer_fields = [ctx.schema[c] for c in outer]
        left = self.lvars[0].name if body is not None else ""
        right = self.lvars[1].name if body is not None else ""
        if body is not None:
            b = _stand_in(body, [T.StructField(left, elem_t), T.StructField(right, elem_t)] + outer_fields)
            if not isinstance(b.dtype, (T.IntegerType, T.NullType)):
                raise _mismatch("array_sort", self.sql(), "the comparator should return INT, but "
                                f"it returns {b.dtype.simpleString().upper()}.")
        base = ctx.frame[outer] if outer else ctx.frame[[]]
        base = base.assign(__sort_arr=ctx.broadcast(arr))
        kernel = _SortKernel(body, left, right, outer_fields, elem_t, arr.dtype)
        series = base.map_partitions(kernel, meta=pd.Series([], dtype=pd.ArrowDtype(T.to_arrow(arr.dtype))))
        return Typed(series, arr.dtype, arr.nullable)


def array_sort(col: Any, comparator: Callable | None = None) -> Column:
    """The array sorted ascending with nulls last (NaN above every number), or in the order
    ``comparator(l, r)`` gives (negative, 0, positive; a null answer is Spark's error)."""
    if comparator is None:
        return Column(ArraySort(col_expr(col), [], None))
    lvars, body = make_lambda(comparator, ["l", "r"], (2,), "array_sort")
    return Column(ArraySort(col_expr(col), lvars, body))
