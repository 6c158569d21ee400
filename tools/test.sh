#!/usr/bin/env bash
# Sets up everything the test suite needs (virtualenv, pinned packages, the
# Fabric, Pulumi and Kubernetes binaries in the tool cache) and runs lint, type
# checks and pytest: unit tests, the fabric tier (real peers and orderers) and
# the engine tier (the Pulumi CLI against a local kube-apiserver).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x venv/bin/python ]; then
  echo "[test] creating venv" >&2
  python3 -m venv venv
fi
echo "[test] installing requirements.txt" >&2
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
venv/bin/pip check

echo "[test] checking the Debian packages of the local cluster's node" >&2
tools/install-packages.sh

echo "[test] building the pinned tools (cached: seconds; cold: 45 to 60 minutes, docs/tools.md)" >&2
tools/build-tools.sh all >/dev/null

echo "[test] ruff" >&2
venv/bin/ruff check .
echo "[test] mypy" >&2
venv/bin/mypy .

echo "[test] pytest" >&2
exec venv/bin/pytest "$@"
