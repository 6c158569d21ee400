#!/usr/bin/env bash
# Build the pinned tools the test tiers need, from Go modules, into a cache
# directory outside the checkout. Idempotent: a tool already built at its pinned
# version is reused.
#
# Usage: tools/build-tools.sh [fabric|fabric-<version>|pulumi|kubernetes-provider|kube|node|
#                              kube-node|containerd|coredns|local-path-provisioner|pause|
#                              kube-network-policies|actionlint|azurite|pouchdb-server|
#                              promtool|gateway-client|images|all]...
# (default all). Prints the result directory of each target on stdout, one a
# line, in the order given (binaries in its bin/); progress goes to stderr.
#   fabric               peer orderer osnadmin configtxgen configtxlator, config/
#                        for every pinned release, the default one last
#   fabric-<version>     the same for one pinned release, e.g. fabric-2.5.0
#   pulumi               pulumi, pulumi-language-python, pulumi-language-python-exec,
#                        pulumi-resource-pulumi-python (tools/bin, bundled next to them)
#   kubernetes-provider  pulumi-resource-kubernetes (reports the version the
#                        pulumi_kubernetes Python SDK asks for)
#   actionlint           actionlint (lints the CI workflow in the tests)
#   kube                 etcd kube-apiserver kube-controller-manager
#                        kube-scheduler kwok, kwok-stages/ (kwok's stage
#                        configs, for --config)
#   node                 the node of a real local Kubernetes (tools/localcluster):
#                        the five targets below, in this order
#   kube-node            kubelet kube-proxy
#   containerd           containerd containerd-shim-runc-v2 ctr
#   coredns              coredns (cluster DNS)
#   local-path-provisioner  local-path-provisioner (the default StorageClass)
#   pause                pause (the pods' sandbox process, from tools/localcluster/pause.c)
#   kube-network-policies  kube-network-policies (the node's NetworkPolicy enforcer)
#   azurite              azurite-blob (npm; the Azure Blob emulator)
#   pouchdb-server       couchdb-server.js, a CouchDB-compatible server (npm:
#                        express-pouchdb, in memory) for local peers' state database
#   promtool             promtool (Debian 12's prometheus package, unpacked, not
#                        installed: no service starts), which tests the alert rules
#   gateway-client       dist/main.js, the Fabric Gateway client example
#                        (examples/gateway-client; npm and TypeScript)
#   images               the container images the program runs (Fabric's peer,
#                        orderer and tools for every pinned release, the sample
#                        chaincode, the Azure CLI) as OCI archives for
#                        `ctr images import`; prints each archive (see
#                        tools/images/build.sh; needs root and mmdebstrap)
set -euo pipefail

CACHE="${FABRIC_ON_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fabric-on-pulumi}"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" CGO_ENABLED=0
# The committed go.sum files pin every module's hash; the checksum database is not
# reachable from every build machine, so it is not consulted.
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=readonly -trimpath"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Fabric releases, each pinned by a wrapper module in tools/gomod/fabric-<version>
# (go install refuses to read Fabric's module list through the proxy). v2.5.9 is
# the newest 2.5 release the Go module proxy serves (2.5.10 to 2.5.16 are
# refused) and the default; 2.5.0 is the release the rolling-upgrade test starts
# from. v3.1.1 (served as a pseudo-version too; 3.0.x and 3.1.2+ are refused) is
# the release BFT ordering needs. FABRIC_VERSION restricts `fabric` to one of them.
FABRIC_RELEASES=(2.5.0 3.1.1 2.5.9)
FABRIC_VERSION="${FABRIC_VERSION:-}"
# The Pulumi CLI. requirements.txt has the Python SDK 3.272.0, but the proxy
# refuses github.com/pulumi/pulumi/pkg/v3 v3.272.0; v3.274.0 is the closest
# release it serves. Wrapper: tools/gomod/pulumi-<version>.
PULUMI_VERSION=3.274.0
# The version the provider binary and its schema report: the one the
# pulumi_kubernetes Python SDK in requirements.txt asks the engine for, so that the
# engine never tries to download another. The code is the one version the proxy
# serves (see tools/gomod/kubernetes-provider-<version>/go.mod).
K8S_PROVIDER_VERSION=4.34.2
# kube-apiserver, kube-controller-manager (Deployments, ReplicaSets) and
# kube-scheduler (binds pods to kwok's fake nodes); etcd and kwok are pinned in the
# same wrapper module, tools/gomod/kube-<version>.
KUBE_VERSION=1.36.3
# The node of the real local Kubernetes: kubelet and kube-proxy (wrapper
# tools/gomod/kube-node-<KUBE_VERSION>), containerd, CoreDNS and rancher's
# local-path-provisioner, each pinned by its own wrapper in tools/gomod.
CONTAINERD_VERSION=2.1.4
COREDNS_VERSION=1.12.4
LOCAL_PATH_PROVISIONER_VERSION=0.0.30
# The NetworkPolicy enforcer: the controller of sigs.k8s.io/kube-network-policies
# (0.7.0 and 0.8.0 are the versions the proxy serves) run by the wrapper's own
# main as a host process (tools/gomod/kube-network-policies-<version>/main.go).
KUBE_NETWORK_POLICIES_VERSION=0.8.0

