"""Channel operations, each query-then-act: a command that changes the network
runs only when the query shows the change is needed, so a second run does
nothing. Every failure names the channel, the node and Fabric's own error."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fabric_ops.configtx import PROFILE
from fabric_ops.executor import CommandFailed, CommandResult, Executor
from fabric_ops.polling import poll
from fabric_ops.retry import retrying

BLOCK = "channel.block"
REMOVAL_TIMEOUT_SECONDS = 60.0


def _checked(result: CommandResult, context: str) -> CommandResult:
    if result.returncode != 0:
        raise CommandFailed(result, context)
    return result


def genesis_block(executor: Executor, channel: str, files: Mapping[str, bytes]) -> bytes:
    """configtxgen on the self-contained tree of ``configtx.channel_config_files``."""
    result = executor.run(
        ["configtxgen", "-profile", PROFILE, "-channelID", channel, "-outputBlock", BLOCK],
        env={"FABRIC_CFG_PATH": "."},
        inputs=files,
        outputs=[BLOCK],
    )
    _checked(result, f"channel {channel}: configtxgen")
    if BLOCK not in result.files:
        raise CommandFailed(result, f"channel {channel}: configtxgen wrote no block")
    return result.files[BLOCK]


def _osnadmin(
    executor: Executor, args: list[str], admin_address: str, orderer_domain: str,
    inputs: Mapping[str, bytes] | None = None,
) -> tuple[int, dict[str, Any], CommandResult]:
    """osnadmin with the orderer org admin's TLS client pair. osnadmin exits 0
    whatever the HTTP status, so the status is returned with the JSON body."""
    tls = f"{executor.paths.admin_dir}/tls"
    result = executor.run(
        [
            "osnadmin", "channel", *args, "-o", admin_address,
            "--ca-file", executor.paths.tls_ca(orderer_domain),
            "--client-cert", f"{tls}/client.crt", "--client-key", f"{tls}/client.key",
        ],
        inputs=inputs,
    )
    _checked(result, f"osnadmin {args[0]} at {admin_address}")
    status_line, _, body = result.stdout.partition("\n")
    if not status_line.startswith("Status: "):
        raise CommandFailed(result, f"osnadmin {args[0]} at {admin_address}: no status")
    status = int(status_line.removeprefix("Status: "))
    return status, (json.loads(body) if body.strip() else {}), result


def orderer_channel(
    executor: Executor, admin_address: str, orderer_domain: str, channel: str
) -> dict[str, Any] | None:
    """The orderer's view of ``channel`` (status, consensusRelation, height), or
    None when the orderer has not joined it."""

    def query() -> dict[str, Any] | None:
        status, body, result = _osnadmin(
            executor, ["list", "--channelID", channel], admin_address, orderer_domain
        )
        if status == 404:
            return None
        if status != 200:
            raise CommandFailed(result, f"channel {channel}: osnadmin list at {admin_address}")
        return body

    return retrying(query)


def ensure_orderer_joined(
    executor: Executor, admin_address: str, orderer_domain: str, channel: str, genesis: bytes,
    other_orderers: Sequence[tuple[str, str]] = (),
) -> bool:
    """Joins the orderer to ``channel`` unless it already serves it, with the
    block ``join_block`` picks among ``other_orderers`` (address, TLS CA domain)
    and ``genesis``; True when it joined now."""
    if orderer_channel(executor, admin_address, orderer_domain, channel) is not None:
        return False
    block = join_block(executor, channel, genesis, other_orderers)

    def join() -> bool:
        status, _, result = _osnadmin(
            executor, ["join", "--channelID", channel, "--config-block", BLOCK],
            admin_address, orderer_domain, inputs={BLOCK: block},
        )
        if status == 405 and "already exists" in result.stdout:
            return False
        if status != 201:
            raise CommandFailed(result, f"channel {channel}: osnadmin join at {admin_address}")
        return True

    return retrying(join)


def remove_orderer(
    executor: Executor, admin_address: str, orderer_domain: str, channel: str
) -> None:
    """Removes the orderer from ``channel`` and returns once it no longer lists
    the channel: the orderer deletes the ledger after answering, and until then
    it still lists the channel (pending removal) and refuses to join it (409)."""
    if orderer_channel(executor, admin_address, orderer_domain, channel) is None:
        return
    status, _, result = _osnadmin(
        executor, ["remove", "--channelID", channel], admin_address, orderer_domain
    )
    if status not in (204, 404, 409):  # 409: a removal already under way
        raise CommandFailed(result, f"channel {channel}: osnadmin remove at {admin_address}")
    listed: dict[str, Any] = {}

    def still_listed() -> CommandFailed:
        return CommandFailed(
            result, f"channel {channel}: not removed at {admin_address}, still listed: {listed}")

    def removed() -> bool | None:
        info = orderer_channel(executor, admin_address, orderer_domain, channel)
        if info is None:
            return True
        listed.clear()
        listed.update(info)
        if info.get("status") == "failed":
            raise still_listed()
        return None

    poll(removed, REMOVAL_TIMEOUT_SECONDS, 0.2, still_listed)


def peer_channels(executor: Executor, peer: str) -> list[str]:
    """``peer channel list`` on ``peer`` (host:port)."""

    def query() -> list[str]:
        result = executor.run(["peer", "channel", "list"], env={"CORE_PEER_ADDRESS": peer})
        _checked(result, f"peer channel list on {peer}")
        lines = result.stdout.splitlines()
        marker = next((i for i, line in enumerate(lines) if "has joined" in line), None)
        if marker is None:
            return []
        return [line.strip() for line in lines[marker + 1 :] if line.strip()]

    return retrying(query)


def ensure_peer_joined(executor: Executor, peer: str, channel: str, block: bytes) -> bool:
    """Joins ``peer`` to ``channel`` with the genesis block unless it has joined
    (it then pulls the rest of the chain from the orderers); True when it joined now."""
    if channel in peer_channels(executor, peer):
        return False

    def join() -> bool:
        result = executor.run(
            ["peer", "channel", "join", "-b", BLOCK],
            env={"CORE_PEER_ADDRESS": peer},
            inputs={BLOCK: block},
        )
        if result.returncode != 0 and "already exists with state" in result.output:
            return False
        _checked(result, f"channel {channel}: peer join on {peer}")
        return True

    return retrying(join)


def ordered_height(
    executor: Executor, orderers: Sequence[tuple[str, str]], channel: str
) -> int:
    """The channel's height on the first of ``orderers`` (address, TLS CA
    domain) that answers: the newest block's number plus one."""
    if not orderers:
        raise ValueError(f"channel {channel}: no orderer to ask for its height")
    errors = []
    for address, domain in orderers:
        result = executor.run(
            ["peer", "channel", "fetch", "newest", BLOCK, "-c", channel, "-o", address,
             "--tls", "--cafile", executor.paths.tls_ca(domain)],
        )
        found = re.search(r"Received block: ([0-9]+)", result.output)
        if result.returncode == 0 and found:
            return int(found.group(1)) + 1
        errors.append(f"{address}: {result.output.strip()[-300:]}")
    raise CommandFailed(result, f"channel {channel}: no orderer gave its height: {errors}")


