"""Mails and letters that lead somewhere: each links to the console's page with what it may safely carry
(a secret only in the URL's fragment, which no browser sends to a server), names the page's own words, and
ends with the support contact, in Danish and English."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.container import Container, use_container
from chalicelib.mail.render import TEMPLATES, kinds_with_templates
from chalicelib.models.base import transaction
from chalicelib.models.outbox import MailKind, Recipient, outgoing
from tests.colleagues import accept, colleague, created_user, record
from tests.integration.outbox.test_mail_pipeline import Pipeline
from tests.mailbox import SentMail, sent_mail
from tests.people import People

CONSOLE = "https://console.godkend.dk"
SUPPORT = {
    "support_email": "hjaelp@godkend.dk",
    "support_phone": "+45 33 12 34 56",
    "support_hours_da": "hverdage 8-15",
    "support_hours_en": "weekdays 8am-3pm",
}
PAGES = Path(__file__).resolve().parents[3] / "web" / "src"
URL = re.compile(r"https?://[^\s\"'<>]+")


def console_words(language: str, key: str) -> str:
    """What the console shows for `key` (web/src/i18n.tsx, i18n-en.ts): the mail must say the same."""
    source = (PAGES / ("i18n.tsx" if language == "da" else "i18n-en.ts")).read_text()
    found = re.search(rf'"{re.escape(key)}": "([^"]*)"', source)
    assert found, key
    return found.group(1)


@pytest.fixture
def staged(container: Container) -> Container:
    """The stage's console address and support contact, as .chalice/config.json gives a deployed stage."""
    settings = container.settings.model_copy(update={"console_origins": (CONSOLE,), **SUPPORT})
    staged = Container(settings=settings)
    use_container(staged)
    return staged


@pytest.fixture
def pipeline(staged: Container) -> Pipeline:
    return Pipeline()


