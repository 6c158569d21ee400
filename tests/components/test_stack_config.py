"""Stack config: defaults agree with Pulumi.yaml's schema, bad values stop the
program with the stack file and key named."""

from __future__ import annotations

import pytest
import yaml

from fabric_components.log_spec import LEVELS as FABRIC_LOG_LEVELS
from fabric_components.quantities import BYTES_HINT
from fabric_components.stack_config import DEFAULT_RESOURCES, load_stack_config
from network_spec import SpecError
from network_spec.image_refs import IMAGE_RULE
from network_spec.k8s_names import SUBDOMAIN_RULE
from tests.components.program import ROOT

LEVELS = ", ".join(FABRIC_LOG_LEVELS)
SYSTEM = (
    "is a namespace of the cluster itself (the program creates, and on destroy deletes, its "
    "namespace): use a namespace of its own, or set fabric:allowSystemNamespace to true if "
    "you mean it"
)


def project_schema() -> dict:
    return yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]


def test_every_config_key_is_typed_and_described():
    for key, schema in project_schema().items():
        assert schema.get("type") in ("string", "boolean", "integer"), key
        assert len(schema.get("description", "")) > 10, key


def test_schema_defaults_are_the_program_defaults():
    none: dict[str, str] = {}
    config = load_stack_config("dev", none.get)
    schema = project_schema()
    assert schema["namespace"]["default"] == config.namespace
    assert schema["fabricVersion"]["default"] == config.fabric_version
    assert schema["cryptoConfig"]["default"] == config.crypto_config
    assert schema["network"]["default"] == config.network
    assert schema["retainVolumes"]["default"] is config.retain_volumes
    assert schema["couchdbImage"]["default"] == config.images.couchdb
    assert schema["cluster"]["default"] == config.cluster.kind
    assert schema["aksKubernetesVersion"]["default"] == config.cluster.aks.kubernetes_version
    assert schema["aksFabricNodeCount"]["default"] == config.cluster.aks.fabric_node_count
    assert schema["aksSystemVmSize"]["default"] == config.cluster.aks.system_vm_size
    assert schema["networkPolicies"]["default"] is config.network_policies is True
    assert schema["monitoringNamespace"]["default"] == config.monitoring_namespace
    aks = config.cluster.aks
    assert schema["aksPrivateApiServer"]["default"] is aks.private_api_server is False
    assert schema["aksEntraId"]["default"] is aks.entra_id is False
    assert schema["aksAdminGroupObjectIds"]["default"] == ",".join(aks.admin_group_object_ids)
    for role, res in DEFAULT_RESOURCES.items():
        assert schema[f"{role}CpuRequest"]["default"] == res.cpu_request
        assert schema[f"{role}MemoryLimit"]["default"] == res.memory_limit


