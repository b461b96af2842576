"""``dfml check``: exact sites and verdicts on sample scripts, exit codes, the JSON shape, and
proof that the supported set is read from dfml itself (a removed function turns missing)."""

from __future__ import annotations

import ast
import json
import os

import pytest

import dfml.ml.classification
import dfml.sql.functions
from dfml.cli import main
from dfml.porting.check import check_paths
from dfml.porting.resolver import Resolver, load_differences
from dfml.porting.scanner import Scanner
from dfml.porting.resolver import is_module, lookup

SAMPLES = os.path.join(os.path.dirname(__file__), "samples")
ETL = os.path.join(SAMPLES, "etl_ml_job.py")
NB = os.path.join(SAMPLES, "notebook.ipynb")
MISSING = os.path.join(SAMPLES, "uses_missing.py")

ETL_ML = [
    (0, 2, 25, 'import', 'pyspark.sql.SparkSession', 'supported'),
    (0, 2, 39, 'import', 'pyspark.sql.DataFrame', 'supported'),
    (0, 3, 25, 'import', 'pyspark.sql.functions', 'supported'),
    (0, 4, 24, 'import', 'pyspark.ml.Pipeline', 'supported'),
    (0, 5, 32, 'import', 'pyspark.ml.feature.StringIndexer', 'supported'),
    (0, 5, 47, 'import', 'pyspark.ml.feature.VectorAssembler', 'supported'),
    (0, 6, 39, 'import', 'pyspark.ml.classification.LogisticRegression', 'supported'),
    (0, 10, 18, 'attribute', 'SparkSession.read', 'supported'),
    (0, 10, 23, 'method', 'DataFrameReader.option', 'supported'),
    (0, 10, 46, 'method', 'DataFrameReader.csv', 'difference'),
    (0, 14, 15, 'method', 'DataFrame.dropna', 'supported'),
    (0, 14, 40, 'method', 'DataFrame.withColumn', 'supported'),
    (0, 14, 62, 'name', 'pyspark.sql.functions.col', 'supported'),
    (0, 14, 81, 'method', 'Column.cast', 'supported'),
    (0, 17, 22, 'attribute', 'SparkSession.builder', 'supported'),
    (0, 17, 30, 'method', 'Builder.appName', 'supported'),
    (0, 17, 49, 'method', 'Builder.config', 'supported'),
    (0, 17, 56, 'conf', 'spark.executor.memory', 'supported'),
    (0, 17, 87, 'method', 'Builder.getOrCreate', 'supported'),
    (0, 19, 18, 'attribute', 'SparkSession.read', 'supported'),
    (0, 19, 23, 'method', 'DataFrameReader.parquet', 'supported'),
    (0, 20, 17, 'method', 'DataFrame.groupBy', 'supported'),
    (0, 20, 36, 'method', 'GroupedData.agg', 'supported'),
    (0, 20, 42, 'name', 'pyspark.sql.functions.avg', 'supported'),
    (0, 20, 55, 'method', 'Column.alias', 'supported'),
    (0, 21, 18, 'method', 'DataFrame.join', 'supported'),
    (0, 21, 49, 'method', 'DataFrame.orderBy', 'difference'),
    (0, 22, 22, 'method', 'DataFrame.randomSplit', 'difference'),
    (0, 23, 25, 'param', 'LogisticRegression(labelCol=)', 'supported'),
    (0, 23, 42, 'param', 'LogisticRegression(maxIter=)', 'supported'),
    (0, 24, 18, 'param', 'Pipeline(stages=)', 'supported'),
    (0, 25, 19, 'param', 'StringIndexer(inputCol=)', 'supported'),
    (0, 25, 39, 'param', 'StringIndexer(outputCol=)', 'supported'),
    (0, 26, 21, 'param', 'VectorAssembler(inputCols=)', 'supported'),
    (0, 26, 61, 'param', 'VectorAssembler(outputCol=)', 'supported'),
    (0, 28, 4, 'method', 'Pipeline.fit', 'supported'),
    (0, 29, 7, 'method', 'PipelineModel.transform', 'supported'),
    (0, 29, 23, 'method', 'DataFrame.select', 'supported'),
    (0, 29, 52, 'attribute', 'DataFrame.write', 'supported'),
    (0, 29, 58, 'method', 'DataFrameWriter.mode', 'supported'),
    (0, 29, 76, 'method', 'DataFrameWriter.parquet', 'supported'),
    (0, 30, 7, 'method', 'PipelineModel.write', 'difference'),
    (0, 31, 7, 'method', 'SparkSession.stop', 'supported'),
]

