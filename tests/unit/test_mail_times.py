"""Times in mails are for people in Denmark: Danish time, the Danish way, and in English mails in English. The
outbox keeps them as the API states them, ISO 8601 in UTC."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from chalicelib.mail.render import TEMPLATES, danish_time, kinds_with_templates, render

KINDS = kinds_with_templates()


@pytest.mark.parametrize(
    ("utc", "danish", "english"),
    [
        # Winter: Danish time is UTC+1
        ("2027-01-30T21:34:00Z", "30. januar 2027 kl. 22:34", "30 January 2027 at 22:34 Danish time"),
        # Summer: UTC+2
        ("2027-07-01T10:00:00Z", "1. juli 2027 kl. 12:00", "1 July 2027 at 12:00 Danish time"),
        # Late in the UTC evening it is already the next day in Denmark
        ("2027-12-31T23:30:00Z", "1. januar 2028 kl. 00:30", "1 January 2028 at 00:30 Danish time"),
    ],
)
def test_a_time_is_shown_in_danish_time(utc, danish, english):
    assert danish_time(utc, "da") == danish
    assert danish_time(utc, "en") == english


@pytest.mark.parametrize(
    ("utc", "danish"),
    [
        # Spring forward on 28 March 2027: 02:00 does not happen, 01:59 is followed by 03:00
        ("2027-03-28T00:59:00Z", "28. marts 2027 kl. 01:59"),
        ("2027-03-28T01:00:00Z", "28. marts 2027 kl. 03:00"),
        # Fall back on 31 October 2027: 02:30 happens twice, an hour apart in UTC
        ("2027-10-31T00:30:00Z", "31. oktober 2027 kl. 02:30"),
        ("2027-10-31T01:30:00Z", "31. oktober 2027 kl. 02:30"),
        ("2027-10-31T02:00:00Z", "31. oktober 2027 kl. 03:00"),
    ],
)
def test_the_clock_changes_are_followed(utc, danish):
    assert danish_time(utc, "da") == danish


def test_a_datetime_and_the_older_outbox_format_are_read_too():
    # Mails queued before times were kept as ISO 8601 said "2027-01-20 14:03 UTC"
    assert danish_time("2027-01-20 14:03 UTC", "da") == "20. januar 2027 kl. 15:03"
    assert (
        danish_time(datetime(2027, 1, 20, 14, 3, tzinfo=UTC), "en") == "20 January 2027 at 15:03 Danish time"
    )


def test_a_time_without_a_time_zone_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="time zone"):
        danish_time("2027-01-20T14:03:00", "da")


def test_the_new_code_mail_says_until_when_in_danish_time():
    # Given a code that expires at 21:34 UTC on 30 January 2027
    variables = {
        "recipient_name": "Mette Hansen",
        "organisation_name": "Røde Kors Aarhus",
        "expires_at": "2027-01-30T21:34:00Z",
        "renewed": False,
        "code": "7k2m9xq4@RoedeKorsAarhus",
    }

    # When the mail is rendered in Danish and in English
    danish = render("code_issued", "da", variables)
    english = render("code_issued", "en", variables)

    # Then each states the expiry in Danish time, in its own language
    assert "Koden gælder til 30. januar 2027 kl. 22:34." in danish.text
    assert "Koden gælder til 30. januar 2027 kl. 22:34." in danish.html
    assert "valid until 30 January 2027 at 22:34 Danish time." in english.text
    assert "valid until 30 January 2027 at 22:34 Danish time." in english.html


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_mail_shows_a_utc_or_machine_time(kind, language):
    given = json.loads((TEMPLATES / kind / "sample.json").read_text())
    mail = render(kind, language, {**given["context"], **given.get("secrets", {}), "recipient_name": "X"})

    for part in (mail.subject, mail.text, mail.html):
        assert "UTC" not in part
        assert not re.search(r"\d{4}-\d\d-\d\d", part), part


def test_every_time_a_template_shows_goes_through_the_danish_time_filter():
    # A variable named like a time (…_at) printed without the filter would show ISO 8601 to a person
    unfiltered = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.*"))
        if path.suffix in {".txt", ".html"}
        for match in re.finditer(r"\{\{\s*\w+_at\s*(\}\}|\|(?!\s*danish_time))", path.read_text())
    ]
    assert unfiltered == []