def test_dev_stack_file_loads():
    values = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    config = load_stack_config(
        "dev", {k.split(":", 1)[1]: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in values.items()}.get
    )
    assert config.namespace == "fabric-dev"
    assert config.storage_class == ""
    assert config.retain_volumes is False


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("namespace", "Fabric_Dev", "Pulumi.dev.yaml: fabric:namespace: 'Fabric_Dev' is not "
         "valid: a DNS-1123 label: lowercase letters, digits and '-', at most 63"),
        ("peerStorage", "ten", f"Pulumi.dev.yaml: fabric:peerStorage: 'ten' is not valid: "
         f"{BYTES_HINT}"),
        ("retainVolumes", "yes", "Pulumi.dev.yaml: fabric:retainVolumes: 'yes' is not a "
         "boolean: use true or false"),
        ("fabricVersion", "latest", "Pulumi.dev.yaml: fabric:fabricVersion: 'latest' is not "
         "valid: a Fabric release such as 2.5.9"),
        ("fabricVersion", "2.2.15", "Pulumi.dev.yaml: fabric:fabricVersion: '2.2.15' is not "
         "supported: use a 2.5.x or 3.x release"),
        ("peerCpuLimit", "lots", "Pulumi.dev.yaml: fabric:peerCpuLimit: 'lots' is not valid: a "
         "CPU quantity such as 250m or 1"),
        ("monitoringNamespace", "Monitoring", "Pulumi.dev.yaml: fabric:monitoringNamespace: "
         "'Monitoring' is not valid: a namespace name (DNS-1123 label)"),
        ("networkPolicies", "on", "Pulumi.dev.yaml: fabric:networkPolicies: 'on' is not a "
         "boolean: use true or false"),
        ("namespace", "fabric\n", "Pulumi.dev.yaml: fabric:namespace: 'fabric\\n' is not "
         "valid: a DNS-1123 label: lowercase letters, digits and '-', at most 63"),
        ("peerStorage", "10Gi\n", "Pulumi.dev.yaml: fabric:peerStorage: '10Gi\\n' is not "
         f"valid: {BYTES_HINT}"),
        ("fabricVersion", "2.5.9\n", "Pulumi.dev.yaml: fabric:fabricVersion: '2.5.9\\n' is "
         "not valid: a Fabric release such as 2.5.9"),
        ("aksSystemNodeCount", "\u00b2", "Pulumi.dev.yaml: fabric:aksSystemNodeCount: "
         "'\u00b2' is not a whole number of at least 1"),
        ("aksFabricNodeCount", "\u0663", "Pulumi.dev.yaml: fabric:aksFabricNodeCount: "
         "'\u0663' is not a whole number of at least 1"),
        ("aksFabricNodeCount", " 3", "Pulumi.dev.yaml: fabric:aksFabricNodeCount: "
         "' 3' is not a whole number of at least 1"),
        ("logSpec", "gossip=chatty", "Pulumi.dev.yaml: fabric:logSpec: 'gossip=chatty' is not "
         "a Fabric logging spec: segment 'gossip=chatty' does not end in a log level "
         f"({LEVELS}, or lowercase)"),
        ("logSpec", "Debug", "Pulumi.dev.yaml: fabric:logSpec: 'Debug' is not a Fabric "
         f"logging spec: segment 'Debug' is not a log level ({LEVELS}, or lowercase)"),
        ("logSpec", "gossip.=warn:=INFO", "Pulumi.dev.yaml: fabric:logSpec: "
         "'gossip.=warn:=INFO' is not a Fabric logging spec: segment '=INFO' names no logger "
         "before '='"),
        ("logSpec", "gossip privdata=warn", "Pulumi.dev.yaml: fabric:logSpec: 'gossip "
         "privdata=warn' is not a Fabric logging spec: segment 'gossip privdata=warn': 'gossip "
         "privdata' is not a logger name (letters, digits, '_', '#', '-', dot-separated)"),
        ("peerMemoryLimit", "1K", "Pulumi.dev.yaml: fabric:peerMemoryLimit: '1K' is not "
         f"valid: {BYTES_HINT}"),
        ("ordererStorage", "0", "Pulumi.dev.yaml: fabric:ordererStorage: '0' must be more "
         "than 0"),
        ("peerCpuRequest", "2", "Pulumi.dev.yaml: fabric:peerCpuRequest: '2' is more than "
         "fabric:peerCpuLimit ('1'): Kubernetes refuses a request above its limit"),
        ("toolboxMemoryRequest", "1.5Gi", "Pulumi.dev.yaml: fabric:toolboxMemoryRequest: "
         "'1.5Gi' is more than fabric:toolboxMemoryLimit ('256Mi'): Kubernetes refuses a "
         "request above its limit"),
        ("peerImage", "Fabric Peer", "Pulumi.dev.yaml: fabric:peerImage: image 'Fabric Peer' "
         f"is not {IMAGE_RULE}"),
        ("backupImage", "mcr.microsoft.com/azure-cli:", "Pulumi.dev.yaml: fabric:backupImage: "
         f"image 'mcr.microsoft.com/azure-cli:' is not {IMAGE_RULE}"),
        ("imageRegistry", "docker.io/Hyperledger", "Pulumi.dev.yaml: fabric:imageRegistry: "
         "'docker.io/Hyperledger' gives the peer image 'docker.io/Hyperledger/fabric-peer:"
         f"2.5.9' is not {IMAGE_RULE}"),
        ("storageClass", "Managed_CSI", "Pulumi.dev.yaml: fabric:storageClass: 'Managed_CSI' "
         f"is not a class name: {SUBDOMAIN_RULE}"),
        ("backupSnapshotClass", "csi azuredisk", "Pulumi.dev.yaml: fabric:backupSnapshotClass: "
         f"'csi azuredisk' is not a class name: {SUBDOMAIN_RULE}"),
        ("aksLocation", "West Europe", "Pulumi.dev.yaml: fabric:aksLocation: 'West Europe' is "
         "not an Azure location name: lowercase letters and digits, e.g. westeurope or eastus2 "
         "(`az account list-locations -o table`)"),
        ("aksFabricVmSize", "D4s_v5", "Pulumi.dev.yaml: fabric:aksFabricVmSize: 'D4s_v5' is "
         "not an Azure VM size such as Standard_D4s_v5"),
        ("aksFabricNodeCount", "1001", "Pulumi.dev.yaml: fabric:aksFabricNodeCount: 1001 is "
         "more than 1000, AKS's limit of nodes in one pool"),
        ("nodePool", "fabric pool", "Pulumi.dev.yaml: fabric:nodePool: 'fabric pool' is not a "
         "label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with "
         "a letter or digit"),
        ("namespace", "kube-system", f"Pulumi.dev.yaml: fabric:namespace: 'kube-system' {SYSTEM}"),
        ("namespace", "default", f"Pulumi.dev.yaml: fabric:namespace: 'default' {SYSTEM}"),
        ("namespace", "kube-fabric", f"Pulumi.dev.yaml: fabric:namespace: 'kube-fabric' {SYSTEM}"),
        ("monitoring", "prometheus", "Pulumi.dev.yaml: fabric:monitoring: 'prometheus' is not "
         "one of none, podmonitor"),
    ],
)
def test_bad_values_name_the_stack_file_and_key(key, value, message):
    with pytest.raises(SpecError) as error:
        load_stack_config("dev", {key: value}.get)
    assert str(error.value) == message


