"""network.yaml's ``chaincodes`` -> ChaincodeSpecs (format: see network_file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from network_spec.duplicates import UniqueNames
from network_spec.fields import Field, Record, describe
from network_spec.image_refs import image_reference_problem
from network_spec.k8s_names import ObjectNames, chaincode_objects, network_object_names
from network_spec.model import ChaincodeChannel, ChaincodeSpec, ChannelSpec, OrgKind, OrgSpec
from network_spec.names import (
    chaincode_label_problem,
    chaincode_name_problem,
    chaincode_version_problem,
)
from network_spec.org_refs import OrgDirectory
from network_spec.policies import (
    PolicyError,
    Principal,
    any_member_policy,
    parse_policy,
    satisfiable_by,
)

CHAINCODE_KEYS = ("name", "version", "label", "image", "orgs", "policy", "initRequired", "channels")
CHAINCODE_CHANNEL_KEYS = ("name", "orgs", "policy")


@dataclass(frozen=True)
class _Policy:
    text: str
    principals: tuple[Principal, ...]
    at: Field


@dataclass(frozen=True)
class _Chaincode:
    """What a chaincode's channel entries need from the chaincode."""

    name: str
    orgs: tuple[OrgSpec, ...]
    policy: _Policy | None


def _policy(field: Field | None) -> _Policy | None:
    if field is None:
        return None
    text = field.text()
    try:
        return _Policy(text, parse_policy(text), field)
    except PolicyError as error:
        raise field.error(f"invalid endorsement policy: {error}") from None


def _checked_text(
    record: Record, key: str, problem_of: Callable[[str], str | None]
) -> tuple[str, Field]:
    """A required text field that ``problem_of`` finds no problem with."""
    at = record.require(key)
    value = at.text()
    problem = problem_of(value)
    if problem:
        raise at.error(problem)
    return value, at


def _image_problem(image: str) -> str | None:
    return image_reference_problem("container image", image)


def _channel_policy(
    policy: _Policy | None, channel: ChannelSpec, orgs: tuple[OrgSpec, ...], directory: OrgDirectory
) -> str:
    if policy is None:
        return any_member_policy(tuple(org.msp_id for org in orgs))
    members = tuple(directory.by_name(name).msp_id for name in channel.orgs)
    for principal in policy.principals:
        if principal.msp_id not in members:
            raise policy.at.error(
                f"invalid endorsement policy: MSP ID '{principal.msp_id}' is not a member "
                f"of channel '{channel.name}'; its members' MSP IDs are {', '.join(members)}"
            )
    _check_endorsable(policy, channel, orgs)
    return policy.text


def _check_endorsable(policy: _Policy, channel: ChannelSpec, orgs: tuple[OrgSpec, ...]) -> None:
    """Only the peers of the orgs that run a chaincode on a channel can endorse
    its transactions: a policy that needs another member's signature would
    refuse every transaction once the chaincode is committed."""
    running = tuple(org.msp_id for org in orgs)
    if satisfiable_by(policy.text, running):
        return
    idle = sorted({p.msp_id for p in policy.principals} - set(running))
    raise policy.at.error(
        f"endorsement policy cannot be met on channel '{channel.name}': only the orgs that "
        f"run the chaincode there ({', '.join(running)}) endorse, and the policy also needs "
        f"{', '.join(idle)}; run the chaincode in {'that org' if len(idle) == 1 else 'those orgs'} "
        "too, or change the policy"
    )


def _channel_orgs(
    field: Field | None,
    at: Field,
    chaincode: _Chaincode,
    channel: ChannelSpec,
    directory: OrgDirectory,
) -> tuple[OrgSpec, ...]:
    running = tuple(org.name for org in chaincode.orgs)
    if field is None:
        orgs = tuple(org for org in chaincode.orgs if org.name in channel.orgs)
        if not orgs:
            raise at.error(
                f"none of the orgs of chaincode '{chaincode.name}' ({', '.join(running)}) "
                f"is a member of channel '{channel.name}' ({', '.join(channel.orgs)})"
            )
        return orgs
    orgs = directory.resolve_list(
        field,
        OrgKind.PEER,
        "must list at least one org, or be left out to use the chaincode's orgs "
        "that are members of the channel",
    )
    for org, org_at in zip(orgs, field.items(), strict=True):
        if org.name not in running:
            raise org_at.error(
                f"'{org.name}' does not run chaincode '{chaincode.name}'; "
                f"its orgs are {', '.join(running)}"
            )
        if org.name not in channel.orgs:
            raise org_at.error(
                f"'{org.name}' is not a member of channel '{channel.name}'; "
                f"its members are {', '.join(channel.orgs)}"
            )
    return orgs


def _check_majority(entry: ChaincodeChannel, at: Field, chaincode: str,
                    channel: ChannelSpec) -> None:
    """The orgs that run a chaincode on a channel are the ones that approve its
    definition, and the channel's LifecycleEndorsement policy (MAJORITY
    Endorsement) needs a majority of the channel's orgs to approve it before it
    can be committed: fewer could never commit it."""
    needed = len(channel.orgs) // 2 + 1
    if len(entry.orgs) >= needed:
        return
    running = ", ".join(entry.orgs)
    raise at.error(
        f"chaincode '{chaincode}' would run on channel '{channel.name}' in "
        f"{len(entry.orgs)} of its {len(channel.orgs)} orgs ({running}), but its definition "
        f"can only be committed once a majority of the channel's orgs ({needed}: the "
        f"LifecycleEndorsement policy, MAJORITY Endorsement) approved it; run it in at least "
        f"{needed} of "
        f"{', '.join(channel.orgs)}"
    )


