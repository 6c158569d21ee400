"""``fabric:index:PeerOrg``: the peers of one peer org, its client identities
and its admin toolbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from fabric_components.components.org_nodes import NodePod, OrgArgs, OrgNodes
from fabric_components.crypto_material import IdentityMaterial, identity_file_tree
from fabric_components.k8s.couchdb import couchdb_container, couchdb_credentials
from fabric_components.k8s.node_base import NodeBase
from fabric_components.k8s.node_objects import NodePlacement, files_secret, volume_claim
from fabric_components.k8s.workload import container, env_list, http_probes, operations_scheme
from fabric_components.stack_config import StackConfig, VolumeSettings
from fabric_nodes.chaincode_builds import clear_builds_command
from fabric_nodes.naming import labels
from fabric_nodes.node_settings import (
    CONTAINER_PATHS,
    PeerPorts,
    disable_docker_command,
    peer_address,
    peer_environment,
    release_config_dir,
)
from network_spec import NodeSpec, OrgSpec
from network_spec.k8s_names import user_name


@dataclass(frozen=True)
class PeerOrgArgs(OrgArgs):
    state_database: str = "goleveldb"
    """``goleveldb``, or ``CouchDB`` for a CouchDB sidecar per peer."""


class PeerOrg(OrgNodes):
    """Per peer: a crypto Secret, PVCs, a Deployment (peer and optional CouchDB
    sidecar; CCaaS builder, no Docker socket, nothing privileged) and a Service
    (7051 gRPC, 7052 chaincode, 9443 operations); per user a Secret with its
    client identity; plus the org's admin toolbox."""

    node_label = "fabric-peer"
    is_orderer = False

    def __init__(
        self, name: str, args: PeerOrgArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        self.state_database = args.state_database
        self.couch = args.state_database == "CouchDB"
        super().__init__("fabric:index:PeerOrg", name, args, opts)

    def org_objects(self, name: str, args: OrgArgs, admin: IdentityMaterial) -> None:
        """Client identities for applications: one Secret each, cryptogen's layout."""
        org = args.org
        for index, user in enumerate(org.user_names, start=1):
            local = user.split("@")[0].lower()
            ident = args.crypto.user(org, args.cas, user, False, self.child)
            k8s_name = user_name(org.k8s_name, index)
            user_place = NodePlacement(
                name=f"{name}-{local}", k8s_name=k8s_name,
                namespace=args.config.namespace,
                labels=labels(org, "fabric-client-identity", k8s_name),
                opts=self.child,
            )
            files_secret(user_place, "crypto", identity_file_tree(org, args.cas, ident,
                                                                  admin.sign_cert))

    def data_volume(self, config: StackConfig) -> VolumeSettings:
        return config.volume(config.peer_storage)

    def node_pod(self, args: OrgArgs, node: NodeSpec, base: NodeBase) -> NodePod:
        config, ports, place = args.config, PeerPorts(), base.place
        volumes: list[dict[str, Any]] = [*base.volumes, {"name": "config", "empty_dir": {}}]
        config_mount = {"name": "config", "mount_path": CONTAINER_PATHS.config_dir}
        init_config = container(
            "config",
            config.images.peer,
            config.resources["toolbox"],
            command=disable_docker_command(release_config_dir(config.fabric_version),
                                           CONTAINER_PATHS.config_dir, config.fabric_version),
            mounts=[config_mount],
        )
        init_containers = [init_config]
        if config.endpoint_tls:
            # With chaincode mTLS the builds hold the peer's TLS pair as of their
            # build (see chaincode_builds); without it they hold no key to renew.
            data_mount = {"name": "data", "mount_path": CONTAINER_PATHS.data_dir}
            init_containers.append(container(
                "builds", config.images.peer, config.resources["toolbox"],
                command=clear_builds_command(CONTAINER_PATHS.data_dir), mounts=[data_mount]))
        pod = NodePod(containers=[], volumes=volumes,
                      ports={"grpc": ports.peer, "chaincode": ports.chaincode,
                             "operations": ports.operations},
                      claims={}, init_containers=init_containers)
        credentials_name = ""
        if self.couch:
            # CouchDB's claim first: see backup.jobs.
            credentials = couchdb_credentials(place)
            couch_data = volume_claim(place, "couchdb", config.volume(config.couchdb_storage))
            credentials_name = f"{node.k8s_name}-couchdb"
            pod.depends_on += [credentials, couch_data]
            pod.claims["couchdb"] = (couch_data, config.couchdb_storage)
            volumes.append({"name": "couchdb",
                            "persistent_volume_claim": {"claim_name": couch_data.metadata["name"]}})
            # Its entrypoint writes the admin credentials into /opt/couchdb/etc/local.d.
            pod.writable_root.append("couchdb")
            pod.containers.append(couchdb_container(config.images.couchdb,
                                                    config.resources["couchdb"],
                                                    credentials_name))
        env = peer_environment(args.org, node, self.addressing, CONTAINER_PATHS,
                               state_database=self.state_database,
                               log_spec=config.log_spec, endpoint_tls=config.endpoint_tls,
                               scraper_ca=args.scraper_ca is not None)
        peer = container(
            "peer",
            config.images.peer,
            config.resources["peer"],
            env=env_list(env, credentials_name),
            ports=pod.ports,
            mounts=[*base.mounts(CONTAINER_PATHS), {**config_mount, "read_only": True}],
            probes=http_probes(ports.operations, "/healthz",
                               scheme=operations_scheme(config.endpoint_tls)),
        )
        pod.containers.insert(0, peer)
        pod.claims["data"] = (base.data, config.peer_storage)
        return pod

    def node_endpoints(self, org: OrgSpec) -> list[str]:
        return [peer_address(self.addressing, n) for n in org.nodes]
