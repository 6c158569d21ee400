"""The stack's settings (``fabric:*`` keys of ``Pulumi.<stack>.yaml``), typed and
validated. A bad value stops the program with a message naming the stack file and
the key, before any resource is registered."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from crypto.certificates import VALIDITY
from crypto.expiry import RENEW_BEFORE
from crypto.renewal import RENEWAL_SKEW
from fabric_components import quantities, stack_values
from fabric_components.durations import DURATION_HINT, parse_duration
from fabric_components.log_spec import log_spec_problem
from fabric_ops.consortium.proposal import APPROVAL
from network_spec import SpecError
from network_spec.limits import MAX_UINT32

# Patterns are matched against the whole value (``fullmatch``: no trailing newline
# slips through a ``$``) and spell digits as [0-9] (``\\d`` takes any Unicode digit).
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
AKS_VERSION = re.compile(r"[0-9]+\.[0-9]+(\.[0-9]+)?")
WHOLE_NUMBER = re.compile(r"[0-9]+")
BACKUP_SKUS = ("", "Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS",
               "Standard_GZRS", "Standard_RAGZRS")
BACKUP_KEY = re.compile(r"[a-z0-9]([a-z0-9.-]{0,38}[a-z0-9])?")
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
MONITORING_CHOICES = ("none", "podmonitor")
EXTERNAL_ACCESS_CHOICES = ("none", "loadbalancer")
DNS_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+")
EXTERNAL_DOMAIN_MAX = 253 - 64
CHANNEL_NAME = re.compile(r"[a-z][a-z0-9.-]{0,248}")
MSP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
NODE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
BACKUP_MODES = ("snapshot", "offline")


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
    """The AKS cluster a stack creates (``fabric:cluster: aks``); also the
    ``AksCluster`` component's args."""

    location: str
    """Azure region, e.g. ``westeurope``."""
    kubernetes_version: str
    """Pinned AKS Kubernetes version, e.g. ``1.33``."""
    system_vm_size: str
    system_node_count: int
    fabric_vm_size: str
    """VM size of the pool the Fabric nodes are scheduled on."""
    fabric_node_count: int
    private_api_server: bool = False
    """The API server has a private address in the cluster's virtual network only."""
    entra_id: bool = False
    """Entra ID authentication with Azure RBAC authorization, local accounts off."""
    admin_group_object_ids: tuple[str, ...] = ()
    """Entra ID groups that are cluster admins (with ``entra_id``)."""


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
    """Encrypts and authenticates a backup, opens one to restore (a Pulumi secret)."""
    snapshot_class: str
    """The VolumeSnapshotClass node volumes are snapshotted with."""
    image: str
    """The Azure CLI image the Jobs transfer objects with."""
    mode: str = "snapshot"
    """``snapshot``: copy CSI snapshots of the running nodes' volumes;
    ``offline``: stop one node at a time and copy its volumes."""
    storage_connection_string: str = ""
    """An existing Azure Blob Storage account (a Pulumi secret), instead of the
    account an AKS stack creates; empty: that one."""


NO_BACKUPS = BackupSettings("", "", "", "csi-azuredisk-vsc", "mcr.microsoft.com/azure-cli:2.67.0")


@dataclass(frozen=True)
class ConsortiumSettings:
    """An org stack of a consortium: only ``orgs`` are deployed and hold keys here;
    the others are known by their cards in ``folder``."""

    orgs: tuple[str, ...] = ()
    """Org names of crypto-config.yaml this stack runs; empty: the whole network."""
    folder: str = ""
    """The consortium folder shared with the other orgs (cards, proposals)."""
    approve: tuple[str, ...] = ()
    """Proposals this stack's orgs sign, as ``<name>@<sha256 of update.pb>``."""
    add_orgs: tuple[tuple[str, str], ...] = ()
    """(channel, MSP ID): orgs this stack proposes to add to a channel, by their cards."""
    create_channels: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    """(channel, member MSP IDs, consensus ``etcdraft`` or ``BFT``): channels this
    orderer org creates from the members' cards."""
    join_channels: tuple[str, ...] = ()
    """Channels this stack's peers join once the channel lists their org."""
    remove_orgs: tuple[tuple[str, str], ...] = ()
    """(channel, MSP ID): orgs this stack proposes to remove from a channel."""
    batch_sizes: tuple[tuple[str, int], ...] = ()
    """(channel, max message count): block sizes this stack proposes."""
    add_consenters: tuple[tuple[str, str], ...] = ()
    """(channel, orderer common name on a card): consenters this stack proposes."""
    remove_consenters: tuple[tuple[str, str], ...] = ()
    """(channel, orderer common name on a card): consenters this stack proposes removing."""
    card_stacks: tuple[str, ...] = ()
    """Stacks (``<org>/<project>/<stack>``, same backend) whose ``orgCards``
    output gives other orgs' cards, besides the folder's."""


