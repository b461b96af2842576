"""Joins and set operations as dask merges, with Spark's null semantics.

Spark never matches a null join key; pandas merges null keys with each other. Every join
therefore adds one more key, ``__nk``: 0 on rows whose keys are all present, 1 on left rows and
2 on right rows with a null key, so null-keyed rows can never meet, while outer joins still keep
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from . import types as T
from .column import Column, ColumnRef, Comparison, Expr, Logical, cast_to, common_type
from . import join_names
from .errors import AnalysisException

if TYPE_CHECKING:
    from .dataframe import DataFrame

_VALID = ("inner, cross, outer, full, fullouter, full_outer, left, leftouter, left_outer, right, "
          "rightouter, right_outer, semi, leftsemi, left_semi, anti, leftanti, left_anti")


_JOIN_TYPES = {
    "inner": "inner", "cross": "cross", "outer": "outer", "full": "outer", "fullouter": "outer",
    "full_outer": "outer", "left": "left", "leftouter": "left", "left_outer": "left",
    "right": "right", "rightouter": "right", "right_outer": "right", "semi": "left_semi",
    "leftsemi": "left_semi", "left_semi": "left_semi", "anti": "left_anti",
    "leftanti": "left_anti", "left_anti": "left_anti",
}


def join_kind(how: str | None) -> str:
    key = (how or "inner").lower().replace(" ", "")
    if key not in _JOIN_TYPES:
        raise ValueError(f"[UNSUPPORTED_JOIN_TYPE] Unsupported join type '{how}'. Supported join "
                         f"types include: {_VALID}.")
    return _JOIN_TYPES[key]


def _null_flag(frame: Any, cols: list[str], marker: int) -> Any:
    return _any_null(frame, cols).astype("int8") * marker


def _any_null(frame: Any, cols: list[str]) -> Any:
    flag = None
    for c in cols:
        isna = frame[c].isna()
        flag = isna if flag is None else (flag | isna)
    return flag


def align_types(lf: Any, rf: Any, lcols: list[str], rcols: list[str],
                what: Callable[[str, str], str]) -> tuple[Any, Any]:
    """``lf[lcols]`` and ``rf[rcols]``, pairwise, cast to their common type (Spark's widening;
    ``what(l, r)`` names the pair in the error when there is none)."""
    lcast, rcast = {}, {}
    for lc, rc in zip(lcols, rcols):
        lt, rt = T.from_dtype(lf._meta[lc].dtype), T.from_dtype(rf._meta[rc].dtype)
        if lt != rt:
            ct = common_type([lt, rt], what(lc, rc))
            if ct != lt:
                lcast[lc] = T.to_dtype(ct)
            if ct != rt:
                rcast[rc] = T.to_dtype(ct)
        elif lf._meta[lc].dtype != rf._meta[rc].dtype:
            # one type whose Arrow forms differ in nested nullability (a struct's "not null"
            # fields): both to the form allowing nulls, or dask's concat falls back to objects
            loose = T.to_dtype(lt)
            if lf._meta[lc].dtype != loose:
                lcast[lc] = loose
            if rf._meta[rc].dtype != loose:
                rcast[rc] = loose
    return (lf.astype(lcast) if lcast else lf), (rf.astype(rcast) if rcast else rf)


def _align_key_types(lf: Any, rf: Any, lcols: list[str], rcols: list[str]) -> tuple[Any, Any]:
    return align_types(lf, rf, lcols, rcols, lambda l, r: f"join keys `{l}` and `{r}`")


def _merge(left: "DataFrame", lf: Any, rf: Any, lkeys: list[str], rkeys: list[str], kind: str,
           broadcast: bool = False) -> Any:
    kwargs = {"broadcast": True} if broadcast else _shuffle_kwargs(left, lf, rf)
    if kind != "outer":
        # a null key never matches (pandas would match null with null): a side whose unmatched
        # rows are dropped anyway loses its null-key rows before the merge, which then needs
        # no extra key; an outer join keeps both sides' and tells them apart with a flag
        if kind in ("inner", "right"):
            lf = lf[~_any_null(lf, lkeys)]
        if kind in ("inner", "left"):
            rf = rf[~_any_null(rf, rkeys)]
        return _merge_on(lf, rf, lkeys, rkeys, kind, kwargs)
    lf = lf.assign(__nk=_null_flag(lf, lkeys, 1))
    rf = rf.assign(__nk=_null_flag(rf, rkeys, 2))
    return _merge_on(lf, rf, lkeys + ["__nk"], rkeys + ["__nk"], kind, kwargs).drop(columns=["__nk"])


def _merge_on(lf: Any, rf: Any, lkeys: list[str], rkeys: list[str], kind: str,
              kwargs: dict[str, Any]) -> Any:
    if lkeys == rkeys:  # one column per key in the result, as Spark's USING join has
        return lf.merge(rf, on=lkeys, how=kind, **kwargs)
    return lf.merge(rf, left_on=lkeys, right_on=rkeys, how=kind, **kwargs)


def _shuffle_kwargs(left: "DataFrame", lf: Any, rf: Any) -> dict[str, Any]:
    """dask's task-based shuffle for a join on a local session whose sides have at most
    ``_TASK_SHUFFLE_MAX`` partitions, else dask's default (P2P). On one machine the task
    shuffle's in-memory splits and concatenations beat P2P's barrier, disk buffers and Arrow
    round trip: TPC-H Q3 ran in 0.75x the time at SF1 and SF10 (80 files a table). Past that
    size, and on a cluster, P2P keeps each worker's memory bounded."""
    if not str(left._session.master or "local").startswith("local"):
        return {}
    if max(lf.npartitions, rf.npartitions) > _TASK_SHUFFLE_MAX:
        return {}
    return {"shuffle_method": "tasks"}


