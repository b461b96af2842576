"""k8s://: every DaskCluster dfml generates is valid against the CustomResourceDefinition that
dask-kubernetes ships (the operator's helm chart), for every Spark setting dfml maps.

The API server would check a resource against the CRD's OpenAPI schema, and silently drop
fields the schema does not list (pruning): a misspelled or misplaced field would then be lost
without an error. The validator here is stricter than the server on that point: objects with
listed properties refuse any other field, so a field the operator would never see fails the test.
"""

from __future__ import annotations

import copy
import os

import pytest

from dfml.cluster.kubernetes import build_cluster_spec

pytest.importorskip("dask_kubernetes")
jsonschema = pytest.importorskip("jsonschema")
yaml = pytest.importorskip("yaml")


def _crd_schema(kind: str) -> dict:
    import dask_kubernetes
    path = os.path.join(os.path.dirname(dask_kubernetes.__file__), "operator", "deployment",
                        "helm", "dask-kubernetes-operator", "crds", f"{kind}.yaml")
    with open(path, encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return _strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))


def _strict(node):
    """The CRD's structural schema as JSON Schema: int-or-string fields accept both, and objects
    that list their properties (and do not preserve unknown fields) refuse others."""
    if isinstance(node, dict):
        for value in node.values():
            _strict(value)
        if node.pop("x-kubernetes-int-or-string", False):
            node.pop("type", None)
            node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        if ("properties" in node and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")):
            node["additionalProperties"] = False
    elif isinstance(node, list):
        for value in node:
            _strict(value)
    return node


@pytest.fixture(scope="module")
def daskcluster():
    schema = _crd_schema("daskcluster")
    # apiVersion/kind/metadata are checked by the API server itself, not by the CRD schema.
    schema["properties"].setdefault("apiVersion", {"type": "string"})
    schema["properties"].setdefault("kind", {"type": "string"})
    schema["properties"].setdefault("metadata", {"type": "object"})
    return jsonschema.Draft7Validator(schema)


def _errors(validator, spec) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(spec)]


# One entry per Spark key build_cluster_spec maps (with the companions some need).
SETTINGS = [
    {},
    {"spark.app.name": "Nightly ETL_job (v2)"},
    {"spark.kubernetes.container.image": "registry.example.com/dfml:0.1.0"},
    {"spark.kubernetes.executor.container.image": "registry.example.com/dfml-worker:0.1.0"},
    {"spark.kubernetes.container.image.pullPolicy": "IfNotPresent"},
    {"spark.kubernetes.namespace": "etl"},
    {"spark.executor.instances": "5"},
    {"spark.executor.cores": "3"},
    {"spark.executor.memory": "3g"},
    {"spark.executor.memory": "1536k"},
    {"spark.executor.memoryOverhead": "512m"},
    {"spark.kubernetes.executor.request.cores": "0.5"},
    {"spark.kubernetes.executor.limit.cores": "2"},
    {"spark.executorEnv.AWS_REGION": "eu-west-1", "spark.executorEnv.OMP_NUM_THREADS": "1"},
    {"spark.dfml.scheduler.cores": "1"},
    {"spark.dfml.scheduler.memory": "2g"},
    {"spark.dynamicAllocation.enabled": "true", "spark.dynamicAllocation.minExecutors": "1",
     "spark.dynamicAllocation.maxExecutors": "8", "spark.dynamicAllocation.initialExecutors": "2"},
    # pod-level settings (dfml.cluster.kube_pods)
    {"spark.kubernetes.authenticate.driver.serviceAccountName": "dask-runner"},
    {"spark.kubernetes.authenticate.executor.serviceAccountName": "dask-worker"},
    {"spark.kubernetes.node.selector.topology.kubernetes.io/zone": "eu-west-1a"},
    {"spark.kubernetes.driver.node.selector.pool": "system"},
    {"spark.kubernetes.executor.node.selector.pool": "compute"},
    {"spark.dfml.kubernetes.tolerations": "dedicated=dask:NoSchedule,spot:NoExecute,*"},
    {"spark.dfml.kubernetes.scheduler.tolerations": "critical"},
    {"spark.dfml.kubernetes.executor.tolerations":
     '[{"key": "spot", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}]'},
    {"spark.kubernetes.executor.label.team": "etl", "spark.kubernetes.driver.label.team": "etl"},
    {"spark.kubernetes.executor.annotation.prometheus.io/scrape": "true",
     "spark.kubernetes.driver.annotation.owner": "Data platform <data@example.com>"},
    {"spark.kubernetes.container.image.pullSecrets": "registry-a,registry-b"},
    {"spark.executor.resource.gpu.amount": "1", "spark.executor.resource.gpu.vendor": "nvidia.com"},
]


