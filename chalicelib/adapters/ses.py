"""Sending raw MIME through SES, with SES's answers sorted into 'try again later' and 'never'."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.files import write_whole

# Worth another attempt later: SES or the network is busy or down, or sending is paused for the account.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalFailure",
        "RequestTimeout",
        "RequestTimeoutException",
        "AccountSendingPausedException",
        "LimitExceededException",
        "SendingPausedException",
    }
)


class TransientSendError(Exception):
    pass


class PermanentSendError(Exception):
    pass


class SesSender:
    def __init__(self, client: Any, *, sender: str, configuration_set: str = "") -> None:
        self._client = client
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, *, message_id: str, to_address: str, raw: bytes) -> str:
        """Answers SES's message id."""
        request: dict[str, Any] = {
            "Source": self._sender,
            "Destinations": [to_address],
            "RawMessage": {"Data": raw},
            # Bounce and complaint notifications carry the tags, which is how they find our message.
            "Tags": [{"Name": "message_id", "Value": tag_value(message_id)}],
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            answer = self._client.send_raw_email(**request)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in TRANSIENT_CODES:
                raise TransientSendError(f"SES {code}") from exc
            raise PermanentSendError(
                f"SES {code}: {exc.response.get('Error', {}).get('Message', '')}"
            ) from exc
        except BotoCoreError as exc:
            raise TransientSendError(f"SES unreachable: {type(exc).__name__}") from exc
        return str(answer["MessageId"])


class ArchivingSender:
    """Sends, then keeps a copy of what was sent as an .eml file (the local stack's `.local/mail/`)."""

    def __init__(self, inner: SesSender, directory: Path) -> None:
        self._inner = inner
        self._directory = directory

    def send(self, *, message_id: str, to_address: str, raw: bytes) -> str:
        provider_id = self._inner.send(message_id=message_id, to_address=to_address, raw=raw)
        self._directory.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in message_id)
        # Time first, so that a directory listing reads in the order the mail went out.
        write_whole(self._directory / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{safe}.eml", raw)
        return provider_id


def tag_value(message_id: str) -> str:
    """SES tag values allow letters, digits, '_' and '-' only; base64url without padding fits."""
    return base64.urlsafe_b64encode(message_id.encode()).decode().rstrip("=")


def message_id_from_tag(value: str) -> str:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
