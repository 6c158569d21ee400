"""The stack's settings (``fabric:*`` keys of ``Pulumi.<stack>.yaml``), typed and
validated. A bad value stops the program with a message naming the stack file and
the key, before any resource is registered."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from network_spec import SpecError

# Patterns are matched against the whole value (``fullmatch``: no trailing newline
# slips through a ``$``) and spell digits as [0-9] (``\\d`` takes any Unicode digit).
QUANTITY_CPU = re.compile(r"[0-9]+m|[0-9]+(\.[0-9]+)?")
QUANTITY_BYTES = re.compile(r"[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?")
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
AKS_VERSION = re.compile(r"[0-9]+\.[0-9]+(\.[0-9]+)?")
WHOLE_NUMBER = re.compile(r"[0-9]+")
BACKUP_SKUS = ("", "Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS",
               "Standard_GZRS", "Standard_RAGZRS")
BACKUP_KEY = re.compile(r"[a-z0-9]([a-z0-9.-]{0,38}[a-z0-9])?")
LOG_LEVELS = ("FATAL", "PANIC", "ERROR", "WARNING", "WARN", "INFO", "DEBUG")


@dataclass(frozen=True)
class Resources:
    """Kubernetes requests and limits of one container."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str

    def as_k8s(self) -> dict[str, dict[str, str]]:
        return {
            "requests": {"cpu": self.cpu_request, "memory": self.memory_request},
            "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit},
        }


DEFAULT_RESOURCES = {
    "peer": Resources("250m", "512Mi", "1", "1Gi"),
    "orderer": Resources("250m", "256Mi", "1", "1Gi"),
    "couchdb": Resources("250m", "512Mi", "1", "1Gi"),
    "chaincode": Resources("100m", "128Mi", "500m", "512Mi"),
    "toolbox": Resources("50m", "64Mi", "500m", "256Mi"),
}


@dataclass(frozen=True)
class PodSettings:
    """What a builder of one workload needs of the stack: the image its main
    container runs, that container's requests and limits, and the node pool
    the pod is scheduled on (empty: any node)."""

    image: str
    resources: Resources
    node_pool: str


@dataclass(frozen=True)
class VolumeSettings:
    """What a builder of one PersistentVolumeClaim needs of the stack."""

    size: str
    storage_class: str
    """Empty: the cluster's default storage class."""
    retain: bool
    """Deleting the claim from the program leaves it (and its ledger) in the cluster."""


@dataclass(frozen=True)
class Images:
    peer: str
    orderer: str
    tools: str
    couchdb: str


@dataclass(frozen=True)
class AksSettings:
    location: str
    kubernetes_version: str
    system_vm_size: str
    system_node_count: int
    fabric_vm_size: str
    fabric_node_count: int


@dataclass(frozen=True)
class ClusterSettings:
    """Where the network runs: an existing cluster (a kubeconfig context) or an
    AKS cluster the stack creates."""

    kind: str
    """``existing`` or ``aks``."""
    kube_context: str
    """Existing clusters: the kubeconfig context; empty for the current one."""
    aks: AksSettings
    node_pool: str
    """Node pool (``agentpool`` label) the network's pods are scheduled on; empty: any."""
    backup_storage_sku: str
    """Azure storage replication for backups (e.g. Standard_GRS); empty: no account."""


@dataclass(frozen=True)
class BackupSettings:
    """Backup and restore of the network's state through Kubernetes Jobs, into
    and from the stack's backup storage account."""

    key: str
    """Take the backup ``key`` on this ``pulumi up``; empty: none."""
    restore_key: str
    """Fill new node volumes from backup ``restore_key`` before the nodes start."""
    passphrase: str
    """Seals the crypto material of a backup (a Pulumi secret)."""
    snapshot_class: str
    """The VolumeSnapshotClass node volumes are snapshotted with."""
    image: str
    """The Azure CLI image the Jobs transfer objects with."""


NO_BACKUPS = BackupSettings("", "", "", "csi-azuredisk-vsc", "mcr.microsoft.com/azure-cli:2.67.0")


