"""Write a container image as an OCI image archive, without a registry or a daemon.

The archive is an OCI image layout in a tar (``oci-layout``, ``index.json``,
``blobs/sha256/...``) holding one image: one gzip layer made from a root filesystem
directory, its image config and its manifest. The index names the image with the
``io.containerd.image.name`` (full reference) and ``org.opencontainers.image.ref.name``
(tag) annotations, so containerd imports it under that name::

    ctr -n k8s.io images import fabric-peer.tar

The output is deterministic: the same directory (contents, modes, owners, mtimes up to
the clamp) and the same settings give the same bytes and the same manifest digest.
Entries are sorted, owner names dropped (numeric ids kept), mtimes clamped to
``source_date_epoch`` (so files a package manager unpacked keep theirs, and
byte-compiled Python files stay valid against their sources), gzip headers carry no
name or time.

Command line::

    python tools/oci_image.py --rootfs DIR --name docker.io/hyperledger/fabric-peer:2.5.9 \\
        --entrypoint '["peer", "node", "start"]' --env FABRIC_CFG_PATH=/etc/hyperledger/fabric \\
        --workdir /root --user 1000:1000 --port 7051/tcp --volume /var/hyperledger \\
        --output fabric-peer.tar

``--entrypoint`` and ``--cmd`` take JSON arrays; ``--env``, ``--port``, ``--volume`` and
``--label`` repeat. It prints the manifest digest.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
# 2024-01-01T00:00:00Z: later mtimes are clamped to it unless told otherwise.
DEFAULT_SOURCE_DATE_EPOCH = 1704067200
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImageSpec:
    """What the image is called and how a container of it starts (the config's fields)."""

    name: str
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    workdir: str = ""
    user: str = ""
    ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    architecture: str = "amd64"
    source_date_epoch: int = DEFAULT_SOURCE_DATE_EPOCH

    @property
    def tag(self) -> str:
        """The reference's tag (``latest`` when it has none)."""
        last = self.name.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else "latest"


@dataclass(frozen=True)
class ImageDigests:
    """The digests of what was written, ``sha256:<hex>`` each."""

    manifest: str
    config: str
    layer: str
    diff_id: str
    layer_size: int


def _validate(spec: ImageSpec) -> None:
    if not spec.name or any(c.isspace() for c in spec.name) or spec.name != spec.name.lower():
        raise ValueError(f"image name {spec.name!r}: a lower-case reference without spaces")
    for entry in spec.env:
        if "=" not in entry:
            raise ValueError(f"env entry {entry!r}: expected NAME=VALUE")
    for port in spec.ports:
        number, _, proto = port.partition("/")
        if not number.isdigit() or proto not in ("tcp", "udp", "sctp"):
            raise ValueError(f"port {port!r}: expected NUMBER/tcp, NUMBER/udp or NUMBER/sctp")
    for path in (*spec.volumes, *([spec.workdir] if spec.workdir else [])):
        if not path.startswith("/"):
            raise ValueError(f"path {path!r}: must be absolute")


def _walk(rootfs: Path) -> Iterator[Path]:
    """Every path under rootfs (not rootfs itself), parents first, names sorted."""
    entries = sorted(os.listdir(rootfs))
    for name in entries:
        path = rootfs / name
        yield path
        if path.is_dir() and not path.is_symlink():
            yield from _walk(path)


def _write_layer_tar(rootfs: Path, out: IO[bytes], clamp: int) -> None:
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for path in _walk(rootfs):
            info = tar.gettarinfo(str(path), arcname=path.relative_to(rootfs).as_posix())
            if info is None:  # sockets cannot be archived and mean nothing in an image
                continue
            info.mtime = min(int(info.mtime), clamp)
            info.uname = info.gname = ""
            if info.isreg():
                with path.open("rb") as data:
                    tar.addfile(info, data)
            else:
                tar.addfile(info)


class _HashingWriter(io.RawIOBase):
    """A write-only stream that hashes and counts what passes through to ``sink``."""

    def __init__(self, sink: IO[bytes]) -> None:
        self.sink = sink
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.sha.update(view)
        self.size += len(view)
        self.sink.write(view)
        return len(view)


def _build_layer(rootfs: Path, layer_file: IO[bytes], clamp: int) -> tuple[str, str, int]:
    """Writes the gzip layer; returns (diff_id, compressed digest, compressed size)."""
    compressed = _HashingWriter(layer_file)
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0, compresslevel=6) as gz:
        uncompressed = _HashingWriter(gz)  # type: ignore[arg-type]
        _write_layer_tar(rootfs, uncompressed, clamp)  # type: ignore[arg-type]
    return (
        f"sha256:{uncompressed.sha.hexdigest()}",
        f"sha256:{compressed.sha.hexdigest()}",
        compressed.size,
    )


