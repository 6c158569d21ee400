"""A local network manifest (``fabric:localNetwork``) that is malformed or does
not fit the stack stops the program with the stack key, the manifest and the
field named, instead of a KeyError or AttributeError during registration."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from fabric_nodes.local_network import LocalNetworkManifest, StaticAddressing, load_manifest
from fabric_nodes.node_settings import OrdererPorts, PeerPorts
from fabric_ops.executor import AdminPaths
from fabric_ops.executor_config import local_executor_config, pod_executor_config
from network_spec import NetworkSpec, OrgKind, SpecError
from network_spec.load import load_network
from tests.components.program import ROOT

SAMPLE = ROOT / "samples" / "simple"


@pytest.fixture(scope="module")
def spec() -> NetworkSpec:
    return load_network(SAMPLE / "crypto-config.yaml", SAMPLE / "network.yaml")


def good_manifest(spec: NetworkSpec, crypto_dir: Path) -> dict[str, Any]:
    """The manifest a local network of ``spec`` writes, as parsed JSON."""
    paths = AdminPaths("/admin", "/tls-cas")
    peers = [n.common_name for o in spec.orgs if o.kind is OrgKind.PEER for n in o.nodes]
    orderers = [n.common_name for o in spec.orgs if o.kind is OrgKind.ORDERER for n in o.nodes]
    executors = {org.name: local_executor_config("/bin", {"A": "1"}, paths)
                 for org in spec.orgs}
    executors[spec.orgs[0].name] = pod_executor_config("ns", "app=x", paths)
    manifest = LocalNetworkManifest(
        StaticAddressing({cn: PeerPorts(7000 + i, 8000 + i, 9000 + i)
                          for i, cn in enumerate(peers)},
                         {cn: OrdererPorts(6000 + i, 6100 + i, 6200 + i)
                          for i, cn in enumerate(orderers)}),
        executors, str(crypto_dir), {"basic/Org1": "127.0.0.1:9999"},
    )
    data: dict[str, Any] = json.loads(manifest.to_json())
    return data


def load(tmp_path: Path, spec: NetworkSpec, data: object,
         crypto_dir: str | None = None) -> LocalNetworkManifest:
    manifest = tmp_path / "network.json"
    manifest.write_text(json.dumps(data))
    return load_manifest(str(manifest), "Pulumi.dev.yaml", spec,
                         str(tmp_path / "crypto") if crypto_dir is None else crypto_dir)


def test_the_manifest_a_local_network_writes_loads(tmp_path, spec):
    data = good_manifest(spec, tmp_path / "crypto")
    loaded = load(tmp_path, spec, data)
    assert loaded.to_json() == json.dumps(data, indent=2, sort_keys=True)
    assert loaded.addressing.peer_ports(spec.node("peer0.org1.example.com")[1]).peer == 7000


def first_peer(data: dict[str, Any]) -> dict[str, Any]:
    return data["peers"]["peer0.org1.example.com"]


Mutation = Callable[[dict[str, Any]], object]
"""Returns the manifest data to write."""


def inplace(change: Callable[[dict[str, Any]], object]) -> Mutation:
    """A mutation that changes the data in place."""
    def mutate(data: dict[str, Any]) -> object:
        change(data)
        return data
    return mutate

CASES: list[tuple[str, Mutation, str]] = [
    ("not-a-mapping", lambda d: [d], "expected a mapping with keys peers, orderers, executors, "
     "crypto_dir, chaincode_servers, got a list"),
    ("peers-a-list", lambda d: d | {"peers": list(d["peers"])}, "peers: expected a mapping, "
     "got a list"),
    ("missing-orderers", lambda d: {k: v for k, v in d.items() if k != "orderers"},
     "missing required key 'orderers'"),
    ("unknown-key", lambda d: d | {"peer": {}}, "unknown key 'peer' (did you mean 'peers'?); "
     "allowed keys: peers, orderers, executors, crypto_dir, chaincode_servers"),
    ("port-a-string", inplace(lambda d: first_peer(d).update(peer="7051")),
     "peers.peer0.org1.example.com.peer: expected an integer, got a string ('7051')"),
    ("port-out-of-range", inplace(lambda d: first_peer(d).update(operations=70000)),
     "peers.peer0.org1.example.com.operations: must be a port from 1 to 65535, got 70000"),
    ("port-missing", inplace(lambda d: first_peer(d).pop("chaincode")),
     "peers.peer0.org1.example.com: missing required key 'chaincode'"),
    ("node-missing", inplace(lambda d: d["orderers"].clear()),
     "orderers: no ports for node orderer0.example.com of org 'Orderer': the manifest is of "
     "another network"),
    ("executor-missing", inplace(lambda d: d["executors"].pop("Org2")),
     "executors: no executor for org 'Org2'"),
    ("executor-kind-unknown", inplace(lambda d: d["executors"]["Org1"].update(kind="ssh")),
     "executors.Org1.kind: must be one of local, pod, got 'ssh'"),
    ("executor-without-paths", inplace(lambda d: d["executors"]["Org1"].pop("paths")),
     "executors.Org1: missing required key 'paths'"),
    ("pod-executor-with-local-keys",
     inplace(lambda d: d["executors"]["Orderer"].update(bin_dir="/b")),
     "executors.Orderer: unknown key 'bin_dir'; allowed keys: kind, namespace, deployment, "
     "kubeconfig, context, paths"),
    ("env-value-a-number", inplace(lambda d: d["executors"]["Org1"]["env"].update(A=1)),
     "executors.Org1.env.A: expected a string, got an integer (1); put it in quotes: \"1\""),
    ("chaincode-server-of-unknown-pair", inplace(lambda d: d["chaincode_servers"].update(
        {"basic/Org3": "127.0.0.1:1"})), "chaincode_servers.basic/Org3: no chaincode/org pair "
     "of network.yaml; they are basic/Org1, basic/Org2"),
]


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_malformed_manifest_names_its_field(tmp_path, spec, mutate, message):
    with pytest.raises(SpecError) as error:
        load(tmp_path, spec, mutate(good_manifest(spec, tmp_path / "crypto")))
    assert str(error.value) == (
        f"Pulumi.dev.yaml: fabric:localNetwork: {tmp_path / 'network.json'}: {message}"
    )


def test_a_manifest_of_other_crypto_is_refused(tmp_path, spec):
    data = good_manifest(spec, tmp_path / "elsewhere")
    with pytest.raises(SpecError) as error:
        load(tmp_path, spec, data)
    assert str(error.value) == (
        f"Pulumi.dev.yaml: fabric:localNetwork: {tmp_path / 'network.json'}: crypto_dir: "
        f"'{tmp_path / 'elsewhere'}' is not the stack's fabric:cryptoDir "
        f"('{tmp_path / 'crypto'}'): the channels would be configured with other crypto than "
        "the running nodes'; set fabric:cryptoDir to it"
    )


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not JSON: Expecting property name enclosed in double quotes: line 1 column 2 "
     "(char 1)"),
    (None, "cannot read the file: No such file or directory"),
])
def test_an_unreadable_manifest_is_refused(tmp_path, spec, text, message):
    manifest = tmp_path / "network.json"
    if text is not None:
        manifest.write_text(text)
    with pytest.raises(SpecError) as error:
        load_manifest(str(manifest), "Pulumi.dev.yaml", spec, "")
    assert str(error.value) == f"Pulumi.dev.yaml: fabric:localNetwork: {manifest}: {message}"


def test_a_manifest_path_at_a_private_key_quotes_none_of_it(tmp_path, spec):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    manifest = tmp_path / "network.json"
    manifest.write_text(pem)
    with pytest.raises(SpecError) as error:
        load_manifest(str(manifest), "Pulumi.dev.yaml", spec, "")
    assert str(error.value) == (
        f"Pulumi.dev.yaml: fabric:localNetwork: {manifest}: holds a PEM private key (not "
        "shown); check the path, and keep keys out of this file"
    )
