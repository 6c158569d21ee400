# mcr.microsoft.com/azure-cli:2.67.0 (the program's default backupImage): the
# Azure CLI from PyPI (azure-cli-requirements.txt) on Debian's Python 3.11, with
# sh, jq, sha256sum and the rest of Debian's Essential set, which the backup and
# restore Jobs' transfer scripts use (fabric_components/backup_scripts.py).
# Runs as root unless the pod says otherwise (the Jobs run as uid 1000 with
# HOME and AZURE_CONFIG_DIR under /tmp); CMD /bin/bash.
NAME=azure-cli
TAG=2.67.0
IMAGE="mcr.microsoft.com/$NAME:$TAG"
FLAVOR=azure
PINS="$HERE/azure-cli-requirements.txt"
CONFIG=(--env "PATH=$DEFAULT_PATH" --cmd '["/bin/bash"]')

inputs() { cat "$PINS"; }

populate() {
  pip_install "$1" --no-deps --only-binary=:all: -r "$PINS"
  # What pip's console script would do, without the build interpreter's path.
  printf '#!/bin/sh\nexec python3 -m azure.cli "$@"\n' >"$1/usr/local/bin/az"
  chmod 0755 "$1/usr/local/bin/az"
}
