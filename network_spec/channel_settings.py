"""A channel's ``batchTimeout``, ``batchSize``, ``capabilities`` and ``acls`` in
network.yaml -> ChannelSettings. Values are normalised to the form the channel
config keeps (bytes as integers, the timeout as Go prints a duration), so the
settings read back from a running channel compare equal to the file's."""

from __future__ import annotations

import re

from network_spec.fields import Field, Record
from network_spec.limits import MAX_UINT32
from network_spec.model import BatchSize, Capabilities, ChannelSettings

SETTINGS_KEYS = ("batchTimeout", "batchSize", "capabilities", "acls")
BATCH_SIZE_KEYS = ("maxMessageCount", "absoluteMaxBytes", "preferredMaxBytes")
CAPABILITY_LEVELS = {
    "channel": ("V2_0", "V3_0"),
    "orderer": ("V2_0",),
    "application": ("V2_0", "V2_5"),
}
ACL_RESOURCES = (
    "_lifecycle/InstallChaincode", "_lifecycle/QueryInstalledChaincode",
    "_lifecycle/GetInstalledChaincodePackage", "_lifecycle/QueryInstalledChaincodes",
    "_lifecycle/ApproveChaincodeDefinitionForMyOrg",
    "_lifecycle/QueryApprovedChaincodeDefinition", "_lifecycle/CommitChaincodeDefinition",
    "_lifecycle/QueryChaincodeDefinition", "_lifecycle/QueryChaincodeDefinitions",
    "_lifecycle/CheckCommitReadiness", "snapshot/submitrequest", "snapshot/cancelrequest",
    "snapshot/listpending", "lscc/ChaincodeExists", "lscc/GetDeploymentSpec",
    "lscc/GetChaincodeData", "lscc/GetInstantiatedChaincodes", "lscc/GetCollectionsConfig",
    "qscc/GetChainInfo", "qscc/GetBlockByNumber", "qscc/GetBlockByHash",
    "qscc/GetTransactionByID", "qscc/GetBlockByTxID", "cscc/GetConfigBlock",
    "cscc/GetChannelConfig", "peer/Propose", "peer/ChaincodeToChaincode", "event/Block",
    "event/FilteredBlock", "gateway/CommitStatus", "gateway/ChaincodeEvents",
)
"""Fabric 2.5's channel-level ACL resources (core/aclmgmt/resources)."""
ACL_POLICY = re.compile(r"/Channel(/[A-Za-z0-9_.-]+)+")
DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)")
UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
GO_MAX_MS = (2**63 - 1) // 1_000_000
"""Go keeps a duration as int64 nanoseconds."""
BYTE_SIZE = re.compile(r"([0-9]+) *(B|KB|MB|GB)?")
UNIT_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def go_duration(milliseconds: int) -> str:
    """How Go's ``time.Duration.String`` prints a whole number of milliseconds."""
    if milliseconds < 1000:
        return f"{milliseconds}ms"
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds = f"{rest // 1000}.{rest % 1000:03d}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}h{minutes}m{seconds}s"
    if minutes:
        return f"{minutes}m{seconds}s"
    return f"{seconds}s"


def read_duration(field: Field) -> str:
    text = field.text().replace(" ", "")
    parts = DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise field.error(f"'{text}' is not a duration; write e.g. 2s, 500ms or 1m30s")
    milliseconds = sum(float(number) * UNIT_MS[unit] for number, unit in parts)
    if milliseconds != int(milliseconds) or milliseconds <= 0:
        raise field.error(f"'{text}' must be a positive whole number of milliseconds")
    if milliseconds > GO_MAX_MS:
        raise field.error(f"'{text}' is longer than Go's longest duration, "
                          f"{go_duration(GO_MAX_MS)}: Fabric could not read it")
    return go_duration(int(milliseconds))


def read_bytes(field: Field) -> int:
    value = field.value
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        text = field.text().strip()
        match = BYTE_SIZE.fullmatch(text)
        if not match:
            raise field.error(f"'{text}' is not a size; write bytes or e.g. 512 KB, 99 MB")
        size = int(match.group(1)) * UNIT_BYTES[match.group(2) or "B"]
    if not 0 < size <= MAX_UINT32:
        raise field.error(f"must be between 1 byte and 4 GB, got {size} bytes")
    return size


def _batch_size(field: Field | None) -> BatchSize:
    default = BatchSize()
    if field is None:
        return default
    record = field.record(BATCH_SIZE_KEYS)
    count = record.integer("maxMessageCount", default.max_message_count)
    if not 1 <= count <= MAX_UINT32:
        raise record.error(f"maxMessageCount must be from 1 to {MAX_UINT32}, got {count}")
    absolute = record.get("absoluteMaxBytes")
    preferred = record.get("preferredMaxBytes")
    size = BatchSize(
        max_message_count=count,
        absolute_max_bytes=default.absolute_max_bytes if absolute is None else read_bytes(absolute),
        preferred_max_bytes=default.preferred_max_bytes if preferred is None
        else read_bytes(preferred),
    )
    if size.preferred_max_bytes > size.absolute_max_bytes:
        raise record.error(
            f"preferredMaxBytes ({size.preferred_max_bytes}) must not exceed "
            f"absoluteMaxBytes ({size.absolute_max_bytes})"
        )
    return size


def _capabilities(field: Field | None) -> Capabilities:
    if field is None:
        return Capabilities()
    record = field.record(tuple(CAPABILITY_LEVELS))
    default = Capabilities()
    return Capabilities(**{
        level: record.choice(level, allowed, getattr(default, level))
        for level, allowed in CAPABILITY_LEVELS.items()
    })


def _acls(field: Field | None) -> tuple[tuple[str, str], ...]:
    acls = []
    for resource, at in [] if field is None else field.entries():
        if resource not in ACL_RESOURCES:
            raise at.error(f"unknown ACL resource '{resource}'; Fabric 2.5's are "
                           f"{', '.join(ACL_RESOURCES)}")
        policy = at.text()
        if not ACL_POLICY.fullmatch(policy):
            raise at.error(f"{policy!r} is not a policy path; write e.g. "
                           "/Channel/Application/Writers")
        acls.append((resource, policy))
    return tuple(sorted(acls))


def read_settings(channel: Record) -> ChannelSettings:
    timeout = channel.get("batchTimeout")
    return ChannelSettings(
        batch_timeout=(ChannelSettings().batch_timeout if timeout is None
                       else read_duration(timeout)),
        batch_size=_batch_size(channel.get("batchSize")),
        capabilities=_capabilities(channel.get("capabilities")),
        acls=_acls(channel.get("acls")),
    )
