"""The protobuf wire format, just enough for the envelopes of a config update.

Signatures cover the exact bytes of a ``ConfigUpdate`` and a ``SignatureHeader``;
re-encoding them (configtxlator's JSON round trip, with its map fields) could
change those bytes, so an envelope is taken apart and put together here at the
byte level and the signed parts are never re-encoded.

Field numbers (fabric-protos ``common``): ``Envelope`` payload 1, signature 2;
``Payload`` header 1, data 2; ``ConfigUpdateEnvelope`` config_update 1,
signatures 2; ``ConfigSignature`` signature_header 1, signature 2;
``SignatureHeader`` creator 1, nonce 2; ``msp.SerializedIdentity`` mspid 1,
id_bytes 2."""

from __future__ import annotations

from dataclasses import dataclass

VARINT = 0
FIXED64 = 1
LENGTH = 2
FIXED32 = 5


class WireError(ValueError):
    """Bytes that are not the protobuf message expected."""


@dataclass(frozen=True)
class WireField:
    number: int
    wire_type: int
    value: bytes | int


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint too long")


def fields(data: bytes) -> list[WireField]:
    """The fields of a message, in order."""
    out: list[WireField] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        value: bytes | int
        if wire_type == VARINT:
            value, pos = _varint(data, pos)
        elif wire_type == LENGTH:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise WireError(f"field {number}: truncated")
            value, pos = data[pos:pos + length], pos + length
        elif wire_type in (FIXED64, FIXED32):
            size = 8 if wire_type == FIXED64 else 4
            value, pos = data[pos:pos + size], pos + size
        else:
            raise WireError(f"field {number}: unsupported wire type {wire_type}")
        out.append(WireField(number, wire_type, value))
    return out


def bytes_fields(data: bytes, number: int) -> list[bytes]:
    """Every length-delimited value of field ``number``."""
    return [f.value for f in fields(data)
            if f.number == number and isinstance(f.value, bytes)]


def bytes_field(data: bytes, number: int) -> bytes:
    """The last value of a singular length-delimited field (b'' when absent)."""
    found = bytes_fields(data, number)
    return found[-1] if found else b""


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def length_field(number: int, value: bytes) -> bytes:
    return _encode_varint(number << 3 | LENGTH) + _encode_varint(len(value)) + value


def message(*parts: tuple[int, bytes]) -> bytes:
    """A message of length-delimited fields (empty values left out, as proto3 does)."""
    return b"".join(length_field(number, value) for number, value in parts if value)
