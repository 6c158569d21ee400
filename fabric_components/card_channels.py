"""``fabric:createChannels`` checked against the org stack that creates the
channels: a BFT channel follows the rules of network.yaml's BFT channels
(``network_spec.bft``), its consenters being the stack's orderer org's nodes."""

from __future__ import annotations

from fabric_components.stack_config import StackConfig
from network_spec import NetworkSpec, SpecError
from network_spec.bft import BFT, MIN_BFT_CONSENTERS


def check_card_channels(spec: NetworkSpec, config: StackConfig, stack_file: str) -> None:
    """Refuses a BFT channel on Fabric 2 or with fewer than 4 consenters,
    naming the stack file and the entry; ``spec`` is the org stack's."""
    for i, (channel, _, consensus) in enumerate(config.consortium.create_channels):
        if consensus != BFT:
            continue
        where = f"fabric:createChannels[{i}]"
        if config.fabric_major < 3:
            raise SpecError(stack_file, where, f"{channel}: BFT needs Fabric 3.x but the "
                            f"stack's fabric:fabricVersion is {config.fabric_version}")
        nodes = [node.common_name for org in spec.orderer_orgs[:1] for node in org.nodes]
        if len(nodes) < MIN_BFT_CONSENTERS:
            raise SpecError(stack_file, where, (
                f"{channel}: a BFT channel needs at least {MIN_BFT_CONSENTERS} consenters "
                f"(3f+1 tolerate f faulty ones); the stack's orderer org has {len(nodes)}"
                f"{' (' + ', '.join(nodes) + ')' if nodes else ''}: add ordering nodes or "
                "use etcdraft"))