WHOLE_NETWORK = ConsortiumSettings()


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
    network_policies: bool = True
    endpoint_tls: bool = True
    """TLS on the nodes' operations endpoints and mutual TLS between peers and
    chaincode servers (``endpointTls``)."""
    """Default-deny NetworkPolicies with the flows Fabric needs (inert on a
    cluster without a policy engine)."""
    monitoring_namespace: str = "monitoring"
    """The namespace whose pods may scrape the nodes' operations endpoints."""
    cert_validity: timedelta = VALIDITY
    """Validity of newly issued node, admin and user certificates (CAs keep 10 years)."""
    cert_renew_before: timedelta = RENEW_BEFORE
    """A certificate is due for renewal this long before it expires."""
    cert_renewal: bool = True
    """An up renews certificates inside their window, rolls the nodes whose
    certificates changed and rotates consenter keys in their channels."""
    key_generations: dict[str, int] = field(default_factory=dict)
    """Per node or user common name, its key generation (0 when absent): raising
    it gives the identity new keys at the next up."""
    monitoring: str = "none"
    """``podmonitor``: PodMonitor, PrometheusRule (the Prometheus Operator's CRDs)
    and Grafana dashboard ConfigMaps; ``none``: no monitoring objects."""
    external_domain: str = ""
    """With ``fabric:externalAccess: loadbalancer``, the DNS domain of the nodes'
    external names (each node behind a LoadBalancer Service of its own, at
    ``<node>-<namespace>.<domain>``); empty: the nodes are reachable inside the
    cluster only."""
    consortium: ConsortiumSettings = WHOLE_NETWORK

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

    def checked(self, key: str, default: str, problem_of: Callable[[str], str | None]) -> str:
        """A string that ``problem_of`` finds no problem with."""
        value = self.string(key, default)
        problem = problem_of(value)
        if problem:
            raise self.fail(key, problem)
        return value

    def integer(self, key: str, default: int, minimum: int = 1,
                maximum: tuple[int, str] | None = None) -> int:
        """``maximum``: the bound and why it is one."""
        value = self.get(key)
        if value is None:
            return default
        if not WHOLE_NUMBER.fullmatch(value) or int(value) < minimum:
            raise self.fail(key, f"{value!r} is not a whole number of at least {minimum}")
        if maximum is not None and int(value) > maximum[0]:
            raise self.fail(key, f"{value} is more than {maximum[0]}, {maximum[1]}")
        return int(value)

    def quantity(self, key: str, default: str, cpu: bool) -> tuple[str, Decimal]:
        """A quantity more than 0, with its value (thousandths of a core, or bytes)."""
        hint = quantities.CPU_HINT if cpu else quantities.BYTES_HINT
        value = self.string(key, default)
        amount = quantities.cpu_millis(value) if cpu else quantities.byte_count(value)
        if amount is None:
            raise self.fail(key, f"{value!r} is not valid: {hint}")
        if amount <= 0:
            raise self.fail(key, f"{value!r} must be more than 0")
        return value, amount

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(key, default)
        if value not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def duration(self, key: str, default: str) -> timedelta:
        """A duration more than 0 (``90d``, ``12h``, ``30m``)."""
        value = self.string(key, default)
        try:
            amount = parse_duration(value)
        except OverflowError:
            raise self.fail(key, f"{value!r} is too long a duration") from None
        if amount is None:
            raise self.fail(key, f"{value!r} is not valid: {DURATION_HINT}")
        if not amount:
            raise self.fail(key, f"{value!r} must be more than 0")
        return amount

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
    problem = stack_values.image_problem(f"{registry}/fabric-peer:{version}")
    if problem:
        raise r.fail("imageRegistry", f"{registry!r} gives the peer {problem}")
    images = Images(
        # Empty (Pulumi.yaml's default) means the release's official image.
        peer=r.checked("peerImage", "", _optional_image) or f"{registry}/fabric-peer:{version}",
        orderer=r.checked("ordererImage", "", _optional_image)
        or f"{registry}/fabric-orderer:{version}",
        tools=r.checked("toolsImage", "", _optional_image) or f"{registry}/fabric-tools:{version}",
        couchdb=r.checked("couchdbImage", "docker.io/library/couchdb:3.3.3",
                          stack_values.image_problem),
    )
    sizes = {
        key: r.quantity(key, "10Gi", cpu=False)[0]
        for key in ("peerStorage", "ordererStorage", "couchdbStorage")
    }
    resources = {role: _resources(r, role, default) for role, default in DEFAULT_RESOURCES.items()}
    log_spec = r.checked("logSpec", "INFO", _log_spec)
    cluster = _cluster_settings(r)
    storage_class = r.checked("storageClass", "", stack_values.class_name_problem)
    if not storage_class and cluster.kind == "aks":
        storage_class = "managed-csi"
    return StackConfig(
        crypto_config=r.string("cryptoConfig", "samples/simple/crypto-config.yaml"),
        network=r.string("network", "samples/simple/network.yaml"),
        crypto_dir=r.string("cryptoDir", ""),
        namespace=_namespace(r),
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
        network_policies=r.boolean("networkPolicies", True),
        endpoint_tls=r.boolean("endpointTls", True),
        monitoring_namespace=r.string("monitoringNamespace", "monitoring", DNS_LABEL,
                                      "a namespace name (DNS-1123 label)"),
        **_cert_lifetimes(r),
        cert_renewal=r.boolean("certRenewal", True),
        key_generations=_key_generations(r),
        monitoring=r.choice("monitoring", "none", MONITORING_CHOICES),
        external_domain=_external_domain(r),
        consortium=_consortium_settings(r),
    )


