"""The network material a backup carries besides the node volumes: every org's
crypto in cryptogen's layout (CA and node private keys included) and the spec
files that define its channels and chaincodes, sealed with the stack's backup
passphrase before it leaves the program. Unsealed (``python -m backup unseal``)
it is a ``fabric:cryptoDir`` for a stack that restores into a new cluster."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from backup.archive import pack_files
from backup.keys import KdfParams, derive_keys
from backup.sealed import seal
from crypto import KeyPair, OrgCAs, OrgCrypto, org_dir, org_tree_files
from crypto.identities import Identity
from fabric_components.crypto_material import CaMaterial, CryptoSource, IdentityMaterial
from network_spec import NetworkSpec, NodeSpec, OrgSpec


@dataclass
class RecordingCrypto:
    """A crypto source that remembers what it handed out, so the material of
    every org can be gathered after the components are built."""

    inner: CryptoSource
    cas_of: dict[str, CaMaterial] = field(default_factory=dict)
    nodes: dict[str, dict[str, IdentityMaterial]] = field(default_factory=dict)
    users: dict[str, dict[str, IdentityMaterial]] = field(default_factory=dict)
    admins: dict[str, IdentityMaterial] = field(default_factory=dict)

    def cas(self, org: OrgSpec, opts: pulumi.ResourceOptions) -> CaMaterial:
        self.cas_of[org.name] = self.inner.cas(org, opts)
        return self.cas_of[org.name]

    def node(
        self, org: OrgSpec, cas: CaMaterial, node: NodeSpec, opts: pulumi.ResourceOptions
    ) -> IdentityMaterial:
        material = self.inner.node(org, cas, node, opts)
        self.nodes.setdefault(org.name, {})[node.common_name] = material
        return material

    def user(
        self, org: OrgSpec, cas: CaMaterial, name: str, admin: bool,
        opts: pulumi.ResourceOptions,
    ) -> IdentityMaterial:
        material = self.inner.user(org, cas, name, admin, opts)
        if admin:
            self.admins[org.name] = material
        else:
            self.users.setdefault(org.name, {})[name] = material
        return material


def _identity(material: IdentityMaterial) -> pulumi.Output[Identity]:
    fields = [material.sign_cert, material.sign_key, material.tls_cert, material.tls_key]
    return pulumi.Output.all(*fields).apply(lambda v: Identity(
        material.common_name, material.node_ou, KeyPair(v[0], v[1]), KeyPair(v[2], v[3]),
        material.server))


def _org_crypto(org: OrgSpec, recorded: RecordingCrypto) -> pulumi.Output[OrgCrypto]:
    cas = recorded.cas_of[org.name]
    nodes = recorded.nodes.get(org.name, {})
    users = recorded.users.get(org.name, {})

    def build(values: list[Any]) -> OrgCrypto:
        ca, ca_key, tlsca, tlsca_key, admin, *rest = values
        node_identities = dict(zip(nodes, rest[:len(nodes)], strict=True))
        return OrgCrypto(org, OrgCAs(KeyPair(ca, ca_key), KeyPair(tlsca, tlsca_key)),
                         node_identities, admin, tuple(rest[len(nodes):]))

    return pulumi.Output.all(
        cas.ca_cert, cas.ca_key, cas.tlsca_cert, cas.tlsca_key,
        _identity(recorded.admins[org.name]),
        *(_identity(m) for m in nodes.values()), *(_identity(m) for m in users.values()),
    ).apply(build)


def material_files(orgs: list[OrgCrypto], spec_files: dict[str, bytes]) -> dict[str, bytes]:
    """``crypto/<org tree>/...`` for every org and ``network/<spec file>``."""
    files = {f"network/{name}": data for name, data in spec_files.items()}
    for crypto in orgs:
        for path, text in org_tree_files(crypto).items():
            files[f"crypto/{org_dir(crypto.org)}/{path}"] = text.encode("utf-8")
    return files


def sealed_material(
    spec: NetworkSpec, recorded: RecordingCrypto, spec_paths: list[str],
    passphrase: pulumi.Input[str], params: pulumi.Output[KdfParams],
) -> pulumi.Output[str]:
    """The sealed bundle, base64 (a secret), under the backup's scrypt salt and
    cost ``params``."""
    spec_files = {Path(p).name: Path(p).read_bytes() for p in spec_paths}
    orgs = [_org_crypto(org, recorded) for org in spec.orgs]

    def sealed(values: list[Any]) -> str:
        phrase, kdf, *crypto = values
        bundle = pack_files(material_files(crypto, spec_files))
        return base64.b64encode(seal(bundle, kdf, derive_keys(phrase, kdf))).decode("ascii")

    return pulumi.Output.secret(pulumi.Output.all(passphrase, params, *orgs).apply(sealed))
