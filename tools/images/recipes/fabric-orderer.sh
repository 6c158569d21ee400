# docker.io/hyperledger/fabric-orderer:<release>, laid out as Fabric's
# images/orderer/Dockerfile: orderer, sampleconfig's msp/, orderer.yaml and
# configtx.yaml, EXPOSE 7050, CMD orderer start.
source "$HERE/lib/fabric.sh"
NAME=fabric-orderer
IMAGE="docker.io/hyperledger/fabric-orderer:$TAG"
FLAVOR=base
CONFIG=("${FABRIC_CONFIG[@]}" --port 7050/tcp --cmd '["orderer", "start"]')

inputs() { fabric_inputs; }

populate() {
  fabric_install "$1" orderer
  fabric_config "$1" msp orderer.yaml configtx.yaml
}