@dataclass(frozen=True)
class StackConfig:
    crypto_config: str
    network: str
    crypto_dir: str
    namespace: str
    fabric_version: str
    images: Images
    storage_class: str
    """Empty: the cluster's default storage class."""
    peer_storage: str
    orderer_storage: str
    couchdb_storage: str
    retain_volumes: bool
    log_spec: str
    cluster: ClusterSettings
    populate: bool
    """Create channels and deploy chaincodes, not only the nodes."""
    local_network: str
    """A local network manifest: populate through local executors against it."""
    chaincode_include: tuple[str, ...]
    """Only these chaincodes of network.yaml are deployed; empty: all of them."""
    resources: dict[str, Resources] = field(default_factory=lambda: dict(DEFAULT_RESOURCES))
    backup: BackupSettings = NO_BACKUPS

    @property
    def fabric_major(self) -> int:
        return int(self.fabric_version.split(".")[0])

    def pod(self, image: str, resources: str) -> PodSettings:
        """``resources``: the key of ``fabric:resources`` (peer, orderer, toolbox...)."""
        return PodSettings(image, self.resources[resources], self.cluster.node_pool)

    def volume(self, size: str) -> VolumeSettings:
        return VolumeSettings(size, self.storage_class, self.retain_volumes)


Getter = Callable[[str], "str | None"]


class _Reader:
    def __init__(self, stack_file: str, get: Getter) -> None:
        self.stack_file = stack_file
        self.get = get

    def fail(self, key: str, message: str) -> SpecError:
        return SpecError(self.stack_file, f"fabric:{key}", message)

    def string(self, key: str, default: str, pattern: re.Pattern[str] | None = None,
               hint: str = "") -> str:
        value = self.get(key)
        value = default if value is None else value
        if pattern is not None and not pattern.fullmatch(value):
            raise self.fail(key, f"{value!r} is not valid: {hint}")
        return value

    def integer(self, key: str, default: int, minimum: int = 1) -> int:
        value = self.get(key)
        if value is None:
            return default
        if not WHOLE_NUMBER.fullmatch(value) or int(value) < minimum:
            raise self.fail(key, f"{value!r} is not a whole number of at least {minimum}")
        return int(value)

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(key, default)
        if value not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.get(key)
        if value is None:
            return default
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.fail(key, f"{value!r} is not a boolean: use true or false")


def load_stack_config(stack: str, get: Getter) -> StackConfig:
    """Read and check every ``fabric:*`` key; ``get`` returns a key's raw string."""
    r = _Reader(f"Pulumi.{stack}.yaml", get)
    version = r.string("fabricVersion", "2.5.9", VERSION, "a Fabric release such as 2.5.9")
    if not version.startswith(("2.5.", "3.")):
        raise r.fail("fabricVersion", f"{version!r} is not supported: use a 2.5.x or 3.x release")
    registry = r.string("imageRegistry", "docker.io/hyperledger")
    images = Images(
        # Empty (Pulumi.yaml's default) means the release's official image.
        peer=r.string("peerImage", "") or f"{registry}/fabric-peer:{version}",
        orderer=r.string("ordererImage", "") or f"{registry}/fabric-orderer:{version}",
        tools=r.string("toolsImage", "") or f"{registry}/fabric-tools:{version}",
        couchdb=r.string("couchdbImage", "docker.io/library/couchdb:3.3.3"),
    )
    sizes = {
        key: r.string(key, "10Gi", QUANTITY_BYTES, "a Kubernetes quantity such as 10Gi")
        for key in ("peerStorage", "ordererStorage", "couchdbStorage")
    }
    resources = {}
    for role, default in DEFAULT_RESOURCES.items():
        resources[role] = Resources(
            cpu_request=r.string(f"{role}CpuRequest", default.cpu_request, QUANTITY_CPU,
                                 "a CPU quantity such as 250m or 1"),
            memory_request=r.string(f"{role}MemoryRequest", default.memory_request,
                                    QUANTITY_BYTES, "a memory quantity such as 512Mi"),
            cpu_limit=r.string(f"{role}CpuLimit", default.cpu_limit, QUANTITY_CPU,
                               "a CPU quantity such as 250m or 1"),
            memory_limit=r.string(f"{role}MemoryLimit", default.memory_limit, QUANTITY_BYTES,
                                  "a memory quantity such as 512Mi"),
        )
    log_spec = r.string("logSpec", "INFO")
    if log_spec.split(":")[-1].upper() not in LOG_LEVELS:
        levels = ", ".join(LOG_LEVELS)
        raise r.fail("logSpec", f"{log_spec!r} does not end in a log level ({levels})")
    cluster = _cluster_settings(r)
    storage_class = r.string("storageClass", "")
    if not storage_class and cluster.kind == "aks":
        storage_class = "managed-csi"
    return StackConfig(
        crypto_config=r.string("cryptoConfig", "samples/simple/crypto-config.yaml"),
        network=r.string("network", "samples/simple/network.yaml"),
        crypto_dir=r.string("cryptoDir", ""),
        namespace=r.string("namespace", "fabric", DNS_LABEL,
                           "a DNS-1123 label: lowercase letters, digits and '-', at most 63"),
        fabric_version=version,
        images=images,
        storage_class=storage_class,
        peer_storage=sizes["peerStorage"],
        orderer_storage=sizes["ordererStorage"],
        couchdb_storage=sizes["couchdbStorage"],
        retain_volumes=r.boolean("retainVolumes", False),
        log_spec=log_spec,
        cluster=cluster,
        populate=r.boolean("populate", True),
        local_network=r.string("localNetwork", ""),
        chaincode_include=tuple(
            name.strip() for name in r.string("chaincodes", "").split(",") if name.strip()
        ),
        resources=resources,
        backup=_backup_settings(r, cluster),
    )