log() { printf '[build-tools] %s\n' "$*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "the Go toolchain is missing: install Go 1.26 or newer (https://go.dev/doc/install or 'apt-get install golang-go') and run again"
    exit 3
  fi
}

need_wrapper() {
  if [ ! -f "$1/go.mod" ]; then
    log "no pinned wrapper module in $1"
    exit 2
  fi
}

# A digest of a wrapper module's files and of the build recipe ($2): a cached
# result whose .complete holds another digest is rebuilt.
stamp() {
  { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); printf '%s\n' "$2"; } |
    sha256sum | cut -d' ' -f1
}

# cached NAME DEST STAMP: true (and prints DEST) when DEST is complete for STAMP.
cached() {
  if [ -f "$2/.complete" ] && [ "$(cat "$2/.complete")" = "$3" ]; then
    log "$1: cached in $2"
    echo "$2"
    return 0
  fi
  return 1
}

# Resolves a module's directory in the module cache through a wrapper, downloading
# it (checked against the wrapper's go.sum) when missing.
module_dir() {
  (cd "$1" && go mod download "$2" && go list -m -f '{{.Dir}}' "$2")
}

build_fabric() {
  local version="$1" wrapper="$HERE/gomod/fabric-$1"
  need_wrapper "$wrapper"
  local dest="$CACHE/fabric/$version"
  # As Fabric's Makefile stamps a release: the binaries report $version (peer
  # version, the operations /version endpoint) instead of "latest".
  local ldflags="-X github.com/hyperledger/fabric/common/metadata.Version=$version"
  local key
  key="$(stamp "$wrapper" "fabric 1 $ldflags")"
  cached "fabric $version" "$dest" "$key" && return
  need_go
  rm -rf "$dest" && mkdir -p "$dest/bin"
  local start=$SECONDS
  log "fabric $version: building peer orderer osnadmin configtxgen configtxlator into $dest/bin"
  (cd "$wrapper" && go build -ldflags "$ldflags" -o "$dest/bin/" \
    github.com/hyperledger/fabric/cmd/peer github.com/hyperledger/fabric/cmd/orderer \
    github.com/hyperledger/fabric/cmd/osnadmin github.com/hyperledger/fabric/cmd/configtxgen \
    github.com/hyperledger/fabric/cmd/configtxlator)
  local src
  src="$(cd "$wrapper" && go list -m -f '{{.Dir}}' github.com/hyperledger/fabric)"
  cp -r "$src/sampleconfig" "$dest/config"
  chmod -R u+w "$dest/config"
  echo "$key" >"$dest/.complete"
  log "fabric $version: built in $((SECONDS - start)) s"
  echo "$dest"
}

# The dynamic provider plugin (tools/bin) goes where a Pulumi release bundles it,
# next to the CLI: the engine finds it there first, while a copy found on PATH
# instead makes every preview and up warn. Copied on every call (not part of the
# build's cache key), so editing it rebuilds nothing.
bundle_dynamic_provider() {
  local plugin="$HERE/bin/pulumi-resource-pulumi-python"
  cmp -s "$plugin" "$1/bin/pulumi-resource-pulumi-python" ||
    install -m 0755 "$plugin" "$1/bin/"
}

