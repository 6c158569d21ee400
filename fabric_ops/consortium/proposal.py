"""Config updates as proposals in the consortium folder:
``proposals/<name>/update.pb`` (the unsigned update envelope), ``summary.md``
(what changes, which policies must be met, by whom), ``proposal.yaml`` (the
same as data) and ``signatures/<MSP ID>.pb``, one ``ConfigSignature`` per
org. An org signs only a proposal its own stack config approves by name and
SHA-256 of ``update.pb`` (``<name>@<sha256>``), so a changed file is never
signed by mistake; whoever sees enough valid signatures submits."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fabric_ops.chaincode_ops import Orderer
from fabric_ops.config_update import (
    SignatureNeed,
    live_config,
    signature_needs,
    update_envelope,
)
from fabric_ops.consortium.card import OrgCard
from fabric_ops.consortium.consenter_set import consenter_changes
from fabric_ops.consortium.envelope import UpdateEnvelope, parse_envelope
from fabric_ops.consortium.signing import SignatureError, sign_update, verify_signature
from fabric_ops.executor import CommandFailed, CommandResult, Executor
from network_spec import SpecError

PROPOSALS_DIR = "proposals"
UPDATE_FILE = "update.pb"
SUMMARY_FILE = "summary.md"
META_FILE = "proposal.yaml"
SIGNATURES_DIR = "signatures"
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
APPROVAL = re.compile(r"([a-z0-9][a-z0-9-]{0,62})@([0-9a-f]{64})")


class ProposalError(Exception):
    """A proposal that cannot be signed or submitted (the message says why)."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def proposal_dir(folder: Path, name: str) -> Path:
    if not NAME.fullmatch(name):
        raise ProposalError(f"{name!r}: a proposal name is lowercase letters, digits and '-'")
    return folder / PROPOSALS_DIR / name


@dataclass(frozen=True)
class Proposal:
    name: str
    folder: Path
    """The consortium folder."""
    update: bytes
    channel: str
    needs: tuple[SignatureNeed, ...]
    proposed_by: str

    @property
    def sha256(self) -> str:
        return digest(self.update)

    @property
    def approval(self) -> str:
        """What an org's ``fabric:approve`` lists to sign this very update."""
        return f"{self.name}@{self.sha256}"

    @property
    def envelope(self) -> UpdateEnvelope:
        return parse_envelope(self.update)

    def signature_path(self, msp_id: str) -> Path:
        return proposal_dir(self.folder, self.name) / SIGNATURES_DIR / f"{msp_id}.pb"

    def signature_files(self) -> dict[str, Path]:
        found = (proposal_dir(self.folder, self.name) / SIGNATURES_DIR).glob("*.pb")
        return {path.stem: path for path in sorted(found)}


def _changes(current: dict[str, Any], target: dict[str, Any]) -> list[str]:
    lines = consenter_changes(current, target)
    for section in ("Application", "Orderer"):
        before = current["channel_group"]["groups"][section]
        after = target["channel_group"]["groups"][section]
        for msp in sorted(set(after["groups"]) - set(before["groups"])):
            lines.append(f"- {section}: adds org {msp}")
        for msp in sorted(set(before["groups"]) - set(after["groups"])):
            lines.append(f"- {section}: removes org {msp}")
        for msp in sorted(set(before["groups"]) & set(after["groups"])):
            if before["groups"][msp] != after["groups"][msp]:
                lines.append(f"- {section}: changes org {msp}'s own group")
        for key in sorted(set(before["values"]) | set(after["values"])):
            if before["values"].get(key, {}).get("value") != after["values"].get(key, {}).get(
                    "value"):
                lines.append(f"- {section}: changes {key}")
    return lines or ["- channel-level values"]