def stack_file_config(stack: str):
    values = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return load_stack_config(
        stack, {k.split(":", 1)[1]: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in values.items()}.get
    )


def test_staging_and_prod_are_complete_aks_stacks():
    staging, prod = stack_file_config("staging"), stack_file_config("prod")
    for config in (staging, prod):
        assert config.cluster.kind == "aks"
        assert config.retain_volumes is True
        assert config.crypto_config == "samples/scaled/crypto-config.yaml"
        assert config.cluster.node_pool == "fabric"
    assert staging.storage_class == "managed-csi"
    assert prod.storage_class == "managed-csi-premium"
    assert prod.cluster.backup_storage_sku == "Standard_GRS"
    assert prod.cluster.aks.system_node_count == 3
    assert prod.resources["peer"].memory_limit == "4Gi"
    raw = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    assert raw["secretsprovider"].startswith("azurekeyvault://")


def test_every_stack_file_key_is_declared_in_the_project():
    declared = set(project_schema())
    for stack in ("dev", "staging", "prod"):
        values = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
        unknown = {k.split(":", 1)[1] for k in values} - declared
        assert unknown == set(), stack


def test_every_key_has_a_default_so_no_stack_must_set_it():
    """The engine refuses a stack that lacks a value for a key without default."""
    for key, schema in project_schema().items():
        assert "default" in schema, key
    config = load_stack_config("dev", {k: str(v).lower() if isinstance(v, bool) else str(v)
                                       for k, v in ((k, s["default"]) for k, s in
                                                    project_schema().items())}.get)
    assert config.images.peer == "docker.io/hyperledger/fabric-peer:2.5.9"
    assert config.cluster.node_pool == ""


BACKUPS = {"cluster": "aks", "backupStorageSku": "Standard_LRS"}
CONNECTION = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
              "BlobEndpoint=http://10.244.0.1:10000/devstoreaccount1;")


def test_backup_settings_default_to_none_and_match_the_schema():
    none: dict[str, str] = {}
    backup = load_stack_config("dev", none.get).backup
    schema = project_schema()
    assert (backup.key, backup.restore_key, backup.passphrase) == ("", "", "")
    assert schema["backupSnapshotClass"]["default"] == backup.snapshot_class
    assert schema["backupImage"]["default"] == backup.image
    taken = load_stack_config("prod", {**BACKUPS, "backupKey": "nightly-1",
                                       "backupPassphrase": "p", "restoreKey": "weekly"}.get)
    assert (taken.backup.key, taken.backup.restore_key) == ("nightly-1", "weekly")
    assert schema["backupMode"]["default"] == backup.mode == taken.backup.mode == "snapshot"


