"""``fabric:index:PeerOrg``: the peers of one peer org and its admin toolbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from fabric_components.backup.jobs import NodeVolumes, RestoreSource, restore_job
from fabric_components.components.rollout import RolloutChain
from fabric_components.crypto_material import CaMaterial, CryptoSource, identity_file_tree
from fabric_components.k8s.admin_toolbox import admin_toolbox
from fabric_components.k8s.couchdb import couchdb_container, couchdb_credentials
from fabric_components.k8s.node_base import node_base
from fabric_components.k8s.node_objects import (
    NodePlacement,
    deployment,
    files_secret,
    service,
    volume_claim,
)
from fabric_components.k8s.workload import (
    container,
    env_list,
    http_probes,
    pod_template,
    single_replica_spec,
)
from fabric_components.stack_config import StackConfig
from fabric_nodes.naming import labels
from fabric_nodes.node_settings import (
    CONTAINER_PATHS,
    RELEASE_CONFIG_DIR,
    ClusterAddressing,
    PeerPorts,
    disable_docker_command,
    peer_address,
    peer_environment,
)
from network_spec import OrgSpec


@dataclass(frozen=True)
class PeerOrgArgs:
    org: OrgSpec
    """The peer org as expanded from crypto-config.yaml (one peer per node)."""
    state_database: str
    """``goleveldb``, or ``CouchDB`` for a CouchDB sidecar per peer."""
    config: StackConfig
    crypto: CryptoSource
    cas: CaMaterial
    tls_cas: k8s.core.v1.ConfigMap
    rollout: RolloutChain
    """Orders this org's node Deployments after the previous nodes' (one node
    at a time)."""
    restore: RestoreSource | None = None
    """Fill each peer's new volumes from this backup before the peer starts."""


class PeerOrg(pulumi.ComponentResource):
    """Per peer: a crypto Secret, PVCs, a Deployment (peer and optional CouchDB
    sidecar; CCaaS builder, no Docker socket, nothing privileged) and a Service
    (7051 gRPC, 7052 chaincode, 9443 operations); plus the org's admin toolbox."""

    msp_id: pulumi.Output[str]
    endpoints: pulumi.Output[list[str]]
    tls_ca_cert: pulumi.Output[str]
    admin_cert: pulumi.Output[str]
    """The org admin's signing certificate (public; goes into the org MSP)."""

    def __init__(
        self, name: str, args: PeerOrgArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:PeerOrg", name, None, opts)
        org, config = args.org, args.config
        child = pulumi.ResourceOptions(parent=self)
        addressing = ClusterAddressing(config.namespace)
        admin = args.crypto.user(org, args.cas, org.admin_name, True, child)
        self.admin_cert = admin.sign_cert
        self.tls_certs: dict[str, pulumi.Output[str]] = {}
        self.volumes: list[NodeVolumes] = []
        """Every peer's volumes, for backups (CouchDB's first: see backup_jobs)."""
        for user in org.user_names:
            # Client identities for applications: one Secret each, cryptogen's layout.
            local = user.split("@")[0].lower()
            ident = args.crypto.user(org, args.cas, user, False, child)
            user_place = NodePlacement(
                name=f"{name}-{local}", k8s_name=f"{local}-{org.k8s_name}",
                namespace=config.namespace,
                labels=labels(org, "fabric-client-identity", f"{local}-{org.k8s_name}"),
                opts=child,
            )
            files_secret(user_place, "crypto", identity_file_tree(org, args.cas, ident,
                                                                  admin.sign_cert))
        # First: the nodes' readiness gates run their queries in it.
        args.rollout.add_toolbox(
            admin_toolbox(name, org, admin, args.cas, args.tls_cas, config, self)
        )
        ports = PeerPorts()
        couch = args.state_database == "CouchDB"
        for node in org.nodes:
            base = node_base(name, org, node, "fabric-peer", args.crypto, args.cas,
                             admin.sign_cert, config, config.peer_storage, child)
            place = base.place
            self.tls_certs[node.common_name] = base.tls_cert
            depends: list[pulumi.Resource] = [base.secret, base.data]
            env = peer_environment(
                org, node, addressing, CONTAINER_PATHS,
                state_database=args.state_database, log_spec=config.log_spec,
            )
            volumes: list[dict[str, Any]] = [*base.volumes, {"name": "config", "empty_dir": {}}]
            config_mount = {"name": "config", "mount_path": CONTAINER_PATHS.config_dir}
            init_config = container(
                "config",
                config.images.peer,
                config.resources["toolbox"],
                command=disable_docker_command(RELEASE_CONFIG_DIR, CONTAINER_PATHS.config_dir),
                mounts=[config_mount],
            )
            containers = []
            credentials_name = ""
            claims: dict[str, tuple[k8s.core.v1.PersistentVolumeClaim, str]] = {}
            if couch:
                credentials = couchdb_credentials(place)
                couch_data = volume_claim(place, "couchdb", config.couchdb_storage, config)
                credentials_name = f"{node.k8s_name}-couchdb"
                depends += [credentials, couch_data]
                claims["couchdb"] = (couch_data, config.couchdb_storage)
                volumes.append(
                    {"name": "couchdb",
                     "persistent_volume_claim": {"claim_name": couch_data.metadata["name"]}}
                )
                containers.append(couchdb_container(config, credentials_name))
            peer = container(
                "peer",
                config.images.peer,
                config.resources["peer"],
                env=env_list(env, credentials_name),
                ports={"grpc": ports.peer, "chaincode": ports.chaincode,
                       "operations": ports.operations},
                mounts=[*base.mounts(CONTAINER_PATHS), {**config_mount, "read_only": True}],
                probes=http_probes(ports.operations, "/healthz"),
            )
            containers.insert(0, peer)
            claims["data"] = (base.data, config.peer_storage)
            self.volumes.append(NodeVolumes(place, False, claims))
            if args.restore is not None:
                depends.append(restore_job(place, {n: c for n, (c, _) in claims.items()},
                                           args.restore))
            template = pod_template(place.labels, containers, volumes, config.cluster.node_pool,
                                    init_containers=[init_config])
            rolled = deployment(place, single_replica_spec(place.labels, template),
                                [*depends, *args.rollout.after()])
            args.rollout.node_deployed(org, node, rolled, self)
            service(place, {"grpc": ports.peer, "chaincode": ports.chaincode,
                            "operations": ports.operations})

        self.msp_id = pulumi.Output.from_input(org.msp_id)
        self.endpoints = pulumi.Output.from_input([peer_address(addressing, n) for n in org.nodes])
        self.tls_ca_cert = args.cas.tlsca_cert
        self.register_outputs(
            {"msp_id": self.msp_id, "endpoints": self.endpoints, "tls_ca_cert": self.tls_ca_cert}
        )
