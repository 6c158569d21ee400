"""Backup and restore on Kubernetes, as resources ``pulumi preview`` lists.

Backup (``fabric:backupKey``), ``fabric:backupMode: snapshot``: every node
volume is snapshotted (CSI VolumeSnapshot, awaited until ready), a volume made
from each snapshot is copied by a Job to the blob container, and a last Job
writes the manifest. No node stops: a snapshot is what the volume held at one
instant, which Fabric recovers from as from a crash. A peer's CouchDB volume is
snapshotted before its ledger (the state database may lag the block store, which
the peer replays on start, never lead it), and the orderers after every peer (no
restored peer can hold a block the restored ordering service lacks).
``offline``: the same Jobs copy each node's own volumes while that node is
stopped, one node at a time, peers before orderers (``offline.py``). Both write
the same objects and manifest.

Restore (``fabric:restoreKey``): one Job downloads the manifest, authenticates
it, downloads every object, checks their sha256 and decrypts them; only then
does a Job per node fill that node's new, empty volumes, and the node's
Deployment waits for it.

The archives are encrypted in the Jobs (``python3 -m backup`` in the Azure CLI
image, from a ConfigMap holding the ``backup`` package) with keys derived from
the passphrase and the backup's random salt; the program chooses that salt once
per backup key and keeps it in a ConfigMap whose data later runs leave alone,
so the material sealed here and the archives sealed in the Jobs share it, and
a preview does not change it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from backup.keys import KdfParams, new_params
from fabric_components.backup.offline import scale_job, scaler_access
from fabric_components.backup.scale_node import KEY_ANNOTATION
from fabric_components.backup.scripts import (
    CODE_DIR,
    FETCH_ALL,
    FETCH_NODE,
    MATERIAL_DIR,
    MATERIAL_OBJECT,
    PACK_MATERIAL,
    PACK_VOLUMES,
    UNPACK_VOLUMES,
    UPLOAD_MATERIAL,
    UPLOAD_VOLUMES,
    VERIFY_ALL,
    WORK,
    WRITE_MANIFEST,
    code_files,
)
from fabric_components.backup.scripts import VOLUMES as VOLUMES_DIR
from fabric_components.cluster.backup_storage import BACKUP_CONTAINER, BackupStorage
from fabric_components.k8s.node_objects import NodePlacement
from fabric_components.k8s.workload import container, pod_template
from fabric_components.stack_config import Resources, StackConfig
from network_spec.k8s_names import (
    backup_job_name,
    backup_kdf_name,
    restore_job_name,
    start_job_name,
    stop_job_name,
)

STORAGE_SECRET = "fabric-backup-storage"
PASSPHRASE_VARIABLE = "FABRIC_BACKUP_PASSPHRASE"
KDF_FILE = "kdf.json"
BACKUP_CODE = "backup-code"
RESTORE_CODE = "restore-code"
SNAPSHOT_API = "snapshot.storage.k8s.io"
JOB_RESOURCES = Resources("100m", "256Mi", "1", "1Gi")
"""tar and gzip of a ledger, the Azure CLI (a Python program), and scrypt (128 MiB)."""
PART_OF = {"app.kubernetes.io/part-of": "fabric-network",
           "app.kubernetes.io/managed-by": "pulumi"}


@dataclass(frozen=True)
class NodeVolumes:
    """One node's volumes, in snapshot order (a peer's ``couchdb`` before
    ``data``), with their sizes."""

    place: NodePlacement
    orderer: bool
    claims: dict[str, tuple[k8s.core.v1.PersistentVolumeClaim, str]]


def storage_variables(config: StackConfig) -> tuple[str, ...]:
    """What the storage Secret holds for ``az`` (which reads it from the
    environment): the account's name and key, or a connection string."""
    if config.backup.storage_connection_string:
        return ("AZURE_STORAGE_CONNECTION_STRING",)
    return ("AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY")


