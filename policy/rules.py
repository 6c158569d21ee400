"""The checks of the policy pack as pure functions over a resource's type and
its properties (Kubernetes manifests in API form, camelCase). Each returns the
violations it finds, so they are tested without the Pulumi engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crypto.expiry import RENEW_BEFORE, iso_utc, not_after, renewal_due
from fabric_components.durations import DURATION_HINT, parse_duration
from policy.reachability import Endpoint, Policy, isolated

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
    mandatory: bool = True
    """Advisory rules report their violations without failing the stack."""


@dataclass(frozen=True)
class StackRule:
    """A check over every resource of the stack: (type, properties) pairs."""

    name: str
    description: str
    check: Callable[[Sequence[tuple[str, Props]]], list[str]]


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


WRITABLE_ROOT = "fabric.hyperledger.org/writable-root"
"""Workload annotation: comma-separated containers exempt from the read-only
root filesystem rule, each a reviewed exception (CouchDB's entrypoint writes
its admin credentials under /opt/couchdb/etc/local.d)."""
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
SERVICE = "kubernetes:core/v1:Service"


def read_only_root_filesystem(resource_type: str, props: Props) -> list[str]:
    annotations = props.get("metadata", {}).get("annotations", {})
    exempt = {name.strip() for name in annotations.get(WRITABLE_ROOT, "").split(",")
              if name.strip()}
    return [
        f"container {c.get('name')} has a writable root filesystem "
        "(readOnlyRootFilesystem: true needed)"
        for _, c in containers(resource_type, props)
        if c.get("securityContext", {}).get("readOnlyRootFilesystem") is not True
        and c.get("name") not in exempt
    ]


def seccomp_confined(resource_type: str, props: Props) -> list[str]:
    out = []
    for pod, c in containers(resource_type, props):
        pod_profile = pod.get("securityContext", {}).get("seccompProfile", {})
        profile = c.get("securityContext", {}).get("seccompProfile", pod_profile)
        if profile.get("type") not in ("RuntimeDefault", "Localhost"):
            out.append(f"container {c.get('name')} runs without a seccomp profile "
                       "(RuntimeDefault or Localhost needed)")
    return out


def no_service_account_token(resource_type: str, props: Props) -> list[str]:
    """A token only where a pod names a service account of its own (whose Role
    says what it may do) and projects it into a volume; never the default one."""
    pod = pod_spec(resource_type, props)
    if pod is None:
        return []
    out = []
    if pod.get("automountServiceAccountToken") is not False:
        out.append("pod mounts a service account token (automountServiceAccountToken: false "
                   "needed)")
    projected = any("serviceAccountToken" in source for volume in pod.get("volumes", [])
                    for source in volume.get("projected", {}).get("sources", []))
    if projected and pod.get("serviceAccountName", "default") == "default":
        out.append("pod projects the default service account's token (a service account "
                   "of its own needed)")
    return out


def no_host_namespaces(resource_type: str, props: Props) -> list[str]:
    pod = pod_spec(resource_type, props)
    if pod is None:
        return []
    out = [f"pod shares the node's {what}" for key, what in
           (("hostNetwork", "network"), ("hostPID", "process IDs"), ("hostIPC", "IPC"))
           if pod.get(key) is True]
    for _, c in containers(resource_type, props):
        for port in c.get("ports", []):
            if port.get("hostPort"):
                out.append(f"container {c.get('name')} binds host port {port['hostPort']}")
    return out


EXPOSED = ("fabric.hyperledger.org/exposure", "external")
"""The label of the Services ``fabric:externalAccess: loadbalancer`` exposes."""


def services_cluster_internal(resource_type: str, props: Props) -> list[str]:
    """ClusterIP only, but for the LoadBalancers external access labels as such."""
    if resource_type != SERVICE:
        return []
    kind = props.get("spec", {}).get("type", "ClusterIP")
    labels = props.get("metadata", {}).get("labels", {})
    if kind == "LoadBalancer" and labels.get(EXPOSED[0]) == EXPOSED[1]:
        return []
    if kind != "ClusterIP":
        return [f"Service of type {kind}: only ClusterIP Services, and LoadBalancers of "
                "fabric:externalAccess (exposure is a deliberate, separate decision)"]
    return []


PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


def operations_tls(resource_type: str, props: Props) -> list[str]:
    """Peers and orderers serve their operations endpoint (which can change log
    levels) over TLS, and so their HTTP probes use HTTPS (a plain HTTP probe of
    a TLS port fails, so such a probe betrays an endpoint without TLS)."""
    out = []
    for _, c in containers(resource_type, props):
        values = env(c)
        if "CORE_PEER_ID" in values:
            role, setting = "peer", "CORE_OPERATIONS_TLS_ENABLED"
        elif "ORDERER_GENERAL_LOCALMSPID" in values:
            role, setting = "orderer", "ORDERER_OPERATIONS_TLS_ENABLED"
        else:
            continue
        if values.get(setting) != "true":
            out.append(f"{role} container {c.get('name')}: operations endpoint without TLS "
                       f"({setting})")
        for probe in PROBES:
            get = c.get(probe, {}).get("httpGet")
            if get is not None and get.get("scheme", "HTTP") != "HTTPS":
                out.append(f"{role} container {c.get('name')}: {probe} over plain HTTP "
                           "(scheme: HTTPS needed)")
    return out


def workloads_isolated(resources: Sequence[tuple[str, Props]]) -> list[str]:
    """Every workload's pods are isolated for ingress and egress by some
    NetworkPolicy of their namespace (the default deny the program renders)."""
    policies = [Policy.from_manifest(props) for typ, props in resources
                if typ == NETWORK_POLICY]
    out = []
    for typ, props in resources:
        if typ not in WORKLOADS:
            continue
        template = _template(typ, props)
        namespace = props.get("metadata", {}).get("namespace", "default")
        labels = template.get("metadata", {}).get("labels", {})
        pod = Endpoint(props.get("metadata", {}).get("name", "?"), "0.0.0.0", namespace, labels)
        missing = {"Ingress", "Egress"} - isolated(policies, pod)
        if missing:
            out.append(f"{typ} {pod.name} in {namespace}: no NetworkPolicy isolates its pods "
                       f"({', '.join(sorted(missing))})")
    return out


def _template(resource_type: str, props: Props) -> Props:
    """The pod template of a workload (a Pod: the Pod itself); {} for others."""
    node: Any = props if resource_type in WORKLOADS else None
    for key in WORKLOADS.get(resource_type, ())[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


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
    Rule("read-only-root-filesystem", "Every container has a read-only root filesystem (but "
         f"those a pod template exempts in its {WRITABLE_ROOT} annotation).",
         read_only_root_filesystem),
    Rule("seccomp-confined", "Every container runs under the RuntimeDefault (or a Localhost) "
         "seccomp profile.", seccomp_confined),
    Rule("no-service-account-token", "No pod mounts a service account token, but a token "
         "projected into a pod that runs as a service account of its own.",
         no_service_account_token),
    Rule("no-host-namespaces", "No pod shares the node's network, PID or IPC namespace or binds "
         "a host port.", no_host_namespaces),
    Rule("services-cluster-internal", "Every Service is of type ClusterIP.",
         services_cluster_internal),
    Rule("operations-tls", "Peer and orderer operations endpoints serve TLS and are probed "
         "over HTTPS.", operations_tls),
)
STACK_RULES = (
    StackRule("network-policies-isolate-workloads", "Every workload's pods are isolated for "
              "ingress and egress by a NetworkPolicy of their namespace.", workloads_isolated),
)


IDENTITY_CERTS = {"IssuedIdentity": ("sign_cert", "tls_cert"),
                  "CertificateAuthorities": ("ca_cert", "tlsca_cert"),
                  "TlsCertificate": ("cert",), "ScraperIdentity": ("cert",)}
"""The program's crypto resources (type name suffix) and their certificate outputs."""


