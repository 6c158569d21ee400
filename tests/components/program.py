"""Evaluates the whole program for a sample under mocks (used by the tests and
the benchmark)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

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
) -> tuple[RecordingMocks, dict[str, Any]]:
    """Registers the network under fresh mocks (with ``local``, for that local
    network); returns the mocks and the resolved stack outputs (secrets unwrapped)."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="fabric", stack="test", preview=False)
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test
    def evaluate() -> pulumi.Output[Any]:
        outputs = deploy_network(spec, config, crypto_source(spec, config), "test", local)
        return pulumi.Output.all(**outputs).apply(resolved.update)

    evaluate()
    return mocks, resolved


def run_sample(sample: str, **overrides: str) -> tuple[RecordingMocks, dict[str, Any]]:
    config = sample_config(sample, **overrides)
    return run_program(load_network(config.crypto_config, config.network), config)
