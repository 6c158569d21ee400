"""``python -m localnet up <sample dir>``: start a network, print its endpoints and
keep it running until Ctrl-C (or SIGTERM); every node is stopped on the way out."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from localnet.network import STATE_DATABASE, LocalNetwork
from localnet.process import NodeStartError
from localnet.release import ReleaseError
from network_spec import SpecError

MANIFEST = "network.json"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def describe(net: LocalNetwork) -> str:
    lines = [f"workdir {net.workdir}", f"state database {STATE_DATABASE} (no CouchDB locally)"]
    for node in net.nodes.values():
        admin = f" admin {node.admin_endpoint}" if node.admin_endpoint else ""
        lines.append(
            f"{node.name:<28} {node.org.msp_id:<11} {node.endpoint}{admin}"
            f" ops {node.operations_url('')} log {node.log}"
        )
    for org in net.spec.orgs:
        lines.append(
            f"{org.name} admin {net.admin_dir(org.name)} TLS CA {net.tls_ca_file(org.name)}"
        )
    lines.append(f"all nodes healthy {net.startup_seconds:.2f} s after start; Ctrl-C stops")
    return "\n".join(lines)


def up(spec_dir: Path, workdir: Path, log_spec: str) -> int:
    with LocalNetwork.start(spec_dir, workdir, log_spec=log_spec) as net:
        manifest = workdir / MANIFEST
        manifest.write_text(net.manifest().to_json(), encoding="utf-8")
        print(describe(net), flush=True)
        print(f"manifest {manifest}: set fabric:localNetwork to it and fabric:cryptoDir to "
              f"{net.crypto_dir} to populate this network with pulumi up", flush=True)
        while True:
            for node in net.nodes.values():
                if not node.process.running():
                    code = node.process.popen.returncode
                    print(node.process.failure(f"exited with code {code}"), file=sys.stderr)
                    return 1
            time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localnet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start a network and wait for Ctrl-C")
    start.add_argument("spec_dir", type=Path, help="folder with crypto-config.yaml, network.yaml")
    start.add_argument(
        "--workdir", type=Path, help="keep crypto, config, data and logs here (default: temp)"
    )
    start.add_argument("--log-spec", default="INFO", help="FABRIC_LOGGING_SPEC of every node")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    # Also when started in the background by a shell, which ignores SIGINT there.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="localnet-"))
    try:
        return up(args.spec_dir, workdir, args.log_spec)
    except KeyboardInterrupt:
        return 130
    except (SpecError, ReleaseError, NodeStartError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
