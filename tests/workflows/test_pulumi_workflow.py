"""The pull-request workflow: linted by actionlint (built by the tools script),
and it previews every non-dev stack with the policy pack, comments on the PR,
and deploys staging then prod behind an environment gate."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pulumi.yml"


def actionlint() -> Path:
    result = subprocess.run([str(REPO_ROOT / "tools" / "build-tools.sh"), "actionlint"],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"tools/build-tools.sh actionlint: {result.stderr.strip()}", pytrace=False)
    return Path(result.stdout.split()[-1]) / "bin" / "actionlint"


def test_actionlint_finds_nothing():
    result = subprocess.run([str(actionlint()), str(WORKFLOW)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_real():
    broken = WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n"
                                          "    timeout-minutes: ${{ nope.value }}", 1)
    result = subprocess.run([str(actionlint()), "-"], input=broken, capture_output=True,
                            text=True, check=False)
    assert result.returncode != 0 and "nope" in result.stdout


def test_previews_comment_and_promotion_is_gated():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    preview = jobs["preview"]
    assert preview["strategy"]["matrix"]["stack"] == ["staging", "prod"]
    (action,) = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions")]
    assert action["with"]["command"] == "preview"
    assert action["with"]["comment-on-pr"] is True
    assert action["with"]["policyPacks"] == "policy"
    assert jobs["up-prod"]["needs"] == "up-staging"
    assert jobs["up-prod"]["environment"] == "production"


PINNED_USE = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def workflow_jobs() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]


def test_actions_are_pinned_by_commit_with_their_version_noted():
    lines = WORKFLOW.read_text().splitlines()
    uses = [line for line in lines if re.match(r"^\s*(-\s+)?uses:", line)]
    assert len(uses) >= 12
    assert [line for line in uses if not PINNED_USE.match(line)] == []


def test_no_permission_is_granted_to_the_whole_workflow():
    assert yaml.safe_load(WORKFLOW.read_text())["permissions"] == {}


@pytest.mark.parametrize(("job", "permissions"), [
    ("test", {"contents": "read"}),
    ("preview", {"contents": "read", "id-token": "write", "pull-requests": "write"}),
    ("up-staging", {"contents": "read", "id-token": "write"}),
    ("up-prod", {"contents": "read", "id-token": "write"}),
])
def test_each_job_states_only_what_it_needs(job, permissions):
    assert workflow_jobs()[job]["permissions"] == permissions


def test_azure_and_secrets_only_behind_an_environment():
    """An Azure identity trusts the OIDC subject of one environment only, and
    environment secrets reach only jobs of that environment: a job that signs in
    or reads a secret without one would run a branch's code with them."""
    for name, job in workflow_jobs().items():
        text = yaml.safe_dump(job)
        signs_in = any(s.get("uses", "").startswith("azure/login") for s in job["steps"])
        if signs_in or "secrets." in text or job.get("permissions", {}).get("id-token"):
            assert job.get("environment"), name


def test_prod_preview_runs_behind_the_protected_environment():
    preview = workflow_jobs()["preview"]
    assert preview["environment"] == "${{ matrix.environment }}"
    environments = {e["stack"]: e["environment"] for e in preview["strategy"]["matrix"]["include"]}
    assert environments == {"staging": "staging-preview", "prod": "production-preview"}


def test_checkouts_leave_no_token_behind():
    for name, job in workflow_jobs().items():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name


def test_prod_jobs_run_where_the_private_api_server_is_reachable():
    """Pulumi.prod.yaml sets fabric:aksPrivateApiServer: GitHub's hosted runners
    cannot reach it; a self-hosted runner in the cluster's network can."""
    jobs = workflow_jobs()
    runners = {e["stack"]: e["runner"] for e in jobs["preview"]["strategy"]["matrix"]["include"]}
    assert runners["prod"] == jobs["up-prod"]["runs-on"] == ["self-hosted", "fabric-prod"]
    assert jobs["preview"]["runs-on"] == "${{ matrix.runner }}"
    config = yaml.safe_load((REPO_ROOT / ".github" / "actionlint.yaml").read_text())
    assert "fabric-prod" in config["self-hosted-runner"]["labels"]
