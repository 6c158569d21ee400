"""Runs one command in an org's admin toolbox pod, through the Kubernetes exec API
and the same executor every populate uses, with the org admin's identity:

    python -m tools.toolbox --namespace fabric-dev --org Org1 -- \\
        peer chaincode query -C mychannel -n basic -c '{"Args":["GetAllAssets"]}'

The cluster is the current context of KUBECONFIG (or ~/.kube/config). Prints the
command's output and exits with its exit code; needs no kubectl."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fabric_components.components.executors import TOOLBOX_PATHS
from fabric_ops.pod_executor import PodExecutor, TransportError
from network_spec.names import org_k8s_name


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.toolbox", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--namespace", required=True, help="the stack's fabric:namespace")
    parser.add_argument("--org", required=True, help="the org's Name in crypto-config.yaml")
    parser.add_argument("--timeout", type=float, default=120, help="seconds (default 120)")
    parser.add_argument("command", nargs="+", help="the command and its arguments")
    args = parser.parse_args(argv)
    executor = PodExecutor("", args.namespace, f"admin-{org_k8s_name(args.org)}", TOOLBOX_PATHS)
    try:
        result = executor.run(args.command, timeout=args.timeout)
    except TransportError as e:
        print(f"toolbox of {args.org} in {args.namespace}: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
