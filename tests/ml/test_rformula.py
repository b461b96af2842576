"""RFormula and TargetEncoder beyond parity: bad formulas fail at once with the token named,
fits take the passes their data dependencies need (string indexers' counts fused, inside a
Pipeline too), fitted models save in Spark's layout and load to the same output."""

from __future__ import annotations

import json
import os

import pytest

from dfml.ml import Pipeline, PipelineModel
from dfml.ml.feature import (RFormula, RFormulaModel, StringIndexer, TargetEncoder,
                             VectorAssembler)
from dfml.sql.errors import AnalysisException, IllegalArgumentException

ROWS = [(1.0, "a", "x", 1.0, 3), (0.0, "b", "y", 2.0, 4), (1.0, "a", "y", 3.0, 5),
        (0.0, "c", "x", 4.0, 6), (1.0, "b", "z", 5.0, 7), (0.0, "c", "x", 6.0, 8)]
SCHEMA = "y double, s string, t string, n double, i int"


@pytest.fixture
def df(spark):
    return spark.createDataFrame(ROWS, SCHEMA)


@pytest.mark.parametrize("formula, token", [
    ("y ~ s $ n", "unexpected '$' at position 6"),
    ("y ~ s +", "unexpected end of formula"),
    ("y ~ `s` + n", "unexpected '`' at position 4"),
    ("y s", "expected '~'"),
    ("y ~ 2 + s", "unexpected number '2'"),
    ("y ~ (s + n", "unexpected end of formula"),
    ("y ~ s^x", "expected a positive integer power but found 'x'"),
])
def test_bad_formula_names_the_token(df, graphs, formula, token):
    n = graphs()
    with pytest.raises(IllegalArgumentException, match="Could not parse formula") as e:
        RFormula(formula=formula).fit(df)
    assert token in str(e.value)
    assert n.count == 0


def test_missing_column_and_unset_formula(df, graphs):
    n = graphs()
    with pytest.raises(AnalysisException, match="column `nope`"):
        RFormula(formula="y ~ s + nope").fit(df)
    with pytest.raises(IllegalArgumentException, match="formula is not set"):
        RFormula().fit(df)
    with pytest.raises(IllegalArgumentException, match="stringIndexerOrderType"):
        RFormula(formula="y ~ s", stringIndexerOrderType="bySize").fit(df)
    with pytest.raises(IllegalArgumentException, match="Output column features already exists"):
        RFormula(formula="y ~ n").fit(df.withColumn("features", df.n))
    assert n.count == 0


def test_fit_is_one_pass_of_fused_counts(df, graphs):
    """Three string indexers (s, t and the string label) count in one graph; the encoders'
    sizes come from them."""
    n = graphs()
    model = RFormula(formula="s ~ t + n + t:i").fit(df)
    assert n.count == 1
    assert model.pipelineModel.stages[-1].labels == ["a", "b", "c"]


def test_fused_with_other_stages_in_a_pipeline(df, graphs):
    pipe = Pipeline(stages=[RFormula(formula="y ~ s + t"),
                            StringIndexer(inputCol="t", outputCol="t_idx"),
                            TargetEncoder(inputCol="i", outputCol="i_enc", labelCol="y")])
    n = graphs()
    model = pipe.fit(df)
    assert n.count == 1 and model.fitPasses == 1
    rows = model.transform(df).select("features", "i_enc").collect()
    assert len(rows) == 6 and rows[0].i_enc == 1.0


def test_skip_fits_the_label_on_kept_rows(spark):
    df = spark.createDataFrame([("a", 1.0), ("b", None), ("c", 2.0), (None, 3.0)],
                               "s string, n double")
    model = RFormula(formula="s ~ n", handleInvalid="skip").fit(df)
    assert model.pipelineModel.stages[-1].labels == ["a", "c"]
    assert [r.label for r in model.transform(df).collect()] == [0.0, 1.0]


def test_save_load_in_spark_layout(df, tmp_path):
    model = RFormula(formula="y ~ s * n + t - 1", handleInvalid="keep").fit(df)
    path = str(tmp_path / "rf")
    model.save(path)
    meta = json.loads(open(os.path.join(path, "metadata", "part-00000")).read())
    assert meta["class"].endswith("RFormulaModel")
    assert meta["paramMap"]["formula"] == "y ~ s * n + t - 1"
    assert os.path.isdir(os.path.join(path, "pipelineModel", "stages"))
    import pyarrow.parquet as pq
    data = pq.read_table(os.path.join(path, "data", "part-00000.parquet")).to_pylist()
    assert data == [{"label": "y", "terms": [["s"], ["n"], ["s", "n"], ["t"]],
                     "hasIntercept": False}]
    loaded = RFormulaModel.load(path)
    assert str(loaded) == str(model)
    assert loaded.transform(df).collect() == model.transform(df).collect()
    assert loaded.transform(df).schema["features"].metadata == \
        model.transform(df).schema["features"].metadata
    est = RFormula(formula="y ~ .", forceIndexLabel=True)
    est.save(str(tmp_path / "est"))
    again = RFormula.load(str(tmp_path / "est"))
    assert again.getFormula() == "y ~ ." and again.getForceIndexLabel() is True
    pipe = Pipeline(stages=[est, VectorAssembler(inputCols=["features"], outputCol="f2")])
    pipe.fit(df).save(str(tmp_path / "pm"))
    pm = PipelineModel.load(str(tmp_path / "pm"))
    assert isinstance(pm.stages[0], RFormulaModel)
    assert pm.transform(df).count() == 6


def test_repr_and_str(df):
    est = RFormula(formula="y ~ s:t + n")
    assert str(est) == f"RFormula(y ~ s:t + n) (uid={est.uid})"
    model = est.fit(df)
    assert str(model) == (f"RFormulaModel(ResolvedRFormula(label=y, terms=[{{s,t}},n], "
                          f"hasIntercept=true)) (uid={est.uid})")
