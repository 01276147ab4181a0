"""Builders and readers for the onboarding tests: application forms, the letters in the outbox, organisations
that own a CVR of the sample company register, and fakes injected through the Container."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice.test import Client

from chalicelib.adapters.registry import RegistryEntry, SampleRegistry
from chalicelib.clock import FixedClock
from chalicelib.container import Container, container, use_container
from chalicelib.errors import UpstreamUnavailable
from chalicelib.mail.render import RenderedMail, render
from chalicelib.models.application import ApplicationModel, applications_for
from chalicelib.models.audit import AuditModel
from chalicelib.models.organisation import OrganisationStatus
from chalicelib.models.outbox import MailKind, OutboxModel
from chalicelib.models.user import UserModel
from infra.local.demo import CompanySpec, add_organisation
from infra.local.signin import enrol_authenticator, sign_in
from tests.people import Org, People, Person

JSON = {"content-type": "application/json"}
STRONG_PASSWORD = "Sikker-Adgang-2026"
SAMPLE = SampleRegistry.from_file()

# Companies of the sample register (chalicelib/adapters/registry_sample.json).
MAIN = "41270004"  # Blå Kors Odense
SUBSIDIARY = "25560000"  # Blå Kors Odense Genbrug ApS
OTHER_MAIN = "35770003"  # Grøn Hjælp Esbjerg
OTHER_SUBSIDIARY = "40120009"
NOT_IN_REGISTER = "10000009"  # passes the modulus-11 check; no such company in the sample register


def form(**overrides: Any) -> dict[str, Any]:
    """A valid application for MAIN with one subsidiary and two accounts; keyword arguments replace fields."""
    body: dict[str, Any] = {
        "cvr": MAIN,
        "name": "Blå Kors Odense",
        "subsidiaries": [{"cvr": SUBSIDIARY, "name": "Blå Kors Genbrug"}],
        "accounts": [
            {"cvr": MAIN, "number": "1001", "name": "Hovedkonto"},
            {"cvr": SUBSIDIARY, "number": "2001", "name": "Butikker"},
        ],
        "applicant": {
            "first_name": "Ida",
            "last_name": "Holm",
            "email": "ida.holm@example.org",
            "mobile": "+4522334455",
        },
    }
    body.update(copy.deepcopy(overrides))
    return body


def post(client: Client, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.post(path, headers={**JSON, **(headers or {})}, body=raw)


def reviewed_version(client: Client, staff: Person, org_id: str) -> str:
    """The `ETag` of the organisation as staff open it, for a decision's `If-Match`."""
    response = client.http.get(f"/v1/staff/organisations/{org_id}", headers=staff.auth)
    assert response.status_code == 200, response.body
    return str(response.headers["ETag"])


def staff_decide(
    client: Client,
    staff: Person,
    org_id: str,
    decision: str,
    reason: str | None = None,
    *,
    version: str | None = None,
) -> Any:
    """A staff decision (`approve`, `reject`, `suspend`, `name/approve`, `name/refuse`) on the organisation
    as staff see it now, or as they saw it (`version`)."""
    headers = {**staff.auth, "If-Match": version or reviewed_version(client, staff, org_id)}
    path = f"/v1/staff/organisations/{org_id}/{decision}"
    if reason is None:
        return client.http.post(path, headers=headers)
    return post(client, path, {"reason": reason}, headers)


def apply(client: Client, body: dict[str, Any] | None = None) -> Any:
    return post(client, "/v1/applications", body if body is not None else form())


def activate(client: Client, username: str, code: str, password: str = STRONG_PASSWORD) -> Any:
    return post(
        client, "/v1/activations", {"username": username, "activation_code": code, "password": password}
    )


def mail(kind: MailKind) -> list[OutboxModel]:
    """What the outbox holds of one kind, oldest first (a test-only Scan of a small table)."""
    return sorted((m for m in OutboxModel.scan() if m.kind == kind.value), key=lambda m: m.created_at)


def letters() -> list[OutboxModel]:
    return mail(MailKind.ACTIVATION_LETTER)


def only_letter() -> OutboxModel:
    found = letters()
    assert len(found) == 1, [m.message_id for m in found]
    return found[0]


def username_and_code(letter: OutboxModel, email: str | None = None) -> tuple[str, str]:
    """The username and activation code of the block for the applicant with `email` (or the letter's only
    application), as the letter carries them."""
    blocks = [
        (str(block["username"]), str(code))
        for block, code in zip(
            letter.context["applications"], (letter.secrets or {})["activation_codes"], strict=True
        )
        if email is None or block["applicant_email"] == email
    ]
    assert len(blocks) == 1, (email, letter.context["applications"])
    return blocks[0]


