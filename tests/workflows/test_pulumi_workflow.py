"""The pull-request workflow: linted by actionlint (built by the tools script),
and it previews every non-dev stack with the policy pack, comments on the PR,
and deploys staging then prod behind an environment gate."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
