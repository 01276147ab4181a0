"""Renders a mail from its templates: chalicelib/mail/templates/<kind>/{subject,body}.<language>.txt and
body.<language>.html (which extends _layout.<language>.html). HTML is autoescaped; a variable a template
uses but the message lacks is an error, never a blank. Each kind's sample.json holds example variables for
the tests. Subjects never carry secrets: a mail's subject shows in notifications and lock screens.

Times reach the templates as the outbox keeps them, ISO 8601 in UTC, and are shown to people in Danish time
through the `danish_time` filter: "30. januar 2027 kl. 22:34", in English "30 January 2027 at 22:34 Danish
time"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
DANISH_TIME = "Europe/Copenhagen"
# CLDR patterns: Babel supplies the month names; the words around the time are each language's own.
TIME_FORMATS = {
    "da": ("da_DK", "d. MMMM y 'kl.' HH:mm", ""),
    "en": ("en_GB", "d MMMM y 'at' HH:mm", " Danish time"),
}
# How times were written into the outbox before they were kept as ISO 8601; such mails may still be queued.
LEGACY_FORMAT = "%Y-%m-%d %H:%M UTC"


@dataclass(frozen=True)
class MailFrame:
    """What every mail of a stage shares: the console's address its links lead to (empty: no links) and the
    support contact it ends with. Given by the delivery at send time, so a mail retried later names the
    address and contact that hold then."""

    console_address: str = ""
    support_email: str = "support@godkend.example"
    support_phone: str = "+45 70 00 00 00"
    support_hours: dict[str, str] = field(
        default_factory=lambda: {"da": "hverdage 9-16", "en": "weekdays 9am-4pm"}
    )

    def variables(self, language: str) -> dict[str, Any]:
        return {
            "console": self.console_address.rstrip("/"),
            "support": {
                "email": self.support_email,
                "phone": self.support_phone,
                "hours": self.support_hours.get(language, ""),
            },
        }


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def danish_time(value: str | datetime, language: str) -> str:
    """An instant as people in Denmark read it, in the mail's language, whatever the season."""
    # Babel and its locale data load only when a mail is rendered, not on every cold start.
    from babel.dates import format_datetime

    locale, pattern, suffix = TIME_FORMATS[language]
    return format_datetime(instant(value), pattern, tzinfo=ZoneInfo(DANISH_TIME), locale=locale) + suffix


def instant(value: str | datetime) -> datetime:
    """An aware datetime from a mail's variable: ISO 8601 (`2027-01-30T21:34:00Z`) or a datetime."""
    if isinstance(value, datetime):
        at = value
    else:
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            at = datetime.strptime(value, LEGACY_FORMAT).replace(tzinfo=UTC)
    if at.tzinfo is None:
        raise ValueError(f"a time in a mail must say its time zone: {at.isoformat()}")
    return at


@cache
def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["danish_time"] = partial(danish_time, language=language)
    return environment


def render(
    kind: str, language: str, variables: dict[str, Any], frame: MailFrame | None = None
) -> RenderedMail:
    """The mail of `kind` in `language`; `frame` gives the links' address and the support contact that every
    mail ends with (the local stack's when not given)."""
    env = _environment(language)
    variables = {**_letter_blocks(kind, variables), **(frame or MailFrame()).variables(language)}
    subject = env.get_template(f"{kind}/subject.{language}.txt").render(variables)
    return RenderedMail(
        subject=" ".join(subject.split()),
        text=env.get_template(f"{kind}/body.{language}.txt").render(variables),
        html=env.get_template(f"{kind}/body.{language}.html").render(variables),
    )


# The letters to official mailboxes carry one block per request (`applications`, `proofs`, with their codes
# in `activation_codes` and `proof_codes`). A letter queued before they did holds one request in flat
# variables; a staff retry may send it days later, so it is read as a letter of one block.
LETTER_KINDS = frozenset({"activation_letter", "proof_letter"})


def _letter_blocks(kind: str, variables: dict[str, Any]) -> dict[str, Any]:
    if kind not in LETTER_KINDS or "applications" in variables or "proofs" in variables:
        return variables
    if "username" not in variables and "main_cvr" not in variables:
        return variables  # not a letter of either shape: the template names what is missing
    person = {"applicant_name": variables["applicant_name"], "applicant_email": variables["applicant_email"]}
    block = {**person, "expires_at": variables["expires_at"]}
    code = [variables["activation_code"]]
    applications = [{**block, "username": variables["username"]}] if "username" in variables else []
    proofs = [] if applications else [{**block, "main_company_name": "", "main_cvr": variables["main_cvr"]}]
    return {
        **variables,
        "company_name": variables.get("company_name", variables["recipient_name"]),
        "service_address": "",
        "applications": applications,
        "activation_codes": code if applications else [],
        "proofs": proofs,
        "proof_codes": code if proofs else [],
    }


def kinds_with_templates() -> list[str]:
    return sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir())
