"""Immutable model of a network: organisations with their nodes (as cryptogen
expands them), channels and chaincodes. Every name here is already validated."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class OrgKind(enum.Enum):
    ORDERER = "orderer"
    PEER = "peer"


@dataclass(frozen=True)
class Subject:
    """Optional x509 subject fields of cryptogen's CA and node specs.

    Empty strings mean cryptogen's defaults (C=US, ST=California, L=San Francisco)
    for country, province and locality, and absence for the others."""

    country: str = ""
    province: str = ""
    locality: str = ""
    organizational_unit: str = ""
    street_address: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class CaSpec:
    """An org's CA as cryptogen names it: CN ``<hostname>.<domain>``."""

    hostname: str = "ca"
    common_name: str = ""
    subject: Subject = field(default_factory=Subject)
    sans: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeSpec:
    """A peer or an orderer after cryptogen's Specs/Template expansion."""

    hostname: str
    """cryptogen's Hostname, e.g. ``peer0``."""
    common_name: str
    """The Fabric host name and the node's folder name, e.g. ``peer0.org1.example.com``."""
    sans: tuple[str, ...]
    """cryptogen's TLS SANs: common name, hostname, then the rendered SANS."""
    k8s_name: str
    """DNS-1123 label used for the node's Kubernetes objects, e.g. ``peer0-org1``."""
    subject: Subject = field(default_factory=Subject)


@dataclass(frozen=True)
class OrgSpec:
    name: str
    domain: str
    kind: OrgKind
    msp_id: str
    enable_node_ous: bool
    nodes: tuple[NodeSpec, ...]
    users: int
    """Number of ``UserN@<domain>`` identities (0 for orderer orgs, as cryptogen)."""
    k8s_name: str
    """DNS-1123 label for the org, e.g. ``org1``."""
    ca: CaSpec = field(default_factory=CaSpec)

    @property
    def ca_common_name(self) -> str:
        return self.ca.common_name or f"{self.ca.hostname}.{self.domain}"

    @property
    def tlsca_common_name(self) -> str:
        return f"tls{self.ca_common_name}"

    @property
    def admin_name(self) -> str:
        return f"Admin@{self.domain}"

    @property
    def user_names(self) -> tuple[str, ...]:
        return tuple(f"User{i}@{self.domain}" for i in range(1, self.users + 1))

    def node(self, common_name_or_hostname: str) -> NodeSpec:
        for node in self.nodes:
            if common_name_or_hostname in (node.common_name, node.hostname):
                return node
        raise KeyError(common_name_or_hostname)


@dataclass(frozen=True)
class BatchSize:
    """When the orderers cut a block: whichever limit is reached first."""

    max_message_count: int = 10
    absolute_max_bytes: int = 99 * 1024 * 1024
    preferred_max_bytes: int = 512 * 1024


@dataclass(frozen=True)
class Capabilities:
    """The capability level of each part of a channel's configuration."""

    channel: str = "V2_0"
    orderer: str = "V2_0"
    application: str = "V2_0"


@dataclass(frozen=True)
class SmartBftOptions:
    """A BFT channel's SmartBFT options (Fabric's ``smartbft.Options``), with
    the defaults of Fabric 3's sample configtx.yaml; durations as Go prints
    them, the form the channel config keeps. The batch's count and bytes are
    not here: Fabric takes them from the channel's ``BatchSize``. In the
    sample's order, so the configtx.yaml of a channel that sets none stays
    what it was before they could be set."""

    request_batch_max_interval: str = "200ms"
    request_forward_timeout: str = "5s"
    request_complain_timeout: str = "20s"
    request_auto_remove_timeout: str = "3m0s"
    view_change_resend_interval: str = "5s"
    view_change_timeout: str = "20s"
    leader_heartbeat_timeout: str = "1m0s"
    collect_timeout: str = "1s"
    incoming_message_buffer_size: int = 200
    request_pool_size: int = 100_000
    leader_heartbeat_count: int = 10
    request_max_bytes: int = 0
    """0: the batch's ``absoluteMaxBytes``, as Fabric reads an unset value."""
    sync_on_start: bool = False
    speed_up_view_change: bool = False


@dataclass(frozen=True)
class ChannelSettings:
    """A channel's values that a config update can change later."""

    batch_timeout: str = "2s"
    """As Go prints a duration (``2s``, ``500ms``, ``1m30s``): the form the
    channel config keeps, so a value read back compares equal."""
    batch_size: BatchSize = field(default_factory=BatchSize)
    capabilities: Capabilities = field(default_factory=Capabilities)
    acls: tuple[tuple[str, str], ...] = ()
    """(resource, policy path) pairs, e.g. (``qscc/GetChainInfo``,
    ``/Channel/Application/Writers``); resources not listed use the peer's
    defaults."""
    smartbft: SmartBftOptions = field(default_factory=SmartBftOptions)
    """Used by BFT channels only."""


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    orgs: tuple[str, ...]
    """Peer org names that are members of the application channel."""
    orderer_orgs: tuple[str, ...]
    consenters: tuple[str, ...]
    """Common names of the ordering nodes that serve the channel."""
    anchor_peers: tuple[tuple[str, tuple[str, ...]], ...]
    """(peer org name, common names of its anchor peers), one entry per member org."""
    consensus: str = "etcdraft"
    """``etcdraft`` or ``BFT`` (BFT needs Fabric 3)."""
    settings: ChannelSettings = field(default_factory=ChannelSettings)

    def anchors_of(self, org: str) -> tuple[str, ...]:
        return dict(self.anchor_peers).get(org, ())


@dataclass(frozen=True)
class ChaincodeChannel:
    channel: str
    orgs: tuple[str, ...]
    """Peer orgs that install and approve the chaincode on this channel."""
    policy: str
    """Endorsement policy in Fabric's signature policy syntax, e.g.
    ``OR('Org1MSP.member','Org2MSP.member')``."""


@dataclass(frozen=True)
class ChaincodeSpec:
    name: str
    version: str
    label: str
    image: str
    orgs: tuple[str, ...]
    channels: tuple[ChaincodeChannel, ...]
    init_required: bool = False


@dataclass(frozen=True)
class NetworkSpec:
    orderer_orgs: tuple[OrgSpec, ...]
    peer_orgs: tuple[OrgSpec, ...]
    channels: tuple[ChannelSpec, ...]
    chaincodes: tuple[ChaincodeSpec, ...]
    state_database: str = "goleveldb"
    """``goleveldb`` or ``CouchDB`` (CouchDB runs as a sidecar of each peer)."""

    @property
    def orgs(self) -> tuple[OrgSpec, ...]:
        return self.orderer_orgs + self.peer_orgs

    def org(self, name: str) -> OrgSpec:
        for org in self.orgs:
            if org.name == name:
                return org
        raise KeyError(name)

    def node(self, common_name: str) -> tuple[OrgSpec, NodeSpec]:
        for org in self.orgs:
            for node in org.nodes:
                if node.common_name == common_name:
                    return org, node
        raise KeyError(common_name)