def storage_secret(
    config: StackConfig, storage: BackupStorage | None, opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """The credentials of the stack's storage account, or else of the account
    ``fabric:backupStorageConnectionString`` names, and the backup passphrase,
    for the Jobs only."""
    credentials: dict[str, pulumi.Input[str]] = (
        {"AZURE_STORAGE_ACCOUNT": storage.account_name,
         "AZURE_STORAGE_KEY": pulumi.Output.secret(storage.account_key)}
        if storage is not None else
        {"AZURE_STORAGE_CONNECTION_STRING":
         pulumi.Output.secret(config.backup.storage_connection_string)})
    return k8s.core.v1.Secret(
        "backup-storage",
        metadata={"name": STORAGE_SECRET, "namespace": config.namespace, "labels": PART_OF},
        type="Opaque",
        string_data={**credentials,
                     PASSPHRASE_VARIABLE: pulumi.Output.secret(config.backup.passphrase)},
        opts=opts,
    )


def code_map(
    name: str, k8s_name: str, config: StackConfig, opts: pulumi.ResourceOptions
) -> k8s.core.v1.ConfigMap:
    """The ``backup`` package, for ``python3 -m backup`` in the Azure CLI image."""
    return k8s.core.v1.ConfigMap(
        name, metadata={"name": k8s_name, "namespace": config.namespace, "labels": PART_OF},
        data=code_files(), opts=opts)


def _kdf_map(
    name: str, config: StackConfig, opts: pulumi.ResourceOptions
) -> tuple[k8s.core.v1.ConfigMap, pulumi.Output[KdfParams]]:
    """The backup's random scrypt salt and cost, chosen when the backup key is
    first deployed and kept (``ignore_changes``): each run draws a new salt, and
    only the first is ever stored. A new key is a new ConfigMap, a new salt."""
    key = config.backup.key
    kdf = k8s.core.v1.ConfigMap(
        f"{name}-kdf-{key}",
        metadata={"name": backup_kdf_name(key), "namespace": config.namespace,
                  "labels": PART_OF},
        data={KDF_FILE: json.dumps(new_params().to_json(), sort_keys=True)},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            ignore_changes=["data"])))
    params: pulumi.Output[KdfParams] = kdf.data.apply(
        lambda data: KdfParams.from_json(json.loads(data[KDF_FILE])))
    return kdf, params


def _env(
    config: StackConfig, key: str, extra: dict[str, str], kdf: str | None
) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": name, "value_from": {"secret_key_ref": {"name": STORAGE_SECRET, "key": name}}}
        for name in (*storage_variables(config), PASSPHRASE_VARIABLE)
    ]
    if kdf is not None:
        env.append({"name": "BACKUP_KDF",
                    "value_from": {"config_map_key_ref": {"name": kdf, "key": KDF_FILE}}})
    values = {"BACKUP_KEY": key, "BACKUP_CONTAINER": BACKUP_CONTAINER, "WORK_DIR": WORK,
              "VOLUMES_DIR": VOLUMES_DIR, "MATERIAL_DIR": MATERIAL_DIR, "HOME": "/tmp",
              "AZURE_CONFIG_DIR": "/tmp/.azure", "PYTHONPATH": CODE_DIR,
              "PYTHONDONTWRITEBYTECODE": "1", **extra}
    return env + [{"name": name, "value": value} for name, value in values.items()]


@dataclass(frozen=True)
class JobCode:
    """What the Jobs' Python runs: the ``backup`` package's ConfigMap and, for
    a backup, the ConfigMap of its scrypt salt and cost."""

    code: str
    kdf: str | None = None


def _job(
    name: str, k8s_name: str, config: StackConfig, key: str, steps: list[tuple[str, str, str]],
    mounts: list[dict[str, Any]], volumes: list[dict[str, Any]], env: dict[str, str],
    code: JobCode, opts: pulumi.ResourceOptions, awaited: bool = True,
) -> k8s.batch.v1.Job:
    """A Job whose containers run ``steps`` (container name, image, script) in
    order (all but the last as init containers), sharing ``/work``, with the
    ``backup`` package on ``PYTHONPATH``; the engine waits until it has
    completed unless not ``awaited``."""
    shared: list[dict[str, Any]] = [
        {"name": "work", "mount_path": WORK}, {"name": "tmp", "mount_path": "/tmp"},
        {"name": "code", "mount_path": f"{CODE_DIR}/backup", "read_only": True}]
    containers = [
        container(step, image, JOB_RESOURCES, env=_env(config, key, env, code.kdf),
                  mounts=shared + mounts, command=["sh", "-c", script])
        for step, image, script in steps
    ]
    job_labels = {**PART_OF, "app.kubernetes.io/name": "fabric-backup",
                  "app.kubernetes.io/instance": k8s_name}
    template = pod_template(job_labels, containers[-1:],
                            [{"name": "work", "empty_dir": {}}, {"name": "tmp", "empty_dir": {}},
                             {"name": "code", "config_map": {"name": code.code}}, *volumes],
                            config.cluster.node_pool, init_containers=containers[:-1])
    template["spec"]["restart_policy"] = "Never"
    return k8s.batch.v1.Job(
        name,
        metadata={"name": k8s_name, "namespace": config.namespace, "labels": job_labels,
                  "annotations": {KEY_ANNOTATION: key,
                                  **({} if awaited else {"pulumi.com/skipAwait": "true"})}},
        spec={"backoff_limit": 1, "template": template},
        opts=opts,
    )


def _volume_mounts(names: list[str], read_only: bool) -> list[dict[str, Any]]:
    return [{"name": f"vol-{n}", "mount_path": f"{VOLUMES_DIR}/{n}", "read_only": read_only}
            for n in names]


