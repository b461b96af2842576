"""RFormula and RFormulaModel: an R model formula turned into a features vector and a label.

The fit builds the stages Spark builds, from dfml's own: a StringIndexer per string column the
formula names (ordered by ``stringIndexerOrderType``), a OneHotEncoder per string main effect
(dropping the last category, except for the first string term of a formula without an
intercept, which keeps every category as R does), an Interaction per ``a:b`` term (whose string
inputs enter with every category), a VectorAssembler into ``featuresCol``, and, for a string
label (or with ``forceIndexLabel``), a StringIndexer into ``labelCol``. The fitted model holds
them as a PipelineModel, as Spark's does. Its fit is the indexers' value counts, declared as
aggregations, so a Pipeline fuses them with other stages' into one pass (the encoders' sizes come
from the indexers, with no pass of their own); with ``handleInvalid='skip'`` the label indexer
must see the rows the feature stages keep, so the fit runs its inner pipeline (two passes).

The encoders write temporary columns; the model renames the slot names of the features vector
back to the formula's columns (``s_a``, ``s_a:t_x``, ``n``) and drops the temporary columns.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa

from ...sql import functions as F
from ...sql import types as T
from ...sql.errors import AnalysisException, IllegalArgumentException
from ..base import Estimator, Model
from ..fitspec import AGGREGATION, ITERATIVE, FitSpec
from ..linalg import VectorUDT
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasFeaturesCol, HasHandleInvalid, HasLabelCol
from ._formula import ParsedFormula, ResolvedFormula, parse_formula
from .assembler import VectorAssembler
from .indexers import OneHotEncoder, OneHotEncoderModel, StringIndexer, StringIndexerModel
from .vector_ops import Interaction

__all__ = ["RFormula", "RFormulaModel"]

_ORDER_TYPES = ("frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc")


class _RFormulaParams(HasFeaturesCol, HasLabelCol, HasHandleInvalid):
    formula = Param(Params._dummy(), "formula", "R model formula", TC.toString)
    forceIndexLabel = Param(Params._dummy(), "forceIndexLabel",
                            "index the label even when it is numeric", TC.toBoolean)
    stringIndexerOrderType = Param(
        Params._dummy(), "stringIndexerOrderType",
        "how the categories of a string feature are ordered before the last one is dropped: "
        "frequencyDesc, frequencyAsc, alphabetDesc or alphabetAsc", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(featuresCol="features", labelCol="label", forceIndexLabel=False,
                         handleInvalid="error", stringIndexerOrderType="frequencyDesc")

    def _parsed(self) -> ParsedFormula:
        if self.getStringIndexerOrderType() not in _ORDER_TYPES:
            raise IllegalArgumentException(
                f"RFormula ({self.uid}): stringIndexerOrderType must be one of "
                f"{', '.join(_ORDER_TYPES)}, got {self.getStringIndexerOrderType()!r}")
        if self.getHandleInvalid() not in ("error", "skip", "keep"):
            raise IllegalArgumentException(
                f"RFormula ({self.uid}): handleInvalid must be error, skip or keep, got "
                f"{self.getHandleInvalid()!r}")
        return parse_formula(self.getOrDefault("formula") if self.isDefined("formula") else None)

    def _out_schema(self, schema: T.StructType, label: str) -> T.StructType:
        """``schema`` plus the features column and, when the label is present and the label
        column is not, the label column (errors as Spark's for clashing columns)."""
        if self.getFeaturesCol() in schema.names:
            raise IllegalArgumentException(
                f"Output column {self.getFeaturesCol()} already exists.")
        fields = list(schema.fields) + [T.StructField(self.getFeaturesCol(), VectorUDT(), True)]
        label_col = self.getLabelCol()
        if label_col in schema.names:
            if not isinstance(schema[label_col].dataType, T.NumericType):
                raise IllegalArgumentException(
                    f"requirement failed: Label column already exists and is not of type "
                    f"numeric (column `{label_col}`).")
        elif label and label in schema.names:
            fields.append(T.StructField(label_col, T.DoubleType(), True))
        return T.StructType(fields)


def _tmp(kind: str, uid: str, column: str) -> str:
    """A temporary column name, the same for the same stage and column (so a plan built twice
    for one schema names its columns alike)."""
    return f"{kind}_{hashlib.sha1(f'{uid}/{column}'.encode()).hexdigest()[:12]}"


def _check_columns(resolved: ResolvedFormula, schema: T.StructType, uid: str) -> None:
    for term in resolved.terms:
        for c in term:
            if c not in schema.names:
                raise AnalysisException(
                    f"[FIELD_NOT_FOUND] RFormula ({uid}): the formula names column `{c}`, which "
                    f"does not exist. Available: {', '.join(schema.names)}.", "FIELD_NOT_FOUND")
            dt = schema[c].dataType
            if not isinstance(dt, (T.StringType, T.NumericType, T.BooleanType, VectorUDT)):
                raise IllegalArgumentException(
                    f"RFormula ({uid}): column `{c}` has type {dt.simpleString()}, which a formula "
                    f"cannot use (string, numeric, boolean or vector columns only)")
            if len(term) > 1 and isinstance(dt, T.BooleanType):
                # Spark's Interaction takes numbers and vectors only, so Spark fails here too
                raise IllegalArgumentException(
                    f"RFormula ({uid}): boolean column `{c}` cannot take part in the interaction "
                    f"{':'.join(term)}; cast it to double first")


class RFormula(Estimator, _RFormulaParams):
    """Selects and encodes features (and the label) as an R formula says: ``y ~ a + b``,
    ``y ~ a:b``, ``y ~ a * b``, ``y ~ . - c``, ``y ~ a + b - 1``."""

    @keyword_only
    def __init__(self, *, formula: str | None = None, featuresCol: str = "features",
                 labelCol: str = "label", forceIndexLabel: bool = False,
                 stringIndexerOrderType: str = "frequencyDesc", handleInvalid: str = "error"):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, formula: str | None = None, featuresCol: str = "features",
                  labelCol: str = "label", forceIndexLabel: bool = False,
                  stringIndexerOrderType: str = "frequencyDesc", handleInvalid: str = "error"
                  ) -> "RFormula":
        return self._set(**self._input_kwargs)

    def __str__(self) -> str:
        shown = self.getOrDefault("formula") if self.isDefined("formula") else ""
        return f"RFormula({shown}) (uid={self.uid})"

    def _validate_params(self) -> None:
        self._parsed()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        parsed = self._parsed()
        _check_columns(parsed.resolve(schema.names), schema, self.uid)
        return self._out_schema(schema, parsed.label)

    # -- the stages Spark would build, from the formula and the input schema
    def _stages(self, schema: T.StructType) -> tuple[ResolvedFormula, list, list]:
        """(resolved formula, feature stages, label stages)."""
        parsed = self._parsed()
        resolved = parsed.resolve(schema.names)
        _check_columns(resolved, schema, self.uid)
        handle, uid = self.getHandleInvalid(), self.uid
        strings = sorted({c for t in resolved.terms for c in t
                          if isinstance(schema[c].dataType, T.StringType)})
        stages: list = []
        indexed: dict[str, str] = {}
        for c in strings:
            indexed[c] = _tmp("stridx", uid, c)
            stages.append(StringIndexer(inputCol=c, outputCol=indexed[c], handleInvalid=handle,
                                        stringOrderType=self.getStringIndexerOrderType()))
        encoded: list[str] = []
        keep_reference = False
        for term in resolved.terms:
            if len(term) == 1 and term[0] in strings:
                out = _tmp("onehot", uid, term[0])
                # no intercept: the first string term keeps every category (the reference
                # level is absorbed by the missing intercept), as R does
                drop = resolved.has_intercept or keep_reference
                keep_reference = keep_reference or not resolved.has_intercept
                stages.append(OneHotEncoder(inputCols=[indexed[term[0]]], outputCols=[out],
                                            dropLast=drop))
                encoded.append(out)
            elif len(term) == 1:
                encoded.append(term[0])
            else:
                out = _tmp("interaction", uid, ":".join(term))
                stages.append(Interaction(inputCols=[indexed.get(c, c) for c in term],
                                          outputCol=out))
                encoded.append(out)
        if encoded:
            stages.append(VectorAssembler(inputCols=encoded, outputCol=self.getFeaturesCol(),
                                          handleInvalid=handle))
        label_stages: list = []
        label = resolved.label
        if label and label in schema.names and self.getLabelCol() not in schema.names and (
                isinstance(schema[label].dataType, T.StringType) or self.getForceIndexLabel()):
            label_stages.append(StringIndexer(inputCol=label, outputCol=self.getLabelCol(),
                                              handleInvalid=handle))
        return resolved, stages, label_stages

    def _fit_spec(self, schema: T.StructType, sources: dict[str, Any] | None = None) -> FitSpec:
        """Reads the formula's columns (and the label), writes features and label; an
        aggregation fit (the indexers' counts) unless skip makes it two passes."""
        parsed = self._parsed()
        reads = tuple(c for c in parsed.columns(schema.names) if c in schema.names)
        after = self.transformSchema(schema)
        writes = tuple(n for n in after.names if n not in schema.names)
        aggs = self._fit_aggregations(schema)
        kind = ITERATIVE if aggs is None else AGGREGATION
        return FitSpec(reads, writes, kind, tuple(aggs or ()), None,
                       self.getHandleInvalid() == "skip")

    def _fit_aggregations(self, schema: T.StructType) -> list | None:
        if self.getHandleInvalid() == "skip":
            return None  # the label indexer is fitted on the rows the features keep
        _, stages, label_stages = self._stages(schema)
        return [a for s in stages + label_stages if isinstance(s, StringIndexer)
                for a in s._fit_aggregations(schema)]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "RFormulaModel":
        """Indexer models from their counts, encoder sizes from the indexers: no more data."""
        resolved, stages, label_stages = self._stages(schema)
        fitted: list = []
        upstream: dict[str, Any] = {}
        pos = 0
        current = schema
        for s in stages + label_stages:
            if isinstance(s, StringIndexer):
                n = len(s._fit_aggregations(schema))
                model = s._model_from(results[pos:pos + n], schema)._set_parent(s)
                pos += n
                upstream[s.getOutputCol()] = model
            elif isinstance(s, OneHotEncoder):
                model = s._fit_without_data(upstream, current)._set_parent(s)
            else:
                model = s
            fitted.append(model)
            current = model.transformSchema(current)
        return self._model(resolved, fitted)

    def _fit(self, dataset: Any) -> "RFormulaModel":
        aggs = self._fit_aggregations(dataset.schema)
        if aggs is not None:
            return super()._fit(dataset)
        from ..pipeline import Pipeline
        resolved, stages, label_stages = self._stages(dataset.schema)
        inner = Pipeline(stages=stages + label_stages).fit(dataset)
        return self._model(resolved, inner.stages)

    def _model(self, resolved: ResolvedFormula, stages: list) -> "RFormulaModel":
        from ..pipeline import PipelineModel
        pipeline = PipelineModel(stages)
        pipeline._resetUid(self.uid)
        return self._copyValues(RFormulaModel(resolved, pipeline))


