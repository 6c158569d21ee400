"""The loader's list of Kubernetes object names (``network_spec.k8s_names``) is
the list the program registers: a builder that derives a new name must add it
there, or the loader would not check it."""

from __future__ import annotations

from network_spec.k8s_names import backup_kdf_name, external_service_name, spec_object_names
from network_spec.load import load_network
from tests.components.program import run_program, sample_config

BACKUP_AND_RESTORE = {
    "cluster": "aks", "backupStorageSku": "Standard_LRS", "backupKey": "nightly-1",
    "backupPassphrase": "p", "restoreKey": "weekly",
    "externalAccess": "loadbalancer", "externalDomain": "westeurope.cloudapp.azure.com",
}
NOT_DERIVED = ("Namespace", "VolumeSnapshot")
"""The namespace is the stack's; snapshot names end in the backup key, at most 40
characters after a node name the loader keeps to 55: they cannot exceed 253."""


def test_every_registered_object_name_is_known_to_the_loader():
    registered: set[tuple[str, str]] = set()
    # Each backup mode registers its own objects (snapshots, or the scaler Jobs).
    for mode in ("snapshot", "offline"):
        config = sample_config("scaled", **BACKUP_AND_RESTORE, backupMode=mode)
        spec = load_network(config.crypto_config, config.network)
        assert spec.state_database == "CouchDB"  # so every peer has its CouchDB objects
        mocks, _ = run_program(spec, config)
        registered |= {
            (r.typ.rsplit(":", 1)[1], r.manifest["metadata"]["name"])
            for r in mocks.resources
            if r.typ.startswith("kubernetes:") and r.typ.rsplit(":", 1)[1] not in NOT_DERIVED
            and isinstance(r.manifest.get("metadata"), dict)
        }
    expected = spec_object_names(spec).names()
    expected |= {("Service", external_service_name(node.k8s_name))
                 for org in spec.orgs for node in org.nodes}
    # Named after the backup key (a checked DNS label), not the spec.
    expected.add(("ConfigMap", backup_kdf_name(BACKUP_AND_RESTORE["backupKey"])))
    assert registered == expected