def _backup_settings(r: _Reader, cluster: ClusterSettings) -> BackupSettings:
    hint = "a DNS-1123 label of at most 40 characters, e.g. 20261126t0346z"
    key = r.string("backupKey", "", re.compile(f"|{BACKUP_KEY.pattern}"), hint)
    restore_key = r.string("restoreKey", "", re.compile(f"|{BACKUP_KEY.pattern}"), hint)
    for name, value in (("backupKey", key), ("restoreKey", restore_key)):
        if value and not cluster.backup_storage_sku:
            raise r.fail(name, "backups go to the stack's backup storage account: set "
                         "fabric:backupStorageSku (with fabric:cluster aks)")
    if key and key == restore_key:
        raise r.fail("backupKey", f"{key!r} is also fabric:restoreKey: a backup must not "
                     "overwrite the one being restored")
    passphrase = r.string("backupPassphrase", "")
    if key and not passphrase:
        raise r.fail("backupPassphrase", "a backup seals the crypto material with it: set it "
                     "with `pulumi config set --secret fabric:backupPassphrase`")
    return BackupSettings(
        key=key,
        restore_key=restore_key,
        passphrase=passphrase,
        snapshot_class=r.string("backupSnapshotClass", NO_BACKUPS.snapshot_class),
        image=r.string("backupImage", NO_BACKUPS.image),
    )


def _cluster_settings(r: _Reader) -> ClusterSettings:
    kind = r.choice("cluster", "existing", ("existing", "aks"))
    aks = AksSettings(
        location=r.string("aksLocation", "westeurope"),
        kubernetes_version=r.string("aksKubernetesVersion", "1.33", AKS_VERSION,
                                    "a Kubernetes minor or patch version such as 1.33"),
        system_vm_size=r.string("aksSystemVmSize", "Standard_D2s_v5"),
        system_node_count=r.integer("aksSystemNodeCount", 1),
        fabric_vm_size=r.string("aksFabricVmSize", "Standard_D4s_v5"),
        fabric_node_count=r.integer("aksFabricNodeCount", 2),
    )
    sku = r.choice("backupStorageSku", "", BACKUP_SKUS)
    if sku and kind != "aks":
        raise r.fail("backupStorageSku", "a backup storage account is created in the AKS "
                     "cluster's resource group: set fabric:cluster to aks, or leave this empty")
    return ClusterSettings(
        kind=kind,
        kube_context=r.string("kubeContext", ""),
        aks=aks,
        node_pool=r.string("nodePool", "") or ("fabric" if kind == "aks" else ""),
        backup_storage_sku=sku,
    )
