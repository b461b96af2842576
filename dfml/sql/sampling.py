"""``DataFrame.sample`` and ``randomSplit`` with Spark's rows for the same seed and partitioning.

Spark samples without replacement per partition: a Bernoulli cell sampler whose generator is its
xorshift generator seeded with the seed plus the partition index draws one double per row, in the
partition's row order, and keeps the row when the draw falls in ``[lower, upper)`` (``[0,
fraction)`` for ``sample``; a range per weight for ``randomSplit``). An empty range keeps no row
and draws nothing. That is the same stream ``rand(seed)`` reads, so the kernel here reuses it.

``randomSplit`` sorts each partition first by every orderable column, ascending (nulls first), so
that each split sees the rows in the same order whatever order its input came in; then each split
keeps its range of the cumulative normalized weights.

With replacement Spark emits each row as many times as a Poisson draw of mean ``fraction`` says,
drawn from commons-math3's WELL19937c generator; partition ``i``'s seed is the ``i+1``-th long of
a ``java.util.Random`` seeded with the seed (``functions/_poisson_sampler.py`` reproduces all
three); a fraction of 40 or more, where Spark's
Poisson sampler changes algorithm, raises.
"""

from __future__ import annotations

import random
import sys
from typing import TYPE_CHECKING, Any

from . import types as T
from .errors import IllegalArgumentException

if TYPE_CHECKING:
    from .dataframe import DataFrame


class _CellSampleKernel:
    """Keeps the rows of a partition whose draw lies in ``[lower, upper)``."""
    __name__ = "cell_sample_kernel"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, seed: int, lower: float, upper: float):
        self.seed, self.lower, self.upper = seed, lower, upper

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-cell-sample", self.seed, self.lower, self.upper)

    def __call__(self, part: Any, partition_info: dict | None = None) -> Any:
        from .functions._spark_random import doubles
        if self.upper - self.lower <= 0.0:
            return part.iloc[:0]
        number = (partition_info or {}).get("number", 0)
        draws = doubles(self.seed + number, len(part))
        return part[(draws >= self.lower) & (draws < self.upper)]


class _PoissonSampleKernel:
    """Emits each row of a partition as many times as its Poisson draw says."""
    __name__ = "poisson_sample_kernel"

    def __init__(self, seed: int, fraction: float):
        self.seed, self.fraction = seed, fraction

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-poisson-sample", self.seed, self.fraction)

    def __call__(self, part: Any, partition_info: dict | None = None) -> Any:
        import numpy as np
        from .functions._poisson_sampler import partition_seeds, poisson_counts
        number = (partition_info or {}).get("number", 0)
        counts = poisson_counts(partition_seeds(self.seed, number + 1)[-1], self.fraction,
                                len(part))
        # a repeated row repeats its index label: give the partition fresh labels
        return part.iloc[np.repeat(np.arange(len(part)), counts)].reset_index(drop=True)


def sample_args(withReplacement: Any, fraction: Any, seed: Any) -> tuple[bool, float, int]:
    """PySpark's reading of ``sample``'s three optional arguments: ``sample(0.5)``,
    ``sample(0.5, 3)``, ``sample(fraction=0.5)``, ``sample(False, 0.5, 3)``; no seed draws one."""
    if isinstance(withReplacement, bool) and isinstance(fraction, float):
        return withReplacement, fraction, _seed_or_random(seed)
    if withReplacement is None and isinstance(fraction, float):
        return False, fraction, _seed_or_random(seed)
    if isinstance(withReplacement, float):
        return False, float(withReplacement), _seed_or_random(fraction)
    types = ", ".join(type(a).__name__ for a in (withReplacement, fraction, seed))
    raise TypeError(f"[NOT_EXPECTED_TYPE] Argument `withReplacement (optional), fraction "
                    f"(required) and seed (optional)` should be a bool, float or int, got {types}.")


def _seed_or_random(seed: Any) -> int:
    return int(seed) if seed is not None else random.randint(0, sys.maxsize)


def sample(df: "DataFrame", withReplacement: Any, fraction: Any, seed: Any) -> "DataFrame":
    replace, fraction, seed = sample_args(withReplacement, fraction, seed)
    if replace:
        if not fraction >= 0.0 - 1e-6:
            raise IllegalArgumentException(f"requirement failed: Sampling fraction ({fraction}) "
                                           f"must be nonnegative with replacement")
        if fraction >= 40.0:
            raise IllegalArgumentException(f"sample(withReplacement=True): fraction {fraction} "
                                           f">= 40 is not supported (Spark switches to another "
                                           f"Poisson algorithm there, which dfml does not have)")
        kernel = _PoissonSampleKernel(seed, fraction)
        return df._derive("Sample", lambda d: d._new(
            d._frame.map_partitions(kernel, meta=d._frame._meta)), keep_alias=True)
    if not (fraction >= 0.0 - 1e-6 and fraction <= 1.0 + 1e-6):
        raise IllegalArgumentException(f"requirement failed: Sampling fraction ({fraction}) must "
                                       f"be on interval [0, 1] without replacement")
    return _cell_sample(df, 0.0, fraction, seed, "Sample")


def _cell_sample(df: "DataFrame", lower: float, upper: float, seed: int, name: str) -> "DataFrame":
    kernel = _CellSampleKernel(seed, lower, upper)
    return df._derive(name, lambda d: d._new(
        d._frame.map_partitions(kernel, meta=d._frame._meta)), keep_alias=True)


def _orderable(t: T.DataType) -> bool:
    """Spark's rule for what a sort can order: not maps or variants, nor containers of them."""
    if isinstance(t, (T.MapType, T.VariantType)):
        return False
    if isinstance(t, T.StructType):
        return all(_orderable(f.dataType) for f in t.fields)
    if isinstance(t, T.ArrayType):
        return _orderable(t.elementType)
    return True


def random_split(df: "DataFrame", weights: Any, seed: Any) -> list["DataFrame"]:
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"randomSplit(): weights must be a list of floats, got "
                        f"{type(weights).__name__}")
    for w in weights:  # PySpark checks the signs first, then the JVM side the types
        if isinstance(w, (int, float)) and not isinstance(w, bool) and w < 0.0:
            raise ValueError(f"[VALUE_NOT_POSITIVE] Value for `weights` must be positive, got "
                             f"'{w}'.")
    for w in weights:
        if not isinstance(w, float):  # Spark's JVM side fails on an int weight too
            raise TypeError(f"randomSplit(): weights must be floats, got {w!r} "
                            f"({type(w).__name__})")
    if not weights or sum(weights) <= 0:
        shown = ",".join(str(float(w)) for w in weights)
        raise IllegalArgumentException(f"requirement failed: Sum of weights must be positive, "
                                       f"but got [{shown}]")
    seed = _seed_or_random(seed)
    total = 0.0
    for w in weights:  # left to right, as Spark sums (Python's sum may compensate)
        total += float(w)
    bounds = [0.0]
    for w in weights:  # Spark's running sum of the normalized weights, in its order
        bounds.append(bounds[-1] + float(w) / total)
    keys = [f.name for f in df.schema.fields if _orderable(f.dataType)]
    ordered = df.sortWithinPartitions(*keys) if keys else df
    return [_cell_sample(ordered, lo, hi, seed, f"Sample split {i}")
            for i, (lo, hi) in enumerate(zip(bounds, bounds[1:]))]
