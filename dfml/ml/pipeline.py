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
from .base import Estimator, Model, PipelineStage, Transformer, run_aggregations
from .optim.blocks import aggregate_and_block
from .param import Param, Params, TypeConverters, keyword_only

__all__ = ["Pipeline", "PipelineModel"]


@dataclass
class _PlannedStage:
    index: int
    stage: PipelineStage
    level: int            # pass in which an estimator is fitted (0: no pass needed)
    out_level: int        # pass after which the stage's outputs can be computed
    reads: list[str]
    writes: list[str]
    kind: str             # "transformer" | "aggregate" | "iterative" | "static"


@dataclass
class FitPlan:
    """Which estimators are fitted in which pass over the input."""

    stages: list[_PlannedStage]
    passes: list[list[int]] = field(default_factory=list)   # stage indices per pass run
    notes: list[str] = field(default_factory=list)
    # iterative stage index -> the stage whose fitted model was applied to its blocks in memory
    in_memory: dict[int, int] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        return len(self.passes)

    def describe(self) -> str:
        n_est = sum(1 for s in self.stages if s.kind != "transformer")
        lines = [f"Pipeline fit: {self.depth} pass(es) over the input for {n_est} estimator(s) "
                 f"in {len(self.stages)} stage(s)"]
        for k, idx in enumerate(self.passes, 1):
            parts = []
            for i in idx:
                s = self.stages[i]
                how = "aggregations"
                if s.kind == "iterative" and i in self.in_memory:
                    j = self.in_memory[i]
                    how = (f"iterative, trained on blocks built in this pass with "
                           f"{type(self.stages[j].stage).__name__}[{j}] applied in memory")
                elif s.kind == "iterative":
                    how = "iterative, input persisted once"
                parts.append(f"{type(s.stage).__name__}[{i}] reads {s.reads} ({how})")
            lines.append(f"  pass {k}: " + "; ".join(parts))
        statics = [s for s in self.stages if s.kind == "static"]
        for s in statics:
            lines.append(f"  no pass: {type(s.stage).__name__}[{s.index}] fitted from upstream "
                         f"models")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _writes(stage: PipelineStage, before: T.StructType, after: T.StructType) -> list[str]:
    out = []
    for p in ("outputCol", "predictionCol", "probabilityCol", "rawPredictionCol"):
        if stage.hasParam(p) and stage.isDefined(p):
            out.append(stage.getOrDefault(p))
    if stage.hasParam("outputCols") and stage.isDefined("outputCols"):
        out += list(stage.getOrDefault("outputCols"))
    new = [n for n in after.names if n not in before.names]
    return list(dict.fromkeys(out + new))