NOTEBOOK = [
    (2, 2, 25, 'import', 'pyspark.sql.functions', 'supported'),
    (3, 1, 12, 'method', 'SparkSession.table', 'supported'),
    (3, 3, 4, 'method', 'DataFrame.groupBy', 'supported'),
    (3, 3, 23, 'method', 'GroupedData.count', 'supported'),
    (3, 3, 31, 'method', 'DataFrame.show', 'supported'),
    (5, 1, 4, 'method', 'DataFrame.select', 'supported'),
    (5, 1, 13, 'name', 'pyspark.sql.functions.percentile_approx', 'difference'),
    (5, 1, 48, 'name', 'pyspark.sql.functions.nope', 'missing'),
    (5, 1, 59, 'method', 'DataFrame.collect', 'supported'),
]

USES_MISSING = [
    (0, 1, 8, 'import', 'pyspark.pandas', 'missing'),
    (0, 2, 25, 'import', 'pyspark.sql.SparkSession', 'supported'),
    (0, 3, 35, 'import', 'pyspark.sql.functions.col', 'supported'),
    (0, 3, 40, 'import', 'pyspark.sql.functions.no_such_function', 'missing'),
    (0, 4, 32, 'import', 'pyspark.ml.feature.NoSuchTransformer', 'missing'),
    (0, 6, 22, 'attribute', 'SparkSession.builder', 'supported'),
    (0, 6, 30, 'method', 'Builder.config', 'supported'),
    (0, 6, 37, 'conf', 'spark.sql.shuffle.partitions', 'difference'),
    (0, 6, 72, 'method', 'Builder.getOrCreate', 'supported'),
    (0, 7, 7, 'attribute', 'SparkSession.conf', 'supported'),
    (0, 7, 12, 'method', 'RuntimeConfig.set', 'supported'),
    (0, 7, 16, 'conf', 'spark.some.unknown.setting', 'missing'),
    (0, 8, 12, 'method', 'SparkSession.createDataFrame', 'supported'),
    (0, 9, 4, 'method', 'DataFrame.select', 'supported'),
    (0, 9, 21, 'method', 'DataFrame.noSuchMethod', 'missing'),
    (0, 9, 36, 'method', 'DataFrame.show', 'supported'),
]


def rows(path: str) -> list[tuple]:
    (report,) = check_paths([path]).files
    return [(s.cell, s.line, s.col, s.kind, s.api, v.status) for s, v in report.sites]


def scan(text: str) -> list[tuple]:
    """(line, kind, api) of the sites in ``text`` (no classification)."""
    sites = Scanner(is_module, lambda q: lookup(q) is not None).scan([(None, ast.parse(text))])
    return [(s.line, s.kind, s.api) for s in sites]


@pytest.mark.parametrize("path, expected", [(ETL, ETL_ML), (NB, NOTEBOOK),
                                            (MISSING, USES_MISSING)],
                         ids=["etl_ml", "notebook", "missing"])
def test_exact_sites_and_verdicts(path, expected):
    assert rows(path) == expected


def test_a_function_removed_from_dfml_is_reported_missing(monkeypatch):
    """The supported set follows the code: no list to update when dfml changes."""
    assert (0, 20, 42, "name", "pyspark.sql.functions.avg", "supported") in rows(ETL)
    monkeypatch.delattr(dfml.sql.functions, "avg")
    assert (0, 20, 42, "name", "pyspark.sql.functions.avg", "missing") in rows(ETL)