_TASK_SHUFFLE_MAX = 96


def _broadcast(right: "DataFrame", kind: str) -> bool:
    """The ``broadcast`` hint is accepted but not passed on: dask's broadcast merge hung on this
    stack (dask 2026.8) in our tests, and dask already broadcasts a side with few partitions."""
    return False


def sides(left: "DataFrame", right: "DataFrame") -> tuple[int, int]:
    """Tags for the two sides of a join (made once per join, before its build runs twice):
    columns both sides have are kept apart under names carrying these (``join_names``)."""
    return (join_names.new_side(left._plan.lineage(), left._aliases()),
            join_names.new_side(right._plan.lineage(), right._aliases()))


def _nullable(df: "DataFrame", force: bool, renames: dict[str, str] | None = None) -> dict[str, bool]:
    renames = renames or {}
    return {renames.get(c, c): (True if force else df._nullable.get(c, True)) for c in df._names}


def _joined(left: "DataFrame", right: "DataFrame", frame: Any, nullable: dict[str, bool],
            lren: dict[str, str], rren: dict[str, str]) -> "DataFrame":
    """The result of a join as a source standing for both inputs: ``left["k"]``, ``right["k"]``
    and both sides' aliases resolve against it."""
    from .plan import Source
    schema = T.inherit_fields(T.schema_of_meta(frame._meta, nullable),
                              [_renamed_schema(left, lren), _renamed_schema(right, rren)])
    lineage = left._plan.lineage() | right._plan.lineage()
    plan = Source(schema=schema, frame=frame, paths=left._sources + right._sources,
                  lineage_ids=lineage, join_aliases=left._aliases() + right._aliases())
    return type(left)._from_plan(plan, left._session)


def _renamed_schema(df: "DataFrame", renames: dict[str, str]) -> T.StructType:
    return T.StructType([T.StructField(renames.get(f.name, f.name), f.dataType, f.nullable,
                                       f.metadata) for f in df._schema.fields])


def join(left: "DataFrame", right: "DataFrame", on: Any, how: str | None,
         tags: tuple[int, int]) -> "DataFrame":
    kind = join_kind(how)
    if on is None or (isinstance(on, (list, tuple)) and not on):
        if kind not in ("inner", "cross"):
            raise AnalysisException(f"a {kind} join needs a join condition (on=...)")
        return _cross(left, right, tags)
    if kind == "cross":
        kind = "inner"
    if isinstance(on, str):
        on = [on]
    if isinstance(on, (list, tuple)) and all(isinstance(x, str) for x in on):
        return _using_join(left, right, list(on), kind, tags)
    if isinstance(on, Column):
        on = [on]
    if isinstance(on, (list, tuple)) and all(isinstance(x, Column) for x in on):
        cond: Expr = on[0]._expr
        for c in on[1:]:
            cond = Logical("AND", cond, c._expr)
        return _condition_join(left, right, cond, kind, tags)
    raise TypeError(f"join(): on must be a column name, a list of names or a Column, got {on!r}")