def summary(proposal: Proposal, changes: Sequence[str]) -> str:
    needs = "\n".join(f"- {need.describe()}" for need in proposal.needs)
    return (
        f"# Proposal {proposal.name}: channel {proposal.channel}\n\n"
        f"Proposed by {proposal.proposed_by}. `update.pb` SHA-256: `{proposal.sha256}`.\n\n"
        f"## What changes\n\n" + "\n".join(changes) + "\n\n"
        f"## Signatures the channel's policies need\n\n{needs}\n\n"
        "## Signing it\n\n"
        "Signing lets the change above happen in your name as an admin of your org. "
        "To sign, list the proposal in your stack's config and run `pulumi up`:\n\n"
        f"    fabric:approve:\n      - {proposal.approval}\n\n"
        f"Your signature is written to `signatures/<your MSP ID>.pb`; anyone can check "
        "it against your org's card.\n"
    )


def propose(
    executor: Executor, proposer: str, folder: Path, name: str, channel: str,
    current: dict[str, Any], target: dict[str, Any],
) -> Proposal:
    """Writes the update from ``current`` to ``target`` as proposal ``name``
    (computed by ``proposer``'s executor; nothing is signed)."""
    directory = proposal_dir(folder, name)
    if directory.exists():
        raise ProposalError(f"{directory}: a proposal of that name exists")
    update = update_envelope(executor, channel, current, target)
    proposal = Proposal(name, folder, update, channel, tuple(signature_needs(current, target)),
                        proposer)
    write_proposal(proposal, _changes(current, target))
    return proposal


def propose_change(
    executor: Executor, proposer: str, folder: Path, name: str, channel: str,
    orderer: Orderer, change: Callable[[dict[str, Any]], dict[str, Any] | None],
) -> Proposal | None:
    """Proposal ``name``: ``change`` applied to the channel's live config,
    written and signed by ``proposer`` as its author; None when the proposal
    exists already or ``change`` finds nothing to change (returns None)."""
    if proposal_dir(folder, name).exists():
        return None
    current = live_config(executor, [orderer], channel)
    target = change(current)
    if target is None:
        return None
    proposal = propose(executor, proposer, folder, name, channel, current, target)
    sign_proposal(executor, proposer, proposal, [proposal.approval])
    return proposal


def write_proposal(proposal: Proposal, changes: Sequence[str]) -> None:
    """``update.pb``, ``summary.md`` (``changes`` are its lines of what changes),
    ``proposal.yaml`` and an empty ``signatures/``."""
    directory = proposal_dir(proposal.folder, proposal.name)
    (directory / SIGNATURES_DIR).mkdir(parents=True)
    (directory / UPDATE_FILE).write_bytes(proposal.update)
    (directory / SUMMARY_FILE).write_text(summary(proposal, changes), encoding="utf-8")
    meta = {
        "channel": proposal.channel, "proposedBy": proposal.proposed_by,
        "sha256": proposal.sha256,
        "needs": [{"policy": n.policy, "members": list(n.members), "count": n.count}
                  for n in proposal.needs],
    }
    (directory / META_FILE).write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


def load_proposal(folder: Path, name: str) -> Proposal:
    directory = proposal_dir(folder, name)
    meta_path = directory / META_FILE
    if not meta_path.is_file():
        raise ProposalError(f"{directory}: no proposal {name!r} ({META_FILE} missing)")
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    update = (directory / UPDATE_FILE).read_bytes()
    try:
        needs = tuple(SignatureNeed(str(n["policy"]), tuple(n["members"]), int(n["count"]))
                      for n in meta["needs"])
        proposal = Proposal(name, folder, update, str(meta["channel"]), needs,
                            str(meta["proposedBy"]))
    except (KeyError, TypeError, ValueError) as error:
        raise SpecError(str(meta_path), "", f"not a proposal: {error}") from error
    if meta.get("sha256") != proposal.sha256:
        raise SpecError(str(directory / UPDATE_FILE), "",
                        f"its SHA-256 is {proposal.sha256}, but {META_FILE} records "
                        f"{meta.get('sha256')}: the update changed after it was proposed")
    if proposal.envelope.channel != proposal.channel:
        raise SpecError(str(meta_path), "channel",
                        f"{proposal.channel}, but update.pb is for {proposal.envelope.channel}")
    return proposal