build_pulumi() {
  local version="$PULUMI_VERSION" wrapper="$HERE/gomod/pulumi-$PULUMI_VERSION"
  local dest="$CACHE/pulumi/$version"
  local ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
  need_wrapper "$wrapper"
  local key
  key="$(stamp "$wrapper" "pulumi 1 $ldflags")"
  cached "pulumi $version" "$dest" "$key" && { bundle_dynamic_provider "$dest"; return; }
  need_go
  rm -rf "$dest" && mkdir -p "$dest/bin"
  local start=$SECONDS
  log "pulumi $version: building pulumi and pulumi-language-python into $dest/bin"
  (cd "$wrapper" && go build -ldflags "$ldflags" -o "$dest/bin/" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./pulumi-language-python)
  local sdk
  sdk="$(module_dir "$wrapper" github.com/pulumi/pulumi/sdk/v3)"
  log "pulumi $version: copying pulumi-language-python-exec from $sdk"
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$dest/bin/"
  bundle_dynamic_provider "$dest"
  echo "$key" >"$dest/.complete"
  log "pulumi $version: built in $((SECONDS - start)) s"
  echo "$dest"
}

build_kubernetes_provider() {
  local version="$K8S_PROVIDER_VERSION" wrapper="$HERE/gomod/kubernetes-provider-$K8S_PROVIDER_VERSION"
  local dest="$CACHE/kubernetes-provider/$version"
  local module=github.com/pulumi/pulumi-kubernetes/provider/v4
  local ldflags="-X $module/pkg/version.Version=$version"
  need_wrapper "$wrapper"
  local key
  key="$(stamp "$wrapper" "kubernetes-provider 2 $ldflags")"
  cached "kubernetes-provider $version" "$dest" "$key" && return
  need_go
  rm -rf "$dest" && mkdir -p "$dest/bin"
  local start=$SECONDS
  # cmd/pulumi-resource-kubernetes embeds schema-embed.json and
  # terraform-mapping-embed.json, which its `go generate` step (generate.go) writes
  # from schema.json with the version stamped in. The module cache is read-only and
  # go build refuses overlays there, so the module is built from a writable copy
  # that the wrapper's copy replaces it with.
  local work="$CACHE/kubernetes-provider/$version.work" src
  rm -rf "$work" && mkdir -p "$work/mod" "$work/gen"
  src="$(module_dir "$wrapper" "$module")"
  log "kubernetes-provider $version: copying $src to $work/provider"
  cp -r "$src" "$work/provider"
  chmod -R u+w "$work/provider"
  cp "$wrapper/go.mod" "$wrapper/go.sum" "$wrapper/tools.go" "$work/mod/"
  # A relative path keeps the cache location out of the binary's build info.
  (cd "$work/mod" && go mod edit -replace "$module=../provider")
  local cmd="$work/provider/cmd/pulumi-resource-kubernetes"
  log "kubernetes-provider $version: generating schema-embed.json (VERSION=$version)"
  cp "$cmd/generate.go" "$work/gen/"
  (cd "$work/mod" && go build -o "$work/gen/generate" "$work/gen/generate.go")
  (cd "$cmd" && VERSION="$version" "$work/gen/generate")
  log "kubernetes-provider $version: building pulumi-resource-kubernetes into $dest/bin"
  (cd "$work/mod" && go build -ldflags "$ldflags" -o "$dest/bin/" "$module/cmd/pulumi-resource-kubernetes")
  rm -rf "$work"
  echo "$key" >"$dest/.complete"
  log "kubernetes-provider $version: built in $((SECONDS - start)) s"
  echo "$dest"
}

# What Kubernetes' hack/lib/version.sh sets; without it the servers report
# v0.0.0-master, which clients that compare versions reject.
kube_ldflags() {
  local version="$1" minor="${1#*.}" ldflags="" p
  minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=v$version -X $p.gitMajor=${version%%.*} -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  printf '%s' "$ldflags"
}

