"""The consortium side of a stack: its orgs' public cards (stack output
``orgCards``, and files in ``fabric:consortiumDir``), the other orgs' TLS CAs
from their cards, channels created from cards and joined by each org's own
peers, its orgs' chaincodes on those channels (``consortium_chaincode``),
proposals to add or remove an org, and the proposals in the folder: each
one's state logged (so
a preview says who signed and who is missing), signed by this stack's orgs
when ``fabric:approve`` names it, submitted once the policies are met."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from fabric_components.card_stacks import stack_cards
from fabric_components.components.executors import toolbox_executors
from fabric_components.components.org_chaincode import OrgChaincode
from fabric_components.components.org_nodes import OrgNodes
from fabric_components.consortium_chaincode import chaincode_steps
from fabric_components.consortium_consenters import consenter_drafts
from fabric_components.crypto_material import CaMaterial
from fabric_components.org_stack import own_anchor_peers
from fabric_components.providers.consortium import (
    SUBMITTED_FILE,
    BatchSizeDraft,
    ChannelFromCards,
    ChannelMembership,
    OrgCardFile,
    OrgRemovalDraft,
    OwnAnchorPeers,
    ProposalDraft,
    ProposalSignature,
    ProposalSubmission,
)
from fabric_components.stack_config import StackConfig
from fabric_nodes.local_network import LocalNetworkManifest
from fabric_nodes.naming import external_host
from fabric_nodes.node_settings import (
    Addressing,
    ClusterAddressing,
    orderer_address,
    orderer_admin_address,
    peer_address,
)
from fabric_ops.consortium.add_org import add_org_name
from fabric_ops.consortium.batch_size import batch_size_name
from fabric_ops.consortium.card import ORGS_DIR, OrgCard, build_card, read_card
from fabric_ops.consortium.proposal import (
    META_FILE,
    PROPOSALS_DIR,
    Proposal,
    describe,
    load_proposal,
    proposal_dir,
    status,
    unmet,
)
from fabric_ops.consortium.remove_org import remove_org_name
from network_spec import NetworkSpec, NodeSpec, OrgKind, OrgSpec
from network_spec.bft import BFT


def _addresses(org: OrgSpec, addressing: Addressing) -> dict[str, str]:
    return {node.common_name: (peer_address(addressing, node) if org.kind is OrgKind.PEER
                               else orderer_address(addressing, node)) for node in org.nodes}


@dataclass(frozen=True)
class ExternalAddressing(ClusterAddressing):
    """Nodes exposed by ``fabric:externalAccess: loadbalancer``: reached from
    other clusters at ``<node>-<namespace>.<domain>`` (a name their TLS
    certificates carry), the standard ports on their LoadBalancer Services."""

    domain: str = ""

    def host(self, node: NodeSpec) -> str:
        return external_host(node, self.namespace, self.domain)


def card_addressing(config: StackConfig, addressing: Addressing) -> Addressing:
    """Where the other orgs reach the stack's nodes: their external names when
    the stack exposes them (``fabric:externalDomain``), else the addresses the
    stack itself uses (Service names in one cluster, ports of a local network)."""
    if config.external_domain and not config.local_network:
        return ExternalAddressing(config.namespace, domain=config.external_domain)
    return addressing


def org_cards(
    spec: NetworkSpec, cas: Mapping[str, CaMaterial], launched: Mapping[str, OrgNodes],
    addressing: Addressing,
) -> dict[str, pulumi.Output[dict[str, Any]]]:
    """Per org of the stack, its card as a document (public material only);
    ``addressing`` gives the nodes' addresses as the other orgs reach them."""
    cards = {}
    for org in spec.orgs:
        component = launched[org.name]
        names = list(component.tls_certs)
        signers = list(component.sign_certs) if org.kind is OrgKind.ORDERER else []
        anchors = [org.nodes[0].common_name] if org.kind is OrgKind.PEER and org.nodes else []

        def document(values: list[Any], org: OrgSpec = org, names: list[str] = names,
                     signers: list[str] = signers, anchors: list[str] = anchors,
                     ) -> dict[str, Any]:
            ca, tls_ca, admin, previous, *certs = values
            tls, sign = certs[:len(names)], certs[len(names):]
            return build_card(org, ca, tls_ca, admin, _addresses(org, addressing),
                              dict(zip(names, tls, strict=True)), anchors,
                              dict(zip(signers, sign, strict=True)),
                              previous or "").to_document()

        cards[org.name] = pulumi.Output.all(
            cas[org.name].ca_cert, cas[org.name].tlsca_cert, component.admin_certs.current,
            component.admin_certs.previous or "",
            *component.tls_certs.values(),
            *(component.sign_certs[cn] for cn in signers),
        ).apply(document)
    return cards


