"""A node's data directory as one gzipped tar, and back."""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import tarfile
from pathlib import Path

CHUNK = 1 << 20


def pack(directory: Path, target: Path) -> None:
    """Archive the contents of ``directory`` (relative paths, sorted, owners
    dropped) into ``target``."""
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        for path in sorted(directory.rglob("*")):
            info = tar.gettarinfo(str(path), arcname=path.relative_to(directory).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if info.isfile():
                with path.open("rb") as data:
                    tar.addfile(info, data)
            elif info.isdir():
                tar.addfile(info)


def unpack(source: Path, directory: Path) -> None:
    """Replace ``directory`` with the archive's contents. Only regular files
    and directories inside ``directory`` are accepted (tarfile's data filter)."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    with tarfile.open(source, "r:gz") as tar:
        tar.extractall(directory, filter="data")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def pack_files(files: dict[str, bytes]) -> bytes:
    """A gzipped tar of ``files`` (relative path -> content) that depends on
    nothing else: sorted entries, fixed mode, owner and times, no gzip name or
    time. The same files give the same bytes on every machine."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.size = len(files[path])
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(files[path]))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as compressed:
        compressed.write(raw.getvalue())
    return out.getvalue()
