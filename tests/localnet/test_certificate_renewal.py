"""Short-lived certificates kept alive by renewals on a real local network.

The scaled sample (3 Raft orderers, 4 peers, 2 channels) is issued with
certificates valid 10 minutes (5 of them left: cryptogen backdates by 5) and
populated; a client keeps writing. Each renewal runs the identity provider as
``pulumi up`` does (diff, then update) against the identities as they are in
state, then does what the up's rollout does: writes the node's new material,
restarts it and waits for its readiness gate, one node at a time.

Every orderer's ``ConsenterRotation`` runs (an update: its certificate
changed) before the orderer restarts. Round 1, as soon as the certificates are
inside the renewal window: every identity is renewed with its key, except
orderer0 (first in the rollout) which gets a new key (a
``fabric:keyGenerations`` bump): its rotation puts the new TLS certificate into
both channels' consenter sets, one config update per channel, each waited for,
then it restarts. orderer1 and orderer2 restart on renewed certificates with
the same keys: their rotations find the same key pinned and change nothing. A
second diff of every identity finds nothing to do. After the first
certificates' expiry the channels still order, pinning orderer1's expired
certificate; round 2 gives orderer2 a new key, through config updates made
while they do, and peer0.org1 a new key: it restarts serving its new TLS
certificate, dials its chaincode server with it (its cached chaincode build,
made with its first certificate, now expired, is dropped at the start), and
endorses and commits. The chaincode servers' certificates, issued for the same
10 minutes, are renewed in round 1 with their keys (``TlsCertificate``'s
provider) and each server restarts on its renewed pair, which the peers
accept. Every acknowledged write reads back on every peer."""

from __future__ import annotations

import base64
import json
import re
import socket
import ssl
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from crypto import Identity, KeyPair
from crypto.expiry import not_after
from fabric_components.providers.consenter_rotation import (
    ConsenterRotationProvider,
    consenter_rotation_inputs,
)
from fabric_components.providers.crypto import IdentityProvider
from fabric_components.providers.operation import operation_inputs
from fabric_components.providers.readiness import ReadinessGateProvider, gate_inputs
from fabric_components.providers.tls_certificate import TlsCertificateProvider
from fabric_nodes.chaincode_builds import builds_dir
from fabric_nodes.node_settings import orderer_address, peer_address
from fabric_ops.chaincode_ops import Orderer, invoke, query
from fabric_ops.channel_ops import orderer_channel
from fabric_ops.channel_summary import consenters
from fabric_ops.config_update import live_config
from localnet import FabricRelease, LocalNetwork
from localnet.chaincode_servers import ChaincodeServers, server_tls_dir
from localnet.release import REPO_ROOT, ReleaseError
from network_spec import OrgKind, OrgSpec
from tests.components.program import sample_config
from tests.localnet.populate import executor_config, populated
from tests.localnet.traffic import Traffic

pytestmark = pytest.mark.fabric

CHANNEL, CHAINCODE = "common", "basic"
VALIDITY = timedelta(minutes=10)
RENEW_BEFORE = timedelta(minutes=4)
"""Renewed certificates (valid 9 minutes from renewal) stay outside it for 5."""
START_WITHIN = timedelta(minutes=3, seconds=30)
"""Round 1 starts once the last of the first certificates has this much left
(inside the window), so renewed ones are still outside it at round 2. Their
ends differ by up to a minute: cryptogen rounds each notBefore to its minute,
and issuing them may cross a half minute."""
NEW_KEY_ROUND_1, NEW_KEY_ROUND_2 = "orderer0.example.com", "orderer2.example.com"
NEW_KEY_PEER = "peer0.org1.example.com"
"""Gets a new key in round 2, after its first certificate expired."""
SAME_KEY_ORDERER = "orderer1.example.com"
ROUND_1_KEYS = {NEW_KEY_ROUND_1: 1}
ROUND_2_KEYS = {**ROUND_1_KEYS, NEW_KEY_ROUND_2: 1, NEW_KEY_PEER: 1}


