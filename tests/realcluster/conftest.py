"""One real local cluster (tools/localcluster) per test module, started from the
host as it was; `host_before` is the host's state before the start. Its images
directory holds one project image, laid out as `tools/build-tools.sh images`
leaves its archives, so that a pod can run it without a pull."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.pulumi_runner import build
from tests.realcluster.host_snapshot import HostSnapshot
from tools.localcluster import LocalCluster
from tools.oci_image import ImageSpec, write_image

PROJECT_IMAGE = "docker.io/fabric-on-pulumi/realcluster-test:1"


@pytest.fixture(scope="module")
def host_before() -> HostSnapshot:
    build("kube")
    build("node")
    return HostSnapshot.take()


@pytest.fixture(scope="module")
def images_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A static busybox image under <image>/<tag>/image.tar with its .complete."""
    root = tmp_path_factory.mktemp("rootfs")
    (root / "bin").mkdir()
    shutil.copy2("/bin/busybox", root / "bin" / "busybox")
    (root / "bin" / "sh").symlink_to("busybox")
    images = tmp_path_factory.mktemp("images")
    archive = images / "realcluster-test" / "1" / "image.tar"
    write_image(root, archive, ImageSpec(PROJECT_IMAGE, entrypoint=("/bin/busybox",),
                                         cmd=("echo", "hello-from-a-project-image")))
    (archive.parent / ".complete").write_text("test\n")
    return images


@pytest.fixture(scope="module")
def project_image(images_dir: Path) -> str:
    """The name of the image in images_dir."""
    return PROJECT_IMAGE


@pytest.fixture(scope="module")
def cluster(host_before: HostSnapshot, images_dir: Path) -> Iterator[LocalCluster]:
    with LocalCluster(images_dir=images_dir) as c:
        yield c
