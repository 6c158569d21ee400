# localhost/fabric-on-pulumi/asset-transfer:1.0, the sample chaincode server
# (chaincode/asset_transfer) as its Dockerfile describes it, on Debian's Python
# 3.11 instead of python:3.11-slim: requirements.txt pip-installed, the code in
# /app, uid 1000 (user chaincode), EXPOSE 9999, python3 main.py. The name is
# local on purpose (localhost/: never pulled from anywhere); push it to a
# registry under another name to run it elsewhere.
NAME=asset-transfer
TAG=1.0
IMAGE="localhost/fabric-on-pulumi/$NAME:$TAG"
FLAVOR=grpc-python  # grpcio's extension needs libstdc++
SOURCE="$REPO/chaincode/asset_transfer"
CONFIG=(
  --env "PATH=$DEFAULT_PATH"
  --env PYTHONDONTWRITEBYTECODE=1
  --env PYTHONUNBUFFERED=1
  --env CHAINCODE_SERVER_ADDRESS=0.0.0.0:9999
  --workdir /app
  --user 1000:1000
  --port 9999/tcp
  --cmd '["python3", "main.py"]'
)

inputs() {
  (cd "$SOURCE" && sha256sum requirements.txt asset_contract.py serial_writes.py main.py)
}

populate() {
  pip_install "$1" --no-deps --only-binary=:all: -r "$SOURCE/requirements.txt"
  mkdir -p "$1/app"
  install -m 0644 "$SOURCE/asset_contract.py" "$SOURCE/serial_writes.py" "$SOURCE/main.py" \
    "$1/app/"
  python_compile "$1" /app
  echo 'chaincode:x:1000:1000::/nonexistent:/usr/sbin/nologin' >>"$1/etc/passwd"
  echo 'chaincode:x:1000:' >>"$1/etc/group"
}
