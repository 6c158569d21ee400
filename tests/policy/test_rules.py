"""Each policy with a resource that passes and resources that violate it, and
every sample network (and the AKS prod configuration) passing every policy."""

from __future__ import annotations

import copy

import pytest

from policy.rules import (
    RULES,
    STACK_RULES,
    fabric_tls_enabled,
    images_pinned,
    ledgers_on_volume_claims,
    no_host_namespaces,
    no_privileged_or_root,
    no_service_account_token,
    operations_tls,
    orderer_admin_requires_client_certs,
    private_keys_only_in_secrets,
    read_only_root_filesystem,
    requests_and_limits,
    seccomp_confined,
    services_cluster_internal,
    workloads_isolated,
)
from tests.components.program import run_sample

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def peer_deployment() -> dict:
    return {
        "metadata": {"name": "peer0-org1", "namespace": "fabric"},
        "spec": {"template": {"metadata": {"labels": {"app": "peer"}}, "spec": {
            "automountServiceAccountToken": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "p-data"}}],
            "containers": [{
                "name": "peer",
                "image": "docker.io/hyperledger/fabric-peer:2.5.9",
                "securityContext": {"allowPrivilegeEscalation": False,
                                    "readOnlyRootFilesystem": True},
                "resources": {"requests": {"cpu": "1", "memory": "1Gi"},
                              "limits": {"cpu": "2", "memory": "2Gi"}},
                "env": [{"name": "CORE_PEER_ID", "value": "peer0.org1.example.com"},
                        {"name": "CORE_PEER_TLS_ENABLED", "value": "true"},
                        {"name": "CORE_OPERATIONS_TLS_ENABLED", "value": "true"},
                        {"name": "CORE_PEER_FILESYSTEMPATH",
                         "value": "/var/hyperledger/production"}],
                "volumeMounts": [{"name": "data", "mountPath": "/var/hyperledger/production"}],
                **{probe: {"httpGet": {"path": "/healthz", "port": 9443, "scheme": "HTTPS"}}
                   for probe in ("startupProbe", "livenessProbe", "readinessProbe")},
            }],
        }}}
    }


def orderer_deployment() -> dict:
    dep = peer_deployment()
    c = dep["spec"]["template"]["spec"]["containers"][0]
    c["env"] = [{"name": "ORDERER_GENERAL_LOCALMSPID", "value": "OrdererMSP"},
                {"name": "ORDERER_GENERAL_TLS_ENABLED", "value": "true"},
                {"name": "ORDERER_ADMIN_TLS_ENABLED", "value": "true"},
                {"name": "ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED", "value": "true"},
                {"name": "ORDERER_OPERATIONS_TLS_ENABLED", "value": "true"},
                {"name": "ORDERER_FILELEDGER_LOCATION",
                 "value": "/var/hyperledger/production/orderer"}]
    return dep


def container(dep: dict) -> dict:
    return dep["spec"]["template"]["spec"]["containers"][0]


def mutated(base: dict, change) -> dict:
    dep = copy.deepcopy(base)
    change(dep)
    return dep


def set_env(dep: dict, name: str, value: str) -> None:
    for e in container(dep)["env"]:
        if e["name"] == name:
            e["value"] = value


def test_well_formed_peer_and_orderer_pass_every_rule():
    for dep in (peer_deployment(), orderer_deployment()):
        assert [v for rule in RULES for v in rule.check(DEPLOYMENT, dep)] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: container(d)["securityContext"].update(privileged=True),
         "container peer is privileged"),
        (lambda d: container(d)["securityContext"].pop("allowPrivilegeEscalation"),
         "container peer does not set allowPrivilegeEscalation: false"),
        (lambda d: d["spec"]["template"]["spec"]["securityContext"].update(runAsUser=0),
         "container peer may run as root (runAsNonRoot: true needed)"),
        (lambda d: d["spec"]["template"]["spec"]["securityContext"].pop("runAsNonRoot"),
         "container peer may run as root (runAsNonRoot: true needed)"),
        (lambda d: d["spec"]["template"]["spec"]["volumes"].append(
            {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}),
         "volume docker mounts a host path"),
    ],
)
def test_privileged_root_and_host_paths_are_violations(change, expected):
    assert expected in no_privileged_or_root(DEPLOYMENT, mutated(peer_deployment(), change))


