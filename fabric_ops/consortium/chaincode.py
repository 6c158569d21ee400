"""A chaincode across org stacks: each org installs its own package on its own
peers and approves the definition with its own admin; any member commits once
the readiness check shows the MAJORITY of the channel's orgs approved (the
default ``LifecycleEndorsement``), asking one peer of each approving org (from
their cards) to endorse the commit. Until then it says who has not approved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fabric_ops.ccaas_package import CcaasPackage
from fabric_ops.chaincode_ops import (
    Definition,
    Orderer,
    commit_readiness,
    ensure_approved,
    ensure_committed,
    ensure_installed,
)
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


def commit_when_ready(
    executor: Executor, peer: str, orderer: Orderer, definition: Definition,
    endorsers: Mapping[str, tuple[str, str]],
) -> CommitOutcome:
    """Commits when a MAJORITY of the channel's orgs approved; ``endorsers``
    maps an MSP ID to one of its peers (address, TLS CA domain)."""
    readiness = commit_readiness(executor, peer, definition)
    missing = tuple(sorted(msp for msp, ok in readiness.items() if not ok))
    approving = sorted(msp for msp, ok in readiness.items() if ok)
    if len(approving) <= len(readiness) // 2:
        return CommitOutcome(False, missing)
    done = ensure_committed(executor, peer, orderer, definition,
                            [endorsers[msp] for msp in approving])
    return CommitOutcome(done, missing)
