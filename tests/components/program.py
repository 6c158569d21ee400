"""Evaluates the whole program for a sample under mocks (used by the tests and
the benchmark)."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pulumi

from fabric_components import registration_gc
from fabric_components.network import crypto_source, deploy_network
from fabric_components.stack_config import StackConfig, load_stack_config
from fabric_nodes.local_network import LocalNetworkManifest
from network_spec import NetworkSpec
from network_spec.load import load_network
from tests.components.mocks import RecordingMocks

ROOT = Path(__file__).resolve().parents[2]


def sample_config(sample: str, **overrides: str) -> StackConfig:
    values = {
        "cryptoConfig": str(ROOT / "samples" / sample / "crypto-config.yaml"),
        "network": str(ROOT / "samples" / sample / "network.yaml"),
        **overrides,
    }
    return load_stack_config("test", values.get)


def run_program(
    spec: NetworkSpec, config: StackConfig, local: LocalNetworkManifest | None = None,
    other_stacks: dict[str, dict[str, Any]] | None = None,
) -> tuple[RecordingMocks, dict[str, Any]]:
    """Registers the network under fresh mocks (with ``local``, for that local
    network; ``other_stacks``: other stacks' outputs by name); returns the mocks
    and the resolved stack outputs (secrets unwrapped)."""
    mocks = RecordingMocks(other_stacks=dict(other_stacks or {}))
    pulumi.runtime.set_mocks(mocks, project="fabric", stack="test", preview=False)
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test
    def evaluate() -> Awaitable[None]:
        outputs = deploy_network(spec, config, crypto_source(spec, config), "test", local)

        async def resolve() -> None:
            resolved.update(await resolved_value(outputs))

        return resolve()

    with registration_gc.paused():
        evaluate()
    return mocks, resolved


async def resolved_value(value: Any) -> Any:
    """``value`` with every Output in it replaced by its value, as the engine
    reads exported stack outputs. ``Output.all`` would do the same, but it
    wraps every plain dict, list and string inside in an Output of its own
    (about 15,000 for 20 orgs of 4 peers), work the program itself never does."""
    if isinstance(value, pulumi.Output):
        return await resolved_value(await value.future())
    if isinstance(value, dict):
        return {key: await resolved_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)([await resolved_value(item) for item in value])
    return value


def run_sample(sample: str, **overrides: str) -> tuple[RecordingMocks, dict[str, Any]]:
    config = sample_config(sample, **overrides)
    return run_program(load_network(config.crypto_config, config.network), config)
