#!/usr/bin/env bash
# The main job: `pulumi up` of a stack (default: dev) with the Pulumi CLI,
# language host and Kubernetes provider that tools/build-tools.sh builds; nothing
# is downloaded.
#
# Where: the current kube context. On a machine with none (no KUBECONFIG, no
# ~/.kube/config), the dev stack goes to a local single-node cluster that this
# script starts and leaves running in the background (needs root; stop it with
# `venv/bin/python -m tools.localcluster stop`).
#
# State goes to a local file backend unless PULUMI_BACKEND_URL says otherwise
# (~/.fabric-on-pulumi-state; for the local cluster, inside the cluster's own
# directory, so that the state goes when the cluster is stopped and a new cluster
# starts from an empty stack); the passphrase is PULUMI_CONFIG_PASSPHRASE (empty
# when unset, fine for dev only).
# The stack file Pulumi.<stack>.yaml is read, never written: Pulumi runs on a copy
# beside the state, so the checkout stays as git has it. What a killed run leaves
# is cleared first (tools/interrupted_runs.py): its stack lock, once its process is
# gone, and its pending operations (by a refresh), so the next run converges.
# Usage: tools/up.sh [STACK] [pulumi up flags...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stack="${1:-dev}"
[ $# -gt 0 ] && shift
if [ ! -f "Pulumi.$stack.yaml" ]; then
  echo "[up] no stack file Pulumi.$stack.yaml in $PWD" >&2
  exit 2
fi

if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

local_cluster=false
running_local="$(venv/bin/python -m tools.localcluster kubeconfig 2>/dev/null || true)"
no_context=false
[ -z "${KUBECONFIG:-}" ] && [ ! -f "$HOME/.kube/config" ] && no_context=true
# The dev stack goes to the local cluster when there is no kube context, or when
# the context is the local cluster's own kubeconfig (as `up` tells to export).
if [ "$stack" = dev ] && { $no_context || { [ -n "$running_local" ] && [ "${KUBECONFIG:-}" = "$running_local" ]; }; }; then
  echo "[up] the dev stack goes to the local cluster (tools/localcluster)" >&2
  tools/install-packages.sh
  tools/build-tools.sh fabric images >/dev/null
  KUBECONFIG="$(venv/bin/python -m tools.localcluster start)"
  export KUBECONFIG
  local_cluster=true
fi

dirs=$(tools/build-tools.sh pulumi kubernetes-provider)
pulumi_dir=$(sed -n 1p <<<"$dirs")
provider_dir=$(sed -n 2p <<<"$dirs")
# The dynamic provider plugin (tools/bin) is bundled next to the CLI, where the
# engine looks for it: nothing on PATH shadows it, so no run warns about it.
export PATH="$pulumi_dir/bin:$PATH"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_RUNTIME_VIRTUALENV="$PWD/venv"
if $local_cluster; then
  state_dir="$(dirname "$KUBECONFIG")/pulumi"
else
  state_dir="$HOME/.fabric-on-pulumi-state"
fi
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$state_dir}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
if [[ "$PULUMI_BACKEND_URL" == file://* ]]; then
  backend_dir="${PULUMI_BACKEND_URL#file://}"
  mkdir -p "$backend_dir"
  venv/bin/python -m tools.interrupted_runs locks "$backend_dir"
fi

pulumi plugin install resource kubernetes 4.34.2 \
  --file "$provider_dir/bin/pulumi-resource-kubernetes" >/dev/null

# Pulumi writes the secrets salt (and its own formatting) into the stack file it
# runs with: give it a copy, made again from the checkout's file on every run.
work="$state_dir/stack-files/$stack"
mkdir -p "$work"
cp Pulumi.yaml "$work/Pulumi.yaml"
pulumi --cwd "$work" stack select --create "$stack" >/dev/null
cp "Pulumi.$stack.yaml" "$work/Pulumi.$stack.yaml"

config=(--stack "$stack" --config-file "$work/Pulumi.$stack.yaml")
if pulumi stack export --stack "$stack" | venv/bin/python -m tools.interrupted_runs pending; then
  echo "[up] clearing what the interrupted run left pending (pulumi refresh)" >&2
  pulumi refresh "${config[@]}" --clear-pending-creates --yes --skip-preview >/dev/null
fi

# Without a terminal there is nobody to confirm the preview.
[ -t 0 ] || set -- --yes "$@"
pulumi up "${config[@]}" "$@"

if $local_cluster; then
  namespace=$(pulumi stack output namespace --stack "$stack")
  cat >&2 <<EOF

[up] The network runs on the local cluster, namespace $namespace.
     Reach it through an org's admin toolbox (KUBECONFIG=$KUBECONFIG):
       export KUBECONFIG=$KUBECONFIG
       venv/bin/python -m tools.toolbox --namespace $namespace --org Org1 -- \\
         peer chaincode invoke -o orderer0-orderer.$namespace.svc.cluster.local:7050 --tls \\
         --cafile /var/hyperledger/tls-ca/example.com.pem -C mychannel -n basic \\
         --waitForEvent -c '{"Args":["CreateAsset","asset1","blue"]}'
       venv/bin/python -m tools.toolbox --namespace $namespace --org Org1 -- \\
         peer chaincode query -C mychannel -n basic -c '{"Args":["ReadAsset","asset1"]}'
     Stop the cluster (the network goes with it): venv/bin/python -m tools.localcluster stop
EOF
fi
