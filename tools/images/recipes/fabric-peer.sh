# docker.io/hyperledger/fabric-peer:<release>, laid out as Fabric's
# images/peer/Dockerfile: peer, sampleconfig's msp/ and core.yaml, the
# chaincode-as-a-service builder at /opt/hyperledger/ccaas_builder/bin,
# EXPOSE 7051, CMD peer node start. The builder is the project's own
# (localnet/ccaas_builder, Python: the Go module of Fabric's is not served),
# hence Python in the image. The peer's core.yaml (node_settings) names
# /opt/hyperledger/ccaas_builder as its only external builder; the init
# container (node_settings.disable_docker_command) needs sh, grep and sed.
source "$HERE/lib/fabric.sh"
NAME=fabric-peer
IMAGE="docker.io/hyperledger/fabric-peer:$TAG"
FLAVOR=python
BUILDER="$REPO/localnet/ccaas_builder/bin"
CONFIG=("${FABRIC_CONFIG[@]}" --port 7051/tcp --cmd '["peer", "node", "start"]')

inputs() {
  fabric_inputs
  (cd "$BUILDER" && sha256sum detect build release ccaas.py)
}

populate() {
  fabric_install "$1" peer
  fabric_config "$1" msp core.yaml
  local builder="$1/opt/hyperledger/ccaas_builder/bin"
  mkdir -p "$builder"
  install -m 0755 "$BUILDER/detect" "$BUILDER/build" "$BUILDER/release" "$builder/"
  install -m 0644 "$BUILDER/ccaas.py" "$builder/"
  python_compile "$1" /opt/hyperledger/ccaas_builder/bin
}
