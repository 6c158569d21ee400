"""Start a whole network locally: crypto in cryptogen's layout, one process per
orderer and peer with exactly the environment the cluster gives it."""

from __future__ import annotations

import dataclasses
import shutil
import signal
import ssl
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType, TracebackType

from crypto import (
    Identity,
    KeyPair,
    OrgCrypto,
    generate_org,
    issue_node,
    org_dir,
    org_msp_files,
    write_org_tree,
)
from crypto.certificates import VALIDITY
from crypto.layout import node_dir, user_dir
from fabric_nodes.chaincode_builds import clear_builds
from fabric_nodes.local_network import LOCAL_HOST, LocalNetworkManifest, StaticAddressing
from fabric_nodes.node_settings import (
    OPERATIONS_CLIENT_CA,
    NodePaths,
    admin_environment,
    disable_docker,
    orderer_address,
    orderer_admin_address,
    orderer_environment,
    peer_address,
    peer_environment,
)
from fabric_ops.ccaas_package import ccaas_builder_config
from fabric_ops.configtx import channel_config_files
from fabric_ops.executor import AdminPaths
from fabric_ops.executor_config import local_executor_config
from fabric_ops.local_executor import LocalExecutor
from localnet.addressing import LOCAL_SANS, allocate, allocate_nodes
from localnet.process import (
    STOP_GRACE_SECONDS,
    NodeProcess,
    Probe,
    http_get,
    operations_tls,
    process_environment,
    stop_all,
    wait_ready,
)
from localnet.release import FabricRelease
from localnet.state_database import (
    COUCHDB,
    LEVELDB,
    CouchDBServer,
    check_couchdb_peers,
    couchdb_credentials,
)
from network_spec import ChannelSpec, NetworkSpec, NodeSpec, OrgKind, OrgSpec, load_network
from network_spec.bft import BFT

STATE_DATABASE = LEVELDB
"""CouchDB has no package on the machines the harness runs on, so every peer
runs LevelDB whatever network.yaml asks for, but those the harness is given a
CouchDB-compatible server for (``LocalNetwork.start``'s ``couchdb``)."""
HEALTH_TIMEOUT_SECONDS = 60.0
CCAAS_BUILDER = Path(__file__).resolve().parent / "ccaas_builder"


def load_spec_dir(spec_dir: Path) -> NetworkSpec:
    """A sample folder: ``crypto-config.yaml`` and ``network.yaml``."""
    return load_network(spec_dir / "crypto-config.yaml", spec_dir / "network.yaml")


@dataclass(frozen=True)
class LocalNode:
    org: OrgSpec
    spec: NodeSpec
    paths: NodePaths
    endpoint: str
    """``127.0.0.1:<port>``: peer gRPC, or orderer broadcast/deliver and Raft."""
    operations: str
    """``127.0.0.1:<port>`` of /healthz and /metrics (HTTPS only)."""
    operations_tls: ssl.SSLContext
    """Verifies the operations endpoint by the org's TLS CA and presents the
    org admin's TLS client certificate (which /metrics and /logspec demand)."""
    admin_endpoint: str | None
    """Orderers: the channel participation API (osnadmin); None for peers."""
    process: NodeProcess
    release: FabricRelease
    """The release whose binary the process runs."""

    @property
    def name(self) -> str:
        return self.spec.common_name

    @property
    def log(self) -> Path:
        return self.process.log

    def operations_url(self, path: str) -> str:
        return f"https://{self.operations}{path}"

    def operations_get(self, path: str) -> tuple[int, str]:
        """Status and body of ``path`` of the operations endpoint, over TLS."""
        return http_get(self.operations_url(path), self.operations_tls)


def probes(nodes: list[LocalNode]) -> dict[NodeProcess, Probe]:
    """What ``wait_ready`` polls for each node: /healthz and its gRPC endpoint."""
    return {node.process: (node.operations_url("/healthz"), node.endpoint, node.operations_tls)
            for node in nodes}