def test_missing_requests_or_limits():
    dep = mutated(peer_deployment(), lambda d: container(d)["resources"].pop("limits"))
    assert requests_and_limits(DEPLOYMENT, dep) == ["container peer has no limits for cpu, memory"]
    dep = mutated(peer_deployment(),
                  lambda d: container(d)["resources"]["requests"].pop("memory"))
    assert requests_and_limits(DEPLOYMENT, dep) == ["container peer has no requests for memory"]


def test_private_key_outside_a_secret():
    key = "-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----\n"
    configmap = {"data": {"priv_sk": key}}
    assert private_keys_only_in_secrets("kubernetes:core/v1:ConfigMap", configmap) == [
        "holds a private key; private keys belong in Secrets only"
    ]
    assert private_keys_only_in_secrets("kubernetes:core/v1:Secret", configmap) == []
    dep = mutated(peer_deployment(), lambda d: container(d)["env"].append(
        {"name": "KEY", "value": key}))
    assert private_keys_only_in_secrets(DEPLOYMENT, dep) != []


def test_tls_off_is_a_violation():
    peer = mutated(peer_deployment(), lambda d: set_env(d, "CORE_PEER_TLS_ENABLED", "false"))
    assert fabric_tls_enabled(DEPLOYMENT, peer) == ["peer container peer runs without TLS"]
    orderer = mutated(orderer_deployment(),
                      lambda d: set_env(d, "ORDERER_GENERAL_TLS_ENABLED", "false"))
    assert fabric_tls_enabled(DEPLOYMENT, orderer) == ["orderer container peer runs without TLS"]


def test_orderer_admin_without_client_auth():
    dep = mutated(orderer_deployment(),
                  lambda d: set_env(d, "ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED", "false"))
    assert orderer_admin_requires_client_certs(DEPLOYMENT, dep) == [
        "orderer container peer: the admin endpoint must use TLS with client authentication"
    ]


