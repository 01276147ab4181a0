"""What the emulated SES sent, as the recipients would read it (tests/world.py reads it from moto)."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from email.utils import parseaddr

from tests.world import sent_raw_mail


@dataclass(frozen=True)
class SentMail:
    to: list[str]
    message: EmailMessage
    raw: bytes = b""  # as SES received it

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


def sent_mail(region: str = "eu-west-1") -> list[SentMail]:
    found = []
    for raw, destinations in sent_raw_mail(region):
        parsed = email.message_from_bytes(raw, policy=default)
        # The emulator lists the To header's entries beside the envelope's; what matters is who gets it.
        addresses = sorted({parseaddr(d)[1].lower() for d in destinations})
        found.append(SentMail(addresses, parsed, raw))
    return found