@dataclass
class Renewals:
    net: LocalNetwork
    servers: ChaincodeServers
    traffic: Traffic
    first_expiry: datetime
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per common name, the identity resource's outputs, as in the stack's state;
    per ``<chaincode>/<org>``, its server's ``TlsCertificate`` outputs."""
    initial_server_certs: dict[str, str] = field(default_factory=dict)
    served_by_servers: dict[str, str] = field(default_factory=dict)
    """Per server, the certificate it presents after round 1."""
    initial_tls: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[bool]] = field(default_factory=dict)
    """Per common name, whether each round's diff found a change."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Per node and round: renewal, config updates, restart and gate."""
    config_updates: dict[str, int] = field(default_factory=dict)
    pinned_after_round_1: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per channel, per consenter, the TLS certificate its config pins."""
    second_diff_changes: list[str] = field(default_factory=list)
    acknowledged_after_expiry: int = 0
    served_by_new_key_peer: str = ""
    """The TLS certificate the peer given a new key in round 2 presents after it."""
    endorsed_by_new_key_peer: str = ""
    """The output of a write endorsed by that peer after round 2 ('' if none)."""
    chaincode_client_certs: list[str] = field(default_factory=list)
    """The client certificates in that peer's chaincode builds after the write."""


def release() -> FabricRelease:
    try:
        return FabricRelease.build()
    except ReleaseError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


def identity_outputs(org: OrgSpec, identity: Identity, cas: Any) -> dict[str, Any]:
    """An identity as the program's ``IssuedIdentity`` keeps it in state."""
    return {
        "org": org.name, "kind": org.kind.value, "domain": org.domain,
        "ca_common_name": org.ca_common_name, "subject": asdict(org.ca.subject),
        "enable_node_ous": org.enable_node_ous, "common_name": identity.common_name,
        "node_ou": identity.node_ou, "server": identity.server, "sans": [], "node_subject": {},
        "ca_cert": cas.ca.cert_pem, "ca_key": cas.ca.key_pem,
        "tlsca_cert": cas.tlsca.cert_pem, "tlsca_key": cas.tlsca.key_pem,
        "validity_seconds": int(VALIDITY.total_seconds()),
        "renew_before_seconds": int(RENEW_BEFORE.total_seconds()),
        "key_generation": 0,
        "sign_cert": identity.sign.cert_pem, "sign_key": identity.sign.key_pem,
        "tls_cert": identity.tls.cert_pem, "tls_key": identity.tls.key_pem,
    }


def inputs(outs: dict[str, Any], key_generation: int) -> dict[str, Any]:
    """The inputs the next up registers: the same, with the stack's key generation."""
    news = {k: v for k, v in outs.items() if not k.startswith(("sign_", "tls_"))}
    return {**news, "key_generation": key_generation, "renewal_due": None}


def as_identity(outs: dict[str, Any]) -> Identity:
    return Identity(outs["common_name"], outs["node_ou"],
                    KeyPair(outs["sign_cert"], outs["sign_key"]),
                    KeyPair(outs["tls_cert"], outs["tls_key"]), bool(outs["server"]))


def gate(net: LocalNetwork, common_name: str) -> None:
    """The node's readiness gate, as the program registers it."""
    org, node = net.spec.node(common_name)
    executors = {o.name: executor_config(net, o.name) for o in net.spec.orgs}
    images = sample_config("scaled").images
    image = images.peer if org.kind is OrgKind.PEER else images.orderer
    ReadinessGateProvider().create(operation_inputs(gate_inputs(
        net.spec, org, node, net.addressing, executors, image, "2.5.9")))


def rotate_consenter(net: LocalNetwork, common_name: str, old_tls: str, new_tls: str) -> int:
    """The node's ``ConsenterRotation`` as the up runs it before the node's
    restart (an update: its certificate changed); returns the number of
    channels whose consenter set changed."""
    _, node = net.spec.node(common_name)
    executors = {o.name: executor_config(net, o.name) for o in net.spec.orgs}

    def props(tls_cert: str) -> dict[str, Any]:
        found = consenter_rotation_inputs(net.spec, node, net.addressing, executors, tls_cert)
        assert found is not None
        return operation_inputs({**found, "done": True})

    provider = ConsenterRotationProvider()
    olds, news = props(old_tls), props(new_tls)
    diff = provider.diff(common_name, olds, news)
    assert (diff.changes, diff.replaces) == (True, []), common_name
    before = pinned(net)
    provider.update(common_name, olds, news)
    after = pinned(net)
    return sum(1 for channel in after if after[channel] != before[channel])


