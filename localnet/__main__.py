"""``python -m localnet up <sample dir>``: start a network, print its endpoints and
keep it running until Ctrl-C (or SIGTERM); every node (and every chaincode server
it started) is stopped on the way out. With ``--serve-chaincodes`` it serves the
sample chaincode for every chaincode/org of network.yaml that no
``--chaincode-server`` names, and prints the package ID each server runs with
(and, for a server you run, the TLS files issued for it by its org's TLS CA:
peers dial chaincode servers over mutual TLS only);
with ``--populate`` it creates and joins the channels and deploys the
chaincodes. It writes ``network.json`` (the manifest for ``fabric:localNetwork``)
and ``outputs.json`` (the ``gatewayClients`` and ``connectionProfiles`` outputs
of a stack on this network, for clients) into the workdir."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from crypto import KeyPair
from fabric_ops.executor import CommandFailed
from localnet.chaincode_servers import (
    chaincode_labels,
    chaincode_servers,
    given_server_tls,
    given_servers,
    server_lines,
)
from localnet.client_outputs import client_outputs
from localnet.network import STATE_DATABASE, LocalNetwork, load_spec_dir
from localnet.populate import populate
from localnet.process import NodeStartError
from localnet.release import ReleaseError
from network_spec import SpecError

MANIFEST = "network.json"
OUTPUTS = "outputs.json"
SERVER_OPTION = "--chaincode-server"


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
    lines.append(f"all nodes healthy {net.startup_seconds:.2f} s after start")
    return "\n".join(lines)


def up(spec_dir: Path, workdir: Path, log_spec: str, given: list[str], serve: bool,
       fill: bool) -> int:
    spec = load_spec_dir(spec_dir)
    theirs = given_servers(given, spec, SERVER_OPTION)
    to_start = {key: label for key, label in chaincode_labels(spec).items()
                if serve and key not in theirs}
    unserved = sorted(set(chaincode_labels(spec)) - set(theirs) - set(to_start))
    if fill and unserved:
        raise ValueError(f"--populate: no chaincode server for {', '.join(unserved)}; add "
                         f"--serve-chaincodes or {SERVER_OPTION} <chaincode>/<org>=<host>:<port>")
    log_dir = workdir / "chaincode-servers"
    with LocalNetwork.start(spec_dir, workdir, log_spec=log_spec) as net:
        log_dir.mkdir(exist_ok=True)

        def tls_ca_of(key: str) -> KeyPair | None:
            return net.tls_ca(key.split("/")[1])

        theirs_tls = given_server_tls(theirs, log_dir, tls_ca_of)
        with chaincode_servers(to_start, log_dir, tls_ca_of) as started:
            servers = {**theirs, **started}
            manifest, outputs = workdir / MANIFEST, workdir / OUTPUTS
            manifest.write_text(net.manifest(servers).to_json(), encoding="utf-8")
            outputs.write_text(client_outputs(net), encoding="utf-8")
            print(describe(net), flush=True)
            print("\n".join(server_lines(spec, servers, started, log_dir, theirs_tls)), flush=True)
            print(f"manifest {manifest}: set fabric:localNetwork to it and fabric:cryptoDir to "
                  f"{net.crypto_dir} to populate this network with pulumi up", flush=True)
            print(f"client outputs {outputs}", flush=True)
            if fill:
                populate(net, servers)
                print("populated: channels " + ", ".join(c.name for c in spec.channels)
                      + "; chaincodes " + (", ".join(c.name for c in spec.chaincodes) or "none"),
                      flush=True)
            print("Ctrl-C stops", flush=True)
            return watch(net)


def watch(net: LocalNetwork) -> int:
    """Until a node exits (then 1) or the process is stopped."""
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
    start.add_argument("--serve-chaincodes", action="store_true",
                       help="serve the sample chaincode for every chaincode/org of network.yaml "
                            f"that no {SERVER_OPTION} names")
    start.add_argument(SERVER_OPTION, action="append", default=[],
                       metavar="CHAINCODE/ORG=HOST:PORT",
                       help="a chaincode server you run (repeatable); its package ID and the "
                            "TLS certificate it must serve (of its org's TLS CA) are printed")
    start.add_argument("--populate", action="store_true",
                       help="create and join the channels, install, approve and commit the "
                            "chaincodes")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    # Also when started in the background by a shell, which ignores SIGINT there.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="localnet-"))
    try:
        return up(args.spec_dir, workdir, args.log_spec, args.chaincode_server,
                  args.serve_chaincodes, args.populate)
    except KeyboardInterrupt:
        return 130
    except (SpecError, ReleaseError, NodeStartError, CommandFailed, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