build_kube() {
  local version="$KUBE_VERSION" wrapper="$HERE/gomod/kube-$KUBE_VERSION"
  local dest="$CACHE/kube/$version"
  local ldflags
  ldflags="$(kube_ldflags "$version")"
  need_wrapper "$wrapper"
  local key
  key="$(stamp "$wrapper" "kube 1 $ldflags")"
  cached "kube $version" "$dest" "$key" && return
  need_go
  rm -rf "$dest" && mkdir -p "$dest/bin"
  local start=$SECONDS
  log "kube $version: building etcd kube-apiserver kube-controller-manager kube-scheduler kwok into $dest/bin"
  (cd "$wrapper" && go build -ldflags "$ldflags" -o "$dest/bin/" \
    go.etcd.io/etcd/server/v3 k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
    sigs.k8s.io/kwok/cmd/kwok)
  # The etcd server's main package is the root of module go.etcd.io/etcd/server/v3.
  mv "$dest/bin/server" "$dest/bin/etcd"
  local kwok
  kwok="$(module_dir "$wrapper" sigs.k8s.io/kwok)"
  log "kube $version: copying kwok's stage configs from $kwok/kustomize/stage to $dest/kwok-stages"
  mkdir -p "$dest/kwok-stages"
  (cd "$kwok/kustomize/stage" && find . -name '*.yaml' -not -path '*/testdata/*' -not -name kustomization.yaml |
    while read -r f; do mkdir -p "$dest/kwok-stages/$(dirname "$f")" && cp "$f" "$dest/kwok-stages/$f"; done)
  chmod -R u+w "$dest/kwok-stages"
  echo "$key" >"$dest/.complete"
  log "kube $version: built in $((SECONDS - start)) s"
  echo "$dest"
}

# go_tool NAME VERSION WRAPPER LDFLAGS TAGS PACKAGE...: builds the packages through
# the wrapper module into $CACHE/NAME/VERSION/bin, reusing a complete build (the
# key covers the wrapper, the flags and the package list).
go_tool() {
  local name="$1" version="$2" wrapper="$3" ldflags="$4" tags="$5"
  shift 5
  local dest="$CACHE/$name/$version"
  need_wrapper "$wrapper"
  local key
  key="$(stamp "$wrapper" "$name 1 $ldflags|$tags|$*")"
  cached "$name $version" "$dest" "$key" && return
  need_go
  rm -rf "$dest" && mkdir -p "$dest/bin"
  local start=$SECONDS
  log "$name $version: building $* into $dest/bin"
  (cd "$wrapper" && go build -ldflags "$ldflags" -tags "$tags" -o "$dest/bin/" "$@")
  echo "$key" >"$dest/.complete"
  log "$name $version: built in $((SECONDS - start)) s"
  echo "$dest"
}

build_kube_node() {
  go_tool kube-node "$KUBE_VERSION" "$HERE/gomod/kube-node-$KUBE_VERSION" \
    "$(kube_ldflags "$KUBE_VERSION")" "" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
}

# Without cgo, and without the snapshotters that need it or a kernel module this
# node does not use (overlayfs and native remain).
build_containerd() {
  local module=github.com/containerd/containerd/v2
  go_tool containerd "$CONTAINERD_VERSION" "$HERE/gomod/containerd-$CONTAINERD_VERSION" \
    "-X $module/version.Version=v$CONTAINERD_VERSION" no_btrfs,no_devmapper,no_zfs \
    "$module/cmd/containerd" "$module/cmd/containerd-shim-runc-v2" "$module/cmd/ctr"
}

build_coredns() {
  go_tool coredns "$COREDNS_VERSION" "$HERE/gomod/coredns-$COREDNS_VERSION" "" "" \
    github.com/coredns/coredns
}

build_local_path_provisioner() {
  local module=github.com/rancher/local-path-provisioner
  go_tool local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" \
    "$HERE/gomod/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION" \
    "-X main.VERSION=v$LOCAL_PATH_PROVISIONER_VERSION" "" "$module"
}