def applicants_in(letter: OutboxModel) -> list[str]:
    """Who the letter's blocks name, as it prints them: "Ida Holm (ida.holm@example.org)"."""
    return [f"{b['applicant_name']} ({b['applicant_email']})" for b in letter.context["applications"]]


def fixed_clock(container: Container) -> FixedClock:
    """The service's clock, fixed and moved by the test. In the past: a token is checked against this
    clock, and only its expiry is, so moving it on by hours keeps tokens valid."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=10))
    use_container(Container(settings=container.settings, clock=clock))
    return clock


def next_letter_goes(clock: FixedClock) -> None:
    """An hour on, when a mailbox's next letter is due, the scheduled sender writes it."""
    clock.advance(timedelta(hours=1))
    send_gathered_letters()


def send_gathered_letters() -> dict[str, Any]:
    """Runs the scheduled sender of gathered letters as EventBridge would, with the container's clock."""
    from chalice.local import LambdaContext

    from app import app
    from infra.local.events import scheduled_event

    result: dict[str, Any] = app.handler_map["send_gathered_letters"](
        scheduled_event(datetime.now(UTC), "send-gathered-letters"),
        LambdaContext("send_gathered_letters", 512),
    )
    return result


def rendered(message: OutboxModel) -> RenderedMail:
    return render(
        message.kind,
        message.language,
        {**message.context, **(message.secrets or {}), "recipient_name": message.to_name},
        container().mail_frame,
    )


def signed_in(cognito: Any, people: People, username: str, password: str = STRONG_PASSWORD) -> Person:
    """An activated administrator with an enrolled authenticator app, signed in."""
    token = sign_in(cognito, people.pool.client_id, username, password)
    secret = enrol_authenticator(cognito, token)
    user = UserModel.get(username)
    user.update(actions=[UserModel.second_factor_enrolled.set(True)])
    token = sign_in(cognito, people.pool.client_id, username, password, secret)
    return Person(username, user.org_id, token, secret)


def letter_to(cvr: str, kind: MailKind = MailKind.ACTIVATION_LETTER) -> list[OutboxModel]:
    """The letters of a kind that went to the official mailbox of a CVR of the sample register."""
    entry = SAMPLE.lookup(cvr)
    assert entry is not None
    return [m for m in mail(kind) if m.to_address == entry.official_mailbox]


def only_application(cvr: str) -> ApplicationModel:
    """The one application kept for a CVR."""
    found = applications_for(cvr)
    assert len(found) == 1, [a.application_id for a in found]
    return found[0]


def trail(org_id: str) -> list[AuditModel]:
    """The organisation's audit trail, newest first."""
    return list(AuditModel.query(org_id, scan_index_forward=False))


def actions(org_id: str) -> list[str]:
    return [entry.action for entry in trail(org_id)]


def registered_organisation(
    cvrs: Sequence[str] = (MAIN, SUBSIDIARY),
    *,
    org_id: str = "org-registered",
    name: str = "Blå Kors Odense",
    status: OrganisationStatus = OrganisationStatus.APPROVED,
) -> Org:
    """An organisation that already owns CVR numbers of the sample register (as after an activation)."""
    companies = [
        CompanySpec(cvr, (SAMPLE.lookup(cvr) or RegistryEntry(cvr, cvr, "")).name, (("1001", "Hovedkonto"),))
        for cvr in cvrs
    ]
    add_organisation(
        org_id=org_id,
        name=name,
        handle="BlaaKorsOdense",
        companies=companies,
        now=datetime.now(UTC),
        status=status,
    )
    return Org(org_id, companies)


class FakeRegistry:
    """A company register with the given companies only."""

    def __init__(self, *entries: RegistryEntry) -> None:
        self._entries = {entry.cvr: entry for entry in entries}

    def lookup(self, cvr: str) -> RegistryEntry | None:
        return self._entries.get(cvr)


class UnavailableLogins:
    """A user pool that cannot be reached."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create_login(self, *, username: str, email: str, mobile: str, password: str) -> None:
        self.created.append(username)
        raise UpstreamUnavailable("The identity provider could not create the login.")

    def delete_login(self, username: str) -> None:
        raise UpstreamUnavailable("The identity provider could not remove the login.")

    def disable_login(self, username: str) -> None:
        raise UpstreamUnavailable("The identity provider could not disable the login.")

    def enable_login(self, username: str) -> None:
        raise UpstreamUnavailable("The identity provider could not enable the login.")

    def update_contact(self, username: str, *, email: str, mobile: str) -> None:
        raise UpstreamUnavailable("The identity provider could not update the login.")
