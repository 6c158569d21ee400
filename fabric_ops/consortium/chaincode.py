"""A chaincode across org stacks: each org installs its own package on its own
peers and approves the definition with its own admin; any member commits once
the approvals meet the channel's ``LifecycleEndorsement`` policy (read from the
channel config; MAJORITY of the orgs by default), asking one peer of each
approving org (from their cards) to endorse the commit. Until then it says who
has not approved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from fabric_ops.ccaas_package import CcaasPackage
from fabric_ops.chaincode_ops import (
    Definition,
    Orderer,
    commit_readiness,
    committed,
    decide_sequence,
    ensure_approved,
    ensure_committed,
    ensure_installed,
)
from fabric_ops.channel_ops import peer_channels
from fabric_ops.config_update import live_config
from fabric_ops.consortium.lifecycle_policy import lifecycle_quorum
from fabric_ops.executor import Executor


def install_and_approve(
    executor: Executor, peers: Sequence[str], orderer: Orderer, definition: Definition,
    package: CcaasPackage,
) -> None:
    """The org's own part: its package on each of its peers, its approval."""
    for peer in peers:
        ensure_installed(executor, peer, package)
    ensure_approved(executor, peers[0], orderer, definition, package.package_id)


@dataclass(frozen=True)
class CommitOutcome:
    committed: bool
    """Committed by this call."""
    missing: tuple[str, ...]
    """MSP IDs that have not approved (after a commit: those that still may)."""
    waiting: str = ""
    """Why it was not committed ('' once the channel has the definition)."""


def approvals_line(approvals: Mapping[str, bool]) -> str:
    """``approved by A, B; not yet C`` from a readiness report."""
    approving = sorted(msp for msp, ok in approvals.items() if ok)
    missing = sorted(msp for msp, ok in approvals.items() if not ok)
    line = f"approved by {', '.join(approving) or 'no org yet'}"
    return line + (f"; not yet {', '.join(missing)}" if missing else "")


def commit_when_ready(
    executor: Executor, peer: str, orderer: Orderer, definition: Definition,
    endorsers: Mapping[str, tuple[str, str]],
) -> CommitOutcome:
    """Commits when the approvals meet the channel's ``LifecycleEndorsement``;
    ``endorsers`` maps an MSP ID to one of its peers (address, TLS CA domain).
    A definition already committed at this sequence (by another member) is
    not committed again."""
    current = committed(executor, peer, definition.channel, definition.name)
    if current is not None and int(current["sequence"]) >= definition.sequence:
        return CommitOutcome(False, ())
    readiness = commit_readiness(executor, peer, definition)
    missing = tuple(sorted(msp for msp, ok in readiness.items() if not ok))
    approving = sorted(msp for msp, ok in readiness.items() if ok)
    quorum = lifecycle_quorum(live_config(executor, [orderer], definition.channel))
    if not quorum.met(approving):
        return CommitOutcome(False, missing, f"{definition.name} sequence "
                             f"{definition.sequence} on {definition.channel}: "
                             f"{approvals_line(readiness)} ({quorum.describe()})")
    done = ensure_committed(executor, peer, orderer, definition,
                            [endorsers[msp] for msp in approving if msp in endorsers])
    return CommitOutcome(done, missing)


def lifecycle_report(executor: Executor, peer: str, definition: Definition) -> str:
    """One line on where ``definition`` stands, from the org's own ``peer``:
    committed, or who has approved it and who not (read-only, for a preview;
    ``definition.sequence`` is decided here as the approval decides it)."""
    where = f"chaincode {definition.name} {definition.version} on {definition.channel}"
    if definition.channel not in peer_channels(executor, peer):
        return f"{where}: waits for peer {peer} to join the channel"
    sequence = decide_sequence(executor, peer, definition.channel, definition.name,
                               definition.version, definition.init_required, changed=False)
    current = committed(executor, peer, definition.channel, definition.name)
    if current is not None and int(current["sequence"]) >= sequence:
        return f"{where}: committed at sequence {sequence}"
    readiness = commit_readiness(executor, peer, replace(definition, sequence=sequence))
    return f"{where}: sequence {sequence} {approvals_line(readiness)}"
