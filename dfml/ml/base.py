"""Transformer, Estimator, Model, and how an estimator declares its fit.

An estimator whose fit is a set of aggregations over its input (counts, sums, value counts,
quantile sketches) says so in ``_fit_aggregations``: a list of ``Aggregation`` objects, each a
per-partition ``chunk``, an associative ``combine`` and a ``finish``. ``fit`` then runs them in
one graph, and ``Pipeline.fit`` can run the aggregations of several estimators in the same
graph, so a pipeline scans its input once per level of dependency rather than once per
estimator. Estimators that iterate (linear models) override ``_fit`` instead: they are
barriers in the pipeline plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd
import pyarrow as pa

from ..sql import Column, _engine
from ..sql import types as T
from ..sql.errors import AnalysisException
from .fitspec import AGGREGATION, ITERATIVE, STATIC, TRANSFORM, FitSpec, column_params
from .param import Params

__all__ = ["Transformer", "Estimator", "Model", "Aggregation", "run_aggregations",
           "partition_column", "require_column", "require_absent", "in_out_columns",
           "PipelineStage", "Persistable"]


@dataclass
class Aggregation:
    """One fit statistic: ``chunk(pandas partition of columns) -> partial``,
    ``combine(list of partials) -> partial`` (associative), ``finish(partial) -> value``."""

    columns: list[str]
    chunk: Callable[[pd.DataFrame], Any]
    combine: Callable[[list[Any]], Any]
    finish: Callable[[Any], Any] = field(default=lambda x: x)
    label: str = ""
    # A vector column the statistic can also take as a dense matrix: ``dense_chunk(partition
    # of the other columns, X, row_text)`` gives the same partial as ``chunk`` (``row_text(i)``
    # renders row i as a vector, for errors). A Pipeline feeds it from a VectorAssembler's
    # inputs when that stage writes the column in the same pass (``assembled_inputs``).
    dense_input: str | None = None
    dense_chunk: Callable[..., Any] | None = None


class _PassChunk:
    """Per-partition step of a pass: every aggregation's partial."""

    def __init__(self, aggs: Sequence[Aggregation]):
        self.aggs = list(aggs)

    def __call__(self, part: pd.DataFrame) -> list[Any]:
        return [a.chunk(part[a.columns]) for a in self.aggs]


class _PassCombine:
    """Merge step of a pass: each aggregation's partials merged by its own ``combine``."""

    def __init__(self, aggs: Sequence[Aggregation]):
        self.aggs = list(aggs)

    def __call__(self, states: list[list[Any]]) -> list[Any]:
        return [a.combine([s[i] for s in states]) for i, a in enumerate(self.aggs)]


def run_aggregations(dataset: Any, aggs: Sequence[Aggregation]) -> list[Any]:
    """Run ``aggs`` over ``dataset`` (a dfml DataFrame) in one graph; their finished values."""
    if not aggs:
        return []
    cols = list(dict.fromkeys(c for a in aggs for c in a.columns))
    states = _engine.tree_reduce(dataset, cols, _PassChunk(aggs), _PassCombine(aggs))
    if states is None:  # no partitions: combine nothing
        states = [a.combine([]) for a in aggs]
    return [a.finish(s) for a, s in zip(aggs, states)]


def partition_column(name: str, inputs: list[Any], kernel: Callable[..., Any],
                     out_type: T.DataType, nullable: bool = True) -> Column:
    """A Column computed per partition by ``kernel(*arrow_chunked_arrays) -> arrow array``.

    Stages use this for transforms with no native dask equivalent (vector math): dask still
    sees which input columns it reads, so column pruning and filter pushdown survive.
    """
    return _engine.column_kernel(name, inputs, kernel, out_type, nullable)


def require_column(schema: T.StructType, name: str, kinds: tuple[type, ...], stage: Any,
                   what: str) -> T.DataType:
    """The type of column ``name``; a named error (with a suggestion) if missing or mistyped."""
    if name not in schema.names:
        import difflib
        near = difflib.get_close_matches(name, schema.names, n=1)
        hint = f" Did you mean `{near[0]}`?" if near else ""
        raise AnalysisException(
            f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] {type(stage).__name__} ({stage.uid}): input column "
            f"`{name}` does not exist.{hint} Available: {', '.join(schema.names)}.",
            "UNRESOLVED_COLUMN.WITH_SUGGESTION")
    dt = schema[name].dataType
    if kinds and not isinstance(dt, kinds):
        raise TypeError(f"{type(stage).__name__} ({stage.uid}): column `{name}` must be {what}, "
                        f"but it is {dt.simpleString()}")
    return dt


