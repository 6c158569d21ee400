#!/usr/bin/env bash
# The main job: `pulumi up` of a stack (default: dev, against the current kube
# context) with the Pulumi CLI, language host and Kubernetes provider that
# tools/build-tools.sh builds; nothing is downloaded. State goes to a local file
# backend unless PULUMI_BACKEND_URL says otherwise; the passphrase is
# PULUMI_CONFIG_PASSPHRASE (empty when unset, fine for dev only). On a machine
# with no Kubernetes context (no KUBECONFIG, no ~/.kube/config), the dev stack
# goes to a local single-node cluster (python -m tools.localcluster start; stop
# it with `python -m tools.localcluster stop`).
# Usage: tools/up.sh [STACK] [pulumi up flags...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stack="${1:-dev}"
[ $# -gt 0 ] && shift

if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

if [ "$stack" = dev ] && [ -z "${KUBECONFIG:-}" ] && [ ! -f "$HOME/.kube/config" ]; then
  KUBECONFIG="$(venv/bin/python -m tools.localcluster start)"
  export KUBECONFIG
fi

dirs=$(tools/build-tools.sh pulumi kubernetes-provider)
pulumi_dir=$(sed -n 1p <<<"$dirs")
provider_dir=$(sed -n 2p <<<"$dirs")
# The dynamic provider plugin (tools/bin) is bundled next to the CLI, where the
# engine looks for it: nothing on PATH shadows it, so no run warns about it.
export PATH="$pulumi_dir/bin:$PATH"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_RUNTIME_VIRTUALENV="$PWD/venv"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://${HOME}/.fabric-on-pulumi-state}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
mkdir -p "${PULUMI_BACKEND_URL#file://}" 2>/dev/null || true

pulumi plugin install resource kubernetes 4.34.2 \
  --file "$provider_dir/bin/pulumi-resource-kubernetes" >/dev/null
pulumi stack select --create "$stack" >/dev/null
# Without a terminal there is nobody to confirm the preview.
[ -t 0 ] || set -- --yes "$@"
exec pulumi up --stack "$stack" "$@"