def _claim_volumes(claims: dict[str, pulumi.Input[str]]) -> list[dict[str, Any]]:
    return [{"name": f"vol-{n}", "persistent_volume_claim": {"claim_name": claim}}
            for n, claim in claims.items()]


@dataclass(frozen=True)
class NetworkBackupArgs:
    config: StackConfig
    nodes: list[NodeVolumes]
    material: Callable[[pulumi.Output[KdfParams]], pulumi.Input[str]]
    """The network material sealed under the backup's scrypt salt and cost,
    base64 (see ``sealed_material``)."""
    storage: k8s.core.v1.Secret


class NetworkBackup(pulumi.ComponentResource):
    """Backup ``config.backup.key`` of every node volume and the network material."""

    key: pulumi.Output[str]

    def __init__(
        self, name: str, args: NetworkBackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:NetworkBackup", name, None, opts)
        config, key = args.config, args.config.backup.key
        code_opts = pulumi.ResourceOptions(parent=self)
        kdf, params = _kdf_map(name, config, code_opts)
        package = code_map(f"{name}-code", BACKUP_CODE, config, code_opts)
        code = JobCode(BACKUP_CODE, backup_kdf_name(key))
        child = pulumi.ResourceOptions(parent=self, depends_on=[args.storage, kdf, package])
        copies = _offline_copies if config.backup.mode == "offline" else _snapshot_copies
        jobs = copies(name, args, code, child)
        material = k8s.core.v1.Secret(
            f"{name}-material",
            metadata={"name": "backup-material", "namespace": config.namespace,
                      "labels": PART_OF},
            type="Opaque",
            data={MATERIAL_OBJECT: args.material(params)},
            opts=child,
        )
        jobs.append(_job(
            f"{name}-material-job", "backup-material", config, key,
            [("pack", config.images.tools, PACK_MATERIAL),
             ("upload", config.backup.image, UPLOAD_MATERIAL)],
            [{"name": "material", "mount_path": MATERIAL_DIR, "read_only": True}],
            [{"name": "material", "secret": {"secret_name": "backup-material"}}], {}, code,
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[material]))))
        manifest = _job(
            f"{name}-manifest", "backup-manifest", config, key,
            [("manifest", config.backup.image, WRITE_MANIFEST)], [], [], {}, code,
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=jobs)))
        # From the manifest Job, so the stack output resolves only once the
        # backup is complete (the Job is awaited).
        self.key = manifest.metadata.apply(lambda m: m["annotations"][KEY_ANNOTATION])
        self.register_outputs({"key": self.key})


def _copy_job(
    name: str, node: NodeVolumes, sources: dict[str, pulumi.Input[str]], config: StackConfig,
    code: JobCode, opts: pulumi.ResourceOptions, awaited: bool = True,
) -> k8s.batch.v1.Job:
    """Packs the claims ``sources`` (by volume name), mounted read-only, and
    uploads them with their manifest entries."""
    names = list(node.claims)
    return _job(
        f"{name}-{node.place.k8s_name}", backup_job_name(node.place.k8s_name), config,
        config.backup.key,
        [("pack", config.images.tools, PACK_VOLUMES),
         ("upload", config.backup.image, UPLOAD_VOLUMES)],
        _volume_mounts(names, read_only=True), _claim_volumes(sources),
        {"NODE": node.place.k8s_name, "VOLUMES": " ".join(names)}, code, opts, awaited)


