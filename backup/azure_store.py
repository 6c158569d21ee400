"""Azure Blob Storage as an object store: the stack's ``fabric-backups``
container in production, Azurite in the tests."""

from __future__ import annotations

from pathlib import Path

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import ContainerClient

from backup.store import ObjectMissing


class AzureBlobStore:
    def __init__(self, container: ContainerClient) -> None:
        self.container = container

    @classmethod
    def from_connection_string(cls, connection_string: str, container: str) -> AzureBlobStore:
        return cls(ContainerClient.from_connection_string(connection_string, container))

    def put(self, name: str, source: Path) -> None:
        with source.open("rb") as data:
            self.container.upload_blob(name, data, overwrite=True)

    def get(self, name: str, target: Path) -> None:
        try:
            downloader = self.container.download_blob(name)
        except ResourceNotFoundError:
            raise ObjectMissing(name) from None
        with target.open("wb") as out:
            downloader.readinto(out)

    def names(self, prefix: str) -> list[str]:
        return sorted(blob.name for blob in self.container.list_blobs(name_starts_with=prefix))
