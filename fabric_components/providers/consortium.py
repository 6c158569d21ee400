"""The consortium steps of an org stack as dynamic resources: its org's card
written to the consortium folder (``OrgCardFile``), a channel created from
cards by the orderer org (``ChannelFromCards``) and joined by each member's
own peers (``ChannelMembership``), a proposal to add an org
to a channel (``ProposalDraft``), to remove one (``OrgRemovalDraft``), to
change its block size (``BatchSizeDraft``) or one consenter
(``ConsenterDraft``), its admin's signature on a
proposal its stack config approves (``ProposalSignature``) and the submission
of a proposal once enough orgs signed (``ProposalSubmission``). Each is
query-then-act: a signature already in the folder and valid, or a proposal
already submitted, is not made again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

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


class OrgRemovalDraftProvider(IdempotentOperation):
    replace_keys = ("folder", "channel", "msp_id")
    update_keys = ("proposer",)

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['msp_id']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.consortium.remove_org import propose_removal

        propose_removal(executor_of(props), props["proposer"], Path(props["folder"]),
                        props["channel"], _orderer(props), props["msp_id"])

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.consortium.add_org import has_org
        from fabric_ops.consortium.proposal import proposal_dir
        from fabric_ops.consortium.remove_org import remove_org_name

        name = remove_org_name(props["channel"], props["msp_id"])
        return (proposal_dir(Path(props["folder"]), name).exists()
                or not has_org(executor_of(props), _orderer(props), props["channel"],
                               props["msp_id"]))


class OrgRemovalDraft(Operation, module=TYPE_MODULE, name="OrgRemovalDraft"):
    """``<channel>-remove-<org>-proposal``: the stack proposes removing an org."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(OrgRemovalDraftProvider(), name, {**props, "done": None}, opts)


class BatchSizeDraftProvider(IdempotentOperation):
    replace_keys = ("folder", "channel", "count")
    update_keys = ("proposer",)

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['count']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.consortium.batch_size import propose_batch_size

        propose_batch_size(executor_of(props), props["proposer"], Path(props["folder"]),
                           props["channel"], _orderer(props), int(props["count"]))

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.config_update import live_config
        from fabric_ops.consortium.batch_size import batch_size_name, max_message_count
        from fabric_ops.consortium.proposal import proposal_dir

        name = batch_size_name(props["channel"], int(props["count"]))
        if proposal_dir(Path(props["folder"]), name).exists():
            return True
        live = live_config(executor_of(props), [_orderer(props)], props["channel"])
        return max_message_count(live) == int(props["count"])


class BatchSizeDraft(Operation, module=TYPE_MODULE, name="BatchSizeDraft"):
    """``<channel>-batch-size-<count>-proposal``: the stack proposes a block size."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(BatchSizeDraftProvider(), name, {**props, "done": None}, opts)


class ConsenterDraftProvider(IdempotentOperation):
    replace_keys = ("folder", "channel", "change", "node")
    update_keys = ("proposer",)

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['change']}/{props['node']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.consortium.consenter_change import propose_consenter_change

        propose_consenter_change(executor_of(props), props["proposer"], Path(props["folder"]),
                                 props["channel"], _orderer(props), props["change"],
                                 props["node"])

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.config_update import live_config
        from fabric_ops.consortium.consenter_change import (
            card_node,
            changed_consenters,
            consenter_change_name,
        )
        from fabric_ops.consortium.proposal import proposal_dir

        folder = Path(props["folder"])
        name = consenter_change_name(props["channel"], props["change"], props["node"])
        if proposal_dir(folder, name).exists():
            return True
        live = live_config(executor_of(props), [_orderer(props)], props["channel"])
        return changed_consenters(live, props["change"], *card_node(folder, props["node"])) is None


class ConsenterDraft(Operation, module=TYPE_MODULE, name="ConsenterDraft"):
    """``<channel>-<add|remove>-consenter-<node>-proposal``: the stack proposes
    one consenter change, the node known by its orderer org's card."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ConsenterDraftProvider(), name, {**props, "done": None}, opts)


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


def _cards(documents: list[dict[str, Any]]) -> list[Any]:
    from fabric_ops.consortium.card import parse_card

    return [parse_card(document, f"{document.get('mspId')} card") for document in documents]


