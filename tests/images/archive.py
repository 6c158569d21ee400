"""Reads an OCI image archive the way a runtime does: every blob checked against
its digest and size, the layer's uncompressed digest against the config's diff_id."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Image:
    name: str
    tag: str
    manifest_digest: str
    manifest: dict[str, Any]
    config: dict[str, Any]
    layer: bytes

    @property
    def runtime(self) -> dict[str, Any]:
        """The config's ``config`` object: Entrypoint, Cmd, Env..."""
        return dict(self.config["config"])

    @property
    def env(self) -> dict[str, str]:
        return dict(entry.split("=", 1) for entry in self.runtime.get("Env", []))

    def unpack(self, rootfs: Path) -> None:
        """The layer into ``rootfs``, owners and modes kept (GNU tar, as root)."""
        rootfs.mkdir(parents=True)
        subprocess.run(
            ["tar", "-xzp", "--numeric-owner", "-C", str(rootfs)],
            input=self.layer, check=True,
        )


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_image(path: Path) -> Image:
    with tarfile.open(path) as tar:
        names = tar.getnames()

        def blob(descriptor: dict[str, Any]) -> bytes:
            algorithm, hexdigest = descriptor["digest"].split(":")
            member = tar.extractfile(f"blobs/{algorithm}/{hexdigest}")
            assert member is not None
            data = member.read()
            assert len(data) == descriptor["size"], descriptor
            assert _digest(data) == descriptor["digest"], descriptor
            return data

        def document(name: str) -> dict[str, Any]:
            member = tar.extractfile(name)
            assert member is not None
            return dict(json.load(member))

        assert document("oci-layout") == {"imageLayoutVersion": "1.0.0"}
        index = document("index.json")
        assert index["schemaVersion"] == 2
        assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
        [entry] = index["manifests"]
        assert entry["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
        manifest = json.loads(blob(entry))
        assert manifest["mediaType"] == entry["mediaType"]
        assert manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
        config = json.loads(blob(manifest["config"]))
        [layer_descriptor] = manifest["layers"]
        assert layer_descriptor["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
        layer = blob(layer_descriptor)
        assert config["rootfs"] == {"type": "layers", "diff_ids": [_digest(gzip.decompress(layer))]}
        assert entry["platform"] == {"architecture": config["architecture"], "os": config["os"]}
        blobs = {entry["digest"], manifest["config"]["digest"], layer_descriptor["digest"]}
        assert sorted(n for n in names if n.startswith("blobs/sha256/")) == sorted(
            "blobs/sha256/" + d.split(":")[1] for d in blobs
        )
        annotations = entry["annotations"]
        return Image(
            name=annotations["io.containerd.image.name"],
            tag=annotations["org.opencontainers.image.ref.name"],
            manifest_digest=entry["digest"],
            manifest=manifest,
            config=config,
            layer=layer,
        )
