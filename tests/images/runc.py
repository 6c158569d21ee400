"""Runs a command in an unpacked image with runc, as the program's pods run it:
non-root uid, read-only root filesystem, no capabilities, a writable /tmp."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.images.archive import Image


@dataclass(frozen=True)
class Container:
    """An image unpacked at ``rootfs``; runs get bundles and state under ``work``."""

    image: Image
    rootfs: Path
    work: Path

    def _bundle(
        self,
        args: Sequence[str] | None,
        env: Mapping[str, str],
        user: tuple[int, int],
        binds: Mapping[str, Path],
        host_network: bool,
    ) -> tuple[str, Path]:
        name = f"fop-image-test-{uuid.uuid4().hex[:12]}"
        bundle = self.work / name
        bundle.mkdir(parents=True)
        subprocess.run(["runc", "spec", "--bundle", str(bundle)], check=True)
        spec: dict[str, Any] = json.loads((bundle / "config.json").read_text())
        runtime = self.image.runtime
        process = spec["process"]
        process["terminal"] = False
        process["args"] = list(args) if args is not None else [
            *runtime.get("Entrypoint", []), *runtime.get("Cmd", [])
        ]
        process["env"] = [f"{k}={v}" for k, v in {**self.image.env, **env}.items()]
        process["cwd"] = runtime.get("WorkingDir") or "/"
        process["user"] = {"uid": user[0], "gid": user[1]}
        process["capabilities"] = {key: [] for key in process["capabilities"]}
        process.pop("rlimits", None)
        spec["root"] = {"path": str(self.rootfs), "readonly": True}
        spec["hostname"] = "image-test"
        spec["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                               "options": ["nosuid", "nodev", "mode=1777"]})
        for destination, source in binds.items():
            spec["mounts"].append({"destination": destination, "type": "bind",
                                   "source": str(source), "options": ["rbind", "rw"]})
        if host_network:
            spec["linux"]["namespaces"] = [
                n for n in spec["linux"]["namespaces"] if n["type"] != "network"
            ]
        (bundle / "config.json").write_text(json.dumps(spec))
        return name, bundle

    def _runc(self) -> list[str]:
        return ["runc", "--root", str(self.work / "state")]

    def run(
        self,
        args: Sequence[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        user: tuple[int, int] = (1000, 1000),
        binds: Mapping[str, Path] | None = None,
        stdin: bytes = b"",
        timeout: float = 120,
        host_network: bool = False,
    ) -> subprocess.CompletedProcess[bytes]:
        """``args`` (default: the image's Entrypoint + Cmd) to completion."""
        name, bundle = self._bundle(args, env or {}, user, binds or {}, host_network)
        return subprocess.run(
            [*self._runc(), "run", "--bundle", str(bundle), name],
            input=stdin, capture_output=True, timeout=timeout, check=False,
        )

    def start(
        self,
        args: Sequence[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        user: tuple[int, int] = (1000, 1000),
        binds: Mapping[str, Path] | None = None,
    ) -> RunningContainer:
        """Starts ``args`` in the host's network namespace (to reach its port)."""
        name, bundle = self._bundle(args, env or {}, user, binds or {}, True)
        process = subprocess.Popen(
            [*self._runc(), "run", "--bundle", str(bundle), name],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        return RunningContainer(name, process, self._runc())


@dataclass(frozen=True)
class RunningContainer:
    name: str
    process: subprocess.Popen[bytes]
    runc: list[str]

    def stop(self, timeout: float = 30) -> tuple[int, bytes, bytes]:
        """SIGTERM, as the kubelet stops a container; returns (exit code, out, err)."""
        subprocess.run([*self.runc, "kill", self.name, "TERM"], check=False,
                       capture_output=True)
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, err