def in_out_columns(stage: Any) -> tuple[list[str], list[str]]:
    """(input columns, output columns) of a stage that takes either inputCol/outputCol or
    inputCols/outputCols; a named error when the two forms are mixed or the lengths differ."""
    from ..sql.errors import IllegalArgumentException
    name = f"{type(stage).__name__} ({stage.uid})"
    if stage.isSet("inputCol") and stage.isSet("inputCols"):
        raise IllegalArgumentException(f"{name}: set inputCol or inputCols, not both")
    if stage.isSet("inputCols"):
        if stage.isSet("outputCol"):
            raise IllegalArgumentException(f"{name}: with inputCols, set outputCols (not outputCol)")
        ins = list(stage.getOrDefault("inputCols"))
        outs = list(stage.getOrDefault("outputCols")) if stage.isSet("outputCols") else []
        if len(outs) != len(ins):
            raise IllegalArgumentException(
                f"{name}: inputCols has {len(ins)} names but outputCols has {len(outs)}")
        if len(set(outs)) != len(outs):
            raise IllegalArgumentException(f"{name}: outputCols repeat a name")
        return ins, outs
    if stage.isSet("inputCol"):
        if stage.isSet("outputCols"):
            raise IllegalArgumentException(f"{name}: with inputCol, set outputCol (not outputCols)")
        return [stage.getOrDefault("inputCol")], [stage.getOrDefault("outputCol")]
    raise IllegalArgumentException(f"{name}: set inputCol or inputCols")


def require_absent(schema: T.StructType, name: str, stage: Any) -> None:
    if name in schema.names:
        raise ValueError(f"{type(stage).__name__} ({stage.uid}): output column `{name}` already "
                         f"exists")


class Persistable(Params):
    """Saved and loaded in Spark's layout (``util.MLWriter``/``MLReader``): every pipeline stage
    and every evaluator. Subclasses add fitted state through the hooks below."""

    def write(self) -> Any:
        from .util import MLWriter
        return MLWriter(self)

    def save(self, path: str) -> None:
        self.write().save(path)

    @classmethod
    def read(cls) -> Any:
        from .util import MLReader
        return MLReader(cls)

    @classmethod
    def load(cls, path: str) -> Any:
        return cls.read().load(path)

    # persistence hooks: fitted state as an Arrow table (None when the stage has none)
    def _save_data(self) -> pa.Table | None:
        return None

    def _load_data(self, table: pa.Table) -> None:
        pass

    # fitted state Spark keeps in named directories beside metadata/ (ALSModel's userFactors/
    # and itemFactors/): each a parquet table, saved by _save_tables and loaded by _load_tables
    _table_dirs: tuple[str, ...] = ()

    def _save_tables(self) -> dict[str, pa.Table]:
        return {}

    def _load_tables(self, tables: dict[str, pa.Table]) -> None:
        pass

    def _save_extra_metadata(self) -> dict:
        """Small JSON-able fitted state kept in the metadata file instead of data/."""
        return {}

    def _load_extra_metadata(self, meta: dict) -> None:
        pass

    # params whose values are stages saved as sub-directories by _save_parts, not JSON
    _saved_elsewhere: tuple[str, ...] = ()

    def _save_parts(self, save_child: Callable[[Any, str], None]) -> dict:
        """Save nested stages with ``save_child(stage, relative dir)``; returns params to add
        to the metadata's paramMap in their saved (JSON) form."""
        return {}

    def _load_parts(self, meta: dict, load_child: Callable[[str], Any],
                    exists: Callable[[str], bool]) -> None:
        """Load what ``_save_parts`` saved (``load_child(relative dir)``)."""

    def _init_loaded(self) -> None:
        """Set up instance state a loaded stage needs before its params/data are restored."""

    def __repr__(self) -> str:
        return self.uid