def peer_height(executor: Executor, peer: str, channel: str) -> int:
    result = executor.run(
        ["peer", "channel", "getinfo", "-c", channel], env={"CORE_PEER_ADDRESS": peer}
    )
    _checked(result, f"channel {channel}: getinfo on {peer}")
    prefix = "Blockchain info:"
    for line in result.output.splitlines():
        if prefix in line:
            return int(json.loads(line.split(prefix, 1)[1])["height"])
    raise CommandFailed(result, f"channel {channel}: getinfo on {peer}: no '{prefix}'")


def config_block(
    executor: Executor, orderer_address: str, orderer_domain: str, channel: str,
    attempts: int = 8,
) -> bytes:
    """The channel's newest config block, fetched from an orderer."""
    def fetch() -> CommandResult:
        result = executor.run(
            ["peer", "channel", "fetch", "config", BLOCK, "-c", channel, "-o", orderer_address,
             "--tls", "--cafile", executor.paths.tls_ca(orderer_domain)],
            outputs=[BLOCK],
        )
        return _checked(result, f"channel {channel}: fetch config from {orderer_address}")

    return retrying(fetch, attempts=attempts).files[BLOCK]


def block_config(executor: Executor, block: bytes) -> dict[str, Any]:
    """The channel config a config block carries, as configtxlator's JSON."""
    decoded = executor.run(
        ["configtxlator", "proto_decode", "--input", BLOCK, "--type", "common.Block"],
        inputs={BLOCK: block},
    )
    _checked(decoded, "decode config block")
    document: dict[str, Any] = json.loads(decoded.stdout)
    config: dict[str, Any] = document["data"]["data"][0]["payload"]["data"]["config"]
    return config


def channel_config(
    executor: Executor, orderer_address: str, orderer_domain: str, channel: str
) -> dict[str, Any]:
    """The channel's current configuration as JSON."""
    return block_config(executor, config_block(executor, orderer_address, orderer_domain,
                                               channel))


def join_block(
    executor: Executor, channel: str, genesis: bytes, orderers: Sequence[tuple[str, str]]
) -> bytes:
    """What an orderer joins ``channel`` with: the newest config block from the
    first of ``orderers`` (address, TLS CA domain) that serves the channel, so a
    consenter added long after the channel's creation replicates from the
    current orderers; the genesis block while none serves it yet."""
    for address, domain in orderers:
        try:
            return config_block(executor, address, domain, channel, attempts=2)
        except CommandFailed:
            continue
    return genesis


def anchor_peers(config: dict[str, Any], msp_id: str) -> list[str]:
    """An application org's anchor peers (``host:port``) in a channel config."""
    group = config["channel_group"]["groups"]["Application"]["groups"].get(msp_id, {})
    value = group.get("values", {}).get("AnchorPeers", {}).get("value", {})
    return [f"{p['host']}:{p['port']}" for p in value.get("anchor_peers", [])]
