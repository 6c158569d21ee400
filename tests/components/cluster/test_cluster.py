"""Where the network runs, under mocks (Azure is never reachable from tests): an
existing cluster's context, or an AKS cluster with backup storage whose
kubeconfig feeds the Kubernetes provider."""

from __future__ import annotations

import pytest

from fabric_components.stack_config import load_stack_config
from network_spec import SpecError
from tests.components.mocks import MOCK_KUBECONFIG, RecordingMocks, has_secret
from tests.components.program import run_sample

AKS = {
    "cluster": "aks",
    "aksLocation": "northeurope",
    "aksKubernetesVersion": "1.33.2",
    "aksFabricVmSize": "Standard_D8s_v5",
    "aksFabricNodeCount": "3",
    "backupStorageSku": "Standard_GRS",
}


def only(mocks: RecordingMocks, typ: str) -> dict:
    (r,) = mocks.of_type(typ)
    return r.manifest


@pytest.fixture(scope="module")
def aks():
    return run_sample("scaled", **AKS)


def test_aks_cluster_has_identity_pools_and_pinned_version(aks):
    mocks, _ = aks
    cluster = only(mocks, "azure-native:containerservice:ManagedCluster")
    assert cluster["identity"] == {"type": "SystemAssigned"}
    assert cluster["kubernetesVersion"] == "1.33.2"
    assert cluster["location"] == "northeurope"
    assert cluster["enableRBAC"] is True
    pools = {p["name"]: p for p in cluster["agentPoolProfiles"]}
    assert pools["system"]["mode"] == "System"
    assert pools["fabric"]["mode"] == "User"
    assert pools["fabric"]["vmSize"] == "Standard_D8s_v5"
    assert pools["fabric"]["count"] == 3
    group = only(mocks, "azure-native:resources:ResourceGroup")
    assert group["location"] == "northeurope"


def test_aks_cluster_enforces_network_policies(aks):
    mocks, _ = aks
    profile = only(mocks, "azure-native:containerservice:ManagedCluster")["networkProfile"]
    assert profile == {"networkPlugin": "azure", "networkPluginMode": "overlay",
                       "networkDataplane": "cilium", "networkPolicy": "cilium"}


def test_kubeconfig_feeds_the_provider_as_a_secret_with_a_stable_identifier(aks):
    mocks, outputs = aks
    (provider,) = mocks.of_type("pulumi:providers:kubernetes")
    assert has_secret(provider.inputs["kubeconfig"])
    assert provider.manifest["kubeconfig"] == MOCK_KUBECONFIG
    assert provider.manifest["clusterIdentifier"] == "aks/fabric-test"
    assert outputs["kubeconfig"] == MOCK_KUBECONFIG
    tokens = [token for token, _ in mocks.calls]
    assert "azure-native:containerservice:listManagedClusterUserCredentials" in tokens


def test_backup_storage_is_private_versioned_and_geo_redundant(aks):
    mocks, outputs = aks
    account = only(mocks, "azure-native:storage:StorageAccount")
    assert account["sku"] == {"name": "Standard_GRS"}
    assert account["allowBlobPublicAccess"] is False
    assert account["minimumTlsVersion"] == "TLS1_2"
    service = only(mocks, "azure-native:storage:BlobServiceProperties")
    assert service["isVersioningEnabled"] is True
    assert service["deleteRetentionPolicy"] == {"enabled": True, "days": 30}
    container = only(mocks, "azure-native:storage:BlobContainer")
    assert container["publicAccess"] == "None"
    assert outputs["backupStorage"]["container"] == "fabric-backups"


def test_aks_pods_run_on_the_fabric_pool_with_managed_csi_volumes(aks):
    mocks, _ = aks
    for dep in mocks.of_type("kubernetes:apps/v1:Deployment"):
        assert dep.manifest["spec"]["template"]["spec"]["nodeSelector"] == {"agentpool": "fabric"}
    for pvc in mocks.of_type("kubernetes:core/v1:PersistentVolumeClaim"):
        assert pvc.manifest["spec"]["storageClassName"] == "managed-csi"


def test_existing_cluster_uses_the_context_and_no_azure():
    mocks, outputs = run_sample("simple", kubeContext="kind-dev")
    (provider,) = mocks.of_type("pulumi:providers:kubernetes")
    assert provider.manifest["context"] == "kind-dev"
    assert provider.manifest["clusterIdentifier"] == "context/kind-dev"
    assert not [r for r in mocks.resources if r.typ.startswith("azure-native:")]
    assert outputs["cluster"] == {"kind": "existing", "context": "kind-dev"}
    for dep in mocks.of_type("kubernetes:apps/v1:Deployment"):
        assert "nodeSelector" not in dep.manifest["spec"]["template"]["spec"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"cluster": "gke"}, "fabric:cluster: 'gke' is not one of existing, aks"),
        ({"backupStorageSku": "Standard_GRS"}, "fabric:backupStorageSku: a backup storage "
         "account is created in the AKS cluster's resource group: set fabric:cluster to aks, "
         "or leave this empty"),
        ({"cluster": "aks", "aksFabricNodeCount": "0"},
         "fabric:aksFabricNodeCount: '0' is not a whole number of at least 1"),
        ({"cluster": "aks", "backupStorageSku": "Premium"}, "fabric:backupStorageSku: 'Premium' "
         "is not one of , Standard_LRS, Standard_ZRS, Standard_GRS, Standard_RAGRS, "
         "Standard_GZRS, Standard_RAGZRS"),
    ],
)
def test_bad_cluster_settings(values, message):
    with pytest.raises(SpecError) as error:
        load_stack_config("prod", values.get)
    assert str(error.value) == f"Pulumi.prod.yaml: {message}"