def _block_handoff(plan: FitPlan, members: list, level: int,
                   schema: T.StructType) -> tuple[_PlannedStage, _PlannedStage] | None:
    """(member, iterative stage) when an iterative estimator of the next level trains on the
    output of a member of this pass whose model can transform blocks in memory (a
    StandardScaler before a LogisticRegression), and its label and weight are in this pass's
    frame: its blocks are then built in this pass, saving the read a pass of its own needs."""
    for it in plan.stages:
        if it.kind != "iterative" or it.level != level + 1:
            continue
        inputs = it.stage._block_inputs()
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
            if any(set(b.writes) & needed or b.stage._drops_rows() for b in between):
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
        stages = self.getStages()
        col_level = {n: 0 for n in schema.names}
        col_source: dict[str, int] = {}
        row_level = 0
        planned: list[_PlannedStage] = []
        for i, s in enumerate(stages):
            after = s.transformSchema(schema)
            reads = [c for c in s._input_columns(schema)]
            dep = max([col_level.get(c, 0) for c in reads] + [row_level])
            if isinstance(s, Estimator):
                if s._can_fit_without_data(schema, {c: stages[j] for c, j in col_source.items()}):
                    kind, level = "static", dep
                elif s._fit_aggregations(schema) is None:
                    kind, level = "iterative", dep + 1
                else:
                    kind, level = "aggregate", dep + 1
                out_level = level
            else:
                kind, level, out_level = "transformer", 0, dep
            writes = _writes(s, schema, after)
            for c in writes:
                col_level[c] = out_level
                col_source[c] = i
            if s._drops_rows():
                row_level = max(row_level, out_level)
            planned.append(_PlannedStage(i, s, level, out_level, reads, writes, kind))
            schema = after
        return FitPlan(planned)

    def _fit(self, dataset: Any) -> "PipelineModel":
        stages = self.getStages()
        plan = self._plan(dataset.schema)
        fitted: dict[int, Transformer] = {i: s for i, s in enumerate(stages)
                                          if not isinstance(s, Estimator)}
        levels = sorted({p.level for p in plan.stages if p.kind != "transformer"})

        def frame_upto(end: int, level: int) -> Any:
            """The input as pass ``level`` sees it: transformed by every stage before ``end``
            whose output is computable after the earlier passes."""
            df = dataset
            for j in range(end):
                if j in fitted and plan.stages[j].out_level < level:
                    df = fitted[j].transform(df)
            return df

        def fit_statics(level: int) -> None:
            for p in plan.stages:
                if p.kind == "static" and p.level == level and p.index not in fitted:
                    upstream = {c: fitted.get(src.index) for src in plan.stages[:p.index]
                                for c in src.writes}
                    schema = frame_upto(p.index, level + 1).schema
                    model = p.stage._fit_without_data(upstream, schema)
                    fitted[p.index] = model._set_parent(p.stage)

        fit_statics(0)
        for level in [lv for lv in levels if lv > 0]:
            group = [p for p in plan.stages if p.level == level and p.kind in ("aggregate", "iterative")]
            aggregate = [p for p in group if p.kind == "aggregate"]
            if aggregate:
                # one frame for the whole pass: stages applied up to the last estimator of the pass;
                # an estimator whose input a later applied stage rewrites (or filters) gets its own
                end = max(p.index for p in aggregate)
                shared, alone = [], []
                for p in aggregate:
                    clash = any(j in fitted and plan.stages[j].out_level < level
                                and (set(plan.stages[j].writes) & set(p.reads)
                                     or plan.stages[j].stage._drops_rows())
                                for j in range(p.index + 1, end))
                    (alone if clash else shared).append(p)
                batches = [(shared, frame_upto(end, level))] if shared else []
                batches += [([p], frame_upto(p.index, level)) for p in alone]
                for members, frame in batches:
                    schemas = [frame_upto(m.index, level).schema for m in members]
                    aggs_per = [m.stage._fit_aggregations(sc) for m, sc in zip(members, schemas)]
                    flat = [a for aggs in aggs_per for a in aggs]
                    handoff = _block_handoff(plan, members, level, frame.schema)
                    if handoff:
                        m_src, it = handoff
                        _, label, weight = it.stage._block_inputs()
                        results, blocks = aggregate_and_block(
                            frame, flat, m_src.stage.getOrDefault("inputCol"), label, weight,
                            f"{type(it.stage).__name__} ({it.stage.uid})")
                    else:
                        results = run_aggregations(frame, flat)
                    plan.passes.append([m.index for m in members])
                    pos = 0
                    src_results: list = []
                    for m, aggs, sc in zip(members, aggs_per, schemas):
                        model = m.stage._model_from(results[pos:pos + len(aggs)], sc)
                        if handoff and m is m_src:
                            src_results = results[pos:pos + len(aggs)]
                        pos += len(aggs)
                        fitted[m.index] = model._set_parent(m.stage)
                    if handoff:  # the next level's iterative fit, with no read of its own
                        src_model = fitted[m_src.index]
                        blocks.transform(src_model._block_kernel())
                        if weight is None:  # moments of the scaled blocks, known from the scaler's
                            blocks.feature_moments = src_model._block_moments(src_results)
                        model = it.stage._fit_blocks(blocks, frame_upto(it.index, level + 1))
                        fitted[it.index] = model._set_parent(it.stage)
                        plan.in_memory[it.index] = m_src.index
                        plan.passes[-1].append(it.index)
            for p in group:
                if p.kind == "iterative" and p.index not in fitted:
                    model = p.stage.fit(frame_upto(p.index, level))
                    fitted[p.index] = model
                    plan.passes.append([p.index])
            fit_statics(level)
        models = [fitted[i] for i in range(len(stages))]
        out = PipelineModel(models)
        out._resetUid(self.uid)
        out._fit_plan = plan
        return out._set_parent(self)


class PipelineModel(Model):
    """The fitted pipeline: its transform applies every fitted stage in order."""

    def __init__(self, stages: list[Transformer] | None = None):
        super().__init__()
        self.stages = list(stages or [])
        self._fit_plan: FitPlan | None = None

    def _init_loaded(self) -> None:
        self.stages = []
        self._fit_plan = None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        for s in self.stages:
            schema = s.transformSchema(schema)
        return schema

    def _transform(self, dataset: Any) -> Any:
        for s in self.stages:
            dataset = s.transform(dataset)
        return dataset

    def copy(self, extra: dict | None = None) -> "PipelineModel":
        that = PipelineModel([s.copy(extra) for s in self.stages])
        that._resetUid(self.uid)
        that._fit_plan = self._fit_plan
        return that

    def explain(self) -> str:
        """How the fit ran: the passes over the input and what each fitted."""
        text = self._fit_plan.describe() if self._fit_plan else "(loaded model: fit plan unknown)"
        print(text)
        return text

    @property
    def fitPasses(self) -> int:
        return self._fit_plan.depth if self._fit_plan else 0

    def to_sklearn(self) -> Any:
        from .export import to_sklearn
        return to_sklearn(self)
