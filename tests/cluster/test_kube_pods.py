"""k8s://: pod-level settings (service accounts, node selectors, tolerations, labels, annotations,
pull secrets, extra resources) reach the scheduler and worker pods of the DaskCluster, with
Spark's driver keys on the scheduler and its executor keys on the workers; bad values are
refused naming the key before anything starts. (Validity against the CRD: test_kubernetes_crd.)
"""

from __future__ import annotations

import pytest

from dfml.cluster import connect
from dfml.cluster.config import ConfigError

pytest.importorskip("dask_kubernetes")
from dfml.cluster.kubernetes import build_cluster_spec  # noqa: E402


def _pods(conf):
    spec = build_cluster_spec("k8s://etl", conf)
    return spec["spec"]["scheduler"], spec["spec"]["worker"]


def test_no_pod_settings_leave_the_operator_defaults():
    scheduler, worker = _pods({})
    for part in (scheduler, worker):
        assert not {"serviceAccountName", "nodeSelector", "tolerations",
                    "imagePullSecrets"} & set(part["spec"])
        assert "metadata" not in part


def test_service_account_driver_for_scheduler_and_fallback_for_workers():
    scheduler, worker = _pods({"spark.kubernetes.authenticate.driver.serviceAccountName": "runner"})
    assert scheduler["spec"]["serviceAccountName"] == "runner"
    assert worker["spec"]["serviceAccountName"] == "runner"   # Spark's fallback to the driver's
    scheduler, worker = _pods({"spark.kubernetes.authenticate.driver.serviceAccountName": "runner",
                               "spark.kubernetes.authenticate.executor.serviceAccountName": "work"})
    assert scheduler["spec"]["serviceAccountName"] == "runner"
    assert worker["spec"]["serviceAccountName"] == "work"
    scheduler, worker = _pods({"spark.kubernetes.authenticate.executor.serviceAccountName": "work"})
    assert "serviceAccountName" not in scheduler["spec"]
    assert worker["spec"]["serviceAccountName"] == "work"


def test_node_selectors_layer_with_the_side_specific_value_winning():
    scheduler, worker = _pods({
        "spark.kubernetes.node.selector.pool": "shared",
        "spark.kubernetes.node.selector.topology.kubernetes.io/zone": "a",
        "spark.kubernetes.executor.node.selector.pool": "compute",
        "spark.kubernetes.driver.node.selector.disk": "ssd"})
    assert scheduler["spec"]["nodeSelector"] == {"pool": "shared",
                                                 "topology.kubernetes.io/zone": "a",
                                                 "disk": "ssd"}
    assert worker["spec"]["nodeSelector"] == {"pool": "compute",
                                              "topology.kubernetes.io/zone": "a"}


def test_compact_tolerations():
    scheduler, worker = _pods({
        "spark.dfml.kubernetes.tolerations": "dedicated=dask:NoSchedule, spot:NoExecute",
        "spark.dfml.kubernetes.executor.tolerations": "gpu,*:PreferNoSchedule,team=etl",
        "spark.dfml.kubernetes.scheduler.tolerations": "*"})
    both = [{"key": "dedicated", "operator": "Equal", "value": "dask", "effect": "NoSchedule"},
            {"key": "spot", "operator": "Exists", "effect": "NoExecute"}]
    assert scheduler["spec"]["tolerations"] == both + [{"operator": "Exists"}]
    assert worker["spec"]["tolerations"] == both + [
        {"key": "gpu", "operator": "Exists"},
        {"operator": "Exists", "effect": "PreferNoSchedule"},
        {"key": "team", "operator": "Equal", "value": "etl"}]


def test_json_tolerations_carry_toleration_seconds_and_are_not_repeated():
    one = '[{"key": "spot", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}]'
    scheduler, worker = _pods({"spark.dfml.kubernetes.tolerations": one,
                               "spark.dfml.kubernetes.executor.tolerations": one})
    expected = [{"key": "spot", "operator": "Exists", "effect": "NoExecute",
                 "tolerationSeconds": 30}]
    assert scheduler["spec"]["tolerations"] == expected
    assert worker["spec"]["tolerations"] == expected


def test_labels_annotations_and_pull_secrets():
    scheduler, worker = _pods({
        "spark.kubernetes.executor.label.team": "etl",
        "spark.kubernetes.driver.label.role": "coordinator",
        "spark.kubernetes.executor.annotation.prometheus.io/scrape": "true",
        "spark.kubernetes.driver.annotation.owner": "Data platform <data@example.com>",
        "spark.kubernetes.container.image.pullSecrets": "registry-a, registry-b"})
    assert worker["metadata"] == {"labels": {"team": "etl"},
                                  "annotations": {"prometheus.io/scrape": "true"}}
    assert scheduler["metadata"] == {"labels": {"role": "coordinator"},
                                     "annotations": {"owner": "Data platform <data@example.com>"}}
    for part in (scheduler, worker):
        assert part["spec"]["imagePullSecrets"] == [{"name": "registry-a"}, {"name": "registry-b"}]


