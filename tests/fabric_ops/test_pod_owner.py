"""The toolbox executor execs only into the pod its Deployment owns: the
owner chain pod -> ReplicaSet -> Deployment ``admin-<org>``, matched by UID,
nothing being deleted, the pod Running. Objects are the Kubernetes client's own
models, as the API returns them."""

from __future__ import annotations

import datetime

import pytest
from kubernetes.client import (
    V1Deployment,
    V1DeploymentSpec,
    V1LabelSelector,
    V1ObjectMeta,
    V1OwnerReference,
    V1Pod,
    V1PodStatus,
    V1ReplicaSet,
    V1ReplicaSetSpec,
)

from fabric_ops.executor import AdminPaths
from fabric_ops.executor_config import executor_from_config, pod_executor_config
from fabric_ops.pod_executor import PodExecutor, TransportError, owned_pod

T0 = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
SELECTOR = V1LabelSelector(match_labels={"app.kubernetes.io/instance": "admin-org1"})


def owner(kind: str, name: str, uid: str, controller: bool = True) -> V1OwnerReference:
    return V1OwnerReference(api_version="apps/v1", kind=kind, name=name, uid=uid,
                            controller=controller)


def deployment() -> V1Deployment:
    return V1Deployment(metadata=V1ObjectMeta(name="admin-org1", namespace="fabric",
                                              uid="dep-uid"),
                        spec=V1DeploymentSpec(selector=SELECTOR, template={}))


def replica_set(uid: str = "rs-uid", dep_uid: str = "dep-uid", deleting: bool = False,
                controller: bool = True) -> V1ReplicaSet:
    return V1ReplicaSet(metadata=V1ObjectMeta(
        name=f"admin-org1-{uid}", uid=uid,
        owner_references=[owner("Deployment", "admin-org1", dep_uid, controller)],
        deletion_timestamp=T0 if deleting else None),
        spec=V1ReplicaSetSpec(selector=SELECTOR))


def pod(name: str = "admin-org1-abc", rs_uid: str = "rs-uid", phase: str = "Running",
        deleting: bool = False, kind: str = "ReplicaSet", created: int = 0) -> V1Pod:
    refs = [owner(kind, f"admin-org1-{rs_uid}", rs_uid)] if kind else None
    return V1Pod(metadata=V1ObjectMeta(name=name, owner_references=refs,
                                       creation_timestamp=T0 + datetime.timedelta(created),
                                       deletion_timestamp=T0 if deleting else None),
                 status=V1PodStatus(phase=phase))


def test_the_pod_of_the_deployments_replica_set_is_chosen():
    impostor = pod("admin-org1-fake", kind="")  # same labels, no owner
    assert owned_pod(deployment(), [replica_set()],
                     [impostor, pod("admin-org1-abc")]) == "admin-org1-abc"


@pytest.mark.parametrize(("replica_sets", "pods"), [
    ([replica_set()], [pod(kind="")]),                          # bare pod with the labels
    ([replica_set()], [pod(rs_uid="other-rs")]),                 # another ReplicaSet's pod
    ([replica_set(dep_uid="other-dep")], [pod()]),               # ReplicaSet of another owner
    ([replica_set(controller=False)], [pod()]),                  # owner but not controller
    ([replica_set(deleting=True)], [pod()]),                     # ReplicaSet being deleted
    ([replica_set()], [pod(deleting=True)]),                     # pod being deleted
    ([replica_set()], [pod(phase="Pending")]),                   # not Running
    ([replica_set()], [pod(kind="Job")]),                        # controlled by something else
])
def test_no_pod_outside_the_owner_chain_is_used(replica_sets, pods):
    with pytest.raises(TransportError, match="no Running pod owned by Deployment "
                                             "fabric/admin-org1"):
        owned_pod(deployment(), replica_sets, pods)


def test_the_newest_owned_pod_wins():
    pods = [pod("old", created=0), pod("new", created=1)]
    assert owned_pod(deployment(), [replica_set()], pods) == "new"


def test_executor_config_names_the_deployment_and_reads_former_configs():
    paths = AdminPaths(admin_dir="/a", tls_ca_dir="/t")
    config = pod_executor_config("fabric", "admin-org1", paths)
    assert config["deployment"] == "admin-org1"
    executor = executor_from_config(config)
    assert isinstance(executor, PodExecutor) and executor.deployment == "admin-org1"
    former = {k: v for k, v in config.items() if k != "deployment"}
    former["selector"] = "app.kubernetes.io/instance=admin-org2"
    executor = executor_from_config(former)
    assert isinstance(executor, PodExecutor) and executor.deployment == "admin-org2"