class RFormulaModel(Model, _RFormulaParams):
    """Fitted RFormula: the resolved formula and the PipelineModel that encodes it."""

    def __init__(self, resolvedFormula: ResolvedFormula | None = None,
                 pipelineModel: Any = None):
        super().__init__()
        self.resolvedFormula = resolvedFormula
        self.pipelineModel = pipelineModel

    def _init_loaded(self) -> None:
        self.resolvedFormula = None
        self.pipelineModel = None

    def __repr__(self) -> str:
        return f"RFormulaModel({self.resolvedFormula}) (uid={self.uid})"

    __str__ = __repr__

    def _label_indexer(self) -> StringIndexerModel | None:
        stages = self.pipelineModel.stages
        last = stages[-1] if stages else None
        if isinstance(last, StringIndexerModel) and last.getOutputCol() == self.getLabelCol() \
                and last.getInputCol() == self.resolvedFormula.label:
            return last
        return None

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        resolved = self.resolvedFormula
        for term in resolved.terms:
            for c in term:
                if c not in schema.names:
                    raise AnalysisException(
                        f"[FIELD_NOT_FOUND] RFormulaModel ({self.uid}): column `{c}` of the "
                        f"formula does not exist. Available: {', '.join(schema.names)}.",
                        "FIELD_NOT_FOUND")
        label = resolved.label
        if label in schema.names and self._label_indexer() is None and \
                self.getLabelCol() not in schema.names and \
                not isinstance(schema[label].dataType, (T.NumericType, T.BooleanType)):
            raise IllegalArgumentException(
                f"Unsupported type for label: {schema[label].dataType.simpleString()} (column "
                f"`{label}`)")
        return self._out_schema(schema, label)

    def _renames(self) -> list[tuple[str, str]]:
        """(temporary prefix, replacement) pairs that turn the assembled slot names into the
        formula's: an indexed or one-hot column's prefix becomes its string column's, an
        interaction's own prefix goes."""
        out: list[tuple[str, str]] = []
        sources: dict[str, str] = {}
        for s in self.pipelineModel.stages:
            if isinstance(s, StringIndexerModel) and s is not self._label_indexer():
                sources[s.getOutputCol()] = s.getInputCol()
                out.append((s.getOutputCol() + "_", s.getInputCol() + "_"))
            elif isinstance(s, OneHotEncoderModel):
                src = sources.get(s.getInputCols()[0], s.getInputCols()[0])
                out.append((s.getOutputCols()[0] + "_", src + "_"))
            elif isinstance(s, Interaction):
                out.append((s.getOutputCol() + "_", ""))
        return out

    def _transform(self, dataset: Any) -> Any:
        resolved = self.resolvedFormula
        names = dataset.columns
        frame = dataset
        label_idx = self._label_indexer()
        for s in self.pipelineModel.stages:
            if s is label_idx and (resolved.label not in names or self.getLabelCol() in names):
                continue  # scoring data without the label: features only
            frame = s.transform(frame)
        renames = self._renames()
        features = self.getFeaturesCol()
        if features in frame.columns:
            meta = _renamed(frame.schema[features].metadata or {}, renames)
            frame = frame.withColumn(features, F.col(features).alias(features, metadata=meta))
        label = resolved.label
        if label and label in names and self.getLabelCol() not in frame.columns:
            frame = frame.withColumn(self.getLabelCol(), F.col(label).cast("double"))
        keep = names + [c for c in (features, self.getLabelCol())
                        if c in frame.columns and c not in names]
        return frame.select(*keep)

    # -- persistence: data/ holds the resolved formula (Spark's columns), pipelineModel/ the
    # fitted stages
    def _save_data(self) -> pa.Table:
        r = self.resolvedFormula
        return pa.table({"label": pa.array([r.label], pa.string()),
                         "terms": pa.array([[list(t) for t in r.terms]],
                                           pa.list_(pa.list_(pa.string()))),
                         "hasIntercept": pa.array([r.has_intercept], pa.bool_())})

    def _load_data(self, table: pa.Table) -> None:
        row = table.to_pylist()[0]
        self.resolvedFormula = ResolvedFormula(row["label"] or "",
                                               tuple(tuple(t) for t in row["terms"]),
                                               bool(row["hasIntercept"]))

    def _save_parts(self, save_child: Any) -> dict:
        save_child(self.pipelineModel, "pipelineModel")
        return {}

    def _load_parts(self, meta: dict, load_child: Any, exists: Any) -> None:
        from ...ml.util import ModelLoadError
        if not exists("pipelineModel"):
            raise ModelLoadError(f"RFormulaModel ({self.uid}): pipelineModel/ is missing")
        self.pipelineModel = load_child("pipelineModel")


def _renamed(meta: dict, renames: list[tuple[str, str]]) -> dict:
    """Column metadata with every slot name rewritten by ``renames`` (each pair replaced
    wherever it occurs, in order, so both halves of ``a:b`` are renamed)."""
    attr = (meta or {}).get("ml_attr")
    if not attr or "attrs" not in attr:
        return meta
    groups = {}
    for kind, slots in attr["attrs"].items():
        new = []
        for a in slots:
            a = dict(a)
            if "name" in a:
                name = a["name"]
                for old, rep in renames:
                    name = name.replace(old, rep)
                a["name"] = name
            new.append(a)
        groups[kind] = new
    return {**meta, "ml_attr": {**attr, "attrs": groups}}
