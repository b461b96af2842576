"""Master URLs and Spark keys are read, and refused with the key and value named, before any start."""

from __future__ import annotations

import pytest

from dfml.cluster import connect
from dfml.cluster.config import (ConfigError, MasterURLError, check, parse_conf, parse_master,
                                 parse_size)


@pytest.mark.parametrize("url, kind, cores, namespace", [
    ("local", "local", 1, None),
    ("local[3]", "local", 3, None),
    ("tcp://127.0.0.1:8786", "tcp", None, None),
    ("tcp://scheduler.example.com:8786/", "tcp", None, None),
    ("tls://[::1]:8786", "tcp", None, None),
    ("yarn", "yarn", None, None),
    ("k8s://", "k8s", None, None),
    ("k8s://analytics", "k8s", None, "analytics"),
])
def test_master_urls(url, kind, cores, namespace):
    m = parse_master(url)
    assert (m.kind, m.cores, m.namespace) == (kind, cores, namespace)


def test_default_master_is_all_local_cores():
    assert parse_master(None).url == "local[*]"
    assert parse_master(None).cores >= 1


@pytest.mark.parametrize("url", ["yarn-client", "spark://host:7077", "mesos://h:5050", "local[x]",
                                 "local[0]", "tcp:/oops", "tcp://host:port", "k8s://Bad_NS",
                                 "k8s://https://10.0.0.1:6443"])
def test_bad_master_urls_name_the_url(url):
    with pytest.raises(MasterURLError) as e:
        parse_master(url)
    assert url in str(e.value)


def test_k8s_api_server_url_explains_kubeconfig():
    with pytest.raises(MasterURLError, match="kubeconfig"):
        parse_master("k8s://https://10.0.0.1:6443")


@pytest.mark.parametrize("text, size", [
    ("512m", 512 * 2 ** 20), ("2g", 2 * 2 ** 30), ("2G", 2 * 2 ** 30), ("1.5g", 3 * 2 ** 29),
    ("2gb", 2 * 2 ** 30), ("1024k", 2 ** 20), ("1t", 2 ** 40),
    ("2048", 2048 * 2 ** 20),  # no unit: MiB, as Spark reads spark.executor.memory
    ("100b", 100),
])
def test_sizes_in_spark_units(text, size):
    assert parse_size("spark.executor.memory", text) == size


@pytest.mark.parametrize("text", ["lots", "", "2 gigs", "-1g", "0", "0m", "1x"])
def test_bad_sizes_name_key_and_value(text):
    with pytest.raises(ConfigError) as e:
        parse_size("spark.executor.memory", text)
    assert "spark.executor.memory" in str(e.value) and repr(text) in str(e.value)


@pytest.mark.parametrize("conf, named", [
    ({"spark.executor.instances": "two"}, "spark.executor.instances='two'"),
    ({"spark.executor.instances": "0"}, "spark.executor.instances='0'"),
    ({"spark.executor.instances": "1.5"}, "spark.executor.instances='1.5'"),
    ({"spark.executor.cores": "0"}, "spark.executor.cores='0'"),
    ({"spark.executor.memory": "lots"}, "spark.executor.memory='lots'"),
    ({"spark.executor.memoryOverhead": "x"}, "spark.executor.memoryOverhead='x'"),
    ({"spark.driver.memory": "1q"}, "spark.driver.memory='1q'"),
    ({"spark.dynamicAllocation.enabled": "yes"}, "spark.dynamicAllocation.enabled='yes'"),
    ({"spark.dynamicAllocation.minExecutors": "-1"}, "spark.dynamicAllocation.minExecutors='-1'"),
    ({"spark.dynamicAllocation.maxExecutors": "0"}, "spark.dynamicAllocation.maxExecutors='0'"),
    ({"spark.dynamicAllocation.minExecutors": "3", "spark.dynamicAllocation.maxExecutors": "2"},
     "minExecutors=3 is greater than spark.dynamicAllocation.maxExecutors=2"),
    ({"spark.dynamicAllocation.initialExecutors": "5", "spark.dynamicAllocation.maxExecutors": "2"},
     "initialExecutors=5"),
    ({"spark.submit.deployMode": "remote"}, "spark.submit.deployMode='remote'"),
    ({"spark.dfml.connectTimeout": "soon"}, "spark.dfml.connectTimeout='soon'"),
    ({"spark.dfml.connectTimeout": "0"}, "spark.dfml.connectTimeout='0'"),
    ({"spark.dfml.progress": "maybe"}, "spark.dfml.progress='maybe'"),
    ({"spark.dfml.local.processes": "threads"}, "spark.dfml.local.processes='threads'"),
])
def test_bad_values_name_key_and_value(conf, named):
    with pytest.raises(ConfigError) as e:
        parse_conf(conf)
    assert named in str(e.value)