def _channel_entry(
    item: Field, chaincode: _Chaincode, channels: dict[str, ChannelSpec], directory: OrgDirectory
) -> tuple[ChaincodeChannel, Field, Field]:
    """The entry, the field of its channel name, and the field that chose its orgs."""
    entry: Record | None = None
    if isinstance(item.value, dict):
        entry = item.record(CHAINCODE_CHANNEL_KEYS)
        name_at = entry.require("name")
    elif isinstance(item.value, str):
        name_at = item
    else:
        raise item.error(
            f"expected a channel name or a mapping with keys "
            f"{', '.join(CHAINCODE_CHANNEL_KEYS)}, got {describe(item.value)}"
        )
    name = name_at.text()
    channel = channels.get(name)
    if channel is None:
        known = ", ".join(channels) if channels else "none"
        raise name_at.error(f"unknown channel '{name}'; the channels are: {known}")
    orgs_at = entry.get("orgs") if entry else None
    orgs = _channel_orgs(orgs_at, name_at, chaincode, channel, directory)
    override = _policy(entry.get("policy")) if entry else None
    policy = _channel_policy(override or chaincode.policy, channel, orgs, directory)
    entry_spec = ChaincodeChannel(name, tuple(org.name for org in orgs), policy)
    return entry_spec, name_at, orgs_at or name_at


def _channel_entries(
    field: Field, chaincode: _Chaincode, channels: dict[str, ChannelSpec], directory: OrgDirectory
) -> tuple[tuple[ChaincodeChannel, Field], ...]:
    """Each entry with the field that chose its orgs."""
    listed = UniqueNames("channel", verb="listed at")
    entries = []
    for item in field.items():
        entry, entry_at, orgs_at = _channel_entry(item, chaincode, channels, directory)
        listed.claim(entry.channel, entry_at)
        entries.append((entry, orgs_at))
    if not entries:
        raise field.error("must list at least one channel")
    return tuple(entries)


def _check_every_org_used(
    orgs_at: Field, chaincode: _Chaincode, entries: tuple[ChaincodeChannel, ...]
) -> None:
    """An org that runs the chaincode on none of its channels is a mistake."""
    for org, org_at in zip(chaincode.orgs, orgs_at.items(), strict=True):
        if not any(org.name in entry.orgs for entry in entries):
            channel_names = ", ".join(entry.channel for entry in entries)
            raise org_at.error(
                f"'{org.name}' runs chaincode '{chaincode.name}' on none of its channels "
                f"({channel_names}): make it a member of one of them, or remove it here"
            )


def _chaincode(
    item: Field,
    channels: dict[str, ChannelSpec],
    directory: OrgDirectory,
    names: UniqueNames,
    labels: UniqueNames,
    objects: ObjectNames,
) -> ChaincodeSpec:
    record = item.record(CHAINCODE_KEYS)
    name, name_at = _checked_text(record, "name", chaincode_name_problem)
    names.claim(name, name_at)
    version, _ = _checked_text(record, "version", chaincode_version_problem)
    label_at = record.get("label") or name_at
    label = record.text("label", f"{name}_{version}")
    problem = chaincode_label_problem(label)
    if problem:
        raise label_at.error(problem)
    labels.claim(label, label_at, f"chaincode '{name}' ({item.path})")
    image, _ = _checked_text(record, "image", _image_problem)
    orgs_at = record.require("orgs")
    orgs = directory.resolve_list(
        orgs_at, OrgKind.PEER, "must list at least one peer org: the orgs that run the chaincode"
    )
    for org in orgs:
        objects.claim(chaincode_objects(name, org.k8s_name),
                      f"the server of chaincode '{name}' for org '{org.name}'", name_at,
                      f"chaincode name '{name}' (its server for org '{org.name}')")
    chaincode = _Chaincode(name, orgs, _policy(record.get("policy")))
    placed = _channel_entries(record.require("channels"), chaincode, channels, directory)
    entries = tuple(entry for entry, _ in placed)
    _check_every_org_used(orgs_at, chaincode, entries)
    for entry, entry_orgs_at in placed:
        _check_majority(entry, entry_orgs_at, name, channels[entry.channel])
    return ChaincodeSpec(
        name=name,
        version=version,
        label=label,
        image=image,
        orgs=tuple(org.name for org in orgs),
        channels=entries,
        init_required=record.boolean("initRequired", False),
    )


def read_chaincodes(
    items: list[Field], channels: tuple[ChannelSpec, ...], directory: OrgDirectory
) -> tuple[ChaincodeSpec, ...]:
    by_name = {channel.name: channel for channel in channels}
    names = UniqueNames("chaincode name", verb="used at")
    labels = UniqueNames("chaincode label", verb="used by")
    objects = network_object_names(directory.orderer_orgs + directory.peer_orgs)
    return tuple(
        _chaincode(item, by_name, directory, names, labels, objects) for item in items
    )
