"""The keys of a backup: scrypt at OWASP's cost over the passphrase and a
random salt per backup, split by HKDF into independent keys; parameters read
from a manifest are checked before scrypt runs."""

from __future__ import annotations

import pytest

from backup.keys import KdfError, KdfParams, derive_keys, new_params
from tests.backup.kdf import fast_params


def test_a_new_backup_gets_a_random_salt_at_owasp_cost():
    first, second = new_params(), new_params()
    assert (first.log2_n, first.r, first.p) == (17, 8, 1)
    assert len(first.salt) == 16
    assert first.salt != second.salt


def test_keys_depend_on_passphrase_and_salt_and_are_separate_per_use():
    params = fast_params()
    keys = derive_keys("pass phrase", params)
    assert len({keys.archive, keys.manifest, keys.material}) == 3
    assert derive_keys("pass phrase", params) == keys
    assert derive_keys("pass phrasE", params) != keys
    assert derive_keys("pass phrase", fast_params()) != keys


def test_parameters_round_trip_through_json():
    params = fast_params()
    assert KdfParams.from_json(params.to_json()) == params


@pytest.mark.parametrize(("raw", "message"), [
    ({"name": "argon2"}, "only scrypt is known"),
    ({"name": "scrypt", "salt": "zz", "n": 1024, "r": 8, "p": 1}, "not valid scrypt"),
    ({"name": "scrypt", "salt": "00" * 16, "n": 1000, "r": 8, "p": 1}, "power of two"),
    ({"name": "scrypt", "salt": "00" * 16, "n": 1024, "r": 0, "p": 1}, "1 <= r <= 64"),
    ({"name": "scrypt", "salt": "00" * 8, "n": 1024, "r": 8, "p": 1}, "salt of 8 bytes"),
    ({"name": "scrypt", "salt": "00" * 16, "n": 2**22, "r": 8, "p": 1}, "needs 4096 MiB"),
])
def test_bad_or_costly_parameters_are_refused_before_scrypt_runs(raw: object, message: str):
    with pytest.raises(KdfError, match=message):
        KdfParams.from_json(raw)


def test_an_empty_passphrase_is_refused():
    with pytest.raises(KdfError, match="passphrase is empty"):
        derive_keys("", fast_params())
