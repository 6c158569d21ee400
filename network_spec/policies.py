"""A light check of Fabric's signature policy syntax (common/policydsl), as used
for chaincode endorsement policies::

    OR('Org1MSP.member', AND('Org2MSP.peer', 'Org3MSP.admin'), OutOf(2, 'A.peer', ...))

Gates are AND, OR and OutOf (also all-lowercase, all-uppercase, or And/Or as
Fabric accepts); principals are quoted ``'MSPID.role'`` with role member, peer,
admin, client or orderer. ``parse_policy`` returns the principals so that the
caller can check the MSP IDs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GATES = {
    "AND": "AND", "And": "AND", "and": "AND",
    "OR": "OR", "Or": "OR", "or": "OR",
    "OutOf": "OutOf", "outof": "OutOf", "OUTOF": "OutOf",
}  # fmt: skip
ROLES = ("member", "peer", "admin", "client", "orderer")
_PRINCIPAL = re.compile(rf"([A-Za-z0-9.-]+)\.({'|'.join(ROLES)})")
_TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)|(?P<number>[0-9]+)"
    r"|'(?P<single>[^']*)'|\"(?P<double>[^\"]*)\"|(?P<punct>[(),]))"
)


class PolicyError(ValueError):
    """A policy string that Fabric would not accept; the text is the reason."""


@dataclass(frozen=True)
class Principal:
    msp_id: str
    role: str


@dataclass(frozen=True)
class _Token:
    kind: str
    """``name``, ``number``, ``string``, one of ``(),`` or ``end``."""
    text: str
    position: int
    """1-based character position, for messages."""


def _tokens(policy: str) -> list[_Token]:
    tokens = []
    position = 0
    while policy[position:].strip():
        match = _TOKEN.match(policy, position)
        if match is None:
            start = len(policy) - len(policy[position:].lstrip())
            if policy[start] in "'\"":
                raise PolicyError(f"unterminated quote at position {start + 1}")
            raise PolicyError(f"unexpected character '{policy[start]}' at position {start + 1}")
        kind = match.lastgroup or ""
        text = match.group(kind)
        start = match.start(kind)
        if kind in ("single", "double"):
            kind = "string"
            start -= 1  # the opening quote
        elif kind == "punct":
            kind = text
        tokens.append(_Token(kind, text, start + 1))
        position = match.end()
    tokens.append(_Token("end", "", len(policy) + 1))
    return tokens


def _check_parentheses(tokens: list[_Token]) -> None:
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token.kind, 0)
        if depth < 0:
            break
    if depth != 0:
        raise PolicyError("unbalanced parentheses")


class _Parser:
    """Parses a policy and, as it goes, evaluates whether it is satisfied when
    exactly the MSP IDs in ``signers`` sign."""

    def __init__(self, tokens: list[_Token], signers: frozenset[str] = frozenset()) -> None:
        self._tokens = tokens
        self._next = 0
        self._signers = signers
        self.principals: list[Principal] = []

    def _peek(self) -> _Token:
        return self._tokens[self._next]

    def _take(self, kind: str, expected: str) -> _Token:
        token = self._peek()
        if token.kind != kind:
            raise PolicyError(f"expected {expected} at position {token.position}")
        self._next += 1
        return token

    def policy(self) -> bool:
        if self._peek().kind != "name":
            raise PolicyError("must start with a gate: AND, OR or OutOf")
        satisfied = self._gate()
        end = self._peek()
        if end.kind != "end":
            raise PolicyError(f"unexpected text after the policy at position {end.position}")
        return satisfied

    def _gate(self) -> bool:
        """Parse one gate (one sub-policy of its parent); returns whether it is satisfied."""
        name = self._take("name", "a gate")
        gate = _GATES.get(name.text)
        if gate is None:
            raise PolicyError(f"unknown gate '{name.text}'; use AND, OR or OutOf")
        self._take("(", f"'(' after '{name.text}'")
        count = None
        if gate == "OutOf":
            count = int(self._take("number", "a count as the first argument of OutOf").text)
            self._take(",", "',' after the count of OutOf")
        results = [self._expression()]
        while self._peek().kind == ",":
            self._next += 1
            results.append(self._expression())
        self._take(")", "',' or ')'")
        subpolicies = len(results)
        if count is not None and not 1 <= count <= subpolicies:
            raise PolicyError(
                f"OutOf({count}, ...) has {subpolicies} sub-policies; "
                f"its count must be from 1 to {subpolicies}"
            )
        needed = {"AND": subpolicies, "OR": 1}.get(gate, count or 0)
        return sum(results) >= needed

    def _expression(self) -> bool:
        token = self._peek()
        if token.kind == "name" and "." in token.text:
            raise PolicyError(
                f"unquoted principal {token.text} at position {token.position}; "
                f"write '{token.text}'"
            )
        if token.kind == "name":
            return self._gate()
        if token.kind != "string":
            raise PolicyError(f"expected a gate or a quoted principal at position {token.position}")
        self._next += 1
        match = _PRINCIPAL.fullmatch(token.text)
        if match is None:
            raise PolicyError(
                f"principal '{token.text}' must be 'MSPID.role' with role {', '.join(ROLES)}"
            )
        self.principals.append(Principal(match.group(1), match.group(2)))
        return match.group(1) in self._signers


def parse_policy(policy: str) -> tuple[Principal, ...]:
    """The principals of a well-formed policy, or PolicyError saying what is wrong."""
    tokens = _tokens(policy)
    _check_parentheses(tokens)
    parser = _Parser(tokens)
    parser.policy()
    return tuple(parser.principals)


def satisfiable_by(policy: str, msp_ids: tuple[str, ...]) -> bool:
    """Whether signatures of ``msp_ids`` alone can satisfy a well-formed policy
    (each principal taken as met by its org, whatever the role)."""
    tokens = _tokens(policy)
    _check_parentheses(tokens)
    return _Parser(tokens, frozenset(msp_ids)).policy()


def any_member_policy(msp_ids: tuple[str, ...]) -> str:
    """``OR('Org1MSP.member','Org2MSP.member')``: any one of the orgs endorses."""
    return "OR(" + ",".join(f"'{msp_id}.member'" for msp_id in msp_ids) + ")"
