"""Writing an org's crypto to disk in cryptogen's layout, and reading an existing
cryptogen output directory back (to bring your own crypto). The only module of
the package that does I/O."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from crypto.identities import (
    ADMIN_OU,
    CLIENT_OU,
    Identity,
    OrgCAs,
    OrgCrypto,
    node_ou,
    user_names,
)
from crypto.keypair import KeyPair, load_ec_private_key
from crypto.layout import is_private_key, node_dir, org_dir, org_tree_dirs, org_tree_files, user_dir
from crypto.msp import KEY_FILE, cert_file_name
from network_spec import OrgSpec, SpecError

PRIVATE_MODE = 0o600


def _write(path: Path, text: str, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = PRIVATE_MODE if private else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as file:
        os.fchmod(file.fileno(), mode)  # also when the file existed with another mode
        file.write(text.encode("utf-8"))


def write_org_tree(crypto: OrgCrypto, root: Path) -> Path:
    """Write the org's files under ``root`` as cryptogen does, private keys with mode
    0600, and return the org's folder (``root/peerOrganizations/<domain>`` or
    ``root/ordererOrganizations/<domain>``). Existing files of the tree are
    overwritten; other files already there are left alone."""
    base = root / org_dir(crypto.org)
    for folder in org_tree_dirs(crypto):
        (base / folder).mkdir(parents=True, exist_ok=True)
    for relative, text in org_tree_files(crypto).items():
        _write(base / relative, text, private=is_private_key(relative))
    return base


def _public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


class _TreeReader:
    """Reads one org's folder; every problem becomes a ``SpecError`` naming the file."""

    def __init__(self, root: Path, org: OrgSpec, now: datetime) -> None:
        self.org = org
        self.base = root / org_dir(org)
        self.now = now

    def fail(self, path: Path, what: str, problem: str) -> SpecError:
        org = self.org
        return SpecError(
            file=str(path), path="", message=f"org {org.name} ({org.domain}), {what}: {problem}"
        )

    def missing(self, path: Path, what: str, candidates: list[Path] | None = None) -> SpecError:
        folder = path.parent
        if not folder.is_dir():
            missing = folder
            while not missing.parent.is_dir():
                missing = missing.parent
            return self.fail(path, what, f"missing file (no folder {missing})")
        if candidates:
            names = ", ".join(p.name for p in candidates)
            return self.fail(
                path, what, f"missing file, and several candidates in {folder}: {names}"
            )
        return self.fail(path, what, "missing file")

    def locate(self, path: Path, pattern: str, what: str) -> Path:
        """``path``, or the only file of its folder matching ``pattern``."""
        if path.is_file():
            return path
        folder = path.parent
        candidates = (
            sorted(p for p in folder.glob(pattern) if p.is_file()) if folder.is_dir() else []
        )
        if len(candidates) == 1:
            return candidates[0]
        raise self.missing(path, what, candidates)

    def text(self, path: Path, what: str) -> str:
        if not path.is_file():
            raise self.missing(path, what)
        try:
            return path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise self.fail(path, what, f"cannot read the file: {error}") from None

    def cert(self, path: Path, what: str) -> tuple[str, x509.Certificate]:
        pem = self.text(path, what)
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except ValueError:
            raise self.fail(path, what, "not a PEM certificate") from None
        if cert.not_valid_after_utc <= self.now:
            raise self.fail(path, what, f"expired on {_iso(cert.not_valid_after_utc)}")
        if cert.not_valid_before_utc > self.now:
            raise self.fail(path, what, f"not valid before {_iso(cert.not_valid_before_utc)}")
        return pem, cert

    def key_pair(self, cert_path: Path, key_path: Path, what: str) -> KeyPair:
        cert_pem, cert = self.cert(cert_path, f"{what} certificate")
        key_pem = self.text(key_path, f"{what} private key")
        try:
            key = load_ec_private_key(key_pem)
        except (ValueError, TypeError):
            # Not the parser's message: it could quote the file, which holds a key.
            raise self.fail(key_path, f"{what} private key", "not a PEM EC private key") from None
        public = cert.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise self.fail(cert_path, f"{what} certificate", "holds no ECDSA public key")
        if _public_bytes(public) != _public_bytes(key.public_key()):
            raise self.fail(key_path, f"{what} private key", f"does not match {cert_path}")
        return KeyPair(cert_pem, key_pem)

    def check_common_name(self, pair: KeyPair, common_name: str, cert_path: Path,
                          what: str) -> None:
        """A certificate of another identity (files copied from another node) would
        give this one that identity."""
        names = pair.certificate().subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        found = [str(attribute.value) for attribute in names]
        if found != [common_name]:
            held = f"CN={found[0]}" if found else "no CN"
            raise self.fail(cert_path, what, f"has {held}, not CN={common_name}: it is the "
                            "certificate of another identity")

    def check_issued(
        self, pair: KeyPair, issuer: KeyPair, cert_path: Path, what: str, problem: str
    ) -> None:
        try:
            pair.certificate().verify_directly_issued_by(issuer.certificate())
        except (ValueError, TypeError, InvalidSignature):
            raise self.fail(cert_path, what, problem) from None

    def ca(self, folder: str, common_name: str, what: str) -> KeyPair:
        cert_path = self.locate(
            self.base / folder / cert_file_name(common_name), "*.pem", f"{what} certificate"
        )
        key_path = self.locate(self.base / folder / KEY_FILE, "*_sk", f"{what} private key")
        pair = self.key_pair(cert_path, key_path, what)
        self.check_issued(pair, pair, cert_path, f"{what} certificate", "not self-signed")
        self.check_common_name(pair, common_name, cert_path, f"{what} certificate")
        return pair

    def identity(
        self, cas: OrgCAs, folder: Path, common_name: str, ou: str, server: bool, what: str
    ) -> Identity:
        msp = folder / "msp"
        cert_path = self.locate(
            msp / "signcerts" / cert_file_name(common_name), "*.pem", f"{what} certificate"
        )
        key_path = self.locate(msp / "keystore" / KEY_FILE, "*_sk", f"{what} private key")
        sign = self.key_pair(cert_path, key_path, what)
        self.check_issued(
            sign, cas.ca, cert_path, f"{what} certificate", "not issued by the org's CA"
        )
        self.check_common_name(sign, common_name, cert_path, f"{what} certificate")
        if self.org.enable_node_ous:
            ous = sign.certificate().subject.get_attributes_for_oid(
                NameOID.ORGANIZATIONAL_UNIT_NAME
            )
            if ou not in [attribute.value for attribute in ous]:
                raise self.fail(
                    cert_path,
                    f"{what} certificate",
                    f"has no OU={ou}, which the org's NodeOUs (EnableNodeOUs) require",
                )
        prefix = "server" if server else "client"
        tls_cert = folder / "tls" / f"{prefix}.crt"
        tls = self.key_pair(tls_cert, folder / "tls" / f"{prefix}.key", f"{what} TLS")
        self.check_issued(
            tls, cas.tlsca, tls_cert, f"{what} TLS certificate", "not issued by the org's TLS CA"
        )
        self.check_common_name(tls, common_name, tls_cert, f"{what} TLS certificate")
        return Identity(common_name, ou, sign, tls, server)

    def read(self) -> OrgCrypto:
        org = self.org
        if not self.base.is_dir():
            raise self.fail(self.base, "crypto material", "missing folder")
        cas = OrgCAs(
            ca=self.ca("ca", org.ca_common_name, "CA"),
            tlsca=self.ca("tlsca", org.tlsca_common_name, "TLS CA"),
        )
        ou = node_ou(org)
        nodes: dict[str, Identity] = {}
        for node in org.nodes:
            if node.common_name not in nodes:
                folder = self.base / node_dir(org, node.common_name)
                what = f"{ou} {node.common_name}"
                nodes[node.common_name] = self.identity(
                    cas, folder, node.common_name, ou, True, what
                )

        def user(name: str, user_ou: str) -> Identity:
            folder = self.base / user_dir(name)
            return self.identity(cas, folder, name, user_ou, False, f"user {name}")

        return OrgCrypto(
            org=org,
            cas=cas,
            nodes=MappingProxyType(nodes),
            admin=user(org.admin_name, ADMIN_OU),
            users=tuple(user(name, CLIENT_OU) for name in user_names(org)),
        )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def read_org_tree(root: Path, org: OrgSpec, now: datetime | None = None) -> OrgCrypto:
    """Read the org's crypto from a cryptogen output folder ``root`` (the one that
    holds ``peerOrganizations``/``ordererOrganizations``).

    Key files may be named ``priv_sk`` (cryptogen 2.x) or be the only ``*_sk``
    file of their folder (older cryptogen); a sign certificate may be the only
    ``*.pem`` of ``signcerts/``. Each certificate must match its key and be issued
    by the org's CA (sign certificates) or TLS CA (TLS certificates); with NodeOUs,
    sign certificates must carry their node OU. Every certificate must be valid at
    ``now`` (default: the current time) and carry the common name of the identity
    whose folder holds it. Any problem raises ``SpecError`` naming the file; no
    message quotes a file's content."""
    return _TreeReader(root, org, now or datetime.now(UTC)).read()
