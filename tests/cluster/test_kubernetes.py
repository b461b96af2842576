"""k8s://: the DaskCluster spec dask-kubernetes would submit carries what the Spark keys asked.

No Kubernetes API server can run here, so these tests check the generated resource offline;
the last one shows that start_kube_cluster reaches KubeCluster with that spec and fails with a
clear error when no cluster is configured.
"""

from __future__ import annotations

import os

import pytest

from dfml.cluster import connect
from dfml.cluster.config import ConfigError, MasterURLError
from dfml.cluster.kubernetes import (DEFAULT_IMAGE, autoscaler_bounds, build_cluster_spec,
                                     cluster_name, dns_name, start_kube_cluster)

pytest.importorskip("dask_kubernetes")


def _worker(spec):
    return spec["spec"]["worker"]["spec"]["containers"][0]


def _scheduler(spec):
    return spec["spec"]["scheduler"]["spec"]["containers"][0]


def _arg(container, flag):
    args = container["args"]
    return args[args.index(flag) + 1]


FULL = {
    "spark.app.name": "Nightly ETL_job (v2)",
    "spark.kubernetes.container.image": "registry.example.com/dfml:0.1.0",
    "spark.executor.instances": "4",
    "spark.executor.cores": "2",
    "spark.executor.memory": "3g",
    "spark.executorEnv.AWS_REGION": "eu-west-1",
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    "spark.kubernetes.container.image.pullPolicy": "Always",
}


def test_spec_carries_what_the_config_asked():
    spec = build_cluster_spec("k8s://analytics", FULL)
    assert spec["apiVersion"] == "kubernetes.dask.org/v1" and spec["kind"] == "DaskCluster"
    assert spec["metadata"] == {"name": "nightly-etl-job-v2", "namespace": "analytics"}
    worker = _worker(spec)
    assert spec["spec"]["worker"]["replicas"] == 4
    assert worker["image"] == _scheduler(spec)["image"] == "registry.example.com/dfml:0.1.0"
    assert worker["imagePullPolicy"] == _scheduler(spec)["imagePullPolicy"] == "Always"
    # the worker process is sized as asked...
    assert worker["args"][:2] == ["dask", "worker"]
    assert _arg(worker, "--nthreads") == "2"
    assert int(_arg(worker, "--memory-limit")) == 3 * 2 ** 30
    # ...and so is its pod: CPUs requested (no CPU limit, as in Spark), memory requested = limit
    assert worker["resources"] == {"requests": {"cpu": "2", "memory": "3072Mi"},
                                   "limits": {"memory": "3072Mi"}}
    assert {e["name"]: e["value"] for e in worker["env"]} == {"AWS_REGION": "eu-west-1",
                                                              "OMP_NUM_THREADS": "1"}
    # executor settings are the workers'; the scheduler keeps its own
    assert _scheduler(spec)["env"] == [] and _scheduler(spec)["resources"] == {}
    assert spec["spec"]["scheduler"]["service"]["selector"]["dask.org/cluster-name"] == \
        "nightly-etl-job-v2"


def test_defaults_follow_spark_on_kubernetes():
    spec = build_cluster_spec("k8s://", {})
    worker = _worker(spec)
    assert spec["metadata"] == {"name": "dfml", "namespace": "default"}
    assert worker["image"] == DEFAULT_IMAGE
    assert spec["spec"]["worker"]["replicas"] == 2                     # spark.executor.instances
    assert _arg(worker, "--nthreads") == "1"                           # spark.executor.cores
    assert worker["resources"]["requests"] == {"cpu": "1", "memory": "1024Mi"}  # 1g
    assert "imagePullPolicy" not in worker


def test_namespace_from_conf_and_executor_image_override():
    spec = build_cluster_spec("k8s://", {"spark.kubernetes.namespace": "team-a",
                                         "spark.kubernetes.container.image": "img:1",
                                         "spark.kubernetes.executor.container.image": "img:worker"})
    assert spec["metadata"]["namespace"] == "team-a"
    assert _scheduler(spec)["image"] == "img:1" and _worker(spec)["image"] == "img:worker"