def test_a_method_removed_from_dfml_is_reported_missing(monkeypatch):
    from dfml.sql import DataFrame
    monkeypatch.delattr(DataFrame, "join")
    assert (0, 21, 18, "method", "DataFrame.join", "missing") in rows(ETL)


def test_a_param_removed_from_dfml_is_reported_missing(monkeypatch):
    monkeypatch.setattr(dfml.ml.classification.LogisticRegression, "maxIter", None)
    monkeypatch.setattr(dfml.ml.classification.LogisticRegression, "__init__",
                        lambda self, *, labelCol="label": None)
    assert (0, 23, 42, "param", "LogisticRegression(maxIter=)", "missing") in rows(ETL)


def test_differences_come_from_the_file_beside_the_code(tmp_path):
    custom = tmp_path / "d.toml"
    custom.write_text('[[difference]]\napi = ["DataFrame.join"]\ntext = "joins differ"\n')
    (report,) = check_paths([ETL], Resolver(load_differences(str(custom)))).files
    verdicts = {s.api: v for s, v in report.sites}
    assert verdicts["DataFrame.join"].status == "difference"
    assert verdicts["DataFrame.join"].note == "joins differ"
    assert verdicts["DataFrame.orderBy"].status == "supported"  # not in this file


def test_differences_file_is_checked(tmp_path):
    bad = tmp_path / "d.toml"
    bad.write_text('[[difference]]\napi = ["DataFrame.join"]\n')
    with pytest.raises(ValueError, match="difference #1 needs 'api' and 'text'"):
        load_differences(str(bad))
    bad.write_text('[[difference]]\napi = "a"\ntext = "t"\nstatus = "maybe"\n')
    with pytest.raises(ValueError, match="status 'maybe'"):
        load_differences(str(bad))


def test_every_named_difference_is_something_dfml_has():
    """A difference entry for a name dfml lacks would never be shown: catch stale entries."""
    from dfml.porting.resolver import DFML_CLASSES, dfml_class, has_member
    stale = []
    for d in load_differences():
        for p in d.patterns:
            if "*" in p:
                continue
            if p.startswith("pyspark."):
                ok = lookup(p) is not None
            elif p.split(".")[0] in DFML_CLASSES:
                ok = has_member(dfml_class(p.split(".")[0]), p.split(".", 1)[1])
            else:
                continue
            if not ok:
                stale.append(p)
    assert not stale


def test_exit_codes_and_text_output(capsys):
    assert main(["check", ETL]) == 0
    out = capsys.readouterr().out
    assert "21:49           difference DataFrame.orderBy" in out
    assert out.rstrip().endswith("1 file(s), 43 use(s) of PySpark's API: 43/43 supported "
                                 "(100.0%), 4 of them with a documented difference; 0 missing")
    assert main(["check", SAMPLES, "--missing-only"]) == 1
    out = capsys.readouterr().out
    assert "DataFrame.select" not in out and "cell 5, 1:48" in out
    assert "dfml's DataFrame has no noSuchMethod" in out
    assert main(["check", os.path.join(SAMPLES, "nope.py")]) == 2
    assert "dfml check: error: no such file or folder" in capsys.readouterr().err


def test_json_shape(capsys):
    assert main(["check", "--format", "json", NB]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"files": 1, "sites": 9, "supported": 7, "difference": 1,
                               "missing": 1, "errors": 0, "ratio": round(8 / 9, 4)}
    (f,) = data["files"]
    assert f["path"] == NB and f["errors"] == []
    assert f["sites"][-2] == {"line": 1, "col": 48, "cell": 5, "kind": "name",
                              "api": "pyspark.sql.functions.nope", "status": "missing",
                              "note": "dfml has no dfml.sql.functions.nope"}


