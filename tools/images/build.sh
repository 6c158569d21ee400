#!/usr/bin/env bash
# Builds the container images the program runs, without a registry or a
# daemon: root filesystems from Debian packages (mmdebstrap) plus the project's
# own binaries and files, written as OCI image archives by tools/oci_image.py.
# Each archive imports into containerd under the name the program uses:
#   ctr -n k8s.io images import <archive>
#
# Usage: tools/images/build.sh [IMAGE]...
#   IMAGE is a recipe name (tools/images/recipes/<IMAGE>.sh); the default is
#   every recipe. The fabric-* recipes are built for every pinned Fabric release.
# Prints the path of each archive on stdout, one a line; progress goes to stderr.
#
# Cache (FABRIC_ON_PULUMI_CACHE, default ~/.cache/fabric-on-pulumi):
#   images/<image>/<tag>/image.tar   the archive; .complete beside it holds the
#                                    stamp (recipe, inputs) it was built from
#   images/rootfs/<flavor>/          the Debian root filesystems the recipes copy
# A result whose stamp matches is reused; any change of a recipe, of this
# script, of tools/oci_image.py or of an input (Fabric build, package list,
# project files) rebuilds it.
#
# Needs root (mmdebstrap's root mode), mmdebstrap ('apt-get install mmdebstrap'),
# the Debian mirror, PyPI for the Python images, and a Python 3.11 with pip
# (PYTHON, default venv/bin/python of the checkout) for tools/oci_image.py and
# the pip installs: the images run Debian 12's Python 3.11.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${FABRIC_ON_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fabric-on-pulumi}"
OUT="$CACHE/images"
PYTHON="${PYTHON:-$REPO/venv/bin/python}"
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
# File times in the root filesystems and archives are clamped to this instant
# (2024-01-01T00:00:00Z), which also dates the image configs.
export SOURCE_DATE_EPOCH=1704067200
export PIP_DISABLE_PIP_VERSION_CHECK=1
# PATH in every image config (the runtime sets none).
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '[images] %s\n' "$*" >&2; }

# The Debian root filesystem flavors, each Debian's Essential set (sh, coreutils,
# grep, sed, tar, gzip...) plus these packages.
declare -A FLAVORS=(
  [base]=""
  [python]="python3"
  [grpc-python]="python3 libstdc++6"
  [tools]="jq ca-certificates"
  [azure]="python3 jq ca-certificates"
)
# Documentation, manuals and translations are left out of every image. Nothing
# is mounted into the chroot (the Essential set's maintainer scripts need only the
# device nodes mmdebstrap creates), so no host /dev, /proc or /sys can be left
# mounted under the cache.
MMDEBSTRAP_OPTS=(
  --variant=essential
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --skip=chroot/mount
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
)

sha() { sha256sum | cut -d' ' -f1; }

# check_unmounted DIR: stops the build before an rm -rf under DIR if anything is
# mounted below it.
check_unmounted() {
  if awk -v dir="$1/" 'index($2, dir) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    log "refusing to delete under $1: something is mounted below it (see /proc/mounts)"
    exit 1
  fi
}

