"""Vendor API keys without storage: their shape, their randomness, what is stored of them, and which
Authorization headers can even name one."""

from __future__ import annotations

import hashlib
import re

import pytest

from chalicelib.services.vendors import (
    API_KEY,
    KEY_PREFIX,
    KeyFailure,
    KeyRefused,
    draw_key,
    parse_authorization,
    secret_hash,
)


def test_a_key_is_gkv_then_a_key_id_then_192_random_bits():
    # When many keys are drawn
    drawn = [draw_key() for _ in range(200)]

    # Then each reads gkv_<20 hex>_<48 hex>, and no two share a key id or a secret
    for key in drawn:
        assert re.fullmatch(r"gkv_[0-9a-f]{20}_[0-9a-f]{48}", key.api_key)
        assert API_KEY.fullmatch(key.api_key)
        assert key.api_key.startswith(KEY_PREFIX)
    assert len({k.key_id for k in drawn}) == len({k.secret for k in drawn}) == 200
    # 48 hex characters are 192 bits, well above the 128 the product asks for
    assert len(drawn[0].secret) * 4 == 192


def test_only_the_sha256_of_the_secret_is_kept():
    key = draw_key()
    stored = secret_hash(key.secret)
    assert stored == hashlib.sha256(key.secret.encode()).hexdigest()
    assert key.secret not in stored
    assert key.key_id not in stored


def test_a_bearer_header_with_a_key_names_its_id_and_secret():
    key = draw_key()
    for header in (f"Bearer {key.api_key}", f"bearer {key.api_key}", f"  BEARER   {key.api_key}  "):
        assert parse_authorization(header) == (key.key_id, key.secret)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, KeyFailure.MISSING),
        ("", KeyFailure.MISSING),
        ("   ", KeyFailure.MISSING),
        ("Bearer", KeyFailure.MALFORMED),
        ("Bearer ", KeyFailure.MALFORMED),
        ("Basic dXNlcjpwYXNz", KeyFailure.MALFORMED),
        ("Bearer gkv_", KeyFailure.MALFORMED),
        ("Bearer gkv_" + "a" * 20, KeyFailure.MALFORMED),
        ("Bearer gkv_" + "a" * 20 + "_" + "b" * 47, KeyFailure.MALFORMED),
        ("Bearer gkv_" + "a" * 20 + "_" + "b" * 49, KeyFailure.MALFORMED),
        ("Bearer gkv_" + "A" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer gkx_" + "a" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer gkv_" + "a" * 20 + "_" + "b" * 48 + "\nX", KeyFailure.MALFORMED),
        ("Bearer gkv_" + "a" * 20 + "_" + "b" * 48 + " extra", KeyFailure.MALFORMED),
        ("Token gkv_" + "a" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", KeyFailure.MALFORMED),
        ("Bearer gkv_" + "\uff41" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),  # full-width a
    ],
)
def test_anything_else_is_refused_before_any_lookup(header, reason):
    with pytest.raises(KeyRefused) as refused:
        parse_authorization(header)
    assert refused.value.reason is reason
