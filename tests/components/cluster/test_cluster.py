"""Where the network runs, under mocks (Azure is never reachable from tests): an
existing cluster's context, or an AKS cluster with backup storage whose
kubeconfig feeds the Kubernetes provider."""

from __future__ import annotations

import pytest
import yaml

from fabric_components.cluster.aks_kubeconfig import azure_cli_kubeconfig
from fabric_components.stack_config import load_stack_config
from network_spec import SpecError
from tests.components.mocks import MOCK_CLIENT, MOCK_KUBECONFIG, RecordingMocks, has_secret
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


def test_aks_api_server_is_public_with_local_accounts_by_default(aks):
    mocks, _ = aks
    cluster = only(mocks, "azure-native:containerservice:ManagedCluster")
    for key in ("apiServerAccessProfile", "aadProfile", "disableLocalAccounts"):
        assert key not in cluster
    assert mocks.of_type("azure-native:authorization:RoleAssignment") == []


ENTRA = {**AKS, "aksPrivateApiServer": "true", "aksEntraId": "true",
         "aksAdminGroupObjectIds": "11111111-2222-3333-4444-555555555555"}


@pytest.fixture(scope="module")
def entra():
    return run_sample("simple", **ENTRA)


def test_private_api_server_entra_id_azure_rbac_and_no_local_accounts(entra):
    mocks, _ = entra
    cluster = only(mocks, "azure-native:containerservice:ManagedCluster")
    assert cluster["apiServerAccessProfile"] == {"enablePrivateCluster": True}
    assert cluster["aadProfile"] == {"managed": True, "enableAzureRBAC": True,
                                     "adminGroupObjectIDs": [ENTRA["aksAdminGroupObjectIds"]]}
    assert cluster["disableLocalAccounts"] is True


def test_the_deploying_identity_is_cluster_admin_through_azure_rbac(entra):
    mocks, _ = entra
    assignment = only(mocks, "azure-native:authorization:RoleAssignment")
    assert assignment["principalId"] == MOCK_CLIENT["objectId"]
    assert assignment["roleDefinitionId"] == (
        f"/subscriptions/{MOCK_CLIENT['subscriptionId']}/providers/Microsoft.Authorization/"
        "roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b")
    assert assignment["scope"] == "fabric-test-aks-id"


def test_entra_kubeconfig_signs_in_with_the_azure_cli(entra):
    mocks, outputs = entra
    (_, args), = [c for c in mocks.calls
                  if c[0] == "azure-native:containerservice:listManagedClusterUserCredentials"]
    assert args["format"] == "exec"
    (user,) = yaml.safe_load(outputs["kubeconfig"])["users"]
    assert user["user"]["exec"]["command"] == "kubelogin"
    assert user["user"]["exec"]["args"] == [
        "get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630",
        "--environment", "AzurePublicCloud"]
    (provider,) = mocks.of_type("pulumi:providers:kubernetes")
    assert has_secret(provider.inputs["kubeconfig"])
    assert "devicecode" not in provider.manifest["kubeconfig"]


def test_kubeconfig_rewrite_leaves_other_users_and_needs_a_server_id():
    other = {"users": [{"name": "token", "user": {"token": "t"}}]}
    assert yaml.safe_load(azure_cli_kubeconfig(yaml.safe_dump(other))) == other
    broken = {"users": [{"name": "u", "user": {"exec": {"command": "kubelogin",
                                                        "args": ["get-token"]}}}]}
    with pytest.raises(ValueError, match="kubeconfig user 'u': kubelogin without --server-id"):
        azure_cli_kubeconfig(yaml.safe_dump(broken))


def test_prod_stack_has_a_private_api_server_and_entra_id():
    from tests.components.test_stack_config import stack_file_config

    prod, staging = stack_file_config("prod").cluster.aks, stack_file_config("staging").cluster.aks
    assert prod.private_api_server is True and prod.entra_id is True
    assert staging.private_api_server is False and staging.entra_id is False


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"aksPrivateApiServer": "true"}, "fabric:aksPrivateApiServer: applies to the AKS "
         "cluster the stack creates: set fabric:cluster to aks, or leave this unset"),
        ({"aksEntraId": "true"}, "fabric:aksEntraId: applies to the AKS cluster the stack "
         "creates: set fabric:cluster to aks, or leave this unset"),
        ({"cluster": "aks", "aksAdminGroupObjectIds": "admins"},
         "fabric:aksAdminGroupObjectIds: 'admins' is not an Entra ID group object ID (a GUID)"),
        ({"cluster": "aks", "aksAdminGroupObjectIds": "11111111-2222-3333-4444-555555555555"},
         "fabric:aksAdminGroupObjectIds: admin groups are Entra ID groups: set "
         "fabric:aksEntraId to true"),
    ],
)
def test_bad_access_settings(values, message):
    with pytest.raises(SpecError) as error:
        load_stack_config("prod", values.get)
    assert str(error.value) == f"Pulumi.prod.yaml: {message}"
