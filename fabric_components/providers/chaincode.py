"""Dynamic providers for the chaincode lifecycle: install on a peer, the
definition's sequence, an org's approval and the commit. Same contract as the
channel operations : diff is offline, create/update
act after querying, read reports drift as ``done: False`` (``operation_provider``)."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from fabric_components.providers.idempotent import IdempotentOperation, changed_keys
from fabric_components.providers.idempotent import executor_of as _executor

DEFINITION_KEYS = ("version", "policy", "init_required", "package_ids")


def _definition(props: dict[str, Any]) -> Any:
    from fabric_ops.chaincode_ops import Definition

    return Definition(
        channel=props["channel"], name=props["name"], version=props["version"],
        sequence=int(props["sequence"]), policy=props["policy"],
        init_required=bool(props["init_required"]),
    )


def _orderer(props: dict[str, Any]) -> Any:
    from fabric_ops.chaincode_ops import Orderer

    return Orderer(address=props["orderer_address"], domain=props["orderer_domain"])




class InstallProvider(IdempotentOperation):
    """The package is rebuilt here from its label and address: packages are
    reproducible, so its ID is the one the program computed. Delete is a no-op
    (Fabric 2.5 cannot uninstall)."""

    replace_keys = ("node", "package_id")
    update_keys = ("peer_address", "version")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['node']}/{props['package_id']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.ccaas_package import ccaas_package
        from fabric_ops.chaincode_ops import ensure_installed

        package = ccaas_package(props["label"], props["server_address"])
        if package.package_id != props["package_id"]:
            raise ValueError(f"package {props['label']}: rebuilt ID {package.package_id} "
                             f"differs from {props['package_id']}")
        ensure_installed(_executor(props), props["peer_address"], package)

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.chaincode_ops import installed_package_ids

        return props["package_id"] in installed_package_ids(_executor(props),
                                                            props["peer_address"])


def definition_changed(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Whether the orgs must approve a new definition: a new version, policy or
    init flag, or a new package for an org that approved the old one. An org
    that joins (or leaves) with the definition unchanged approves the committed
    sequence as it is."""
    if changed_keys(olds, news, ("version", "policy", "init_required")):
        return True
    before, after = olds.get("package_ids") or {}, news.get("package_ids") or {}
    return any(before[org] != after[org] for org in set(before) & set(after))


def next_sequence(olds: dict[str, Any], news: dict[str, Any], committed_sequence: int) -> int:
    """The sequence after an update, given the one the channel has committed."""
    old_sequence = int(olds.get("sequence") or 0)
    if not definition_changed(olds, news):
        return max(committed_sequence, old_sequence)
    # Already moved on by an interrupted run: keep that sequence, do not skip one.
    if committed_sequence > old_sequence:
        return committed_sequence
    return max(committed_sequence, old_sequence) + 1


class DefinitionProvider(ResourceProvider):
    """Decides the definition's sequence: the committed one when it already is
    this definition, else the next. A change of version, policy, init flag or
    an org's package is an update that moves to the next sequence
    (``next_sequence``)."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        from fabric_ops.chaincode_ops import decide_sequence

        sequence = decide_sequence(
            _executor(props), props["peer_address"], props["channel"], props["name"],
            props["version"], bool(props["init_required"]), changed=False,
        )
        return CreateResult(id_=f"{props['channel']}/{props['name']}",
                            outs={**props, "sequence": sequence})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from fabric_ops.chaincode_ops import committed

        current = committed(_executor(news), news["peer_address"], news["channel"], news["name"])
        committed_sequence = int(current["sequence"]) if current else 0
        return UpdateResult(outs={**news, "sequence": next_sequence(olds, news,
                                                                    committed_sequence)})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = changed_keys(olds, news, ("channel", "name"))
        updates = changed_keys(olds, news, DEFINITION_KEYS)
        return DiffResult(changes=bool(replaces or updates), replaces=replaces,
                          delete_before_replace=True)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)


class ApproveProvider(IdempotentOperation):
    replace_keys = ("channel", "name", "org")
    update_keys = ("version", "sequence", "policy", "init_required", "package_id")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['name']}/{props['org']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.chaincode_ops import ensure_approved

        ensure_approved(_executor(props), props["peer_address"], _orderer(props),
                        _definition(props), props["package_id"])

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.chaincode_ops import approved

        current = approved(_executor(props), props["peer_address"], props["channel"],
                           props["name"], int(props["sequence"]))
        package = (current or {}).get("source", {}).get("Type", {}).get("LocalPackage", {})
        return bool(package.get("package_id") == props["package_id"])


class CommitProvider(IdempotentOperation):
    replace_keys = ("channel", "name")
    update_keys = ("version", "sequence", "policy", "init_required")

    def identity(self, props: dict[str, Any]) -> str:
        return f"{props['channel']}/{props['name']}"

    def act(self, props: dict[str, Any]) -> None:
        from fabric_ops.chaincode_ops import ensure_committed

        endorsers = [(e["address"], e["domain"]) for e in props["endorsers"]]
        ensure_committed(_executor(props), props["peer_address"], _orderer(props),
                         _definition(props), endorsers)

    def is_done(self, props: dict[str, Any]) -> bool:
        from fabric_ops.chaincode_ops import committed

        current = committed(_executor(props), props["peer_address"], props["channel"],
                            props["name"])
        return current is not None and int(current["sequence"]) == int(props["sequence"])
