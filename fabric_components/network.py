"""Wires a whole network from its spec and the stack config: the namespace, every
org's CAs, the OrdererOrg and PeerOrg components, and the stack outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.backup.jobs import (
    NetworkBackup,
    NetworkBackupArgs,
    RestoreSource,
    restore_source,
    storage_secret,
)
from fabric_components.backup.material import RecordingCrypto, sealed_material
from fabric_components.certificate_outputs import ScraperCertificates, certificate_outputs
from fabric_components.cluster.backup_storage import BackupStorage
from fabric_components.cluster.kubernetes_provider import kubernetes_provider
from fabric_components.components.chaincode import Chaincode, ChaincodeArgs
from fabric_components.components.channel import Channel, ChannelArgs
from fabric_components.components.executors import toolbox_executors
from fabric_components.components.orderer_org import OrdererOrg
from fabric_components.components.org_nodes import OrgArgs, OrgNodes
from fabric_components.components.peer_org import PeerOrg, PeerOrgArgs
from fabric_components.components.rollout import (
    DEPLOYED_NODES,
    RolloutOrder,
    nodes_deployed_before,
    rollout_gates,
)
from fabric_components.consortium import (
    ConsortiumSteps,
    card_tls_cas,
    consortium_outputs,
    other_cards,
    stack_executors,
)
from fabric_components.crypto_material import (
    CaMaterial,
    CryptoSource,
    DirectoryCrypto,
    GeneratedCrypto,
    identity_names,
    org_msp_tree,
)
from fabric_components.k8s.admin_toolbox import TLS_CA_CONFIGMAP
from fabric_components.k8s.chaincode_server import server_address
from fabric_components.k8s.network_policies import network_policies
from fabric_components.monitoring.objects import monitoring_objects
from fabric_components.monitoring.scraper import scraper_common_name, scraper_identity
from fabric_components.stack_config import StackConfig
from fabric_nodes.connection_profile import connection_profiles
from fabric_nodes.gateway_clients import gateway_clients
from fabric_nodes.local_network import LocalNetworkManifest
from fabric_nodes.naming import external_host, external_label
from fabric_nodes.node_settings import (
    Addressing,
    ClusterAddressing,
    PeerPorts,
    orderer_address,
    orderer_admin_address,
    peer_address,
)
from network_spec import ChaincodeSpec, NetworkSpec, OrgSpec, SpecError
from network_spec.fields import Field
from network_spec.k8s_names import K8sObject, Rule, external_service_name, spec_object_names

DNS_LABEL_MAX = 63


def check_compatible(
    spec: NetworkSpec, config: StackConfig, network_file: str, stack_file: str
) -> None:
    """Settings that are valid alone but not together."""
    for org in spec.orgs if config.external_domain else ():
        for node in org.nodes:
            label = external_label(node, config.namespace)
            if len(label) > DNS_LABEL_MAX or len(f"{node.k8s_name}-external") > DNS_LABEL_MAX:
                raise SpecError(stack_file, "fabric:externalAccess",
                                f"node {node.common_name}: its external name {label!r} or "
                                f"Service {node.k8s_name}-external is longer than a DNS label "
                                f"({DNS_LABEL_MAX}); choose a shorter fabric:namespace or "
                                "node name")
    _check_external_services(spec, config, stack_file)
    known = [cc.name for cc in spec.chaincodes]
    for name in config.chaincode_include:
        if name not in known:
            raise SpecError(stack_file, "fabric:chaincodes",
                            f"unknown chaincode {name!r}; network.yaml has {', '.join(known)}")
    identities = identity_names(spec)
    for name in config.key_generations:
        if name not in identities:
            raise SpecError(stack_file, "fabric:keyGenerations",
                            f"{name!r} is no node or user of crypto-config.yaml")
        if not config.cert_renewal:
            raise SpecError(stack_file, "fabric:keyGenerations",
                            "new keys need fabric:certRenewal (the nodes roll on them)")
        if any(name == org.admin_name and not org.enable_node_ous for org in spec.orgs):
            raise SpecError(stack_file, "fabric:keyGenerations",
                            f"{name}: an Admin of an org without NodeOUs is named by its "
                            "certificate (admincerts), and its channels keep the previous "
                            "one beside a renewed one: the old key would stay an admin; "
                            "enable NodeOUs to give it a new key")
    for i, channel in enumerate(spec.channels):
        if channel.consensus == "BFT" and config.fabric_major < 3:
            raise SpecError(
                network_file,
                f"channels[{i}].consensus",
                f"BFT needs Fabric 3.x but the stack's fabric:fabricVersion is "
                f"{config.fabric_version}",
            )
        if channel.settings.capabilities.channel == "V3_0" and config.fabric_major < 3:
            raise SpecError(
                network_file,
                f"channels[{i}].capabilities.channel",
                f"V3_0 needs Fabric 3.x but the stack's fabric:fabricVersion is "
                f"{config.fabric_version}",
            )


def _check_external_services(spec: NetworkSpec, config: StackConfig, stack_file: str) -> None:
    """``<node>-external`` can be the name of another node's (or chaincode
    server's) Service: ``peer0`` of org ``Org1-external`` and the LoadBalancer
    of ``peer0`` of ``Org1``."""
    if not config.external_domain:
        return
    names = spec_object_names(spec)
    at = Field(stack_file, "fabric:externalAccess", "loadbalancer")
    for org in spec.orgs:
        for node in org.nodes:
            name = external_service_name(node.k8s_name)
            names.claim([K8sObject("Service", name, Rule.SERVICE)],
                        f"the external Service of node {node.common_name}", at,
                        f"node {node.common_name}")


def crypto_source(spec: NetworkSpec, config: StackConfig) -> CryptoSource:
    """Reads a configured cryptogen directory now (raising SpecError on a bad
    one), or issues material with dynamic resources during deployment."""
    if config.crypto_dir:
        # A local network's nodes are reached by address, not by Service name.
        namespace = None if config.local_network else config.namespace
        return DirectoryCrypto(config.crypto_dir, spec, namespace, config.external_domain)
    return GeneratedCrypto(config.namespace, config.cert_validity, config.cert_renew_before,
                           config.external_domain, config.key_generations, config.cert_renewal,
                           admincerts_rotated=config.populate and not config.consortium.orgs)


def populate(
    spec: NetworkSpec,
    config: StackConfig,
    cas: dict[str, CaMaterial],
    launched: dict[str, OrgNodes],
    kubeconfig: pulumi.Output[str] | None,
    local: LocalNetworkManifest | None,
) -> list[pulumi.Resource]:
    """Channels and chaincodes once the nodes they need are up (their Deployments
    awaited): through the admin toolboxes, or a local network's processes.
    Returns the Channel and Chaincode components."""
    addressing: Addressing = ClusterAddressing(config.namespace)
    executors: dict[str, pulumi.Input[dict[str, Any]]]
    servers: dict[str, str] = {}
    if local is not None:
        addressing, executors = local.addressing, dict(local.executors)
        servers = local.chaincode_servers
    else:
        executors = toolbox_executors(spec, config, kubeconfig)

    def chaincode_address(cc: ChaincodeSpec, org: OrgSpec) -> str:
        return servers.get(f"{cc.name}/{org.name}") or server_address(cc, org, config.namespace)

    org_msps = {
        name: org_msp_tree(spec.org(name), cas[name], component.admin_certs.current,
                           component.admin_certs.previous)
        for name, component in launched.items()
    }
    tls_certs = {cn: cert for c in launched.values() for cn, cert in c.tls_certs.items()}
    sign_certs = {cn: cert for c in launched.values() for cn, cert in c.sign_certs.items()}
    channels: dict[str, pulumi.Resource] = {}
    for channel in spec.channels:
        needed = [launched[name] for name in (*channel.orderer_orgs, *channel.orgs)]
        channels[channel.name] = Channel(
            channel.name,
            ChannelArgs(
                spec=spec, channel=channel, addressing=addressing, executors=executors,
                org_msps={name: org_msps[name] for name in (*channel.orderer_orgs,
                                                            *channel.orgs)},
                consenter_tls_certs={cn: tls_certs[cn] for cn in channel.consenters},
                consenter_sign_certs={cn: sign_certs[cn] for cn in channel.consenters},
            ),
            pulumi.ResourceOptions(depends_on=needed),
        )
    include = config.chaincode_include
    created: list[pulumi.Resource] = list(channels.values())
    for cc in spec.chaincodes:
        if include and cc.name not in include:
            continue
        created.append(Chaincode(
            cc.name,
            ChaincodeArgs(
                spec=spec, chaincode=cc, addressing=addressing, executors=executors,
                server_address=chaincode_address,
                config=config, after=channels, cas=cas,
            ),
            pulumi.ResourceOptions(depends_on=[launched[o] for o in cc.orgs]),
        ))
    return created


@dataclass(frozen=True)
class BackupWiring:
    storage: k8s.core.v1.Secret | None
    """The storage account's credentials for the Jobs; None without backups."""
    restore: RestoreSource | None