def _json_blob(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _digest(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def image_config(spec: ImageSpec, diff_id: str) -> dict[str, Any]:
    """The OCI image config for one layer with this diff_id."""
    config: dict[str, Any] = {}
    if spec.entrypoint:
        config["Entrypoint"] = list(spec.entrypoint)
    if spec.cmd:
        config["Cmd"] = list(spec.cmd)
    if spec.env:
        config["Env"] = list(spec.env)
    if spec.workdir:
        config["WorkingDir"] = spec.workdir
    if spec.user:
        config["User"] = spec.user
    if spec.ports:
        config["ExposedPorts"] = {port: {} for port in spec.ports}
    if spec.volumes:
        config["Volumes"] = {path: {} for path in spec.volumes}
    if spec.labels:
        config["Labels"] = dict(spec.labels)
    created = datetime.fromtimestamp(spec.source_date_epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "created": created,
        "architecture": spec.architecture,
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": created, "created_by": "tools/oci_image.py"}],
    }


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _add_dir(tar: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)


def write_image(rootfs: Path, output: Path, spec: ImageSpec) -> ImageDigests:
    """Writes the image archive for ``rootfs`` to ``output`` (replaced atomically)."""
    _validate(spec)
    if not rootfs.is_dir():
        raise ValueError(f"{rootfs}: not a directory (the image's root filesystem)")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=output.parent) as layer_file:
        diff_id, layer_digest, layer_size = _build_layer(rootfs, layer_file, spec.source_date_epoch)
        config = _json_blob(image_config(spec, diff_id))
        manifest = _json_blob(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_TYPE,
                "config": {
                    "mediaType": CONFIG_TYPE,
                    "digest": _digest(config),
                    "size": len(config),
                },
                "layers": [{"mediaType": LAYER_TYPE, "digest": layer_digest, "size": layer_size}],
            }
        )
        index = _json_blob(
            {
                "schemaVersion": 2,
                "mediaType": INDEX_TYPE,
                "manifests": [
                    {
                        "mediaType": MANIFEST_TYPE,
                        "digest": _digest(manifest),
                        "size": len(manifest),
                        "platform": {"architecture": spec.architecture, "os": "linux"},
                        "annotations": {
                            "io.containerd.image.name": spec.name,
                            "org.opencontainers.image.ref.name": spec.tag,
                        },
                    }
                ],
            }
        )
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, "oci-layout", _json_blob({"imageLayoutVersion": "1.0.0"}))
            _add_bytes(tar, "index.json", index)
            for directory in ("blobs", "blobs/sha256"):
                _add_dir(tar, directory)
            _add_bytes(tar, f"blobs/sha256/{_digest(config)[7:]}", config)
            _add_bytes(tar, f"blobs/sha256/{_digest(manifest)[7:]}", manifest)
            layer_file.seek(0)
            info = tarfile.TarInfo(f"blobs/sha256/{layer_digest[7:]}")
            info.size = layer_size
            info.mode = 0o644
            tar.addfile(info, layer_file)
        partial.replace(output)
    return ImageDigests(_digest(manifest), _digest(config), layer_digest, diff_id, layer_size)


def _json_list(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a JSON array of strings")
    return tuple(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rootfs", type=Path, required=True)
    parser.add_argument("--name", required=True, help="full reference, e.g. docker.io/x/y:1.0")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--entrypoint", type=_json_list, default=())
    parser.add_argument("--cmd", type=_json_list, default=())
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--workdir", default="")
    parser.add_argument("--user", default="")
    parser.add_argument("--port", action="append", default=[])
    parser.add_argument("--volume", action="append", default=[])
    parser.add_argument("--label", action="append", default=[])
    parser.add_argument(
        "--source-date-epoch",
        type=int,
        default=int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH)),
        help="later mtimes are clamped to it; also the config's created time",
    )
    args = parser.parse_args(argv)
    labels = {}
    for label in args.label:
        key, sep, value = label.partition("=")
        if not sep:
            parser.error(f"--label {label!r}: expected KEY=VALUE")
        labels[key] = value
    spec = ImageSpec(
        name=args.name,
        entrypoint=args.entrypoint,
        cmd=args.cmd,
        env=tuple(args.env),
        workdir=args.workdir,
        user=args.user,
        ports=tuple(args.port),
        volumes=tuple(args.volume),
        labels=labels,
        source_date_epoch=args.source_date_epoch,
    )
    try:
        digests = write_image(args.rootfs, args.output, spec)
    except ValueError as err:
        print(f"oci_image: {err}", file=sys.stderr)
        return 2
    print(digests.manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
