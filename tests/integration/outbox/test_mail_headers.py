"""A mail names exactly one recipient, however its name is written: the To header is built from a structured
address, through the real path (a code made through the API, the outbox, the mail pipeline, SES on the
emulator, and the `.local/mail` copy), and read back as a mail reader reads it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, quoprimime
from email.policy import compat32, default
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest

from chalicelib.container import Container, use_container
from chalicelib.mail.mime import build_message
from chalicelib.mail.render import RenderedMail
from chalicelib.models.code import CodeModel
from tests.integration.outbox.test_mail_pipeline import Pipeline
from tests.mailbox import sent_mail
from tests.onboarding import post
from tests.people import Org, People, Person, json_of

ADDRESS = "mette@example.org"
HOSTILE = "Kim Hansen, ledelsen <direktion@offer.dk>"
# Names as they may be stored (from before the name rules, or from anywhere else), and as the rules allow.
NAMES = [
    HOSTILE,
    f"{HOSTILE} Andersen Kierkegaard Rasmussen Holm Jensen",
    f"{HOSTILE} Ærø Kjærsgaard",
    'Kim "Direktør" Hansen',
    'Back\\slash "and" quote\\',
    "Bo <bo@evil.example>, Ib <ib@evil.example>",
    "=?utf-8?q?direktion=40offer=2Edk?= Hansen",
    "Søren Ø. Kierkegaard-Hansen",
    "O'Neill",
    "Åse",
    "Σωκράτης Παπαδόπουλος",
    "Иван Петров",
    "Ø" * 100 + " " + "Å" * 100,
    "Anne-Marie K. O'Neill " + "Kierkegaard-Hansen " * 8 + "Holm",
    "x" * 201,
]
ENCODED_WORD = re.compile(r"=\?utf-8\?q\?([^?]*)\?=")
JSON = {"content-type": "application/json"}


def recipients(raw: bytes) -> list[tuple[str, str]]:
    """Who a mail reader finds in the To header: exactly what `getaddresses` makes of it."""
    parsed = message_from_bytes(raw, policy=default)
    return getaddresses([str(value) for value in parsed.get_all("To") or []])


def shown_name(raw: bytes) -> str:
    """The To header's display name as RFC 2047 reads it: adjacent encoded words joined without the folding
    space between them (which the standard library's parser keeps, unlike mail readers)."""
    value = str(message_from_bytes(raw, policy=compat32)["To"]).replace("\r\n", "").replace("\n", "")
    phrase = value.rpartition(" <")[0]
    if ENCODED_WORD.search(phrase):
        assert ENCODED_WORD.sub("", phrase).strip() == "", f"text beside the encoded words: {phrase!r}"
        return b"".join(
            quoprimime.header_decode(w).encode("latin-1") for w in ENCODED_WORD.findall(phrase)
        ).decode()
    [address] = message_from_bytes(raw, policy=default)["To"].addresses
    return str(address.display_name)


def header_lines(raw: bytes) -> list[str]:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


@pytest.mark.parametrize("name", NAMES)
def test_the_to_header_names_exactly_one_recipient_whatever_the_name_holds(name):
    # When a mail is built for a recipient of that name
    raw = build_message(
        sender="Godkend <noreply@godkend.dk>",
        to_address=ADDRESS,
        to_name=name,
        mail=RenderedMail(subject="Din kode", text="Hej", html="<p>Hej</p>"),
        at=datetime.now(UTC),
    )

    # Then a reader finds one recipient, at the address, under exactly that name, in ASCII lines of at most
    # 78 characters
    assert [address for _, address in recipients(raw)] == [ADDRESS]
    assert shown_name(raw) == name
    assert all(len(line) <= 78 for line in header_lines(raw))
    assert [line for line in header_lines(raw) if line.startswith("From:")] == [
        "From: Godkend <noreply@godkend.dk>"
    ]


@pytest.fixture
def archive(container: Container, tmp_path: Path) -> Path:
    """The local stack's `.local/mail`: every mail sent is also kept as an .eml file."""
    settings = container.settings.model_copy(update={"mail_archive_dir": str(tmp_path)})
    use_container(Container(settings=settings, clock=container.clock))
    return tmp_path


def make_code(client: Any, person: Person, org: Org, first_name: str, last_name: str) -> dict[str, Any]:
    body = {
        "first_name": first_name,
        "last_name": last_name,
        "email": ADDRESS,
        "company": org.companies[0].cvr,
        "account": "A1",
    }
    response = post(client, "/v1/codes", body, person.auth)
    assert response.status_code == 201, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def delivered(archive: Path) -> list[bytes]:
    """The mail as SES on the emulator received it, the same bytes as its `.local/mail` copy."""
    Pipeline().run()
    raws = [mail.raw for mail in sent_mail()]
    assert sorted(path.read_bytes() for path in archive.glob("*.eml")) == sorted(raws)
    return raws


def test_a_representative_named_as_the_rules_allow_gets_a_mail_for_exactly_them(
    client, people: People, archive: Path
):
    # Given an administrator, and the longest, least plain name the rules allow
    org = people.organisation()
    admin = people.member(org)
    first, last = "Anne-Marie K. O'Neill " + "Ærø" * 26, "Søren Ø. Kierkegaard-Hansen " + "å" * 72

    # When a code is made for that representative through the API, and the mail goes out
    make_code(client, admin, org, first, last)
    [raw] = delivered(archive)

    # Then the mail, as sent and as kept, names exactly that one recipient
    assert [address for _, address in recipients(raw)] == [ADDRESS]
    assert shown_name(raw) == f"{first} {last}"


def test_a_renewal_for_a_name_stored_under_older_rules_still_names_exactly_one_recipient(
    client, people: People, archive: Path
):
    # Given a code made through the API for a representative whose stored name holds a comma and an address
    # in angle brackets, long enough to be folded (as names were stored before the name rules)
    org = people.organisation()
    admin = people.member(org)
    code = make_code(client, admin, org, "Kim", "Hansen")
    stored = CodeModel.get(code["code_id"])
    stored.update(
        actions=[
            CodeModel.first_name.set(HOSTILE),
            CodeModel.last_name.set("Andersen Kierkegaard Rasmussen Holm Jensen"),
        ]
    )

    # When it is renewed through the API, and the new code is mailed
    renewed = client.http.post(f"/v1/codes/{code['code_id']}/renew", headers=admin.auth)
    assert renewed.status_code == 200, renewed.body
    raw = delivered(archive)[-1]

    # Then a mail reader finds one recipient, the representative, under the whole stored name
    assert [address for _, address in recipients(raw)] == [ADDRESS]
    assert shown_name(raw) == f"{HOSTILE} Andersen Kierkegaard Rasmussen Holm Jensen"