def _using_join(left: "DataFrame", right: "DataFrame", keys: list[str], kind: str,
                tags: tuple[int, int]) -> "DataFrame":
    lctx, rctx = left._ctx(), right._ctx()
    lkeys = [lctx.resolve(k) for k in keys]
    rkeys = [rctx.resolve(k) for k in keys]
    lf, rf = left._frame, right._frame
    if lkeys != rkeys:
        rf = rf.rename(columns=dict(zip(rkeys, lkeys)))
    lf, rf = _align_key_types(lf, rf, lkeys, lkeys)
    lrest = [c for c in left._names if c not in lkeys]
    rrest = [c for c in right._names if c not in rkeys]
    if kind in ("left_semi", "left_anti"):
        out = _semi_anti(left, lf, rf[lkeys], lkeys, lkeys, kind)
        return left._new(out._frame[lkeys + lrest], keep_alias=False)  # keys first, as USING does
    lren = join_names.side_renames(lrest, rrest, tags[0])
    rren = join_names.side_renames(rrest, lrest, tags[1])
    lf, rf = lf.rename(columns=lren), rf.rename(columns=rren)
    merged = _merge(left, lf, rf, lkeys, lkeys, kind, _broadcast(right, kind))
    merged = merged[lkeys + [lren.get(c, c) for c in lrest] + [rren.get(c, c) for c in rrest]]
    nullable = {}
    nullable.update(_nullable(right, kind in ("left", "outer"), rren))
    nullable.update(_nullable(left, kind in ("right", "outer"), lren))
    for k in lkeys:
        nullable[k] = left._nullable.get(k, True) or right._nullable.get(k, True) \
            if kind == "outer" else nullable.get(k, True)
    return _joined(left, right, merged, nullable, lren, rren)


def _semi_anti(left: "DataFrame", lf: Any, rkeys_frame: Any, lkeys: list[str], rkeys: list[str],
               kind: str) -> "DataFrame":
    rk = [f"__rk{i}" for i in range(len(rkeys))]
    renamed = rkeys_frame.rename(columns=dict(zip(rkeys, rk))).dropna()
    shuffle = _shuffle_kwargs(left, lf, renamed)
    renamed = renamed.drop_duplicates(subset=rk, **shuffle).assign(__hit=1)
    marked = lf.merge(renamed, left_on=lkeys, right_on=rk, how="left", **shuffle)
    hit = marked["__hit"].notnull()
    if kind == "left_anti":
        hit = ~hit
    # a null key never matches: anti keeps such rows, semi drops them
    out = marked[hit][list(lf.columns)]
    return left._new(out, keep_alias=False)


def _apart(left: "DataFrame", right: "DataFrame", lf: Any, rf: Any,
           tags: tuple[int, int]) -> tuple[Any, Any, list[str], dict[str, str], dict[str, str]]:
    """Both sides' frames with the columns they share renamed apart, the output column order,
    and the renames of each side."""
    lren = join_names.side_renames(left._names, right._names, tags[0])
    rren = join_names.side_renames(right._names, left._names, tags[1])
    order = [lren.get(c, c) for c in left._names] + [rren.get(c, c) for c in right._names]
    return lf.rename(columns=lren), rf.rename(columns=rren), order, lren, rren


def _cross(left: "DataFrame", right: "DataFrame", tags: tuple[int, int]) -> "DataFrame":
    lf, rf, order, lren, rren = _apart(left, right, left._frame.assign(__cj=1),
                                       right._frame.assign(__cj=1), tags)
    merged = lf.merge(rf, on="__cj", how="inner").drop(columns=["__cj"])
    nullable = {**_nullable(left, False, lren), **_nullable(right, False, rren)}
    return _joined(left, right, merged[order], nullable, lren, rren)


def _conjuncts(e: Expr) -> list[Expr]:
    if isinstance(e, Logical) and e.op == "AND":
        return _conjuncts(e.children[0]) + _conjuncts(e.children[1])
    return [e]


def _side(e: Expr, left: "DataFrame", right: "DataFrame") -> str | None:
    """'l', 'r', 'both' or None (no column) for the columns ``e`` refers to."""
    sides = set()
    for node in e.walk():
        if not isinstance(node, ColumnRef):
            continue
        if node.plan_id is not None and node.plan_id in left._plan.lineage() \
                and node.plan_id not in right._plan.lineage():
            sides.add("l")
        elif node.plan_id is not None and node.plan_id in right._plan.lineage() \
                and node.plan_id not in left._plan.lineage():
            sides.add("r")
        else:
            name = node.name
            if "." in name and not name.startswith("`"):
                qual = name.split(".", 1)[0]
                if qual in left._aliases() and qual not in right._aliases():
                    sides.add("l")
                    continue
                if qual in right._aliases() and qual not in left._aliases():
                    sides.add("r")
                    continue
            in_l = _has(left, node)
            in_r = _has(right, node)
            if in_l and in_r:
                raise AnalysisException(
                    f"[AMBIGUOUS_REFERENCE] Reference `{name}` is ambiguous: both join inputs have "
                    f"it. Use df[\"{name}\"] of one side or alias the inputs.", "AMBIGUOUS_REFERENCE")
            if not in_l and not in_r:
                from .errors import unresolved_column
                raise unresolved_column(name, left.columns + right.columns)
            sides.add("l" if in_l else "r")
    if not sides:
        return None
    return sides.pop() if len(sides) == 1 else "both"


def _has(df: "DataFrame", node: ColumnRef) -> bool:
    try:
        ColumnRef(node.name, literal=node.literal).compile(df._ctx())
        return True
    except AnalysisException:
        return False


