"""An application channel's genesis block, made by the release's configtxgen from
a configtx.yaml generated out of the network spec and the local crypto."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from crypto.layout import node_dir
from localnet.admin import run_tool
from localnet.process import process_environment
from network_spec import ChannelSpec, OrgKind, OrgSpec

if TYPE_CHECKING:
    from localnet.network import LocalNetwork

PROFILE = "Channel"
CAPABILITIES = {"V2_0": True}


def _policy(rule: str) -> dict[str, str]:
    return {"Type": "Signature", "Rule": rule}


def _implicit(rule: str) -> dict[str, str]:
    return {"Type": "ImplicitMeta", "Rule": rule}


def _org_policies(org: OrgSpec) -> dict[str, dict[str, str]]:
    """The test-network's org policies; without NodeOUs every member may read,
    write and endorse."""
    msp = org.msp_id
    if not org.enable_node_ous:
        member = _policy(f"OR('{msp}.member')")
        return {
            "Readers": member,
            "Writers": member,
            "Admins": _policy(f"OR('{msp}.admin')"),
            "Endorsement": member,
        }
    if org.kind is OrgKind.ORDERER:
        return {
            "Readers": _policy(f"OR('{msp}.member')"),
            "Writers": _policy(f"OR('{msp}.member')"),
            "Admins": _policy(f"OR('{msp}.admin')"),
        }
    return {
        "Readers": _policy(f"OR('{msp}.admin', '{msp}.peer', '{msp}.client')"),
        "Writers": _policy(f"OR('{msp}.admin', '{msp}.client')"),
        "Admins": _policy(f"OR('{msp}.admin')"),
        "Endorsement": _policy(f"OR('{msp}.peer')"),
    }


def _host_port(endpoint: str) -> dict[str, Any]:
    host, port = endpoint.rsplit(":", 1)
    return {"Host": host, "Port": int(port)}


def configtx(net: LocalNetwork, channel: ChannelSpec) -> dict[str, Any]:
    """configtx.yaml with one profile, ``Channel``: the channel's orderer and peer
    orgs, its etcdraft consenters and the usual ImplicitMeta policies."""
    spec = net.spec
    consenters = [net.nodes[name] for name in channel.consenters]

    def organization(org: OrgSpec) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Name": org.msp_id,
            "ID": org.msp_id,
            "MSPDir": str(net.org_crypto_dir(org.name) / "msp"),
            "Policies": _org_policies(org),
        }
        if org.kind is OrgKind.ORDERER:
            entry["OrdererEndpoints"] = [n.endpoint for n in consenters if n.org == org]
        else:
            entry["AnchorPeers"] = [
                _host_port(net.nodes[name].endpoint) for name in channel.anchors_of(org.name)
            ]
        return entry

    def consenter(name: str) -> dict[str, Any]:
        node = net.nodes[name]
        tls = net.org_crypto_dir(node.org.name) / node_dir(node.org, name) / "tls"
        certificate = str(tls / "server.crt")
        return {
            **_host_port(node.endpoint),
            "ClientTLSCert": certificate,
            "ServerTLSCert": certificate,
        }

    profile = {
        "Policies": {
            "Readers": _implicit("ANY Readers"),
            "Writers": _implicit("ANY Writers"),
            "Admins": _implicit("MAJORITY Admins"),
        },
        "Capabilities": CAPABILITIES,
        "Orderer": {
            "OrdererType": "etcdraft",
            "BatchTimeout": "2s",
            "BatchSize": {
                "MaxMessageCount": 10,
                "AbsoluteMaxBytes": "99 MB",
                "PreferredMaxBytes": "512 KB",
            },
            "EtcdRaft": {
                "Consenters": [consenter(name) for name in channel.consenters],
                "Options": {
                    "TickInterval": "500ms",
                    "ElectionTick": 10,
                    "HeartbeatTick": 1,
                    "MaxInflightBlocks": 5,
                    "SnapshotIntervalSize": "16 MB",
                },
            },
            "Organizations": [organization(spec.org(name)) for name in channel.orderer_orgs],
            "Policies": {
                "Readers": _implicit("ANY Readers"),
                "Writers": _implicit("ANY Writers"),
                "Admins": _implicit("MAJORITY Admins"),
                "BlockValidation": _implicit("ANY Writers"),
            },
            "Capabilities": CAPABILITIES,
        },
        "Application": {
            "Organizations": [organization(spec.org(name)) for name in channel.orgs],
            "Policies": {
                "Readers": _implicit("ANY Readers"),
                "Writers": _implicit("ANY Writers"),
                "Admins": _implicit("MAJORITY Admins"),
                "LifecycleEndorsement": _implicit("MAJORITY Endorsement"),
                "Endorsement": _implicit("MAJORITY Endorsement"),
            },
            "Capabilities": CAPABILITIES,
        },
    }
    return {"Profiles": {PROFILE: profile}}


def create_genesis_block(net: LocalNetwork, channel_name: str) -> Path:
    """Write ``channels/<name>/configtx.yaml`` and the channel's genesis block
    ``<name>.block`` next to it; return the block's path."""
    channel = next((c for c in net.spec.channels if c.name == channel_name), None)
    if channel is None:
        raise KeyError(f"no channel {channel_name!r} in the network spec")
    if channel.consensus != "etcdraft":
        raise ValueError(f"{channel_name}: {channel.consensus} needs Fabric 3, this is 2.5")
    folder = net.workdir / "channels" / channel_name
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(configtx(net, channel), sort_keys=False)
    (folder / "configtx.yaml").write_text(text, encoding="utf-8")
    block = folder / f"{channel_name}.block"
    env = process_environment({"FABRIC_CFG_PATH": str(folder)})
    args = ["-profile", PROFILE, "-channelID", channel_name, "-outputBlock", str(block)]
    run_tool(net.release, "configtxgen", args, env)
    return block
