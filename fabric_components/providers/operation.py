"""The base of every Fabric operation resource: a dynamic resource whose
provider runs commands through an executor. Its ``version`` input makes changes
of the operations code visible in diffs; its executor (which may carry a
kubeconfig) stays secret in state."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

OPERATIONS_VERSION = "1"
"""Part of every operation's inputs: raise it when the operations code changes
what it does, so every operation shows as an update."""
SECRET_INPUTS = ["executor", "executors"]
"""An executor may carry a kubeconfig (a channel config update has one per signer)."""


class Operation(Resource):
    """A Fabric operation run by a dynamic provider; its executor stays secret."""

    def __init__(
        self, provider: Any, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions
    ) -> None:
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=SECRET_INPUTS)
        )
        super().__init__(provider, name, {"version": OPERATIONS_VERSION, **props}, opts)
