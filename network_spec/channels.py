"""network.yaml's ``channels`` -> ChannelSpecs (format: see network_file)."""

from __future__ import annotations

from network_spec.bft import BFT, check_bft_channel, refuse_smartbft_options
from network_spec.channel_settings import SETTINGS_KEYS, read_settings
from network_spec.duplicates import UniqueNames
from network_spec.fields import Field, Record
from network_spec.model import ChannelSpec, NodeSpec, OrgKind, OrgSpec
from network_spec.names import channel_name_problem
from network_spec.org_refs import OrgDirectory
from network_spec.smartbft_options import SMARTBFT_KEY

CHANNEL_KEYS = (
    "name", "orgs", "ordererOrgs", "consenters", "anchorPeers", "consensus", *SETTINGS_KEYS,
    SMARTBFT_KEY,
)
CONSENSUS_TYPES = ("etcdraft", BFT)


def _names(orgs: tuple[OrgSpec, ...]) -> tuple[str, ...]:
    return tuple(org.name for org in orgs)


def _orderer_orgs(channel: Record, directory: OrgDirectory) -> tuple[OrgSpec, ...]:
    listed = channel.get("ordererOrgs")
    if listed is not None:
        return directory.resolve_list(
            listed,
            OrgKind.ORDERER,
            "must list at least one orderer org, or be left out to use every orderer org",
        )
    if not directory.orderer_orgs:
        raise channel.error("no orderer org available: the crypto config has no OrdererOrgs")
    return directory.orderer_orgs


def _ordering_node(
    name: str, at: Field, serving: tuple[OrgSpec, ...], directory: OrgDirectory
) -> str:
    """The common name of the ordering node written as ``name`` (CN or hostname)."""
    matches: list[tuple[OrgSpec, NodeSpec]] = [
        (org, node)
        for org in directory.orderer_orgs
        for node in org.nodes
        if name in (node.common_name, node.hostname)
    ]
    usable = [node.common_name for org, node in matches if org.name in _names(serving)]
    if len(usable) == 1:
        return usable[0]
    if usable:
        raise at.error(
            f"hostname '{name}' matches several ordering nodes ({', '.join(usable)}); "
            "write the common name"
        )
    if matches:
        org = matches[0][0]
        raise at.error(
            f"'{name}' is a node of orderer org '{org.name}', which is not among the "
            f"channel's ordererOrgs ({', '.join(_names(serving))})"
        )
    nodes = ", ".join(node.common_name for org in serving for node in org.nodes)
    raise at.error(
        f"'{name}' is not an ordering node of the channel's orderer orgs; their nodes are {nodes}"
    )


def _consenters(
    field: Field | None, serving: tuple[OrgSpec, ...], directory: OrgDirectory
) -> tuple[str, ...]:
    if field is None:
        return tuple(node.common_name for org in serving for node in org.nodes)
    listed = UniqueNames("consenter", verb="listed at")
    consenters = []
    for name, at in field.texts():
        common_name = _ordering_node(name, at, serving, directory)
        listed.claim(common_name, at)
        consenters.append(common_name)
    if not consenters:
        raise field.error(
            "must list at least one ordering node, or be left out to use every node "
            "of the channel's orderer orgs"
        )
    return tuple(consenters)


def _anchors_of(org: OrgSpec, field: Field) -> tuple[str, ...]:
    listed = UniqueNames("anchor peer", verb="listed at")
    anchors = []
    for name, at in field.texts():
        try:
            common_name = org.node(name).common_name
        except KeyError:
            peers = ", ".join(node.common_name for node in org.nodes)
            raise at.error(
                f"'{name}' is not a peer of org '{org.name}'; its peers are {peers}"
            ) from None
        listed.claim(common_name, at)
        anchors.append(common_name)
    if not anchors:
        raise field.error(
            f"must list at least one peer of '{org.name}', or leave '{org.name}' out "
            "to use its first peer"
        )
    return tuple(anchors)


def _anchor_peers(
    field: Field | None, name: str, members: tuple[OrgSpec, ...], directory: OrgDirectory
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    given: dict[str, tuple[str, ...]] = {}
    for org_name, at in [] if field is None else field.entries():
        org = directory.resolve(org_name, OrgKind.PEER, at)
        if org.name not in _names(members):
            raise at.error(
                f"'{org_name}' is not a member of channel '{name}'; its members are "
                f"{', '.join(_names(members))}"
            )
        given[org_name] = _anchors_of(org, at)
    return tuple((org.name, given.get(org.name, (org.nodes[0].common_name,))) for org in members)


def _channel(item: Field, directory: OrgDirectory, defined: UniqueNames) -> ChannelSpec:
    channel = item.record(CHANNEL_KEYS)
    name_at = channel.require("name")
    name = name_at.text()
    problem = channel_name_problem(name)
    if problem:
        raise name_at.error(problem)
    defined.claim(name, name_at)
    members = directory.resolve_list(
        channel.require("orgs"),
        OrgKind.PEER,
        "must list at least one peer org: the members of the channel",
    )
    serving = _orderer_orgs(channel, directory)
    consenters = _consenters(channel.get("consenters"), serving, directory)
    consensus = channel.choice("consensus", CONSENSUS_TYPES, "etcdraft")
    settings = read_settings(channel)
    if consensus == BFT:
        settings = check_bft_channel(channel, consenters, settings)
    else:
        refuse_smartbft_options(channel)
    return ChannelSpec(
        name=name,
        orgs=_names(members),
        orderer_orgs=_names(serving),
        consenters=consenters,
        anchor_peers=_anchor_peers(channel.get("anchorPeers"), name, members, directory),
        consensus=consensus,
        settings=settings,
    )


def read_channels(items: list[Field], directory: OrgDirectory) -> tuple[ChannelSpec, ...]:
    defined = UniqueNames("channel name", verb="used at")
    return tuple(_channel(item, directory, defined) for item in items)