def model_string(model: Any, facts: list[tuple[str, Any]]) -> str:
    """A fitted model as Spark prints it: ``<Class>: uid=<uid>, name=value, ...`` with Spark's
    spelling of values (``true``/``false``, doubles as Java prints them, NaN)."""
    from ..sql.formatting import format_double

    def show(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return format_double(v)
        return str(v)
    body = "".join(f", {k}={show(v)}" for k, v in facts)
    return f"{type(model).__name__}: uid={model.uid}{body}"


def column_counts(model: Any) -> list[tuple[str, Any]]:
    """``numInputCols``/``numOutputCols``, which Spark adds for multi-column models."""
    if not model.isSet("inputCols"):
        return []
    return [("numInputCols", len(model.getInputCols())),
            ("numOutputCols", len(model.getOrDefault("outputCols")))]


class PipelineStage(Persistable):
    """Anything that can sit in a Pipeline."""

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        """Check the stage against ``schema`` and return the schema after it (raises before
        any work runs)."""
        raise NotImplementedError

    def _fit_spec(self, schema: T.StructType) -> FitSpec:
        """What this stage reads, writes and (for an estimator) how it fits, given its input
        schema; the pipeline plans from it. The default reads the columns its column params
        name and writes its output params' columns plus what ``transformSchema`` adds; a stage
        whose columns come from elsewhere (a formula, a statement) overrides this."""
        after = self.transformSchema(schema)
        reads, writes = column_params(self, schema)
        writes += [n for n in after.names if n not in schema.names]
        return FitSpec(tuple(reads), tuple(dict.fromkeys(writes)), TRANSFORM,
                       drops_rows=self._drops_rows())

    def _drops_rows(self) -> bool:
        """True if transform may drop rows (handleInvalid='skip')."""
        return self.hasParam("handleInvalid") and self.isDefined("handleInvalid") \
            and self.getOrDefault("handleInvalid") == "skip"


class Transformer(PipelineStage):
    """Maps a DataFrame to a DataFrame (lazily: the result is a plan)."""

    def transform(self, dataset: Any, params: dict | None = None) -> Any:
        if params:
            return self.copy(params).transform(dataset)
        self.transformSchema(dataset.schema)
        return self._transform(dataset)

    def _transform(self, dataset: Any) -> Any:
        raise NotImplementedError


class Model(Transformer):
    """A fitted transformer; ``parent`` is the estimator it came from."""

    parent: Any = None

    def _set_parent(self, estimator: Any) -> "Model":
        """Adopt the estimator's uid (as Spark's models do) and remember it."""
        if self.uid != estimator.uid:
            self._resetUid(estimator.uid)
        self.parent = estimator
        return self

    @property
    def hasSummary(self) -> bool:
        return getattr(self, "_summary", None) is not None


class Estimator(PipelineStage):
    """Learns a Model from a DataFrame."""

    def fit(self, dataset: Any, params: Any = None) -> Any:
        if isinstance(params, (list, tuple)):
            return [self.fit(dataset, p) for p in params]
        if params:
            return self.copy(params).fit(dataset)
        self._validate_params()
        self.transformSchema(dataset.schema)
        return self._fit(dataset)._set_parent(self)

    def _validate_params(self) -> None:
        """Reject bad param values before any work runs (override per stage)."""

    def _fit_spec(self, schema: T.StructType, sources: dict[str, Any] | None = None) -> FitSpec:
        """The transform spec, with the fit's kind: ``static`` when upstream models suffice
        (``sources``: column -> the pipeline stage that writes it), ``aggregation`` with its
        aggregations, else ``iterative`` (with the columns it trains on)."""
        spec = super()._fit_spec(schema)
        if sources is not None and self._can_fit_without_data(schema, sources):
            kind, aggs = STATIC, None
        else:
            aggs = self._fit_aggregations(schema)
            kind = ITERATIVE if aggs is None else AGGREGATION
        return FitSpec(spec.reads, spec.writes, kind, tuple(aggs or ()),
                       self._block_inputs() if kind == ITERATIVE else None, spec.drops_rows)

    def _fit(self, dataset: Any) -> Model:
        aggs = self._fit_aggregations(dataset.schema)
        if aggs is None:
            raise NotImplementedError(f"{type(self).__name__} must define _fit or _fit_aggregations")
        return self._model_from(run_aggregations(dataset, aggs), dataset.schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation] | None:
        """The aggregations the fit needs (None: the fit is iterative, see ``_fit``)."""
        return None

    def _model_from(self, results: list[Any], schema: T.StructType) -> Model:
        raise NotImplementedError

    # -- iterative estimators that train on in-memory blocks (see optim.blocks)
    def _block_inputs(self) -> tuple[str, str, str | None] | None:
        """(features, label, weight) columns when the fit trains on TrainingBlocks (which a
        pipeline may build during an earlier pass); None otherwise."""
        return None

    def _fit_blocks(self, blocks: Any, dataset: Any) -> "Model":
        raise NotImplementedError

    # a model of this estimator can transform training blocks in memory (Model._block_kernel)
    _model_transforms_blocks = False

    def _can_fit_without_data(self, schema: T.StructType, sources: dict[str, Any]) -> bool:
        """True if ``_fit_without_data`` will succeed given which stage wrote each column."""
        return False

    def _fit_without_data(self, upstream: dict[str, Any], schema: T.StructType) -> Model | None:
        """A model fitted from what earlier pipeline stages learned, with no pass over the data
        (OneHotEncoder after StringIndexer knows its sizes); None when data is needed."""
        return None

