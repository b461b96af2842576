"""Pod-level Kubernetes settings for ``k8s://``: who the pods run as, where they may be placed,
what they are labelled, and which extra resources they ask for.

Spark names two pods, the driver and the executors. Under dfml the driver runs where
``dfml submit`` runs, and the pod that coordinates the work inside the cluster is the Dask
scheduler, so Spark's ``driver`` keys shape the scheduler pod and its ``executor`` keys the
worker pods. Keys without a side apply to both, and the side-specific value wins, as in Spark.

Spark has no key for tolerations (it expects a pod template file), so dfml has its own:
``spark.dfml.kubernetes.tolerations`` (both pods), ``spark.dfml.kubernetes.scheduler.tolerations``
and ``spark.dfml.kubernetes.executor.tolerations``. Each takes either a compact list,
``key=value:Effect,key:Effect,key,*`` (``=value`` means operator Equal, no value means Exists,
no effect means every effect, ``*`` tolerates every taint), or a JSON list of Kubernetes
toleration objects when ``tolerationSeconds`` is needed.

Everything is checked by ``check_pod_conf`` before a cluster starts, each error naming the key.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from .errors import ConfigError

SCHEDULER, EXECUTOR = "scheduler", "executor"
# The keys, spelled out (``dfml check`` finds the settings dfml reads as literals in its
# source). The scheduler takes Spark's driver keys.
NODE_SELECTOR_BOTH = "spark.kubernetes.node.selector."
NODE_SELECTOR = {SCHEDULER: "spark.kubernetes.driver.node.selector.",
                 EXECUTOR: "spark.kubernetes.executor.node.selector."}
LABEL = {SCHEDULER: "spark.kubernetes.driver.label.",
         EXECUTOR: "spark.kubernetes.executor.label."}
ANNOTATION = {SCHEDULER: "spark.kubernetes.driver.annotation.",
              EXECUTOR: "spark.kubernetes.executor.annotation."}
TOLERATIONS_BOTH = "spark.dfml.kubernetes.tolerations"
TOLERATIONS = {SCHEDULER: "spark.dfml.kubernetes.scheduler.tolerations",
               EXECUTOR: "spark.dfml.kubernetes.executor.tolerations"}

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_OPERATORS = ("Equal", "Exists")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
# The operator finds its pods by these labels: a user label must not move a pod out of its set.
_RESERVED_LABEL_PREFIX = "dask.org/"


# ------------------------------------------------------------------ checks
def _is_qualified_name(key: str) -> bool:
    """A label, annotation, node-selector or taint key: ``[prefix/]name`` as Kubernetes wants."""
    prefix, slash, name = key.rpartition("/")
    if slash and not (prefix and len(prefix) <= 253 and _DNS_SUBDOMAIN.match(prefix)):
        return False
    return bool(_NAME.match(name))


def _prefixed(conf: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {k[len(prefix):]: str(v) for k, v in conf.items() if k.startswith(prefix)}


def _label_map(conf: Mapping[str, str], prefix: str, what: str, values: bool) -> dict[str, str]:
    out = _prefixed(conf, prefix)
    for name, value in out.items():
        if not _is_qualified_name(name):
            raise ConfigError(f"{prefix}{name}: {name!r} is not a Kubernetes {what} key "
                              "([prefix/]name, letters, digits, '-', '_', '.', at most 63)")
        if values and not _LABEL_VALUE.match(value):
            raise ConfigError(f"{prefix}{name}={value!r}: not a Kubernetes label value "
                              "(letters, digits, '-', '_', '.', at most 63)")
        if what == "label" and name.startswith(_RESERVED_LABEL_PREFIX):
            raise ConfigError(f"{prefix}{name}: labels under {_RESERVED_LABEL_PREFIX} are the "
                              "dask operator's own (it finds its pods by them)")
    return out


def node_selector(conf: Mapping[str, str], role: str) -> dict[str, str]:
    """``spark.kubernetes.node.selector.*``, then ``spark.kubernetes.{driver,executor}.node.selector.*``
    (the side-specific value wins)."""
    both = _label_map(conf, NODE_SELECTOR_BOTH, "node-selector", True)
    return {**both, **_label_map(conf, NODE_SELECTOR[role], "node-selector", True)}


def labels(conf: Mapping[str, str], role: str) -> dict[str, str]:
    """``spark.kubernetes.{driver,executor}.label.*`` (Spark has no label key for both pods)."""
    return _label_map(conf, LABEL[role], "label", True)


def annotations(conf: Mapping[str, str], role: str) -> dict[str, str]:
    """``spark.kubernetes.{driver,executor}.annotation.*`` (values are free text)."""
    return _label_map(conf, ANNOTATION[role], "annotation", False)


def service_account(conf: Mapping[str, str], role: str) -> str | None:
    """The driver's account for the scheduler; the executors' for workers, defaulting to the
    driver's (Spark's fallback)."""
    driver = "spark.kubernetes.authenticate.driver.serviceAccountName"
    executor = "spark.kubernetes.authenticate.executor.serviceAccountName"
    key = executor if role == EXECUTOR and conf.get(executor) is not None else driver
    value = conf.get(key)
    if value is None:
        return None
    value = str(value).strip()
    if not (len(value) <= 253 and _DNS_SUBDOMAIN.match(value)):
        raise ConfigError(f"{key}={conf[key]!r}: not a Kubernetes service account name "
                          "(lower-case letters, digits, '-' and '.')")
    return value


def pull_secrets(conf: Mapping[str, str]) -> list[dict[str, str]]:
    """``spark.kubernetes.container.image.pullSecrets``: comma-separated secret names."""
    key = "spark.kubernetes.container.image.pullSecrets"
    names = [n.strip() for n in str(conf.get(key, "")).split(",") if n.strip()]
    for n in names:
        if not _DNS_SUBDOMAIN.match(n):
            raise ConfigError(f"{key}: {n!r} is not a Kubernetes secret name")
    return [{"name": n} for n in names]


def _toleration(key: str, entry: str) -> dict[str, Any]:
    """One compact entry: ``key=value:Effect``, ``key:Effect``, ``key=value``, ``key`` or ``*``."""
    body, colon, effect = entry.partition(":")
    if colon and effect not in EFFECTS:
        raise ConfigError(f"{key}: {entry!r} has effect {effect!r}; use one of "
                          f"{', '.join(EFFECTS)} (or leave it out for every effect)")
    name, eq, value = body.partition("=")
    tol: dict[str, Any] = {}
    if name == "*":
        if eq:
            raise ConfigError(f"{key}: {entry!r}: '*' (every taint) takes no value")
        tol["operator"] = "Exists"
    else:
        if not _is_qualified_name(name):
            raise ConfigError(f"{key}: {entry!r}: {name!r} is not a taint key")
        if eq and not _LABEL_VALUE.match(value):
            raise ConfigError(f"{key}: {entry!r}: {value!r} is not a taint value")
        tol.update({"key": name, "operator": "Equal", "value": value} if eq
                   else {"key": name, "operator": "Exists"})
    if effect:
        tol["effect"] = effect
    return tol


_TOLERATION_FIELDS = {"key": str, "operator": str, "value": str, "effect": str,
                      "tolerationSeconds": int}


def _json_tolerations(key: str, text: str) -> list[dict[str, Any]]:
    try:
        items = json.loads(text)
    except ValueError as e:
        raise ConfigError(f"{key}: not a JSON list of tolerations ({e})") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ConfigError(f"{key}: a JSON value must be a list of toleration objects")
    for item in items:
        for field, value in item.items():
            kind = _TOLERATION_FIELDS.get(field)
            if kind is None:
                raise ConfigError(f"{key}: unknown toleration field {field!r} (fields: "
                                  f"{', '.join(_TOLERATION_FIELDS)})")
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ConfigError(f"{key}: toleration field {field}={value!r} must be "
                                  f"{'a whole number' if kind is int else 'a string'}")
        if item.get("operator", "Equal") not in _OPERATORS:
            raise ConfigError(f"{key}: operator {item['operator']!r} must be Equal or Exists")
        if item.get("effect") not in (None, "", *EFFECTS):
            raise ConfigError(f"{key}: effect {item['effect']!r} must be one of "
                              f"{', '.join(EFFECTS)}")
        if "tolerationSeconds" in item and item.get("effect") != "NoExecute":
            raise ConfigError(f"{key}: tolerationSeconds only applies to effect NoExecute")
    return items


def _toleration_list(conf: Mapping[str, str], key: str) -> list[dict[str, Any]]:
    text = str(conf.get(key, "")).strip()
    if not text:
        return []
    if text.startswith("["):
        return _json_tolerations(key, text)
    return [_toleration(key, e.strip()) for e in text.split(",") if e.strip()]


def tolerations(conf: Mapping[str, str], role: str) -> list[dict[str, Any]]:
    """Both pods' tolerations, then the role's own (dfml's keys; Spark has none)."""
    out = _toleration_list(conf, TOLERATIONS_BOTH)
    for t in _toleration_list(conf, TOLERATIONS[role]):
        if t not in out:
            out.append(t)
    return out


def extra_resources(conf: Mapping[str, str]) -> dict[str, str]:
    """``spark.executor.resource.NAME.amount`` with ``...vendor`` (required on Kubernetes, as in
    Spark): a ``VENDOR/NAME`` limit on each worker pod, e.g. ``nvidia.com/gpu: 1``."""
    out: dict[str, str] = {}
    prefix = "spark.executor.resource."
    names = {k[len(prefix):].rsplit(".", 1)[0] for k in conf
             if k.startswith(prefix) and k.endswith((".amount", ".vendor"))}
    for name in sorted(names):
        amount_key, vendor_key = f"{prefix}{name}.amount", f"{prefix}{name}.vendor"
        if amount_key not in conf:
            continue  # a vendor alone asks for nothing
        amount = str(conf[amount_key]).strip()
        if not amount.isdigit() or int(amount) < 1:
            raise ConfigError(f"{amount_key}={conf[amount_key]!r}: must be a whole number of at "
                              "least 1")
        vendor = str(conf.get(vendor_key, "")).strip()
        if not vendor:
            raise ConfigError(f"{amount_key} needs {vendor_key} on Kubernetes (the device "
                              "plugin's domain, e.g. nvidia.com)")
        resource = f"{vendor}/{name}"
        if not _is_qualified_name(resource):
            raise ConfigError(f"{vendor_key}={vendor!r}: {resource!r} is not a Kubernetes "
                              "resource name")
        out[resource] = amount
    return out


def check_pod_conf(conf: Mapping[str, str]) -> None:
    """Read every pod-level key once, so a bad value fails before anything starts."""
    for role in (SCHEDULER, EXECUTOR):
        node_selector(conf, role)
        labels(conf, role)
        annotations(conf, role)
        service_account(conf, role)
        tolerations(conf, role)
    pull_secrets(conf)
    extra_resources(conf)


# ------------------------------------------------------------------ applying them
def apply_pod_settings(spec: dict[str, Any], conf: Mapping[str, str]) -> dict[str, Any]:
    """Put the pod-level settings into a ``DaskCluster`` spec's scheduler and worker pods."""
    apply_role(spec["spec"]["scheduler"], conf, SCHEDULER)
    apply_role(spec["spec"]["worker"], conf, EXECUTOR)
    extra = extra_resources(conf)
    if extra:
        worker = spec["spec"]["worker"]["spec"]["containers"][0]
        resources = worker.get("resources") or {}
        resources.setdefault("limits", {}).update(extra)
        worker["resources"] = resources
    return spec


def apply_role(part: dict[str, Any], conf: Mapping[str, str], role: str) -> dict[str, Any]:
    """One pod template (``{"spec": PodSpec, "metadata": ...}``) given ``role``'s settings."""
    pod = part["spec"]
    account = service_account(conf, role)
    if account:
        pod["serviceAccountName"] = account
    selector = node_selector(conf, role)
    if selector:
        pod["nodeSelector"] = selector
    tols = tolerations(conf, role)
    if tols:
        pod["tolerations"] = tols
    secrets = pull_secrets(conf)
    if secrets:
        pod["imagePullSecrets"] = secrets
    meta = {"labels": labels(conf, role), "annotations": annotations(conf, role)}
    meta = {k: v for k, v in meta.items() if v}
    if meta:
        part.setdefault("metadata", {}).update(meta)
    return part