def certificates_expiring(
    resources: Sequence[tuple[str, Props]], horizon: timedelta | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Every issued certificate (identities and CAs) that expires within
    ``horizon`` of ``now``: by default an identity's own renewal window
    (``fabric:certRenewBefore`` when it was registered), else 30 days.
    Certificates not issued yet are skipped: a preview of new identities, and of
    identities the up renews (a preview gives an update's outputs as its
    inputs, without certificates), so what is reported is what no renewal is
    planned for: the CAs, and leaves inside a horizon wider than their window."""
    now = now if now is not None else datetime.now(UTC)
    out = []
    for typ, props in resources:
        fields = IDENTITY_CERTS.get(typ.rsplit(":", 1)[-1])
        if fields is None or not typ.startswith("pulumi-python:dynamic"):
            continue
        window = horizon
        if window is None:
            seconds = props.get("renew_before_seconds")
            window = timedelta(seconds=int(seconds)) if seconds else RENEW_BEFORE
        name = props.get("common_name") or props.get("ca_common_name") or "?"
        for field_name in fields:
            pem = props.get(field_name)
            if not isinstance(pem, str) or "BEGIN CERTIFICATE" not in pem:
                continue
            expiry = not_after(pem)
            if renewal_due(expiry, window, now):
                out.append(f"{name} {field_name.removesuffix('_cert')}: expires "
                           f"{iso_utc(expiry)}, within {window} (renew it before then)")
    return out


def horizon_of(config: Mapping[str, Any]) -> timedelta | None:
    """The ``horizon`` of the expiry rule's policy config (e.g. ``14d``); None
    (each identity's own window) when not set. A bad value raises ValueError."""
    value = config.get("horizon")
    if not value:
        return None
    horizon = parse_duration(str(value))
    if not horizon:
        raise ValueError(f"certificates-not-expiring: horizon: {value!r} is not valid: "
                         f"{DURATION_HINT}, more than 0")
    return horizon


EXPIRY_RULE = StackRule(
    "certificates-not-expiring", "No issued certificate expires within the horizon (policy "
    "config horizon, e.g. 14d; default: fabric:certRenewBefore) unless the up renews it.",
    certificates_expiring,
)
