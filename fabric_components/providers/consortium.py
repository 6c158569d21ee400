"""The consortium steps of an org stack as dynamic resources: its org's card
written to the consortium folder (``OrgCardFile``), a proposal to add an org
to a channel (``ProposalDraft``), its admin's signature on a
proposal its stack config approves (``ProposalSignature``) and the submission
of a proposal once enough orgs signed (``ProposalSubmission``). Each is
query-then-act: a signature already in the folder and valid, or a proposal
already submitted, is not made again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from fabric_components.providers.idempotent import IdempotentOperation, executor_of
from fabric_components.providers.operation import TYPE_MODULE, Operation, TypedResource

SUBMITTED_FILE = "submitted.yaml"


def _proposal(props: dict[str, Any]) -> Any:
    from fabric_ops.consortium.proposal import ProposalError, load_proposal

    proposal = load_proposal(Path(props["folder"]), props["proposal"])
    if proposal.sha256 != props["sha256"]:
        raise ProposalError(f"proposal {proposal.name}: update.pb changed since it was "
                            f"approved ({props['sha256']}); it is now {proposal.sha256}")
    return proposal


def _orderer(props: dict[str, Any]) -> Any:
    from fabric_ops.chaincode_ops import Orderer

    return Orderer(props["orderer"]["address"], props["orderer"]["domain"])


def _status(proposal: Any, folder: str) -> Any:
    from fabric_ops.consortium.card import read_card
    from fabric_ops.consortium.proposal import status

    return status(proposal, lambda msp: read_card(Path(folder), msp))


class OrgCardFileProvider(IdempotentOperation):
    replace_keys = ("folder", "msp_id")
    update_keys = ("card",)

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["msp_id"])

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.consortium.card import parse_card, write_card

        write_card(Path(props["folder"]), parse_card(props["card"], f"{props['msp_id']} card"))

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.consortium.card import card_path, parse_card, read_card

        if not card_path(Path(props["folder"]), props["msp_id"]).is_file():
            return False
        return bool(read_card(Path(props["folder"]), props["msp_id"])
                    == parse_card(props["card"], "stack"))


class OrgCardFile(TypedResource, module=TYPE_MODULE, name="OrgCardFile"):
    """``<org>-card``: the org's public card in the consortium folder."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(OrgCardFileProvider(), name, {**props, "done": None}, opts)


class ProposalDraftProvider(IdempotentOperation):
    replace_keys = ("folder", "channel", "msp_id")
    update_keys = ("proposer",)

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['msp_id']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.consortium.add_org import propose_org
        from fabric_ops.consortium.card import read_card

        folder = Path(props["folder"])
        propose_org(executor_of(props), props["proposer"], folder, props["channel"],
                    _orderer(props), read_card(folder, props["msp_id"]))

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.consortium.add_org import add_org_name, has_org
        from fabric_ops.consortium.proposal import proposal_dir

        name = add_org_name(props["channel"], props["msp_id"])
        return (proposal_dir(Path(props["folder"]), name).exists()
                or has_org(executor_of(props), _orderer(props), props["channel"],
                           props["msp_id"]))


class ProposalDraft(Operation, module=TYPE_MODULE, name="ProposalDraft"):
    """``<channel>-add-<org>-proposal``: the stack proposes adding an org by its card."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ProposalDraftProvider(), name, {**props, "done": None}, opts)


class ProposalSignatureProvider(IdempotentOperation):
    replace_keys = ("folder", "proposal", "sha256", "msp_id")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['proposal']}/{props['msp_id']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.consortium.proposal import sign_proposal

        if self.is_done(props):
            return
        proposal = _proposal(props)
        sign_proposal(executor_of(props), props["msp_id"], proposal, [proposal.approval])

    def is_done(self, props: dict[str, Any]) -> bool:
        return props["msp_id"] in _status(_proposal(props), props["folder"]).signed


class ProposalSignature(Operation, module=TYPE_MODULE, name="ProposalSignature"):
    """``<proposal>-<org>-signature``: the org admin signs an approved proposal."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ProposalSignatureProvider(), name, {**props, "done": None}, opts)


class ProposalSubmissionProvider(IdempotentOperation):
    replace_keys = ("folder", "proposal", "sha256")

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["proposal"])

    def _marker(self, props: dict[str, Any]) -> Path:
        from fabric_ops.consortium.proposal import proposal_dir

        return proposal_dir(Path(props["folder"]), props["proposal"]) / SUBMITTED_FILE

    def act(self, props: dict[str, Any]) -> None:
        import yaml

        from fabric_ops.consortium.proposal import submit

        if self.is_done(props):
            return
        proposal = _proposal(props)
        submit(executor_of(props), props["msp_id"], proposal, _status(proposal, props["folder"]),
               _orderer(props))
        self._marker(props).write_text(
            yaml.safe_dump({"submittedBy": props["msp_id"], "sha256": props["sha256"]}),
            encoding="utf-8")

    def is_done(self, props: dict[str, Any]) -> bool:
        return self._marker(props).is_file()


class ProposalSubmission(Operation, module=TYPE_MODULE, name="ProposalSubmission"):
    """``<proposal>-submission``: the signed update goes to the orderer, once."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ProposalSubmissionProvider(), name, {**props, "done": None}, opts)
