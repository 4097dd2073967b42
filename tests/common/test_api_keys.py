"""The API-key format of publicapi.md §b.1, shared by connector and publicapi."""

from __future__ import annotations

import re

from pay_common import api_keys

SECRET = "qwer9yuhgf"


def test_checksum_matches_the_documented_test_vector() -> None:
    assert (
        api_keys.make_key("TEST_BEARER_TOKEN", SECRET) == "TEST_BEARER_TOKENp837h5j7oje0huchp4ocibv1qq534lmn"
    )
    assert api_keys.verify_key("TEST_BEARER_TOKENp837h5j7oje0huchp4ocibv1qq534lmn", SECRET)


def test_generated_keys_are_token_plus_lower_case_base32hex_checksum() -> None:
    token, key = api_keys.generate_key(SECRET)
    assert key.startswith(token)
    assert re.fullmatch(r"[0-9a-v]{32}", key[len(token) :])
    assert api_keys.verify_key(key, SECRET)
    assert api_keys.generate_key(SECRET)[1] != key


def test_a_key_under_another_secret_or_altered_fails() -> None:
    _, key = api_keys.generate_key(SECRET)
    assert not api_keys.verify_key(key, "another-secret")
    flipped = key[:-1] + ("0" if key[-1] != "0" else "1")
    assert not api_keys.verify_key(flipped, SECRET)
    assert not api_keys.verify_key(key.upper(), SECRET)


def test_keys_shorter_than_33_characters_are_rejected() -> None:
    checksum = api_keys.checksum("", SECRET)
    assert len(checksum) == 32
    assert not api_keys.verify_key(checksum, SECRET)
    assert api_keys.split_key(checksum) is None
    assert api_keys.verify_key(api_keys.make_key("a", SECRET), SECRET)


def test_non_ascii_keys_are_rejected_without_error() -> None:
    assert not api_keys.verify_key("é" * 40, SECRET)
    assert not api_keys.verify_key("\udcff" * 40, SECRET)


def test_bearer_prefix_is_exact() -> None:
    assert api_keys.key_from_authorization("Bearer abc") == "abc"
    assert api_keys.key_from_authorization("bearer abc") is None
    assert api_keys.key_from_authorization("Bearer  abc") == " abc"
    assert api_keys.key_from_authorization("Basic abc") is None
    assert api_keys.key_from_authorization(None) is None


def test_stored_hash_never_contains_the_token() -> None:
    token, key = api_keys.generate_key(SECRET)
    digest = api_keys.token_hash(token)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert token not in digest
    assert api_keys.key_hash(key) != digest