def _external_domain(r: _Reader) -> str:
    access = r.choice("externalAccess", "none", EXTERNAL_ACCESS_CHOICES)
    domain = r.string("externalDomain", "", re.compile(f"|{DNS_NAME.pattern}"),
                      "a lowercase DNS name such as westeurope.cloudapp.azure.com")
    if access == "loadbalancer" and not domain:
        raise r.fail("externalDomain", "needed with fabric:externalAccess: loadbalancer: the "
                     "DNS domain of the nodes' external names (on AKS "
                     "<region>.cloudapp.azure.com)")
    if len(domain) > EXTERNAL_DOMAIN_MAX:
        raise r.fail("externalDomain", f"has {len(domain)} characters; at most "
                     f"{EXTERNAL_DOMAIN_MAX}, so that a node's label (up to 63) and a dot fit "
                     "within a DNS name's 253")
    return domain if access == "loadbalancer" else ""


def _names(r: _Reader, key: str) -> tuple[str, ...]:
    """A comma-separated list key."""
    return tuple(v.strip() for v in r.string(key, "").split(",") if v.strip())


def _consortium_settings(r: _Reader) -> ConsortiumSettings:
    orgs = _names(r, "orgs")
    folder = r.string("consortiumDir", "")
    approve = _names(r, "approve")
    for i, entry in enumerate(approve):
        if not APPROVAL.fullmatch(entry):
            raise SpecError(r.stack_file, f"fabric:approve[{i}]",
                            f"{entry!r}: expected <proposal name>@<sha256 of update.pb>")
    add_orgs, remove_orgs = _channel_orgs(r, "addOrgs"), _channel_orgs(r, "removeOrgs")
    create_channels = []
    for i, entry in enumerate(_names(r, "createChannels")):
        channel, _, members = entry.partition(":")
        members, _, consensus = members.partition(":")
        msps = tuple(m for m in members.split("+") if m)
        if not (CHANNEL_NAME.fullmatch(channel) and msps
                and all(MSP_ID.fullmatch(m) for m in msps)
                and consensus in ("", "etcdraft", "BFT")):
            raise SpecError(r.stack_file, f"fabric:createChannels[{i}]",
                            f"{entry!r}: expected <channel>:<MSP ID>+<MSP ID>...[:BFT], e.g. "
                            "mychannel:Org1MSP+Org2MSP")
        create_channels.append((channel, msps, consensus or "etcdraft"))
    join_channels = _names(r, "joinChannels")
    for i, channel in enumerate(join_channels):
        if not CHANNEL_NAME.fullmatch(channel):
            raise SpecError(r.stack_file, f"fabric:joinChannels[{i}]",
                            f"{channel!r} is not a channel name")
    batch_sizes = []
    for i, entry in enumerate(_names(r, "batchSizes")):
        channel, _, count = entry.partition(":")
        # [0-9]+, not isdigit(): a Unicode digit is no count Fabric reads.
        if not (CHANNEL_NAME.fullmatch(channel) and WHOLE_NUMBER.fullmatch(count)
                and 0 < int(count) <= MAX_UINT32):
            raise SpecError(r.stack_file, f"fabric:batchSizes[{i}]",
                            f"{entry!r}: expected <channel>:<max transactions per block>, "
                            f"the count from 1 to {MAX_UINT32} (Fabric's uint32), e.g. "
                            "mychannel:50")
        batch_sizes.append((channel, int(count)))
    add_consenters = _channel_nodes(r, "addConsenters")
    remove_consenters = _channel_nodes(r, "removeConsenters")
    card_stacks = _names(r, "cardStacks")
    for i, stack in enumerate(card_stacks):
        if not STACK_NAME.fullmatch(stack):
            raise SpecError(r.stack_file, f"fabric:cardStacks[{i}]",
                            f"{stack!r}: expected <org>/<project>/<stack>, e.g. "
                            "organization/fabric-org2/dev")
    for key, used in (("approve", approve), ("addOrgs", add_orgs),
                      ("createChannels", create_channels), ("joinChannels", join_channels),
                      ("removeOrgs", remove_orgs), ("batchSizes", batch_sizes),
                      ("addConsenters", add_consenters),
                      ("removeConsenters", remove_consenters), ("cardStacks", card_stacks)):
        if used and not folder:
            raise r.fail(key, "the orgs of a consortium meet in its folder: set "
                         "fabric:consortiumDir")
    return ConsortiumSettings(orgs, folder, approve, add_orgs, tuple(create_channels),
                              join_channels, remove_orgs, tuple(batch_sizes), add_consenters,
                              remove_consenters, card_stacks)


