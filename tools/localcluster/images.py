"""The images the local cluster itself runs, made here from binaries (nothing is
pulled): the pods' sandbox (pause), CoreDNS, local-path-provisioner and its helper
(Debian's static busybox, for the provisioner's setup and teardown scripts).
Each archive is cached under <cache>/cluster-images, keyed by its inputs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tools.oci_image import ImageSpec, write_image

RECIPE_VERSION = "1"
BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static
PAUSE_IMAGE = "docker.io/fabric-on-pulumi/pause:1"
COREDNS_IMAGE = "docker.io/fabric-on-pulumi/coredns:1.12.4"
PROVISIONER_IMAGE = "docker.io/fabric-on-pulumi/local-path-provisioner:0.0.30"
HELPER_IMAGE = "docker.io/fabric-on-pulumi/busybox:1.35.0"


@dataclass(frozen=True)
class NodeBinaries:
    """The result dirs of `tools/build-tools.sh node`."""

    kube_node: Path
    containerd: Path
    coredns: Path
    provisioner: Path
    pause: Path
    network_policies: Path | None = None
    """None only in the record of a cluster started before the node had it."""

    @classmethod
    def from_dirs(cls, dirs: list[Path]) -> NodeBinaries:
        return cls(*dirs)

    def dirs(self) -> list[Path]:
        found = [self.kube_node, self.containerd, self.coredns, self.provisioner, self.pause]
        return found + ([self.network_policies] if self.network_policies else [])

    def bin(self, name: str) -> Path:
        for d in self.dirs():
            if (d / "bin" / name).exists():
                return d / "bin" / name
        raise FileNotFoundError(f"{name}: not among the node's built binaries")


def _digest(paths: Iterable[Path], extra: str) -> str:
    h = hashlib.sha256(f"{RECIPE_VERSION} {extra}\n".encode())
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _image(cache: Path, spec: ImageSpec, files: dict[str, Path], links: dict[str, str]) -> Path:
    """The archive of an image whose root holds `files` (path in the image to a
    host file, mode kept) and `links` (symbolic links), built once."""
    key = _digest(files.values(), repr((spec, sorted(files), sorted(links.items()))))
    name = spec.name.rsplit("/", 1)[-1].replace(":", "-")
    out = cache / f"{name}-{key}.tar"
    if out.exists():
        return out
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for dest, src in files.items():
            target = root / dest.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
        for dest, to in links.items():
            target = root / dest.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(to)
        (root / "tmp").mkdir(mode=0o1777, exist_ok=True)
        (root / "tmp").chmod(0o1777)
        write_image(root, out, spec)
    return out


def cluster_images(cache: Path, node: NodeBinaries) -> list[Path]:
    """Builds (or reuses) the four archives; returns their paths."""
    cache.mkdir(parents=True, exist_ok=True)
    applets = subprocess.run(
        [str(BUSYBOX), "--list"], check=True, capture_output=True, text=True
    ).stdout.split()
    return [
        _image(cache, ImageSpec(PAUSE_IMAGE, entrypoint=("/pause",)),
               {"/pause": node.bin("pause")}, {}),
        _image(cache, ImageSpec(COREDNS_IMAGE, entrypoint=("/coredns",)),
               {"/coredns": node.bin("coredns")}, {}),
        _image(cache, ImageSpec(PROVISIONER_IMAGE, entrypoint=("/local-path-provisioner",)),
               {"/local-path-provisioner": node.bin("local-path-provisioner")}, {}),
        _image(cache, ImageSpec(HELPER_IMAGE, cmd=("/bin/sh",)),
               {"/bin/busybox": BUSYBOX},
               {f"/bin/{a}": "busybox" for a in applets if a != "busybox"}),
    ]


def import_images(ctr: Path, socket: Path, archives: Iterable[Path]) -> None:
    """Imports the archives into containerd's CRI namespace (unpacked for its
    snapshotter), so that pods find them without a pull."""
    for archive in archives:
        result = subprocess.run(
            [str(ctr), "--address", str(socket), "--namespace", "k8s.io", "images", "import",
             str(archive)],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"ctr images import {archive}: {result.stderr.strip()}")
