"""A person written into every place the service can put one, then looked for in every table: an access
request (GDPR article 15) finds all of it, and an erasure (article 17) leaves only what the record of
processing keeps on purpose (`KEPT_ON_PURPOSE`), whatever tables exist: they are read from the models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from pynamodb.models import Model

from chalicelib.clock import FixedClock
from chalicelib.container import Container, container, use_container
from chalicelib.environment import table_name
from chalicelib.models import ALL_MODELS
from chalicelib.models.audit import AuditModel, Origin
from chalicelib.models.mentions import MentionModel
from chalicelib.models.outbox import MailKind, MailStatus, OutboxModel
from chalicelib.models.suppression import SuppressionModel
from chalicelib.services.access.authz import Function, Principal
from chalicelib.services.privacy.personal_data import KEPT_ON_PURPOSE, PersonalDataService
from chalicelib.services.privacy.pointers import point_existing
from infra.local.demo import ScopeSpec, add_user, give_login
from tests.colleagues import colleague, created_user, delete_user, send
from tests.integration.codes.test_codes import created, representative, revoke
from tests.integration.codes.test_reminders import Jobs
from tests.integration.onboarding.test_support_reset import remove
from tests.integration.outbox.test_mail_pipeline import Pipeline, flaky
from tests.integration.vendors.test_validations import validate
from tests.onboarding import (
    MAIN,
    OTHER_MAIN,
    activate,
    apply,
    form,
    letter_to,
    post,
    signed_in,
    username_and_code,
)
from tests.people import Org, People, Person, json_of

FIRST, LAST = "Ingeborg", "Quistgaard-Ravn"
EMAIL = "Ingeborg.QR@Example.org"
MOBILE = "+4529384756"
# What the scan looks for, in any case: each part of the name, the address and the mobile's eight digits.
NEEDLES = (FIRST.lower(), LAST.lower(), EMAIL.lower(), MOBILE[-8:])
# What an access request names each kind of item by, when it is not the item's own key; for any other table
# (one added later too), its hash key.
ID_ATTRIBUTES = (
    "validation_id",
    "event_id",
    "message_id",
    "application_id",
    "user_id",
    "vendor_id",
    "code_id",
    "org_id",
)


@dataclass(frozen=True)
class Hit:
    table: str
    attribute: str
    item: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.table}.{self.attribute} of {json.dumps(self.item, default=str)[:300]}"


@pytest.fixture
def clock(container: Container) -> FixedClock:
    # Far enough back that 60 days and more later is still before the test's access tokens expire.
    start = (datetime.now(UTC) - timedelta(days=400)).replace(hour=10, minute=0, second=0, microsecond=0)
    clock = FixedClock(start)
    settings = container.settings.model_copy(update={"reminder_mails_per_second": 1000.0})
    use_container(Container(settings=settings, clock=clock))
    return clock


# Looking


def every_table() -> Iterator[type[Model]]:
    """Every table the service has, as the local stack and the template create them."""
    yield from ALL_MODELS


def short_name(model: type[Model]) -> str:
    """A table's name without the stage's prefix, as the record of processing names it."""
    return str(model.Meta.table_name).removeprefix(table_name(""))


def items_of(model: type[Model], now: datetime) -> Iterator[dict[str, Any]]:
    """Every item of a table, as DynamoDB holds it (a test-only Scan), but those past the table's TTL: the
    emulator never removes them, DynamoDB does, and every read of the service treats them as gone."""
    dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
    plain = TypeDeserializer()
    ttl = model._ttl_attribute()
    for page in dynamodb.get_paginator("scan").paginate(TableName=model.Meta.table_name):
        for raw in page["Items"]:
            item = {name: plain.deserialize(value) for name, value in raw.items()}
            if ttl is not None and ttl.attr_name in item and int(item[ttl.attr_name]) <= now.timestamp():
                continue
            yield item


def holds_the_person(value: Any) -> bool:
    text = json.dumps(value, default=str, ensure_ascii=False).lower()
    return any(needle in text for needle in NEEDLES)


def scan_for_the_person() -> list[Hit]:
    now = container().clock.now()
    return [
        Hit(short_name(model), name, item)
        for model in every_table()
        for item in items_of(model, now)
        for name, value in item.items()
        if holds_the_person(value)
    ]


def identity(hit: Hit) -> str:
    model = next(m for m in every_table() if short_name(m) == hit.table)
    for name in ID_ATTRIBUTES:
        if name in hit.item:
            return str(hit.item[name])
    return str(hit.item[model._hash_key_attribute().attr_name])


# Putting the person everywhere


def staff_call(client: Any, staff: Person, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = post(client, path, body, staff.auth)
    assert response.status_code in (200, 201), response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def removed_by_support(client: Any, people: People, cognito: Any) -> Org:
    """An administrator's login of theirs, removed by support; the remaining administrator is told."""
    org = people.organisation()
    people.member(org)
    user = add_user(
        user_id="user-c-removed",
        org_id=org.org_id,
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        mobile=MOBILE,
        scope=ScopeSpec(
            functions=(Function.USERS, Function.CODES), companies={c.cvr: None for c in org.companies}
        ),
        now=datetime.now(UTC),
    )
    give_login(cognito, people.pool, user, password="Correct-Horse-42", authenticator=False)
    reason = f"{FIRST} {LAST} er stoppet i foreningen"
    assert remove(client, people.staff(), org.org_id, user.user_id, {"reason": reason}).status_code == 200
    return org