class LocalNetwork:
    """A running local network; a context manager that stops every node on exit,
    on error and on Ctrl-C."""

    def __init__(
        self,
        spec: NetworkSpec,
        workdir: Path,
        release: FabricRelease,
        addressing: StaticAddressing,
    ) -> None:
        self.spec = spec
        self.workdir = workdir
        self.release = release
        self.addressing = addressing
        self.config_dir = workdir / "config"
        self.crypto_dir = workdir / "crypto"
        self.tls_ca_dir = workdir / "tls-ca"
        self.crypto: dict[str, OrgCrypto] = {}
        """Every org's generated CAs and identities, by org name."""
        self.nodes: dict[str, LocalNode] = {}
        self.log_spec = "INFO"
        self.scraper_ca: str | None = None
        """The scraper CA every node's operations endpoint trusts, if any."""
        self.couchdb: dict[str, CouchDBServer] = {}
        """The peers (by common name) whose state database is CouchDB, and its server."""
        self.startup_seconds = 0.0
        """From the start of the first process to every node healthy."""

    @classmethod
    def start(
        cls,
        source: Path | NetworkSpec,
        workdir: Path,
        release: FabricRelease | None = None,
        *,
        log_spec: str = "INFO",
        health_timeout: float = HEALTH_TIMEOUT_SECONDS,
        scraper_ca: str | None = None,
        cert_validity: timedelta = VALIDITY,
        couchdb: Mapping[str, CouchDBServer] | None = None,
    ) -> LocalNetwork:
        """Write crypto and config under ``workdir`` (created if needed), start
        every orderer and peer and wait until all are healthy. ``scraper_ca``
        (PEM): a metrics scraper's CA, which every operations endpoint then
        trusts as the cluster's do with ``fabric:monitoring: podmonitor``. Node,
        admin and user certificates are issued valid for ``cert_validity``.
        ``couchdb``: peers (by common name) that keep their state in CouchDB,
        each at the given running server (one server per peer); the others
        run LevelDB."""
        spec = source if isinstance(source, NetworkSpec) else load_spec_dir(source)
        check_couchdb_peers(spec, couchdb or {})
        if spec.state_database != STATE_DATABASE:
            print(
                f"localnet: the network asks for {spec.state_database}; "
                f"the local harness runs LevelDB ({STATE_DATABASE}) but on the peers "
                f"it is given a CouchDB server for",
                file=sys.stderr,
            )
        net = cls(spec, workdir, release or FabricRelease.build(), allocate(spec))
        net.scraper_ca = scraper_ca
        net.couchdb = dict(couchdb or {})
        try:
            net._prepare(cert_validity)
            net._launch(log_spec, health_timeout)
        except BaseException:
            net.stop()
            raise
        return net

    def _prepare(self, cert_validity: timedelta) -> None:
        # A previous run's ledgers would not match the freshly generated crypto.
        if self.workdir.exists() and any(self.workdir.iterdir()):
            raise ValueError(f"{self.workdir}: not empty; give an empty or new folder")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._write_config(self.release, self.config_dir)
        self.tls_ca_dir.mkdir()
        for org in self.spec.orgs:
            crypto = generate_org(org, extra_sans=lambda node: LOCAL_SANS,
                                  validity=cert_validity)
            self.crypto[org.name] = crypto
            write_org_tree(crypto, self.crypto_dir)
            (self.tls_ca_dir / f"{org.domain}.pem").write_text(
                crypto.cas.tlsca.cert_pem, encoding="ascii"
            )

    @staticmethod
    def _write_config(release: FabricRelease, config_dir: Path) -> None:
        """The release's sampleconfig with Docker off in core.yaml."""
        shutil.copytree(release.config_dir, config_dir)
        core_yaml = config_dir / "core.yaml"
        edited = disable_docker(core_yaml.read_text(encoding="utf-8"))
        core_yaml.write_text(edited, encoding="utf-8")

    def release_config_dir(self, release: FabricRelease) -> Path:
        """Where the nodes of ``release`` find core.yaml and orderer.yaml: the
        network's config dir for its own release, a copy of the other release's
        sampleconfig otherwise (a new image brings its own; Fabric 3's
        orderer.yaml has no Kafka section and a 3.x orderer refuses 2.5's)."""
        if release.version == self.release.version:
            return self.config_dir
        config_dir = self.workdir / f"config-{release.version}"
        if not config_dir.exists():
            self._write_config(release, config_dir)
        return config_dir

    def _node_paths(self, org: OrgSpec, node: NodeSpec, release: FabricRelease) -> NodePaths:
        data_dir = self.workdir / "nodes" / node.common_name
        data_dir.mkdir(parents=True, exist_ok=True)
        return NodePaths(
            config_dir=str(self.release_config_dir(release)),
            crypto_dir=str(self.crypto_dir / org_dir(org) / node_dir(org, node.common_name)),
            data_dir=str(data_dir / "data"),
            # Fabric's own builder is not served by the Go module proxy; this
            # one follows the same contract (the peer images ship Fabric's).
            ccaas_builder_dir=str(CCAAS_BUILDER),
        )

    def _launch(self, log_spec: str, health_timeout: float) -> None:
        self.log_spec = log_spec
        started = time.monotonic()
        started_nodes = []
        for org in self.spec.orgs:
            for node in org.nodes:
                local = self._start_node(org, node, log_spec, self.release)
                self.nodes[node.common_name] = local
                started_nodes.append(local)
        wait_ready(probes(started_nodes), health_timeout)
        self.startup_seconds = time.monotonic() - started

    def _start_node(
        self, org: OrgSpec, node: NodeSpec, log_spec: str, release: FabricRelease
    ) -> LocalNode:
        paths = self._node_paths(org, node, release)
        addressing = self.addressing
        if org.kind is OrgKind.PEER:
            clear_builds(paths.data_dir)
            tls_dir = Path(paths.tls_dir)
            builder_config = ccaas_builder_config(*(
                (tls_dir / name).read_text(encoding="ascii")
                for name in ("ca.crt", "server.crt", "server.key")))
            couchdb = self.couchdb.get(node.common_name)
            settings = peer_environment(
                org, node, addressing, paths,
                state_database=STATE_DATABASE if couchdb is None else COUCHDB,
                couchdb_address="" if couchdb is None else couchdb.address, log_spec=log_spec,
                ccaas_builder_config=builder_config, scraper_ca=self._scraper_file(paths),
            )
            if couchdb is not None:
                settings.update(couchdb_credentials(couchdb))
            argv = [str(release.binary("peer")), "node", "start"]
            endpoint, admin = peer_address(addressing, node), None
            operations = addressing.peer_ports(node).operations
        else:
            settings = orderer_environment(org, node, addressing, paths, log_spec=log_spec,
                                           scraper_ca=self._scraper_file(paths))
            argv = [str(release.binary("orderer"))]
            endpoint = orderer_address(addressing, node)
            admin = orderer_admin_address(addressing, node)
            operations = addressing.orderer_ports(node).operations
        node_home = Path(paths.data_dir).parent
        process = NodeProcess(
            node.common_name,
            argv,
            process_environment(settings),
            cwd=node_home,
            log=node_home / "node.log",
        )
        admin_tls = self.admin_dir(org.name) / "tls"
        tls = operations_tls(f"{paths.tls_dir}/ca.crt",
                             (admin_tls / "client.crt", admin_tls / "client.key"))
        return LocalNode(org, node, paths, endpoint, f"{LOCAL_HOST}:{operations}", tls, admin,
                         process, release)

    def _scraper_file(self, paths: NodePaths) -> bool:
        """Writes the scraper CA where the node's settings point; whether there is one."""
        if self.scraper_ca is None:
            return False
        target = Path(paths.crypto_dir) / OPERATIONS_CLIENT_CA
        target.parent.mkdir(exist_ok=True)
        target.write_text(self.scraper_ca, encoding="ascii")
        return True

    def stop(self) -> None:
        """Stop every node (idempotent)."""
        stop_all([node.process for node in self.nodes.values()])

    def __enter__(self) -> LocalNetwork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def org_crypto_dir(self, org_name: str) -> Path:
        """``crypto/<peer|orderer>Organizations/<domain>``."""
        return self.crypto_dir / org_dir(self.spec.org(org_name))

    def admin_dir(self, org_name: str) -> Path:
        """The org admin's identity: ``users/Admin@<domain>`` with msp/ and tls/."""
        org = self.spec.org(org_name)
        return self.org_crypto_dir(org_name) / user_dir(org.admin_name)

    def tls_ca(self, org_name: str) -> KeyPair | None:
        """The org's TLS CA; None for an org the network does not have (yet)."""
        crypto = self.crypto.get(org_name)
        return crypto.cas.tlsca if crypto else None

    def tls_ca_file(self, org_name: str) -> Path:
        return self.tls_ca_dir / f"{self.spec.org(org_name).domain}.pem"

    def executor(self, org_name: str) -> LocalExecutor:
        """Runs the release's ``peer``, ``osnadmin`` and ``configtxgen`` as the
        org's admin, with the environment the cluster's admin toolbox gets."""
        org = self.spec.org(org_name)
        admin_dir = str(self.admin_dir(org_name))
        tls_ca_dir = str(self.tls_ca_dir)
        settings = admin_environment(
            org, self.addressing, str(self.config_dir), admin_dir, tls_ca_dir
        )
        return LocalExecutor(
            bin_dir=str(self.release.bin_dir),
            base_env=process_environment(settings),
            paths=AdminPaths(admin_dir, tls_ca_dir),
        )

    def channel(self, channel_name: str) -> ChannelSpec:
        """The channel of the network spec named ``channel_name``."""
        for channel in self.spec.channels:
            if channel.name == channel_name:
                return channel
        raise KeyError(f"no channel {channel_name!r} in the network spec")

    def channel_files(self, channel_name: str) -> dict[str, bytes]:
        """configtxgen's input for the channel's genesis block (see
        ``fabric_ops.channel_ops.genesis_block``), from the generated crypto.
        A BFT channel needs a Fabric 3 release."""
        channel = self.channel(channel_name)
        if channel.consensus == BFT and self.release.version.startswith("2."):
            raise ValueError(f"{channel_name}: BFT needs Fabric 3, this is "
                             f"{self.release.version}")
        org_msps = {
            name: org_msp_files(crypto.org, crypto.cas, crypto.admin.sign.cert_pem,
                                 crypto.previous_admin_cert)
            for name, crypto in self.crypto.items()
        }
        tls_certs, sign_certs = {}, {}
        for common_name in channel.consenters:
            org, _ = self.spec.node(common_name)
            identity = self.crypto[org.name].nodes[common_name]
            tls_certs[common_name] = identity.tls.cert_pem
            sign_certs[common_name] = identity.sign.cert_pem
        return channel_config_files(
            self.spec, channel, self.addressing, org_msps, tls_certs, sign_certs
        )

    def start_new(self, spec: NetworkSpec, health_timeout: float = HEALTH_TIMEOUT_SECONDS) -> None:
        """Moves the network to ``spec`` by adding what it adds: a new org gets its
        CAs and identities, a new node of a known org an identity from that org's
        CAs, every new node free ports and a process; waits until they are healthy.
        Nodes ``spec`` leaves out keep running (see ``stop_removed``)."""
        new_nodes = [(org, node) for org in spec.orgs for node in org.nodes
                     if node.common_name not in self.nodes]
        if not new_nodes:
            self.spec = spec
            return
        added = allocate_nodes([(org.kind, node) for org, node in new_nodes])
        self.addressing = StaticAddressing(
            peers={**self.addressing.peers, **added.peers},
            orderers={**self.addressing.orderers, **added.orderers},
        )
        for org in spec.orgs:
            known = self.crypto.get(org.name)
            if known is None:
                crypto = generate_org(org, extra_sans=lambda node: LOCAL_SANS)
            else:
                nodes = {cn: identity for cn, identity in known.nodes.items()}
                for node in org.nodes:
                    if node.common_name not in nodes:
                        nodes[node.common_name] = issue_node(org, known.cas, node, LOCAL_SANS)
                crypto = dataclasses.replace(known, org=org, nodes=MappingProxyType(nodes))
            self.crypto[org.name] = crypto
            write_org_tree(crypto, self.crypto_dir)
            (self.tls_ca_dir / f"{org.domain}.pem").write_text(
                crypto.cas.tlsca.cert_pem, encoding="ascii"
            )
        self.spec = spec
        started_nodes = []
        for org, node in new_nodes:
            local = self._start_node(org, node, self.log_spec, self.release)
            self.nodes[node.common_name] = local
            started_nodes.append(local)
        wait_ready(probes(started_nodes), health_timeout)

    def stop_removed(self, spec: NetworkSpec) -> None:
        """Stops the nodes ``spec`` no longer has (their data stays on disk) and
        moves the network to ``spec``."""
        kept = {node.common_name for org in spec.orgs for node in org.nodes}
        removed = [cn for cn in self.nodes if cn not in kept]
        stop_all([self.nodes.pop(cn).process for cn in removed])
        self.spec = spec

    def replace_identity(self, org_name: str, identity: Identity) -> None:
        """Puts ``identity`` (a renewed node, admin or user of ``org_name``) in
        place of the one of its common name and rewrites the org's files; a
        node reads them when it (re)starts, an admin command at every run."""
        crypto = self.crypto[org_name]
        name = identity.common_name
        if name in crypto.nodes:
            crypto = dataclasses.replace(
                crypto, nodes=MappingProxyType({**crypto.nodes, name: identity}))
        elif name == crypto.admin.common_name:
            crypto = dataclasses.replace(crypto, admin=identity,
                                         previous_admin_cert=crypto.admin.sign.cert_pem)
        elif name in {user.common_name for user in crypto.users}:
            crypto = dataclasses.replace(crypto, users=tuple(
                identity if user.common_name == name else user for user in crypto.users))
        else:
            raise KeyError(f"{org_name} has no node or user {name!r}")
        self.crypto[org_name] = crypto
        write_org_tree(crypto, self.crypto_dir)

    def kill(self, common_name: str) -> None:
        """Kills a node the way a crash would (SIGKILL); its data stays."""
        process = self.nodes[common_name].process
        process.signal_group(signal.SIGKILL)
        process.reap(time.monotonic() + STOP_GRACE_SECONDS)

    def stop_node(self, common_name: str) -> None:
        """Stops a node the way an operator would (SIGTERM, then SIGKILL after
        the grace period); its data stays."""
        stop_all([self.nodes[common_name].process])

    def restart(self, common_name: str, health_timeout: float = HEALTH_TIMEOUT_SECONDS) -> None:
        """Starts a node again on its data (killing it first if it runs) and waits
        until it is healthy."""
        old = self.nodes[common_name]
        if old.process.running():
            self.kill(common_name)
        node = self._start_node(old.org, old.spec, self.log_spec, old.release)
        self.nodes[common_name] = node
        wait_ready(probes([node]), health_timeout)

    def upgrade(
        self, common_name: str, release: FabricRelease, down_seconds: float = 0.0,
        health_timeout: float = HEALTH_TIMEOUT_SECONDS,
    ) -> None:
        """What a rolling update does to one node: stop it as Kubernetes stops a
        pod (SIGTERM, SIGKILL after the grace period), leave it down for
        ``down_seconds`` (a new pod's image pull and scheduling; the rest of the
        network goes on), start ``release``'s binary on the same data and crypto
        with that release's core.yaml and orderer.yaml, as a new image brings
        them, and wait until it is healthy. Admin commands keep running the
        network's release until ``use_release``."""
        old = self.nodes[common_name]
        stop_all([old.process])
        time.sleep(down_seconds)
        node = self._start_node(old.org, old.spec, self.log_spec, release)
        self.nodes[common_name] = node
        wait_ready(probes([node]), health_timeout)

    def use_release(self, release: FabricRelease) -> None:
        """Admin commands run ``release`` from now on (the toolbox image of an
        upgraded stack); nodes keep what they run."""
        self.config_dir = self.release_config_dir(release)
        self.release = release

    def manifest(self, chaincode_servers: dict[str, str] | None = None) -> LocalNetworkManifest:
        """What a stack needs to run its populate operations against this network
        (``fabric:localNetwork``); ``chaincode_servers`` maps ``<chaincode>/<org>``
        to the address of a running chaincode server."""
        executors = {}
        for org in self.spec.orgs:
            local = self.executor(org.name)
            executors[org.name] = local_executor_config(local.bin_dir, local.base_env,
                                                        local.paths)
        return LocalNetworkManifest(self.addressing, executors, str(self.crypto_dir),
                                    dict(chaincode_servers or {}))

    def peak_rss_kib(self) -> int:
        """Sum of the nodes' peak resident set sizes (VmHWM), in KiB."""
        return sum(node.process.peak_rss_kib() for node in self.nodes.values())