# The pods' sandbox process: a static C program of the project's own.
build_pause() {
  local src="$HERE/localcluster/pause.c"
  local key
  key="$({ sha256sum <"$src"; echo "pause 1"; } | sha256sum | cut -d' ' -f1)"
  local dest="$CACHE/pause/${key:0:12}"
  cached pause "$dest" "$key" && return
  if ! command -v gcc >/dev/null 2>&1; then
    log "gcc is missing: install it ('apt-get install gcc libc6-dev') and run again"
    exit 3
  fi
  rm -rf "$dest" && mkdir -p "$dest/bin"
  gcc -Os -static -o "$dest/bin/pause" "$src"
  echo "$key" >"$dest/.complete"
  log "pause: built into $dest/bin"
  echo "$dest"
}

build_kube_network_policies() {
  go_tool kube-network-policies "$KUBE_NETWORK_POLICIES_VERSION" \
    "$HERE/gomod/kube-network-policies-$KUBE_NETWORK_POLICIES_VERSION" "" "" \
    fabric-on-pulumi/tools/kube-network-policies
}

build_node() {
  build_kube_node
  build_containerd
  build_coredns
  build_local_path_provisioner
  build_pause
  build_kube_network_policies
}

build_actionlint() {
  local wrapper="$HERE/gomod/actionlint" version=1.7.12
  local dest="$CACHE/actionlint/$version"
  need_wrapper "$wrapper"
  local key
  key="$(stamp "$wrapper" "actionlint 1")"
  cached "actionlint $version" "$dest" "$key" && return
  need_go
  rm -rf "$dest" && mkdir -p "$dest/bin"
  local start=$SECONDS
  log "actionlint $version: building into $dest/bin"
  (cd "$wrapper" && go build -o "$dest/bin/" github.com/rhysd/actionlint/cmd/actionlint)
  echo "$key" >"$dest/.complete"
  log "actionlint $version: built in $((SECONDS - start)) s"
  echo "$dest"
}

# Azurite (npm), the Azure Storage emulator the backup store tests use; pinned by
# tools/npm/azurite (package.json and its committed package-lock.json).
build_azurite() {
  local pins="$HERE/npm/azurite" version=3.37.0
  local dest="$CACHE/azurite/$version"
  local key
  key="$(stamp "$pins" "azurite 1")"
  cached "azurite $version" "$dest" "$key" && return
  if ! command -v npm >/dev/null 2>&1; then
    log "npm is missing: install Node.js 20 or newer ('apt-get install nodejs npm') and run again"
    exit 3
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  cp "$pins/package.json" "$pins/package-lock.json" "$dest/"
  local start=$SECONDS
  log "azurite $version: installing into $dest"
  (cd "$dest" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2)
  mkdir -p "$dest/bin" && ln -sf ../node_modules/.bin/azurite-blob "$dest/bin/azurite-blob"
  echo "$key" >"$dest/.complete"
  log "azurite $version: installed in $((SECONDS - start)) s"
  echo "$dest"
}

