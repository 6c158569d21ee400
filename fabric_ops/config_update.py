"""Channel config updates, query-then-act: the channel's live config is
fetched and compared with the config the network spec renders (configtxgen's
genesis config for the same channel); only when they differ is an update
computed (configtxlator), signed by enough org admins for the policies it
touches and submitted. A second run finds nothing to change and submits
nothing.

Raft allows one consenter change per update, so a change of the consenter set
is split into steps: first each rotation (a consenter at the same address with
new TLS certificates, i.e. a new key: Fabric takes one added and one removed
consenter in an update as a rotation), then additions, then removals (the
cluster never shrinks below what it had), each waited for before the next.
BFT channels go the same way, one consenter per update, each step also
rewriting the BlockValidation policy the new consenter set implies
(``bft_config``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fabric_ops.bft_config import aligned_to, consenter_key, is_bft, with_bft_consenters
from fabric_ops.chaincode_ops import Orderer
from fabric_ops.channel_ops import block_config, config_block, genesis_block
from fabric_ops.channel_summary import consenter_address, consenters
from fabric_ops.executor import CommandFailed, CommandResult, Executor
from fabric_ops.polling import poll
from fabric_ops.retry import retrying

UPDATE = "update.pb"
APPLY_TIMEOUT_SECONDS = 120.0
SECTIONS = ("Application", "Orderer")


class ConfigUpdateError(Exception):
    """A config update cannot be made (e.g. not enough admins to sign it)."""


def _checked(result: CommandResult, context: str) -> CommandResult:
    if result.returncode != 0:
        raise CommandFailed(result, context)
    return result


def decode(executor: Executor, message: str, data: bytes) -> dict[str, Any]:
    result = executor.run(["configtxlator", "proto_decode", "--input", "in.pb", "--type", message],
                          inputs={"in.pb": data})
    decoded: dict[str, Any] = json.loads(_checked(result, f"decode {message}").stdout)
    return decoded


def encode(executor: Executor, message: str, document: dict[str, Any]) -> bytes:
    result = executor.run(
        ["configtxlator", "proto_encode", "--input", "in.json", "--type", message,
         "--output", "out.pb"],
        inputs={"in.json": json.dumps(document).encode()}, outputs=["out.pb"],
    )
    return _checked(result, f"encode {message}").files["out.pb"]


def live_config(executor: Executor, orderers: Sequence[Orderer], channel: str) -> dict[str, Any]:
    """The channel's current config, from the first orderer that answers."""
    errors = []
    for orderer in orderers:
        try:
            block = config_block(executor, orderer.address, orderer.domain, channel, attempts=3)
        except CommandFailed as error:
            errors.append(str(error))
            continue
        return block_config(executor, block)
    raise ConfigUpdateError(f"channel {channel}: no orderer gave its config: {errors}")


def rendered_config(executor: Executor, channel: str, files: Mapping[str, bytes]) -> dict[str, Any]:
    """The config the spec describes: configtxgen's genesis config of the channel."""
    return block_config(executor, genesis_block(executor, channel, files))


def _strip(element: dict[str, Any]) -> dict[str, Any]:
    """A config group without versions (they are the channel's history, not its
    content; configtxlator sets them in the update)."""
    return {
        "mod_policy": element.get("mod_policy", ""),
        "values": {k: {"mod_policy": v.get("mod_policy", ""), "value": v.get("value")}
                   for k, v in element.get("values", {}).items()},
        "policies": {k: {"mod_policy": p.get("mod_policy", ""), "policy": p.get("policy")}
                     for k, p in element.get("policies", {}).items()},
        "groups": {k: _strip(g) for k, g in element.get("groups", {}).items()},
    }


def _own(group: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k != "groups"}


