"""One org of a consortium on real local nodes: its own harness in its own
folder (its keys nowhere else), its card written to the shared consortium
folder, the other orgs' TLS CAs taken from their cards."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.consortium.card import OrgCard, build_card, read_card, write_card
from fabric_ops.local_executor import LocalExecutor
from localnet import FabricRelease, LocalNetwork
from localnet.network import load_spec_dir
from network_spec import OrgKind, OrgSpec

KEY_MARKER = "PRIVATE KEY"


def org_entry(kind: OrgKind, name: str, domain: str, orderers: int = 1) -> dict[str, object]:
    entry: dict[str, object] = {"Name": name, "Domain": domain, "EnableNodeOUs": True}
    if kind is OrgKind.ORDERER:
        entry["Specs"] = [{"Hostname": f"orderer{i}"} for i in range(orderers)]
    else:
        entry.update({"Template": {"Count": 1}, "Users": {"Count": 1}})
    return entry


@dataclass
class ConsortiumOrg:
    """An org's own side: what its stack holds and does."""

    net: LocalNetwork
    folder: Path
    """The consortium folder, the only thing shared."""

    @classmethod
    def start(cls, kind: OrgKind, name: str, domain: str, workdir: Path, folder: Path,
              release: FabricRelease, orderers: int = 1) -> ConsortiumOrg:
        spec_dir = workdir / "spec"
        spec_dir.mkdir(parents=True)
        section = "OrdererOrgs" if kind is OrgKind.ORDERER else "PeerOrgs"
        (spec_dir / "crypto-config.yaml").write_text(
            yaml.safe_dump({section: [org_entry(kind, name, domain, orderers)]}))
        (spec_dir / "network.yaml").write_text("channels: []\n")
        net = LocalNetwork.start(load_spec_dir(spec_dir), workdir / "net", release)
        return cls(net, folder)

    @property
    def org(self) -> OrgSpec:
        return self.net.spec.orgs[0]

    @property
    def msp_id(self) -> str:
        return self.org.msp_id

    def publish_card(self) -> Path:
        crypto = self.net.crypto[self.org.name]
        addresses = {cn: node.endpoint for cn, node in self.net.nodes.items()}
        tls = {cn: identity.tls.cert_pem for cn, identity in crypto.nodes.items()}
        sign = {cn: identity.sign.cert_pem for cn, identity in crypto.nodes.items()}
        anchors = [self.org.nodes[0].common_name] if self.org.kind is OrgKind.PEER else []
        return write_card(self.folder, build_card(
            self.org, crypto.cas.ca.cert_pem, crypto.cas.tlsca.cert_pem,
            crypto.admin.sign.cert_pem, addresses, tls, anchors, sign))

    def card(self, msp_id: str) -> OrgCard:
        """Another org's checked card; its TLS CA becomes known to this org's admin."""
        card = read_card(self.folder, msp_id)
        (self.net.tls_ca_dir / f"{card.domain}.pem").write_text(card.tls_ca_cert)
        return card

    @property
    def executor(self) -> LocalExecutor:
        return self.net.executor(self.org.name)

    @property
    def peers(self) -> list[str]:
        return [node.endpoint for node in self.net.nodes.values()]

    def private_keys(self) -> list[str]:
        """Every private key this org's harness holds, as PEM text."""
        keys = []
        for path in self.net.workdir.rglob("*"):
            if path.is_file() and path.suffix in ("", ".key") and path.stat().st_size < 8192:
                text = path.read_text(errors="replace")
                if KEY_MARKER in text:
                    keys.append(text.strip())
        return keys


def orderer_of(card: OrgCard) -> Orderer:
    return Orderer(card.nodes[0].address, card.domain)


def files_holding(root: Path, secrets: list[str]) -> list[Path]:
    """Files under ``root`` that contain any of ``secrets`` (the base64 body of a
    PEM key, so a re-wrapped or embedded copy is found too)."""
    bodies = ["".join(s.splitlines()[1:-1]).encode() for s in secrets]
    bodies += [s.splitlines()[1].encode() for s in secrets]
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(body in data for body in bodies):
                found.append(path)
    return found


def consortium_spec(folder: Path, orgs: list[tuple[OrgKind, str, str]],
                    network_yaml: str) -> tuple[Path, Path]:
    """crypto-config.yaml listing every org of the consortium as the harnesses
    run them, and ``network_yaml`` as network.yaml (an org stack's repository)."""
    folder.mkdir(parents=True, exist_ok=True)
    document: dict[str, list[dict[str, object]]] = {"OrdererOrgs": [], "PeerOrgs": []}
    for kind, name, domain in orgs:
        section = "OrdererOrgs" if kind is OrgKind.ORDERER else "PeerOrgs"
        document[section].append(org_entry(kind, name, domain))
    crypto_config, network = folder / "crypto-config.yaml", folder / "network.yaml"
    crypto_config.write_text(yaml.safe_dump(document))
    network.write_text(network_yaml)
    return crypto_config, network
