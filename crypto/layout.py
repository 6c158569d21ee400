"""Where cryptogen puts an org's files under its output directory."""

from __future__ import annotations

from pathlib import PurePosixPath

from crypto.identities import OrgCrypto
from crypto.msp import KEY_FILE, cert_file_name, identity_files, org_msp_files
from network_spec import OrgKind, OrgSpec

ORGS_FOLDER = {OrgKind.PEER: "peerOrganizations", OrgKind.ORDERER: "ordererOrganizations"}
NODES_FOLDER = {OrgKind.PEER: "peers", OrgKind.ORDERER: "orderers"}
USERS_FOLDER = "users"


def org_dir(org: OrgSpec) -> PurePosixPath:
    """``peerOrganizations/<domain>`` or ``ordererOrganizations/<domain>``."""
    return PurePosixPath(ORGS_FOLDER[org.kind], org.domain)


def node_dir(org: OrgSpec, common_name: str) -> PurePosixPath:
    """A node's folder relative to the org's: ``peers/<CN>`` or ``orderers/<CN>``."""
    return PurePosixPath(NODES_FOLDER[org.kind], common_name)


def user_dir(name: str) -> PurePosixPath:
    return PurePosixPath(USERS_FOLDER, name)


def is_private_key(path: str) -> bool:
    """Whether a path of the tree holds a private key (written with mode 0600)."""
    name = PurePosixPath(path).name
    return name.endswith("_sk") or name.endswith(".key")


def org_tree_files(crypto: OrgCrypto) -> dict[str, str]:
    """Every file of the org's cryptogen tree, relative to ``org_dir(org)``."""
    org, cas = crypto.org, crypto.cas
    admin_pem, previous = crypto.admin.sign.cert_pem, crypto.previous_admin_cert
    files = {
        f"ca/{cert_file_name(org.ca_common_name)}": cas.ca.cert_pem,
        f"ca/{KEY_FILE}": cas.ca.key_pem,
        f"tlsca/{cert_file_name(org.tlsca_common_name)}": cas.tlsca.cert_pem,
        f"tlsca/{KEY_FILE}": cas.tlsca.key_pem,
    }
    files.update({f"msp/{p}": t for p, t in org_msp_files(org, cas, admin_pem, previous).items()})
    folders = [(node_dir(org, cn), identity) for cn, identity in crypto.nodes.items()]
    folders += [(user_dir(u.common_name), u) for u in (crypto.admin, *crypto.users)]
    for folder, identity in folders:
        for path, text in identity_files(org, cas, identity, admin_pem, previous).items():
            files[f"{folder}/{path}"] = text
    return files


def org_tree_dirs(crypto: OrgCrypto) -> list[str]:
    """Folders cryptogen creates even when empty: each MSP's ``admincerts/``."""
    org = crypto.org
    msps = ["msp"]
    msps += [f"{node_dir(org, cn)}/msp" for cn in crypto.nodes]
    msps += [f"{user_dir(u.common_name)}/msp" for u in (crypto.admin, *crypto.users)]
    return [f"{msp}/admincerts" for msp in msps]