def pinned(net: LocalNetwork) -> dict[str, dict[str, str]]:
    """Per channel, per consenter common name, the client TLS certificate its
    live config pins."""
    executor = net.executor("Orderer")
    orderers = [Orderer(orderer_address(net.addressing, n), "example.com")
                for n in net.spec.org("Orderer").nodes]
    result = {}
    for channel in net.spec.channels:
        by_port = {net.addressing.orderer_ports(net.spec.node(cn)[1]).listen: cn
                   for cn in channel.consenters}
        result[channel.name] = {
            by_port[c["port"]]: base64.b64decode(c["client_tls_cert"]).decode()
            for c in consenters(live_config(executor, orderers, channel.name))}
    return result


def server_outputs(servers: ChaincodeServers, key: str, ca: KeyPair) -> dict[str, Any]:
    """A local chaincode server's certificate as ``TlsCertificate`` keeps it in state."""
    tls_dir = server_tls_dir(servers.log_dir, key.replace("/", "-"))
    cert = (tls_dir / "tls.crt").read_text()
    return {"common_name": key, "sans": [], "subject": {}, "tlsca_cert": ca.cert_pem,
            "tlsca_key": ca.key_pem, "validity_seconds": int(VALIDITY.total_seconds()),
            "renew_before_seconds": int(RENEW_BEFORE.total_seconds()), "renew": True,
            "cert": cert, "key": (tls_dir / "tls.key").read_text(),
            "not_after": not_after(cert).isoformat()}


def renew_servers(run: Renewals) -> None:
    """The chaincode servers' ``TlsCertificate`` diffs; a changed one updated,
    its pair written where the server reads it and the server restarted (its
    Deployment rolling on its material hash)."""
    provider = TlsCertificateProvider()
    for key in run.servers.processes:
        olds = run.state[key]
        news = {k: v for k, v in olds.items() if k not in ("cert", "key", "not_after")}
        diff = provider.diff(key, olds, news)
        run.reasons.setdefault(key, []).append(bool(diff.changes))
        if not diff.changes:
            continue
        outs = dict(provider.update(key, olds, news).outs or {})
        run.state[key] = outs
        tls_dir = server_tls_dir(run.servers.log_dir, key.replace("/", "-"))
        (tls_dir / "tls.crt").write_text(outs["cert"])
        (tls_dir / "tls.key").write_text(outs["key"])
        run.servers.restart(key)


def served_by_server(run: Renewals, key: str, scratch: Path) -> str:
    """The certificate a chaincode server presents to its org's admin's TLS
    client certificate (it demands one of the org's TLS CA)."""
    org_name = key.split("/")[1]
    admin = run.net.crypto[org_name].admin.tls
    (scratch / "client.crt").write_text(admin.cert_pem)
    (scratch / "client.key").write_text(admin.key_pem)
    context = ssl.create_default_context(cadata=run.net.tls_ca_file(org_name).read_text())
    context.check_hostname = False  # a server's certificate names 127.0.0.1 among its SANs
    context.load_cert_chain(scratch / "client.crt", scratch / "client.key")
    context.set_alpn_protocols(["h2"])
    host, port = run.servers[key].rsplit(":", 1)
    with (socket.create_connection((host, int(port)), timeout=10) as raw,
          context.wrap_socket(raw) as tls):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).public_bytes(
        serialization.Encoding.PEM).decode()


