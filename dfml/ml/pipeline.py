"""Pipeline and PipelineModel, with a fit planned in passes over the data.

``Pipeline.fit`` does what Spark's does (each estimator is fitted on the output of the stages
before it; stages after the last estimator are passed through) but it does not scan the data
once per estimator. It first works out, from the columns each stage reads and writes, the pass
at which each estimator's input is ready: an estimator that reads only original columns can be
fitted in pass 1, one that reads the output of a pass-1 model in pass 2, and so on. All the
aggregations of one pass run in one graph over one read of the input. Iterative estimators (the
linear models) are barriers that need a pass of their own. ``PipelineModel.explain()`` shows the
passes that were run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..sql import types as T
from .assembled_inputs import fed_from_assemblers, holds_stages
from .base import Estimator, Model, PipelineStage, Transformer, run_aggregations
from .fitspec import AGGREGATION, ITERATIVE, STATIC, TRANSFORM, FitSpec
from .optim.blocks import aggregate_and_block
from .param import Param, Params, TypeConverters, keyword_only

__all__ = ["Pipeline", "PipelineModel"]


@dataclass
class _PlannedStage:
    index: int
    stage: PipelineStage
    level: int            # pass in which an estimator is fitted (0: no pass needed)
    out_level: int        # pass after which the stage's outputs can be computed
    spec: FitSpec

    @property
    def reads(self) -> list[str]:
        return list(self.spec.reads)

    @property
    def writes(self) -> list[str]:
        return list(self.spec.writes)

    @property
    def kind(self) -> str:
        return self.spec.kind


@dataclass
class _Batch:
    """Estimators fitted together in one pass over one frame (the input transformed by the
    stages before ``end``), and the iterative fit of the next level it may feed in memory."""

    level: int
    members: list[int]
    end: int
    handoff: tuple[int, int] | None = None     # (scaler-like member, iterative stage)


@dataclass
class FitPlan:
    """Which estimators are fitted in which pass over the input."""

    stages: list[_PlannedStage]
    passes: list[list[int]] = field(default_factory=list)   # stage indices per pass
    notes: list[str] = field(default_factory=list)
    # iterative stage index -> the stage whose fitted model was applied to its blocks in memory
    in_memory: dict[int, int] = field(default_factory=dict)
    # the schedule, in order: aggregation batches and lone iterative fits, per level
    steps: list[Any] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return len(self.passes)

    def describe(self) -> str:
        n_est = sum(1 for s in self.stages if s.kind != TRANSFORM)
        lines = [f"Pipeline fit: {self.depth} pass(es) over the input for {n_est} estimator(s) "
                 f"in {len(self.stages)} stage(s)"]
        for k, idx in enumerate(self.passes, 1):
            parts = []
            for i in idx:
                s = self.stages[i]
                how = "aggregations"
                if s.kind == ITERATIVE and i in self.in_memory:
                    j = self.in_memory[i]
                    how = (f"iterative, trained on blocks built in this pass with "
                           f"{type(self.stages[j].stage).__name__}[{j}] applied in memory")
                elif s.kind == ITERATIVE:
                    how = "iterative, input persisted once"
                parts.append(f"{type(s.stage).__name__}[{i}] reads {s.reads} ({how})")
            lines.append(f"  pass {k}: " + "; ".join(parts))
        statics = [s for s in self.stages if s.kind == STATIC]
        for s in statics:
            lines.append(f"  no pass: {type(s.stage).__name__}[{s.index}] fitted from upstream "
                         f"models")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _block_handoff(plan: FitPlan, members: list, level: int,
                   schema: T.StructType) -> tuple[_PlannedStage, _PlannedStage] | None:
    """(member, iterative stage) when an iterative estimator of the next level trains on the
    output of a member of this pass whose model can transform blocks in memory (a
    StandardScaler before a LogisticRegression), and its label and weight are in this pass's
    frame: its blocks are then built in this pass, saving the read a pass of its own needs."""
    for it in plan.stages:
        if it.kind != ITERATIVE or it.level != level + 1:
            continue
        inputs = it.spec.block_inputs
        if inputs is None:
            continue
        feats, label, weight = inputs
        needed = {feats, label} | ({weight} if weight else set())
        for m in members:
            st = m.stage
            if not (st._model_transforms_blocks and st.hasParam("outputCol")
                    and st.getOrDefault("outputCol") == feats):
                continue
            if not {st.getOrDefault("inputCol"), label, weight or label} <= set(schema.names):
                continue
            between = plan.stages[m.index + 1:it.index]
            if any(set(b.writes) & needed or b.spec.drops_rows for b in between):
                continue
            return m, it
    return None


class Pipeline(Estimator):
    """A sequence of stages fitted in order; fitting gives a PipelineModel."""

    stages = Param(Params._dummy(), "stages", "the pipeline's stages, in order",
                   TypeConverters.toList)

    @keyword_only
    def __init__(self, *, stages: list | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, stages: list | None = None) -> "Pipeline":
        return self._set(**self._input_kwargs)

    def getStages(self) -> list:
        return list(self.getOrDefault("stages")) if self.isDefined("stages") else []

    def copy(self, extra: dict | None = None) -> "Pipeline":
        that = super().copy(extra)
        that._set(stages=[s.copy(extra) for s in self.getStages()])
        return that

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        for s in self.getStages():
            schema = s.transformSchema(schema)
        return schema

    def _validate_params(self) -> None:
        for s in self.getStages():
            if not isinstance(s, (Estimator, Transformer)):
                raise TypeError(f"Pipeline stage {s!r} is neither an Estimator nor a Transformer")
            if isinstance(s, Estimator):
                s._validate_params()

    # ------------------------------------------------------------ planning
    def _plan(self, schema: T.StructType) -> FitPlan:
        """The whole fit schedule, from the stages' FitSpecs and the schema alone."""
        stages = self.getStages()
        input_schema = schema
        col_level = {n: 0 for n in schema.names}
        col_source: dict[str, int] = {}
        row_level = 0
        planned: list[_PlannedStage] = []
        for i, s in enumerate(stages):
            if isinstance(s, Estimator):
                spec = s._fit_spec(schema, {c: stages[j] for c, j in col_source.items()})
            else:
                spec = s._fit_spec(schema)
            dep = max([col_level.get(c, 0) for c in spec.reads] + [row_level])
            if spec.kind == TRANSFORM:
                level, out_level = 0, dep
            else:
                level = dep if spec.kind == STATIC else dep + 1
                out_level = level
            for c in spec.writes:
                col_level[c] = out_level
                col_source[c] = i
            if spec.drops_rows:
                row_level = max(row_level, out_level)
            planned.append(_PlannedStage(i, s, level, out_level, spec))
            schema = s.transformSchema(schema)
        plan = FitPlan(planned)
        self._schedule(plan, input_schema)
        return plan

    def _schema_upto(self, plan: FitPlan, schema: T.StructType, end: int, level: int) -> T.StructType:
        """The schema of the input as pass ``level`` sees it before stage ``end``."""
        for j in range(end):
            if plan.stages[j].out_level < level:
                schema = plan.stages[j].stage.transformSchema(schema)
        return schema

    def _schedule(self, plan: FitPlan, schema: T.StructType) -> None:
        """Fill ``plan.steps``/``passes``/``in_memory``: per level, one batch for the
        aggregation estimators that can share a frame, one per estimator whose input a later
        applied stage rewrites (or filters), a block hand-off where an iterative fit of the next
        level can train on blocks built in the batch's pass, then each remaining iterative fit
        alone."""
        levels = sorted({p.level for p in plan.stages if p.kind in (AGGREGATION, ITERATIVE)})
        handed: set[int] = set()
        for level in levels:
            group = [p for p in plan.stages if p.level == level and p.kind in (AGGREGATION, ITERATIVE)]
            aggregate = [p for p in group if p.kind == AGGREGATION]
            if aggregate:
                end = max(p.index for p in aggregate)
                shared, alone = [], []
                for p in aggregate:
                    clash = any(plan.stages[j].out_level < level
                                and (set(plan.stages[j].writes) & set(p.reads)
                                     or plan.stages[j].spec.drops_rows)
                                for j in range(p.index + 1, end))
                    (alone if clash else shared).append(p)
                batches = [(shared, end)] if shared else []
                batches += [([p], p.index) for p in alone]
                for members, upto in batches:
                    batch = _Batch(level, [m.index for m in members], upto)
                    handoff = _block_handoff(plan, members, level,
                                             self._schema_upto(plan, schema, upto, level))
                    pass_ = list(batch.members)
                    if handoff:
                        m_src, it = handoff
                        batch.handoff = (m_src.index, it.index)
                        plan.in_memory[it.index] = m_src.index
                        handed.add(it.index)
                        pass_.append(it.index)
                    plan.steps.append(batch)
                    plan.passes.append(pass_)
            for p in group:
                if p.kind == ITERATIVE and p.index not in handed:
                    plan.steps.append(p.index)
                    plan.passes.append([p.index])

    def explain(self, dataset: Any, mode: str | None = None) -> str:
        """The fit's passes over ``dataset`` (a DataFrame or its schema), planned without
        reading it: what ``PipelineModel.explain()`` prints after the fit. ``mode="graph"``
        gives them as Graphviz DOT text (``dfml.ml.pipeline_graph``)."""
        text = self._explain_graph(dataset).dot if mode == "graph" else \
            self._fit_plan_for(dataset).describe()
        print(text)
        return text

    def _fit_plan_for(self, dataset: Any) -> FitPlan:
        schema = dataset if isinstance(dataset, T.StructType) else dataset.schema
        self._validate_params()
        return self._plan(schema)

    def _explain_graph(self, dataset: Any) -> Any:
        if dataset is None:
            raise ValueError("explain_graph of a Pipeline needs the dataset (a DataFrame or its "
                             "schema) the fit would read")
        from .pipeline_graph import fit_plan_graph
        return fit_plan_graph(self._fit_plan_for(dataset))

    def _fit(self, dataset: Any) -> "PipelineModel":
        stages = self.getStages()
        plan = self._plan(dataset.schema)
        fitted: dict[int, Transformer] = {i: s for i, s in enumerate(stages)
                                          if not isinstance(s, Estimator)}

        def frame_upto(end: int, level: int) -> Any:
            """The input as pass ``level`` sees it: transformed by every stage before ``end``
            whose output is computable after the earlier passes."""
            df = dataset
            for j in range(end):
                if plan.stages[j].out_level < level:
                    df = fitted[j].transform(df)
            return df

        def fit_statics(level: int) -> None:
            for p in plan.stages:
                if p.kind == STATIC and p.level == level and p.index not in fitted:
                    upstream = {c: fitted.get(src.index) for src in plan.stages[:p.index]
                                for c in src.writes}
                    schema = frame_upto(p.index, level + 1).schema
                    model = p.stage._fit_without_data(upstream, schema)
                    fitted[p.index] = model._set_parent(p.stage)

        fit_statics(0)
        for level in sorted({p.level for p in plan.stages if p.kind != TRANSFORM} - {0}):
            for step in plan.steps:
                if isinstance(step, _Batch) and step.level == level:
                    self._run_batch(plan, step, fitted, frame_upto)
                elif isinstance(step, int) and plan.stages[step].level == level:
                    p = plan.stages[step]
                    fitted[p.index] = p.stage.fit(frame_upto(p.index, level))
            fit_statics(level)
        models = [fitted[i] for i in range(len(stages))]
        out = PipelineModel(models)
        out._fit_plan = plan
        return out

    @staticmethod
    def _run_batch(plan: FitPlan, batch: _Batch, fitted: dict, frame_upto: Any) -> None:
        """One pass: every member's aggregations over one frame (and, with a hand-off, the
        next level's iterative fit on blocks built in the same pass)."""
        level = batch.level
        members = [plan.stages[i] for i in batch.members]
        frame = frame_upto(batch.end, level)
        schemas = [frame_upto(m.index, level).schema for m in members]
        aggs_per = [list(m.stage._fit_spec(sc).aggregations) for m, sc in zip(members, schemas)]
        # column -> (index, fitted stage) of the frame's last stage writing it
        applied = [j for j in range(batch.end) if plan.stages[j].out_level < level]
        writers = {c: (j, fitted[j]) for j in applied for c in plan.stages[j].writes}
        flat = fed_from_assemblers([a for aggs in aggs_per for a in aggs], writers, frame.schema,
                                   [j for j in applied if holds_stages(fitted[j])])
        if batch.handoff:
            m_src, it = (plan.stages[i] for i in batch.handoff)
            _, label, weight = it.spec.block_inputs
            results, blocks = aggregate_and_block(
                frame, flat, m_src.stage.getOrDefault("inputCol"), label, weight,
                f"{type(it.stage).__name__} ({it.stage.uid})")
        else:
            results = run_aggregations(frame, flat)
        pos = 0
        src_results: list = []
        for m, aggs, sc in zip(members, aggs_per, schemas):
            model = m.stage._model_from(results[pos:pos + len(aggs)], sc)
            if batch.handoff and m is m_src:
                src_results = results[pos:pos + len(aggs)]
            pos += len(aggs)
            fitted[m.index] = model._set_parent(m.stage)
        if batch.handoff:  # the next level's iterative fit, with no read of its own
            src_model = fitted[m_src.index]
            blocks.transform(src_model._block_kernel())
            if weight is None:  # moments of the scaled blocks, known from the scaler's
                blocks.feature_moments = src_model._block_moments(src_results)
            model = it.stage._fit_blocks(blocks, frame_upto(it.index, level + 1))
            fitted[it.index] = model._set_parent(it.stage)


