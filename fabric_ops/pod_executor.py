"""Runs Fabric commands inside an org's admin toolbox pod through the Kubernetes
exec API. The whole command travels as one POSIX shell script on stdin (inputs
base64-encoded in it) and every result comes back on stdout between markers, so
nothing depends on stdin EOF or on stderr framing of the exec protocol. The
script part is plain ``sh`` and is tested locally; only the transport needs a
cluster."""

from __future__ import annotations

import base64
import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fabric_ops.executor import DEFAULT_TIMEOUT_SECONDS, AdminPaths, CommandResult

MARK = "@@FABRIC-OP"


def _b64_block(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def build_script(
    argv: Sequence[str],
    env: Mapping[str, str],
    inputs: Mapping[str, bytes],
    outputs: Sequence[str],
) -> str:
    """The shell script that runs one command in a scratch directory."""
    q = shlex.quote
    lines = [
        "set -u",
        'd=$(mktemp -d) && cd "$d" || exit 97',
        'export HOME="$d"',
    ]
    for name, value in env.items():
        lines.append(f"export {name}={q(value)}")
    for name, data in inputs.items():
        folder = name.rsplit("/", 1)[0] if "/" in name else ""
        if folder:
            lines.append(f"mkdir -p {q(folder)}")
        lines.append(f"base64 -d > {q(name)} <<'{MARK}-EOF'")
        lines.append(_b64_block(data))
        lines.append(f"{MARK}-EOF")
    lines.append(f'{" ".join(q(a) for a in argv)} > "$d/.out" 2> "$d/.err" < /dev/null')
    lines.append("rc=$?")
    lines.append(f"printf '\\n{MARK} rc %s\\n' \"$rc\"")
    for name in outputs:
        lines.append(
            f"if [ -f {q(name)} ]; then printf '{MARK} file %s\\n' {q(name)}; "
            f"base64 < {q(name)}; fi"
        )
    lines.append(f"printf '{MARK} stdout\\n'; base64 < .out")
    lines.append(f"printf '{MARK} stderr\\n'; base64 < .err")
    lines.append(f"printf '{MARK} done\\n'")
    lines.append('cd / && rm -rf "$d"')
    lines.append("exit 0")
    return "\n".join(lines) + "\n"


class TransportError(Exception):
    """The script's results did not come back whole."""


def parse_output(argv: Sequence[str], text: str) -> CommandResult:
    """Reads the markers ``build_script`` prints back into a CommandResult."""
    returncode: int | None = None
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    done = False
    for line in text.splitlines():
        if line.startswith(MARK + " "):
            word, _, rest = line[len(MARK) + 1 :].partition(" ")
            if word == "rc":
                returncode = int(rest)
                current = None
            elif word == "file":
                current = sections.setdefault(f"file:{rest}", [])
            elif word in ("stdout", "stderr"):
                current = sections.setdefault(word, [])
            elif word == "done":
                done = True
                current = None
        elif current is not None:
            current.append(line)
    if returncode is None or not done:
        raise TransportError(f"incomplete result of {' '.join(argv)}: {text[-500:]!r}")

    def decode(key: str) -> bytes:
        return base64.b64decode("".join(sections.get(key, [])))

    files = {k[5:]: decode(k) for k in sections if k.startswith("file:")}
    return CommandResult(
        tuple(argv),
        returncode,
        decode("stdout").decode(errors="replace"),
        decode("stderr").decode(errors="replace"),
        files,
    )


@dataclass(frozen=True)
class PodExecutor:
    """Exec into the Running pod of the admin toolbox Deployment ``selector``
    picks, with the cluster credentials of ``kubeconfig``."""

    kubeconfig: str
    namespace: str
    selector: str
    """Label selector of the toolbox pod, e.g. ``app.kubernetes.io/instance=admin-org1``."""
    paths: AdminPaths
    context: str = ""
    """The kubeconfig context; empty for its current context."""
    container: str = "tools"

    def _api(self) -> Any:
        """A client from ``kubeconfig``, or from the default kubeconfig file (or
        the in-cluster service account) when it is empty."""
        import yaml
        from kubernetes import client, config

        context = self.context or None
        if self.kubeconfig:
            api_client = config.new_client_from_config_dict(
                yaml.safe_load(self.kubeconfig), context=context
            )
        else:
            api_client = config.new_client_from_config(context=context)
        return client.CoreV1Api(api_client)

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, bytes] | None = None,
        outputs: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> CommandResult:
        from kubernetes.stream import stream

        api = self._api()
        pods = api.list_namespaced_pod(
            self.namespace, label_selector=self.selector, field_selector="status.phase=Running"
        ).items
        if not pods:
            raise TransportError(f"no Running pod matches {self.selector} in {self.namespace}")
        script = build_script(argv, env or {}, inputs or {}, outputs)
        session = stream(
            api.connect_get_namespaced_pod_exec,
            pods[0].metadata.name,
            self.namespace,
            container=self.container,
            command=["sh", "-s"],
            stdin=True,
            stdout=True,
            stderr=True,
            tty=False,
            _preload_content=False,
        )
        session.write_stdin(script)
        chunks: list[str] = []
        deadline = time.monotonic() + timeout
        while session.is_open() and time.monotonic() < deadline:
            session.update(timeout=1)
            if session.peek_stdout():
                chunks.append(session.read_stdout())
        session.close()
        return parse_output(argv, "".join(chunks))
