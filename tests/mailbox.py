"""What the emulated SES sent. The one place that reads moto's internals."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from email.utils import parseaddr

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends


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
    for sent in ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages:
        if isinstance(sent, RawMessage):
            raw = sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data
            parsed = email.message_from_bytes(raw, policy=default)
            # The emulator lists the To header's entries beside the envelope's; what matters is who gets it.
            addresses = sorted({parseaddr(d)[1].lower() for d in sent.destinations})
            found.append(SentMail(addresses, parsed, raw))
    return found