class PipelineModel(Model):
    """The fitted pipeline: its transform applies every fitted stage in order."""

    def __init__(self, stages: list[Transformer] | None = None):
        super().__init__()
        self.stages = list(stages or [])
        self._fit_plan: FitPlan | None = None

    def _init_loaded(self) -> None:
        self.stages = []
        self._fit_plan = None

    def _set_parent(self, estimator: Any) -> "PipelineModel":
        """Keep a uid of its own, as PySpark's ``Pipeline.fit`` gives one (Scala's would
        reuse the pipeline's)."""
        self.parent = estimator
        return self

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        for s in self.stages:
            schema = s.transformSchema(schema)
        return schema

    def _transform(self, dataset: Any) -> Any:
        """Each stage in order; a model that can read a VectorAssembler's inputs directly
        (``_transform_dense``) does so while the assembler's output and inputs are as it wrote
        and read them: its outputs then need no per-row vectors (the assembled column is still
        there for anything that selects it)."""
        dense: dict[str, Any] = {}   # assembled column -> its DenseInputs
        for s in self.stages:
            schema = dataset.schema
            src = dense.get(s.getOrDefault("featuresCol")) \
                if dense and hasattr(s, "_transform_dense") and s.hasParam("featuresCol") else None
            out = s._transform_dense(dataset, src) if src is not None else None
            dataset = s.transform(dataset) if out is None else out
            if dense and holds_stages(s):
                dense = {}
            if dense:
                writes = set(s._fit_spec(schema).writes)
                dense = {c: d for c, d in dense.items()
                         if c not in writes and not writes & set(d.inputs)}
            made = s._dense_inputs(schema) if hasattr(s, "_dense_inputs") else None
            if made is not None:
                dense[s.getOutputCol()] = made
        return dataset

    def copy(self, extra: dict | None = None) -> "PipelineModel":
        that = PipelineModel([s.copy(extra) for s in self.stages])
        that._resetUid(self.uid)
        that._fit_plan = self._fit_plan
        return that

    def explain(self, mode: str | None = None) -> str:
        """How the fit ran: the passes over the input and what each fitted (``mode="graph"``:
        as Graphviz DOT text)."""
        if mode == "graph":
            text = self._explain_graph().dot
        else:
            text = self._fit_plan.describe() if self._fit_plan else \
                "(loaded model: fit plan unknown)"
        print(text)
        return text

    def _explain_graph(self, dataset: Any = None) -> Any:
        if self._fit_plan is None:
            raise ValueError("this PipelineModel was loaded from disk: how it was fitted is "
                             "not stored, so there is no fit plan to draw")
        from .pipeline_graph import fit_plan_graph
        return fit_plan_graph(self._fit_plan)

    @property
    def fitPasses(self) -> int:
        return self._fit_plan.depth if self._fit_plan else 0

    def to_sklearn(self) -> Any:
        from .export import to_sklearn
        return to_sklearn(self)