# A CouchDB-compatible server for the state database of local peers (Apache
# CouchDB has no Debian package and no registry reachable here serves it):
# express-pouchdb, the HTTP layer of pouchdb-server, pinned by
# tools/npm/pouchdb-server (package.json and its committed package-lock.json),
# started by the project's couchdb-server.js. Only the in-memory adapter is used,
# so no install script (LevelDB's native build) runs.
build_pouchdb_server() {
  local pins="$HERE/npm/pouchdb-server" version=4.2.0
  local dest="$CACHE/pouchdb-server/$version"
  local key
  key="$(stamp "$pins" "pouchdb-server 1")"
  cached "pouchdb-server $version" "$dest" "$key" && return
  if ! command -v npm >/dev/null 2>&1; then
    log "npm is missing: install Node.js 20 or newer ('apt-get install nodejs npm') and run again"
    exit 3
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  cp "$pins/package.json" "$pins/package-lock.json" "$pins/couchdb-server.js" "$dest/"
  local start=$SECONDS
  log "pouchdb-server $version: installing into $dest"
  (cd "$dest" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  echo "$key" >"$dest/.complete"
  log "pouchdb-server $version: installed in $((SECONDS - start)) s"
  echo "$dest"
}

# promtool, to test the alert rules with Prometheus' own rule engine: taken out of
# Debian 12's prometheus package with apt-get download and dpkg-deb, so that no
# Prometheus service is installed or started.
build_promtool() {
  local dest="$CACHE/promtool"
  cached "promtool" "$dest" "promtool 1" && return
  rm -rf "$dest" && mkdir -p "$dest/deb" "$dest/bin"
  log "promtool: unpacking Debian's prometheus package into $dest"
  # A machine whose package lists were never fetched knows no prometheus yet.
  (cd "$dest/deb" && { apt-get download prometheus >&2 ||
     { apt-get update >&2 && apt-get download prometheus >&2; }; } &&
     dpkg-deb -x prometheus_*.deb root)
  mv "$dest/deb/root/usr/bin/promtool" "$dest/bin/promtool"
  rm -rf "$dest/deb"
  "$dest/bin/promtool" --version >&2
  echo "promtool 1" >"$dest/.complete"
  echo "$dest"
}

# The Fabric Gateway client example, built from examples/gateway-client: its npm
# packages pinned by its package-lock.json (without the optional HSM package,
# which compiles native code, and without install scripts), compiled by its
# pinned TypeScript. Only the sources count, not a node_modules/ built in place.
build_gateway_client() {
  local src="$HERE/../examples/gateway-client" dest="$CACHE/gateway-client"
  local key
  key="$({ (cd "$src" && sha256sum package.json package-lock.json tsconfig.json src/*.ts)
           printf 'gateway-client 1\n'; } | sha256sum | cut -d' ' -f1)"
  cached "gateway-client" "$dest" "$key" && return
  if ! command -v npm >/dev/null 2>&1; then
    log "npm is missing: install Node.js 20 or newer ('apt-get install nodejs npm') and run again"
    exit 3
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  cp -r "$src/package.json" "$src/package-lock.json" "$src/tsconfig.json" "$src/src" "$dest/"
  local start=$SECONDS
  log "gateway-client: installing and compiling into $dest"
  (cd "$dest" && npm ci --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error >&2 &&
     node_modules/.bin/tsc >&2)
  echo "$key" >"$dest/.complete"
  log "gateway-client: built in $((SECONDS - start)) s"
  echo "$dest"
}

usage() {
  log "usage: $0 [fabric|fabric-<version>|pulumi|kubernetes-provider|kube|node|kube-node|containerd|coredns|local-path-provisioner|pause|kube-network-policies|actionlint|azurite|promtool|gateway-client|images|all]..."
  exit 2
}

# Every pinned Fabric release, the default (2.5.9, what the test tiers run) last,
# or only FABRIC_VERSION when set.
build_fabric_releases() {
  local version
  if [ -n "$FABRIC_VERSION" ]; then
    build_fabric "$FABRIC_VERSION"
    return
  fi
  for version in "${FABRIC_RELEASES[@]}"; do
    build_fabric "$version"
  done
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(all)
for target in "${targets[@]}"; do
  case "$target" in
    fabric | fabric-* | pulumi | kubernetes-provider | kube | node | kube-node | containerd) ;;
    coredns | local-path-provisioner | pause | kube-network-policies | actionlint | azurite) ;;
    pouchdb-server | promtool | gateway-client) ;;
    images | all) ;;
    *) usage ;;
  esac
done
for target in "${targets[@]}"; do
  case "$target" in
    fabric) build_fabric_releases ;;
    fabric-*) build_fabric "${target#fabric-}" ;;
    pulumi) build_pulumi ;;
    kubernetes-provider) build_kubernetes_provider ;;
    kube) build_kube ;;
    node) build_node ;;
    kube-node) build_kube_node ;;
    containerd) build_containerd ;;
    coredns) build_coredns ;;
    local-path-provisioner) build_local_path_provisioner ;;
    pause) build_pause ;;
    kube-network-policies) build_kube_network_policies ;;
    actionlint) build_actionlint ;;
    azurite) build_azurite ;;
    pouchdb-server) build_pouchdb_server ;;
    promtool) build_promtool ;;
    gateway-client) build_gateway_client ;;
    images) "$HERE/images/build.sh" ;;
    all)
      build_fabric_releases
      build_pulumi
      build_kubernetes_provider
      build_kube
      build_node
      build_actionlint
      build_azurite
      build_pouchdb_server
      build_promtool
      build_gateway_client
      "$HERE/images/build.sh"
      ;;
  esac
done
