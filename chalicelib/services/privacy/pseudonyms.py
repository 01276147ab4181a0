"""Taking a person out of what Godkend keeps about an event, while the event stays: their name becomes a
stable pseudonym ("Slettet person 3f9a2c1b"), their e-mail address and mobile number are removed, and
everything else (who did what, when) is left as it was.

The pseudonym's reference is a keyed hash of the address the person asked under: the same person is the
same pseudonym in every entry (a reader still sees that one person was invited and later deleted), and
without the key nobody can tell from a list of addresses who it was. The key is derived from the stage's
activation key (`GODKEND_ACTIVATION_KEY`) for this purpose only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PSEUDONYM = "Slettet person"
REFERENCE_LENGTH = 8
_PURPOSE = b"godkend/erasure-pseudonym/v1"
# A whole value that is an address, to be told apart from text that contains one.
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
# What stands in text where an address or a mobile was removed.
IN_TEXT = "[slettet]"
# Name parts shorter than this are matched only as a whole value, never inside text.
MIN_PART_IN_TEXT = 2


def pseudonym(key: bytes, subject: str) -> str:
    """`Slettet person <reference>`: the same for the same address and key, and nothing else."""
    purpose_key = hmac.new(key, _PURPOSE, hashlib.sha256).digest()
    reference = hmac.new(purpose_key, subject.encode(), hashlib.sha256).hexdigest()[:REFERENCE_LENGTH]
    return f"{PSEUDONYM} {reference}"


def looks_like_address(value: Any) -> bool:
    return isinstance(value, str) and bool(_ADDRESS.match(value.strip()))


def digits(value: str) -> str:
    """A Danish mobile's eight digits, whatever way it was written (`+45 22 33 44 55`, `22334455`)."""
    only = "".join(ch for ch in value if ch.isdigit())
    return only[-8:] if len(only) >= 8 else only


@dataclass
class Identity:
    """How a person appears in what Godkend holds: addresses (lower-cased), mobiles (eight digits), full
    names and the parts of them. Gathered from the items found under the person's address."""

    addresses: set[str] = field(default_factory=set)
    mobiles: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def add_address(self, value: Any) -> None:
        if looks_like_address(value):
            self.addresses.add(str(value).strip().lower())

    def add_mobile(self, value: Any) -> None:
        if isinstance(value, str) and len(digits(value)) == 8:
            self.mobiles.add(digits(value))

    def add_name(self, *parts: Any) -> None:
        words = [str(p).strip() for p in parts if isinstance(p, str) and p.strip()]
        if not words or any(_is_marker(word) for word in words):
            return
        self.names.add(" ".join(words))

    def holds(self, value: Any) -> bool:
        """Whether a value (a string, or JSON of them) holds anything of the person."""
        if isinstance(value, dict):
            return any(self.holds(item) for item in value.values())
        if isinstance(value, list):
            return any(self.holds(item) for item in value)
        if not isinstance(value, str):
            return False
        return value != _Scrubber(self, Replacement("x", None, None)).text(value)

    def holds_address(self, value: Any) -> bool:
        text = str(value).lower()
        return any(address in text for address in self.addresses)


@dataclass(frozen=True)
class Replacement:
    """What stands where the person was: a name, and an address and a mobile (None: the value is
    removed)."""

    name: str
    address: str | None
    mobile: str | None


def scrub(value: Any, person: Identity, replacement: Replacement) -> Any:
    """The value (JSON: dicts, lists, strings) with every trace of the person replaced."""
    return _Scrubber(person, replacement).value(value)


def _is_marker(word: str) -> bool:
    return word.startswith(PSEUDONYM) or word.startswith("[")


class _Scrubber:
    def __init__(self, person: Identity, replacement: Replacement) -> None:
        self._person = person
        self._replacement = replacement
        names = sorted(person.names, key=len, reverse=True)
        parts = sorted(
            {part for name in names for part in name.split() if len(part) >= MIN_PART_IN_TEXT},
            key=len,
            reverse=True,
        )
        self._names = _alternatives(names + parts, whole_words=True)
        self._addresses = _alternatives(sorted(person.addresses, key=len, reverse=True), whole_words=False)
        mobiles = [r"(?:\+?45[\s-]?)?" + r"[\s-]?".join(m) for m in sorted(person.mobiles)]
        self._mobiles = re.compile(r"(?<!\d)(?:" + "|".join(mobiles) + r")(?!\d)") if mobiles else None

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, str):
            return self.whole(value)
        return value

    def whole(self, value: str) -> str | None:
        """A value that is the person's address or mobile goes as a whole; text has them replaced."""
        if value.strip().lower() in self._person.addresses:
            return self._replacement.address
        if self._person.mobiles and digits(value) in self._person.mobiles and _is_number(value):
            return self._replacement.mobile
        return self.text(value)

    def text(self, value: str) -> str:
        out = value
        if self._addresses is not None:
            out = self._addresses.sub(self._replacement.address or IN_TEXT, out)
        if self._mobiles is not None:
            out = self._mobiles.sub(self._replacement.mobile or IN_TEXT, out)
        if self._names is not None:
            out = self._names.sub(self._replacement.name, out)
        return out


def _alternatives(items: Iterable[str], *, whole_words: bool) -> re.Pattern[str] | None:
    """One pattern for any of the items, longest first, in any case; words only where a word is meant."""
    found = [re.escape(item) for item in items if item]
    if not found:
        return None
    body = "|".join(found)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)" if whole_words else f"(?:{body})", re.IGNORECASE)


def _is_number(value: str) -> bool:
    return all(ch.isdigit() or ch in "+ -" for ch in value.strip())
