"""Check a backup, or open its sealed network material.

    python -m backup verify STORE KEY
    python -m backup unseal SEALED_FILE OUT_DIR

``verify`` downloads every object of backup KEY from STORE (a local directory,
or ``azure://<container>`` with the account's connection string in
AZURE_STORAGE_CONNECTION_STRING) and checks it against the manifest.
``unseal`` opens a ``network.sealed`` object (from a local store, or downloaded
with ``az storage blob download``)
with the passphrase in ``FABRIC_BACKUP_PASSPHRASE`` and unpacks it into
OUT_DIR: ``crypto/`` is a cryptogen directory for ``fabric:cryptoDir``, and
``network/`` (or ``channels/`` and ``definitions.json`` for a local network)
holds the channel and chaincode definitions. Errors are one line, exit 1."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from backup.archive import unpack
from backup.manifest import BackupError, fetch_verified
from backup.sealed import SealError, unseal
from backup.store_location import open_store

PASSPHRASE_VARIABLE = "FABRIC_BACKUP_PASSPHRASE"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backup")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check every object of a backup")
    verify.add_argument("store")
    verify.add_argument("key")
    opened = commands.add_parser("unseal", help="open the sealed network material")
    opened.add_argument("sealed", type=Path)
    opened.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "verify":
            with tempfile.TemporaryDirectory(prefix="verify-") as temp:
                try:
                    store = open_store(args.store)
                except ValueError as error:
                    raise BackupError(str(error)) from None
                manifest, _ = fetch_verified(store, args.key, Path(temp))
            total = sum(o.size for o in manifest.objects)
            print(f"backup {args.key}: {len(manifest.objects)} objects, {total} bytes, verified")
            return 0
        passphrase = os.environ.get(PASSPHRASE_VARIABLE, "")
        if not passphrase:
            raise BackupError(f"set {PASSPHRASE_VARIABLE} to the backup passphrase")
        try:
            plain = unseal(args.sealed.read_bytes(), passphrase)
        except (OSError, SealError) as error:
            raise BackupError(f"{args.sealed}: {error}") from None
        if args.out.exists() and any(args.out.iterdir()):
            raise BackupError(f"{args.out}: not empty; give an empty or new folder")
        with tempfile.TemporaryDirectory(prefix="unseal-") as temp:
            bundle = Path(temp) / "material.tar.gz"
            bundle.write_bytes(plain)
            unpack(bundle, args.out)
        print(f"{args.out}: network material unsealed")
        return 0
    except BackupError as error:
        print(f"backup: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
