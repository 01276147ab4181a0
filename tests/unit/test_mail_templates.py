"""Every kind of mail renders in Danish and English, with the recipient's name, escaped HTML, and no secret
in its subject."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.mail.render import TEMPLATES, kinds_with_templates, render
from chalicelib.models.outbox import Language, MailKind

KINDS = kinds_with_templates()


def sample(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TEMPLATES / kind / "sample.json").read_text())
    return data


def secrets_in(given: dict[str, Any]) -> list[str]:
    """Each secret of a sample: a letter keeps a list of codes, one per block."""
    found: list[str] = []
    for value in given.get("secrets", {}).values():
        found += value if isinstance(value, list) else [value]
    return found


def test_every_mail_kind_has_templates_and_every_template_a_kind():
    assert sorted(k.value for k in MailKind) == KINDS


@pytest.mark.parametrize("language", [lang.value for lang in Language])
@pytest.mark.parametrize("kind", KINDS)
def test_a_mail_renders_with_name_secrets_in_the_body_and_none_in_the_subject(kind, language):
    given = sample(kind)
    mail = render(
        kind, language, {**given["context"], **given.get("secrets", {}), "recipient_name": given["to_name"]}
    )

    assert mail.subject
    assert "\n" not in mail.subject
    assert given["to_name"] in mail.text
    for secret in secrets_in(given):
        assert secret not in mail.subject
        assert secret in mail.text
        assert secret in mail.html


# What people typed that a kind prints, where it is not the recipient's name: a support answer greets nobody
# by name (the name is what a stranger typed), and prints staff's text.
TYPED = {"support_answer": "answer"}


@pytest.mark.parametrize("kind", KINDS)
def test_html_parts_escape_what_people_typed(kind):
    given = sample(kind)
    typed = {TYPED.get(kind, "recipient_name"): "<script>x</script>"}
    mail = render(kind, "da", {**given["context"], **given.get("secrets", {}), "recipient_name": "", **typed})
    assert "<script>x</script>" not in mail.html
    assert "&lt;script&gt;x&lt;/script&gt;" in mail.html


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_variable_is_an_error_not_a_blank(kind):
    with pytest.raises(Exception, match="undefined"):
        render(kind, "da", {"recipient_name": "X"})