def renew_round(run: Renewals, round_index: int, new_keys: dict[str, int]) -> None:
    """One ``pulumi up``: every identity's diff; the changed ones updated, the
    admins and users first (no process), then node by node in rollout order,
    then the chaincode servers."""
    net, provider = run.net, IdentityProvider()
    orgs = [*net.spec.orderer_orgs, *net.spec.peer_orgs]
    users = [(o, u) for o in orgs for u in (net.crypto[o.name].admin, *net.crypto[o.name].users)]
    nodes = [(o, net.crypto[o.name].nodes[n.common_name]) for o in orgs for n in o.nodes]
    for org, identity in [*users, *nodes]:
        name = identity.common_name
        olds = run.state[name]
        news = inputs(olds, new_keys.get(name, olds.get("key_generation", 0)))
        diff = provider.diff(name, olds, news)
        assert diff.replaces == [], name
        run.reasons.setdefault(name, []).append(bool(diff.changes))
        if not diff.changes:
            continue
        started = time.monotonic()
        outs = dict(provider.update(name, olds, news).outs or {})
        run.state[name] = outs
        renewed = as_identity(outs)
        net.replace_identity(org.name, renewed)
        if name in net.nodes:
            if org.kind is OrgKind.ORDERER:
                run.config_updates[f"{name} round {round_index}"] = rotate_consenter(
                    net, name, olds["tls_cert"], outs["tls_cert"])
            net.upgrade(name, net.release)
            gate(net, name)
            run.seconds[f"{name} round {round_index}"] = time.monotonic() - started
    started = time.monotonic()
    renew_servers(run)
    run.seconds[f"chaincode servers round {round_index}"] = time.monotonic() - started


def served_certificate(net: LocalNetwork, common_name: str) -> str:
    """The TLS certificate the running peer presents, verified by its org's TLS CA."""
    org, node = net.spec.node(common_name)
    host, port = peer_address(net.addressing, node).rsplit(":", 1)
    context = ssl.create_default_context(cadata=net.tls_ca_file(org.name).read_text())
    context.set_alpn_protocols(["h2"])
    with (socket.create_connection((host, int(port)), timeout=10) as raw,
          context.wrap_socket(raw, server_hostname=common_name) as tls):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).public_bytes(
        serialization.Encoding.PEM).decode()


def endorse_through(net: LocalNetwork, common_name: str) -> str:
    """A write endorsed by ``common_name`` and a peer of every other org of the
    channel, waited for until committed; '' or the failure."""
    channel = net.channel(CHANNEL)
    org, node = net.spec.node(common_name)
    endorsers = [(peer_address(net.addressing, node), org.domain)] + [
        (peer_address(net.addressing, net.spec.org(o).nodes[0]), net.spec.org(o).domain)
        for o in channel.orgs if o != org.name]
    cn = channel.consenters[0]
    orderer = Orderer(orderer_address(net.addressing, net.spec.node(cn)[1]),
                      net.spec.node(cn)[0].domain)
    result = invoke(net.executor(org.name), orderer, CHANNEL, CHAINCODE, "CreateAsset",
                    ["renewal-new-key-peer", "1"], endorsers)
    return "" if result.returncode == 0 else result.output


def chaincode_client_certs(net: LocalNetwork, common_name: str) -> list[str]:
    """The client certificate of every chaincode build the peer holds (one per
    chaincode it launched since it started)."""
    builds = Path(builds_dir(net.nodes[common_name].paths.data_dir))
    return [json.loads(path.read_text())["client_cert"]
            for path in sorted(builds.glob("*/release/chaincode/server/connection.json"))]


def traffic(net: LocalNetwork) -> Traffic:
    channel = net.channel(CHANNEL)
    orderers = [Orderer(orderer_address(net.addressing, net.spec.node(cn)[1]),
                        net.spec.node(cn)[0].domain) for cn in channel.consenters]

    def endorsers(index: int) -> list[tuple[str, str]]:
        return [(peer_address(net.addressing, net.spec.org(o).nodes[index]),
                 net.spec.org(o).domain) for o in channel.orgs]

    return Traffic(net.executor("Org1"), orderers, CHANNEL, CHAINCODE, endorsers(0),
                   prefix="renewal", alternatives=[endorsers(1)])


