"""Invitation codes: what is mailed, what is stored, and how a typed code is read."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.models.organisation import OrganisationModel
from chalicelib.models.user import UserModel
from chalicelib.services.people.invitations import (
    ALPHABET,
    digest,
    invitation_id_of,
    new_invitation,
    parse_token,
)

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


def test_a_code_is_16_crockford_characters_in_four_groups_and_carries_80_random_bits():
    # Given a fresh invitation
    token, made = invitation()

    # Then its code is typed from a phone: four groups of four, none of I, L, O or U
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", token)
    assert len(ALPHABET) == 32  # 16 x 5 bits = 80 bits, above the activation code's 60
    # and it names its invitation only through a hash: the key is found from the code, not carried in it
    assert made.item.invitation_id == invitation_id_of(token.replace("-", ""))  # type: ignore[attr-defined]
    assert len({invitation()[0] for _ in range(50)}) == 50


def test_only_the_hash_of_the_code_is_stored_and_the_code_travels_only_among_the_mails_secrets():
    token, made = invitation()
    item = made.item  # type: ignore[attr-defined]
    mail, _ = made.mail  # type: ignore[attr-defined]
    secret = token.replace("-", "")

    assert item.secret_digest == hashlib.sha256(secret.encode()).hexdigest() == digest(secret)
    assert item.invitation_id != item.secret_digest[:32]
    for shown in (secret, token):
        assert shown not in str(item.attribute_values)
        assert shown not in str(mail.context)
    assert mail.message_id == f"invitation:{item.invitation_id}"
    assert (mail.to_address, mail.language) == ("bo@example.org", "en")
    assert mail.context["username"] == "usr-k7m29xq4b8"


def test_an_invitation_lives_7_days():
    _, made = invitation()
    item = made.item  # type: ignore[attr-defined]
    assert item.expires_at == NOW + timedelta(days=7)
    assert item.delete_after > item.expires_at


CODE = "7K2MXQ4B8NDT0PQ9"


@pytest.mark.parametrize(
    "typed",
    [
        "7K2M-XQ4B-8NDT-0PQ9",
        "7k2m xq4b 8ndt 0pq9",
        " 7K2MXQ4B8NDT0PQ9\n",
        "7K2M-XQ4B-8NDT-OPQ9",
        "7K2M-XQ4B-8NDT-0PQ9-",
    ],
)
def test_a_typed_code_is_read_whatever_its_case_hyphens_and_spaces_with_o_as_zero(typed):
    assert parse_token(typed) == (invitation_id_of(CODE), CODE)


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        # An invitation mailed before the codes were short is still accepted until it expires
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
        ("0123456789abcdef0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ012+/a", None),
        ("7K2M-XQ4B-8NDT-0PQ", None),
        ("7K2M-XQ4B-8NDT-0PQ9U", None),
        ("7K2M-XQ4B-8NDT-0PQU", None),
        ("7K2M-XQ4B-8NDT-0PQÆ", None),
        ("", None),
    ],
)
def test_anything_else_is_not_a_code(typed, parsed):
    assert parse_token(typed) == parsed
