"""A data directory packed and unpacked: the same tree, the old contents of the
target replaced, nothing written outside it."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from backup.archive import pack, unpack


def test_a_directory_comes_back_as_it_was(tmp_path: Path):
    source = tmp_path / "data"
    (source / "ledgersData" / "chains").mkdir(parents=True)
    (source / "ledgersData" / "chains" / "blockfile_000000").write_bytes(b"\x00\x01" * 4096)
    (source / "etcdraft" / "wal").mkdir(parents=True)
    archive = tmp_path / "data.tar.gz"
    pack(source, archive)
    target = tmp_path / "restored"
    (target / "stale").mkdir(parents=True)
    unpack(archive, target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [
        "etcdraft", "etcdraft/wal", "ledgersData", "ledgersData/chains",
        "ledgersData/chains/blockfile_000000"]
    assert (target / "ledgersData/chains/blockfile_000000").read_bytes() == b"\x00\x01" * 4096


def test_an_archive_reaching_outside_the_target_is_refused(tmp_path: Path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../outside")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.OutsideDestinationError):
        unpack(archive, tmp_path / "target")
    assert not (tmp_path / "outside").exists()
