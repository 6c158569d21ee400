"""The base of every dynamic resource of the network: a type of its own
(``pulumi-python:dynamic/fabric:<Name>``, so a preview reads as a list of Fabric
steps) and, for a Fabric operation, a ``version`` input that makes changes of the
operations code visible in diffs and an executor that stays secret in state.

Stacks created before the resources had types of their own hold them under the
SDK's default type ``pulumi-python:dynamic:Resource``: every typed resource
aliases it, so such a stack maps onto the new types with no replacement."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

TYPE_MODULE = "fabric"
"""The module part of every dynamic resource type: ``pulumi-python:dynamic/fabric:<Name>``."""
UNTYPED = "pulumi-python:dynamic:Resource"
"""The type every dynamic resource had before it had one of its own."""
OPERATIONS_VERSION = "1"
"""Part of every operation's inputs: raise it when the operations code changes
what it does, so every operation shows as an update."""
SECRET_INPUTS = ["executor", "executors"]
"""An executor may carry a kubeconfig (a channel config update has one per signer)."""


class TypedResource(Resource):
    """A dynamic resource declared with ``module=TYPE_MODULE, name=...``; it answers
    to its former untyped URN too."""

    def __init__(
        self, provider: ResourceProvider, name: str, props: dict[str, Any],
        opts: pulumi.ResourceOptions, secret_outputs: list[str] | None = None,
    ) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            aliases=[pulumi.Alias(type_=UNTYPED)],
            additional_secret_outputs=secret_outputs or [],
        ))
        super().__init__(provider, name, props, opts)


def operation_inputs(props: dict[str, Any]) -> dict[str, Any]:
    """An operation's inputs as the engine hands them to its provider."""
    return {"version": OPERATIONS_VERSION, **props}


class Operation(TypedResource):
    """A Fabric operation run by a dynamic provider; its executor stays secret."""

    def __init__(
        self, provider: ResourceProvider, name: str, props: dict[str, Any],
        opts: pulumi.ResourceOptions,
    ) -> None:
        super().__init__(provider, name, operation_inputs(props), opts, SECRET_INPUTS)
