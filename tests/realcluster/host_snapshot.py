"""What a local cluster could leave on the host, captured so that a test compares
the host before the cluster started with the host after it stopped."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tools.localcluster import host

COUNTERS = re.compile(r"\[\d+:\d+\]")
NFT_COUNTERS = re.compile(r"counter packets \d+ bytes \d+")
# Settings a node's components are known to change, swept wider than the list
# tools/localcluster/host.py restores, so that a change it misses shows.
SYSCTL_DIRS = ("vm", "kernel/keys", "net/ipv4/conf/all", "net/ipv4/conf/default", "net/bridge",
               "net/ipv6/conf/all", "net/ipv6/conf/default")
SYSCTL_FILES = ("kernel/panic", "kernel/panic_on_oops", "net/ipv4/ip_forward",
                "net/netfilter/nf_conntrack_max",
                "net/netfilter/nf_conntrack_tcp_timeout_established",
                "net/netfilter/nf_conntrack_tcp_timeout_close_wait")
# Counters, not settings.
VOLATILE_SYSCTLS = ("vm/stat_refresh", "vm/nr_hugepages", "kernel/keys/persistent_keyring_expiry")


def _sysctls() -> dict[str, str]:
    names = list(SYSCTL_FILES)
    for d in SYSCTL_DIRS:
        root = Path("/proc/sys", d)
        names += [f"{d}/{f.name}" for f in root.iterdir()] if root.is_dir() else []
    values = {}
    for name in names:
        if name in VOLATILE_SYSCTLS:
            continue
        value = host.read_sysctl(name)
        if value is not None:
            values[name] = value
    return values


BUILTIN_CHAINS = ("INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING")


def _iptables(family: str) -> list[str]:
    """Every rule and chain, by table; a table that only has its built-in chains,
    empty and accepting, counts as absent (iptables-save lists it once used)."""
    out = subprocess.run([f"{family}-save"], check=True, capture_output=True, text=True).stdout
    table, kept = "", []
    for line in out.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith("-A "):
            kept.append(f"{table} {line}")
        elif line.startswith(":"):
            chain, policy = line[1:].split()[:2]
            if chain not in BUILTIN_CHAINS or policy != "ACCEPT":
                kept.append(f"{table} :{chain} {policy}")
    return sorted(COUNTERS.sub("", line) for line in kept)


IPTABLES_NFT_TABLES = {f"table {family} {name}" for family in ("ip", "ip6")
                       for name in ("filter", "nat", "mangle", "raw", "security")}


def _nft_tables() -> list[str]:
    """Every nftables table (`nft list ruleset`) but those iptables-nft manages,
    which _iptables compares rule by rule: each table's listing, counters left out."""
    out = subprocess.run(["nft", "list", "ruleset"], check=True, capture_output=True,
                         text=True).stdout
    tables, current = [], []
    for line in out.splitlines():
        if line.startswith("table "):
            current = [line.rstrip(" {")]
        elif current:
            current.append(NFT_COUNTERS.sub("", line))
            if line == "}":
                if current[0] not in IPTABLES_NFT_TABLES:
                    tables.append("\n".join(current))
                current = []
    return sorted(tables)


def _mounts() -> set[str]:
    return {line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()}


def _links() -> set[str]:
    return set(os.listdir("/sys/class/net"))


@dataclass(frozen=True)
class HostSnapshot:
    sysctls: dict[str, str]
    dirs: dict[str, bool]
    mounts: set[str]
    links: set[str]
    iptables: list[str]
    ip6tables: list[str]
    nft_tables: list[str]
    kubepods_cgroups: int

    @classmethod
    def take(cls) -> HostSnapshot:
        return cls(
            sysctls=_sysctls(),
            dirs={d: os.path.exists(d) for d in host.HOST_DIRS},
            mounts=_mounts(),
            links=_links(),
            iptables=_iptables("iptables"),
            ip6tables=_iptables("ip6tables"),
            nft_tables=_nft_tables(),
            kubepods_cgroups=len(host.kubepods_cgroups()),
        )


def processes_running(binaries: tuple[str, ...], mentioning: str = "") -> list[int]:
    return host.pids_running(binaries, mentioning)
