"""Stops or starts one node for an offline backup: scales its Deployment to
``REPLICAS`` (0 or 1) through the Kubernetes API, then waits until its pod is
gone (0: nothing holds its volumes any more) or Ready (1). Both read the node's
copy Job, ``COPY_JOB``. The start waits until that Job has ended, starts the node
whether the copy succeeded or failed, and fails itself after a failed copy: a
backup that fails never leaves its node stopped. The stop does nothing when the
copy Job of this ``BACKUP_KEY`` has already ended (a new version of this script
replaces the Jobs of a finished backup, which run again: that must not stop the
node, as its copy does not run again). Runs in a Job as ``python3 -c <this
file>`` in the Azure CLI image, so it needs the standard library only; the Job's
service account may only scale and read the node Deployments, read the copy
Jobs and list pods (``offline.py``).

Environment: ``NAMESPACE``, ``DEPLOYMENT``, ``REPLICAS``, ``TIMEOUT_SECONDS``,
``COPY_JOB``, ``BACKUP_KEY``; the API server is
``KUBERNETES_SERVICE_HOST``/``_PORT`` (set in every pod), the token and CA are
in ``TOKEN_DIR``."""

from __future__ import annotations

import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

TOKEN_DIR = "/var/run/secrets/fabric-backup"
KEY_ANNOTATION = "fabric.hyperledger.org/backup-key"


def api(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One API request with the projected token (read each time: it rotates)."""
    host = os.environ["KUBERNETES_SERVICE_HOST"]
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    with open(f"{TOKEN_DIR}/token") as token:
        headers = {"Authorization": f"Bearer {token.read().strip()}",
                   "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/merge-patch+json"
    request = urllib.request.Request(
        f"https://{host}:{os.environ['KUBERNETES_SERVICE_PORT']}{path}", data, headers,
        method=method)
    context = ssl.create_default_context(cafile=f"{TOKEN_DIR}/ca.crt")
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)


def stopped(namespace: str, deployment: dict[str, Any]) -> bool:
    """No pod of the Deployment is left, not even a terminating one."""
    labels = deployment["spec"]["selector"]["matchLabels"]
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    pods = api("GET", f"/api/v1/namespaces/{namespace}/pods?"
               + urllib.parse.urlencode({"labelSelector": selector}))
    items: list[Any] = pods["items"]
    return not items


def started(deployment: dict[str, Any], replicas: int) -> bool:
    """The controller has seen the new scale and that many pods are Ready."""
    status = deployment.get("status", {})
    seen: int = status.get("observedGeneration", 0)
    ready: int = status.get("readyReplicas", 0)
    updated: int = status.get("updatedReplicas", 0)
    return seen >= deployment["metadata"]["generation"] and min(ready, updated) >= replicas


def copy_job(namespace: str, name: str) -> dict[str, Any] | None:
    """The Job, None when there is none."""
    try:
        job: dict[str, Any] = api("GET", f"/apis/batch/v1/namespaces/{namespace}/jobs/{name}")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise
    return job


def job_end(job: dict[str, Any] | None) -> str | None:
    """``Complete`` or ``Failed`` once the Job has ended (``Failed`` when it was
    deleted: its copy is gone or cut short), else None."""
    if job is None:
        return "Failed"
    for condition in job.get("status", {}).get("conditions", []):
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return str(condition["type"])
    return None


def copied_already(namespace: str, name: str, key: str) -> bool:
    """The copy Job of backup ``key`` exists and has ended."""
    job = copy_job(namespace, name)
    annotations = (job or {}).get("metadata", {}).get("annotations") or {}
    return annotations.get(KEY_ANNOTATION) == key and job_end(job) is not None


def wait_for_copy(namespace: str, name: str) -> str:
    """However long the copy takes: the node must not start while it reads."""
    while (end := job_end(copy_job(namespace, name))) is None:
        time.sleep(5)
    return end


def scale(namespace: str, name: str, replicas: int) -> bool:
    """Scales and waits for the result; False after ``TIMEOUT_SECONDS``."""
    path = f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
    api("PATCH", f"{path}/scale", {"spec": {"replicas": replicas}})
    print(f"{name}: scaled to {replicas}", flush=True)
    deadline = time.monotonic() + float(os.environ["TIMEOUT_SECONDS"])
    while True:
        deployment = api("GET", path)
        if stopped(namespace, deployment) if replicas == 0 else started(deployment, replicas):
            print(f"{name}: {'stopped' if replicas == 0 else 'Ready'}", flush=True)
            return True
        if time.monotonic() > deadline:
            what = "its pod still exists" if replicas == 0 else "its pod is not Ready"
            print(f"{name}: {what} after {os.environ['TIMEOUT_SECONDS']} s", file=sys.stderr)
            return False
        time.sleep(2)


def main() -> int:
    namespace, name = os.environ["NAMESPACE"], os.environ["DEPLOYMENT"]
    replicas, copy, key = int(os.environ["REPLICAS"]), os.environ["COPY_JOB"], os.environ[
        "BACKUP_KEY"]
    if replicas == 0 and copied_already(namespace, copy, key):
        print(f"{name}: Job {copy} of backup {key} has already ended: the node keeps running",
              flush=True)
        return 0
    end = None
    if replicas > 0:
        print(f"{name}: waiting for Job {copy} to end", flush=True)
        end = wait_for_copy(namespace, copy)
        print(f"{name}: Job {copy} {'completed' if end == 'Complete' else 'failed'}", flush=True)
    if not scale(namespace, name, replicas):
        return 1
    if end == "Failed":
        print(f"{name}: started again, but Job {copy} failed or was deleted (its pods' "
              f"logs say why); take the backup again under a new key", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
