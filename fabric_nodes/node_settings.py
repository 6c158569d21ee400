"""The Fabric settings of a node, as data: the CORE_* / ORDERER_* environment and
the file paths it points at.

The Kubernetes components put this environment into containers; the local network
harness starts real ``peer`` and ``orderer`` processes from the very same function
with only the addressing (listen host, ports) and the paths swapped, so a running
local network proves the configuration the cluster gets. Every value not set here
comes from the release's own core.yaml / orderer.yaml (FABRIC_CFG_PATH)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from fabric_nodes.naming import crypto_secret_name, service_host
from network_spec import NodeSpec, OrgKind, OrgSpec

CCAAS_BUILDER_ENV = "CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"
RELEASE_CONFIG_DIR = "/etc/hyperledger/fabric"
"""Where the official images keep the release's core.yaml and orderer.yaml."""
LEGACY_RELEASE_CONFIG_DIR = "/var/hyperledger/fabric/config"
"""Where the official images of Fabric 2.5.0 to 2.5.5 keep them (2.5.6 moved
them back to ``RELEASE_CONFIG_DIR``)."""
DOCKER_ENDPOINT = "endpoint: unix:///var/run/docker.sock"
"""``vm.endpoint`` in a release's core.yaml, indented by 4 spaces in 2.5 and
by 2 in 3.x (``core_yaml_indent``)."""
NO_DOCKER_ENDPOINT = 'endpoint: ""'


def core_yaml_indent(fabric_version: str) -> str:
    """The indentation of a release's core.yaml (``major.minor.patch``)."""
    return "  " if int(fabric_version.split(".")[0]) >= 3 else "    "


def disable_docker(core_yaml: str) -> str:
    """The release's core.yaml with ``vm.endpoint`` blanked.

    ``CORE_VM_ENDPOINT=""`` has no effect: Fabric's viper ignores empty
    environment variables, so a peer keeps the file's Docker endpoint, registers
    a Docker health check and answers ``/healthz`` with 503 where there is no
    Docker daemon (a pod, the local network). Only the file can turn Docker off."""
    lines = core_yaml.split("\n")
    if sum(line.strip() == DOCKER_ENDPOINT for line in lines) != 1:
        raise ValueError(f"core.yaml: expected exactly one line {DOCKER_ENDPOINT!r}")
    return "\n".join(line.replace(DOCKER_ENDPOINT, NO_DOCKER_ENDPOINT)
                     if line.strip() == DOCKER_ENDPOINT else line for line in lines)


def disable_docker_command(source_dir: str, target_dir: str, fabric_version: str) -> list[str]:
    """The same edit as ``disable_docker`` as a container command (an init
    container of the peer image writes the peer's FABRIC_CFG_PATH); it fails if
    the line, indented as the release indents it, is not there exactly once."""
    indent = core_yaml_indent(fabric_version)
    docker, no_docker = indent + DOCKER_ENDPOINT, indent + NO_DOCKER_ENDPOINT
    source, target = f"{source_dir}/core.yaml", f"{target_dir}/core.yaml"
    script = (
        f"test \"$(grep -cx '{docker}' {source})\" = 1 && "
        f"sed 's|^{docker}$|{no_docker}|' {source} > {target}"
    )
    return ["sh", "-c", script]


@dataclass(frozen=True)
class NodePaths:
    """Where a node finds its configuration, identity and data."""

    config_dir: str
    """FABRIC_CFG_PATH: the release's core.yaml and orderer.yaml."""
    crypto_dir: str
    """Holds ``msp/`` and ``tls/`` exactly as cryptogen lays out a node."""
    data_dir: str
    """Ledger and consensus data (the node's persistent volume)."""
    ccaas_builder_dir: str
    """The chaincode-as-a-service external builder (bin/detect, build, release)."""

    @property
    def msp_dir(self) -> str:
        return f"{self.crypto_dir}/msp"

    @property
    def tls_dir(self) -> str:
        return f"{self.crypto_dir}/tls"


CONTAINER_PATHS = NodePaths(
    config_dir="/var/hyperledger/config",
    crypto_dir="/var/hyperledger/crypto",
    data_dir="/var/hyperledger/production",
    ccaas_builder_dir="/opt/hyperledger/ccaas_builder",
)
"""Paths of a peer container. ``config_dir`` is an emptyDir that an init
container fills from the image's ``release_config_dir`` (``disable_docker_command``)."""



def release_config_dir(fabric_version: str) -> str:
    """Where the official image of ``fabric_version`` (``major.minor.patch``)
    keeps the release's core.yaml and orderer.yaml."""
    major, minor, patch = (int(part) for part in fabric_version.split(".")[:3])
    if (major, minor) == (2, 5) and patch <= 5:
        return LEGACY_RELEASE_CONFIG_DIR
    return RELEASE_CONFIG_DIR


