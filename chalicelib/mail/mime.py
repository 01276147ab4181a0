"""Turns a rendered mail into the MIME message SES sends: multipart/alternative, text first, then HTML."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from chalicelib.mail.render import RenderedMail


def build_message(*, sender: str, to_address: str, to_name: str, mail: RenderedMail, at: datetime) -> bytes:
    message = EmailMessage(policy=SMTP)
    sender_name, sender_address = parseaddr(sender)
    message["From"] = Address(display_name=sender_name, addr_spec=sender_address)
    message["To"] = Address(display_name=to_name, addr_spec=to_address)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or "godkend.dk")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message.as_bytes()