def invited_then_deleted(client: Any, people: People) -> tuple[Org, Person]:
    """A colleague's login with the `users` function, created and then deleted by an administrator."""
    org = people.organisation()
    admin = people.member(org)
    body = colleague(
        org, first_name=FIRST, last_name=LAST, email=EMAIL, mobile="+45 29 38 47 56", functions=["users"]
    )
    user = created_user(client, admin, body)
    assert delete_user(client, admin, user["user_id"]).status_code == 204
    return org, admin


def applicant_and_administrator(client: Any, people: People, cognito: Any) -> Person:
    """Their own application, activated: the administrator of the organisation it made, with a colleague
    they invited and their own address as the organisation's contact; and a second application of theirs
    that was never activated."""
    applicant = {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "mobile": MOBILE}
    assert apply(client, form(applicant=applicant)).status_code == 202
    username, code = username_and_code(letter_to(MAIN)[-1])
    other = form(cvr=OTHER_MAIN, name="Grøn Hjælp", subsidiaries=[], accounts=[], applicant=applicant)
    assert apply(client, other).status_code == 202
    assert activate(client, username, code).status_code == 201
    admin = signed_in(cognito, people, username)
    org = Org(admin.org_id or "", ())
    changed = send(client, "PATCH", "/v1/organisation", admin, {"contact_email": EMAIL})
    assert changed.status_code == 200, changed.body
    response = send(
        client,
        "POST",
        "/v1/users",
        admin,
        {
            "first_name": "Bo",
            "last_name": "Frivillig",
            "email": "bo@example.org",
            "mobile": "+4522334455",
            "functions": ["users"],
            "companies": [{"cvr": MAIN, "access": "full"}],
        },
    )
    assert response.status_code == 201, (org, response.body)
    return admin


def representative_of_a_code(client: Any, people: People, clock: FixedClock) -> str:
    """A code made for them, whose mail failed and was parked, checked by a vendor, reminded of (to them
    and to its issuer), then revoked (the vendor is told); answers the code's id."""
    org = people.organisation()
    issuer = people.member(org)
    jobs = Jobs(container(), clock)
    sending = container().mail_delivery
    flaky(container(), None)
    code = created(client, issuer, representative(org, first_name=FIRST, last_name=LAST, email=EMAIL))
    jobs.pipeline.run()
    container().mail_delivery = sending
    parked = OutboxModel.get(f"code-issued:{code['code_id']}:0")
    assert parked.status == MailStatus.FAILED.value
    vendor = people.vendor()
    assert validate(client, vendor, code["code"])["valid"] is True
    jobs.run(clock.now() + timedelta(days=53))
    reminded = [m for m in OutboxModel.scan() if m.kind == MailKind.CODE_EXPIRING.value]
    assert {m.to_address for m in reminded} == {EMAIL, f"{issuer.user_id}@example.org"}
    assert revoke(client, issuer, code["code_id"]).status_code == 200
    return str(code["code_id"])


