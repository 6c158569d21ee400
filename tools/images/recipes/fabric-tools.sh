# docker.io/hyperledger/fabric-tools:<release>, laid out as Fabric's
# images/tools/Dockerfile: the CLI tools in /usr/local/bin, all of sampleconfig
# in FABRIC_CFG_PATH, bash and jq, CMD /bin/bash (its base image's). What the
# program runs in it: the admin toolbox (sleep infinity; the pod executor's
# script: sh, mktemp, base64, printf, rm; peer, osnadmin, configtxgen,
# configtxlator), and the backup and restore scripts (fabric_components/
# backup_scripts.py: tar and gzip, sha256sum, wc, tr, cut, jq, ls, grep, mv,
# touch). Not here: cryptogen, discover and ledgerutil (not built from the
# pinned modules; the program does not run them) and the Go toolchain of the
# official image (for packaging Go chaincode from source, which CCaaS does not do).
source "$HERE/lib/fabric.sh"
NAME=fabric-tools
IMAGE="docker.io/hyperledger/fabric-tools:$TAG"
FLAVOR=tools
CONFIG=("${FABRIC_CONFIG[@]}" --cmd '["/bin/bash"]')

inputs() { fabric_inputs; }

populate() {
  fabric_install "$1" peer osnadmin configtxgen configtxlator
  fabric_config "$1" msp core.yaml orderer.yaml configtx.yaml
}
