"""Turns a rendered mail into the MIME message SES sends: multipart/alternative, text first, then HTML.

The From and To headers name a person, and a name can hold anything a field allowed when it was stored (and
names stored under older rules hold commas, angle brackets and quotes). Each is built here from a structured
address, whatever the name holds: a short name of printable ASCII as RFC 5322 words, quoted where it has to
be; anything else as RFC 2047 encoded words, which carry no character a reader could take for structure. The
header is folded here too, between encoded words, and handed to the message as it is: the standard
library's own folder (3.13.0) drops the quotes of a long quoted name when it folds it, so that
`"Kim Hansen, ledelsen <direktion@offer.dk>" <rep@example.org>` reaches a reader as three recipients.
"""

from __future__ import annotations

import re
from datetime import datetime
from email import quoprimime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr, quote

from chalicelib.mail.render import RenderedMail

# Headers given whole are written as given: the ones built below are already folded and encoded.
POLICY = SMTP.clone(refold_source="none")
MAX_LINE = 78  # RFC 5322's "SHOULD": lines of at most 78 characters
MAX_ENCODED_WORD = 75  # RFC 2047, section 2
_CHARSET = "utf-8"
_OVERHEAD = len(f"=?{_CHARSET}?q??=")
# RFC 5322 atoms separated by single spaces: a name that needs neither quotes nor encoding.
_PLAIN = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_PRINTABLE_ASCII = re.compile(r"[ -~]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def build_message(*, sender: str, to_address: str, to_name: str, mail: RenderedMail, at: datetime) -> bytes:
    message = EmailMessage(policy=POLICY)
    sender_name, sender_address = parseaddr(sender)
    message.set_raw("From", mailbox_header("From", sender_name, sender_address))
    message.set_raw("To", mailbox_header("To", to_name, to_address))
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or "godkend.dk")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message.as_bytes()


def mailbox_header(header: str, name: str, address: str) -> str:
    """The value of a From or To header naming one person, folded for `header`: `name <address>`, where a
    reader finds exactly this one address and exactly this name, whatever the name holds."""
    mailbox = Address(addr_spec=address)  # parsed as one address, and refused if it is not
    angle = f"<{mailbox.addr_spec}>"
    # No name may hold a control character now (chalicelib/fields.py); one stored earlier shows as a space.
    name = _CONTROL.sub(" ", name)
    if not name:
        return mailbox.addr_spec
    first_line = len(header) + 2  # "To: "
    # Text that looks like an encoded word is encoded itself: some readers decode one even between quotes.
    if _PRINTABLE_ASCII.fullmatch(name) and "=?" not in name:
        phrase = name if _PLAIN.fullmatch(name) else f'"{quote(name)}"'
        if first_line + len(phrase) + 1 + len(angle) <= MAX_LINE:
            return f"{phrase} {angle}"
    words = _encoded_words(name, first_room=MAX_LINE - first_line)
    lines = [words[0]] + [f" {word}" for word in words[1:]]
    last = (first_line if len(lines) == 1 else 0) + len(lines[-1])
    if last + 1 + len(angle) <= MAX_LINE:
        lines[-1] += f" {angle}"
    else:
        lines.append(f" {angle}")
    return "\r\n".join(lines)


def _encoded_words(text: str, *, first_room: int) -> list[str]:
    """`text` as RFC 2047 'Q' encoded words for a phrase (section 5 (3): only letters, digits and
    `!*+-/=_` appear), each of whole characters and at most 75 long; the first fits `first_room`.
    Readers join adjacent encoded words without the folding space between them (section 6.2)."""
    room = min(first_room, MAX_ENCODED_WORD) - _OVERHEAD
    chunks: list[str] = []
    chunk, used = "", 0
    for char in text:
        size = quoprimime.header_length(char.encode(_CHARSET))
        if chunk and used + size > room:
            chunks.append(chunk)
            chunk, used = "", 0
            room = MAX_ENCODED_WORD - _OVERHEAD
        chunk += char
        used += size
    chunks.append(chunk)
    return [quoprimime.header_encode(chunk.encode(_CHARSET), charset=_CHARSET) for chunk in chunks]