def orderer_container_paths(fabric_version: str) -> NodePaths:
    """Paths of an orderer container: the image's orderer.yaml needs no edit."""
    return NodePaths(
        config_dir=release_config_dir(fabric_version),
        crypto_dir=CONTAINER_PATHS.crypto_dir,
        data_dir=CONTAINER_PATHS.data_dir,
        ccaas_builder_dir=CONTAINER_PATHS.ccaas_builder_dir,
    )


@dataclass(frozen=True)
class PeerPorts:
    peer: int = 7051
    chaincode: int = 7052
    operations: int = 9443


@dataclass(frozen=True)
class OrdererPorts:
    listen: int = 7050
    """Client (broadcast/deliver) and Raft cluster traffic."""
    admin: int = 7053
    """Channel participation API (osnadmin), TLS with client auth."""
    operations: int = 9443


class Addressing(Protocol):
    """How nodes are placed: where they listen and how others reach them."""

    @property
    def listen_host(self) -> str: ...

    def host(self, node: NodeSpec) -> str: ...

    def peer_ports(self, node: NodeSpec) -> PeerPorts: ...

    def orderer_ports(self, node: NodeSpec) -> OrdererPorts: ...


@dataclass(frozen=True)
class ClusterAddressing:
    """In Kubernetes: every node listens on all interfaces at the standard ports
    and is reached through its Service's DNS name."""

    namespace: str
    listen_host: str = "0.0.0.0"

    def host(self, node: NodeSpec) -> str:
        return service_host(node, self.namespace)

    def peer_ports(self, node: NodeSpec) -> PeerPorts:
        return PeerPorts()

    def orderer_ports(self, node: NodeSpec) -> OrdererPorts:
        return OrdererPorts()


@dataclass(frozen=True)
class SecretRef:
    """An environment value the container reads from a Kubernetes Secret key."""

    key: str
    secret: str = ""
    """The Secret's name; empty: the one the container's environment is rendered
    with (``fabric_components.k8s.workload.env_list``)."""


CCAAS_BUILDER_CONFIG_KEY = "ccaas-builder-config.json"
"""The key of a peer's crypto Secret holding its ``CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG``
(``fabric_ops.ccaas_package.ccaas_builder_config``): it holds the peer's TLS key."""


EnvValue = str | SecretRef

COUCHDB_USER_KEY = "username"
COUCHDB_PASSWORD_KEY = "password"
COUCHDB_USER_ENV = "CORE_LEDGER_STATE_COUCHDBCONFIG_USERNAME"
COUCHDB_PASSWORD_ENV = "CORE_LEDGER_STATE_COUCHDBCONFIG_PASSWORD"


def peer_address(addressing: Addressing, node: NodeSpec) -> str:
    return f"{addressing.host(node)}:{addressing.peer_ports(node).peer}"


def orderer_address(addressing: Addressing, node: NodeSpec) -> str:
    return f"{addressing.host(node)}:{addressing.orderer_ports(node).listen}"


def orderer_admin_address(addressing: Addressing, node: NodeSpec) -> str:
    return f"{addressing.host(node)}:{addressing.orderer_ports(node).admin}"


def _external_builders(paths: NodePaths) -> str:
    """core.yaml's chaincode.externalBuilders as the YAML string Fabric decodes
    from the environment: only the CCaaS builder, no Docker."""
    return json.dumps(
        [
            {
                "name": "ccaas_builder",
                "path": paths.ccaas_builder_dir,
                "propagateEnvironment": [CCAAS_BUILDER_ENV],
            }
        ]
    )


OPERATIONS_CLIENT_CA = "operations/client-ca.crt"
"""Under a node's crypto dir: the CA of the metrics scraper's client
certificate, which the operations endpoint trusts besides the org's TLS CA
(``fabric_components.monitoring.scraper``)."""


def _operations_client_cas(paths: NodePaths, scraper_ca: bool) -> list[str]:
    cas = [f"{paths.tls_dir}/ca.crt"]
    return [*cas, f"{paths.crypto_dir}/{OPERATIONS_CLIENT_CA}"] if scraper_ca else cas


