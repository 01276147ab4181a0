"""The text messages the emulated SNS has sent (tests/world.py reads them from moto)."""

from __future__ import annotations

import re

from tests.world import sent_texts


def texts_to(mobile: str, region: str = "eu-west-1") -> list[str]:
    return [message for number, message in sent_texts(region) if number == mobile]


def last_code_to(mobile: str) -> str:
    texts = texts_to(mobile)
    assert texts, f"no text message went to {mobile}"
    found = re.search(r"\b([0-9]{6})\b", texts[-1])
    assert found is not None, texts[-1]
    return found.group(1)
