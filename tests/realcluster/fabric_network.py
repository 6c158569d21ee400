"""What the real-pod Fabric tests ask of a network the program deployed: its pods,
its admin toolboxes (reached through the Kubernetes exec API, the path every
populate takes on a cluster) and the channel heights its peers report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fabric_components.components.executors import TOOLBOX_PATHS
from fabric_ops.chaincode_ops import Orderer, invoke, query
from fabric_ops.channel_ops import peer_channels, peer_height
from fabric_ops.executor import CommandResult
from fabric_ops.pod_executor import PodExecutor
from tools.kube_api import KubeApi


def pod_ready(pod: dict[str, Any]) -> bool:
    conditions = pod.get("status", {}).get("conditions", [])
    return pod["metadata"].get("deletionTimestamp") is None and any(
        c["type"] == "Ready" and c["status"] == "True" for c in conditions)


@dataclass
class FabricNetwork:
    """The simple sample (one orderer, Org1 and Org2 with one peer each and the
    ``basic`` chaincode on ``mychannel``) in ``namespace``."""

    api: KubeApi
    kubeconfig: str
    namespace: str
    channel: str = "mychannel"
    chaincode: str = "basic"

    @property
    def orderer(self) -> Orderer:
        return Orderer(f"orderer0-orderer.{self.namespace}.svc.cluster.local:7050",
                       "example.com")

    def peer(self, org: int) -> str:
        return f"peer0-org{org}.{self.namespace}.svc.cluster.local:7051"

    def toolbox(self, org: str) -> PodExecutor:
        return PodExecutor(self.kubeconfig, self.namespace, f"admin-{org}", TOOLBOX_PATHS)

    def pods(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.api.request(
            "GET", f"/api/v1/namespaces/{self.namespace}/pods")["items"]
        return items

    def pod_of(self, deployment: str) -> dict[str, Any] | None:
        """The Ready pod of a Deployment (its pods carry the instance label)."""
        for pod in self.pods():
            if (pod["metadata"]["labels"].get("app.kubernetes.io/instance") == deployment
                    and pod_ready(pod)):
                return pod
        return None

    def deployments(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.api.request(
            "GET", f"/apis/apps/v1/namespaces/{self.namespace}/deployments")["items"]
        return items

    def height(self, org: int) -> int:
        """The channel height peer0 of ``org`` reports (``peer channel getinfo``)."""
        return peer_height(self.toolbox(f"org{org}"), self.peer(org), self.channel)

    def channels(self, org: int) -> list[str]:
        return peer_channels(self.toolbox(f"org{org}"), self.peer(org))

    def write(self, key: str, value: str) -> CommandResult:
        """CreateAsset through Org1's toolbox, endorsed by Org1's peer."""
        return invoke(self.toolbox("org1"), self.orderer, self.channel, self.chaincode,
                      "CreateAsset", [key, value], [(self.peer(1), "org1.example.com")])

    def read(self, org: int, key: str) -> str:
        return query(self.toolbox(f"org{org}"), self.peer(org), self.channel, self.chaincode,
                     "ReadAsset", [key])

