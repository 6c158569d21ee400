"""``fabric:index:BackupStorage``: the Azure storage account and private blob
container that network backups go to, versioned and soft-delete protected."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

BACKUP_CONTAINER = "fabric-backups"
RETENTION_DAYS = 30


@dataclass(frozen=True)
class BackupStorageArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    sku: str
    """Replication, e.g. ``Standard_LRS`` (dev) or ``Standard_GRS`` (prod)."""


class BackupStorage(pulumi.ComponentResource):
    account_name: pulumi.Output[str]
    container_name: pulumi.Output[str]
    account_key: pulumi.Output[str]
    """The account's first access key (a secret), for the backup Jobs."""

    def __init__(
        self, name: str, args: BackupStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("fabric:index:BackupStorage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = azure.storage.StorageAccount(
            f"{name}-account",
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind=azure.storage.Kind.STORAGE_V2,
            sku={"name": args.sku},
            allow_blob_public_access=False,
            enable_https_traffic_only=True,
            minimum_tls_version=azure.storage.MinimumTlsVersion.TLS1_2,
            opts=child,
        )
        azure.storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy={"enabled": True, "days": RETENTION_DAYS},
            container_delete_retention_policy={"enabled": True, "days": RETENTION_DAYS},
            opts=child,
        )
        container = azure.storage.BlobContainer(
            f"{name}-container",
            account_name=account.name,
            resource_group_name=args.resource_group_name,
            container_name=BACKUP_CONTAINER,
            public_access=azure.storage.PublicAccess.NONE,
            opts=child,
        )
        self.account_name = account.name
        self.container_name = container.name
        keys = azure.storage.list_storage_account_keys_output(
            account_name=account.name, resource_group_name=args.resource_group_name,
            opts=pulumi.InvokeOutputOptions(parent=self))
        self.account_key = pulumi.Output.secret(keys.keys[0].value)
        self.register_outputs(
            {"account_name": self.account_name, "container_name": self.container_name}
        )