def _snapshot_copies(
    name: str, args: NetworkBackupArgs, code: JobCode, opts: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """Per volume a snapshot and a claim made from it, per node a copy Job;
    returns the Jobs."""
    config = args.config
    jobs: list[pulumi.Resource] = []
    peer_snapshots: list[pulumi.Resource] = []
    for node in sorted(args.nodes, key=lambda n: n.orderer):
        previous = [] if not node.orderer else list(peer_snapshots)
        sources: dict[str, pulumi.Input[str]] = {}
        for volume, (claim, size) in node.claims.items():
            snapshot = _snapshot(node.place, volume, claim, config, previous, opts)
            previous = [snapshot]
            if not node.orderer:
                peer_snapshots.append(snapshot)
            sources[volume] = _claim_from(node.place, volume, snapshot, size, config, opts)
        jobs.append(_copy_job(name, node, sources, config, code, opts))
    return jobs


def _offline_copies(
    name: str, args: NetworkBackupArgs, code: JobCode, opts: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """Per node, peers first: a Job stops it, the copy Job reads its own claims,
    a Job waits for the copy to end, starts the node, waits until it is Ready
    and fails if the copy failed (the engine awaits the start, not the copy);
    each node's stop waits for the previous node's start, so one node is down
    at a time. Returns the last start Job (after which every copy is done)."""
    config = args.config
    nodes = sorted(args.nodes, key=lambda n: n.orderer)
    previous = scaler_access(config, [n.place.k8s_name for n in nodes],
                             [backup_job_name(n.place.k8s_name) for n in nodes], opts)
    for node in nodes:
        k8s_name = node.place.k8s_name

        def after(*resources: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                depends_on=list(resources)))

        stop = scale_job(f"{name}-{k8s_name}-stop", stop_job_name(k8s_name), config,
                         k8s_name, 0, after(*previous))
        claims = {v: claim.metadata["name"] for v, (claim, _) in node.claims.items()}
        copy = _copy_job(name, node, claims, config, code, after(stop), awaited=False)
        previous = [scale_job(f"{name}-{k8s_name}-start", start_job_name(k8s_name), config,
                              k8s_name, 1, after(copy))]
    return previous


def _snapshot(
    place: NodePlacement, volume: str, claim: k8s.core.v1.PersistentVolumeClaim,
    config: StackConfig, after: list[pulumi.Resource], opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """Awaited until the snapshot is cut (``readyToUse``), so whatever depends on
    it is snapshotted later."""
    return k8s.apiextensions.CustomResource(
        f"{place.name}-{volume}-snapshot",
        api_version=f"{SNAPSHOT_API}/v1",
        kind="VolumeSnapshot",
        metadata={"name": f"{place.k8s_name}-{volume}-{config.backup.key}",
                  "namespace": place.namespace, "labels": place.labels,
                  "annotations": {"pulumi.com/waitFor": "jsonpath={.status.readyToUse}=true"}},
        spec={"volumeSnapshotClassName": config.backup.snapshot_class,
              "source": {"persistentVolumeClaimName": claim.metadata["name"]}},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=after)),
    )


def _claim_from(
    place: NodePlacement, volume: str, snapshot: k8s.apiextensions.CustomResource, size: str,
    config: StackConfig, opts: pulumi.ResourceOptions,
) -> pulumi.Output[str]:
    """A volume holding the snapshot's data, for the copy Job to read."""
    spec: dict[str, Any] = {
        "access_modes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}},
        "data_source": {"api_group": SNAPSHOT_API, "kind": "VolumeSnapshot",
                        "name": snapshot.metadata["name"]},
    }
    if config.storage_class:
        spec["storage_class_name"] = config.storage_class
    claim = k8s.core.v1.PersistentVolumeClaim(
        f"{place.name}-{volume}-snapshot-claim",
        metadata={"name": f"{place.k8s_name}-{volume}-snapshot", "namespace": place.namespace,
                  "labels": place.labels,
                  # Bound only once the Job's pod is scheduled (WaitForFirstConsumer).
                  "annotations": {"pulumi.com/skipAwait": "true"}},
        spec=spec,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[snapshot])),
    )
    claim_name: pulumi.Output[str] = claim.metadata["name"]
    return claim_name


@dataclass(frozen=True)
class RestoreSource:
    """Backup ``key``, already checked in full by ``verify``; ``code`` the
    ``backup`` package's ConfigMap the Jobs import."""

    config: StackConfig
    verify: k8s.batch.v1.Job
    code: k8s.core.v1.ConfigMap

    @property
    def key(self) -> str:
        return self.config.backup.restore_key


def restore_source(
    config: StackConfig, storage: k8s.core.v1.Secret, opts: pulumi.ResourceOptions
) -> RestoreSource:
    """The Job that downloads backup ``restoreKey``, authenticates its manifest,
    checks every object's sha256 against it and decrypts it; it fails, naming the
    key and the object, before any volume is written."""
    key = config.backup.restore_key
    code = code_map("restore-code", RESTORE_CODE, config, opts)
    verify = _job(
        "restore-verify", "restore-verify", config, key,
        [("fetch", config.backup.image, FETCH_ALL), ("verify", config.backup.image, VERIFY_ALL)],
        [], [], {}, JobCode(RESTORE_CODE), pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(depends_on=[storage, code])))
    return RestoreSource(config, verify, code)


def restore_job(
    place: NodePlacement, claims: dict[str, k8s.core.v1.PersistentVolumeClaim],
    source: RestoreSource,
) -> k8s.batch.v1.Job:
    """Fills the node's new volumes from the backup; the node's Deployment
    depends on it."""
    names = list(claims)
    return _job(
        f"{place.name}-restore", restore_job_name(place.k8s_name), source.config, source.key,
        [("fetch", source.config.backup.image, FETCH_NODE),
         ("unpack", source.config.images.tools, UNPACK_VOLUMES)],
        _volume_mounts(names, read_only=False),
        _claim_volumes({n: c.metadata["name"] for n, c in claims.items()}),
        {"NODE": place.k8s_name, "VOLUMES": " ".join(names)}, JobCode(RESTORE_CODE),
        pulumi.ResourceOptions.merge(place.opts, pulumi.ResourceOptions(
            depends_on=[source.verify, source.code, *claims.values()])),
    )
