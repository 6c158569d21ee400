"""The local Kubernetes control plane of tools/localkube.py and the Pulumi CLI
with the Kubernetes provider, all built by tools/build-tools.sh: a Deployment's
pod reaches Running on a kwok node, and `pulumi up` of a Python program creates a
ConfigMap in that cluster without downloading anything."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.localkube import LocalKube

pytestmark = pytest.mark.kube

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_TOOLS = REPO_ROOT / "tools" / "build-tools.sh"
PROVIDER_VERSION = "4.34.2"  # pulumi-kubernetes in requirements.txt


def build(*targets: str) -> list[Path]:
    """Result dirs of the targets; a failed build (no Go toolchain, say) fails
    the test with the script's message instead of skipping it."""
    result = subprocess.run(
        [str(BUILD_TOOLS), *targets], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"{BUILD_TOOLS} {' '.join(targets)}: {result.stderr.strip()}", pytrace=False)
    return [Path(line) for line in result.stdout.split()]


@pytest.fixture(scope="module")
def kube() -> Iterator[LocalKube]:
    (kube_dir,) = build("kube")
    with LocalKube(kube_dir=kube_dir) as k:
        yield k


def test_deployment_pod_runs_on_a_kwok_node(kube: LocalKube) -> None:
    assert kube.request("GET", "/version")["gitVersion"] == "v1.36.3"
    labels = {"app": "hello"}
    kube.request(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "hello"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "c", "image": "example.invalid/c:1"}]},
                },
            },
        },
    )
    deadline = time.monotonic() + 60
    pods: list[tuple[str, str | None, str | None]] = []
    while time.monotonic() < deadline:
        items = kube.request("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dhello")
        pods = [
            (p["metadata"]["name"], p["spec"].get("nodeName"), p["status"].get("phase"))
            for p in items["items"]
        ]
        if len(pods) == 2 and all(phase == "Running" for _, _, phase in pods):
            break
        time.sleep(0.5)
    assert len(pods) == 2 and all(
        node == "kwok-node-0" and phase == "Running" for _, node, phase in pods
    ), pods
    status = kube.request("GET", "/apis/apps/v1/namespaces/default/deployments/hello")["status"]
    assert status.get("availableReplicas") == 2


def test_pulumi_up_creates_a_configmap_without_downloads(kube: LocalKube, tmp_path: Path) -> None:
    pulumi_dir, provider_dir = build("pulumi", "kubernetes-provider")
    prog = tmp_path / "prog"
    prog.mkdir()
    (tmp_path / "state").mkdir()
    (tmp_path / "tmp").mkdir()
    (prog / "Pulumi.yaml").write_text(
        "name: smoke\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        "    toolchain: pip\n"
        f"    virtualenv: {REPO_ROOT / 'venv'}\n"
    )
    (prog / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_kubernetes as k8s\n"
        f"provider = k8s.Provider('local', kubeconfig={kube.kubeconfig.read_text()!r})\n"
        "cm = k8s.core.v1.ConfigMap('smoke', metadata={'name': 'smoke'}, data={'hello': 'world'},\n"
        "    opts=pulumi.ResourceOptions(provider=provider))\n"
        "pulumi.export('name', cm.metadata['name'])\n"
    )
    env = dict(
        os.environ,
        PATH=os.pathsep.join([str(pulumi_dir / "bin"), os.environ["PATH"]]),
        PULUMI_HOME=str(tmp_path / "home"),
        PULUMI_BACKEND_URL=f"file://{tmp_path / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="test",
        PULUMI_SKIP_UPDATE_CHECK="1",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        # Any download would go through this dead proxy and fail.
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
        # The provider leaves kubeconfig files in the temp dir.
        TMPDIR=str(tmp_path / "tmp"),
    )

    def pulumi(*args: str) -> str:
        result = subprocess.run(
            ["pulumi", *args],
            cwd=prog,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"pulumi {' '.join(args)}:\n{output}"
        return output

    pulumi(
        "plugin",
        "install",
        "resource",
        "kubernetes",
        PROVIDER_VERSION,
        "--file",
        str(provider_dir / "bin" / "pulumi-resource-kubernetes"),
    )
    assert f"kubernetes  resource  {PROVIDER_VERSION}" in pulumi("plugin", "ls")
    pulumi("stack", "init", "test")
    out = pulumi("up", "--yes", "--skip-preview")
    assert "kubernetes:core/v1:ConfigMap smoke created" in out, out
    cm = kube.request("GET", "/api/v1/namespaces/default/configmaps/smoke")
    assert cm["data"] == {"hello": "world"}
    pulumi("destroy", "--yes", "--skip-preview")
    with pytest.raises(OSError):  # urllib's HTTPError: 404
        kube.request("GET", "/api/v1/namespaces/default/configmaps/smoke")
