#!/usr/bin/env bash
# Sets up everything the test suite needs (virtualenv, pinned packages, the
# Fabric, Pulumi and Kubernetes binaries in the tool cache) and runs lint, type
# checks and pytest: unit tests, the fabric tier (real peers and orderers), the
# engine tier (the Pulumi CLI against a local kube-apiserver), and beside them
# the container tiers (real pods on the local cluster, the images).
# Extra arguments go to pytest (to both lanes; with -m, one lane).
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

# The container tiers (real local cluster, images) need the `node` and `images`
# targets; every other tier needs the rest. With no -m of the caller's, the
# container tiers run as a second lane beside the others (their time is mostly
# waiting on pods and on Fabric nodes, not CPU), and on a cold cache their two
# targets build in that lane, at a lower priority, while the first lane tests.
MAIN_TARGETS=(fabric pulumi kubernetes-provider kube actionlint azurite pouchdb-server promtool
  gateway-client)
CONTAINER_TIERS="realkube or images"

echo "[test] building the pinned tools (cached: seconds; cold: docs/tools.md)" >&2
tools/build-tools.sh "${MAIN_TARGETS[@]}" >/dev/null

echo "[test] ruff" >&2
venv/bin/ruff check .
echo "[test] mypy" >&2
venv/bin/mypy .

for arg in "$@"; do
  case "$arg" in
    -m*)
      echo "[test] pytest (one lane: -m given)" >&2
      tools/build-tools.sh node images >/dev/null
      exec venv/bin/pytest "$@"
      ;;
  esac
done

lane_log="$(mktemp -t fabric-on-pulumi-container-lane.XXXXXX)"
echo "[test] pytest, container lane ($CONTAINER_TIERS) in the background: $lane_log" >&2
(
  nice -n 10 tools/build-tools.sh node images >/dev/null
  exec venv/bin/pytest -m "$CONTAINER_TIERS" "$@"
) >"$lane_log" 2>&1 &
lane_pid=$!
trap 'kill "$lane_pid" 2>/dev/null || true' EXIT

echo "[test] pytest, main lane (not $CONTAINER_TIERS)" >&2
set +e
venv/bin/pytest -m "not ($CONTAINER_TIERS)" "$@"
main_status=$?
wait "$lane_pid"
lane_status=$?
set -e
trap - EXIT

echo "[test] container lane ($CONTAINER_TIERS), exit $lane_status:" >&2
cat "$lane_log"
rm -f "$lane_log"
# 5 is pytest's "no tests collected": a lane the caller's selection left empty.
if [ "$main_status" -eq 5 ] && [ "$lane_status" -eq 5 ]; then exit 5; fi
for status in "$main_status" "$lane_status"; do
  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
done