def peer_operations_tls(paths: NodePaths, scraper_ca: bool = False) -> dict[str, EnvValue]:
    """The operations endpoint serves HTTPS only, with the node's own TLS key
    pair: issued by the org's TLS CA, its SANs are the node's names (the Service
    names in a cluster, 127.0.0.1 locally), by which a caller verifies it.

    The TLS handshake does not demand a client certificate, so kubelet probes
    reach ``/healthz`` (and ``/version``), which Fabric leaves open. Fabric's
    other endpoints, ``/metrics`` and ``/logspec`` (which changes log levels),
    answer only a caller presenting a client certificate of the org's TLS CA
    (``clientRootCAs``) once TLS is on; with ``scraper_ca`` also to one of the
    scraper's CA (``OPERATIONS_CLIENT_CA``)."""
    return {
        "CORE_OPERATIONS_TLS_ENABLED": "true",
        "CORE_OPERATIONS_TLS_CERT_FILE": f"{paths.tls_dir}/server.crt",
        "CORE_OPERATIONS_TLS_KEY_FILE": f"{paths.tls_dir}/server.key",
        "CORE_OPERATIONS_TLS_CLIENTAUTHREQUIRED": "false",
        # The peer reads a list from the environment split at spaces, no brackets.
        "CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES": " ".join(
            _operations_client_cas(paths, scraper_ca)),
    }


def orderer_operations_tls(paths: NodePaths, scraper_ca: bool = False) -> dict[str, EnvValue]:
    """The orderer's counterpart of ``peer_operations_tls``."""
    return {
        "ORDERER_OPERATIONS_TLS_ENABLED": "true",
        "ORDERER_OPERATIONS_TLS_CERTIFICATE": f"{paths.tls_dir}/server.crt",
        "ORDERER_OPERATIONS_TLS_PRIVATEKEY": f"{paths.tls_dir}/server.key",
        "ORDERER_OPERATIONS_TLS_CLIENTAUTHREQUIRED": "false",
        "ORDERER_OPERATIONS_TLS_CLIENTROOTCAS": (
            f"[{','.join(_operations_client_cas(paths, scraper_ca))}]"),
    }


def peer_environment(
    org: OrgSpec,
    node: NodeSpec,
    addressing: Addressing,
    paths: NodePaths,
    *,
    state_database: str = "goleveldb",
    couchdb_address: str = "localhost:5984",
    log_spec: str = "INFO",
    ccaas_builder_config: str | None = None,
    endpoint_tls: bool = True,
    scraper_ca: bool = False,
) -> dict[str, EnvValue]:
    """The environment of a peer: TLS on, CCaaS builder only, Docker off.
    ``ccaas_builder_config``: the builder's TLS settings as text (a local
    process); None reads them from the node's crypto Secret. Without
    ``endpoint_tls`` neither the operations endpoint nor the builder has TLS
    settings (a network created before them)."""
    ports = addressing.peer_ports(node)
    listen = addressing.listen_host
    address = peer_address(addressing, node)
    # Every peer bootstraps gossip from the org's first peer (the first from
    # itself), so adding a peer never changes the settings of the existing ones.
    bootstrap = peer_address(addressing, org.nodes[0])
    env: dict[str, EnvValue] = {
        "FABRIC_CFG_PATH": paths.config_dir,
        "FABRIC_LOGGING_SPEC": log_spec,
        "CORE_PEER_ID": node.common_name,
        "CORE_PEER_LOCALMSPID": org.msp_id,
        "CORE_PEER_MSPCONFIGPATH": paths.msp_dir,
        "CORE_PEER_ADDRESS": address,
        "CORE_PEER_LISTENADDRESS": f"{listen}:{ports.peer}",
        "CORE_PEER_CHAINCODEADDRESS": f"{addressing.host(node)}:{ports.chaincode}",
        "CORE_PEER_CHAINCODELISTENADDRESS": f"{listen}:{ports.chaincode}",
        "CORE_PEER_GOSSIP_EXTERNALENDPOINT": address,
        "CORE_PEER_GOSSIP_BOOTSTRAP": bootstrap,
        "CORE_PEER_TLS_ENABLED": "true",
        "CORE_PEER_TLS_CERT_FILE": f"{paths.tls_dir}/server.crt",
        "CORE_PEER_TLS_KEY_FILE": f"{paths.tls_dir}/server.key",
        "CORE_PEER_TLS_ROOTCERT_FILE": f"{paths.tls_dir}/ca.crt",
        "CORE_PEER_FILESYSTEMPATH": paths.data_dir,
        "CORE_LEDGER_SNAPSHOTS_ROOTDIR": f"{paths.data_dir}/snapshots",
        "CORE_OPERATIONS_LISTENADDRESS": f"{listen}:{ports.operations}",
        **(peer_operations_tls(paths, scraper_ca) if endpoint_tls else {}),
        "CORE_METRICS_PROVIDER": "prometheus",
        "CORE_VM_ENDPOINT": "",
        "CORE_CHAINCODE_EXTERNALBUILDERS": _external_builders(paths),
        "CORE_LEDGER_STATE_STATEDATABASE": state_database,
    }
    if endpoint_tls:
        env[CCAAS_BUILDER_ENV] = (
            SecretRef(CCAAS_BUILDER_CONFIG_KEY, crypto_secret_name(node.k8s_name))
            if ccaas_builder_config is None else ccaas_builder_config
        )
    if state_database == "CouchDB":
        env["CORE_LEDGER_STATE_COUCHDBCONFIG_COUCHDBADDRESS"] = couchdb_address
        env[COUCHDB_USER_ENV] = SecretRef(COUCHDB_USER_KEY)
        env[COUCHDB_PASSWORD_ENV] = SecretRef(COUCHDB_PASSWORD_KEY)
    return env