def same_config(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return _strip(a["channel_group"]) == _strip(b["channel_group"])


@dataclass(frozen=True)
class SignatureNeed:
    """A policy a config update must meet: ``count`` of the admins of ``members``."""

    policy: str
    """Its path in the channel config, e.g. ``/Channel/Application/Admins``."""
    members: tuple[str, ...]
    count: int

    def describe(self) -> str:
        if len(self.members) == 1:
            return f"{self.policy}: the admin of {self.members[0]}"
        return (f"{self.policy}: MAJORITY, {self.count} of the admins of "
                f"{', '.join(self.members)}")


def signature_needs(current: dict[str, Any], target: dict[str, Any]) -> list[SignatureNeed]:
    """The policies the change from ``current`` to ``target`` touches: a
    section's org set or values need a MAJORITY of its current orgs' admins, an
    org's own group its admin, the channel's own values both sections' majorities."""
    cur, tgt = _strip(current["channel_group"]), _strip(target["channel_group"])
    needs: dict[str, SignatureNeed] = {}

    def majority(section: str) -> None:
        members = tuple(sorted(cur["groups"][section]["groups"]))
        policy = f"/Channel/{section}/Admins"
        needs[policy] = SignatureNeed(policy, members, len(members) // 2 + 1)

    if _own(cur) != _own(tgt):
        for section in SECTIONS:
            majority(section)
    for section in SECTIONS:
        before, after = cur["groups"][section], tgt["groups"][section]
        if _own(before) != _own(after) or set(before["groups"]) != set(after["groups"]):
            majority(section)
        for msp in sorted(set(before["groups"]) & set(after["groups"])):
            if before["groups"][msp] != after["groups"][msp]:
                policy = f"/Channel/{section}/{msp}/Admins"
                needs[policy] = SignatureNeed(policy, (msp,), 1)
    return list(needs.values())


def required_signers(
    current: dict[str, Any], target: dict[str, Any], available: Sequence[str]
) -> list[str]:
    """MSP IDs whose admins' signatures satisfy every policy the change from
    ``current`` to ``target`` touches (``signature_needs``), among ``available``."""
    needed: set[str] = set()
    for need in signature_needs(current, target):
        usable = [msp for msp in need.members if msp in available]
        if len(usable) < need.count:
            if len(need.members) == 1:
                raise ConfigUpdateError(f"the change of {need.members[0]}'s group needs its admin")
            section = need.policy.split("/")[2]
            raise ConfigUpdateError(
                f"{section} changes need {need.count} of the admins of "
                f"{', '.join(need.members)}; only {', '.join(usable) or 'none'} can sign here"
            )
        needed |= set(usable[:need.count])
    return sorted(needed)


def with_consenters(config: dict[str, Any], chosen: list[dict[str, Any]]) -> dict[str, Any]:
    """``config`` with the Raft consenters or BFT consenter mapping ``chosen``."""
    if is_bft(config):
        return with_bft_consenters(config, chosen)
    changed = copy.deepcopy(config)
    orderer = changed["channel_group"]["groups"]["Orderer"]
    orderer["values"]["ConsensusType"]["value"]["metadata"]["consenters"] = chosen
    return changed


def rotations(have: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The consenters of ``want`` whose address is a consenter's of ``have``
    with other TLS certificates: each replaces that one in place."""
    by_address = {consenter_address(c): c for c in have}
    return [c for c in want if consenter_address(c) in by_address
            and consenter_key(c) != consenter_key(by_address[consenter_address(c)])]


def update_steps(current: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """The configs to apply in turn to get from ``current`` to ``target``: one
    per consenter rotated (new TLS certificates at the same address), then one
    per consenter added, then one per consenter removed (each otherwise equal to
    ``current``), then ``target`` itself when anything else differs. A change of
    consensus type is refused: Fabric's Raft-to-BFT migration stops the
    orderers between its updates (docs/upgrades.md)."""
    if is_bft(current) != is_bft(target):
        kinds = ("BFT" if is_bft(c) else "etcdraft" for c in (current, target))
        raise ConfigUpdateError(
            "the consensus type of a running channel cannot change by config updates "
            "alone ({} to {}): Fabric's migration needs maintenance mode, a backup with "
            "the orderers stopped and their restart; see docs/upgrades.md".format(*kinds))
    want = consenters(target)
    have = list(consenters(current))
    wanted = {consenter_key(c) for c in want}

    def ordered(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = {consenter_key(c) for c in members}
        return ([c for c in want if consenter_key(c) in keys]
                + [c for c in members if consenter_key(c) not in wanted])

    steps = []
    for rotated in rotations(have, want):
        have = [rotated if consenter_address(c) == consenter_address(rotated) else c
                for c in have]
        steps.append(with_consenters(current, have))
    for added in [c for c in want if consenter_key(c) not in {consenter_key(h) for h in have}]:
        have = ordered([*have, added])
        steps.append(with_consenters(current, have))
    for removed in [c for c in have if consenter_key(c) not in wanted]:
        have = ordered([c for c in have if c is not removed])
        steps.append(with_consenters(current, have))
    last = steps[-1] if steps else current
    if not same_config(last, target):
        steps.append(target)
    return steps


def update_envelope(
    executor: Executor, channel: str, current: dict[str, Any], target: dict[str, Any]
) -> bytes:
    """configtxlator's update from ``current`` to ``target`` in an unsigned envelope."""
    result = executor.run(
        ["configtxlator", "compute_update", "--channel_id", channel, "--original", "original.pb",
         "--updated", "updated.pb", "--output", UPDATE],
        inputs={"original.pb": encode(executor, "common.Config", current),
                "updated.pb": encode(executor, "common.Config", target)},
        outputs=[UPDATE],
    )
    update = _checked(result, f"channel {channel}: compute update").files[UPDATE]
    envelope = {"payload": {
        "header": {"channel_header": {"channel_id": channel, "type": 2}},
        "data": {"config_update": decode(executor, "common.ConfigUpdate", update)},
    }}
    return encode(executor, "common.Envelope", envelope)


def sign_and_submit(
    executors: Mapping[str, Executor], signers: Sequence[str], orderers: Sequence[Orderer],
    channel: str, envelope: bytes,
) -> None:
    """Every signer but the first signs; the first submits (adding its own
    signature) to the first orderer that accepts it, so no admin's key leaves
    its executor."""
    for msp in signers[1:]:
        result = executors[msp].run(["peer", "channel", "signconfigtx", "-f", UPDATE],
                                    inputs={UPDATE: envelope}, outputs=[UPDATE])
        envelope = _checked(result, f"channel {channel}: {msp} signs the update").files[UPDATE]
    submitter = executors[signers[0]]
    failures = []
    for orderer in orderers:
        def submit(orderer: Orderer = orderer) -> CommandResult:
            result = submitter.run(
                ["peer", "channel", "update", "-f", UPDATE, "-c", channel, "-o",
                 orderer.address, "--tls", "--cafile", submitter.paths.tls_ca(orderer.domain)],
                inputs={UPDATE: envelope},
            )
            return _checked(result, f"channel {channel}: update submitted by {signers[0]}")
        try:
            retrying(submit, attempts=4)
            return
        except CommandFailed as error:
            failures.append(str(error))
    raise ConfigUpdateError(f"channel {channel}: no orderer accepted the update: {failures}")


def wait_for(condition: Callable[[], bool], what: str, timeout: float) -> None:
    poll(lambda: True if condition() else None, timeout, 0.5,
         lambda: ConfigUpdateError(f"{what}: not seen within {timeout:.0f} s"))


def applied_config(
    executor: Executor, orderers: Sequence[Orderer], channel: str, step: dict[str, Any]
) -> dict[str, Any]:
    """Polls the channel until its config is ``step`` (the orderers committed
    the update); that live config."""
    def applied() -> dict[str, Any] | None:
        live = live_config(executor, orderers, channel)
        return live if same_config(live, step) else None

    return poll(applied, APPLY_TIMEOUT_SECONDS, 0.5, lambda: ConfigUpdateError(
        f"channel {channel}: update not applied within {APPLY_TIMEOUT_SECONDS:.0f} s"))


def ensure_config(
    executors: Mapping[str, Executor],
    reader: str,
    orderers: Sequence[Orderer],
    channel: str,
    files: Mapping[str, bytes],
    on_applied: Callable[[dict[str, Any]], None] = lambda config: None,
) -> int:
    """Brings ``channel``'s config to what ``files`` (``configtx.channel_config_files``)
    describe; ``executors`` by MSP ID, ``reader`` the MSP whose admin fetches
    and renders. ``on_applied`` runs after each applied step (e.g. to wait for
    a new consenter). Returns the number of updates submitted (0: nothing to do)."""
    tools = executors[reader]
    current = live_config(tools, orderers, channel)
    target = aligned_to(current, rendered_config(tools, channel, files))
    submitted = 0
    for step in update_steps(current, target):
        signers = required_signers(current, step, list(executors))
        envelope = update_envelope(tools, channel, current, step)
        sign_and_submit(executors, signers, orderers, channel, envelope)
        submitted += 1

        current = applied_config(tools, orderers, channel, step)
        on_applied(step)
    return submitted
