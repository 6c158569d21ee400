"""The consortium folder from the command line, for orgs that share only a git
repository.

    python -m fabric_ops.consortium card FOLDER CRYPTO_CONFIG CRYPTO_DIR ORG CN=HOST:PORT...
    python -m fabric_ops.consortium status FOLDER
    python -m fabric_ops.consortium verify FOLDER PROPOSAL

``card`` writes ``FOLDER/orgs/<MSP ID>.yaml`` for org ORG of CRYPTO_CONFIG from
the public half of its cryptogen directory CRYPTO_DIR (no key is read out),
each node reached at the address given for its common name; the first peer is
the anchor. ``status`` prints each proposal's signatures and what is missing.
``verify`` checks every signature of PROPOSAL against its signer's card and
exits 1 if one does not hold. Errors are one line, exit 1."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from crypto import read_org_tree
from fabric_ops.consortium.card import build_card, read_card, write_card
from fabric_ops.consortium.proposal import (
    META_FILE,
    PROPOSALS_DIR,
    ProposalError,
    describe,
    load_proposal,
    status,
)
from fabric_ops.consortium.signing import SignatureError, verify_signature
from network_spec import OrgKind, SpecError
from network_spec.crypto_config import load_crypto_config


def _card(folder: Path, crypto_config: str, crypto_dir: Path, org_name: str,
          addresses: Sequence[str]) -> int:
    spec = load_crypto_config(crypto_config)
    org = next((o for o in (*spec.orderer_orgs, *spec.peer_orgs) if o.name == org_name), None)
    if org is None:
        raise SpecError(crypto_config, "", f"no org {org_name!r}")
    given = dict(entry.split("=", 1) for entry in addresses if "=" in entry)
    missing = [n.common_name for n in org.nodes if n.common_name not in given]
    if missing:
        raise SpecError("command line", "addresses", f"no address for {', '.join(missing)}")
    crypto = read_org_tree(crypto_dir, org)
    anchors = [org.nodes[0].common_name] if org.kind is OrgKind.PEER and org.nodes else []
    tls = {cn: identity.tls.cert_pem for cn, identity in crypto.nodes.items()}
    sign = {cn: identity.sign.cert_pem for cn, identity in crypto.nodes.items()}
    path = write_card(folder, build_card(org, crypto.cas.ca.cert_pem, crypto.cas.tlsca.cert_pem,
                                         crypto.admin.sign.cert_pem, given, tls, anchors, sign))
    print(path)
    return 0


def _status(folder: Path) -> int:
    for meta in sorted((folder / PROPOSALS_DIR).glob(f"*/{META_FILE}")):
        proposal = load_proposal(folder, meta.parent.name)
        print(describe(proposal, status(proposal, lambda msp: read_card(folder, msp))))
    return 0


def _verify(folder: Path, name: str) -> int:
    proposal = load_proposal(folder, name)
    failed = 0
    for msp, path in proposal.signature_files().items():
        try:
            verify_signature(path.read_bytes(), proposal.envelope, read_card(folder, msp))
            print(f"{path}: signed by an admin of {msp}")
        except (SignatureError, SpecError) as error:
            print(f"{path}: REFUSED: {error}")
            failed += 1
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fabric_ops.consortium")
    commands = parser.add_subparsers(dest="command", required=True)
    card = commands.add_parser("card", help="write an org's public card")
    card.add_argument("folder", type=Path)
    card.add_argument("crypto_config")
    card.add_argument("crypto_dir", type=Path)
    card.add_argument("org")
    card.add_argument("addresses", nargs="+", metavar="CN=HOST:PORT")
    shown = commands.add_parser("status", help="each proposal's signatures")
    shown.add_argument("folder", type=Path)
    checked = commands.add_parser("verify", help="check a proposal's signatures")
    checked.add_argument("folder", type=Path)
    checked.add_argument("proposal")
    args = parser.parse_args(argv)
    try:
        if args.command == "card":
            return _card(args.folder, args.crypto_config, args.crypto_dir, args.org,
                         args.addresses)
        if args.command == "status":
            return _status(args.folder)
        return _verify(args.folder, args.proposal)
    except (SpecError, ProposalError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