def folder_cards(config: StackConfig, spec: NetworkSpec) -> list[OrgCard]:
    """The checked cards of the other orgs in the consortium folder."""
    if not config.consortium.folder:
        return []
    own = {org.msp_id for org in spec.orgs}
    folder = Path(config.consortium.folder)
    return [read_card(folder, path.stem) for path in sorted((folder / ORGS_DIR).glob("*.yaml"))
            if path.stem not in own]


def other_cards(config: StackConfig, spec: NetworkSpec) -> list[OrgCard]:
    """The other orgs' cards: the folder's, and those of ``fabric:cardStacks``
    (a stack's card wins over the folder's for the same MSP ID: it is the
    one that stack last published), by MSP ID."""
    own = {org.msp_id for org in spec.orgs}
    by_msp = {card.msp_id: card for card in folder_cards(config, spec)}
    by_msp.update({card.msp_id: card for card in stack_cards(config) if card.msp_id not in own})
    return [by_msp[msp] for msp in sorted(by_msp)]


def _signers(proposal: Proposal, spec: NetworkSpec) -> list[OrgSpec]:
    """The stack's orgs whose admins the proposal's policies count."""
    members = {msp for need in proposal.needs for msp in need.members}
    return [org for org in spec.orgs if org.msp_id in members]


def _orderer_input(orderers: Sequence[OrgCard]) -> dict[str, str]:
    return {"address": orderers[0].nodes[0].address, "domain": orderers[0].domain}


def channel_steps(
    spec: NetworkSpec, config: StackConfig, executors: Mapping[str, pulumi.Input[Any]],
    cards: Mapping[str, pulumi.Output[dict[str, Any]]], others: Sequence[OrgCard],
    addressing: Addressing, after: Sequence[pulumi.Resource],
) -> dict[str, list[pulumi.Resource]]:
    """``fabric:createChannels`` by the stack's orderer org (members by the
    other orgs' cards, else the folder's), ``fabric:joinChannels`` by each of
    its peer orgs; per joined channel, its memberships."""
    folder = Path(config.consortium.folder)
    known = {card.msp_id: card for card in others}
    orderers = [card for card in others if card.kind is OrgKind.ORDERER]
    joins: dict[str, list[pulumi.Resource]] = {}
    opts = pulumi.ResourceOptions(depends_on=list(after))
    for channel, members, consensus in config.consortium.create_channels:
        if not spec.orderer_orgs:
            pulumi.log.warn(f"fabric:createChannels: {channel} needs an orderer org in this stack")
            continue
        org = spec.orderer_orgs[0]
        # Raft channels keep the inputs they were created with before BFT existed.
        bft = {"consensus": consensus} if consensus == BFT else {}
        ChannelFromCards(f"{channel}-channel", {**bft,
            "channel": channel, "orderer_card": cards[org.name],
            "member_cards": [(known.get(msp) or read_card(folder, msp)).to_document()
                             for msp in members],
            "consenters": [node.common_name for node in org.nodes],
            "executor": executors[org.name],
            "admins": [{"address": orderer_admin_address(addressing, node),
                        "domain": org.domain} for node in org.nodes],
        }, opts)
    for channel in config.consortium.join_channels:
        if not orderers:
            pulumi.log.warn(f"fabric:joinChannels: {channel} needs an orderer org's card in "
                            "the consortium folder")
            continue
        joins[channel] = [ChannelMembership(f"{channel}-{org.k8s_name}-membership", {
            "channel": channel, "executor": executors[org.name],
            "peers": [peer_address(addressing, node) for node in org.nodes],
            "orderer": _orderer_input(orderers),
        }, opts) for org in spec.peer_orgs]
    return joins


def anchor_steps(
    spec: NetworkSpec, config: StackConfig, executors: Mapping[str, pulumi.Input[Any]],
    orderers: Sequence[OrgCard], addressing: Addressing,
    joins: Mapping[str, Sequence[pulumi.Resource]],
) -> None:
    """Per joined channel and peer org of the stack, its own anchor peers
    (network.yaml's, else its card's default) set by its own admin once its
    peers joined; ``addressing`` is the cards' (where the other orgs reach them)."""
    for channel, memberships in joins.items():
        for membership, org in zip(memberships, spec.peer_orgs, strict=True):
            anchors = [peer_address(addressing, node)
                       for node in own_anchor_peers(config, org, channel)]
            OwnAnchorPeers(f"{channel}-{org.k8s_name}-anchor-peers", {
                "channel": channel, "msp_id": org.msp_id, "anchors": anchors,
                "executor": executors[org.name], "orderer": _orderer_input(orderers),
            }, pulumi.ResourceOptions(depends_on=[membership]))


