"""A config update envelope taken apart and put back together around the same
signed bytes (see ``wire``)."""

from __future__ import annotations

from dataclasses import dataclass

from fabric_ops.consortium.wire import WireError, bytes_field, bytes_fields, message


@dataclass(frozen=True)
class UpdateEnvelope:
    header: bytes
    """The payload's ``common.Header`` as it was encoded."""
    config_update: bytes
    """The ``common.ConfigUpdate`` every signature covers."""
    signatures: tuple[bytes, ...]
    """Encoded ``common.ConfigSignature`` messages."""

    @property
    def channel(self) -> str:
        return bytes_field(self.config_update, 1).decode()

    def encoded(self) -> bytes:
        """The ``common.Envelope`` ``peer channel update`` takes (unsigned: the
        submitter's ``peer`` signs the envelope itself)."""
        inner = message((1, self.config_update))
        inner += b"".join(message((2, signature)) for signature in self.signatures)
        return message((1, message((1, self.header), (2, inner))))

    def with_signatures(self, signatures: tuple[bytes, ...]) -> UpdateEnvelope:
        return UpdateEnvelope(self.header, self.config_update, signatures)


def parse_envelope(data: bytes) -> UpdateEnvelope:
    """A ``common.Envelope`` whose payload carries a ``ConfigUpdateEnvelope``."""
    payload = bytes_field(data, 1)
    header, body = bytes_field(payload, 1), bytes_field(payload, 2)
    update = bytes_field(body, 1)
    if not header or not update:
        raise WireError("not a config update envelope (no header or no config update)")
    return UpdateEnvelope(header, update, tuple(bytes_fields(body, 2)))


@dataclass(frozen=True)
class ConfigSignature:
    signature_header: bytes
    signature: bytes

    @property
    def msp_id(self) -> str:
        return bytes_field(bytes_field(self.signature_header, 1), 1).decode()

    @property
    def certificate_pem(self) -> bytes:
        return bytes_field(bytes_field(self.signature_header, 1), 2)

    def encoded(self) -> bytes:
        return message((1, self.signature_header), (2, self.signature))


def parse_signature(data: bytes) -> ConfigSignature:
    header, signature = bytes_field(data, 1), bytes_field(data, 2)
    if not header or not signature:
        raise WireError("not a ConfigSignature (no signature header or no signature)")
    return ConfigSignature(header, signature)
