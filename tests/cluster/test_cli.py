"""``dfml submit``/``run``/``pack``: spark-submit's flags become Spark keys, the app's exit code is ours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import textwrap
import types

import pytest

from dfml.cli import _parser, build_submit_conf, main


def submit_conf(*argv: str) -> dict[str, str]:
    return build_submit_conf(_parser().parse_args(["submit", *argv]))


@pytest.fixture(autouse=True)
def no_inherited_master(monkeypatch):
    monkeypatch.delenv("DFML_MASTER", raising=False)
    monkeypatch.delenv("DFML_CONF", raising=False)


# ------------------------------------------------------------------ flags -> settings
def test_flags_map_to_spark_keys():
    conf = submit_conf("--master", "local[2]", "--deploy-mode", "client", "--name", "etl",
                       "--num-executors", "3", "--executor-cores", "2", "--executor-memory", "2g",
                       "--driver-memory", "1g", "--driver-cores", "1", "--py-files", "a.py,b.zip",
                       "--files", "x.csv", "--archives", "env.tar.gz#environment",
                       "--conf", "spark.sql.shuffle.partitions=8", "app.py", "in", "--out", "o")
    assert conf == {
        "spark.master": "local[2]", "spark.submit.deployMode": "client", "spark.app.name": "etl",
        "spark.executor.instances": "3", "spark.executor.cores": "2",
        "spark.executor.memory": "2g", "spark.driver.memory": "1g", "spark.driver.cores": "1",
        "spark.submit.pyFiles": "a.py,b.zip", "spark.files": "x.csv",
        "spark.archives": "env.tar.gz#environment", "spark.sql.shuffle.partitions": "8",
    }


def test_app_arguments_are_not_read_as_flags():
    ns = _parser().parse_args(["submit", "--master", "local[1]", "app.py", "--master", "yarn", "-v"])
    assert ns.script == "app.py" and ns.args == ["--master", "yarn", "-v"]
    assert build_submit_conf(ns)["spark.master"] == "local[1]"


def test_defaults_like_spark_submit(monkeypatch):
    conf = submit_conf("jobs/daily.py")
    assert conf == {"spark.master": "local[*]", "spark.submit.deployMode": "client",
                    "spark.app.name": "daily.py"}
    monkeypatch.setenv("DFML_MASTER", "local[1]")
    assert submit_conf("jobs/daily.py")["spark.master"] == "local[1]"


def test_explicit_flag_beats_conf_beats_properties_file(tmp_path):
    props = tmp_path / "spark-defaults.conf"
    props.write_text("# defaults\nspark.executor.memory   1g\nspark.executor.cores=3\n"
                     "spark.app.name = from-file\nspark.extra.opts -Da=b -Dc=d\n")
    conf = submit_conf("--properties-file", str(props), "--conf", "spark.executor.memory=4g",
                       "--conf", "spark.executor.cores=5", "--executor-cores", "2", "app.py")
    assert conf["spark.executor.cores"] == "2"          # flag over --conf
    assert conf["spark.executor.memory"] == "4g"        # --conf over the file
    assert conf["spark.app.name"] == "from-file"        # the file over the default name
    assert conf["spark.extra.opts"] == "-Da=b -Dc=d"
    conf = submit_conf("--conf", "spark.master=local[1]", "--master", "local[2]",
                       "--conf", "spark.app.name=conf-name", "--name", "flag-name", "app.py")
    assert conf["spark.master"] == "local[2]" and conf["spark.app.name"] == "flag-name"


def test_list_flags_add_to_conf_lists():
    conf = submit_conf("--conf", "spark.submit.pyFiles=a.py", "--py-files", "b.py", "app.py")
    assert conf["spark.submit.pyFiles"] == "a.py,b.py"


def test_yarn_cluster_command_line_maps_to_yarn_conf():
    """What dfml.cluster.yarn receives for a typical YARN submission (YARN itself not started)."""
    conf = submit_conf("--master", "yarn", "--deploy-mode", "cluster", "--name", "etl",
                       "--num-executors", "3", "--executor-cores", "2", "--executor-memory", "1g",
                       "--driver-memory", "512m", "--queue", "analytics",
                       "--archives", "env.tar.gz#environment", "--files", "lookup.csv",
                       "--conf", "spark.yarn.dist.archives=extra.zip#extra",
                       "--conf", "spark.dynamicAllocation.enabled=true",
                       "--conf", "spark.dynamicAllocation.maxExecutors=5", "app.py", "hdfs:///in")
    assert conf == {
        "spark.master": "yarn", "spark.submit.deployMode": "cluster", "spark.app.name": "etl",
        "spark.executor.instances": "3", "spark.executor.cores": "2",
        "spark.executor.memory": "1g", "spark.driver.memory": "512m",
        "spark.yarn.queue": "analytics",
        "spark.archives": "env.tar.gz#environment",
        "spark.yarn.dist.archives": "extra.zip#extra,env.tar.gz#environment",
        "spark.files": "lookup.csv", "spark.yarn.dist.files": "lookup.csv",
        "spark.dynamicAllocation.enabled": "true", "spark.dynamicAllocation.maxExecutors": "5",
    }


def test_yarn_cluster_mode_hands_script_to_yarn_launcher(tmp_path, monkeypatch):
    """The call into dfml.cluster.yarn; a stand-in module records it (no YARN is started)."""
    script = tmp_path / "app.py"
    script.write_text("raise SystemExit('must not run in the submitting process')\n")
    calls = []
    fake = types.ModuleType("dfml.cluster.yarn")
    fake.submit_cluster_mode = lambda s, a, c: calls.append((s, a, c)) or 17
    monkeypatch.setitem(sys.modules, "dfml.cluster.yarn", fake)
    rc = main(["submit", "--master", "yarn", "--deploy-mode", "cluster", "--num-executors", "2",
               str(script), "x", "--y"])
    assert rc == 17
    [(s, a, c)] = calls
    assert s == str(script) and a == ["x", "--y"]
    assert c["spark.executor.instances"] == "2" and c["spark.submit.deployMode"] == "cluster"


# ------------------------------------------------------------------ refusals before the app starts
@pytest.mark.parametrize("argv, message", [
    (["--master", "local[2]", "--deploy-mode", "cluster"], "--deploy-mode cluster does not apply to master 'local[2]'"),
    (["--master", "tcp://127.0.0.1:8786", "--deploy-mode", "cluster"], "does not apply"),
    (["--conf", "spark.submit.deployMode=cluster"], "does not apply to master 'local[*]'"),
    (["--conf", "spark.submit.deployMode=sideways"], "spark.submit.deployMode='sideways'"),
    (["--executor-memory", "lots"], "spark.executor.memory='lots'"),
    (["--num-executors", "two"], "spark.executor.instances='two'"),
    (["--executor-cores", "0"], "spark.executor.cores='0'"),
    (["--master", "spark://h:7077"], "unknown master URL 'spark://h:7077'"),
    (["--conf", "novalue"], "--conf takes key=value, got 'novalue'"),
    (["--py-files", "missing.py"], "no such file 'missing.py'"),
    (["--properties-file", "/nonexistent/props"], "--properties-file /nonexistent/props"),
])
def test_refused_before_the_app_runs(tmp_path, capsys, argv, message):
    marker = tmp_path / "ran"
    script = tmp_path / "app.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    assert main(["submit", *argv, str(script)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dfml submit: error: ") and message in err
    assert not marker.exists()


def test_missing_script(capsys):
    assert main(["submit", "no/such/app.py"]) == 2
    assert "no such script: no/such/app.py" in capsys.readouterr().err


# ------------------------------------------------------------------ running the app here
def _script(tmp_path, body: str):
    path = tmp_path / "app.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


@pytest.mark.parametrize("body, code, err", [
    ("pass", 0, ""),
    ("import sys; sys.exit(4)", 4, ""),
    ("import sys; sys.exit()", 0, ""),
    ("import sys; sys.exit('bad input')", 1, "bad input"),
])
def test_exit_code_is_the_apps(tmp_path, capsys, body, code, err):
    assert main(["submit", _script(tmp_path, body)]) == code
    assert err in capsys.readouterr().err


def test_app_exception_propagates_like_python(tmp_path):
    with pytest.raises(ZeroDivisionError):
        main(["submit", _script(tmp_path, "1 / 0")])


def test_client_mode_environment_is_the_apps_and_restored(tmp_path):
    script = _script(tmp_path, """
        import json, os, sys
        json.dump({"argv": sys.argv, "master": os.environ["DFML_MASTER"],
                   "conf": json.loads(os.environ["DFML_CONF"]), "path0": sys.path[0]},
                  open(os.path.join(os.path.dirname(__file__), "seen.json"), "w"))
    """)
    argv_before, path_before = list(sys.argv), list(sys.path)
    assert main(["run", "--master", "local[1]", "--conf", "spark.a=1", script, "p", "-q"]) == 0
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["argv"] == [script, "p", "-q"] and seen["master"] == "local[1]"
    assert seen["conf"] == {"spark.a": "1", "spark.master": "local[1]"}
    assert seen["path0"] == str(tmp_path)
    assert "DFML_CONF" not in os.environ and "DFML_MASTER" not in os.environ
    assert sys.argv == argv_before and sys.path == path_before


E2E_APP = """
    import json, sys
    from dfml.sql import SparkSession, functions as F

    spark = (SparkSession.builder.appName("set-in-script")
             .config("spark.test.both", "script").getOrCreate())
    workers = list(spark.client.scheduler_info(n_workers=-1)["workers"].values())
    df = spark.createDataFrame([(i, i % 3) for i in range(30)], ["x", "k"])
    rows = df.groupBy("k").agg(F.sum("x").alias("s")).orderBy("k").collect()
    with open(sys.argv[1], "w") as f:
        json.dump({"master": spark.master, "app": spark.appName,
                   "both": spark.conf.get("spark.test.both"),
                   "only_submit": spark.conf.get("spark.test.onlySubmit"),
                   "workers": len(workers),
                   "threads": sorted(w["nthreads"] for w in workers),
                   "memory": sorted(w["memory_limit"] for w in workers),
                   "rows": [list(r) for r in rows], "args": sys.argv[2:]}, f)
    sys.exit(int(sys.argv[2]))   # the session is left open: dfml submit stops it