def approved(approvals: Sequence[str], proposal: Proposal, file: str = "stack config") -> bool:
    """Whether ``approvals`` (``fabric:approve``) name this proposal with this
    very ``update.pb``; a malformed entry is an error naming it."""
    for i, entry in enumerate(approvals):
        if not APPROVAL.fullmatch(entry):
            raise SpecError(file, f"fabric:approve[{i}]",
                            f"{entry!r}: expected <proposal name>@<sha256 of update.pb>")
    return proposal.approval in approvals


def sign_proposal(executor: Executor, msp_id: str, proposal: Proposal,
                  approvals: Sequence[str]) -> Path:
    """Signs the proposal as ``msp_id``'s admin when ``approvals`` approve it;
    writes the signature file (again when one exists)."""
    if not approved(approvals, proposal):
        raise ProposalError(f"{msp_id} has not approved {proposal.approval}")
    signature = sign_update(executor, msp_id, proposal.update)
    path = proposal.signature_path(msp_id)
    path.write_bytes(signature)
    return path


@dataclass(frozen=True)
class Status:
    signed: tuple[str, ...]
    """MSP IDs with a valid signature file."""
    refused: dict[str, str]
    """MSP ID -> why its signature file does not hold."""
    missing: tuple[str, ...]
    """Per unmet policy: which orgs could still sign it."""

    @property
    def ready(self) -> bool:
        return not self.missing


def status(proposal: Proposal, cards: Callable[[str], OrgCard]) -> Status:
    """Checks every signature file against its org's card and the proposal's
    needs. ``cards`` reads a checked card by MSP ID (``card.read_card``)."""
    envelope = proposal.envelope
    signed, refused = [], {}
    for msp, path in proposal.signature_files().items():
        try:
            verify_signature(path.read_bytes(), envelope, cards(msp))
            signed.append(msp)
        except (SignatureError, SpecError) as error:
            refused[msp] = str(error)
    return Status(tuple(signed), refused, unmet(proposal.needs, signed))


def unmet(needs: Sequence[SignatureNeed], signed: Sequence[str]) -> tuple[str, ...]:
    """Per policy ``signed`` (MSP IDs) does not meet: how many more, of whom."""
    missing = []
    for need in needs:
        have = [m for m in need.members if m in signed]
        if len(have) < need.count:
            lacking = [m for m in need.members if m not in signed]
            missing.append(f"{need.policy}: {need.count - len(have)} more of "
                           f"{', '.join(lacking)}")
    return tuple(missing)


def describe(proposal: Proposal, state: Status) -> str:
    """One line, as a preview shows it."""
    signed = ", ".join(state.signed) or "nobody"
    waiting = f"missing {'; '.join(state.missing)}" if state.missing else "ready to submit"
    refused = "".join(f"; {msp}'s signature refused: {why}" for msp, why in state.refused.items())
    return f"proposal {proposal.name}: signed by {signed}; {waiting}{refused}"


def signed_envelope(proposal: Proposal, state: Status) -> bytes:
    """The update with every valid signature, in MSP ID order."""
    signatures = tuple(proposal.signature_path(msp).read_bytes() for msp in state.signed)
    return proposal.envelope.with_signatures(signatures).encoded()


def submit(
    executor: Executor, submitter: str, proposal: Proposal, state: Status, orderer: Orderer,
    check: bool = True,
) -> CommandResult:
    """Submits the signed update to ``orderer`` as ``submitter``'s admin (whose
    executor knows the orderer org's TLS CA, from its card). With ``check``,
    refuses while signatures are missing; without it the orderer judges."""
    if check and not state.ready:
        raise ProposalError(describe(proposal, state))
    result = executor.run(
        ["peer", "channel", "update", "-f", UPDATE_FILE, "-c", proposal.channel, "-o",
         orderer.address, "--tls", "--cafile", executor.paths.tls_ca(orderer.domain)],
        inputs={UPDATE_FILE: signed_envelope(proposal, state)},
    )
    if result.returncode != 0:
        raise CommandFailed(result, f"proposal {proposal.name}: submitted by {submitter}")
    return result
