"""A store named on the command line: ``azure://<container>`` or a local
directory. The one module that knows every kind of store, so the stores
themselves import only their common protocol (``backup.store``). The Azure
store is imported only when named: the backup Jobs run ``python -m backup`` on
local directories in an image without the Azure Storage SDK."""

from __future__ import annotations

import os
from pathlib import Path

from backup.store import LocalDirStore, ObjectStore

AZURE_PREFIX = "azure://"
CONNECTION_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"


def open_store(location: str) -> ObjectStore:
    """``azure://<container>`` (the account from AZURE_STORAGE_CONNECTION_STRING)
    or a local directory."""
    if not location.startswith(AZURE_PREFIX):
        return LocalDirStore(Path(location))
    connection = os.environ.get(CONNECTION_VARIABLE, "")
    if not connection:
        raise ValueError(f"{location}: set {CONNECTION_VARIABLE} to the storage account's "
                         "connection string")
    from backup.azure_store import AzureBlobStore

    return AzureBlobStore.from_connection_string(connection, location[len(AZURE_PREFIX):])
