"""The shell scripts the backup and restore Jobs run. Two public images share
the work: the fabric-tools image (busybox ``tar``, ``sha256sum``, ``jq``) packs,
checks and unpacks; the Azure CLI image (``az``, ``jq``) moves objects between
the pod and the blob container. They hand files over in an ``emptyDir`` at
``/work``. Every script reads its parameters from the environment:

- ``BACKUP_KEY``, ``BACKUP_CONTAINER``; ``AZURE_STORAGE_ACCOUNT`` and
  ``AZURE_STORAGE_KEY`` (from the storage Secret) for ``az``;
- ``WORK_DIR`` (``/work``), ``VOLUMES_DIR`` (``/volumes``), ``MATERIAL_DIR``
  (``/material``): where the pod mounts the hand-over, node and material volumes;
- ``NODE`` (a node's Kubernetes name) and ``VOLUMES`` (space-separated volume
  names, mounted at ``$VOLUMES_DIR/<name>``) for the per-node scripts.

Objects are ``backups/<key>/<name>``; a node volume's name is
``nodes/<node>/<volume>.tar.gz``; ``entries/<n>.json`` carries one object's
manifest entry until the manifest Job gathers them into ``manifest.json``."""

from __future__ import annotations

WORK = "/work"
VOLUMES = "/volumes"
MATERIAL_DIR = "/material"
MATERIAL_OBJECT = "network.sealed"

_ENTRY = """entry() {  # entry NAME FILE: the manifest entry of one object
  printf '{"name": "%s", "size": %s, "sha256": "%s"}\\n' "$1" "$(wc -c < "$2" | tr -d ' ')" \\
    "$(sha256sum "$2" | cut -d ' ' -f 1)"
}
"""

_AZ = """az_put() {  # az_put NAME FILE
  az storage blob upload --only-show-errors --overwrite --no-progress \\
    --container-name "$BACKUP_CONTAINER" --name "backups/$BACKUP_KEY/$1" --file "$2" >/dev/null
}
az_get() {  # az_get NAME FILE: fails naming the object when it is missing
  if ! az storage blob download --only-show-errors --no-progress \\
      --container-name "$BACKUP_CONTAINER" --name "backups/$BACKUP_KEY/$1" --file "$2" \\
      >/dev/null; then
    echo "backup $BACKUP_KEY: object backups/$BACKUP_KEY/$1 is missing" >&2
    exit 1
  fi
}
"""

PACK_VOLUMES = "set -eu\n" + _ENTRY + """
for volume in $VOLUMES; do
  name="nodes/$NODE/$volume.tar.gz"
  tar -czf "$WORK_DIR/$volume.tar.gz" -C "$VOLUMES_DIR/$volume" .
  entry "$name" "$WORK_DIR/$volume.tar.gz" > "$WORK_DIR/$volume.entry.json"
done
"""
"""Tools container of a backup Job: each snapshot volume as a gzipped tar, and
its manifest entry."""

UPLOAD_VOLUMES = "set -eu\n" + _AZ + """
for volume in $VOLUMES; do
  az_put "nodes/$NODE/$volume.tar.gz" "$WORK_DIR/$volume.tar.gz"
  az_put "entries/$NODE-$volume.json" "$WORK_DIR/$volume.entry.json"
done
echo "backup $BACKUP_KEY: $NODE ($VOLUMES) uploaded"
"""
"""Azure CLI container of a backup Job."""

PACK_MATERIAL = "set -eu\n" + _ENTRY + f"""
cp "$MATERIAL_DIR/{MATERIAL_OBJECT}" "$WORK_DIR/{MATERIAL_OBJECT}"
entry {MATERIAL_OBJECT} "$WORK_DIR/{MATERIAL_OBJECT}" > "$WORK_DIR/material.entry.json"
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
jq -s --arg key "$BACKUP_KEY" --arg created "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)" \\
  '{format: 1, key: $key, created: $created, heights: {}, objects: sort_by(.name)}' \\
  "$WORK_DIR/backups/$BACKUP_KEY/entries/"*.json > "$WORK_DIR/manifest.json"
az_put manifest.json "$WORK_DIR/manifest.json"
echo "backup $BACKUP_KEY: manifest of $(jq '.objects | length' "$WORK_DIR/manifest.json") objects"
"""
"""Runs after every other backup Job: the manifest is written last, so a backup
without one never completed and is never restored."""