def _channel_orgs(r: _Reader, key: str) -> tuple[tuple[str, str], ...]:
    """A list key of ``<channel>:<MSP ID>`` entries."""
    return _channel_entries(r, key, MSP_ID, "<MSP ID>", "mychannel:Org3MSP")


def _channel_nodes(r: _Reader, key: str) -> tuple[tuple[str, str], ...]:
    """A list key of ``<channel>:<orderer common name>`` entries."""
    return _channel_entries(r, key, NODE_NAME, "<orderer common name>",
                            "mychannel:orderer3.example.com")


def _channel_entries(
    r: _Reader, key: str, second: re.Pattern[str], what: str, example: str,
) -> tuple[tuple[str, str], ...]:
    entries = []
    for i, entry in enumerate(_names(r, key)):
        channel, _, name = entry.partition(":")
        if not (CHANNEL_NAME.fullmatch(channel) and second.fullmatch(name)):
            raise SpecError(r.stack_file, f"fabric:{key}[{i}]",
                            f"{entry!r}: expected <channel>:{what}, e.g. {example}")
        entries.append((channel, name))
    return tuple(entries)


def _cert_lifetimes(r: _Reader) -> dict[str, timedelta]:
    validity = r.duration("certValidity", "3650d")
    if validity > VALIDITY:
        raise r.fail("certValidity", f"{r.get('certValidity')!r} is longer than the CAs' "
                     f"{VALIDITY.days}d: a certificate must not outlive its CA")
    renew_before = r.duration("certRenewBefore", "30d")
    # A renewed certificate starts RENEWAL_SKEW back: it must end outside the window.
    if renew_before + RENEWAL_SKEW >= validity:
        raise r.fail("certRenewBefore", f"{r.get('certRenewBefore') or '30d'!r} must be less "
                     f"than fabric:certValidity ({r.get('certValidity') or '3650d'!r}) "
                     f"minus {RENEWAL_SKEW.seconds // 60}m")
    return {"cert_validity": validity, "cert_renew_before": renew_before}