def test_an_existing_cluster_backs_up_offline_to_an_account_it_names():
    config = load_stack_config("dev", {"backupKey": "nightly-1", "backupPassphrase": "p",
                                       "backupMode": "offline",
                                       "backupStorageConnectionString": CONNECTION}.get)
    assert config.cluster.kind == "existing" and not config.cluster.backup_storage_sku
    assert (config.backup.mode, config.backup.storage_connection_string) == (
        "offline", CONNECTION)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"backupKey": "nightly"}, "Pulumi.prod.yaml: fabric:backupKey: backups go to the "
         "stack's backup storage account: set fabric:backupStorageSku (with fabric:cluster aks) "
         "or fabric:backupStorageConnectionString"),
        ({**BACKUPS, "backupMode": "hot"}, "Pulumi.prod.yaml: fabric:backupMode: 'hot' is not "
         "one of snapshot, offline"),
        ({**BACKUPS, "backupStorageConnectionString": CONNECTION}, "Pulumi.prod.yaml: "
         "fabric:backupStorageConnectionString: the stack creates its own backup storage "
         "account (fabric:backupStorageSku): set one or the other"),
        ({"backupStorageConnectionString": "AccountName=a;BlobEndpoint=http://blob"},
         "Pulumi.prod.yaml: fabric:backupStorageConnectionString: not an Azure Storage "
         "connection string: AccountName and AccountKey (or SharedAccessSignature) needed"),
        ({**BACKUPS, "restoreKey": "Nightly/1"}, "Pulumi.prod.yaml: fabric:restoreKey: "
         "'Nightly/1' is not valid: a DNS-1123 label of at most 40 characters, e.g. "
         "20261126t0346z"),
        *(({**BACKUPS, setting: "nightly"}, "Pulumi.prod.yaml: fabric:backupPassphrase: a "
           "backup encrypts and authenticates its archives, manifest and crypto material with "
           "it, and a restore opens them with it: set it with `pulumi config set --secret "
           "fabric:backupPassphrase`") for setting in ("backupKey", "restoreKey")),
        ({**BACKUPS, "backupKey": "n1", "restoreKey": "n1", "backupPassphrase": "p"},
         "Pulumi.prod.yaml: fabric:backupKey: 'n1' is also fabric:restoreKey: a backup must "
         "not overwrite the one being restored"),
    ],
)
def test_bad_backup_settings_name_the_stack_file_and_key(values, message):
    with pytest.raises(SpecError) as error:
        load_stack_config("prod", values.get)
    assert str(error.value) == message


def test_a_system_namespace_only_when_asked_for():
    config = load_stack_config("dev", {"namespace": "default", "allowSystemNamespace": "true"}.get)
    assert config.namespace == "default"


def test_aks_runs_the_network_on_the_pool_it_creates():
    for values in ({"cluster": "aks"}, {"cluster": "aks", "nodePool": ""}):
        assert load_stack_config("prod", values.get).cluster.node_pool == "fabric"
    with pytest.raises(SpecError) as error:
        load_stack_config("prod", {"cluster": "aks", "nodePool": "userpool"}.get)
    assert str(error.value) == (
        "Pulumi.prod.yaml: fabric:nodePool: 'userpool' is not a node pool of the AKS cluster "
        "the stack creates: its Fabric pool is 'fabric'; leave fabric:nodePool empty"
    )


@pytest.mark.parametrize("spec", ["INFO", "info", "gossip=warning:INFO", "gossip.,msp=debug:",
                                  "grpc=error:peer.gossip=WARN:payload"])
def test_fabric_logging_specs_fabric_accepts(spec):
    assert load_stack_config("dev", {"logSpec": spec}.get).log_spec == spec


def test_every_key_the_program_reads_is_declared_in_the_project():
    """Pulumi refuses a stack value for an undeclared key of the project."""
    read: set[str] = set()

    def get(key: str) -> str | None:
        read.add(key)
        return None

    load_stack_config("dev", get)
    assert "allowSystemNamespace" in read
    assert read - set(project_schema()) == set()


