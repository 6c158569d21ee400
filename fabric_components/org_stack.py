"""An org stack (``fabric:orgs``): the spec cut down to the orgs the stack runs.
Only their CAs, identities, nodes, Secrets and admin toolboxes are deployed, so
the stack's state holds only their private keys; the other orgs are known by
their cards in the consortium folder. network.yaml's channels and chaincodes
are left out: across stacks, channels change by proposals."""

from __future__ import annotations

import dataclasses

from fabric_components.stack_config import StackConfig
from network_spec import NetworkSpec, SpecError


def org_stack_spec(spec: NetworkSpec, config: StackConfig, stack_file: str) -> NetworkSpec:
    """``spec`` itself for a whole-network stack; else only ``fabric:orgs``."""
    names = config.consortium.orgs
    if not names:
        return spec
    known = [org.name for org in spec.orgs]
    for i, name in enumerate(names):
        if name not in known:
            raise SpecError(stack_file, f"fabric:orgs[{i}]",
                            f"unknown org {name!r}; {config.crypto_config} has "
                            f"{', '.join(known)}")
    return dataclasses.replace(
        spec,
        orderer_orgs=tuple(org for org in spec.orderer_orgs if org.name in names),
        peer_orgs=tuple(org for org in spec.peer_orgs if org.name in names),
        channels=(),
        chaincodes=(),
    )