"""


def test_submit_client_mode_end_to_end(tmp_path):
    """`dfml submit` as a command: a real local cluster shaped by the flags, exit code kept."""
    script = _script(tmp_path, E2E_APP)
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, "-m", "dfml.cli", "submit", "--master", "local[1]", "--name", "flag-name",
         "--num-executors", "2", "--executor-cores", "2", "--executor-memory", "600m",
         "--conf", "spark.dfml.progress=false", "--conf", "spark.test.both=submit",
         "--conf", "spark.test.onlySubmit=yes", script, str(out), "3"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == 3, proc.stderr
    seen = json.loads(out.read_text())
    assert seen["master"] == "local[1]"
    assert seen["workers"] == 2 and seen["threads"] == [2, 2]
    assert seen["memory"] == [600 * 2 ** 20] * 2
    assert seen["app"] == "set-in-script" and seen["both"] == "script"  # the builder wins
    assert seen["only_submit"] == "yes"                                  # submitted defaults reach it
    assert seen["rows"] == [[0, 135], [1, 145], [2, 155]]
    assert seen["args"] == ["3"]


# ------------------------------------------------------------------ pack
def test_pack_outside_a_virtualenv_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "plain-python"))
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "plain-python"))
    assert main(["pack", "-o", str(tmp_path / "env.tar.gz")]) == 1
    err = capsys.readouterr().err
    assert "not run in a virtualenv or a conda environment" in err and "python -m venv" in err
    assert not (tmp_path / "env.tar.gz").exists()


def test_pack_writes_a_virtualenv_archive(tmp_path, capsys):
    pytest.importorskip("venv_pack")
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True,
                   timeout=120)
    out = tmp_path / "env.tar.gz"
    assert main(["pack", "--prefix", str(env), "-o", str(out)]) == 0
    assert f"--archives {out}#environment" in capsys.readouterr().out
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
    assert {"bin/python", "bin/activate", "pyvenv.cfg"} <= names
    assert main(["pack", "--prefix", str(env), "-o", str(out)]) == 1  # no silent overwrite
    assert "--force" in capsys.readouterr().err
    assert main(["pack", "--prefix", str(env), "-o", str(out), "--force"]) == 0


def test_malformed_submitted_conf_is_named(monkeypatch):
    from dfml.sql import SparkSession
    monkeypatch.setenv("DFML_CONF", "{not json")
    with pytest.raises(ValueError, match="DFML_CONF"):
        SparkSession()
    monkeypatch.setenv("DFML_CONF", "[1, 2]")
    with pytest.raises(ValueError, match="DFML_CONF"):
        SparkSession()


def test_session_left_open_by_the_script_is_stopped(tmp_path, monkeypatch):
    from dfml.sql import SparkSession
    monkeypatch.setattr(SparkSession, "_active", None)  # a session of the test run is not the app's
    script = _script(tmp_path, """
        from dfml.sql import SparkSession
        spark = SparkSession.builder.config("spark.dfml.progress", "false").getOrCreate()
        assert spark.range(5).count() == 5
    """)
    assert main(["submit", "--master", "local[1]", script]) == 0
    assert SparkSession._active is None  # only stop() clears it