def sample(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((TEMPLATES / kind / "sample.json").read_text())
    return loaded


def queue_sample(kind: str, language: str) -> str:
    """Each kind's example message, written to the outbox as its service would."""
    example = sample(kind)
    message_id = f"{kind}-{language}"
    message, condition = outgoing(
        MailKind(kind),
        to=Recipient(f"{message_id.replace('_', '-')}@example.org", "Mette Hansen"),
        language=language,
        context=example["context"],
        secrets=example.get("secrets") or None,
        now=datetime.now(UTC),
        message_id=message_id,
    )
    with transaction() as tx:
        tx.save(message, condition=condition)
    return message_id


def secrets_of(value: Any) -> list[str]:
    """Every secret value of a sample, also as typed without its hyphens."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in secrets_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in secrets_of(v)]
    return [str(value), str(value).replace("-", "")] if value else []


def links_in(mail: SentMail) -> list[str]:
    return URL.findall(mail.text) + URL.findall(mail.html)


def every_kind_sent(pipeline: Pipeline) -> dict[tuple[str, str], SentMail]:
    queued = {(kind, language) for kind in kinds_with_templates() for language in ("da", "en")}
    for kind, language in sorted(queued):
        queue_sample(kind, language)
    pipeline.run()
    sent = {m.to[0]: m for m in sent_mail()}
    return {(k, lang): sent[f"{k.replace('_', '-')}-{lang}@example.org"] for k, lang in queued}


def test_every_mail_and_letter_ends_with_the_stages_support_contact_in_its_language(pipeline: Pipeline):
    # Given one mail of every kind in each language, sent through the outbox
    sent = every_kind_sent(pipeline)

    # Then each ends, in text and HTML, with the stage's support address, telephone and opening hours,
    # and a link to the console
    for (kind, language), mail in sent.items():
        hours = SUPPORT[f"support_hours_{language}"]
        for body in (mail.text, mail.html):
            tail = body[body.index("Godkends support" if language == "da" else "Godkend support") :]
            for shown in (SUPPORT["support_email"], SUPPORT["support_phone"], hours, f"{CONSOLE}/"):
                assert shown in tail, (kind, language, shown)
        assert f'href="mailto:{SUPPORT["support_email"]}"' in mail.html
        assert 'href="tel:+4533123456"' in mail.html


def test_no_mail_carries_a_secret_in_a_links_path_or_query(pipeline: Pipeline):
    # Given one mail of every kind in each language, sent through the outbox
    sent = every_kind_sent(pipeline)

    for (kind, language), mail in sent.items():
        secrets = [s for s in secrets_of(sample(kind).get("secrets", {})) if len(s) >= 8]
        for link in links_in(mail):
            # Then no link's path or query holds a code; the fragment may (a browser never sends it)
            parts = urlsplit(link)
            for secret in secrets:
                assert secret.lower() not in (parts.path + "?" + parts.query).lower(), (kind, language, link)


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_invitation_links_to_its_page_with_the_code_in_the_fragment_and_the_pages_words(
    pipeline: Pipeline, language: str
):
    # Given an invitation mail
    queue_sample("invitation", language)
    pipeline.run()
    [mail] = sent_mail()
    code = sample("invitation")["secrets"]["invitation_token"]

    # Then it links to the console's invitation page with the code in the fragment
    assert f"{CONSOLE}/invitation#kode={code}" in mail.text
    assert f'href="{CONSOLE}/invitation#kode={code}"' in mail.html
    # and names the sign-in page's link and the page's button as the console says them
    for key in ("signin.invitation", "invite.submit"):
        words = console_words(language, key)
        assert f'"{words}"' in mail.text, words
        assert f'"{words}"' in mail.html, words
    assert "Accepter invitation" not in mail.text + mail.html


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_activation_letter_links_each_username_to_the_activation_page_and_uses_its_words(
    pipeline: Pipeline, language: str
):
    # Given a letter with two applications
    queue_sample("activation_letter", language)
    pipeline.run()
    [mail] = sent_mail()

    # Then each application links to the activation page with its username (not its code) filled in
    for application in sample("activation_letter")["context"]["applications"]:
        link = f"{CONSOLE}/aktiver#brugernavn={application['username']}"
        assert link in mail.text
        assert f'href="{link}"' in mail.html
    # and the letter names the sign-in page's link and the page's button as the console says them
    for key in ("signin.activate", "activate.submit"):
        words = " ".join(console_words(language, key).split())
        assert f'"{words}"' in " ".join(mail.text.split()), words
        assert f'"{words}"' in mail.html, words
    assert "Aktivér adgang" not in mail.text + mail.html


def test_an_invitation_mailed_by_the_service_is_accepted_with_the_code_its_link_carries(
    client, people: People, pipeline: Pipeline
):
    # Given an administrator who creates a colleague's login
    org = people.organisation()
    admin = people.member(org)
    user = created_user(client, admin, colleague(org))

    # When the invitation mail goes out
    pipeline.run()
    [mail] = [m for m in sent_mail() if "Invitationskode" in m.text]

    # Then its code is 16 characters in four groups, and the link carries it in the fragment only
    code = re.search(r"Invitationskode: (\S+)", mail.text).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    [link] = [u for u in URL.findall(mail.text) if "/invitation" in u]
    parts = urlsplit(link)
    assert (parts.path, parts.query, parts.fragment) == ("/invitation", "", f"kode={code}")
    # and the code from the link is accepted
    assert accept(client, parts.fragment.removeprefix("kode=")).status_code == 201
    assert record(user["user_id"]).status == "active"


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_expired_codes_mail_links_its_issuer_to_the_codes_tab(pipeline: Pipeline, language: str):
    # Given the mail to whoever made a code that has expired
    queue_sample("code_expired", language)
    pipeline.run()
    [mail] = sent_mail()

    # Then its first step, signing in, links to Min konto's tab where the code is renewed
    link = f"{CONSOLE}/min-konto/godkendelseskode"
    assert f"{link}." in mail.text
    assert f'href="{link}"' in mail.html
