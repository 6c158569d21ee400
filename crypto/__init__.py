"""cryptogen's crypto material (CAs, MSPs, TLS), computed in Python with the
``cryptography`` package: pure functions, except ``tree`` which writes and reads
cryptogen's folder layout. No Pulumi imports here."""

from crypto.certificates import create_ca, issue_sign_cert, issue_tls_cert, not_before
from crypto.identities import (
    Identity,
    OrgCAs,
    OrgCrypto,
    generate_org,
    issue_node,
    issue_user,
    new_org_cas,
)
from crypto.keypair import KeyPair
from crypto.layout import org_dir, org_tree_files
from crypto.msp import identity_files, node_ous_config, org_msp_files
from crypto.tree import read_org_tree, write_org_tree

__all__ = [
    "Identity",
    "KeyPair",
    "OrgCAs",
    "OrgCrypto",
    "create_ca",
    "generate_org",
    "identity_files",
    "issue_node",
    "issue_sign_cert",
    "issue_tls_cert",
    "issue_user",
    "new_org_cas",
    "node_ous_config",
    "not_before",
    "org_dir",
    "org_msp_files",
    "org_tree_files",
    "read_org_tree",
    "write_org_tree",
]
