"""Receipts prove themselves (journey 15): a valid check's answer and the stored receipt carry a JWS that a
vendor or an auditor verifies offline with PyJWT against `GET /.well-known/jwks.json` alone; a changed claim
or another key fails; a rotation keeps old receipts verifying; the private key shows up nowhere."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.models.validation import ReceiptModel
from chalicelib.services.vendors.receipt_keys import JWKS_MAX_AGE_SECONDS, PUBLISH_AHEAD, KeySet
from infra.receipt_keys import rotate_secret
from tests import recorder
from tests.conftest import RECEIPT_ISSUER
from tests.integration.vendors.test_validations import a_code, receipt_of, validate
from tests.people import json_of

# What a receipt says besides the registered claims: exactly what the vendor was told.
TOLD = ("validated_at", "code_expires_at", "organisation", "representative", "livemode")


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # A check's `iat` is its second; a fixed clock makes it known (and a little in the past, as it is for an
    # auditor).
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=1))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def published(client: Any) -> jwt.PyJWKSet:
    response = client.http.get("/.well-known/jwks.json")
    assert response.status_code == 200, response.body
    return jwt.PyJWKSet.from_dict(json_of(response))


def verified(receipt: str, keys: jwt.PyJWKSet, vendor_id: str) -> dict[str, Any]:
    """As the vendor guide does it: the key the header names, from the JWKS alone."""
    kid = jwt.get_unverified_header(receipt)["kid"]
    claims: dict[str, Any] = jwt.decode(
        receipt, keys[kid], algorithms=["EdDSA"], audience=vendor_id, issuer=RECEIPT_ISSUER
    )
    return claims


def kid_of(receipt: str) -> str:
    return str(jwt.get_unverified_header(receipt)["kid"])


def with_claim(receipt: str, **changes: Any) -> str:
    """The receipt with its payload changed and its signature kept."""
    header, payload, signature = receipt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


def the_secret(container: Container) -> str:
    value = boto3.client("secretsmanager", region_name="eu-west-1").get_secret_value(
        SecretId=container.settings.receipt_keys_secret
    )
    return str(value["SecretString"])


def test_a_receipt_verifies_against_the_published_keys_alone(client, people, clock):
    # Given a vendor's valid check
    org, _, code = a_code(client, people)
    vendor = people.vendor()
    answer = validate(client, vendor, code["code"])

    # When its receipt is verified with PyJWT against the published keys, and nothing else
    claims = verified(answer["receipt"], published(client), vendor.vendor_id)

    # Then it says who was validated for whom, when, until when: what the answer said
    assert claims["sub"] == answer["validation_id"]
    assert claims["aud"] == vendor.vendor_id
    assert claims["iss"] == RECEIPT_ISSUER
    assert claims["iat"] == int(clock.now().timestamp())
    assert {name: claims[name] for name in TOLD} == {
        "validated_at": claims["validated_at"],
        "code_expires_at": answer["code_expires_at"],
        "organisation": answer["organisation"],
        "representative": answer["representative"],
        "livemode": True,
    }
    assert claims["organisation"]["cvr"] == org.companies[0].cvr


def test_the_stored_receipt_carries_a_receipt_with_the_same_claims(client, people, clock):
    # Given a valid check, and the code revoked since
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    answer = validate(client, vendor, code["code"])
    keys = published(client)

    # When the vendor reads the receipt later
    clock.advance(timedelta(days=3))
    response = receipt_of(client, vendor, answer["validation_id"])

    # Then its JWS verifies too, and says exactly what the check's own did
    assert response.status_code == 200, response.body
    stored = json_of(response)
    assert stored["livemode"] is True
    assert verified(stored["receipt"], keys, vendor.vendor_id) == verified(
        answer["receipt"], keys, vendor.vendor_id
    )
    assert stored["validated_at"] == verified(answer["receipt"], keys, vendor.vendor_id)["validated_at"]


@pytest.mark.parametrize(
    "change",
    [
        {"organisation": {"name": "Another", "legal_name": "A", "cvr": "10000009", "handle": "X"}},
        {"aud": "another-vendor"},
        {"code_expires_at": "2099-01-01T00:00:00Z"},
        {"livemode": False},
    ],
    ids=["organisation", "vendor", "expiry", "livemode"],
)
def test_a_receipt_with_a_changed_claim_fails(client, people, clock, change):
    # Given a valid check's receipt
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    receipt = validate(client, vendor, code["code"])["receipt"]
    keys = published(client)

    # When one claim is changed, the signature kept
    forged = with_claim(receipt, **change)

    # Then it no longer verifies
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, keys[kid_of(receipt)], algorithms=["EdDSA"], options={"verify_aud": False})


def test_a_receipt_signed_with_another_key_fails(client, people, clock):
    # Given a valid check's receipt, and the same claims signed by a key that is not Godkend's, under its kid
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    receipt = validate(client, vendor, code["code"])["receipt"]
    claims = jwt.decode(receipt, options={"verify_signature": False})
    forged = jwt.encode(
        claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid_of(receipt)}
    )

    # When it is verified against the published keys, it fails
    with pytest.raises(jwt.InvalidSignatureError):
        verified(forged, published(client), vendor.vendor_id)


def test_after_a_rotation_old_receipts_verify_and_new_ones_carry_the_new_key(
    client, people, container, clock
):
    # Given a receipt signed before a rotation
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    before = validate(client, vendor, code["code"])["receipt"]

    # When the operator rotates the key (make rotate-receipt-key)
    rotated = rotate_secret(
        boto3.client("secretsmanager", region_name="eu-west-1"),
        container.settings.receipt_keys_secret,
        clock.now(),
    )
    new_kid = max(rotated.keys, key=lambda key: key.signs_from).kid

    # Then the new key is published within the JWKS's max-age, while receipts are still signed with the old
    clock.advance(timedelta(seconds=JWKS_MAX_AGE_SECONDS))
    assert new_kid in [key.key_id for key in published(client).keys]
    use_container(Container(settings=container.settings, clock=clock))  # a function started since
    assert kid_of(validate(client, vendor, code["code"])["receipt"]) == kid_of(before)

    # And once the new key signs, a new container's receipts carry it, and the old receipt still verifies
    clock.advance(PUBLISH_AHEAD)
    use_container(Container(settings=container.settings, clock=clock))
    after = validate(client, vendor, code["code"])["receipt"]
    keys = published(client)
    assert kid_of(after) == new_kid != kid_of(before)
    assert verified(before, keys, vendor.vendor_id)["sub"] != verified(after, keys, vendor.vendor_id)["sub"]
    # And after the next rotation the first key keeps only its public half, and its receipt still verifies
    rotate_secret(
        boto3.client("secretsmanager", region_name="eu-west-1"),
        container.settings.receipt_keys_secret,
        clock.now(),
    )
    old = next(key for key in KeySet.from_json(the_secret(container)).keys if key.kid == kid_of(before))
    assert old.private is None
    clock.advance(timedelta(seconds=JWKS_MAX_AGE_SECONDS))
    assert verified(before, published(client), vendor.vendor_id)["sub"]


def test_the_keys_are_public_cacheable_and_never_the_private_part(client, container):
    # When anyone asks for the keys
    response = client.http.get("/.well-known/jwks.json")

    # Then they are the key set's public keys, which caches may keep for a while
    assert response.status_code == 200, response.body
    assert response.headers["Cache-Control"] == f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    keys = json_of(response)["keys"]
    assert [key["kid"] for key in keys] == [key.kid for key in KeySet.from_json(the_secret(container)).keys]
    assert all(set(key) == {"kty", "crv", "x", "kid", "alg", "use"} for key in keys)
    # And the private part is in no answer
    private = json.loads(the_secret(container))["keys"][0]["private"]["d"]
    assert private not in response.body.decode()


def test_the_private_key_never_reaches_the_logs_or_an_answer(client, people, container, clock, logs, capfd):
    # Given the stage's key set
    private = json.loads(the_secret(container))["keys"][0]["private"]["d"]
    _, _, code = a_code(client, people)
    vendor = people.vendor()

    # When a vendor checks a code, reads the receipt and the keys, and the service's objects are printed
    answer = validate(client, vendor, code["code"])
    bodies = [
        json.dumps(answer),
        receipt_of(client, vendor, answer["validation_id"]).body.decode(),
        client.http.get("/.well-known/jwks.json").body.decode(),
        repr(container.receipt_signer),
        repr(container.receipt_key_set()),
        repr(container.receipt_key_set().keys),
    ]
    printed = capfd.readouterr()

    # Then the private key is in none of it
    for text in (*bodies, logs.text, printed.out, printed.err):
        assert private not in text


def test_a_warm_function_signs_without_a_call_to_secrets_manager(client, people, container, clock):
    # Given a function that has answered one check (and read the key set for it)
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    use_container(Container(settings=container.settings, clock=clock))
    validate(client, vendor, code["code"])
    before = recorder.count("secretsmanager", "GetSecretValue")

    # When it answers more checks
    for _ in range(3):
        validate(client, vendor, code["code"])

    # Then none of them asked Secrets Manager: the key set is in memory
    assert recorder.count("secretsmanager", "GetSecretValue") == before


def test_a_stage_without_a_key_set_keeps_no_receipt_it_could_not_give(client, people, container, clock):
    # Given a stage whose receipt key set is missing (misconfigured)
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    settings = container.settings.model_copy(update={"receipt_keys_secret": ""})
    use_container(Container(settings=settings, clock=clock))

    # When a vendor checks a valid code
    body = json.dumps({"code": code["code"]}).encode()
    response = client.http.post(
        "/v1/validations", headers={**vendor.auth, "content-type": "application/json"}, body=body
    )

    # Then it fails (the operator's alarm on 5xx says so) without keeping a receipt the vendor never got
    assert response.status_code == 500
    assert list(ReceiptModel.scan()) == []


def test_the_first_rotation_makes_the_key_set_of_the_secret_the_stack_made_empty(aws):
    # Given the secret as the stack makes it: no value
    secretsmanager = boto3.client("secretsmanager", region_name="eu-west-1")
    secretsmanager.create_secret(Name="godkend-dev/receipt-keys")
    now = datetime.now(UTC)

    # When the operator runs make rotate-receipt-key, twice
    first = rotate_secret(secretsmanager, "godkend-dev/receipt-keys", now)
    second = rotate_secret(secretsmanager, "godkend-dev/receipt-keys", now)

    # Then the first made one key that signs at once, and the second added one that signs an hour later
    assert len(first.keys) == 1
    assert first.signing_key(now).kid == first.keys[0].kid
    assert [key.kid for key in second.keys][:1] == [first.keys[0].kid]
    assert second.keys[1].signs_from == now + PUBLISH_AHEAD
    stored = secretsmanager.get_secret_value(SecretId="godkend-dev/receipt-keys")["SecretString"]
    assert KeySet.from_json(stored) == second
