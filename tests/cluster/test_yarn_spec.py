"""The skein ApplicationSpec dfml builds for master ``yarn`` (no YARN is started here)."""

from __future__ import annotations

import base64
import json
import sys

import pytest

skein = pytest.importorskip("skein")

from dfml.cluster.config import ConfigError  # noqa: E402
from dfml.cluster.yarn import build_spec, exit_code_of, yarn_settings  # noqa: E402


def test_executor_keys_shape_the_worker_containers():
    spec = build_spec({"spark.executor.instances": "3", "spark.executor.cores": "2",
                       "spark.executor.memory": "2g", "spark.app.name": "etl",
                       "spark.yarn.queue": "analytics"})
    assert spec.name == "etl" and spec.queue == "analytics"
    worker = spec.services["dask.worker"]
    assert worker.instances == 3
    assert worker.resources.vcores == 2
    assert worker.resources.memory == 2048 + 384          # Spark's overhead rule
    assert "--nthreads 2" in worker.script and "--memory-limit 2048MiB" in worker.script
    assert worker.depends == {"dask.scheduler"}
    assert worker.max_restarts == 6 and worker.allow_failures
    assert set(spec.services) == {"dask.scheduler", "dask.worker"}


def test_defaults_follow_spark_on_yarn():
    s = yarn_settings({})
    assert (s.workers, s.worker_cores, s.worker_memory_mib, s.worker_overhead_mib) == (2, 1, 1024, 384)
    assert s.python == sys.executable


def test_environment_archive_provides_python(tmp_path):
    env = tmp_path / "env.tar.gz"
    env.write_bytes(b"")
    spec = build_spec({"spark.yarn.dist.archives": f"{env}#environment"})
    worker = spec.services["dask.worker"]
    assert worker.script.startswith("exec ./environment/bin/python -m dfml.cluster.yarn_container")
    assert worker.files["environment"].type == "ARCHIVE"


def test_cluster_mode_adds_a_driver_with_the_settings(tmp_path):
    app = tmp_path / "app.py"
    app.write_text("print(1)\n")
    conf = {"spark.driver.memory": "2g", "spark.driver.cores": "2", "x.y": "it's \"quoted\""}
    spec = build_spec(conf, driver=(str(app), ["--in", "hdfs:///a b"]))
    driver = spec.services["driver"]
    assert driver.resources.memory == 2048 + 384 and driver.resources.vcores == 2
    assert "driver app.py --in 'hdfs:///a b'" in driver.script
    assert "app.py" in driver.files
    sent = json.loads(base64.b64decode(driver.env["DFML_CONF_B64"]))
    assert sent["x.y"] == "it's \"quoted\"" and sent["spark.submit.deployMode"] == "cluster"


def test_missing_file_is_refused_before_anything_starts():
    with pytest.raises(ConfigError, match="no such file"):
        build_spec({"spark.files": "/nonexistent/lookup.csv"})


def test_exit_code_from_diagnostics():
    class Report:
        final_status, diagnostics = "FAILED", "dfml driver exit code 3"
    assert exit_code_of(Report()) == 3
    Report.diagnostics = "killed by user"
    assert exit_code_of(Report()) == 1


def test_tags_and_node_labels_reach_the_spec(tmp_path):
    """spark.yarn.tags follow dfml's own tag; the AM label places the scheduler and (cluster
    mode) the driver, the executor label places the workers, as Spark places its AM and
    executors."""
    app = tmp_path / "app.py"
    app.write_text("")
    spec = build_spec({"spark.yarn.tags": "nightly, team-a,,nightly",
                       "spark.yarn.am.nodeLabelExpression": "control",
                       "spark.yarn.executor.nodeLabelExpression": "gpu && fast"},
                      driver=(str(app), []))
    assert spec.tags == {"dfml", "nightly", "team-a"}
    assert spec.services["dask.scheduler"].node_label == "control"
    assert spec.services["driver"].node_label == "control"
    assert spec.services["dask.worker"].node_label == "gpu && fast"


def test_without_labels_no_container_asks_for_one():
    spec = build_spec({})
    assert spec.tags == {"dfml"}
    assert {s.node_label for s in spec.services.values()} == {""}


def test_bad_tag_is_refused_naming_the_key():
    with pytest.raises(ConfigError, match="spark.yarn.tags"):
        build_spec({"spark.yarn.tags": "x" * 101})
