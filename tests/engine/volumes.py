"""Pre-made PersistentVolumes for the engine tests: kwok has no storage
provisioner, so the program's claims bind to these static volumes instead."""

from __future__ import annotations

from tools.localkube import LocalKube


def static_volumes(kube: LocalKube, count: int, storage_class: str, size: str = "1Gi") -> None:
    """``count`` hostPath volumes of ``storage_class``, named ``<storage_class>-N``.
    Volumes are cluster-scoped: give every test module its own class so their
    names and bindings never collide."""
    for i in range(count):
        kube.request("POST", "/api/v1/persistentvolumes", {
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": f"{storage_class}-{i}"},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                     "storageClassName": storage_class,
                     "hostPath": {"path": f"/tmp/{storage_class}-{i}"}},
        })


def names(kube: LocalKube, path: str) -> list[str]:
    """The sorted names of the objects a list ``path`` of the API server returns."""
    return sorted(item["metadata"]["name"] for item in kube.request("GET", path)["items"])
