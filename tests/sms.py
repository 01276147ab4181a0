"""The text messages the emulated SNS has sent: the one place tests read moto's internals for SMS."""

from __future__ import annotations

import re

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends


def texts_to(mobile: str, region: str = "eu-west-1") -> list[str]:
    backend = sns_backends[DEFAULT_ACCOUNT_ID][region]
    return [message for number, message in backend.sms_messages.values() if number == mobile]


def last_code_to(mobile: str) -> str:
    texts = texts_to(mobile)
    assert texts, f"no text message went to {mobile}"
    found = re.search(r"\b([0-9]{6})\b", texts[-1])
    assert found is not None, texts[-1]
    return found.group(1)
