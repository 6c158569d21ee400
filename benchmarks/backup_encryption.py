"""Prints the throughput (MB/s) of putting one 200 MB node archive into a local
directory store and getting it back, the way the previous format did (sha256 and
copy, the archive in clear) and the way backups are now written and opened
(streaming AES-256-GCM, then sha256 and copy; back: copy, sha256, decrypt), the
time scrypt takes at the backup cost, and the peak memory of the process.

Usage: venv/bin/python -m benchmarks.backup_encryption [MEGABYTES] [ROUNDS]
Figures only; nothing here asserts a time."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from backup import LocalDirStore, ObjectEntry
from backup.keys import derive_keys, new_params
from backup.names import object_path
from backup.reader import fetch_verified
from backup.writer import BackupWriter

KEY = "benchmark"
NAME = "nodes/peer0.org1.example.com/data.tar.gz"
PASSPHRASE = "benchmark passphrase"


def archive(path: Path, megabytes: int) -> None:
    """Random bytes: a gzipped ledger does not compress further either."""
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(os.urandom(1 << 20))


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, megabytes: int, times: list[float]) -> None:
    rates = sorted(megabytes / t for t in times)
    print(f"{label:<50} {statistics.median(rates):7.1f} MB/s "
          f"(min {rates[0]:.1f}, max {rates[-1]:.1f}, {len(times)} rounds)")


def main(megabytes: int = 200, rounds: int = 3) -> None:
    with tempfile.TemporaryDirectory(prefix="backup-encryption-") as temp:
        root = Path(temp)
        plain = root / "data.tar.gz"
        archive(plain, megabytes)
        store = LocalDirStore(root / "store")
        params = new_params()
        start = time.perf_counter()
        derive_keys(PASSPHRASE, params)
        print(f"scrypt N=2^{params.log2_n} r={params.r} p={params.p}: "
              f"{time.perf_counter() - start:.2f} s per backup and per restore")

        def old_put() -> None:
            ObjectEntry.of_file(NAME, plain)
            store.put(object_path("clear", NAME), plain)

        def old_get() -> None:
            target = root / "clear-back"
            store.get(object_path("clear", NAME), target)
            ObjectEntry.of_file(NAME, target)
            target.unlink()

        scratch = root / "scratch"
        scratch.mkdir()
        writer = BackupWriter(store, KEY, PASSPHRASE, scratch, params)

        def new_put() -> None:
            writer.manifest.objects.clear()
            writer.add_archive(NAME, plain)

        def new_get() -> None:
            staging = root / "staging"
            fetch_verified(store, KEY, staging, PASSPHRASE)
            for path in staging.rglob("*.tar.gz"):
                path.unlink()

        report("put, previous format (sha256 + copy)", megabytes, timed(old_put, rounds))
        report("put, encrypted (encrypt + sha256 + copy)", megabytes, timed(new_put, rounds))
        writer.publish()
        report("get, previous format (copy + sha256)", megabytes, timed(old_get, rounds))
        report("get, encrypted (scrypt + copy + sha256 + decrypt)", megabytes,
               timed(new_get, rounds))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
        print(f"peak memory of the process: {peak} MiB (scrypt takes 128 MiB of it) for a "
              f"{megabytes} MB archive")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
