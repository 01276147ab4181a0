"""Vendor API keys without storage: their shape, their randomness, what is stored of them, and which
Authorization headers can even name one."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest

from chalicelib.models.vendor import VendorKeyModel
from chalicelib.services.vendors.api_keys import (
    API_KEY,
    KEY_PREFIX,
    KeyFailure,
    KeyMode,
    KeyRefused,
    PresentedKey,
    VendorIdentity,
    check_key,
    parse_authorization,
    secret_hash,
)
from chalicelib.services.vendors.keys import DrawnKey, draw_key

VENDOR = "c" * 32


def test_a_key_is_gkv_then_the_vendor_then_a_key_id_then_192_random_bits():
    # When many keys are drawn
    drawn = [draw_key() for _ in range(200)]

    # Then each reads gkv_<vendor id>_<20 hex>_<48 hex>, and no two share a key id or a secret
    for key in drawn:
        assert re.fullmatch(rf"gkv_{VENDOR}_[0-9a-f]{{20}}_[0-9a-f]{{48}}", key.api_key(VENDOR))
        assert API_KEY.fullmatch(key.api_key(VENDOR))
        assert key.api_key(VENDOR).startswith(KEY_PREFIX)
    assert len({k.key_id for k in drawn}) == len({k.secret for k in drawn}) == 200
    # 48 hex characters are 192 bits, well above the 128 the product asks for
    assert len(drawn[0].secret) * 4 == 192


def test_only_the_sha256_of_the_secret_is_kept():
    key = draw_key()
    stored = secret_hash(key.secret)
    assert stored == hashlib.sha256(key.secret.encode()).hexdigest()
    assert key.secret not in stored
    assert key.key_id not in stored


def test_a_bearer_header_with_a_key_names_its_vendor_id_and_secret():
    key = draw_key()
    text = key.api_key(VENDOR)
    for header in (f"Bearer {text}", f"bearer {text}", f"  BEARER   {text}  "):
        assert parse_authorization(header) == PresentedKey(VENDOR, key.key_id, key.secret)


V = VENDOR + "_"


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
        ("Bearer gkv_" + "a" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),  # no vendor id
        ("Bearer gkv_" + "C" * 32 + "_" + "a" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer gkv_" + "c" * 31 + "_" + "a" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer gkv_" + V + "a" * 20, KeyFailure.MALFORMED),
        ("Bearer gkv_" + V + "a" * 20 + "_" + "b" * 47, KeyFailure.MALFORMED),
        ("Bearer gkv_" + V + "a" * 20 + "_" + "b" * 49, KeyFailure.MALFORMED),
        ("Bearer gkv_" + V + "A" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer gkx_" + V + "a" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer gkv_" + V + "a" * 20 + "_" + "b" * 48 + "\nX", KeyFailure.MALFORMED),
        ("Bearer gkv_" + V + "a" * 20 + "_" + "b" * 48 + " extra", KeyFailure.MALFORMED),
        ("Token gkv_" + V + "a" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),
        ("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", KeyFailure.MALFORMED),
        ("Bearer gkv_" + V + "\uff41" * 20 + "_" + "b" * 48, KeyFailure.MALFORMED),  # full-width a
    ],
)
def test_anything_else_is_refused_before_any_lookup(header, reason):
    with pytest.raises(KeyRefused) as refused:
        parse_authorization(header)
    assert refused.value.reason is reason


def test_a_test_key_is_gkv_test_then_the_same_form_and_says_so_when_parsed():
    key = draw_key()
    text = key.api_key(VENDOR, KeyMode.TEST)

    assert re.fullmatch(rf"gkv_test_{VENDOR}_{key.key_id}_{key.secret}", text)
    assert parse_authorization(f"Bearer {text}") == PresentedKey(VENDOR, key.key_id, key.secret, KeyMode.TEST)
    assert parse_authorization(f"Bearer {key.api_key(VENDOR)}").mode is KeyMode.LIVE


def test_a_key_is_only_taken_in_the_mode_it_was_stored_in():
    drawn = draw_key()
    as_test = parse_authorization(f"Bearer {drawn.api_key(VENDOR, KeyMode.TEST)}")
    as_live = parse_authorization(f"Bearer {drawn.api_key(VENDOR)}")
    test_key = stored_key(drawn)
    test_key.mode = "test"

    assert check_key(as_test, test_key).livemode is False
    assert check_key(as_live, stored_key(drawn)).livemode is True
    for presented, stored in ((as_live, test_key), (as_test, stored_key(drawn))):
        with pytest.raises(KeyRefused) as refused:
            check_key(presented, stored)
        assert refused.value.reason is KeyFailure.INVALID


def stored_key(drawn: DrawnKey, *, vendor_id: str = VENDOR, revoked: bool = False) -> VendorKeyModel:
    when = datetime(2027, 1, 1, tzinfo=UTC)
    return VendorKeyModel(
        drawn.key_id,
        vendor_id=vendor_id,
        vendor_name="TechShop",
        secret_sha256=secret_hash(drawn.secret),
        created_at=when,
        created_by="staff",
        revoked_at=when if revoked else None,
    )


def test_a_presented_key_is_the_vendors_when_the_stored_key_names_that_vendor_and_the_secret_matches():
    drawn = draw_key()
    presented = parse_authorization(f"Bearer {drawn.api_key(VENDOR)}")

    assert check_key(presented, stored_key(drawn)) == VendorIdentity(VENDOR, "TechShop", drawn.key_id)


def test_a_key_naming_another_vendor_a_wrong_secret_an_unknown_or_revoked_key_is_refused():
    drawn = draw_key()
    presented = parse_authorization(f"Bearer {drawn.api_key(VENDOR)}")
    other = draw_key()
    for stored, reason in (
        (stored_key(drawn, vendor_id="d" * 32), KeyFailure.INVALID),  # the key id of another vendor's key
        (stored_key(DrawnKey(drawn.key_id, other.secret)), KeyFailure.INVALID),
        (None, KeyFailure.INVALID),
        (stored_key(drawn, revoked=True), KeyFailure.REVOKED),
    ):
        with pytest.raises(KeyRefused) as refused:
            check_key(presented, stored)
        assert refused.value.reason is reason
