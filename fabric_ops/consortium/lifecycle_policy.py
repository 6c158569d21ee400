"""Whether the orgs that approved a chaincode definition can commit it: the
channel's ``/Channel/Application/LifecycleEndorsement`` policy, as configtxlator
decodes it, evaluated over one endorsement of a peer of each approving org (a
peer endorses a commit only once its own org approved: Fabric's
``_lifecycle`` CommitChaincodeDefinition).

An ImplicitMeta rule (the default ``MAJORITY Endorsement``) counts orgs. A
signature policy is evaluated as Fabric's cauthdsl evaluates it: an ``OutOf``
gate tries its rules in order and counts those met, each identity serves one
principal only, and a peer's identity serves ``member`` and ``peer`` principals
of its own MSP (never ``admin``, ``client`` or ``orderer``). A signature policy
with principals other than MSP roles (OUs, identities) is not evaluated here:
every org must approve, the safe side."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

IMPLICIT_META = 3
"""``common.Policy.PolicyType`` of an ImplicitMetaPolicy, as configtxlator decodes it."""
SIGNATURE = 1
"""``common.Policy.PolicyType`` of a SignaturePolicyEnvelope."""
PEER_SERVES = ("MEMBER", "PEER")
"""The MSP roles a peer's endorsement satisfies."""


class LifecycleQuorum(Protocol):
    def met(self, approving: Collection[str]) -> bool:
        """Whether peers of ``approving`` (MSP IDs) can endorse the commit."""

    def describe(self) -> str:
        """The policy, for the line saying who has not approved yet."""


@dataclass(frozen=True)
class ImplicitQuorum:
    """How many of the channel's application orgs must approve."""

    rule: str
    """``ANY``, ``ALL`` or ``MAJORITY``."""
    members: tuple[str, ...]

    @property
    def count(self) -> int:
        if self.rule == "ANY":
            return 1
        if self.rule == "MAJORITY":
            return len(self.members) // 2 + 1
        return len(self.members)

    def met(self, approving: Collection[str]) -> bool:
        return len(set(approving) & set(self.members)) >= self.count

    def describe(self) -> str:
        return (f"LifecycleEndorsement {self.rule}: {self.count} of "
                f"{', '.join(self.members)}")


@dataclass(frozen=True)
class Principal:
    msp_id: str
    role: str
    """As decoded: ``MEMBER``, ``ADMIN``, ``CLIENT``, ``PEER`` or ``ORDERER``."""

    def served_by(self, msp_id: str) -> bool:
        return self.msp_id == msp_id and self.role in PEER_SERVES

    def dsl(self) -> str:
        return f"'{self.msp_id}.{self.role.lower()}'"


@dataclass(frozen=True)
class OutOf:
    n: int
    rules: tuple[OutOf | Principal, ...]

    def dsl(self) -> str:
        return f"OutOf({self.n}, {', '.join(rule.dsl() for rule in self.rules)})"


def _met(rule: OutOf | Principal, identities: list[str], used: list[bool]) -> bool:
    """cauthdsl: a principal takes the first unused identity that serves it; a
    gate keeps what each rule it counts used."""
    if isinstance(rule, Principal):
        for index, msp_id in enumerate(identities):
            if not used[index] and rule.served_by(msp_id):
                used[index] = True
                return True
        return False
    verified = 0
    for sub in rule.rules:
        trial = list(used)
        if _met(sub, identities, trial):
            verified += 1
            used[:] = trial
    return verified >= rule.n


@dataclass(frozen=True)
class SignatureQuorum:
    rule: OutOf | Principal

    def met(self, approving: Collection[str]) -> bool:
        identities = sorted(set(approving))
        return _met(self.rule, identities, [False] * len(identities))

    def describe(self) -> str:
        return f"LifecycleEndorsement {self.rule.dsl()}"


def _rule(decoded: dict[str, Any], principals: list[Principal | None]) -> OutOf | Principal:
    """Raises ``LookupError`` on a principal that is no MSP role."""
    if "n_out_of" in decoded:
        gate = decoded["n_out_of"]
        return OutOf(int(gate.get("n", 0)),
                     tuple(_rule(sub, principals) for sub in gate.get("rules", [])))
    principal = principals[int(decoded.get("signed_by", 0))]
    if principal is None:
        raise LookupError("a principal that is no MSP role")
    return principal


def _principal(identity: dict[str, Any]) -> Principal | None:
    if identity.get("principal_classification", "ROLE") != "ROLE":
        return None
    principal = identity["principal"]
    return Principal(str(principal["msp_identifier"]), str(principal.get("role", "MEMBER")))


def lifecycle_quorum(config: dict[str, Any]) -> LifecycleQuorum:
    """The LifecycleEndorsement of a decoded channel config."""
    application = config["channel_group"]["groups"]["Application"]
    members = tuple(sorted(application["groups"]))
    policy = application["policies"]["LifecycleEndorsement"]["policy"]
    if policy.get("type") == IMPLICIT_META:
        return ImplicitQuorum(str(policy["value"]["rule"]), members)
    if policy.get("type") == SIGNATURE:
        envelope = policy["value"]
        principals = [_principal(identity) for identity in envelope.get("identities", [])]
        try:
            return SignatureQuorum(_rule(envelope["rule"], principals))
        except (LookupError, ValueError, TypeError):
            pass
    return ImplicitQuorum("ALL", members)