def test_ledger_on_empty_dir_is_a_violation():
    def to_empty_dir(d):
        d["spec"]["template"]["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]

    for base, path in ((peer_deployment(), "/var/hyperledger/production"),
                       (orderer_deployment(), "/var/hyperledger/production/orderer")):
        assert ledgers_on_volume_claims(DEPLOYMENT, mutated(base, to_empty_dir)) == [
            f"container peer: ledger {path} is not on a PersistentVolumeClaim"
        ]


@pytest.mark.parametrize(
    ("image", "ok"),
    [
        ("docker.io/hyperledger/fabric-peer:2.5.9", True),
        ("registry:5000/fabric-peer@sha256:" + "a" * 64, True),
        ("docker.io/hyperledger/fabric-peer", False),
        ("docker.io/hyperledger/fabric-peer:latest", False),
        ("registry:5000/fabric-peer", False),
    ],
)
def test_images_must_be_pinned(image, ok):
    dep = mutated(peer_deployment(), lambda d: container(d).update(image=image))
    assert (images_pinned(DEPLOYMENT, dep) == []) is ok


@pytest.mark.parametrize(("sample", "config"), [
    ("simple", {}),
    ("scaled", {}),
    ("scaled", {"cluster": "aks", "backupStorageSku": "Standard_GRS"}),
    ("scaled", {"cluster": "aks", "backupStorageSku": "Standard_GRS", "backupKey": "nightly",
                "backupPassphrase": "p"}),
    ("scaled", {"cluster": "aks", "backupStorageSku": "Standard_GRS", "restoreKey": "nightly",
                "backupPassphrase": "p"}),
    ("simple", {"externalAccess": "loadbalancer",
                "externalDomain": "westeurope.cloudapp.azure.com"}),
    ("scaled", {"backupKey": "nightly", "backupPassphrase": "p", "backupMode": "offline",
                "backupStorageConnectionString": "AccountName=a;AccountKey=a2V5"}),
])
def test_sample_networks_pass_every_policy(sample, config):
    mocks, _ = run_sample(sample, **config)
    violations = [
        f"{rule.name} {r.typ} {r.name}: {v}"
        for r in mocks.resources
        for rule in RULES
        if rule.mandatory
        for v in rule.check(r.typ, r.manifest)
    ]
    resources = [(r.typ, r.manifest) for r in mocks.resources]
    violations += [f"{rule.name}: {v}" for rule in STACK_RULES for v in rule.check(resources)]
    assert violations == []
    workloads = [r for r in mocks.resources if r.typ == DEPLOYMENT]
    assert len(workloads) >= 6


def test_every_rule_is_mandatory():
    assert [rule.name for rule in RULES if not rule.mandatory] == []


def test_rules_see_through_the_engine_proxies():
    """The policy engine passes mapping and sequence proxies whose repr hides
    their contents; ``plain`` turns them into data the rules can read."""
    from collections.abc import Mapping, Sequence

    from policy.rules import plain

    class Proxy(Mapping):
        def __init__(self, target):
            self.target = target

        def __getitem__(self, key):
            value = self.target[key]
            if isinstance(value, dict):
                return Proxy(value)
            if isinstance(value, list):
                return ListProxy(value)
            return value

        def __iter__(self):
            return iter(self.target)

        def __len__(self):
            return len(self.target)

        def __repr__(self):
            return "<proxy>"

    class ListProxy(Sequence):
        def __init__(self, target):
            self.target = target

        def __getitem__(self, index):
            value = self.target[index]
            return Proxy(value) if isinstance(value, dict) else value

        def __len__(self):
            return len(self.target)

    configmap = Proxy({"data": {"key": "-----BEGIN PRIVATE KEY-----"}})
    assert private_keys_only_in_secrets("kubernetes:core/v1:ConfigMap", configmap) == []  # type: ignore[arg-type]
    assert private_keys_only_in_secrets("kubernetes:core/v1:ConfigMap", plain(configmap)) != []
    deployment = Proxy(mutated(peer_deployment(),
                               lambda d: container(d)["securityContext"].update(privileged=True)))
    assert "container peer is privileged" in no_privileged_or_root(DEPLOYMENT, plain(deployment))


@pytest.mark.parametrize(
    ("check", "change", "expected"),
    [
        (read_only_root_filesystem,
         lambda d: container(d)["securityContext"].pop("readOnlyRootFilesystem"),
         "container peer has a writable root filesystem (readOnlyRootFilesystem: true needed)"),
        (seccomp_confined,
         lambda d: d["spec"]["template"]["spec"]["securityContext"].pop("seccompProfile"),
         "container peer runs without a seccomp profile (RuntimeDefault or Localhost needed)"),
        (seccomp_confined,
         lambda d: container(d)["securityContext"].update(seccompProfile={"type": "Unconfined"}),
         "container peer runs without a seccomp profile (RuntimeDefault or Localhost needed)"),
        (no_service_account_token,
         lambda d: d["spec"]["template"]["spec"].pop("automountServiceAccountToken"),
         "pod mounts a service account token (automountServiceAccountToken: false needed)"),
        (no_service_account_token,
         lambda d: d["spec"]["template"]["spec"]["volumes"].append({"name": "api", "projected": {
             "sources": [{"serviceAccountToken": {"path": "token"}}]}}),
         "pod projects the default service account's token (a service account of its own "
         "needed)"),
        (no_host_namespaces,
         lambda d: d["spec"]["template"]["spec"].update(hostNetwork=True),
         "pod shares the node's network"),
        (no_host_namespaces,
         lambda d: d["spec"]["template"]["spec"].update(hostPID=True),
         "pod shares the node's process IDs"),
        (no_host_namespaces,
         lambda d: d["spec"]["template"]["spec"].update(hostIPC=True),
         "pod shares the node's IPC"),
        (no_host_namespaces,
         lambda d: container(d).update(ports=[{"containerPort": 7051, "hostPort": 7051}]),
         "container peer binds host port 7051"),
        (operations_tls, lambda d: set_env(d, "CORE_OPERATIONS_TLS_ENABLED", "false"),
         "peer container peer: operations endpoint without TLS (CORE_OPERATIONS_TLS_ENABLED)"),
        (operations_tls, lambda d: container(d)["readinessProbe"]["httpGet"].pop("scheme"),
         "peer container peer: readinessProbe over plain HTTP (scheme: HTTPS needed)"),
        (operations_tls,
         lambda d: container(d)["livenessProbe"]["httpGet"].update(scheme="HTTP"),
         "peer container peer: livenessProbe over plain HTTP (scheme: HTTPS needed)"),
    ],
)
def test_hardening_gaps_are_violations(check, change, expected):
    assert check(DEPLOYMENT, peer_deployment()) == []
    assert check(DEPLOYMENT, mutated(peer_deployment(), change)) == [expected]


def test_a_projected_token_only_for_a_service_account_of_its_own():
    own = mutated(peer_deployment(), lambda d: d["spec"]["template"]["spec"].update(
        serviceAccountName="backup-scaler", volumes=[{"name": "api", "projected": {
            "sources": [{"serviceAccountToken": {"path": "token"}}]}}]))
    assert no_service_account_token(DEPLOYMENT, own) == []


def test_writable_root_only_for_containers_the_workload_names():
    writable = mutated(peer_deployment(),
                       lambda d: container(d)["securityContext"].pop("readOnlyRootFilesystem"))
    writable["metadata"]["annotations"] = {"fabric.hyperledger.org/writable-root": "couchdb"}
    assert read_only_root_filesystem(DEPLOYMENT, writable) != []
    writable["metadata"]["annotations"] = {"fabric.hyperledger.org/writable-root": "couchdb,peer"}
    assert read_only_root_filesystem(DEPLOYMENT, writable) == []


def test_orderer_operations_without_tls_is_reported():
    orderer = orderer_deployment()
    assert operations_tls(DEPLOYMENT, orderer) == []
    assert operations_tls(DEPLOYMENT, mutated(orderer, lambda d: set_env(
        d, "ORDERER_OPERATIONS_TLS_ENABLED", "false"))) == [
        "orderer container peer: operations endpoint without TLS "
        "(ORDERER_OPERATIONS_TLS_ENABLED)"]


@pytest.mark.parametrize(("kind", "ok"), [
    (None, True), ("ClusterIP", True), ("NodePort", False), ("LoadBalancer", False),
    ("ExternalName", False),
])
def test_only_cluster_internal_services(kind, ok):
    service = {"spec": {"ports": [{"port": 7051}], **({"type": kind} if kind else {})}}
    assert (services_cluster_internal("kubernetes:core/v1:Service", service) == []) is ok


@pytest.mark.parametrize(("kind", "ok"), [("LoadBalancer", True), ("NodePort", False)])
def test_external_access_may_expose_a_node_by_load_balancer_only(kind, ok):
    service = {"metadata": {"labels": {"fabric.hyperledger.org/exposure": "external"}},
               "spec": {"type": kind, "ports": [{"port": 7051}]}}
    assert (services_cluster_internal("kubernetes:core/v1:Service", service) == []) is ok


DEFAULT_DENY = ("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
    "metadata": {"name": "default-deny", "namespace": "fabric"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
})


def test_workloads_need_a_network_policy_isolating_them():
    workload = (DEPLOYMENT, peer_deployment())
    assert workloads_isolated([workload, DEFAULT_DENY]) == []
    assert workloads_isolated([workload]) == [
        f"{DEPLOYMENT} peer0-org1 in fabric: no NetworkPolicy isolates its pods (Egress, Ingress)"]
    ingress_only = (DEFAULT_DENY[0], {"metadata": {"namespace": "fabric"},
                                      "spec": {"podSelector": {}}})
    assert workloads_isolated([workload, ingress_only]) == [
        f"{DEPLOYMENT} peer0-org1 in fabric: no NetworkPolicy isolates its pods (Egress)"]
    elsewhere = (DEFAULT_DENY[0], {**DEFAULT_DENY[1], "metadata": {"namespace": "other"}})
    assert workloads_isolated([workload, elsewhere]) != []


def test_a_stack_without_network_policies_fails_the_pack():
    mocks, _ = run_sample("simple", networkPolicies="false")
    (rule,) = STACK_RULES
    violations = rule.check([(r.typ, r.manifest) for r in mocks.resources])
    assert len(violations) >= 4