def test_certificate_lifetimes_default_to_cryptogens_and_match_the_schema():
    from datetime import timedelta

    none: dict[str, str] = {}
    config = load_stack_config("dev", none.get)
    schema = project_schema()
    assert config.cert_validity == timedelta(days=3650)
    assert schema["certValidity"]["default"] == "3650d"
    assert config.cert_renew_before == timedelta(days=30)
    assert schema["certRenewBefore"]["default"] == "30d"
    short = load_stack_config("dev", {"certValidity": "1h", "certRenewBefore": "30m"}.get)
    assert (short.cert_validity, short.cert_renew_before) == (
        timedelta(hours=1), timedelta(minutes=30))
    assert config.key_generations == {} and schema["keyGenerations"]["default"] == ""
    rotating = load_stack_config(
        "dev", {"keyGenerations": "orderer1.example.com=1, Admin@org1.example.com=2"}.get)
    assert rotating.key_generations == {"orderer1.example.com": 1, "Admin@org1.example.com": 2}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"certValidity": "90 days"}, "Pulumi.dev.yaml: fabric:certValidity: '90 days' is not "
         "valid: a whole number of days, hours or minutes, e.g. 90d, 12h or 30m"),
        ({"certValidity": "1y"}, "Pulumi.dev.yaml: fabric:certValidity: '1y' is not valid: a "
         "whole number of days, hours or minutes, e.g. 90d, 12h or 30m"),
        ({"certRenewBefore": "0d"}, "Pulumi.dev.yaml: fabric:certRenewBefore: '0d' must be "
         "more than 0"),
        ({"certValidity": "1h"}, "Pulumi.dev.yaml: fabric:certRenewBefore: '30d' must be less "
         "than fabric:certValidity ('1h') minus 1m"),
        # A renewed certificate starts 1 minute back: 719m would renew it at every up.
        ({"certValidity": "12h", "certRenewBefore": "719m"}, "Pulumi.dev.yaml: "
         "fabric:certRenewBefore: '719m' must be less than fabric:certValidity ('12h') minus 1m"),
        ({"keyGenerations": "orderer1.example.com=1,peer0"}, "Pulumi.dev.yaml: "
         "fabric:keyGenerations: 'peer0' is not valid: comma-separated <common name>=<whole "
         "number> pairs, e.g. orderer1.example.com=1,Admin@org1.example.com=2"),
        ({"keyGenerations": "a.b=1, a.b=2"}, "Pulumi.dev.yaml: fabric:keyGenerations: a.b is "
         "given twice"),
        ({"keyGenerations": f"a.b={2**31}"}, "Pulumi.dev.yaml: fabric:keyGenerations: "
         f"'a.b={2**31}': a key generation is at most {2**31 - 1} (raised by one for each new "
         "key)"),
        ({"certValidity": "3651d"}, "Pulumi.dev.yaml: fabric:certValidity: '3651d' is longer "
         "than the CAs' 3650d: a certificate must not outlive its CA"),
        *(({key: f"{'9' * 12}d"}, f"Pulumi.dev.yaml: fabric:{key}: '{'9' * 12}d' is too long "
           "a duration") for key in ("certValidity", "certRenewBefore")),
    ],
)
def test_bad_certificate_lifetimes_name_the_stack_file_and_key(values, message):
    with pytest.raises(SpecError) as error:
        load_stack_config("dev", values.get)
    assert str(error.value) == message
    assert "\n" not in str(error.value)


BATCH_SIZE_HINT = ("expected <channel>:<max transactions per block>, the count from 1 to "
                   "4294967295 (Fabric's uint32), e.g. mychannel:50")


@pytest.mark.parametrize("count", ["0", "\u00b2", "\u0663", str(2**32), "1e3", "-1"])
def test_a_batch_size_is_an_ascii_count_fabric_can_hold(count):
    """``²`` passed ``str.isdigit`` and then broke ``int()``; ``٣`` read as 3."""
    with pytest.raises(SpecError) as error:
        load_stack_config("dev", {"consortiumDir": "c",
                                  "batchSizes": f"ok:1,mychannel:{count}"}.get)
    entry = f"mychannel:{count}"
    assert str(error.value) == (
        f"Pulumi.dev.yaml: fabric:batchSizes[1]: {entry!r}: {BATCH_SIZE_HINT}")
    config = load_stack_config("dev", {"consortiumDir": "c",
                                       "batchSizes": f"mychannel:{2**32 - 1}"}.get)
    assert config.consortium.batch_sizes == (("mychannel", 2**32 - 1),)