def proposal_drafts(
    spec: NetworkSpec, config: StackConfig, executors: Mapping[str, pulumi.Input[Any]],
    orderers: Sequence[OrgCard], after: Sequence[pulumi.Resource],
) -> None:
    """``fabric:addOrgs`` and ``fabric:removeOrgs``: proposals written and signed
    by the stack's first peer org."""
    wanted = config.consortium.add_orgs or config.consortium.remove_orgs
    if not wanted:
        return
    if not spec.peer_orgs or not orderers:
        pulumi.log.warn("fabric:addOrgs, fabric:removeOrgs: nothing proposed; it needs a peer "
                        "org in this stack and an orderer org's card in the consortium folder")
        return
    proposer = spec.peer_orgs[0]
    opts = pulumi.ResourceOptions(depends_on=list(after))

    def inputs(channel: str, msp: str) -> dict[str, Any]:
        return {"folder": config.consortium.folder, "channel": channel, "msp_id": msp,
                "proposer": proposer.msp_id, "executor": executors[proposer.name],
                "orderer": _orderer_input(orderers)}

    for channel, msp in config.consortium.add_orgs:
        ProposalDraft(f"{add_org_name(channel, msp)}-proposal", inputs(channel, msp), opts)
    for channel, msp in config.consortium.remove_orgs:
        OrgRemovalDraft(f"{remove_org_name(channel, msp)}-proposal", inputs(channel, msp), opts)


def submit_orderer(spec: NetworkSpec, orderers: Sequence[OrgCard],
                   addressing: Addressing) -> dict[str, str] | None:
    """The orderer the stack sends updates to: its own, or one from a card."""
    if spec.orderer_orgs:
        own = spec.orderer_orgs[0]
        return {"address": orderer_address(addressing, own.nodes[0]), "domain": own.domain}
    return _orderer_input(orderers) if orderers else None


def settings_drafts(
    spec: NetworkSpec, config: StackConfig, executors: Mapping[str, pulumi.Input[Any]],
    orderers: Sequence[OrgCard], addressing: Addressing, after: Sequence[pulumi.Resource],
) -> None:
    """``fabric:batchSizes``: proposals written and signed by the stack's first
    org (the orderer orgs' admins are the ones the change needs), through the
    stack's own orderer or one from a card."""
    if not config.consortium.batch_sizes:
        return
    orderer = submit_orderer(spec, orderers, addressing)
    if orderer is None:
        pulumi.log.warn("fabric:batchSizes: nothing proposed; it needs an orderer org in this "
                        "stack or its card in the consortium folder")
        return
    proposer = spec.orgs[0]
    for channel, count in config.consortium.batch_sizes:
        BatchSizeDraft(
            f"{batch_size_name(channel, count)}-proposal",
            {"folder": config.consortium.folder, "channel": channel, "count": count,
             "proposer": proposer.msp_id, "executor": executors[proposer.name],
             "orderer": orderer},
            pulumi.ResourceOptions(depends_on=list(after)))


def submitted_by(folder: Path, name: str) -> str:
    """The MSP ID that submitted proposal ``name`` ('' while nobody has)."""
    marker = proposal_dir(folder, name) / SUBMITTED_FILE
    if not marker.is_file():
        return ""
    return str(yaml.safe_load(marker.read_text(encoding="utf-8"))["submittedBy"])


