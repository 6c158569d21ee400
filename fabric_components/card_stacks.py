"""Other orgs' cards read from their stacks' ``orgCards`` outputs
(``fabric:cardStacks``), for stacks that share a state backend. The engine's
``readStackOutputs`` invoke reads them (through ``read_stack_outputs``, which
retries a read torn by a concurrent save), not a StackReference resource: a
StackReference keeps the outputs in state, so a ``pulumi refresh
--expect-no-changes`` right after an up would see them change. Each card gets
the same checks as a card file, an error naming the stack and field."""

from __future__ import annotations

from typing import Any

import pulumi

from fabric_components.components.rollout import read_stack_outputs
from fabric_components.stack_config import StackConfig
from fabric_ops.consortium.card import OrgCard, parse_card
from network_spec import SpecError

CARDS_OUTPUT = "orgCards"


def cards_of_stack(stack: str, outputs: dict[str, Any], where: tuple[str, str]) -> list[OrgCard]:
    """The checked cards in ``stack``'s outputs; ``where`` (file, field) names
    the setting that asked for them when the stack has no ``orgCards``."""
    documents = outputs.get(CARDS_OUTPUT)
    if not isinstance(documents, dict) or not documents:
        raise SpecError(*where, f"stack {stack} has no {CARDS_OUTPUT} output (an org stack "
                        "publishes it once its first pulumi up is done)")
    return [parse_card(document, f"stack {stack} output {CARDS_OUTPUT}.{org}")
            for org, document in sorted(documents.items())]


def stack_cards(config: StackConfig) -> list[OrgCard]:
    """The cards of every stack ``fabric:cardStacks`` names."""
    cards = []
    for i, stack in enumerate(config.consortium.card_stacks):
        where = (f"Pulumi.{pulumi.get_stack()}.yaml", f"fabric:cardStacks[{i}]")
        cards += cards_of_stack(stack, read_stack_outputs(stack), where)
    return cards