KEY_GENERATION = re.compile(r"([^=,\s]+)=([0-9]+)")
MAX_KEY_GENERATION = 2**31 - 1
"""Kept exact through the engine's numbers (float64) and any int32 reader."""
KEY_GENERATIONS_HINT = ("comma-separated <common name>=<whole number> pairs, e.g. "
                        "orderer1.example.com=1,Admin@org1.example.com=2")


def _key_generations(r: _Reader) -> dict[str, int]:
    value = r.string("keyGenerations", "")
    generations: dict[str, int] = {}
    for item in (part.strip() for part in value.split(",") if part.strip()):
        match = KEY_GENERATION.fullmatch(item)
        if match is None:
            raise r.fail("keyGenerations", f"{item!r} is not valid: {KEY_GENERATIONS_HINT}")
        if match.group(1) in generations:
            raise r.fail("keyGenerations", f"{match.group(1)} is given twice")
        if int(match.group(2)) > MAX_KEY_GENERATION:
            raise r.fail("keyGenerations", f"{item!r}: a key generation is at most "
                         f"{MAX_KEY_GENERATION} (raised by one for each new key)")
        generations[match.group(1)] = int(match.group(2))
    return generations


def _backup_settings(r: _Reader, cluster: ClusterSettings) -> BackupSettings:
    hint = "a DNS-1123 label of at most 40 characters, e.g. 20261126t0346z"
    key = r.string("backupKey", "", re.compile(f"|{BACKUP_KEY.pattern}"), hint)
    restore_key = r.string("restoreKey", "", re.compile(f"|{BACKUP_KEY.pattern}"), hint)
    connection_string = _storage_connection_string(r, cluster)
    for name, value in (("backupKey", key), ("restoreKey", restore_key)):
        if value and not (cluster.backup_storage_sku or connection_string):
            raise r.fail(name, "backups go to the stack's backup storage account: set "
                         "fabric:backupStorageSku (with fabric:cluster aks) or "
                         "fabric:backupStorageConnectionString")
    if key and key == restore_key:
        raise r.fail("backupKey", f"{key!r} is also fabric:restoreKey: a backup must not "
                     "overwrite the one being restored")
    passphrase = r.string("backupPassphrase", "")
    if (key or restore_key) and not passphrase:
        raise r.fail("backupPassphrase", "a backup encrypts and authenticates its archives, "
                     "manifest and crypto material with it, and a restore opens them with it: "
                     "set it with `pulumi config set --secret fabric:backupPassphrase`")
    return BackupSettings(
        key=key,
        restore_key=restore_key,
        passphrase=passphrase,
        snapshot_class=r.checked("backupSnapshotClass", NO_BACKUPS.snapshot_class,
                                 stack_values.class_name_problem),
        image=r.checked("backupImage", NO_BACKUPS.image, stack_values.image_problem),
        mode=r.choice("backupMode", NO_BACKUPS.mode, BACKUP_MODES),
        storage_connection_string=connection_string,
    )


def _storage_connection_string(r: _Reader, cluster: ClusterSettings) -> str:
    """Checked for the fields ``az`` needs; the value (a secret) is never quoted."""
    value = r.string("backupStorageConnectionString", "")
    if not value:
        return value
    if cluster.backup_storage_sku:
        raise r.fail("backupStorageConnectionString", "the stack creates its own backup "
                     "storage account (fabric:backupStorageSku): set one or the other")
    fields = dict(part.split("=", 1) for part in value.split(";") if "=" in part)
    if not fields.get("AccountName") or not (fields.get("AccountKey")
                                             or fields.get("SharedAccessSignature")):
        raise r.fail("backupStorageConnectionString", "not an Azure Storage connection "
                     "string: AccountName and AccountKey (or SharedAccessSignature) needed")
    return value


