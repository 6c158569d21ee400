"""Check a backup, open its sealed network material, and the steps of the
Kubernetes backup and restore Jobs.

    python -m backup verify STORE KEY [--staging DIR] [--only NAME ...]
    python -m backup unseal SEALED_FILE OUT_DIR
    python -m backup names STORE KEY
    python -m backup encrypt NAME PLAIN_FILE OUT_FILE
    python -m backup manifest ENTRIES_DIR OUT_FILE

Every command reads the passphrase from ``FABRIC_BACKUP_PASSPHRASE``.
``verify`` downloads every object of backup KEY from STORE (a local directory,
or ``azure://<container>`` with the account's connection string in
AZURE_STORAGE_CONNECTION_STRING), authenticates the manifest, checks each
object against it and decrypts it (into ``--staging``, kept, when given).
``unseal`` opens a ``network.sealed`` object (from a local store, or downloaded
with ``az storage blob download``) and unpacks it into OUT_DIR: ``crypto/`` is
a cryptogen directory for ``fabric:cryptoDir``, and ``network/`` (or
``channels/`` and ``definitions.json`` for a local network) holds the channel
and chaincode definitions.

The Jobs' commands: ``names`` prints the object names of an authenticated
manifest, one a line (only those are ever downloaded); ``encrypt`` encrypts a
node archive of backup ``BACKUP_KEY`` under the salt and cost in
``BACKUP_KDF`` (JSON) and prints its manifest entry; ``manifest`` gathers the
entries (``*.json``) into the authenticated manifest. Errors are one line,
exit 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from backup.archive import unpack
from backup.keys import KdfError, KdfParams
from backup.manifest import BackupError, ObjectEntry
from backup.reader import fetch_manifest, fetch_verified
from backup.sealed import SealError, unseal
from backup.store import LocalDirStore, ObjectStore
from backup.store_location import open_store
from backup.writer import BackupWriter

PASSPHRASE_VARIABLE = "FABRIC_BACKUP_PASSPHRASE"
KEY_VARIABLE = "BACKUP_KEY"
KDF_VARIABLE = "BACKUP_KDF"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m backup")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check and decrypt every object of a backup")
    verify.add_argument("store")
    verify.add_argument("key")
    verify.add_argument("--staging", type=Path, help="keep the decrypted objects here")
    verify.add_argument("--only", nargs="+", metavar="NAME", help="these objects only")
    opened = commands.add_parser("unseal", help="open the sealed network material")
    opened.add_argument("sealed", type=Path)
    opened.add_argument("out", type=Path)
    names = commands.add_parser("names", help="the objects of an authenticated manifest")
    names.add_argument("store")
    names.add_argument("key")
    encrypt = commands.add_parser("encrypt", help="encrypt a node archive (backup Jobs)")
    encrypt.add_argument("name")
    encrypt.add_argument("plain", type=Path)
    encrypt.add_argument("out", type=Path)
    manifest = commands.add_parser("manifest", help="write the manifest (backup Jobs)")
    manifest.add_argument("entries", type=Path)
    manifest.add_argument("out", type=Path)
    return parser


def _env(name: str, what: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise BackupError(f"set {name} to {what}")
    return value


def _passphrase() -> str:
    return _env(PASSPHRASE_VARIABLE, "the backup passphrase")


def _open_store(location: str) -> ObjectStore:
    try:
        return open_store(location)
    except ValueError as error:
        raise BackupError(str(error)) from None


def _job_writer(scratch: Path) -> BackupWriter:
    """The writer of the backup a Job works on: its key and the program's salt."""
    key = _env(KEY_VARIABLE, "the backup key")
    try:
        params = KdfParams.from_json(json.loads(_env(KDF_VARIABLE, "the backup's kdf (JSON)")))
    except (ValueError, KdfError) as error:
        raise BackupError(f"{KDF_VARIABLE}: {error}") from None
    return BackupWriter(LocalDirStore(scratch), key, _passphrase(), scratch, params)


def _verify(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="verify-") as temp:
        staging = args.staging or Path(temp)
        manifest, paths = fetch_verified(_open_store(args.store), args.key, staging,
                                         _passphrase(), args.only)
    total = sum(manifest.entry(name).size for name in paths)
    print(f"backup {args.key}: {len(paths)} objects, {total} bytes, verified")


def _unseal(args: argparse.Namespace) -> None:
    try:
        plain = unseal(args.sealed.read_bytes(), _passphrase())
    except (OSError, SealError) as error:
        raise BackupError(f"{args.sealed}: {error}") from None
    if args.out.exists() and any(args.out.iterdir()):
        raise BackupError(f"{args.out}: not empty; give an empty or new folder")
    with tempfile.TemporaryDirectory(prefix="unseal-") as temp:
        bundle = Path(temp) / "material.tar.gz"
        bundle.write_bytes(plain)
        unpack(bundle, args.out)
    print(f"{args.out}: network material unsealed")


def _names(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="names-") as temp:
        manifest, _ = fetch_manifest(_open_store(args.store), args.key, Path(temp),
                                     _passphrase())
    for entry in manifest.objects:
        print(entry.name)


def _encrypt(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="encrypt-") as temp:
        entry = _job_writer(Path(temp)).encrypt_archive(args.name, args.plain, args.out)
    print(json.dumps({"name": entry.name, "size": entry.size, "sha256": entry.sha256}))


def _manifest(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="manifest-") as temp:
        writer = _job_writer(Path(temp))
        for path in sorted(args.entries.glob("*.json")):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                writer.manifest.objects.append(
                    ObjectEntry(str(raw["name"]), int(raw["size"]), str(raw["sha256"])))
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise BackupError(f"{path}: not a manifest entry ({error})") from None
        manifest = writer.manifest
        manifest.objects.sort(key=lambda o: o.name)
        args.out.write_text(manifest.to_json(writer.keys), encoding="utf-8")
    print(f"backup {manifest.key}: manifest of {len(manifest.objects)} objects")


COMMANDS = {"verify": _verify, "unseal": _unseal, "names": _names, "encrypt": _encrypt,
            "manifest": _manifest}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
        return 0
    except BackupError as error:
        print(f"backup: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
