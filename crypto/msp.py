"""MSP and TLS folders as cryptogen lays them out, as ``{relative path: text}``
(Fabric's ``internal/cryptogen/msp``)."""

from __future__ import annotations

import functools

import yaml

from crypto.identities import (
    ADMIN_OU,
    CLIENT_OU,
    ORDERER_OU,
    PEER_OU,
    Identity,
    OrgCAs,
)
from network_spec import OrgSpec

KEY_FILE = "priv_sk"
"""cryptogen's name for every private key in ``ca/``, ``tlsca/`` and ``keystore/``."""
CONFIG_FILE = "config.yaml"


def cert_file_name(common_name: str) -> str:
    return f"{common_name}-cert.pem"


def node_ous_config(org: OrgSpec) -> str:
    """The ``config.yaml`` cryptogen writes into every MSP of an org with NodeOUs."""
    return _node_ous_yaml(f"cacerts/{cert_file_name(org.ca_common_name)}")


@functools.cache
def _node_ous_yaml(ca_file: str) -> str:
    """Rendered once per CA certificate file name: every MSP of an org holds
    the same text (one render per node and user otherwise, the program's only
    YAML dump per node)."""

    def identifier(ou: str) -> dict[str, str]:
        return {"Certificate": ca_file, "OrganizationalUnitIdentifier": ou}

    config = {
        "NodeOUs": {
            "Enable": True,
            "ClientOUIdentifier": identifier(CLIENT_OU),
            "PeerOUIdentifier": identifier(PEER_OU),
            "AdminOUIdentifier": identifier(ADMIN_OU),
            "OrdererOUIdentifier": identifier(ORDERER_OU),
        }
    }
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)


def previous_cert_file_name(common_name: str) -> str:
    """Sorts after ``cert_file_name``: configtxgen lists the current
    certificate first."""
    return f"{common_name}-previous-cert.pem"


def _verifying_files(
    org: OrgSpec, cas: OrgCAs, admin_cert_name: str, admin_cert_pem: str,
    previous_admin_cert_pem: str = "",
) -> dict[str, str]:
    files = {
        f"cacerts/{cert_file_name(org.ca_common_name)}": cas.ca.cert_pem,
        f"tlscacerts/{cert_file_name(org.tlsca_common_name)}": cas.tlsca.cert_pem,
    }
    if org.enable_node_ous:
        files[CONFIG_FILE] = node_ous_config(org)
    else:
        files[f"admincerts/{cert_file_name(admin_cert_name)}"] = admin_cert_pem
        if previous_admin_cert_pem and previous_admin_cert_pem != admin_cert_pem:
            files[f"admincerts/{previous_cert_file_name(admin_cert_name)}"] = (
                previous_admin_cert_pem)
    return files


def org_msp_files(
    org: OrgSpec, cas: OrgCAs, admin_cert_pem: str, previous_admin_cert_pem: str = ""
) -> dict[str, str]:
    """The org's verifying MSP (``<org>/msp/``, the one channel configs hold), with
    paths relative to that folder: CA and TLS CA certificates, then either
    ``config.yaml`` (NodeOUs) or the Admin's certificate in ``admincerts/``,
    and beside it the one a renewal replaced (``previous_admin_cert_pem``, when
    it differs: the channels name both, see ``fabric_ops.admin_cert_rotation``).
    No keystore, no signcerts."""
    return _verifying_files(org, cas, org.admin_name, admin_cert_pem, previous_admin_cert_pem)


def identity_files(
    org: OrgSpec, cas: OrgCAs, identity: Identity, admin_cert_pem: str,
    previous_admin_cert_pem: str = "",
) -> dict[str, str]:
    """An identity's folder: ``msp/...`` and ``tls/...``.

    Without NodeOUs, ``msp/admincerts/`` holds the Admin's certificate for nodes
    and the Admin, but a ``UserN``'s own certificate for that user: cryptogen
    copies the Admin's certificate only into the org MSP and the nodes' MSPs, and
    leaves each user's own certificate there. The nodes and the Admin also
    list ``previous_admin_cert_pem`` (see ``org_msp_files``)."""
    if identity.node_ou == CLIENT_OU:
        admin_name, admin_pem, previous = identity.common_name, identity.sign.cert_pem, ""
    else:
        admin_name, admin_pem = org.admin_name, admin_cert_pem
        previous = previous_admin_cert_pem
    files = {
        f"msp/{path}": text
        for path, text in _verifying_files(org, cas, admin_name, admin_pem, previous).items()
    }
    files[f"msp/signcerts/{cert_file_name(identity.common_name)}"] = identity.sign.cert_pem
    files[f"msp/keystore/{KEY_FILE}"] = identity.sign.key_pem
    prefix = "server" if identity.server else "client"
    files["tls/ca.crt"] = cas.tlsca.cert_pem
    files[f"tls/{prefix}.crt"] = identity.tls.cert_pem
    files[f"tls/{prefix}.key"] = identity.tls.key_pem
    return files
