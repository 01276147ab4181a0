"""Text messages: the code that proves a mobile number before SMS becomes a person's second factor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.errors import UpstreamUnavailable


class SnsSms:
    """SNS's direct-to-phone publishing, as transactional messages (they skip promotional quiet hours)."""

    def __init__(self, client: Any, *, sender_id: str = "Godkend") -> None:
        self._client = client
        self._sender_id = sender_id

    def send_sms(self, *, to: str, text: str) -> None:
        try:
            self._client.publish(
                PhoneNumber=to,
                Message=text,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                    "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sender_id},
                },
            )
        except ClientError as exc:
            raise UpstreamUnavailable("The text message could not be sent; try again shortly.") from exc


class ArchivingSms:
    """Locally, also write each text to a file next to the archived mail, so a person can read the code."""

    def __init__(self, inner: SnsSms, directory: Path) -> None:
        self._inner = inner
        self._file = directory / "sms.jsonl"

    def send_sms(self, *, to: str, text: str) -> None:
        self._inner.send_sms(to=to, text=text)
        self._file.parent.mkdir(parents=True, exist_ok=True)
        with self._file.open("a", encoding="utf-8") as archive:
            archive.write(json.dumps({"to": to, "text": text}, ensure_ascii=False) + "\n")