FETCH_MANIFEST = """if ! az storage blob download --only-show-errors --no-progress \\
    --container-name "$BACKUP_CONTAINER" --name "backups/$BACKUP_KEY/manifest.json" \\
    --file "$WORK_DIR/manifest.json" >/dev/null; then
  echo "backup $BACKUP_KEY: no manifest (backups/$BACKUP_KEY/manifest.json): the key is" \\
    "wrong or the backup did not complete" >&2
  exit 1
fi
"""

FETCH_ALL = "set -eu\n" + _AZ + FETCH_MANIFEST + """
for name in $(jq -r '.objects[].name' "$WORK_DIR/manifest.json"); do
  mkdir -p "$(dirname "$WORK_DIR/objects/$name")"
  az_get "$name" "$WORK_DIR/objects/$name"
done
"""
"""Azure CLI container of the verify Job: the manifest and every object."""

FETCH_NODE = "set -eu\n" + _AZ + FETCH_MANIFEST + """
for volume in $VOLUMES; do
  mkdir -p "$WORK_DIR/objects/nodes/$NODE"
  az_get "nodes/$NODE/$volume.tar.gz" "$WORK_DIR/objects/nodes/$NODE/$volume.tar.gz"
done
"""
"""Azure CLI container of a node's restore Job: the manifest and that node's
objects."""

_CHECK = """check() {  # check NAME: the downloaded object against the manifest
  expected=$(jq -r --arg n "$1" '.objects[] | select(.name == $n) | .sha256' \\
    "$WORK_DIR/manifest.json")
  if [ -z "$expected" ]; then
    echo "backup $BACKUP_KEY: the manifest lists no object $1" >&2
    exit 1
  fi
  actual=$(sha256sum "$WORK_DIR/objects/$1" | cut -d ' ' -f 1)
  if [ "$actual" != "$expected" ]; then
    echo "backup $BACKUP_KEY: object backups/$BACKUP_KEY/$1 is corrupt: sha256 $actual," \\
      "the manifest says $expected" >&2
    exit 1
  fi
}
"""

VERIFY_ALL = "set -eu\n" + _CHECK + """
for name in $(jq -r '.objects[].name' "$WORK_DIR/manifest.json"); do
  check "$name"
done
echo "backup $BACKUP_KEY: $(jq '.objects | length' "$WORK_DIR/manifest.json") objects verified"
"""
"""Tools container of the verify Job: every object's sha256 against the
manifest. The node restore Jobs wait for it, so nothing is laid down from a
backup with a missing or altered object."""

UNPACK_VOLUMES = "set -eu\n" + _CHECK + """
done_marker=".restored-$BACKUP_KEY"
for volume in $VOLUMES; do
  check "nodes/$NODE/$volume.tar.gz"
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
  tar -xzf "$WORK_DIR/objects/nodes/$NODE/$volume.tar.gz" -C "$target/.restore-partial"
  for entry in "$target/.restore-partial/"* "$target/.restore-partial/".[!.]*; do
    if [ -e "$entry" ]; then mv "$entry" "$target/"; fi
  done
  rmdir "$target/.restore-partial"
  touch "$target/$done_marker"
done
echo "restore $BACKUP_KEY: $NODE ($VOLUMES) restored"
"""
"""Tools container of a node's restore Job: check its objects again, refuse a
volume that holds data, unpack. Safe to run again (a Job retry): a volume is
unpacked into ``.restore-partial`` and moved into place, then marked
``.restored-<key>``; a marked volume is left alone, a partial one redone."""
