"""Fabric's command line tools run as an org admin, with the environment
``admin_environment`` gives the cluster's admin toolbox and local paths."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fabric_components.node_settings import admin_environment
from localnet.process import process_environment
from localnet.release import FabricRelease
from network_spec import OrgSpec

if TYPE_CHECKING:
    from localnet.network import LocalNetwork, LocalNode

COMMAND_TIMEOUT_SECONDS = 60.0


class CommandError(Exception):
    """A Fabric CLI command failed; ``output`` is its stdout and stderr."""

    def __init__(self, argv: list[str], returncode: int, output: str) -> None:
        self.argv = argv
        self.returncode = returncode
        self.output = output
        super().__init__(f"{' '.join(argv)} exited with {returncode}:\n{output}")


def run_tool(release: FabricRelease, tool: str, args: list[str], env: dict[str, str]) -> str:
    """Run ``bin/<tool> args`` with exactly ``env``; its combined output."""
    argv = [str(release.binary(tool)), *args]
    result = subprocess.run(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(argv, result.returncode, result.stdout)
    return result.stdout


@dataclass(frozen=True)
class AdminCli:
    """An org admin's ``peer`` and ``osnadmin`` commands."""

    release: FabricRelease
    env: dict[str, str]
    """The whole environment of every command."""
    admin_dir: Path
    """The identity: ``msp/`` and ``tls/client.{crt,key}``."""
    tls_ca_file: Path
    """The TLS CA of the org's own nodes."""

    @classmethod
    def for_org(cls, net: LocalNetwork, org: OrgSpec) -> AdminCli:
        admin_dir = net.admin_dir(org.name)
        settings = admin_environment(
            org, net.addressing, str(net.config_dir), str(admin_dir), str(net.tls_ca_dir)
        )
        return cls(net.release, process_environment(settings), admin_dir, net.tls_ca_file(org.name))

    def with_env(self, **overrides: str) -> AdminCli:
        """The same admin with some variables changed (e.g. another MSP ID)."""
        return dataclasses.replace(self, env={**self.env, **overrides})

    def peer(self, target: LocalNode, *args: str) -> str:
        """``peer <args>`` against ``target`` (a peer of the org)."""
        env = {**self.env, "CORE_PEER_ADDRESS": target.endpoint}
        return run_tool(self.release, "peer", list(args), env)

    def join_peer(self, target: LocalNode, block: Path) -> str:
        return self.peer(target, "channel", "join", "-b", str(block))

    def channel_info(self, target: LocalNode, channel: str) -> dict[str, Any]:
        """``peer channel getinfo``: height, currentBlockHash, previousBlockHash."""
        output = self.peer(target, "channel", "getinfo", "-c", channel)
        prefix = "Blockchain info:"
        for line in output.splitlines():
            if prefix in line:
                info: dict[str, Any] = json.loads(line.split(prefix, 1)[1])
                return info
        raise CommandError(["peer", "channel", "getinfo"], 0, f"no '{prefix}' in:\n{output}")

    def osnadmin(self, target: LocalNode, *args: str) -> dict[str, Any]:
        """``osnadmin channel <args>`` against an orderer's admin endpoint, with
        mutual TLS as the orderer org's admin; the JSON body of the answer.
        osnadmin exits 0 whatever the HTTP status, so a status >= 300 is
        raised here as a ``CommandError``."""
        if target.admin_endpoint is None:
            raise ValueError(f"{target.name} is not an orderer")
        tls = self.admin_dir / "tls"
        argv = [
            "channel",
            *args,
            "-o",
            target.admin_endpoint,
            "--ca-file",
            str(self.tls_ca_file),
            "--client-cert",
            str(tls / "client.crt"),
            "--client-key",
            str(tls / "client.key"),
        ]
        output = run_tool(self.release, "osnadmin", argv, self.env)
        status_line, _, body = output.partition("\n")
        status = int(status_line.removeprefix("Status: "))
        if status >= 300:
            raise CommandError(["osnadmin", *argv], status, output)
        info: dict[str, Any] = json.loads(body) if body.strip() else {}
        return info

    def join_orderer(self, target: LocalNode, channel: str, block: Path) -> dict[str, Any]:
        return self.osnadmin(target, "join", "--channelID", channel, "--config-block", str(block))

    def orderer_channel(self, target: LocalNode, channel: str) -> dict[str, Any]:
        """``osnadmin channel list --channelID``: status, consensusRelation, height."""
        return self.osnadmin(target, "list", "--channelID", channel)