def _condition_join(left: "DataFrame", right: "DataFrame", cond: Expr, kind: str,
                    tags: tuple[int, int]) -> "DataFrame":
    lctx, rctx = left._ctx(), right._ctx()
    lassign: dict[str, Any] = {}
    rassign: dict[str, Any] = {}
    residual: list[Expr] = []
    for part in _conjuncts(cond):
        if isinstance(part, Comparison) and part.op == "=":
            a, b = part.children
            sa, sb = _side(a, left, right), _side(b, left, right)
            if {sa, sb} == {"l", "r"}:
                le, re_ = (a, b) if sa == "l" else (b, a)
                lt, rt = le.compile(lctx), re_.compile(rctx)
                ct = common_type([lt.dtype, rt.dtype], part.sql())
                i = len(lassign)
                lassign[f"__lk{i}"] = lctx.broadcast(cast_to(lt, ct))
                rassign[f"__rk{i}"] = rctx.broadcast(cast_to(rt, ct))
                continue
        _side(part, left, right)  # validates names
        residual.append(part)
    if not lassign:
        if kind != "inner":
            raise NotImplementedError(f"a {kind} join needs at least one equality between the two "
                                      f"sides; non-equi outer joins are not supported yet")
        joined = _cross(left, right, tags)
    else:
        if residual and kind != "inner":
            raise NotImplementedError(f"a {kind} join with non-equality conditions is not supported "
                                      f"yet: {' AND '.join(r.sql() for r in residual)}")
        lkeys, rkeys = list(lassign), list(rassign)
        if kind in ("left_semi", "left_anti"):
            lf = left._frame.assign(**lassign)
            rf = right._frame.assign(**rassign)[rkeys]
            out = _semi_anti(left, lf, rf, lkeys, rkeys, kind)
            return left._new(out._frame[left._names], keep_alias=False)
        lf, rf, order, lren, rren = _apart(left, right, left._frame.assign(**lassign),
                                           right._frame.assign(**rassign), tags)
        merged = _merge(left, lf, rf, lkeys, rkeys, kind, _broadcast(right, kind))
        nullable = {**_nullable(left, kind in ("right", "outer"), lren),
                    **_nullable(right, kind in ("left", "outer"), rren)}
        joined = _joined(left, right, merged[order], nullable, lren, rren)
    for r in residual:
        joined = joined.filter(Column(r))
    return joined


def set_operation(left: "DataFrame", right: "DataFrame", kind: str) -> "DataFrame":
    """INTERSECT / EXCEPT (distinct) and their ALL forms (``except_all``, ``intersect_all``:
    multisets, a row kept as many times as the difference or the smaller of its two counts),
    where nulls compare equal, unlike in joins."""
    if len(left.columns) != len(right.columns):
        raise AnalysisException(f"[NUM_COLUMNS_MISMATCH] {kind.upper()} can only be performed on "
                                f"inputs with the same number of columns, but the first input has "
                                f"{len(left.columns)} columns and the second {len(right.columns)}.",
                                "NUM_COLUMNS_MISMATCH")
    cols = left._names
    rf = right._frame.rename(columns=dict(zip(right._names, cols)))
    lf, rf = _align_key_types(left._frame, rf, cols, cols)
    if kind.endswith("_all"):
        return left._new(_multiset(lf, rf, cols, kind), keep_alias=False)
    rdist = rf.drop_duplicates(subset=cols).assign(__hit=1)
    marked = lf.drop_duplicates(subset=cols).merge(rdist, on=cols, how="left")
    hit = marked["__hit"].notnull()
    keep = hit if kind == "intersect" else ~hit
    return left._new(marked[keep][cols], keep_alias=False)


def _multiset(lf: Any, rf: Any, cols: list[str], kind: str) -> Any:
    """EXCEPT ALL / INTERSECT ALL: count each distinct row on both sides (one groupby each, nulls
    as values), then repeat the row as many times as the rule gives."""
    lcount = lf.assign(__n=1).groupby(cols, dropna=False)["__n"].sum().reset_index()
    rcount = rf.assign(__m=1).groupby(cols, dropna=False)["__m"].sum().reset_index()
    both = lcount.merge(rcount, on=cols, how="left" if kind == "except_all" else "inner")
    meta = lf._meta[cols]
    return both.map_partitions(_repeat_rows, cols, kind, meta=meta)


def _repeat_rows(part: Any, cols: list[str], kind: str) -> Any:
    import numpy as np
    n = part["__n"].to_numpy(dtype="int64", na_value=0)
    m = part["__m"].to_numpy(dtype="int64", na_value=0)
    times = np.maximum(n - m, 0) if kind == "except_all" else np.minimum(n, m)
    return part[cols].iloc[np.repeat(np.arange(len(part)), times)].reset_index(drop=True)
