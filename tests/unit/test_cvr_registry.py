"""The CVR register adapter (`GODKEND_REGISTRY=cvr`), against responses recorded in the shape the Danish
Business Authority documents for its system-to-system search API, through a fake HTTP layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib.adapters.registry import (
    CVR_SEARCH_URL,
    CompanyStatus,
    CvrRegistry,
    RegistryEntry,
    build_registry,
)
from chalicelib.errors import UpstreamUnavailable
from chalicelib.settings import Settings

RESPONSES = Path(__file__).parent / "cvr_responses"


def recorded(name: str) -> Any:
    return json.loads((RESPONSES / name).read_text(encoding="utf-8"))


class FakeTransport:
    """Answers with one recorded response, or raises what it is given; remembers each request."""

    def __init__(self, answer: Any = None, *, status: int = 200, raises: Exception | None = None) -> None:
        self.answer = answer
        self.status = status
        self.raises = raises
        self.requests: list[dict[str, Any]] = []

    def post_json(
        self, url: str, body: dict[str, Any], *, auth: tuple[str, str], timeout: float
    ) -> tuple[int, Any]:
        self.requests.append({"url": url, "body": body, "auth": auth, "timeout": timeout})
        if self.raises is not None:
            raise self.raises
        return self.status, self.answer


class CountingSecret:
    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> tuple[str, str]:
        self.reads += 1
        return ("godkend-user", "s3cret")


def registry(transport: FakeTransport, secret: CountingSecret | None = None) -> CvrRegistry:
    return CvrRegistry(credentials=secret or CountingSecret(), transport=transport, timeout_seconds=2.5)


def test_an_active_company_has_its_register_name_form_address_mailbox_and_owner():
    # Given the register's answer for a subsidiary owned by its group's main company
    transport = FakeTransport(recorded("active_with_owner.json"))

    # When the company is looked up
    entry = registry(transport).lookup("25560000")

    # Then the entry carries the current name, form, address and e-mail on record, and the current owner only
    assert entry == RegistryEntry(
        cvr="25560000",
        name="Blå Kors Odense Genbrug ApS",
        official_mailbox="post@blaakors-genbrug.example",
        status=CompanyStatus.ACTIVE,
        company_form="Anpartsselskab",
        address="Vestergade 12, 5000 Odense C",
        owners=frozenset({"41270004"}),
    )
    assert entry.owned_by("41270004")
    assert not entry.owned_by("29180008")  # a former owner


def test_the_search_asks_for_the_cvr_number_with_basic_auth_and_a_bounded_timeout():
    transport = FakeTransport(recorded("no_hits.json"))
    registry(transport).lookup("25560000")
    [sent] = transport.requests
    assert sent["url"] == CVR_SEARCH_URL
    assert sent["url"].endswith("/cvr-permanent/virksomhed/_search")
    assert sent["body"]["query"] == {"term": {"Vrvirksomhed.cvrNummer": 25560000}}
    assert sent["auth"] == ("godkend-user", "s3cret")
    assert sent["timeout"] == 2.5


def test_a_ceased_company_is_marked_ceased():
    entry = registry(FakeTransport(recorded("ceased.json"))).lookup("99999896")
    assert entry is not None
    assert entry.status is CompanyStatus.CEASED
    assert entry.ceased


def test_a_cvr_the_register_does_not_know_is_none():
    assert registry(FakeTransport(recorded("no_hits.json"))).lookup("10000009") is None


@pytest.mark.parametrize(
    "transport",
    [
        FakeTransport(raises=requests.Timeout("read timed out")),
        FakeTransport(raises=requests.ConnectionError("refused")),
        FakeTransport({"error": "unavailable"}, status=503),
        FakeTransport(None, status=200),
    ],
    ids=["slow", "down", "an error", "not json"],
)
def test_a_register_that_is_down_or_slow_is_upstream_unavailable(transport):
    with pytest.raises(UpstreamUnavailable):
        registry(transport).lookup("25560000")


def test_the_credentials_are_read_once_and_only_when_first_needed():
    # Given a register built with its secret reader
    secret = CountingSecret()
    cvr = registry(FakeTransport(recorded("no_hits.json")), secret)

    # Then nothing is read until a lookup, and then once for any number of lookups
    assert secret.reads == 0
    cvr.lookup("25560000")
    cvr.lookup("41270004")
    assert secret.reads == 1


def test_credentials_that_cannot_be_read_are_a_503_and_are_asked_for_again_next_time():
    # Given a secret that has no value yet on the first lookup (a new stage), and one on the second
    answers: list[Exception | tuple[str, str]] = [RuntimeError("no value for AWSCURRENT"), ("u", "p")]

    def credentials() -> tuple[str, str]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    transport = FakeTransport(recorded("no_hits.json"))
    cvr = CvrRegistry(credentials=credentials, transport=transport)

    # Then the first lookup is a 503 that never reached the register, and the next reads the secret again
    with pytest.raises(UpstreamUnavailable):
        cvr.lookup("25560000")
    assert transport.requests == []
    assert cvr.lookup("25560000") is None
    assert [r["auth"] for r in transport.requests] == [("u", "p")]


def test_credentials_the_register_refuses_are_read_again_at_the_next_lookup():
    # Given credentials the register stops taking (the operator changed them), then the new ones
    read: list[tuple[str, str]] = [("u", "old"), ("u", "new")]
    transport = FakeTransport({"error": "unauthorized"}, status=401)
    cvr = CvrRegistry(credentials=lambda: read.pop(0), transport=transport)

    # When a lookup is refused, it is a 503
    with pytest.raises(UpstreamUnavailable):
        cvr.lookup("25560000")

    # Then the next lookup reads the secret again and asks with the new ones
    transport.status, transport.answer = 200, recorded("no_hits.json")
    assert cvr.lookup("25560000") is None
    assert [r["auth"] for r in transport.requests] == [("u", "old"), ("u", "new")]


class FakeSecretsManager:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        self.asked.append(SecretId)
        return {"SecretString": json.dumps({"username": "u", "password": "p"})}


def test_godkend_registry_cvr_chooses_the_cvr_register_with_its_secret_from_secrets_manager():
    # Given settings naming the CVR register and its secret
    settings = Settings(registry="cvr", cvr_secret_id="godkend/cvr", cvr_timeout_seconds=1.5)
    manager = FakeSecretsManager()

    # When the register is built, nothing is read yet
    built = build_registry(settings, secrets_client=lambda: manager)
    assert isinstance(built, CvrRegistry)
    assert manager.asked == []


def test_the_cvr_register_needs_its_secret_named():
    with pytest.raises(ValueError, match="GODKEND_CVR_SECRET_ID"):
        build_registry(Settings(registry="cvr"))
