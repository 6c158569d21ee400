"""Sealing the network material: it opens with the passphrase alone (the
bundle carries its salt and cost), any change is detected, sealing is stable
for one backup and differs between backups, and a format-1 bundle is refused
saying what to do."""

from __future__ import annotations

import pytest

from backup.keys import derive_keys
from backup.sealed import SealError, open_sealed, seal, unseal
from tests.backup.kdf import fast_params

PLAIN = b"-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n"
PARAMS = fast_params()
KEYS = derive_keys("pass phrase", PARAMS)


def test_sealed_material_opens_with_its_passphrase_and_hides_the_plaintext():
    bundle = seal(PLAIN, PARAMS, KEYS)
    assert b"PRIVATE KEY" not in bundle
    assert unseal(bundle, "pass phrase") == PLAIN
    assert open_sealed(bundle, KEYS) == PLAIN


def test_a_wrong_passphrase_or_a_flipped_byte_is_refused():
    bundle = seal(PLAIN, PARAMS, KEYS)
    with pytest.raises(SealError, match="does not open it"):
        unseal(bundle, "other")
    for position in (-5, 10):  # the ciphertext; the salt in the header
        altered = bytearray(bundle)
        altered[position] ^= 0x01
        with pytest.raises(SealError, match="does not open it, or it was altered"):
            unseal(bytes(altered), "pass phrase")
    with pytest.raises(SealError, match="not a sealed backup bundle"):
        unseal(b"plain text", "pass phrase")


def test_the_material_of_another_backup_is_refused():
    other = fast_params()
    with pytest.raises(SealError, match="belongs to another backup"):
        open_sealed(seal(PLAIN, other, derive_keys("pass phrase", other)), KEYS)


def test_sealing_is_stable_per_backup_and_differs_between_backups():
    assert seal(PLAIN, PARAMS, KEYS) == seal(PLAIN, PARAMS, KEYS)
    other = fast_params()
    assert seal(PLAIN, PARAMS, KEYS) != seal(PLAIN, other, derive_keys("pass phrase", other))


def test_a_format_1_bundle_is_refused_saying_what_to_do():
    with pytest.raises(SealError, match=r"^sealed in format 1 \(FBK1, .*\), which this version "
                       "no longer opens: unseal it with a version of fabric-on-pulumi from "
                       "before format 2$"):
        unseal(b"FBK1" + bytes(60), "pass phrase")


def test_an_empty_passphrase_is_refused():
    with pytest.raises(SealError, match="passphrase is empty"):
        unseal(seal(PLAIN, PARAMS, KEYS), "")