# rootfs FLAVOR: prints the directory of the flavor's root filesystem, built
# with mmdebstrap unless cached for the same package list and options.
rootfs() {
  local flavor="$1" packages="${FLAVORS[$1]}"
  local dest="$OUT/rootfs/$flavor" key
  key="$(printf '%s\n' "rootfs 1" "$SUITE" "$MIRROR" "$packages" "${MMDEBSTRAP_OPTS[@]}" | sha)"
  if [ -f "$dest/.complete" ] && [ "$(cat "$dest/.complete")" = "$key" ]; then
    echo "$dest/root"
    return
  fi
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    log "mmdebstrap is missing: 'apt-get install mmdebstrap' and run again"
    exit 3
  fi
  check_unmounted "$dest"
  rm -rf "$dest" && mkdir -p "$dest"
  local start=$SECONDS include=()
  [ -z "$packages" ] || include=(--include="${packages// /,}")
  log "rootfs $flavor: mmdebstrap $SUITE essential${packages:+ + $packages}"
  mmdebstrap --quiet "${MMDEBSTRAP_OPTS[@]}" "${include[@]}" "$SUITE" "$dest/root" "$MIRROR" >&2
  # The runtime provides /dev, /proc and /sys; caches and logs mean nothing in an image.
  check_unmounted "$dest/root"
  (cd "$dest/root" && rm -rf dev/* var/cache/* var/lib/apt/lists/* var/log/* tmp/*)
  # Go's resolver reads this (the official images write the same line).
  echo 'hosts: files dns' >"$dest/root/etc/nsswitch.conf"
  echo "$key" >"$dest/.complete"
  log "rootfs $flavor: built in $((SECONDS - start)) s, $(du -sh "$dest/root" | cut -f1)"
  echo "$dest/root"
}

# python_compile ROOT DIR...: byte-compiles DIRs (paths inside ROOT) with hashes
# instead of source times, so the .pyc files stay valid whatever the archive's
# file times and nothing is written at run time on a read-only root.
python_compile() {
  local root="$1" dir
  shift
  for dir in "$@"; do
    "$PYTHON" -W ignore -m compileall -q -j 0 --invalidation-mode unchecked-hash \
      -s "$root" -p / "$root$dir" >/dev/null
  done
}

# pip_install ROOT REQUIREMENTS...: pip packages into ROOT's
# /usr/local/lib/python3.11/dist-packages (on Debian's sys.path), compiled.
pip_install() {
  local root="$1" site=/usr/local/lib/python3.11/dist-packages
  shift
  "$PYTHON" -m pip install --quiet --no-compile --no-warn-script-location \
    --target "$root$site" "$@" >&2
  # Console scripts point at the build's interpreter; the recipes write their own.
  rm -rf "${root:?}$site/bin"
  python_compile "$root" "$site"
}

# build_image RECIPE [FABRIC_VERSION]: builds (or reuses) one image; prints its archive.
build_image() (
  local recipe="$HERE/recipes/$1.sh"
  VERSION="${2:-}"
  # shellcheck source=/dev/null
  source "$recipe"
  local dest="$OUT/$NAME/$TAG" base key
  base="$(rootfs "$FLAVOR")"
  key="$({ cat "$HERE/build.sh" "$HERE"/lib/*.sh "$REPO/tools/oci_image.py" "$recipe" \
      "$(dirname "$base")/.complete"; inputs; } | sha)"
  if [ -f "$dest/.complete" ] && [ "$(cat "$dest/.complete")" = "$key" ]; then
    log "$IMAGE: cached in $dest/image.tar"
    echo "$dest/image.tar"
    return
  fi
  local start=$SECONDS work
  rm -rf "$dest" && mkdir -p "$dest"
  work="$(mktemp -d "$OUT/.work.XXXXXX")"
  trap 'check_unmounted "$work"; rm -rf "$work"' EXIT
  log "$IMAGE: populating a copy of rootfs $FLAVOR"
  cp -a "$base" "$work/root"
  populate "$work/root"
  log "$IMAGE: writing $dest/image.tar"
  "$PYTHON" "$REPO/tools/oci_image.py" --rootfs "$work/root" --name "$IMAGE" \
    --output "$dest/image.tar" "${CONFIG[@]}" >"$dest/manifest-digest"
  echo "$key" >"$dest/.complete"
  log "$IMAGE: built in $((SECONDS - start)) s, $(du -h "$dest/image.tar" | cut -f1)" \
    "(manifest $(cat "$dest/manifest-digest"))"
  echo "$dest/image.tar"
)

if [ ! -x "$PYTHON" ]; then
  log "no Python at $PYTHON: run tools/test.sh once (it creates venv/) or set PYTHON"
  exit 3
fi
recipes=("$@")
if [ ${#recipes[@]} -eq 0 ]; then
  for path in "$HERE"/recipes/*.sh; do
    recipes+=("$(basename "$path" .sh)")
  done
fi
for recipe in "${recipes[@]}"; do
  if [ ! -f "$HERE/recipes/$recipe.sh" ]; then
    log "no recipe $recipe (tools/images/recipes/$recipe.sh)"
    exit 2
  fi
done
mkdir -p "$OUT"
# One build at a time: a second invocation waits for the first (and then reuses its results).
exec 9>"$OUT/.lock"
flock 9
for recipe in "${recipes[@]}"; do
  case "$recipe" in
    fabric-*)
      while read -r fabric; do
        build_image "$recipe" "$(basename "$fabric")"
      done < <("$REPO/tools/build-tools.sh" fabric)
      ;;
    *) build_image "$recipe" ;;
  esac
done
