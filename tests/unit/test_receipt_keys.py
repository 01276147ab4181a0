"""The receipt key set's rules, without AWS: which key signs when, what a rotation keeps and drops, and that a
private key is never printed and never published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.services.vendors.receipt_keys import (
    PUBLISH_AHEAD,
    KeySet,
    KeySetBroken,
    ReceiptSigner,
    first_key_set,
    rotate,
)

NOW = datetime(2027, 1, 30, 21, 34, tzinfo=UTC)
YEARS = timedelta(days=3660)


def test_the_first_key_signs_at_once_whatever_the_signers_clock():
    keys = first_key_set(NOW)

    assert keys.signing_key(NOW - timedelta(days=400)).kid == keys.keys[0].kid


def test_a_rotated_key_is_published_at_once_and_signs_an_hour_later():
    # Given a stage's key set, rotated
    first = first_key_set(NOW)
    rotated = rotate(first, NOW, retention=YEARS)
    old, new = rotated.keys

    # Then both are published, the old one signs until the new one may
    assert [key["kid"] for key in rotated.jwks()["keys"]] == [old.kid, new.kid]
    assert rotated.signing_key(NOW + PUBLISH_AHEAD - timedelta(seconds=1)).kid == old.kid
    assert rotated.signing_key(NOW + PUBLISH_AHEAD).kid == new.kid


def test_a_second_rotation_leaves_the_first_key_its_public_half_alone():
    once = rotate(first_key_set(NOW), NOW, retention=YEARS)
    twice = rotate(once, NOW + timedelta(days=365), retention=YEARS)

    first, second, third = twice.keys
    assert first.private is None
    assert second.private is not None  # signing until the third may
    assert third.private is not None
    assert first.public == once.keys[0].public


def test_a_key_is_dropped_only_once_its_receipts_can_no_longer_be_kept():
    # Given a key that stopped signing a year after it was made
    once = rotate(first_key_set(NOW), NOW, retention=YEARS)
    twice = rotate(once, NOW + timedelta(days=365), retention=YEARS)
    retired_at = twice.keys[1].signs_from

    # When the set is rotated just before and just after its receipts' retention ran out
    before = rotate(twice, retired_at + YEARS - timedelta(days=1), retention=YEARS)
    after = rotate(twice, retired_at + YEARS + timedelta(days=1), retention=YEARS)

    # Then it is still published before, and gone after
    assert twice.keys[0].kid in [key.kid for key in before.keys]
    assert twice.keys[0].kid not in [key.kid for key in after.keys]


def test_a_key_set_survives_its_json_and_never_prints_or_publishes_a_private_key():
    keys = rotate(first_key_set(NOW), NOW, retention=YEARS)
    private = [key.private["d"] for key in keys.keys if key.private]

    assert KeySet.from_json(keys.to_json()) == keys
    shown = f"{keys!r} {keys.keys!r} {keys.jwks()} {ReceiptSigner(keys, issuer='https://x')!r}"
    assert private
    assert all(d not in shown for d in private)


def test_a_signature_names_its_key_and_verifies_with_the_published_one():
    keys = first_key_set(NOW)
    receipt = ReceiptSigner(keys, issuer="https://api.example").sign({"sub": "v1", "aud": "vendor"}, NOW)

    (published,) = jwt.PyJWKSet.from_dict(keys.jwks()).keys
    claims = jwt.decode(
        receipt, published, algorithms=["EdDSA"], audience="vendor", issuer="https://api.example"
    )
    assert jwt.get_unverified_header(receipt)["kid"] == published.key_id
    assert claims == {"iss": "https://api.example", "sub": "v1", "aud": "vendor"}


@pytest.mark.parametrize("text", ["", "{}", '{"keys": []}', '{"keys": [{"kid": "k"}]}', "not json"])
def test_a_broken_key_set_is_refused_without_repeating_it(text):
    with pytest.raises(KeySetBroken) as refused:
        KeySet.from_json(text)

    assert text not in str(refused.value) or not text
