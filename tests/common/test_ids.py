from __future__ import annotations

import re

from pay_common.ids import is_valid_external_id, new_external_id, new_uuid, new_uuid_hex


def test_external_ids_are_26_base32_characters_and_unique() -> None:
    ids = {new_external_id() for _ in range(2000)}

    assert len(ids) == 2000
    assert all(re.fullmatch(r"[0-9a-v]{26}", value) for value in ids)
    assert all(is_valid_external_id(value) for value in ids)


def test_account_ids_are_dashless_uuids_and_tokens_keep_their_dashes() -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", new_uuid_hex())
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", new_uuid())


def test_only_length_decides_validity() -> None:
    assert not is_valid_external_id("short")
    assert is_valid_external_id("x" * 26)
