"""Rules of the letters to official mailboxes that need no storage: what a letter may print, who a caller is,
the room a sliding window leaves, and where a letter asked for goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.errors import NotPrintable, TooManyRequests
from chalicelib.models.mailbox import MailboxModel
from chalicelib.services.onboarding.caller_limits import caller_of
from chalicelib.services.onboarding.letter_text import (
    ApplicationBlock,
    compose,
    email_fits_letter,
    name_fits_letter,
    printed_person,
)
from chalicelib.services.onboarding.mailboxes import (
    MAX_APPLICATIONS,
    Addressee,
    Pacing,
    after_sending,
    slot_for_application,
    slot_for_claim,
)
from chalicelib.services.vendors.failure_limit import FailureLimit

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = Pacing(interval=timedelta(hours=1))
TO = Addressee("41270004", "Blå Kors Odense", "e-boks+41270004@digitalpost.example")

# What a letter prints


@pytest.mark.parametrize(
    "name",
    [
        "Ida",
        "Anne-Marie",
        "O'Brien",
        "Ma\u2019ruf",
        "Jens Chr.",
        "Zoë",
        "Zoe\u0308",
        "Σοφία",
        "Łukasz",
        "李娜",
    ],
)
def test_letters_of_any_script_with_marks_spaces_hyphens_apostrophes_and_full_stops_fit(name):
    assert name_fits_letter(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        " Ida",
        "-Ida",
        "\u0308Ida",  # a mark with no letter under it
        "Ida 2",
        "Ring 70203040",
        "https://evil.example",
        "evil.example/login",
        "ida@example.org",
        "Skat: ring",
        "Bo_Bo",
        "Holm (Skat)",
        "Ida\u3164",  # Hangul filler, a letter by its class that shows as nothing
        "Ida\u200b",  # zero-width space
        "Ida\u2800",  # braille blank
        "Ida\U000e0041",  # a tag character
        "Ida\ufe0f",  # a variation selector
        "Ida\u00a0Holm",  # a no-break space
        "Ida\nHolm",
        "Ida٣",  # an Arabic-Indic digit
    ],
)
def test_digits_signs_and_invisible_characters_do_not(name):
    assert not name_fits_letter(name)


@pytest.mark.parametrize("email", ["ida@example.org", "ida.holm+godkend@post.example.dk", "i_h-1@a-b.dk"])
def test_a_plain_address_fits(email):
    assert email_fits_letter(email)


@pytest.mark.parametrize(
    "email",
    ["ring!straks@evil.example", "a/b@evil.example", "ida@localhost", "ida@@example.org", "'x'@ex.dk"],
)
def test_an_address_that_could_carry_more_does_not(email):
    assert not email_fits_letter(email)


def test_a_letter_is_composed_only_of_what_fits():
    block = ApplicationBlock(
        person=printed_person("Ida", "Holm", "ida@example.org"), username="adm-x", code="C", expires_at=NOW
    )
    letter = compose(company_name="Blå Kors Odense", cvr="41270004", service_address="", applications=[block])
    assert letter.context["applications"][0]["applicant_name"] == "Ida Holm"

    with pytest.raises(NotPrintable) as refused:
        printed_person("Ring", "70203040", "ida@example.org")
    assert [e.field for e in refused.value.errors] == ["applicant.last_name"]


# Who a caller is


@pytest.mark.parametrize(
    ("source", "counted_as"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("unknown", "unknown"),
    ],
)
def test_a_caller_is_an_ipv4_address_or_an_ipv6_network(source, counted_as):
    assert caller_of(source) == counted_as


# The room a sliding window leaves


@pytest.mark.parametrize("previous", [0, 1, 3, 5, 9])
@pytest.mark.parametrize("elapsed", [0, 1, 1799, 1800, 3599])
def test_a_request_is_counted_exactly_while_the_window_is_not_blocked(previous, elapsed):
    limit = FailureLimit(limit=5, window_seconds=3600)
    at = 36000 + elapsed
    room = limit.room(at, previous)
    for current in range(0, 8):
        assert (current < room) == (not limit.blocked(at, current, previous)), (current, room)


# Where a letter asked for goes


def test_the_first_letter_in_a_quiet_hour_goes_at_once_and_the_next_is_gathered_an_hour_after_it():
    first = slot_for_application(None, TO, "a1", NOW, HOUR)
    assert (first.at_once, first.due_at) == (True, NOW)

    later = NOW + timedelta(minutes=20)
    second = slot_for_application(first.mailbox, TO, "a2", later, HOUR)
    assert (second.at_once, second.due_at) == (False, NOW + timedelta(hours=1))
    assert second.letter_id is not None
    assert second.mailbox.waiting_applications == ["a2"]

    third = slot_for_claim(second.mailbox, TO, "org-1", later, HOUR)
    assert (third.letter_id, third.due_at) == (second.letter_id, second.due_at)
    assert (third.mailbox.waiting_applications, third.mailbox.waiting_claims) == (["a2"], ["org-1"])


def test_a_full_gathered_letter_refuses_an_application_until_it_has_gone():
    mailbox: MailboxModel = slot_for_application(None, TO, "a0", NOW, HOUR).mailbox
    for n in range(MAX_APPLICATIONS):
        mailbox = slot_for_application(mailbox, TO, f"a{n + 1}", NOW, HOUR).mailbox

    with pytest.raises(TooManyRequests) as refused:
        slot_for_application(mailbox, TO, "late", NOW + timedelta(minutes=30), HOUR)
    assert refused.value.retry_after_seconds == 35 * 60

    # A claim is never refused: it has no promise to keep, and nobody to answer after an activation
    assert slot_for_claim(mailbox, TO, "org-1", NOW, HOUR).mailbox.waiting_claims == ["org-1"]


def test_after_a_gathered_letter_the_mailbox_is_quiet_for_an_hour_and_claims_left_over_wait_for_the_next():
    gathered = slot_for_application(
        slot_for_application(None, TO, "a", NOW, HOUR).mailbox, TO, "b", NOW, HOUR
    )
    sent_at = NOW + timedelta(hours=1)

    quiet = after_sending(gathered.mailbox, sent_at, HOUR, sent=True, left_claims=[])
    assert (quiet.last_letter_at, quiet.is_gathering) == (sent_at, False)

    left = after_sending(gathered.mailbox, sent_at, HOUR, sent=True, left_claims=["org-9"])
    assert (left.gathering_due_at, left.waiting_claims) == (sent_at + timedelta(hours=1), ["org-9"])
    assert left.gathering_id != gathered.letter_id
