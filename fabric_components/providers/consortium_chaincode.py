"""A chaincode of network.yaml in an org stack: the org's approval with its
own admin (``OrgChaincodeApproval``), once its peer has joined the channel,
and the commit (``ChaincodeCommitWhenReady``), once the approvals of all the
orgs meet the channel's ``LifecycleEndorsement``. Either one that has to wait
records why (output ``waiting``) and stays not done, so the ``pulumi up``
succeeds and the next one tries again; the commit may well be done by then by
another member's stack, which counts as done here."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from fabric_components.providers.chaincode import next_sequence
from fabric_components.providers.idempotent import IdempotentOperation, executor_of
from fabric_components.providers.operation import TYPE_MODULE, Operation

DEFINITION_INPUTS = ("channel", "name", "version", "policy", "init_required")


def _definition(props: dict[str, Any], sequence: int) -> Any:
    from fabric_ops.chaincode_ops import Definition

    return Definition(props["channel"], props["name"], props["version"], sequence,
                      props["policy"], bool(props["init_required"]))


def _orderer(props: dict[str, Any]) -> Any:
    from fabric_ops.chaincode_ops import Orderer

    return Orderer(props["orderer"]["address"], props["orderer"]["domain"])


class WaitingOperation(IdempotentOperation):
    """``act`` returns why it waits ('' when done) and any outputs it decided."""

    def attempt(self, props: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _outs(self, props: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        outs = {**props, **self.attempt(props, olds)}
        return {**outs, "done": not outs["waiting"]}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=self.identity(props), outs=self._outs(props, {}))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._outs(news, olds))


class ApprovalProvider(WaitingOperation):
    """The sequence is decided here, on the org's own peer, as a whole-network
    stack's ``ChaincodeDefinition`` decides it: the committed one when it is
    this definition, else the next (``next_sequence`` on a change)."""

    replace_keys = ("channel", "name", "org")
    update_keys = ("version", "policy", "init_required", "package_ids", "peer_address")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['name']}/{props['org']}"

    def _sequence(self, props: dict[str, Any], olds: dict[str, Any]) -> int:
        from fabric_ops.chaincode_ops import committed, decide_sequence

        executor, peer = executor_of(props), props["peer_address"]
        if not olds.get("sequence"):
            return decide_sequence(executor, peer, props["channel"], props["name"],
                                   props["version"], bool(props["init_required"]), changed=False)
        current = committed(executor, peer, props["channel"], props["name"])
        return next_sequence(olds, props, int(current["sequence"]) if current else 0)

    def attempt(self, props: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        from fabric_ops.chaincode_ops import ensure_approved
        from fabric_ops.channel_ops import peer_channels

        executor, peer = executor_of(props), props["peer_address"]
        if props["channel"] not in peer_channels(executor, peer):
            return {"sequence": None, "waiting": f"peer {peer} has not joined channel "
                                                 f"{props['channel']} yet"}
        sequence = self._sequence(props, olds)
        ensure_approved(executor, peer, _orderer(props), _definition(props, sequence),
                        props["package_ids"][props["org"]])
        return {"sequence": sequence, "waiting": ""}

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.chaincode_ops import approved

        if not props.get("sequence"):
            return False
        current = approved(executor_of(props), props["peer_address"], props["channel"],
                           props["name"], int(props["sequence"]))
        package = (current or {}).get("source", {}).get("Type", {}).get("LocalPackage", {})
        return bool(package.get("package_id") == props["package_ids"][props["org"]])


class OrgChaincodeApproval(Operation, module=TYPE_MODULE, name="OrgChaincodeApproval"):
    """``<cc>-<channel>-<org>-approve``: the org's own approval, from its own stack."""

    sequence: pulumi.Output[Any]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ApprovalProvider(), name,
                         {**props, "sequence": None, "waiting": None, "done": None}, opts)


class CommitWhenReadyProvider(WaitingOperation):
    replace_keys = ("channel", "name")
    update_keys = ("version", "sequence", "policy", "init_required")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['name']}"

    def attempt(self, props: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        from fabric_ops.consortium.chaincode import commit_when_ready

        if not props["sequence"]:
            return {"waiting": "this org has not approved yet"}
        endorsers = {msp: (peer["address"], peer["domain"])
                     for msp, peer in props["endorsers"].items()}
        outcome = commit_when_ready(executor_of(props), props["peer_address"], _orderer(props),
                                    _definition(props, int(props["sequence"])), endorsers)
        return {"waiting": outcome.waiting}

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.chaincode_ops import committed

        if not props.get("sequence"):
            return False
        current = committed(executor_of(props), props["peer_address"], props["channel"],
                            props["name"])
        return current is not None and int(current["sequence"]) >= int(props["sequence"])


class ChaincodeCommitWhenReady(Operation, module=TYPE_MODULE, name="ChaincodeCommitWhenReady"):
    """``<cc>-<channel>-commit``: commits once the channel's orgs' approvals meet
    its ``LifecycleEndorsement`` (done as well when another member committed)."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(CommitWhenReadyProvider(), name,
                         {**props, "waiting": None, "done": None}, opts)
