"""``df1.groupBy(k).cogroup(df2.groupBy(k)).applyInPandas(func, schema)``: for every key found
on either side, ``func(left_group, right_group)`` (or ``func(key, left, right)``) as pandas
frames, one side empty where the key occurs only on the other, as in Spark.

Both sides are shuffled on the same hidden key column into the same number of partitions, so
a key's rows from both land in one partition pair; one task per pair then runs the groups.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd

from .errors import AnalysisException
from .pandas_api import declared_schema

if TYPE_CHECKING:
    from .dataframe import DataFrame

_KEY = "__cogroup_key"


def _key_column(part: pd.DataFrame, names: list[str]) -> pd.Series:
    """The group key of each row as text (equal keys give equal text on both sides; None and
    NaN are keys of their own, as Spark groups them)."""
    from .pandas_aggregate import row_tuples
    return row_tuples(part[names]).map(repr)


class _CogroupPair:
    """One partition pair through the user's function, key by key."""

    __name__ = "cogroup_apply_in_pandas"

    def __init__(self, func: Callable[..., Any], schema: Any, left_keys: list[str]):
        self.func, self.schema, self.left_keys = func, schema, left_keys
        self.name = getattr(func, "__name__", "function")
        self.with_key = len(inspect.signature(func).parameters) == 3

    def __call__(self, left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
        from .pandas_api import call_user, empty_frame, fit_result, user_frame
        keys = list(dict.fromkeys(list(left[_KEY]) + list(right[_KEY])))
        outs = []
        for k in keys:
            lg = user_frame(left[left[_KEY] == k].drop(columns=_KEY))
            rg = user_frame(right[right[_KEY] == k].drop(columns=_KEY))
            if self.with_key:
                side = lg if len(lg) else rg
                names = self.left_keys if len(lg) else self.right_keys
                key = tuple(side[n].iloc[0] for n in names)
                out = call_user(self.func, self.name, key, lg, rg)
            else:
                out = call_user(self.func, self.name, lg, rg)
            outs.append(fit_result(out, self.schema, self.name))
        return pd.concat(outs, ignore_index=True) if outs else empty_frame(self.schema)


class PandasCogroupedOps:
    """What ``GroupedData.cogroup`` returns."""

    def __init__(self, left: Any, right: Any):
        if len(left._keys) != len(right._keys):
            raise AnalysisException(
                f"cogroup: both sides need the same number of grouping keys, got "
                f"{len(left._keys)} and {len(right._keys)}")
        self._left, self._right = left, right

    def applyInPandas(self, func: Callable[..., Any], schema: Any) -> "DataFrame":
        struct = declared_schema(schema)
        n_params = len(inspect.signature(func).parameters)
        if n_params not in (2, 3):
            raise TypeError(f"cogroup().applyInPandas: the function takes (left, right) or "
                            f"(key, left, right), got {n_params} parameters")
        lkeys, rkeys = self._left._keys, self._right._keys

        def build(ld: "DataFrame", rd: "DataFrame") -> "DataFrame":
            from .pandas_api import empty_frame
            lnames = [ld._ctx().resolve(k.sql()) for k in lkeys]
            rnames = [rd._ctx().resolve(k.sql()) for k in rkeys]
            lf, rf = ld._frame, rd._frame
            n = max(lf.npartitions, rf.npartitions)
            meta_key = pd.Series([], dtype=object)
            lf = lf.assign(**{_KEY: lf.map_partitions(_key_column, lnames, meta=meta_key)})
            rf = rf.assign(**{_KEY: rf.map_partitions(_key_column, rnames, meta=meta_key)})
            lf = lf.shuffle(on=_KEY, npartitions=n)
            rf = rf.shuffle(on=_KEY, npartitions=n)
            kernel = _CogroupPair(func, struct, lnames)
            kernel.right_keys = rnames
            import dask.dataframe as dd
            out = dd.map_partitions(kernel, lf, rf, meta=empty_frame(struct), align_dataframes=False,
                                    enforce_metadata=False)
            return ld._new(out, {f.name: f.nullable for f in struct.fields}, keep_alias=False)

        return self._left._df._derive("CogroupApplyInPandas", build, self._right._df)