def _cluster_settings(r: _Reader) -> ClusterSettings:
    kind = r.choice("cluster", "existing", ("existing", "aks"))
    aks = AksSettings(
        location=r.checked("aksLocation", "westeurope", stack_values.azure_location_problem),
        kubernetes_version=r.string("aksKubernetesVersion", "1.33", AKS_VERSION,
                                    "a Kubernetes minor or patch version such as 1.33"),
        system_vm_size=r.checked("aksSystemVmSize", "Standard_D2s_v5",
                                 stack_values.vm_size_problem),
        system_node_count=r.integer("aksSystemNodeCount", 1, maximum=AKS_NODES),
        fabric_vm_size=r.checked("aksFabricVmSize", "Standard_D4s_v5",
                                 stack_values.vm_size_problem),
        fabric_node_count=r.integer("aksFabricNodeCount", 2, maximum=AKS_NODES),
        private_api_server=r.boolean("aksPrivateApiServer", False),
        entra_id=r.boolean("aksEntraId", False),
        admin_group_object_ids=_admin_groups(r),
    )
    for key, on in (("aksPrivateApiServer", aks.private_api_server),
                    ("aksEntraId", aks.entra_id),
                    ("aksAdminGroupObjectIds", bool(aks.admin_group_object_ids))):
        if on and kind != "aks":
            raise r.fail(key, "applies to the AKS cluster the stack creates: set "
                         "fabric:cluster to aks, or leave this unset")
    if aks.admin_group_object_ids and not aks.entra_id:
        raise r.fail("aksAdminGroupObjectIds", "admin groups are Entra ID groups: set "
                     "fabric:aksEntraId to true")
    sku = r.choice("backupStorageSku", "", BACKUP_SKUS)
    if sku and kind != "aks":
        raise r.fail("backupStorageSku", "a backup storage account is created in the AKS "
                     "cluster's resource group: set fabric:cluster to aks, or leave this empty")
    return ClusterSettings(
        kind=kind,
        kube_context=r.string("kubeContext", ""),
        aks=aks,
        node_pool=_node_pool(r, kind),
        backup_storage_sku=sku,
    )


def _admin_groups(r: _Reader) -> tuple[str, ...]:
    groups = tuple(g.strip() for g in r.string("aksAdminGroupObjectIds", "").split(",")
                   if g.strip())
    for group in groups:
        if not GUID.fullmatch(group):
            raise r.fail("aksAdminGroupObjectIds", f"{group!r} is not an Entra ID group "
                         "object ID (a GUID)")
    return groups


AKS_NODES = (stack_values.AKS_MAX_NODES, "AKS's limit of nodes in one pool")


def _optional_image(value: str) -> str | None:
    """Empty: the release's official image."""
    return stack_values.image_problem(value) if value else None


def _log_spec(spec: str) -> str | None:
    problem = log_spec_problem(spec)
    return f"{spec!r} is not a Fabric logging spec: {problem}" if problem else None


def _namespace(r: _Reader) -> str:
    namespace = r.string("namespace", "fabric", DNS_LABEL,
                         "a DNS-1123 label: lowercase letters, digits and '-', at most 63")
    problem = stack_values.system_namespace_problem(
        namespace, r.boolean("allowSystemNamespace", False))
    if problem:
        raise r.fail("namespace", problem)
    return namespace


def _resources(r: _Reader, role: str, default: Resources) -> Resources:
    """A role's requests and limits; Kubernetes refuses a request above its limit."""
    values: dict[str, str] = {}
    for resource, cpu in (("Cpu", True), ("Memory", False)):
        request_key, limit_key = f"{role}{resource}Request", f"{role}{resource}Limit"
        field = resource.lower()
        request, requested = r.quantity(request_key, getattr(default, f"{field}_request"), cpu)
        limit, limited = r.quantity(limit_key, getattr(default, f"{field}_limit"), cpu)
        if requested > limited:
            raise r.fail(request_key, f"{request!r} is more than fabric:{limit_key} ({limit!r}): "
                         "Kubernetes refuses a request above its limit")
        values[f"{field}_request"], values[f"{field}_limit"] = request, limit
    return Resources(**values)


def _node_pool(r: _Reader, cluster: str) -> str:
    """Empty (Pulumi.yaml's default): any node, or on AKS the Fabric pool."""
    pool = r.string("nodePool", "") or (stack_values.AKS_FABRIC_POOL if cluster == "aks" else "")
    problem = stack_values.node_pool_problem(pool, cluster)
    if problem:
        raise r.fail("nodePool", problem)
    return pool