@pytest.fixture(scope="module")
def renewals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewals]:
    workdir = tmp_path_factory.mktemp("renewal")
    with populated(REPO_ROOT / "samples" / "scaled", workdir, release(),
                   cert_validity=VALIDITY) as (net, servers):
        identities = {i.common_name: (net.spec.org(name), i, crypto.cas)
                      for name, crypto in net.crypto.items()
                      for i in (*crypto.nodes.values(), crypto.admin, *crypto.users)}
        first_expiry = min(not_after(i.sign.cert_pem) for _, i, _ in identities.values())
        run = Renewals(net, servers, traffic(net), first_expiry)
        for name, (org, identity, cas) in identities.items():
            run.state[name] = identity_outputs(org, identity, cas)
            run.initial_tls[name] = identity.tls.cert_pem
        for key in servers.processes:
            ca = net.tls_ca(key.split("/")[1])
            assert ca is not None
            run.state[key] = server_outputs(servers, key, ca)
            run.initial_server_certs[key] = run.state[key]["cert"]
        ends = [not_after(i.sign.cert_pem) for _, i, _ in identities.values()] + [
            not_after(i.tls.cert_pem) for _, i, _ in identities.values()] + [
            not_after(run.initial_server_certs[key]) for key in servers.processes]
        assert max(ends) - first_expiry <= timedelta(minutes=1), (first_expiry, max(ends))
        wait = (max(ends) - START_WITHIN) - datetime.now(UTC)
        print(f"\npopulated; first certificates expire {first_expiry:%H:%M:%S} to "
              f"{max(ends):%H:%M:%S}, round 1 in {max(wait.total_seconds(), 0):.0f} s")
        with run.traffic:
            time.sleep(max(wait.total_seconds(), 3))
            renew_round(run, 1, ROUND_1_KEYS)
            assert datetime.now(UTC) < first_expiry, "round 1 ended after the first expiry"
            run.pinned_after_round_1 = pinned(net)
            run.served_by_servers = {key: served_by_server(run, key, workdir)
                                     for key in servers.processes}
            provider = IdentityProvider()
            for name, outs in run.state.items():
                if name in servers.processes:
                    continue
                if provider.diff(name, outs, inputs(outs, ROUND_1_KEYS.get(name, 0))).changes:
                    run.second_diff_changes.append(name)
            time.sleep(max((first_expiry - datetime.now(UTC)).total_seconds(), 0) + 10)
            expired_at = time.monotonic() - 10
            renew_round(run, 2, ROUND_2_KEYS)
            run.served_by_new_key_peer = served_certificate(net, NEW_KEY_PEER)
            run.endorsed_by_new_key_peer = endorse_through(net, NEW_KEY_PEER)
            run.chaincode_client_certs = chaincode_client_certs(net, NEW_KEY_PEER)
        run.acknowledged_after_expiry = sum(1 for t in run.traffic.acknowledged_at
                                            if t > expired_at)
        yield run


def test_round_one_renewed_every_identity_and_a_second_diff_finds_nothing(renewals: Renewals):
    assert all(reasons[0] for reasons in renewals.reasons.values()), renewals.reasons
    assert renewals.second_diff_changes == []
    changed_in_round_2 = sorted(n for n, r in renewals.reasons.items() if r[1])
    assert changed_in_round_2 == sorted([NEW_KEY_ROUND_2, NEW_KEY_PEER])
    print("\nseconds per node rotation:", {k: round(v, 1) for k, v in renewals.seconds.items()})
    print("config updates:", renewals.config_updates)


def public_key(pem: str) -> object:
    return x509.load_pem_x509_certificate(pem.encode()).public_key()


