"""Sealing the network material: it opens only with the passphrase, any change
is detected, and sealing is deterministic per key."""

from __future__ import annotations

import pytest

from backup.sealed import SealError, salt_for, seal, unseal

PLAIN = b"-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n"


def test_sealed_material_opens_with_its_passphrase_and_hides_the_plaintext():
    bundle = seal(PLAIN, "pass phrase", salt_for("k1"))
    assert b"PRIVATE KEY" not in bundle
    assert unseal(bundle, "pass phrase") == PLAIN


def test_a_wrong_passphrase_or_a_flipped_byte_is_refused():
    bundle = seal(PLAIN, "pass phrase", salt_for("k1"))
    with pytest.raises(SealError, match="does not open it"):
        unseal(bundle, "other")
    altered = bytearray(bundle)
    altered[-5] ^= 0x01
    with pytest.raises(SealError, match="does not open it, or it was altered"):
        unseal(bytes(altered), "pass phrase")
    with pytest.raises(SealError, match="not a sealed backup bundle"):
        unseal(b"plain text", "pass phrase")


def test_sealing_is_stable_per_key_and_differs_between_keys():
    assert seal(PLAIN, "p", salt_for("k1")) == seal(PLAIN, "p", salt_for("k1"))
    assert seal(PLAIN, "p", salt_for("k1")) != seal(PLAIN, "p", salt_for("k2"))


def test_an_empty_passphrase_is_refused():
    with pytest.raises(SealError, match="passphrase is empty"):
        seal(PLAIN, "", salt_for("k1"))
