"""The checks of the policy pack as pure functions over a resource's type and
its properties (Kubernetes manifests in API form, camelCase). Each returns the
violations it finds, so they are tested without the Pulumi engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Props = dict[str, Any]
WORKLOADS = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:Pod": ("spec",),
}
SECRET_TYPE = "kubernetes:core/v1:Secret"
TAG = re.compile(r":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def plain(value: Any) -> Any:
    """Nested plain dicts and lists. The policy engine hands properties over as
    mapping and sequence proxies whose ``repr`` hides their contents; the rules
    read plain data."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Callable[[str, Props], list[str]]


def pod_spec(resource_type: str, props: Props) -> Props | None:
    path = WORKLOADS.get(resource_type)
    if path is None:
        return None
    node: Any = props
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def containers(resource_type: str, props: Props) -> Iterator[tuple[Props, Props]]:
    """(pod spec, container) for every container and init container."""
    pod = pod_spec(resource_type, props)
    if pod is None:
        return
    for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        yield pod, container


def env(container: Props) -> dict[str, str]:
    return {e["name"]: e.get("value", "") for e in container.get("env", []) if "value" in e}


def no_privileged_or_root(resource_type: str, props: Props) -> list[str]:
    out = []
    for pod, c in containers(resource_type, props):
        pod_sc, sc = pod.get("securityContext", {}), c.get("securityContext", {})
        name = c.get("name", "?")
        if sc.get("privileged") is True:
            out.append(f"container {name} is privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"container {name} does not set allowPrivilegeEscalation: false")
        non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
        uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
        if non_root is not True or uid == 0:
            out.append(f"container {name} may run as root (runAsNonRoot: true needed)")
    for volume in (pod_spec(resource_type, props) or {}).get("volumes", []):
        if "hostPath" in volume:
            out.append(f"volume {volume.get('name')} mounts a host path")
    return out


def requests_and_limits(resource_type: str, props: Props) -> list[str]:
    out = []
    for _, c in containers(resource_type, props):
        resources = c.get("resources", {})
        for kind in ("requests", "limits"):
            missing = [r for r in ("cpu", "memory") if r not in resources.get(kind, {})]
            if missing:
                out.append(f"container {c.get('name')} has no {kind} for {', '.join(missing)}")
    return out


def private_keys_only_in_secrets(resource_type: str, props: Props) -> list[str]:
    if not resource_type.startswith("kubernetes:") or resource_type == SECRET_TYPE:
        return []
    if "PRIVATE KEY" in repr(props):
        return ["holds a private key; private keys belong in Secrets only"]
    return []


def fabric_tls_enabled(resource_type: str, props: Props) -> list[str]:
    out = []
    for _, c in containers(resource_type, props):
        values = env(c)
        if "CORE_PEER_ID" in values and values.get("CORE_PEER_TLS_ENABLED") != "true":
            out.append(f"peer container {c.get('name')} runs without TLS")
        if ("ORDERER_GENERAL_LOCALMSPID" in values
                and values.get("ORDERER_GENERAL_TLS_ENABLED") != "true"):
            out.append(f"orderer container {c.get('name')} runs without TLS")
    return out


def orderer_admin_requires_client_certs(resource_type: str, props: Props) -> list[str]:
    out = []
    for _, c in containers(resource_type, props):
        values = env(c)
        if "ORDERER_GENERAL_LOCALMSPID" not in values:
            continue
        if (values.get("ORDERER_ADMIN_TLS_ENABLED") != "true"
                or values.get("ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED") != "true"):
            out.append(f"orderer container {c.get('name')}: the admin endpoint must use TLS "
                       "with client authentication")
    return out


def _under(path: str, mount: str) -> bool:
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def ledgers_on_volume_claims(resource_type: str, props: Props) -> list[str]:
    out = []
    for pod, c in containers(resource_type, props):
        values = env(c)
        ledger = values.get("CORE_PEER_FILESYSTEMPATH") or values.get("ORDERER_FILELEDGER_LOCATION")
        if not ledger:
            continue
        claims = {v["name"] for v in pod.get("volumes", []) if "persistentVolumeClaim" in v}
        mounted = [m for m in c.get("volumeMounts", []) if _under(ledger, m["mountPath"])]
        if not any(m["name"] in claims for m in mounted):
            out.append(f"container {c.get('name')}: ledger {ledger} is not on a "
                       "PersistentVolumeClaim")
    return out


def images_pinned(resource_type: str, props: Props) -> list[str]:
    out = []
    for _, c in containers(resource_type, props):
        image = c.get("image", "")
        last = image.rsplit("/", 1)[-1]
        pinned = "@sha256:" in image or (TAG.search(last) is not None
                                          and not last.endswith(":latest"))
        if not pinned:
            out.append(f"container {c.get('name')}: image {image!r} is not pinned to a version "
                       "tag or digest")
    return out


RULES = (
    Rule("no-privileged-or-root", "No container is privileged, escalates privileges, runs as "
         "root or mounts a host path.", no_privileged_or_root),
    Rule("requests-and-limits", "Every container has CPU and memory requests and limits.",
         requests_and_limits),
    Rule("private-keys-only-in-secrets", "No Kubernetes object but a Secret holds a private key.",
         private_keys_only_in_secrets),
    Rule("fabric-tls-enabled", "Every peer and orderer serves TLS.", fabric_tls_enabled),
    Rule("orderer-admin-client-auth", "The orderer admin endpoint requires TLS client "
         "certificates.", orderer_admin_requires_client_certs),
    Rule("ledgers-on-volume-claims", "Peer and orderer ledgers live on PersistentVolumeClaims.",
         ledgers_on_volume_claims),
    Rule("images-pinned", "Every image is pinned to a version tag or a digest.", images_pinned),
)