def test_new_keys_went_into_the_consenter_sets_and_same_keys_needed_none(renewals: Renewals):
    net, state, initial = renewals.net, renewals.state, renewals.initial_tls
    # A new key: one update per channel; the same key: none.
    assert renewals.config_updates == {
        f"{NEW_KEY_ROUND_1} round 1": 2, f"{SAME_KEY_ORDERER} round 1": 0,
        f"{NEW_KEY_ROUND_2} round 1": 0, f"{NEW_KEY_ROUND_2} round 2": 2}
    for name in (SAME_KEY_ORDERER, "peer1.org1.example.com", "Admin@org1.example.com"):
        assert public_key(state[name]["tls_cert"]) == public_key(initial[name])
        assert state[name]["tls_cert"] != initial[name]
    for name in (NEW_KEY_ROUND_1, NEW_KEY_ROUND_2):
        assert public_key(state[name]["tls_cert"]) != public_key(initial[name])
    for name, pems in renewals.pinned_after_round_1.items():
        # orderer1 and orderer2 ran on renewed certificates their channels did not pin.
        assert pems[SAME_KEY_ORDERER] == initial[SAME_KEY_ORDERER], name
        assert pems[NEW_KEY_ROUND_2] == initial[NEW_KEY_ROUND_2], name
        assert pems[NEW_KEY_ROUND_1] == state[NEW_KEY_ROUND_1]["tls_cert"], name
    executor = net.executor("Orderer")
    for channel in net.spec.channels:
        # orderer1's first certificate, expired, is still pinned: its renewed one has its key.
        assert pinned(net)[channel.name] == {
            cn: initial[cn] if cn == SAME_KEY_ORDERER else state[cn]["tls_cert"]
            for cn in channel.consenters}
        for cn in channel.consenters:
            info = orderer_channel(executor, f"{net.nodes[cn].admin_endpoint}", "example.com",
                                   channel.name)
            assert info is not None and info["consensusRelation"] == "consenter", (cn, info)
            assert info["status"] == "active", (cn, info)


def test_the_channel_kept_ordering_past_the_first_expiry_and_kept_every_write(
        renewals: Renewals):
    client = renewals.traffic
    kinds = Counter(re.sub(r"127\.0\.0\.1:[0-9]+", "<node>", f)[:110] for f in client.failures)
    print(f"\n{len(client.acknowledged)} writes acknowledged, {len(client.failures)} failed: "
          f"{dict(kinds)}")
    print(f"longest gap between acknowledged writes: {client.longest_gap():.1f} s; "
          f"{renewals.acknowledged_after_expiry} acknowledged after the first expiry")
    assert renewals.acknowledged_after_expiry > 0
    net = renewals.net
    expected = {key: key.rsplit("-", 1)[1] for key in client.acknowledged}
    for org_name in net.channel(CHANNEL).orgs:
        for node in net.spec.org(org_name).nodes:
            address = peer_address(net.addressing, node)
            assets = json.loads(query(net.executor(org_name), address, CHANNEL, CHAINCODE,
                                      "GetAllAssets", []))
            missing = {k: v for k, v in expected.items() if assets.get(k) != v}
            assert missing == {}, node.common_name


def test_the_peer_given_a_new_key_serves_it_and_endorses_and_commits(renewals: Renewals):
    """Round 2 ran after the peer's first certificate expired: a chaincode build
    kept from before would present that certificate to the chaincode server."""
    new = renewals.state[NEW_KEY_PEER]["tls_cert"]
    assert public_key(new) != public_key(renewals.initial_tls[NEW_KEY_PEER])
    assert renewals.served_by_new_key_peer == new
    assert renewals.endorsed_by_new_key_peer == ""
    assert renewals.chaincode_client_certs  # one build per chaincode it runs
    assert set(renewals.chaincode_client_certs) == {new}
    net = renewals.net
    org, node = net.spec.node(NEW_KEY_PEER)
    assets = json.loads(query(net.executor(org.name), peer_address(net.addressing, node),
                              CHANNEL, CHAINCODE, "GetAllAssets", []))
    assert assets["renewal-new-key-peer"] == "1"


def test_the_chaincode_servers_were_renewed_with_their_keys_and_serve_it(renewals: Renewals):
    assert renewals.servers.processes and all(
        renewals.reasons[key] == [True, False] for key in renewals.servers.processes)
    for key in renewals.servers.processes:
        renewed, initial = renewals.state[key]["cert"], renewals.initial_server_certs[key]
        assert renewed != initial and public_key(renewed) == public_key(initial), key
        assert renewals.served_by_servers[key] == renewed, key
