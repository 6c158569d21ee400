# Shared by the fabric-* recipes: where a release's build is, and what every
# official Fabric image sets (Fabric's images/{peer,orderer,tools}/Dockerfile at
# the release's tag). Sourced by a recipe with VERSION set.

FABRIC_DIR="$CACHE/fabric/$VERSION"
if [ ! -f "$FABRIC_DIR/.complete" ]; then
  log "no Fabric $VERSION build in $FABRIC_DIR: run tools/build-tools.sh fabric-$VERSION"
  exit 3
fi

# FABRIC_CFG_PATH of the official images, where they keep the release's
# core.yaml / orderer.yaml / configtx.yaml: 2.5.0 to 2.5.5 moved it under
# /var/hyperledger, 2.5.6 moved it back, where 3.x keeps it.
case "$VERSION" in
  2.5.[0-5]) FABRIC_CFG_PATH=/var/hyperledger/fabric/config ;;
  2.5.* | 3.*) FABRIC_CFG_PATH=/etc/hyperledger/fabric ;;
  *)
    log "Fabric $VERSION: the image layout is known for 2.5 and 3.x releases only"
    exit 2
    ;;
esac
TAG="$VERSION"

# The image config every official Fabric image has (no USER: they run as root
# unless the pod says otherwise; the program runs them as uid 1000).
FABRIC_CONFIG=(
  --env "PATH=$DEFAULT_PATH"
  --env "FABRIC_CFG_PATH=$FABRIC_CFG_PATH"
  --env "FABRIC_VER=v$VERSION"
  --volume /etc/hyperledger/fabric
  --volume /var/hyperledger
)

# The stamp inputs: the release's build (its cache key names the wrapper module
# and the build flags).
fabric_inputs() {
  cat "$FABRIC_DIR/.complete"
}

# fabric_install ROOT BINARY...: the release's binaries into /usr/local/bin.
fabric_install() {
  local root="$1" binary
  shift
  mkdir -p "$root/usr/local/bin"
  for binary in "$@"; do
    install -m 0755 "$FABRIC_DIR/bin/$binary" "$root/usr/local/bin/$binary"
  done
}

# fabric_config ROOT ENTRY...: sampleconfig entries (files or msp/) into FABRIC_CFG_PATH.
fabric_config() {
  local root="$1" entry
  shift
  mkdir -p "$root$FABRIC_CFG_PATH"
  for entry in "$@"; do
    cp -r "$FABRIC_DIR/config/$entry" "$root$FABRIC_CFG_PATH/"
  done
  chmod -R a+rX,go-w "$root$FABRIC_CFG_PATH"
  mkdir -p "$root/var/hyperledger"
}