def proposal_steps(
    spec: NetworkSpec, config: StackConfig, executors: Mapping[str, pulumi.Input[Any]],
    orderers: Sequence[OrgCard], addressing: Addressing, after: Sequence[pulumi.Resource],
) -> list[pulumi.Resource]:
    """Signs the approved proposals and submits the ones whose policies are met."""
    orderer = submit_orderer(spec, orderers, addressing)
    folder = Path(config.consortium.folder)
    created: list[pulumi.Resource] = []
    for meta in sorted((folder / PROPOSALS_DIR).glob(f"*/{META_FILE}")):
        proposal = load_proposal(folder, meta.parent.name)
        state = status(proposal, lambda msp: read_card(folder, msp))
        submitted = submitted_by(folder, proposal.name)
        pulumi.log.info(describe(proposal, state)
                        + (f"; submitted by {submitted}" if submitted else ""))
        approved = proposal.approval in config.consortium.approve
        signers = _signers(proposal, spec)
        base = {"folder": str(folder), "proposal": proposal.name, "sha256": proposal.sha256}
        signing: list[pulumi.Resource] = []
        for org in signers:
            if approved:
                signing.append(ProposalSignature(
                    f"{proposal.name}-{org.k8s_name}-signature",
                    {**base, "msp_id": org.msp_id, "executor": executors[org.name]},
                    pulumi.ResourceOptions(depends_on=list(after))))
            elif org.msp_id not in state.signed:
                pulumi.log.info(
                    f"proposal {proposal.name} asks {org.msp_id} to sign: read "
                    f"{meta.parent / 'summary.md'}; to sign, add to fabric:approve: "
                    f"{proposal.approval}")
        will_sign = [*state.signed, *(org.msp_id for org in signers if approved)]
        submitter = signers[0] if signers else None
        # The stack that submitted keeps its step; no other adds one afterwards.
        if (submitter is not None and orderer and not unmet(proposal.needs, will_sign)
                and submitted in ("", submitter.msp_id)):
            created.append(ProposalSubmission(
                f"{proposal.name}-submission",
                {**base, "msp_id": submitter.msp_id, "executor": executors[submitter.name],
                 "orderer": orderer},
                pulumi.ResourceOptions(depends_on=[*after, *signing])))
        created += signing
    return created


@dataclass(frozen=True)
class ConsortiumSteps:
    outputs: dict[str, Any]
    """Stack outputs (``orgCards``)."""
    chaincodes: Sequence[OrgChaincode] = ()
    """The stack's own part of network.yaml's chaincodes."""


def consortium_outputs(
    spec: NetworkSpec, config: StackConfig, cas: Mapping[str, CaMaterial],
    launched: Mapping[str, OrgNodes], addressing: Addressing,
    executors: Mapping[str, pulumi.Input[Any]], others: Sequence[OrgCard],
    chaincode_servers: Mapping[str, str],
) -> ConsortiumSteps:
    """The ``orgCards`` output; with a consortium folder, the card files, the
    channel, chaincode and proposal steps (after every node of the stack is up).
    ``chaincode_servers``: a local network's running servers (``<cc>/<org>``)."""
    cards = org_cards(spec, cas, launched, card_addressing(config, addressing))
    chaincodes: list[OrgChaincode] = []
    if config.consortium.folder:
        after: list[pulumi.Resource] = list(launched.values())
        for org in spec.orgs:
            after.append(OrgCardFile(
                f"{org.k8s_name}-card",
                {"folder": config.consortium.folder, "msp_id": org.msp_id,
                 "card": cards[org.name]},
                pulumi.ResourceOptions(depends_on=[launched[org.name]])))
        orderers = [card for card in others if card.kind is OrgKind.ORDERER]
        joins = channel_steps(spec, config, executors, cards, others, addressing, after)
        anchor_steps(spec, config, executors, orderers, card_addressing(config, addressing),
                     joins)
        # A whole-network stack runs its chaincodes through populate.
        if orderers and config.consortium.orgs:
            chaincodes = chaincode_steps(spec, config, executors, cas, others, orderers[0],
                                         addressing, chaincode_servers, joins)
        proposal_drafts(spec, config, executors, orderers, after)
        settings_drafts(spec, config, executors, orderers, addressing, after)
        consenter_drafts(spec, config, executors, submit_orderer(spec, orderers, addressing),
                         after)
        proposal_steps(spec, config, executors, orderers, addressing, after)
    return ConsortiumSteps({"orgCards": cards}, chaincodes)


def card_tls_cas(others: Sequence[OrgCard]) -> dict[str, str]:
    """The TLS CA file of every other org, as the admin toolboxes' ConfigMap holds them."""
    return {f"{card.domain}.pem": card.tls_ca_cert for card in others}



def stack_executors(
    spec: NetworkSpec, config: StackConfig, kubeconfig: pulumi.Output[str] | None,
    local: LocalNetworkManifest | None,
) -> dict[str, pulumi.Input[dict[str, Any]]]:
    """Per org of the stack, where its admin runs commands."""
    if local is not None:
        return dict(local.executors)
    return toolbox_executors(spec, config, kubeconfig)