def backup_wiring(
    config: StackConfig, storage: BackupStorage | None, opts: pulumi.ResourceOptions
) -> BackupWiring:
    """The credentials Secret when the stack takes or restores a backup, and
    the verify Job of a restore (which every node's restore Job waits for)."""
    backup = config.backup
    if not (backup.key or backup.restore_key):
        return BackupWiring(None, None)
    # Without the stack's own account: fabric:backupStorageConnectionString's.
    secret = storage_secret(config, storage, opts)
    restore = restore_source(config, secret, opts) if backup.restore_key else None
    return BackupWiring(secret, restore)


def deploy_network(
    spec: NetworkSpec, config: StackConfig, crypto: CryptoSource, stack: str,
    local: LocalNetworkManifest | None = None,
) -> dict[str, Any]:
    """Registers every resource and returns the stack outputs. With ``local``,
    populate runs against that local network instead of the admin toolboxes."""
    provider, cluster_outputs, storage = kubernetes_provider(config, stack)
    on_cluster = pulumi.ResourceOptions(provider=provider)
    namespace = k8s.core.v1.Namespace(
        "namespace",
        metadata={
            "name": config.namespace,
            "labels": {
                "app.kubernetes.io/part-of": "fabric-network",
                "app.kubernetes.io/managed-by": "pulumi",
                "pod-security.kubernetes.io/enforce": "restricted",
            },
        },
        opts=on_cluster,
    )
    in_namespace = pulumi.ResourceOptions(depends_on=[namespace], provider=provider)
    components = pulumi.ResourceOptions(depends_on=[namespace], providers=[provider])
    if config.network_policies:
        network_policies(spec, config.namespace, config.monitoring_namespace, in_namespace,
                         external=bool(config.external_domain))
    scraper_ca, scraper = None, None
    if config.monitoring == "podmonitor" and config.endpoint_tls:
        identity = scraper_identity(config.namespace, config.cert_validity,
                                    config.cert_renew_before, in_namespace, config.cert_renewal)
        scraper_ca = identity.ca_cert
        scraper = ScraperCertificates(scraper_common_name(config.namespace), identity.ca_cert,
                                      identity.cert)
    backups = backup_wiring(config, storage, in_namespace)
    # Every identity handed out is recorded: for the certificate outputs and a backup.
    crypto = recorded = RecordingCrypto(crypto)
    cas: dict[str, CaMaterial] = {
        org.name: crypto.cas(org, pulumi.ResourceOptions()) for org in spec.orgs
    }
    # Other orgs of a consortium: their TLS CAs come from their cards.
    others = other_cards(config, spec)
    tls_ca_pems = pulumi.Output.all(
        **{org.name: cas[org.name].tlsca_cert for org in spec.orgs}
    )
    tls_cas = k8s.core.v1.ConfigMap(
        "tls-ca-certs",
        metadata={"name": TLS_CA_CONFIGMAP, "namespace": config.namespace,
                  "labels": {"app.kubernetes.io/part-of": "fabric-network"}},
        data=tls_ca_pems.apply(
            lambda pems: {**card_tls_cas(others),
                          **{f"{spec.org(name).domain}.pem": pem for name, pem in pems.items()}}
        ),
        opts=in_namespace,
    )
    # Clients reach a local network's nodes at their real addresses.
    addressing: Addressing = (local.addressing if local is not None
                              else ClusterAddressing(config.namespace))
    orgs: dict[str, dict[str, Any]] = {}
    launched: dict[str, OrgNodes] = {}
    # Orderers one at a time, then one peer per org at a time, when node
    # settings change (a Fabric upgrade).
    rollout = RolloutOrder(
        config, rollout_gates(spec, config, cluster_outputs.get("kubeconfig"), local),
        nodes_deployed_before(spec),
    )
    for org in spec.orderer_orgs:
        orderer = OrdererOrg(
            org.k8s_name,
            OrgArgs(org=org, config=config, crypto=crypto, cas=cas[org.name], tls_cas=tls_cas,
                        rollout=rollout, restore=backups.restore, scraper_ca=scraper_ca),
            components,
        )
        launched[org.name] = orderer
        orgs[org.name] = {
            "kind": "orderer",
            "mspId": orderer.msp_id,
            "endpoints": [orderer_address(addressing, n) for n in org.nodes],
            "adminEndpoints": [orderer_admin_address(addressing, n) for n in org.nodes],
            "tlsCaCert": orderer.tls_ca_cert,
            "caCert": cas[org.name].ca_cert,
        }
    for org in spec.peer_orgs:
        peer_org = PeerOrg(
            org.k8s_name,
            PeerOrgArgs(org=org, state_database=spec.state_database, config=config,
                        crypto=crypto, cas=cas[org.name], tls_cas=tls_cas, rollout=rollout,
                        restore=backups.restore, scraper_ca=scraper_ca),
            components,
        )
        launched[org.name] = peer_org
        orgs[org.name] = {
            "kind": "peer",
            "mspId": peer_org.msp_id,
            "endpoints": [peer_address(addressing, n) for n in org.nodes],
            "tlsCaCert": peer_org.tls_ca_cert,
            "caCert": cas[org.name].ca_cert,
        }
    after: list[pulumi.Resource] = list(launched.values())
    # An org stack's channels come from cards and its chaincodes are its own
    # orgs' part (consortium_outputs).
    if config.populate and not config.consortium.orgs:
        after += populate(spec, config, cas, launched, cluster_outputs.get("kubeconfig"), local)
    consortium = ConsortiumSteps({})
    if config.consortium.orgs or config.consortium.folder:
        executors = stack_executors(spec, config, cluster_outputs.get("kubeconfig"), local)
        consortium = consortium_outputs(spec, config, cas, launched, addressing, executors,
                                        others, local.chaincode_servers if local else {})
    if config.backup.key and backups.storage is not None:
        taken = NetworkBackup("backup", NetworkBackupArgs(
            config=config,
            nodes=[v for component in launched.values() for v in component.volumes],
            material=lambda params: sealed_material(
                spec, recorded, [config.crypto_config, config.network],
                pulumi.Output.secret(config.backup.passphrase), params),
            storage=backups.storage,
        ), pulumi.ResourceOptions(depends_on=after, providers=[provider]))
        cluster_outputs["backupKey"] = taken.key
    profiles = tls_ca_pems.apply(lambda pems: connection_profiles(spec, addressing, pems))
    external = {node.common_name: f"{external_host(node, config.namespace, domain)}:"
                                  f"{PeerPorts().peer}"
                for domain in [config.external_domain] if domain
                for org in spec.peer_orgs for node in org.nodes}
    clients = tls_ca_pems.apply(lambda pems: gateway_clients(spec, addressing, pems, external))
    servers: dict[str, dict[str, pulumi.Output[str]]] = {}
    server_certs = [*(c.server_certs for c in after if isinstance(c, Chaincode)),
                    *(c.server_certs for c in consortium.chaincodes)]
    for by_org in server_certs:
        for org_name, certs in by_org.items():
            servers.setdefault(org_name, {}).update(certs)
    certificates = certificate_outputs(spec, recorded, config.cert_renew_before,
                                       servers=servers, scraper=scraper)
    if config.monitoring == "podmonitor":
        monitoring_objects(spec, config.namespace, config.cert_renew_before,
                           certificates["certificates"], in_namespace, config.endpoint_tls)
    return {
        **cluster_outputs,
        "namespace": namespace.metadata["name"],
        "orgs": orgs,
        "connectionProfiles": profiles,
        **certificates,
        "gatewayClients": clients,
        # Every node of the spec: a node an update adds and fails to start still
        # counts as deployed next time, so its retry waits its turn (safe side).
        DEPLOYED_NODES: sorted(node.k8s_name for org in spec.orgs for node in org.nodes),
        **consortium.outputs,
    }
