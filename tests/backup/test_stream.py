"""Node archives encrypted chunk by chunk: they round-trip at every size, hide
their content, and a truncated, reordered, altered or misplaced archive (from
another node or another backup) is refused with a message saying which."""

from __future__ import annotations

import io
import os

import pytest

from backup.stream import HEADER_BYTES, TAG_BYTES, StreamError, binding, decrypt, encrypt

KEY = os.urandom(32)
CHUNK = 64
BOUND = binding("nightly/00ff", "nodes/peer0/data.tar.gz")


def sealed(plain: bytes, key: bytes = KEY, bound: bytes = BOUND) -> bytes:
    out = io.BytesIO()
    encrypt(io.BytesIO(plain), out, key, bound, chunk=CHUNK)
    return out.getvalue()


def opened(data: bytes, key: bytes = KEY, bound: bytes = BOUND) -> bytes:
    out = io.BytesIO()
    decrypt(io.BytesIO(data), out, key, bound)
    return out.getvalue()


def chunks(data: bytes) -> tuple[bytes, list[bytes]]:
    body, size = data[HEADER_BYTES:], CHUNK + TAG_BYTES
    return data[:HEADER_BYTES], [body[i:i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3])
def test_archives_round_trip_at_every_size(size: int):
    plain = os.urandom(size)
    assert opened(sealed(plain)) == plain


def test_the_content_is_hidden_and_every_encryption_differs():
    plain = b"CreateAsset asset-1 " * 50
    first, second = sealed(plain), sealed(plain)
    assert b"CreateAsset" not in first
    assert first != second


def test_a_stream_cut_at_a_chunk_boundary_is_refused_as_truncated():
    header, parts = chunks(sealed(os.urandom(4 * CHUNK)))
    with pytest.raises(StreamError, match=r"^truncated: it ends after chunk 1, which is not"):
        opened(header + b"".join(parts[:2]))


def test_a_stream_cut_after_its_header_is_refused_as_truncated():
    with pytest.raises(StreamError, match=r"^truncated: nothing after its header$"):
        opened(sealed(os.urandom(CHUNK))[:HEADER_BYTES])


def test_a_stream_cut_inside_a_chunk_is_refused():
    data = sealed(os.urandom(4 * CHUNK))
    with pytest.raises(StreamError, match=r"^chunk 3 does not authenticate"):
        opened(data[:-5])


def test_reordered_chunks_are_refused():
    header, parts = chunks(sealed(os.urandom(4 * CHUNK)))
    parts[1], parts[2] = parts[2], parts[1]
    with pytest.raises(StreamError, match=r"^chunk 1 does not authenticate: altered, reordered"):
        opened(header + b"".join(parts))


def test_a_flipped_bit_is_refused():
    data = bytearray(sealed(os.urandom(4 * CHUNK)))
    data[HEADER_BYTES + 2 * (CHUNK + TAG_BYTES) + 7] ^= 0x10
    with pytest.raises(StreamError, match=r"^chunk 2 does not authenticate"):
        opened(bytes(data))


def test_a_flipped_bit_in_the_header_is_refused():
    data = bytearray(sealed(os.urandom(2 * CHUNK)))
    data[HEADER_BYTES - 1] ^= 0x01
    with pytest.raises(StreamError, match=r"^chunk 0 does not authenticate"):
        opened(bytes(data))


def test_the_archive_of_another_node_is_refused():
    other_node = sealed(os.urandom(CHUNK), bound=binding("nightly/00ff",
                                                         "nodes/peer1/data.tar.gz"))
    with pytest.raises(StreamError, match=r"^chunk 0 does not authenticate: altered, or the "
                       "archive of another object or another backup"):
        opened(other_node)


def test_the_archive_of_another_backup_is_refused():
    other_backup = sealed(os.urandom(CHUNK), bound=binding("nightly/11ee",
                                                           "nodes/peer0/data.tar.gz"))
    with pytest.raises(StreamError, match="another backup"):
        opened(other_backup)


def test_another_key_or_no_header_is_refused():
    with pytest.raises(StreamError, match=r"^chunk 0 does not authenticate"):
        opened(sealed(b"x"), key=os.urandom(32))
    with pytest.raises(StreamError, match="no FBS2 header"):
        opened(b"\x1f\x8b plain gzip")
