"""The shell scripts the backup and restore Jobs run. Two public images share
the work: the fabric-tools image (busybox ``tar``) packs and unpacks; the Azure
CLI image (``az``, and the Python with ``cryptography`` that ``az`` runs on)
moves objects between the pod and the blob container and runs ``python3 -m
backup`` (this project's ``backup`` package, mounted from a ConfigMap, see
``code_files``) to encrypt, authenticate, check and decrypt. They hand files
over in an ``emptyDir`` at ``/work``. Every script reads its parameters from
the environment:

- ``BACKUP_KEY``, ``BACKUP_CONTAINER``; ``AZURE_STORAGE_ACCOUNT``,
  ``AZURE_STORAGE_KEY`` and ``FABRIC_BACKUP_PASSPHRASE`` from the Jobs' Secret;
- ``BACKUP_KDF`` (backup Jobs): the backup's scrypt salt and cost, chosen once
  by the program;
- ``WORK_DIR`` (``/work``), ``VOLUMES_DIR`` (``/volumes``), ``MATERIAL_DIR``
  (``/material``): where the pod mounts the hand-over, node and material volumes;
- ``NODE`` (a node's Kubernetes name) and ``VOLUMES`` (space-separated volume
  names, mounted at ``$VOLUMES_DIR/<name>``) for the per-node scripts.

Objects are ``backups/<key>/<name>``; a node volume's name is
``nodes/<node>/<volume>.tar.gz`` (encrypted); ``entries/<n>.json`` carries one
object's manifest entry until the manifest Job gathers them into the
authenticated ``manifest.json``. A restore downloads into ``$WORK_DIR/store``
(laid out like the container) only the names an authenticated manifest
lists, and decrypts into ``$WORK_DIR/staging/objects``."""

from __future__ import annotations

from pathlib import Path

import backup
from backup.names import MATERIAL

WORK = "/work"
VOLUMES = "/volumes"
MATERIAL_DIR = "/material"
MATERIAL_OBJECT = MATERIAL
CODE_DIR = "/opt/fabric-backup"
"""On ``PYTHONPATH``: the ``backup`` package is mounted at ``$CODE_DIR/backup``."""


def code_files() -> dict[str, str]:
    """The ``backup`` package's modules (file name -> source), for the ConfigMap
    the Azure CLI containers import it from: the image has Python and
    ``cryptography`` (``az`` needs them) but not this project."""
    package = Path(backup.__file__).parent
    return {path.name: path.read_text(encoding="utf-8")
            for path in sorted(package.glob("*.py"))}


_AZ = """az_put() {  # az_put NAME FILE
  az storage blob upload --only-show-errors --overwrite --no-progress \\
    --container-name "$BACKUP_CONTAINER" --name "backups/$BACKUP_KEY/$1" --file "$2" >/dev/null
}
az_get() {  # az_get NAME: into the local copy of the store; fails naming a missing object
  mkdir -p "$(dirname "$WORK_DIR/store/backups/$BACKUP_KEY/$1")"
  if ! az storage blob download --only-show-errors --no-progress \\
      --container-name "$BACKUP_CONTAINER" --name "backups/$BACKUP_KEY/$1" \\
      --file "$WORK_DIR/store/backups/$BACKUP_KEY/$1" >/dev/null; then
    echo "backup $BACKUP_KEY: object backups/$BACKUP_KEY/$1 is missing" >&2
    exit 1
  fi
}
"""

PACK_VOLUMES = """set -eu
for volume in $VOLUMES; do
  tar -czf "$WORK_DIR/$volume.tar.gz" -C "$VOLUMES_DIR/$volume" .
done
"""
"""Tools container of a backup Job: each snapshot volume as a gzipped tar."""

UPLOAD_VOLUMES = "set -eu\n" + _AZ + """
for volume in $VOLUMES; do
  name="nodes/$NODE/$volume.tar.gz"
  python3 -m backup encrypt "$name" "$WORK_DIR/$volume.tar.gz" "$WORK_DIR/$volume.enc" \\
    > "$WORK_DIR/$volume.entry.json"
  rm "$WORK_DIR/$volume.tar.gz"
  az_put "$name" "$WORK_DIR/$volume.enc"
  az_put "entries/$NODE-$volume.json" "$WORK_DIR/$volume.entry.json"
done
echo "backup $BACKUP_KEY: $NODE ($VOLUMES) encrypted and uploaded"
"""
"""Azure CLI container of a backup Job: each archive encrypted (streaming),
uploaded with its manifest entry."""

