"""The chaincode lifecycle: install on a peer, the definition's sequence, an
org's approval and the commit, each a resource type with its provider and the
builder of its inputs. Same contract as the channel operations: diff is
offline, create/update act after querying, read reports drift as
``done: False`` (``IdempotentOperation``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from fabric_components.providers.idempotent import IdempotentOperation, changed_keys
from fabric_components.providers.idempotent import executor_of as _executor
from fabric_components.providers.operation import TYPE_MODULE, Operation
from fabric_nodes.node_settings import Addressing, orderer_address, peer_address
from network_spec import ChaincodeChannel, ChaincodeSpec, NetworkSpec, NodeSpec

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

        package = ccaas_package(props["label"], props["server_address"],
                                tls=props.get("tls", True))
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


class ChaincodeInstall(Operation, module=TYPE_MODULE, name="ChaincodeInstall"):
    """``<cc>-<peer>-install``."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(InstallProvider(), name, props, opts)


class ChaincodeDefinition(Operation, module=TYPE_MODULE, name="ChaincodeDefinition"):
    """``<cc>-<channel>-definition``: decides the sequence."""

    sequence: pulumi.Output[int]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(DefinitionProvider(), name, props, opts)


class ChaincodeApproval(Operation, module=TYPE_MODULE, name="ChaincodeApproval"):
    """``<cc>-<channel>-<org>-approve``."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ApproveProvider(), name, props, opts)


class ChaincodeCommit(Operation, module=TYPE_MODULE, name="ChaincodeCommit"):
    """``<cc>-<channel>-commit``."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(CommitProvider(), name, props, opts)


def install_inputs(
    label: str, node: NodeSpec, addressing: Addressing, server_address: str,
    package_id: str, executor: Any, tls: bool = True,
) -> dict[str, Any]:
    """The CCaaS package ``label`` pointing at ``server_address`` (mutual TLS but
    without ``tls``), installed on ``node``. ``tls`` is no diff key: the package
    ID already differs."""
    return {
        "node": node.common_name,
        "peer_address": peer_address(addressing, node),
        "label": label,
        "server_address": server_address,
        "tls": tls,
        "package_id": package_id,
        "executor": executor,
        "done": None,
    }


@dataclass(frozen=True)
class ChaincodeOnChannel:
    """What the definition, approvals and commit of one chaincode on one
    channel share."""

    definition: dict[str, Any]
    """channel, name, version, policy, init_required."""
    orderer: dict[str, str]
    """The orderer approvals and the commit are sent to."""
    orgs: tuple[str, ...]
    first_peers: dict[str, str]
    """Per org, the peer its lifecycle commands go to."""
    domains: dict[str, str]


def chaincode_on_channel(
    spec: NetworkSpec, cc: ChaincodeSpec, target: ChaincodeChannel, addressing: Addressing,
) -> ChaincodeOnChannel:
    channel = next(c for c in spec.channels if c.name == target.channel)
    orderer_org, orderer_node = spec.node(channel.consenters[0])
    return ChaincodeOnChannel(
        definition={"channel": target.channel, "name": cc.name, "version": cc.version,
                    "policy": target.policy, "init_required": cc.init_required},
        orderer={"orderer_address": orderer_address(addressing, orderer_node),
                 "orderer_domain": orderer_org.domain},
        orgs=tuple(target.orgs),
        first_peers={o: peer_address(addressing, spec.org(o).nodes[0]) for o in target.orgs},
        domains={o: spec.org(o).domain for o in target.orgs},
    )


def definition_inputs(
    on: ChaincodeOnChannel, package_ids: Mapping[str, str], executor: Any,
) -> dict[str, Any]:
    """``package_ids`` per org of the target; ``executor`` the first org's."""
    return {
        **on.definition,
        "package_ids": {o: package_ids[o] for o in on.orgs},
        "peer_address": on.first_peers[on.orgs[0]],
        "executor": executor,
        "sequence": None,
    }


def approval_inputs(
    on: ChaincodeOnChannel, org: str, sequence: Any, package_id: str, executor: Any,
) -> dict[str, Any]:
    """``org`` approves ``sequence`` (the definition's output) for its package."""
    return {
        **on.definition,
        **on.orderer,
        "org": org,
        "sequence": sequence,
        "package_id": package_id,
        "peer_address": on.first_peers[org],
        "executor": executor,
        "done": None,
    }


def commit_inputs(on: ChaincodeOnChannel, sequence: Any, executor: Any) -> dict[str, Any]:
    """The commit, endorsed by the first peer of every org; ``executor`` the first org's."""
    return {
        **on.definition,
        **on.orderer,
        "sequence": sequence,
        "endorsers": [{"address": on.first_peers[o], "domain": on.domains[o]} for o in on.orgs],
        "peer_address": on.first_peers[on.orgs[0]],
        "executor": executor,
        "done": None,
    }