def orderer_environment(
    org: OrgSpec,
    node: NodeSpec,
    addressing: Addressing,
    paths: NodePaths,
    *,
    log_spec: str = "INFO",
    endpoint_tls: bool = True,
    scraper_ca: bool = False,
) -> dict[str, EnvValue]:
    """The environment of an ordering node: no system channel, channel
    participation API with TLS client auth, Raft over the node's TLS identity,
    the operations endpoint with TLS (but without ``endpoint_tls``)."""
    ports = addressing.orderer_ports(node)
    listen = addressing.listen_host
    tls = paths.tls_dir
    return {
        "FABRIC_CFG_PATH": paths.config_dir,
        "FABRIC_LOGGING_SPEC": log_spec,
        "ORDERER_GENERAL_LISTENADDRESS": listen,
        "ORDERER_GENERAL_LISTENPORT": str(ports.listen),
        "ORDERER_GENERAL_LOCALMSPID": org.msp_id,
        "ORDERER_GENERAL_LOCALMSPDIR": paths.msp_dir,
        "ORDERER_GENERAL_TLS_ENABLED": "true",
        "ORDERER_GENERAL_TLS_CERTIFICATE": f"{tls}/server.crt",
        "ORDERER_GENERAL_TLS_PRIVATEKEY": f"{tls}/server.key",
        "ORDERER_GENERAL_TLS_ROOTCAS": f"[{tls}/ca.crt]",
        "ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE": f"{tls}/server.crt",
        "ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY": f"{tls}/server.key",
        "ORDERER_GENERAL_CLUSTER_ROOTCAS": f"[{tls}/ca.crt]",
        "ORDERER_GENERAL_BOOTSTRAPMETHOD": "none",
        "ORDERER_CHANNELPARTICIPATION_ENABLED": "true",
        "ORDERER_FILELEDGER_LOCATION": f"{paths.data_dir}/orderer",
        "ORDERER_CONSENSUS_WALDIR": f"{paths.data_dir}/orderer/etcdraft/wal",
        "ORDERER_CONSENSUS_SNAPDIR": f"{paths.data_dir}/orderer/etcdraft/snapshot",
        "ORDERER_ADMIN_LISTENADDRESS": f"{listen}:{ports.admin}",
        "ORDERER_ADMIN_TLS_ENABLED": "true",
        "ORDERER_ADMIN_TLS_CERTIFICATE": f"{tls}/server.crt",
        "ORDERER_ADMIN_TLS_PRIVATEKEY": f"{tls}/server.key",
        "ORDERER_ADMIN_TLS_ROOTCAS": f"[{tls}/ca.crt]",
        "ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED": "true",
        "ORDERER_ADMIN_TLS_CLIENTROOTCAS": f"[{tls}/ca.crt]",
        "ORDERER_OPERATIONS_LISTENADDRESS": f"{listen}:{ports.operations}",
        **(orderer_operations_tls(paths, scraper_ca) if endpoint_tls else {}),
        "ORDERER_METRICS_PROVIDER": "prometheus",
    }


def admin_environment(
    org: OrgSpec,
    addressing: Addressing,
    config_dir: str,
    admin_crypto_dir: str,
    tls_ca_dir: str,
) -> dict[str, EnvValue]:
    """The environment of an org admin's CLI (``peer``, ``osnadmin``): the org
    admin identity, TLS on, and the first node of the org as default target.
    ``tls_ca_dir`` holds every org's TLS CA certificate as ``<org domain>.pem``."""
    env: dict[str, EnvValue] = {
        "FABRIC_CFG_PATH": config_dir,
        "CORE_PEER_LOCALMSPID": org.msp_id,
        "CORE_PEER_MSPCONFIGPATH": f"{admin_crypto_dir}/msp",
        "CORE_PEER_TLS_ENABLED": "true",
        "CORE_PEER_TLS_ROOTCERT_FILE": f"{tls_ca_dir}/{org.domain}.pem",
        "CORE_PEER_TLS_CLIENTCERT_FILE": f"{admin_crypto_dir}/tls/client.crt",
        "CORE_PEER_TLS_CLIENTKEY_FILE": f"{admin_crypto_dir}/tls/client.key",
    }
    if org.nodes:
        first = org.nodes[0]
        env["CORE_PEER_ADDRESS"] = (
            peer_address(addressing, first)
            if org.kind is OrgKind.PEER
            else orderer_admin_address(addressing, first)
        )
    return env
