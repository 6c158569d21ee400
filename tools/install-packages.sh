#!/usr/bin/env bash
# Installs the Debian packages the real local cluster (tools/localcluster) needs
# on its node: runc, the CNI plugins (bridge, host-local, portmap), iptables,
# nftables (`nft`: a stop removes the NetworkPolicy controller's table), iproute2,
# the static busybox of its volume helper image, and gcc with a static libc for
# the pods' sandbox program, and mmdebstrap for the images' root filesystems
# (tools/images). Idempotent: apt-get runs only when a
# package is missing.
set -euo pipefail

PACKAGES=(runc containernetworking-plugins iptables nftables iproute2 busybox-static gcc libc6-dev
  mmdebstrap)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "[install-packages] missing Debian packages: ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 3
fi
echo "[install-packages] installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
