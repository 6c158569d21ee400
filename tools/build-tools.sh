#!/usr/bin/env bash
# Build the pinned tools the test tiers need, from Go modules, into a cache
# directory outside the checkout. Idempotent: a tool already built at its pinned
# version is reused. Usage: tools/build-tools.sh [fabric|all] ; prints the bin dir.
set -euo pipefail

CACHE="${FABRIC_ON_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fabric-on-pulumi}"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" CGO_ENABLED=0
# The committed go.sum files pin every module's hash; the checksum database is not
# reachable from every build machine, so it is not consulted.
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=readonly -trimpath"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Fabric releases, each pinned by a wrapper module in tools/gomod/fabric-<version>
# (go install refuses to read Fabric's module list through the proxy). v2.5.9 is
# the newest 2.5 release the Go module proxy serves; 2.5.10 to 2.5.16 are refused.
FABRIC_VERSION="${FABRIC_VERSION:-2.5.9}"

log() { printf '[build-tools] %s\n' "$*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "the Go toolchain is missing: install Go 1.22 or newer (https://go.dev/doc/install or 'apt-get install golang-go') and run again"
    exit 3
  fi
}

build_fabric() {
  local version="$1" wrapper="$HERE/gomod/fabric-$1"
  if [ ! -f "$wrapper/go.mod" ]; then
    log "no pinned wrapper module for Fabric $version in $wrapper"
    exit 2
  fi
  local dest="$CACHE/fabric/$version"
  if [ -f "$dest/.complete" ] && cmp -s "$wrapper/go.mod" "$dest/go.mod"; then
    log "fabric $version: cached in $dest"
    echo "$dest"
    return
  fi
  need_go
  rm -rf "$dest" && mkdir -p "$dest/bin"
  local start=$SECONDS
  log "fabric $version: building peer orderer osnadmin configtxgen configtxlator into $dest/bin"
  (cd "$wrapper" && go build -o "$dest/bin/" \
    github.com/hyperledger/fabric/cmd/peer github.com/hyperledger/fabric/cmd/orderer \
    github.com/hyperledger/fabric/cmd/osnadmin github.com/hyperledger/fabric/cmd/configtxgen \
    github.com/hyperledger/fabric/cmd/configtxlator)
  local src
  src="$(cd "$wrapper" && go list -m -f '{{.Dir}}' github.com/hyperledger/fabric)"
  cp -r "$src/sampleconfig" "$dest/config"
  chmod -R u+w "$dest/config"
  cp "$wrapper/go.mod" "$dest/go.mod"
  touch "$dest/.complete"
  log "fabric $version: built in $((SECONDS - start)) s"
  echo "$dest"
}

case "${1:-all}" in
  fabric) build_fabric "$FABRIC_VERSION" ;;
  all) build_fabric "$FABRIC_VERSION" ;;
  *) log "usage: $0 [fabric|all]"; exit 2 ;;
esac
