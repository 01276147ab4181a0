"""Invitation codes: what is mailed, what is stored, and how a typed code is read."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.models.organisation import OrganisationModel
from chalicelib.models.user import UserModel
from chalicelib.services.people.invitations import TOKEN, digest, new_invitation, parse_token

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def invitation() -> tuple[str, object]:
    user = UserModel(
        "usr-k7m29xq4b8",
        org_id="org-1",
        first_name="Bo",
        last_name="Holm",
        email="bo@example.org",
        mobile="+4522334455",
        language="en",
        created_at=NOW,
    )
    organisation = OrganisationModel("org-1", name="Røde Kors", handle="RoedeKors", primary_cvr="29180008")
    made = new_invitation(user, organisation, invited_by="Anne", by_user_id="adm-1", now=NOW)
    mail, _ = made.mail
    return str((mail.secrets or {})["invitation_token"]), made


def test_a_code_names_its_invitation_and_carries_192_random_bits():
    token, made = invitation()
    invitation_id, secret = token.split(".")

    assert TOKEN.match(token)
    assert invitation_id == made.item.invitation_id  # type: ignore[attr-defined]
    # 32 URL-safe base64 characters hold 24 bytes from `secrets`
    assert len(secret) == 32
    assert len({invitation()[0].split(".")[1] for _ in range(50)}) == 50


def test_only_the_hash_of_the_secret_is_stored_and_the_code_travels_only_among_the_mails_secrets():
    token, made = invitation()
    item = made.item  # type: ignore[attr-defined]
    mail, _ = made.mail  # type: ignore[attr-defined]
    secret = token.split(".")[1]

    assert item.secret_digest == hashlib.sha256(secret.encode()).hexdigest() == digest(secret)
    assert secret not in str(item.attribute_values)
    assert secret not in str(mail.context)
    assert mail.message_id == f"invitation:{item.invitation_id}"
    assert (mail.to_address, mail.language) == ("bo@example.org", "en")
    assert mail.context["username"] == "usr-k7m29xq4b8"


def test_an_invitation_lives_7_days():
    _, made = invitation()
    item = made.item  # type: ignore[attr-defined]
    assert item.expires_at == NOW + timedelta(days=7)
    assert item.delete_after > item.expires_at


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        (
            "0123456789abcdef0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ012-_a",
            ("0123456789abcdef0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012-_a"),
        ),
        (
            " 0123456789abcdef0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ012-_a\n",
            ("0123456789abcdef0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012-_a"),
        ),
        ("0123456789ABCDEF0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ012-_a", None),
        ("0123456789abcdef0123456789abcdef ABCDEFGHIJKLMNOPQRSTUVWXYZ012-_a", None),
        ("0123456789abcdef0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ012-_", None),
        ("0123456789abcdef0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ012+/a", None),
        ("", None),
    ],
)
def test_a_typed_code_is_read_only_in_its_exact_shape(typed, parsed):
    assert parse_token(typed) == parsed