def filed_and_answered(client: Any, staff: Person) -> str:
    """A support case of theirs (the seed's: their administrator left), answered by staff by mail."""
    case = {
        "organisation": "Quistgaard Cykelklub",
        "name": f"{FIRST} {LAST}",
        "email": EMAIL,
        "topic": "administrator_left",
        "message": f"Vores administrator er stoppet. Skriv til {EMAIL} eller ring {MOBILE}.",
    }
    response = post(client, "/v1/support/cases", case)
    assert response.status_code == 201, response.body
    case_id = str(json_of(response)["case_id"])
    answer = {"text": "Vi har slettet login'et."}
    staff_call(client, staff, f"/v1/staff/support/cases/{case_id}/answer", answer)
    return case_id


def everywhere(client: Any, people: People, cognito: Any, clock: FixedClock) -> dict[str, Any]:
    """The person in every role the service knows; answers what the checks need to look at again."""
    mail = Pipeline()
    # The code first: its reminders move the clock 53 days on, and the rest is written then.
    code_id = representative_of_a_code(client, people, clock)
    support_org = removed_by_support(client, people, cognito)
    colleague_org, colleague_admin = invited_then_deleted(client, people)
    administrator = applicant_and_administrator(client, people, cognito)
    staff = people.staff()
    staff_call(client, staff, "/v1/staff/vendors", {"name": "Quistgaard Cykler ApS", "contact_email": EMAIL})
    filed_and_answered(client, staff)
    mail.run()
    # SES reported a bounce from the address once.
    SuppressionModel(EMAIL.lower(), reason="bounce", suppressed_at=clock.now()).save()
    return {
        "staff": staff,
        "support_org": support_org,
        "colleague_org": colleague_org,
        "colleague_admin": colleague_admin,
        "administrator": administrator,
        "code_id": code_id,
    }


def export(client: Any, staff: Person) -> dict[str, Any]:
    return staff_call(client, staff, "/v1/staff/personal-data/export", {"email": EMAIL})


def erase(client: Any, staff: Person) -> dict[str, Any]:
    return staff_call(client, staff, "/v1/staff/personal-data/erase", {"email": EMAIL})


def not_kept_on_purpose(hits: list[Hit]) -> list[str]:
    kept = {(entry.table, attribute) for entry in KEPT_ON_PURPOSE for attribute in entry.attributes}
    return [str(hit) for hit in hits if (hit.table, hit.attribute) not in kept]


# The guarantees


def test_an_access_request_finds_the_person_in_every_table_and_erasure_leaves_only_what_is_kept_on_purpose(
    client, people: People, cognito, clock
):
    # Given one person written into every place the service can put one
    seen = everywhere(client, people, cognito, clock)
    before = scan_for_the_person()
    tables = {hit.table for hit in before}
    assert {"audit", "outbox", "users", "applications", "codes", "code-values", "validations"} <= tables
    assert "support-cases" in tables

    # When staff export what Godkend holds about the address (in mixed case, as typed)
    exported = export(client, seen["staff"])

    # Then every item that holds the person is in the export
    text = json.dumps(exported, ensure_ascii=False)
    missing = [str(hit) for hit in before if identity(hit) not in text]
    assert missing == []
    # (a support case is also named by the answer mailed about it: the export shows the case itself)
    [case] = exported["support_cases"]
    assert (case["name"], case["answers"][0]["text"]) == (f"{FIRST} {LAST}", "Vi har slettet login'et.")

    # When staff erase the person's data
    answer = erase(client, seen["staff"])

    # Then nothing of the person is left anywhere but what the record of processing keeps, each with a why
    assert not_kept_on_purpose(scan_for_the_person()) == []
    assert all(entry.why for entry in KEPT_ON_PURPOSE)
    assert answer["kept"]["users"]
    assert all(u["why"] for u in answer["kept"]["users"])

    # And the deleted colleague's trail keeps the events under a pseudonym, without e-mail or mobile
    response = client.http.get("/v1/organisation/audit", headers=seen["colleague_admin"].auth)
    entries = {e["action"]: e for e in json_of(response)["items"]}
    for action in ("user.invited", "user.deleted"):
        details = entries[action]["details"]
        assert details["name"].startswith("Slettet person ")
        assert (details["email"], details["mobile"]) == (None, None)
        assert not holds_the_person(entries[action])
    assert entries["user.invited"]["details"]["name"] == entries["user.deleted"]["details"]["name"]

    # And the Log's entries about their code (created, revoked) name a pseudonym instead of them
    about_the_code = [e for e in AuditModel.scan() if (e.targets or {}).get("code_id") == seen["code_id"]]
    assert sorted(e.action for e in about_the_code) == ["code.created", "code.revoked"]
    for entry in about_the_code:
        assert entry.details["names"]["representative"].startswith("Slettet person ")

    # And the copies of the letters no longer name the applicant
    for letter in letter_to(MAIN) + letter_to(OTHER_MAIN):
        assert not holds_the_person(letter.attribute_values)

    # And erasing again is harmless, and a later export still shows what was kept, under the digest
    erase(client, seen["staff"])
    assert not_kept_on_purpose(scan_for_the_person()) == []
    after = export(client, seen["staff"])
    assert [c["code_id"] for c in after["codes"]] == [seen["code_id"]]
    assert [r["first_name"] for r in after["receipts"]] == [FIRST]