PACK_MATERIAL = f"""set -eu
cp "$MATERIAL_DIR/{MATERIAL_OBJECT}" "$WORK_DIR/{MATERIAL_OBJECT}"
printf '{{"name": "%s", "size": %s, "sha256": "%s"}}\\n' {MATERIAL_OBJECT} \\
  "$(wc -c < "$WORK_DIR/{MATERIAL_OBJECT}" | tr -d ' ')" \\
  "$(sha256sum "$WORK_DIR/{MATERIAL_OBJECT}" | cut -d ' ' -f 1)" > "$WORK_DIR/material.entry.json"
"""
"""Tools container of the material Job: the sealed bundle (already encrypted
by the program) and its entry."""

UPLOAD_MATERIAL = "set -eu\n" + _AZ + f"""
az_put {MATERIAL_OBJECT} "$WORK_DIR/{MATERIAL_OBJECT}"
az_put entries/material.json "$WORK_DIR/material.entry.json"
"""

WRITE_MANIFEST = "set -eu\n" + _AZ + """
az storage blob download-batch --only-show-errors --no-progress --destination "$WORK_DIR" \\
  --source "$BACKUP_CONTAINER" --pattern "backups/$BACKUP_KEY/entries/*.json" >/dev/null
python3 -m backup manifest "$WORK_DIR/backups/$BACKUP_KEY/entries" "$WORK_DIR/manifest.json"
az_put manifest.json "$WORK_DIR/manifest.json"
"""
"""Runs after every other backup Job: the manifest, authenticated, is written
last, so a backup without one never completed and is never restored."""

FETCH_MANIFEST = """mkdir -p "$WORK_DIR/store/backups/$BACKUP_KEY"
if ! az storage blob download --only-show-errors --no-progress \\
    --container-name "$BACKUP_CONTAINER" --name "backups/$BACKUP_KEY/manifest.json" \\
    --file "$WORK_DIR/store/backups/$BACKUP_KEY/manifest.json" >/dev/null; then
  echo "backup $BACKUP_KEY: no manifest (backups/$BACKUP_KEY/manifest.json): the key is" \\
    "wrong or the backup did not complete" >&2
  exit 1
fi
"""

FETCH_ALL = "set -eu\n" + _AZ + FETCH_MANIFEST + """
names=$(python3 -m backup names "$WORK_DIR/store" "$BACKUP_KEY")
for name in $names; do
  az_get "$name"
done
"""
"""Azure CLI container of the verify Job: the manifest, authenticated, and
every object it lists (names checked by ``python3 -m backup names``)."""

VERIFY_ALL = """set -eu
python3 -m backup verify "$WORK_DIR/store" "$BACKUP_KEY"
"""
"""Azure CLI container of the verify Job: every object's sha256 against the
authenticated manifest, and every archive decrypted. The node restore Jobs
wait for it, so nothing is laid down from a backup with a missing, altered or
swapped object."""

FETCH_NODE = "set -eu\n" + _AZ + FETCH_MANIFEST + """
names=""
for volume in $VOLUMES; do
  az_get "nodes/$NODE/$volume.tar.gz"
  names="$names nodes/$NODE/$volume.tar.gz"
done
python3 -m backup verify "$WORK_DIR/store" "$BACKUP_KEY" --staging "$WORK_DIR/staging" \\
  --only $names
"""
"""Azure CLI container of a node's restore Job: the manifest and that node's
archives, checked again and decrypted into ``$WORK_DIR/staging/objects``."""

UNPACK_VOLUMES = """set -eu
done_marker=".restored-$BACKUP_KEY"
for volume in $VOLUMES; do
  target="$VOLUMES_DIR/$volume"
  [ -e "$target/$done_marker" ] && continue
  if [ -n "$(ls -A "$target" | grep -v -e '^lost+found$' -e '^\\.restore-partial$' || true)" ]
  then
    echo "restore $BACKUP_KEY: volume $volume of $NODE is not empty: a restore only" \\
      "fills new volumes" >&2
    exit 1
  fi
done
for volume in $VOLUMES; do
  target="$VOLUMES_DIR/$volume"
  [ -e "$target/$done_marker" ] && continue
  rm -rf "$target/.restore-partial"
  mkdir "$target/.restore-partial"
  tar -xzf "$WORK_DIR/staging/objects/nodes/$NODE/$volume.tar.gz" -C "$target/.restore-partial"
  for entry in "$target/.restore-partial/"* "$target/.restore-partial/".[!.]*; do
    if [ -e "$entry" ]; then mv "$entry" "$target/"; fi
  done
  rmdir "$target/.restore-partial"
  touch "$target/$done_marker"
done
echo "restore $BACKUP_KEY: $NODE ($VOLUMES) restored"
"""
"""Tools container of a node's restore Job: refuse a volume that holds data,
unpack the archives the fetch step decrypted. Safe to run again (a Job
retry): a volume is unpacked into ``.restore-partial`` and moved into place,
then marked ``.restored-<key>``; a marked volume is left alone, a partial one
redone."""