class ChannelFromCardsProvider(IdempotentOperation):
    replace_keys = ("channel",)

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["channel"])

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.channel_ops import ensure_orderer_joined, genesis_block
        from fabric_ops.consortium.channel import RAFT, channel_files

        executor = executor_of(props)
        files = channel_files(_cards([props["orderer_card"]]), _cards(props["member_cards"]),
                              props["consenters"],
                              consensus=props.get("consensus", RAFT))
        genesis = genesis_block(executor, props["channel"], files)
        for admin in props["admins"]:
            ensure_orderer_joined(executor, admin["address"], admin["domain"], props["channel"],
                                  genesis)

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.channel_ops import orderer_channel

        executor = executor_of(props)
        return all(orderer_channel(executor, a["address"], a["domain"], props["channel"])
                   for a in props["admins"])


class ChannelFromCards(Operation, module=TYPE_MODULE, name="ChannelFromCards"):
    """``<channel>-channel``: the orderer org creates a channel of member orgs
    known by their cards and joins its own orderers."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ChannelFromCardsProvider(), name, {**props, "done": None}, opts)


class ChannelMembershipProvider(IdempotentOperation):
    """Joins the org's own peers once the channel exists and lists the org;
    until then it records why it waits (output ``waiting``) and stays not done,
    so the next ``pulumi up`` tries again instead of failing this one."""

    replace_keys = ("channel",)
    update_keys = ("peers",)

    def identity(self, props: dict[str, Any]) -> str:
        return str(props["channel"])

    def _join(self, props: dict[str, Any]) -> dict[str, Any]:
        from fabric_ops.consortium.joining import join_own_peers

        outcome = join_own_peers(executor_of(props), props["peers"], _orderer(props),
                                 props["channel"])
        return {**props, "waiting": outcome.waiting, "done": not outcome.waiting}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=self.identity(props), outs=self._join(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._join(news))

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.channel_ops import peer_channels

        executor = executor_of(props)
        return all(props["channel"] in peer_channels(executor, peer) for peer in props["peers"])


class ChannelMembership(Operation, module=TYPE_MODULE, name="ChannelMembership"):
    """``<channel>-<org>-membership``: the org joins its own peers to a channel
    another stack created."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ChannelMembershipProvider(), name,
                         {**props, "waiting": None, "done": None}, opts)


class OwnAnchorPeersProvider(IdempotentOperation):
    """Sets the org's anchor peers on a channel with its own admin, once the
    channel lists the org; until then it records why it waits (``waiting``)
    and stays not done. ``replaced`` and ``change`` keep the anchors the
    channel had and the change made (``<old> -> <new>``)."""

    replace_keys = ("channel", "msp_id")
    update_keys = ("anchors",)

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['msp_id']}"

    def _set(self, props: dict[str, Any]) -> dict[str, Any]:
        from fabric_ops.consortium.anchors import ensure_own_anchor_peers

        change, waiting = ensure_own_anchor_peers(
            executor_of(props), _orderer(props), props["channel"], props["msp_id"],
            props["anchors"])
        if change is None:
            return {**props, "waiting": waiting, "done": not waiting}
        return {**props, "waiting": waiting, "replaced": list(change.old),
                "change": change.describe(), "done": True}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=self.identity(props), outs=self._set(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._set({**news, "replaced": _olds.get("replaced"),
                                            "change": _olds.get("change")}))

    def is_done(self, props: dict[str, Any]) -> bool:
        """Not done too while the channel cannot be read or does not list the
        org (any more): the next ``pulumi up`` waits again, as at first."""
        from fabric_ops.config_update import ConfigUpdateError
        from fabric_ops.consortium.anchors import pending_anchor_change

        try:
            return pending_anchor_change(executor_of(props), _orderer(props), props["channel"],
                                         props["msp_id"], props["anchors"]) is None
        except (ConfigUpdateError, ValueError):
            return False


class OwnAnchorPeers(Operation, module=TYPE_MODULE, name="OwnAnchorPeers"):
    """``<channel>-<org>-anchor-peers``: the org's own anchor peers on a channel
    (its group's AnchorPeers, its admin's signature alone: no proposal)."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(OwnAnchorPeersProvider(), name,
                         {**props, "waiting": None, "replaced": None, "change": None,
                          "done": None}, opts)
