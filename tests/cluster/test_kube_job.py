"""k8s:// cluster mode: the driver as a DaskJob's runner pod. The generated DaskJob is checked
for what it carries and validated against the operator's DaskJob CRD (no Kubernetes runs here;
creating it without a configured cluster fails with a clear error)."""

from __future__ import annotations

import pytest

pytest.importorskip("dask_kubernetes")
yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")

from dfml.cli import main  # noqa: E402
from dfml.cluster.config import ConfigError  # noqa: E402
from dfml.cluster.kube_job import build_job_spec, job_manifests  # noqa: E402

from .test_kubernetes_crd import SETTINGS, _crd_schema, _errors  # noqa: E402

SCRIPT = "local:///opt/app/job.py"


@pytest.fixture(scope="module")
def daskjob():
    schema = _crd_schema("daskjob")
    for key, kind in (("apiVersion", "string"), ("kind", "string"), ("metadata", "object")):
        schema["properties"].setdefault(key, {"type": kind})
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("conf", SETTINGS, ids=lambda c: ",".join(c) or "defaults")
def test_generated_daskjob_is_valid_against_the_shipped_crd(daskjob, conf):
    job = build_job_spec("k8s://", conf, SCRIPT, ["--day", "2026-12-01"])
    assert job["kind"] == "DaskJob"
    assert _errors(daskjob, job) == []


def test_every_setting_together_and_driver_keys_are_valid(daskjob):
    conf = {k: v for c in SETTINGS for k, v in c.items()}
    conf.update({"spark.driver.memory": "2g", "spark.driver.cores": "2",
                 "spark.driver.memoryOverhead": "512m",
                 "spark.kubernetes.driver.container.image": "registry.example.com/driver:1"})
    assert _errors(daskjob, build_job_spec("k8s://", conf, SCRIPT, [])) == []


def test_runner_pod_runs_the_script_against_the_jobs_scheduler():
    job = build_job_spec("k8s://etl", {
        "spark.app.name": "nightly", "spark.sql.shuffle.partitions": "8",
        "spark.executor.instances": "3", "spark.executor.memory": "2g",
        "spark.driver.memory": "2g", "spark.driver.cores": "2",
        "spark.kubernetes.container.image": "registry.example.com/dfml:1",
        "spark.kubernetes.authenticate.driver.serviceAccountName": "runner",
        "spark.kubernetes.driver.node.selector.pool": "system",
        "spark.kubernetes.executor.node.selector.pool": "compute"}, SCRIPT, ["--day", "x"])
    assert job["metadata"] == {"name": "nightly", "namespace": "etl"}
    pod = job["spec"]["job"]["spec"]
    (runner,) = pod["containers"]
    # the settings that shaped the cluster are not repeated to the runner's session
    assert runner["args"] == ["dfml", "run", "--master", "$(DASK_SCHEDULER_ADDRESS)",
                              "--conf", "spark.app.name=nightly",
                              "--conf", "spark.sql.shuffle.partitions=8",
                              "/opt/app/job.py", "--day", "x"]
    assert runner["image"] == "registry.example.com/dfml:1"
    assert runner["resources"] == {"requests": {"cpu": "2", "memory": "2048Mi"},
                                   "limits": {"memory": "2048Mi"}}
    assert pod["restartPolicy"] == "Never"
    assert pod["serviceAccountName"] == "runner" and pod["nodeSelector"] == {"pool": "system"}
    cluster = job["spec"]["cluster"]["spec"]
    assert cluster["worker"]["replicas"] == 3
    assert cluster["worker"]["spec"]["nodeSelector"] == {"pool": "compute"}


def test_driver_image_wins_for_the_runner_only():
    job = build_job_spec("k8s://", {"spark.kubernetes.container.image": "a/common:1",
                                    "spark.kubernetes.driver.container.image": "a/driver:1"},
                         SCRIPT, [])
    assert job["spec"]["job"]["spec"]["containers"][0]["image"] == "a/driver:1"
    assert job["spec"]["cluster"]["spec"]["worker"]["spec"]["containers"][0]["image"] == "a/common:1"


@pytest.mark.parametrize("script", ["job.py", "/opt/app/job.py", "local://job.py",
                                    "hdfs:///apps/job.py"])
def test_script_must_be_in_the_image(script):
    with pytest.raises(ConfigError, match="local:///path/in/image.py"):
        build_job_spec("k8s://", {}, script, [])


def test_dry_run_prints_daskjob_and_autoscaler_for_the_jobs_cluster(daskjob, capsys):
    code = main(["submit", "--master", "k8s://etl", "--deploy-mode", "cluster", "--name", "nightly",
                 "--conf", "spark.dynamicAllocation.enabled=true",
                 "--conf", "spark.dynamicAllocation.maxExecutors=6", "--dry-run", SCRIPT, "a1"])
    assert code == 0
    job, scaler = yaml.safe_load_all(capsys.readouterr().out)
    assert _errors(daskjob, job) == []
    assert job["kind"] == "DaskJob" and job["spec"]["job"]["spec"]["containers"][0]["args"][-1] == "a1"
    # the operator names the job's DaskCluster after the job
    assert scaler["kind"] == "DaskAutoscaler"
    assert scaler["spec"] == {"cluster": "nightly", "minimum": 0, "maximum": 6}


def test_cluster_mode_with_a_local_path_is_refused_with_exit_2(capsys, tmp_path):
    script = tmp_path / "job.py"
    script.write_text("")
    assert main(["submit", "--master", "k8s://", "--deploy-mode", "cluster", "--dry-run",
                 str(script)]) == 2
    assert "local:///path/in/image.py" in capsys.readouterr().err


def test_without_a_kubernetes_cluster_submission_fails_clearly(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    code = main(["submit", "--master", "k8s://etl", "--deploy-mode", "cluster", SCRIPT])
    err = capsys.readouterr().err
    assert code == 1
    assert "could not create DaskJob" in err and "'etl'" in err, err


def test_manifests_without_dynamic_allocation_are_only_the_job():
    (only,) = job_manifests("k8s://", {}, SCRIPT, [])
    assert only["kind"] == "DaskJob"