class FailingAfter:
    """Lets `writes` writes through, then fails every one, as a timeout or a throttled table would."""

    def __init__(self, writes: int) -> None:
        self.writes = writes

    def __call__(self, write: Any) -> Any:
        if self.writes <= 0:
            raise RuntimeError("the table could not be written")
        self.writes -= 1
        return write()


def test_an_erasure_that_fails_midway_is_completed_by_running_it_again(
    client, people: People, cognito, clock
):
    # Given the person everywhere
    seen = everywhere(client, people, cognito, clock)
    staff = seen["staff"]

    # When an erasure fails after a few of its writes
    failing = PersonalDataService(
        clock=clock, pseudonym_key=b"test-only-pseudonym-key-000000000000", write=FailingAfter(3)
    )
    before = scan_for_the_person()
    with pytest.raises(RuntimeError):
        failing.erase(staff_principal(staff), EMAIL, origin=origin())
    midway = scan_for_the_person()
    assert 0 < len(midway) < len(before)

    # Then running it again through the API leaves only what is kept on purpose
    erase(client, staff)
    assert not_kept_on_purpose(scan_for_the_person()) == []
    org_id = seen["colleague_org"].org_id
    invited = next(e for e in AuditModel.query(org_id) if e.action == "user.invited")
    assert not holds_the_person(invited.details)


def staff_principal(staff: Person) -> Principal:
    return Principal(user_id=staff.user_id, org_id=None, is_staff=True)


def origin() -> Origin:
    return Origin(source_ip="127.0.0.1", user_agent="test")


def test_what_was_written_before_pointers_existed_is_found_once_they_are_backfilled(
    client, people: People, cognito, clock
):
    # Given a deleted colleague's trail and an applicant's letter written before items had pointers
    _, admin = invited_then_deleted(client, people)
    applicant = {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "mobile": MOBILE}
    other = form(cvr=OTHER_MAIN, name="Grøn Hjælp", subsidiaries=[], accounts=[], applicant=applicant)
    assert apply(client, other).status_code == 202
    Pipeline().run()
    for pointer in MentionModel.scan():
        pointer.delete()
    staff = people.staff()

    # When the operator backfills the pointers (twice: it may be run again)
    point_existing(now=clock.now())
    report = point_existing(now=clock.now())

    # Then the entries and the letter are found, and an erasure takes the person out of them
    assert (report.audit, report.mail) == (2, 1)
    exported = export(client, staff)
    assert sorted(e["action"] for e in exported["audit"]) == ["user.deleted", "user.invited"]
    erase(client, staff)
    assert not_kept_on_purpose(scan_for_the_person()) == []
    response = client.http.get("/v1/organisation/audit", headers=admin.auth)
    assert not holds_the_person(json_of(response)["items"])