def test_kubernetes_cpu_and_overhead_keys():
    spec = build_cluster_spec("k8s://", {"spark.executor.cores": "4",
                                         "spark.kubernetes.executor.request.cores": "3500m",
                                         "spark.kubernetes.executor.limit.cores": "4",
                                         "spark.executor.memory": "2g",
                                         "spark.executor.memoryOverhead": "512m",
                                         "spark.dfml.scheduler.cores": "0.5",
                                         "spark.dfml.scheduler.memory": "1g"})
    worker = _worker(spec)
    assert worker["resources"] == {"requests": {"cpu": "3500m", "memory": "2560Mi"},
                                   "limits": {"cpu": "4", "memory": "2560Mi"}}
    assert int(_arg(worker, "--memory-limit")) == 2 * 2 ** 30  # the worker's own limit excludes it
    assert _arg(worker, "--nthreads") == "4"
    assert _scheduler(spec)["resources"] == {"requests": {"cpu": "0.5", "memory": "1024Mi"},
                                             "limits": {"memory": "1024Mi"}}


def test_fractional_memory_keeps_exact_bytes():
    spec = build_cluster_spec("k8s://", {"spark.executor.memory": "1.5g"})
    assert _worker(spec)["resources"]["limits"]["memory"] == "1536Mi"
    spec = build_cluster_spec("k8s://", {"spark.executor.memory": "1000k"})
    assert _worker(spec)["resources"]["limits"]["memory"] == str(1000 * 1024)


def test_dynamic_allocation_sets_start_and_autoscaler_bounds():
    conf = {"spark.dynamicAllocation.enabled": "true", "spark.dynamicAllocation.minExecutors": "1",
            "spark.dynamicAllocation.maxExecutors": "10",
            "spark.dynamicAllocation.initialExecutors": "3"}
    assert build_cluster_spec("k8s://", conf)["spec"]["worker"]["replicas"] == 3
    assert autoscaler_bounds(conf) == (1, 10)
    assert autoscaler_bounds({}) is None
    with pytest.raises(ConfigError, match="maxExecutors"):
        build_cluster_spec("k8s://", {"spark.dynamicAllocation.enabled": "true"})


@pytest.mark.parametrize("app, name", [
    ("ETL", "etl"), ("my_app.py", "my-app-py"), ("  --Weird!!Name--  ", "weird-name"),
    ("2024 report", "dfml-2024-report"), ("", "dfml"), ("ü", "dfml"),
])
def test_app_names_become_dns_labels(app, name):
    assert dns_name(app) == name


def test_long_names_leave_room_for_derived_names():
    name = cluster_name({"spark.app.name": "x" * 200}, suffix="a1b2c3")
    assert len(name) <= 53 and name.endswith("-a1b2c3")
    assert len(name + "-scheduler") <= 63  # the operator's service name is a 63-char label


@pytest.mark.parametrize("conf, named", [
    ({"spark.kubernetes.namespace": "other"}, "spark.kubernetes.namespace='other'"),
    ({"spark.kubernetes.executor.request.cores": "lots"}, "request.cores='lots'"),
    ({"spark.kubernetes.executor.limit.cores": "-1"}, "limit.cores='-1'"),
    ({"spark.kubernetes.container.image.pullPolicy": "Sometimes"}, "pullPolicy='Sometimes'"),
    ({"spark.kubernetes.container.image": " "}, "spark.kubernetes.container.image"),
    ({"spark.executorEnv.BAD=NAME": "1"}, "BAD=NAME"),
    ({"spark.executor.cores": "0"}, "spark.executor.cores='0'"),
    ({"spark.dfml.scheduler.memory": "big"}, "spark.dfml.scheduler.memory='big'"),
])
def test_bad_kubernetes_values_fail_before_anything(conf, named):
    with pytest.raises(ConfigError) as e:
        build_cluster_spec("k8s://analytics", conf)
    assert named in str(e.value)
    with pytest.raises(ConfigError):
        connect("k8s://analytics", conf)  # refused before KubeCluster is built


def test_api_server_url_is_refused_with_a_hint():
    with pytest.raises(MasterURLError, match="kubeconfig"):
        connect("k8s://https://10.0.0.1:6443", {})


def test_without_a_kubernetes_cluster_start_fails_clearly(monkeypatch, tmp_path):
    """What can be run here: KubeCluster gets the spec and finds no cluster to talk to."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing-kubeconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(var, raising=False)
    assert not os.path.exists(tmp_path / ".kube")
    with pytest.raises(ConnectionError) as e:
        start_kube_cluster("k8s://analytics", {"spark.app.name": "etl"})
    assert "k8s://analytics" in str(e.value) and "namespace 'analytics'" in str(e.value)
    assert "DaskCluster 'etl-" in str(e.value)
