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

from fabric_ops.executor import (
    DEFAULT_TIMEOUT_SECONDS,
    SIGNER_MSP_DIR,
    AdminPaths,
    CommandResult,
)
from fabric_ops.polling import poll

MARK = "@@FABRIC-OP"
POD_WAIT_SECONDS = 120
"""How long a command waits for the toolbox to have a pod to exec into."""


def _b64_block(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def build_script(
    argv: Sequence[str],
    env: Mapping[str, str],
    inputs: Mapping[str, bytes],
    outputs: Sequence[str],
    signer_msp: Mapping[str, bytes] | None = None,
) -> str:
    """The shell script that runs one command in a scratch directory (with
    ``signer_msp`` written under it and the command signing with it)."""
    q = shlex.quote
    lines = [
        "set -u",
        'd=$(mktemp -d) && cd "$d" || exit 97',
        'export HOME="$d"',
    ]
    for name, value in env.items():
        lines.append(f"export {name}={q(value)}")
    files = dict(inputs)
    if signer_msp is not None:
        files.update({f"{SIGNER_MSP_DIR}/{p}": d for p, d in signer_msp.items()})
        lines.append(f'export CORE_PEER_MSPCONFIGPATH="$d/{SIGNER_MSP_DIR}"')
    for name, data in files.items():
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


def _controller(obj: Any) -> Any:
    """The owner reference of ``obj`` that is its controller, or None."""
    for ref in obj.metadata.owner_references or []:
        if ref.controller:
            return ref
    return None


def owned_pod(deployment: Any, replica_sets: Sequence[Any], pods: Sequence[Any]) -> str:
    """The name of the Running pod, not being deleted, whose controller is a
    ReplicaSet (not being deleted) whose controller is ``deployment``, matched
    by UID: a pod that only carries the toolbox's labels (anyone allowed to
    create pods in the namespace could start one) is never picked. Arguments are
    Kubernetes API client objects (V1Deployment, V1ReplicaSet, V1Pod)."""
    owned_sets = set()
    for rs in replica_sets:
        ref = _controller(rs)
        if (ref is not None and ref.kind == "Deployment" and ref.uid == deployment.metadata.uid
                and rs.metadata.deletion_timestamp is None):
            owned_sets.add(rs.metadata.uid)
    candidates = []
    for pod in pods:
        ref = _controller(pod)
        if (ref is not None and ref.kind == "ReplicaSet" and ref.uid in owned_sets
                and pod.metadata.deletion_timestamp is None
                and pod.status is not None and pod.status.phase == "Running"):
            candidates.append(pod)
    if not candidates:
        where = f"{deployment.metadata.namespace}/{deployment.metadata.name}"
        raise TransportError(f"no Running pod owned by Deployment {where} (through its "
                             "ReplicaSet) and not being deleted")
    newest = max(candidates, key=lambda p: p.metadata.creation_timestamp)
    return str(newest.metadata.name)


@dataclass(frozen=True)
class PodExecutor:
    """Exec into the Running pod the admin toolbox Deployment ``deployment``
    owns (see ``owned_pod``), with the cluster credentials of ``kubeconfig``."""

    kubeconfig: str
    namespace: str
    deployment: str
    """The toolbox's Deployment, e.g. ``admin-org1``."""
    paths: AdminPaths
    context: str = ""
    """The kubeconfig context; empty for its current context."""
    container: str = "tools"

    def _api_client(self) -> Any:
        """A client from ``kubeconfig``, or from the default kubeconfig file (or
        the in-cluster service account) when it is empty."""
        import yaml
        from kubernetes import config

        context = self.context or None
        if self.kubeconfig:
            return config.new_client_from_config_dict(
                yaml.safe_load(self.kubeconfig), context=context
            )
        return config.new_client_from_config(context=context)

    def _waited_pod(self, api_client: Any) -> str:
        """The pod to exec into, waiting up to ``POD_WAIT_SECONDS`` for one: while
        the toolbox rolls (a new image, a changed Secret) its old pod is being
        deleted and the new one is not Running yet, and nothing is owed to the
        caller but the wait."""
        last: list[TransportError] = []

        def check() -> str | None:
            try:
                return self._pod(api_client)
            except TransportError as e:
                last[:] = [e]
                return None

        return poll(check, POD_WAIT_SECONDS, 1,
                    lambda: TransportError(f"{last[0]} after {POD_WAIT_SECONDS} s"))

    def _pod(self, api_client: Any) -> str:
        from kubernetes import client
        from kubernetes.client.exceptions import ApiException

        apps = client.AppsV1Api(api_client)
        try:
            deployment = apps.read_namespaced_deployment(self.deployment, self.namespace)
        except ApiException as e:
            if e.status == 404:
                raise TransportError(f"no Deployment {self.namespace}/{self.deployment}") from e
            raise
        labels = deployment.spec.selector.match_labels or {}
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        replica_sets = apps.list_namespaced_replica_set(self.namespace,
                                                        label_selector=selector).items
        pods = client.CoreV1Api(api_client).list_namespaced_pod(
            self.namespace, label_selector=selector).items
        return owned_pod(deployment, replica_sets, pods)

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, bytes] | None = None,
        outputs: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        signer_msp: Mapping[str, bytes] | None = None,
    ) -> CommandResult:
        from kubernetes import client
        from kubernetes.stream import stream

        api_client = self._api_client()
        pod = self._waited_pod(api_client)
        script = build_script(argv, env or {}, inputs or {}, outputs, signer_msp)
        session = stream(
            client.CoreV1Api(api_client).connect_get_namespaced_pod_exec,
            pod,
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
