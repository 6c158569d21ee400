"""Resolve org names written in network.yaml against crypto-config.yaml's orgs."""

from __future__ import annotations

from network_spec.duplicates import UniqueNames
from network_spec.fields import Field
from network_spec.model import OrgKind, OrgSpec


class OrgDirectory:
    def __init__(self, orderer_orgs: tuple[OrgSpec, ...], peer_orgs: tuple[OrgSpec, ...]) -> None:
        self.orderer_orgs = orderer_orgs
        self.peer_orgs = peer_orgs

    def _of_kind(self, kind: OrgKind) -> tuple[OrgSpec, ...]:
        return self.peer_orgs if kind is OrgKind.PEER else self.orderer_orgs

    def _known(self, kind: OrgKind) -> str:
        names = [org.name for org in self._of_kind(kind)]
        if not names:
            return f"there are no {kind.value} orgs"
        return f"the {kind.value} orgs are {', '.join(names)}"

    def by_name(self, name: str) -> OrgSpec:
        """An org already resolved by ``resolve``."""
        return next(org for org in self.orderer_orgs + self.peer_orgs if org.name == name)

    def resolve(self, name: str, kind: OrgKind, at: Field) -> OrgSpec:
        """The org of that name and kind, or an error at ``at``."""
        for org in self.orderer_orgs + self.peer_orgs:
            if org.name != name:
                continue
            if org.kind is not kind:
                raise at.error(
                    f"'{name}' is {_article(org.kind)} {org.kind.value} org, not "
                    f"{_article(kind)} {kind.value} org; {self._known(kind)}"
                )
            return org
        raise at.error(f"unknown org '{name}'; {self._known(kind)}")

    def resolve_list(self, field: Field, kind: OrgKind, empty: str) -> tuple[OrgSpec, ...]:
        """A non-empty list of distinct org names of one kind; ``empty`` is the
        message for an empty list."""
        listed = UniqueNames("org", verb="listed at")
        orgs = []
        for name, at in field.texts():
            org = self.resolve(name, kind, at)
            listed.claim(name, at)
            orgs.append(org)
        if not orgs:
            raise field.error(empty)
        return tuple(orgs)


def _article(kind: OrgKind) -> str:
    return "an" if kind is OrgKind.ORDERER else "a"