def test_extra_resources_become_worker_limits():
    scheduler, worker = _pods({"spark.executor.resource.gpu.amount": "2",
                               "spark.executor.resource.gpu.vendor": "nvidia.com",
                               "spark.executor.memory": "2g"})
    assert worker["spec"]["containers"][0]["resources"]["limits"] == {
        "memory": "2048Mi", "nvidia.com/gpu": "2"}
    assert "nvidia.com/gpu" not in str(scheduler)


@pytest.mark.parametrize("conf, named", [
    ({"spark.kubernetes.authenticate.driver.serviceAccountName": "Not_Valid"},
     "spark.kubernetes.authenticate.driver.serviceAccountName='Not_Valid'"),
    ({"spark.kubernetes.authenticate.executor.serviceAccountName": "a b"},
     "spark.kubernetes.authenticate.executor.serviceAccountName='a b'"),
    ({"spark.kubernetes.node.selector.bad key": "x"}, "spark.kubernetes.node.selector.bad key"),
    ({"spark.kubernetes.executor.node.selector.pool": "not valid!"},
     "spark.kubernetes.executor.node.selector.pool='not valid!'"),
    ({"spark.kubernetes.executor.label.dask.org/component": "x"}, "dask operator's own"),
    ({"spark.dfml.kubernetes.tolerations": "spot:Sometimes"}, "effect 'Sometimes'"),
    ({"spark.dfml.kubernetes.executor.tolerations": "*=x"}, "spark.dfml.kubernetes.executor.tolerations"),
    ({"spark.dfml.kubernetes.scheduler.tolerations": "[{"}, "not a JSON list"),
    ({"spark.dfml.kubernetes.tolerations": '[{"key": "a", "tolerationSeconds": 5}]'},
     "tolerationSeconds only applies to effect NoExecute"),
    ({"spark.dfml.kubernetes.tolerations": '[{"key": "a", "operatr": "Exists"}]'},
     "unknown toleration field 'operatr'"),
    ({"spark.dfml.kubernetes.tolerations": '[{"key": "a", "operator": "In"}]'},
     "operator 'In'"),
    ({"spark.kubernetes.container.image.pullSecrets": "Bad_Secret"}, "'Bad_Secret'"),
    ({"spark.executor.resource.gpu.amount": "1"}, "needs spark.executor.resource.gpu.vendor"),
    ({"spark.executor.resource.gpu.amount": "half", "spark.executor.resource.gpu.vendor": "nvidia.com"},
     "spark.executor.resource.gpu.amount='half'"),
])
def test_bad_pod_settings_fail_before_anything(conf, named):
    with pytest.raises(ConfigError) as e:
        build_cluster_spec("k8s://etl", conf)
    assert named in str(e.value)
    with pytest.raises(ConfigError):
        connect("k8s://etl", conf)   # refused before KubeCluster is built


def test_dfml_submit_refuses_a_bad_pod_setting_with_exit_2(tmp_path, capsys):
    from dfml.cli import main

    script = tmp_path / "app.py"
    script.write_text("")
    code = main(["submit", "--master", "k8s://etl", "--conf",
                 "spark.dfml.kubernetes.tolerations=spot:Never", "--dry-run", str(script)])
    assert code == 2
    assert "spark.dfml.kubernetes.tolerations" in capsys.readouterr().err


@pytest.mark.parametrize("key", [
    "spark.kubernetes.authenticate.driver.serviceAccountName",
    "spark.kubernetes.authenticate.executor.serviceAccountName",
    "spark.kubernetes.node.selector.pool", "spark.kubernetes.driver.node.selector.pool",
    "spark.kubernetes.executor.node.selector.pool", "spark.kubernetes.executor.label.team",
    "spark.kubernetes.driver.annotation.owner", "spark.kubernetes.container.image.pullSecrets",
    "spark.executor.resource.gpu.amount", "spark.dfml.kubernetes.tolerations",
    "spark.dfml.kubernetes.executor.tolerations", "spark.dfml.kubernetes.scheduler.tolerations",
    "spark.dynamicAllocation.executorIdleTimeout",
    "spark.dynamicAllocation.schedulerBacklogTimeout",
])
def test_dfml_check_knows_the_settings_read_here(key):
    from dfml.porting.resolver import setting_known
    assert setting_known(key)
