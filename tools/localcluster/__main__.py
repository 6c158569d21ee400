"""Keeps a local cluster running in the background, for `tools/up.sh` on a machine
with no Kubernetes context of its own:

    python -m tools.localcluster start [--images-dir DIR] [--network-policies]
                                                           # prints the kubeconfig path
    python -m tools.localcluster status
    python -m tools.localcluster kubeconfig                # prints its path
    python -m tools.localcluster stop                      # leaves nothing behind

--state-dir (default /var/lib/fabric-on-pulumi/localcluster) holds everything of
the cluster; a stop removes it. Needs root.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tools.kube_processes import running_recorded
from tools.localcluster.cluster import (
    DEFAULT_IMAGES_DIR,
    NODE_COMPONENTS,
    LocalCluster,
    cleanup,
    stopping_binaries,
)
from tools.localcluster.layout import DEFAULT_STATE_DIR, Layout


def _start(layout: Layout, images_dir: Path | None, network_policies: bool) -> int:
    running = running_recorded(layout.pids)
    if running and all(c in running for c in NODE_COMPONENTS):
        print(f"already running ({', '.join(running)})", file=sys.stderr)
        print(layout.kubeconfig)
        return 0
    t0 = time.monotonic()
    cluster = LocalCluster(state_dir=layout.root, images_dir=images_dir, detached=True,
                           network_policies=network_policies)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    print(f"local cluster up in {time.monotonic() - t0:.0f} s at {cluster.server}",
          file=sys.stderr)
    print(cluster.kubeconfig)
    return 0


def _stop(layout: Layout) -> int:
    cleanup(layout, stopping_binaries(layout))
    shutil.rmtree(layout.root, ignore_errors=True)
    with contextlib.suppress(OSError):  # the default's parent, when empty
        layout.root.parent.rmdir()
    print("stopped", file=sys.stderr)
    return 0


def _status(layout: Layout) -> int:
    running = running_recorded(layout.pids)
    for name, pid in running.items():
        print(f"{name}\t{pid}")
    if not running:
        print("not running", file=sys.stderr)
        return 3
    return 0


def _kubeconfig(layout: Layout) -> int:
    if not layout.kubeconfig.exists() or not running_recorded(layout.pids):
        print(f"no local cluster runs from {layout.root}: python -m tools.localcluster start",
              file=sys.stderr)
        return 3
    print(layout.kubeconfig)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.localcluster", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status", "kubeconfig"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--images-dir", type=Path, default=DEFAULT_IMAGES_DIR,
                        help="the image archives to import: *.tar in it and "
                        "<image>/<tag>/image.tar below it (default: %(default)s, where "
                        "`tools/build-tools.sh images` puts them)")
    parser.add_argument("--network-policies", action="store_true",
                        help="enforce NetworkPolicies (kube-network-policies on the node); "
                        "without it they are created but not enforced")
    args = parser.parse_args(argv)
    layout = Layout(args.state_dir.resolve())
    if args.command == "start":
        images = args.images_dir if args.images_dir.is_dir() else None
        return _start(layout, images, args.network_policies)
    if args.command == "stop":
        return _stop(layout)
    if args.command == "status":
        return _status(layout)
    return _kubeconfig(layout)


if __name__ == "__main__":
    sys.exit(main())