def test_good_values_parse():
    s = parse_conf({"spark.executor.instances": "3", "spark.executor.cores": "2",
                    "spark.executor.memory": "1.5g", "spark.dfml.connectTimeout": "2s",
                    "spark.submit.deployMode": "Cluster", "spark.someone.elses.key": "kept"})
    assert (s.instances, s.cores, s.memory) == (3, 2, 3 * 2 ** 29)
    assert s.connect_timeout == 2.0 and s.deploy_mode == "cluster" and not s.dynamic
    assert s.local_processes is None  # not set: the default kind of local cluster


@pytest.mark.parametrize("text, processes", [("true", True), ("False", False), (" false ", False)])
def test_local_cluster_kind_parses(text, processes):
    assert parse_conf({"spark.dfml.local.processes": text}).local_processes is processes


def test_dynamic_allocation_start_and_bounds_follow_spark():
    s = parse_conf({"spark.dynamicAllocation.enabled": "true",
                    "spark.dynamicAllocation.minExecutors": "1",
                    "spark.dynamicAllocation.maxExecutors": "4",
                    "spark.executor.instances": "2"})
    assert s.start_workers(default=8) == 2          # max(min, initial, instances)
    assert s.adapt_bounds(default_max=8) == (1, 4)
    s = parse_conf({"spark.dynamicAllocation.enabled": "true"})
    assert s.start_workers(default=8) == 0          # Spark starts with minExecutors (0)
    assert s.adapt_bounds(default_max=3) == (0, 3)  # local caps at N of local[N]
    assert parse_conf({"spark.executor.instances": "5"}).start_workers(default=2) == 5
    assert parse_conf({"spark.executor.instances": "0",
                       "spark.dynamicAllocation.enabled": "true"}).instances == 0


def test_check_validates_master_and_conf_together():
    with pytest.raises(MasterURLError):
        check("nowhere", {})
    with pytest.raises(ConfigError):
        check("local[1]", {"spark.executor.cores": "none"})
    with pytest.raises(ConfigError, match="spark.kubernetes.namespace"):
        check("k8s://a", {"spark.kubernetes.namespace": "b"})


def test_bad_value_fails_before_a_cluster_starts(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("a cluster was started or reached despite a bad setting")

    for name in ("LocalCluster", "Client", "_probe_scheduler", "_start_yarn"):
        monkeypatch.setattr(f"dfml.cluster.{name}", refuse)
    with pytest.raises(ConfigError, match="spark.executor.memory='1q'"):
        connect("local[1]", {"spark.executor.memory": "1q"})
    with pytest.raises(ConfigError, match="maxExecutors"):
        connect("tcp://127.0.0.1:1", {"spark.dynamicAllocation.minExecutors": "2",
                                      "spark.dynamicAllocation.maxExecutors": "1"})
    with pytest.raises(ConfigError, match="spark.executor.instances='many'"):
        connect("yarn", {"spark.executor.instances": "many"})
