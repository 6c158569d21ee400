"""An org stack (``fabric:orgs``): the spec cut down to the orgs the stack runs.
Only their CAs, identities, nodes, Secrets and admin toolboxes are deployed, so
the stack's state holds only their private keys; the other orgs are known by
their cards in the consortium folder. network.yaml's channels are left out
(across stacks, channels change by proposals); its chaincodes are kept for the
stack's own orgs: each installs and approves them from its own stack."""

from __future__ import annotations

import dataclasses

from fabric_components.stack_config import StackConfig
from network_spec import ChaincodeSpec, NetworkSpec, NodeSpec, OrgSpec, SpecError, load_network


def own_chaincodes(spec: NetworkSpec, names: tuple[str, ...]) -> tuple[ChaincodeSpec, ...]:
    """The chaincodes the orgs ``names`` run, cut to those orgs: on each channel
    only they approve here (the other orgs approve from their own stacks)."""
    kept = []
    for cc in spec.chaincodes:
        channels = tuple(
            dataclasses.replace(target, orgs=tuple(o for o in target.orgs if o in names))
            for target in cc.channels if any(o in names for o in target.orgs))
        if channels:
            kept.append(dataclasses.replace(
                cc, orgs=tuple(o for o in cc.orgs if o in names), channels=channels))
    return tuple(kept)


def org_stack_spec(spec: NetworkSpec, config: StackConfig, stack_file: str) -> NetworkSpec:
    """``spec`` itself for a whole-network stack; else only ``fabric:orgs``."""
    names = config.consortium.orgs
    if not names:
        return spec
    known = [org.name for org in spec.orgs]
    for i, name in enumerate(names):
        if name not in known:
            raise SpecError(stack_file, f"fabric:orgs[{i}]",
                            f"unknown org {name!r}; {config.crypto_config} has "
                            f"{', '.join(known)}")
    return dataclasses.replace(
        spec,
        orderer_orgs=tuple(org for org in spec.orderer_orgs if org.name in names),
        peer_orgs=tuple(org for org in spec.peer_orgs if org.name in names),
        channels=(),
        chaincodes=own_chaincodes(spec, names),
    )


def own_anchor_peers(config: StackConfig, org: OrgSpec, channel: str) -> tuple[NodeSpec, ...]:
    """The anchor peers network.yaml gives ``org`` on ``channel`` (the org
    stack's spec leaves channels out, so network.yaml is read whole); its
    first peer, as its card says, when network.yaml does not list the channel."""
    whole = load_network(config.crypto_config, config.network)
    for spec in whole.channels:
        if spec.name == channel and org.name in spec.orgs:
            names = spec.anchors_of(org.name)
            return tuple(node for node in org.nodes if node.common_name in names)
    return org.nodes[:1]