def test_unparsable_file_is_reported_and_exits_2(tmp_path, capsys):
    (tmp_path / "broken.py").write_text("from pyspark.sql import functions as F\ndef (:\n")
    (tmp_path / "fine.py").write_text("from pyspark.sql import functions as F\nF.col('a')\n")
    (tmp_path / "notes.txt").write_text("not a script")
    assert main(["check", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert f"error: {tmp_path}/broken.py: line 2: cannot parse (invalid syntax)" in out
    assert "2 file(s), 2 use(s)" in out


def test_not_a_notebook(tmp_path, capsys):
    (tmp_path / "x.ipynb").write_text("{}")
    assert main(["check", str(tmp_path / "x.ipynb")]) == 2
    assert "not a Jupyter notebook" in capsys.readouterr().out


def test_types_flow_through_the_script():
    text = (
        "from pyspark.sql import SparkSession, Window, functions as F\n"
        "from pyspark.sql.types import Row\n"
        "with SparkSession.builder.getOrCreate() as s:\n"
        "    a, b = s.range(10).randomSplit([0.5, 0.5])\n"
        "    w = Window.partitionBy('id')\n"
        "    a.na.fill(0).stat.crosstab('x', 'y')\n"
        "    b['id'].isNull()\n"
        "    b[F.col('id') > 1].distinct()\n"
        "    b.id.desc()\n"
        "    Row(x=1).x\n"
        "    c = a if True else b\n"
        "    c.count()\n"
    )
    assert [(line, api) for line, kind, api in scan(text) if kind != "import"] == [
        (3, "SparkSession.builder"), (3, "Builder.getOrCreate"),
        (4, "SparkSession.range"), (4, "DataFrame.randomSplit"),
        (5, "Window.partitionBy"),
        (6, "DataFrame.na"), (6, "DataFrameNaFunctions.fill"), (6, "DataFrame.stat"),
        (6, "DataFrameStatFunctions.crosstab"),
        (7, "Column.isNull"),
        (8, "pyspark.sql.functions.col"), (8, "DataFrame.distinct"),
        (9, "Column.desc"),
        (12, "DataFrame.count"),
    ]


def test_settings_in_every_form():
    text = (
        "from pyspark import SparkConf\n"
        "from pyspark.sql import SparkSession\n"
        "conf = SparkConf().set('spark.a', '1').setAll([('spark.b', '2')])\n"
        "SparkSession.builder.config(key='spark.c', value=1).config(map={'spark.d': 1})\n"
        "spark.conf.set('spark.e', 'x')\n"
    )
    assert [api for _, kind, api in scan(text) if kind == "conf"] == [
        "spark.a", "spark.b", "spark.c", "spark.d", "spark.e"]


def test_unbound_spark_is_the_session_but_a_bound_one_is_not():
    assert (1, "method", "SparkSession.sql") in scan("spark.sql('select 1')\n")
    assert scan("spark = object()\nspark.sql('select 1')\n") == []


def test_calls_that_disagree_leave_a_parameter_unknown():
    text = (
        "import pyspark.ml.classification as C\n"
        "import pyspark.ml.regression as R\n"
        "def fit(m):\n"
        "    return m.LinearRegression()\n"
        "fit(C)\n"
        "fit(R)\n"
    )
    assert [api for _, kind, api in scan(text) if kind == "name"] == []


MISSING_REPORT = """\
{path}
  1:8             missing    pyspark.pandas
                             dfml has no module dfml.pandas
  3:40            missing    pyspark.sql.functions.no_such_function
                             dfml has no dfml.sql.functions.no_such_function
  4:32            missing    pyspark.ml.feature.NoSuchTransformer
                             dfml has no dfml.ml.feature.NoSuchTransformer
  6:37            difference spark.sql.shuffle.partitions
                             Accepted and ignored: Dask derives partition counts from the input's partitions and chooses between tree reductions and shuffles itself.
  7:16            missing    spark.some.unknown.setting
                             dfml does not read this setting (it is accepted and ignored)
  9:21            missing    DataFrame.noSuchMethod
                             dfml's DataFrame has no noSuchMethod

1 file(s), 16 use(s) of PySpark's API: 11/16 supported (68.8%), 1 of them with a documented difference; 5 missing
"""


def test_exact_text_report(capsys):
    assert main(["check", "--missing-only", MISSING]) == 1
    assert capsys.readouterr().out == MISSING_REPORT.format(path=MISSING)


def test_shipped_examples_use_only_what_dfml_has(capsys):
    examples = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
    assert main(["check", "--missing-only", examples]) == 0, capsys.readouterr().out


def test_star_imports():
    text = (
        "from pyspark.sql.functions import *\n"
        "def later():\n"
        "    return helper(1)\n"
        "def helper(x):\n"
        "    return x\n"
        "spark.range(3).select(col('id'), sum('id'), not_in_spark('id'), len([1]), later())\n"
    )
    assert [(api, kind) for _, kind, api in scan(text)][1:] == [
        ("SparkSession.range", "method"), ("DataFrame.select", "method"),
        ("pyspark.sql.functions.col", "name"), ("pyspark.sql.functions.sum", "name"),
        ("pyspark.sql.functions.not_in_spark", "name")]
    # another module's star import may define the unknown name: then it is not reported
    assert "pyspark.sql.functions.not_in_spark" not in [
        api for _, _, api in scan("from mylib import *\n" + text)]


def test_docs_list_the_differences_the_checker_uses():
    from dfml.porting.report import differences_markdown
    page = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "porting.md")
    with open(page, encoding="utf-8") as f:
        text = f.read()
    listed = text.split("<!-- differences:start -->\n")[1].split("<!-- differences:end -->")[0]
    assert listed == differences_markdown(), "regenerate the list in docs/porting.md (see there)"


def test_master_urls_in_code_are_checked():
    text = ("from pyspark.sql import SparkSession\n"
            "SparkSession.builder.master('local[2]').master('mesos://m:5050').getOrCreate()\n")
    (report,) = check_paths([_write(text)]).files
    masters = [(s.api, v.status, v.note) for s, v in report.sites if s.kind == "master"]
    assert masters == [
        ("local[2]", "supported", None),
        ("mesos://m:5050", "missing", "unknown master URL 'mesos://m:5050': use local, local[N], "
                                      "local[*], tcp://host:port, yarn or k8s://[namespace]")]


def _write(text: str, name: str = "job.py") -> str:
    import tempfile
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


SHELL = """\
#!/bin/bash
$SPARK_HOME/bin/spark-submit --master yarn --deploy-mode cluster \\
  --num-executors 10 --executor-memory=4g \\
  --conf spark.sql.shuffle.partitions=400 --conf "spark.yarn.queue=etl" \\
  --packages org.apache.hadoop:hadoop-aws:3.3.4 --verbose \\
  jobs/etl.py --master not-a-flag-of-spark-submit
echo done && spark-submit --master mesos://host:5050 app.py
"""


def test_spark_submit_lines_in_shell_scripts():
    (report,) = check_paths([_write(SHELL, "run.sh")]).files
    assert [(s.line, s.col, s.kind, s.api, v.status) for s, v in report.sites] == [
        (2, 30, "submit", "spark-submit --master", "supported"),
        (2, 39, "master", "yarn", "supported"),
        (2, 44, "submit", "spark-submit --deploy-mode", "supported"),
        (3, 3, "submit", "spark-submit --num-executors", "supported"),
        (3, 22, "submit", "spark-submit --executor-memory", "supported"),
        (4, 3, "submit", "spark-submit --conf", "supported"),
        (4, 10, "conf", "spark.sql.shuffle.partitions", "difference"),
        (4, 43, "submit", "spark-submit --conf", "supported"),
        (4, 50, "conf", "spark.yarn.queue", "supported"),
        (5, 3, "submit", "spark-submit --packages", "missing"),
        (5, 49, "submit", "spark-submit --verbose", "supported"),
        (7, 27, "submit", "spark-submit --master", "supported"),
        (7, 36, "master", "mesos://host:5050", "missing"),
    ]


def test_spark_defaults_conf():
    text = "# defaults\nspark.master  local[4]\nspark.executor.memory=2g\nspark.eventLog.enabled true\n"
    (report,) = check_paths([_write(text, "spark-defaults.conf")]).files
    assert [(s.line, s.col, s.api, v.status) for s, v in report.sites] == [
        (2, 1, "spark.master", "supported"), (2, 15, "local[4]", "supported"),
        (3, 1, "spark.executor.memory", "supported"),
        (4, 1, "spark.eventLog.enabled", "missing")]


def test_a_flag_removed_from_dfml_submit_is_reported_missing(monkeypatch):
    import dfml.cli
    flags = dfml.cli.submit_flags()
    monkeypatch.setattr(dfml.cli, "submit_flags",
                        lambda: {k: v for k, v in flags.items() if k != "--num-executors"})
    (report,) = check_paths([_write(SHELL, "run.sh")]).files
    verdicts = {s.api: v for s, v in report.sites}
    assert verdicts["spark-submit --num-executors"].status == "missing"


def test_files_are_read_as_python_reads_them(tmp_path):
    (tmp_path / "latin.py").write_bytes(
        "# -*- coding: latin-1 -*-\n# café\nfrom pyspark.sql import functions as F\r\nF.col('é')\n"
        .encode("latin-1"))
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbffrom pyspark.sql import Row\n")
    report = check_paths([str(tmp_path)])
    assert [[(s.line, s.api) for s, _ in f.sites] for f in report.files] == [
        [(1, "pyspark.sql.Row")],
        [(3, "pyspark.sql.functions"), (4, "pyspark.sql.functions.col")]]
    assert report.errors == 0


def test_deep_nesting_is_scanned_or_reported(tmp_path, monkeypatch):
    chain = "spark.range(1)" + ".filter('id > 0')" * 600
    (tmp_path / "long.py").write_text(f"df = {chain}\n")
    (tmp_path / "nested.py").write_text("x = " + " + ".join(["F.col('a')"] * 3000) + "\n")
    # the checker raises the limit to at least 8000; a library imported earlier in a full run
    # may have raised it further, which would let this depth parse: start from Python's default
    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        report = check_paths([str(tmp_path)])
    finally:
        sys.setrecursionlimit(limit)
    long, nested = report.files
    assert len(long.sites) == 601 and long.errors == []
    assert nested.errors and "nested.py: cannot parse" in nested.errors[0]


def test_attributes_of_self_are_followed():
    text = (
        "from pyspark.sql import SparkSession\n"
        "class Job:\n"
        "    def __init__(self):\n"
        "        self.spark = SparkSession.builder.getOrCreate()\n"
        "    def run(self):\n"
        "        return self.spark.read.parquet('x').filter('a > 1')\n"
    )
    assert [(line, api) for line, _, api in scan(text)][-3:] == [
        (6, "SparkSession.read"), (6, "DataFrameReader.parquet"), (6, "DataFrame.filter")]


def test_udfs_give_columns():
    text = (
        "from pyspark.sql import functions as F\n"
        "@F.udf('int')\n"
        "def plus_one(x):\n"
        "    return x + 1\n"
        "@F.pandas_udf\n"
        "def twice(s):\n"
        "    return s * 2\n"
        "neg = F.udf(lambda x: -x, 'int')\n"
        "plus_one('a').alias('b')\n"
        "twice('a').isNull()\n"
        "neg('a').cast('long')\n"
    )
    assert [(line, api) for line, kind, api in scan(text) if kind == "method"] == [
        (9, "Column.alias"), (10, "Column.isNull"), (11, "Column.cast")]


def test_set_params_keywords_are_params():
    text = ("from pyspark.ml.clustering import KMeans\n"
            "KMeans(k=2).setParams(seed=1, solver='auto')\n")
    assert [api for _, kind, api in scan(text) if kind == "param"] == [
        "KMeans(k=)", "KMeans(seed=)", "KMeans(solver=)"]