@pytest.mark.parametrize("conf", SETTINGS, ids=lambda c: ",".join(c) or "defaults")
def test_generated_daskcluster_is_valid_against_the_shipped_crd(daskcluster, conf):
    spec = build_cluster_spec("k8s://", conf)
    assert spec["kind"] == "DaskCluster"
    assert _errors(daskcluster, spec) == []


def test_every_setting_together_is_valid(daskcluster):
    conf = {k: v for c in SETTINGS for k, v in c.items()}
    assert _errors(daskcluster, build_cluster_spec("k8s://", conf)) == []


def test_the_validator_catches_what_the_api_server_would_drop_or_refuse(daskcluster):
    """The check has teeth: a misplaced field, a wrong type and a bad int-or-string are errors."""
    spec = build_cluster_spec("k8s://", {})
    bad = copy.deepcopy(spec)
    bad["spec"]["worker"]["replica"] = 2
    assert any("replica" in e for e in _errors(daskcluster, bad))
    bad = copy.deepcopy(spec)
    bad["spec"]["worker"]["replicas"] = "two"
    assert any("replicas" in e for e in _errors(daskcluster, bad))
    bad = copy.deepcopy(spec)
    bad["spec"]["worker"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = [1]
    assert any("memory" in e for e in _errors(daskcluster, bad))


def test_dry_run_prints_the_manifests_and_runs_nothing(daskcluster, tmp_path, capsys):
    """``dfml submit --master k8s://... --dry-run`` prints valid DaskCluster and DaskAutoscaler
    YAML (what a run would create, less the random name suffix) and never starts the script."""
    from dfml.cli import main

    script = tmp_path / "app.py"
    marker = tmp_path / "ran"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    code = main(["submit", "--master", "k8s://etl", "--name", "nightly", "--num-executors", "3",
                 "--conf", "spark.dynamicAllocation.enabled=true",
                 "--conf", "spark.dynamicAllocation.maxExecutors=6",
                 "--conf", "spark.kubernetes.container.image=registry.example.com/dfml:1",
                 "--dry-run", str(script)])
    assert code == 0 and not marker.exists()
    cluster, scaler = yaml.safe_load_all(capsys.readouterr().out)
    assert _errors(daskcluster, cluster) == []
    assert cluster["metadata"] == {"name": "nightly", "namespace": "etl"}
    assert cluster["spec"]["worker"]["spec"]["containers"][0]["image"] == "registry.example.com/dfml:1"
    autoscaler = jsonschema.Draft7Validator(_crd_schema("daskautoscaler"))
    assert list(autoscaler.iter_errors({"spec": scaler["spec"]})) == []
    assert scaler["kind"] == "DaskAutoscaler"
    assert scaler["spec"] == {"cluster": "nightly", "minimum": 0, "maximum": 6}


def test_dry_run_without_dynamic_allocation_prints_only_the_cluster(capsys, tmp_path):
    from dfml.cli import main

    script = tmp_path / "app.py"
    script.write_text("")
    assert main(["submit", "--master", "k8s://", "--dry-run", str(script)]) == 0
    (only,) = yaml.safe_load_all(capsys.readouterr().out)
    assert only["kind"] == "DaskCluster" and only["metadata"]["namespace"] == "default"


def test_dry_run_needs_a_kubernetes_master(capsys, tmp_path):
    from dfml.cli import main

    script = tmp_path / "app.py"
    script.write_text("")
    assert main(["submit", "--master", "local[2]", "--dry-run", str(script)]) == 2
    assert "--dry-run prints Kubernetes manifests: it needs a k8s:// master, not 'local[2]'" \
        in capsys.readouterr().err
