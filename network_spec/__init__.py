"""The typed, validated model of a Fabric network, loaded from cryptogen's
crypto-config.yaml and the project's network.yaml. No Pulumi imports here."""

from network_spec.errors import SpecError
from network_spec.load import load_network
from network_spec.model import (
    CaSpec,
    ChaincodeChannel,
    ChaincodeSpec,
    ChannelSpec,
    NetworkSpec,
    NodeSpec,
    OrgKind,
    OrgSpec,
    Subject,
)

__all__ = [
    "CaSpec",
    "ChaincodeChannel",
    "ChaincodeSpec",
    "ChannelSpec",
    "NetworkSpec",
    "NodeSpec",
    "OrgKind",
    "OrgSpec",
    "SpecError",
    "Subject",
    "load_network",
]
