"""The vendor console's receipts and events: a vendor's person lists their own vendor's checks by Danish day,
downloads them as CSV with formulas neutralised, opens one signed receipt, and reads the event feed; never
another vendor's."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bench.roundtrips import DynamoDBCalls
from chalicelib.clock import FixedClock
from chalicelib.container import Container, use_container
from chalicelib.errors import InvalidInput
from chalicelib.models.validation import ReceiptModel, save_receipt
from chalicelib.models.webhook import DeliveryStatus, EventType, VendorEventModel
from chalicelib.services.access.authz import Principal
from chalicelib.services.vendors.vendor_receipts import Period, VendorReceipts
from tests.integration.access.test_authentication import assert_problem
from tests.integration.vendors.test_validations import a_code, validate
from tests.people import People, Person, json_of


def a_receipt(vendor_id: str, at: datetime, **names: str) -> ReceiptModel:
    """A receipt as a check leaves it, written straight to the table: names a check could not give today
    (a formula) must still come out of the CSV as text."""
    receipt = ReceiptModel(
        uuid.uuid4().hex,
        vendor_id=vendor_id,
        vendor_name="Leverandør",
        key_id=uuid.uuid4().hex[:20],
        org_id=uuid.uuid4().hex,
        organisation_name=names.get("organisation_name", "Røde Kors Aarhus"),
        legal_name="Røde Kors",
        primary_cvr=names.get("primary_cvr", "12345674"),
        handle="RoedeKorsAarhus",
        code_id=uuid.uuid4().hex,
        cvr="12345674",
        account="A1",
        account_key="12345674#A1",
        first_name=names.get("first_name", "Mette"),
        last_name=names.get("last_name", "Hansen"),
        validated_at=at,
        code_expires_at=at + timedelta(days=90),
    )
    save_receipt(receipt, retention_years=5)
    return receipt


def checks(client: Any, person: Person, query: str = "", **headers: str) -> Any:
    return client.http.get(f"/v1/vendor/validations{query}", headers={**person.auth, **headers})


def export(client: Any, person: Person, query: str = "", **headers: str) -> Any:
    return client.http.get(f"/v1/vendor/validations/export{query}", headers={**person.auth, **headers})


def rows_of(response: Any, separator: str = ";") -> list[list[str]]:
    text = response.body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=separator))


def test_a_vendor_person_sees_their_vendors_checks_newest_first(client, people: People):
    # Given a vendor that validated two codes through the API, and a person of that vendor
    _, _, first = a_code(client, people)
    _, _, second = a_code(client, people, first_name="Jens", last_name="Nielsen")
    vendor = people.vendor()
    older = validate(client, vendor, first["code"])
    newer = validate(client, vendor, second["code"])
    person = people.vendor_person(vendor.vendor_id)

    # When they list the vendor's checks
    response = checks(client, person)

    # Then both are there, newest first, with organisation, CVR, representative, validity and mode
    assert response.status_code == 200, response.body
    page = json_of(response)
    assert [item["validation_id"] for item in page["items"]] == [
        newer["validation_id"],
        older["validation_id"],
    ]
    item = page["items"][0]
    assert item["organisation"] == {
        "name": newer["organisation"]["name"],
        "cvr": newer["organisation"]["cvr"],
    }
    assert item["representative"] == {"first_name": "Jens", "last_name": "Nielsen"}
    assert item["code_expires_at"] == newer["code_expires_at"]
    assert item["livemode"] is True
    assert page["next_cursor"] is None


def test_a_person_never_sees_another_vendors_checks_receipts_or_events(client, people: People):
    # Given two vendors, each with a receipt and an event, and a person of the first
    ours, theirs = people.vendor(), people.vendor()
    now = datetime.now(UTC)
    mine = a_receipt(ours.vendor_id, now - timedelta(minutes=5))
    other = a_receipt(theirs.vendor_id, now - timedelta(minutes=4))
    an_event(ours.vendor_id, now - timedelta(minutes=3))
    foreign_event = an_event(theirs.vendor_id, now - timedelta(minutes=3))
    person = people.vendor_person(ours.vendor_id)

    # When they list, export, open the other vendor's receipt and read the events
    listed = json_of(checks(client, person))["items"]
    exported = rows_of(export(client, person))
    opened = client.http.get(f"/v1/vendor/validations/{other.validation_id}", headers=person.auth)
    events = json_of(client.http.get("/v1/vendor/events", headers=person.auth))["items"]

    # Then they see their own vendor's only, and the other's receipt does not exist for them
    assert [item["validation_id"] for item in listed] == [mine.validation_id]
    assert [row[-1] for row in exported[1:]] == [mine.validation_id]
    assert_problem(opened, 404, "not-found")
    assert foreign_event.event_id not in {event["id"] for event in events}
    assert len(events) == 1


def test_the_list_is_filtered_by_danish_calendar_days(client, people: People):
    # Given checks around midnight in Denmark: 23:30 UTC on 30 November is 00:30 on 1 December in Denmark
    vendor = people.vendor()
    before = a_receipt(vendor.vendor_id, datetime(2026, 11, 30, 22, 30, tzinfo=UTC))
    first_day = a_receipt(vendor.vendor_id, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    last_day = a_receipt(vendor.vendor_id, datetime(2026, 12, 2, 22, 59, tzinfo=UTC))
    after = a_receipt(vendor.vendor_id, datetime(2026, 12, 2, 23, 0, tzinfo=UTC))
    person = people.vendor_person(vendor.vendor_id)

    # When they ask for 1 to 2 December, from 1 December on, and up to 30 November
    both = json_of(checks(client, person, "?from=2026-12-01&to=2026-12-02"))["items"]
    since = json_of(checks(client, person, "?from=2026-12-01"))["items"]
    until = json_of(checks(client, person, "?to=2026-11-30"))["items"]

    # Then each holds the checks of those Danish days, newest first
    assert [i["validation_id"] for i in both] == [last_day.validation_id, first_day.validation_id]
    assert [i["validation_id"] for i in since] == [
        after.validation_id,
        last_day.validation_id,
        first_day.validation_id,
    ]
    assert [i["validation_id"] for i in until] == [before.validation_id]


def test_bad_dates_are_field_errors_in_danish(client, people: People):
    # Given a vendor's person
    person = people.vendor_person(people.vendor().vendor_id)

    # When they ask with a date that does not exist, one that is not a date, and a period that ends first
    no_day = checks(client, person, "?from=2026-02-30", **{"accept-language": "da"})
    not_a_date = export(client, person, "?to=7.12.2026", **{"accept-language": "da"})
    reversed_period = checks(client, person, "?from=2026-12-07&to=2026-12-01", **{"accept-language": "da"})

    # Then each is a 400 naming the field, saying in Danish what to write
    problem = assert_problem(no_day, 400, "invalid-input")
    assert problem["errors"] == [{"field": "from", "message": "Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-12-07."}]
    problem = assert_problem(not_a_date, 400, "invalid-input")
    assert [error["field"] for error in problem["errors"]] == ["to"]
    problem = assert_problem(reversed_period, 400, "invalid-input")
    assert problem["errors"] == [
        {"field": "to", "message": "Vælg en slutdato, der ligger samme dag som eller efter startdatoen."}
    ]


def test_pages_follow_the_cursor_and_each_page_is_one_query(client, people: People, container):
    # Given five checks of a vendor, and every client the service uses counting its calls
    vendor = people.vendor()
    now = datetime.now(UTC)
    made = [a_receipt(vendor.vendor_id, now - timedelta(minutes=m)) for m in range(5)]
    person = people.vendor_person(vendor.vendor_id)
    fresh = Container(settings=container.settings, clock=container.clock)
    use_container(fresh)

    # When they page through two at a time
    seen: list[str] = []
    queries: list[list[tuple[str, str]]] = []
    cursor = ""
    for _ in range(3):
        with DynamoDBCalls(fresh, table_prefix="godkend-test-") as counted:
            page = json_of(checks(client, person, f"?limit=2{cursor}"))
        queries.append([call for call in counted.calls if call[1] == "validations"])
        seen += [item["validation_id"] for item in page["items"]]
        cursor = f"&cursor={page['next_cursor']}" if page["next_cursor"] else ""

    # Then every check comes once, newest first, and the last page says it is the last
    assert seen == [r.validation_id for r in made]
    assert cursor == ""
    # And each page cost one Query of the receipts, nothing more
    assert queries == [[("Query", "validations")]] * 3


def test_a_cursor_of_another_vendors_list_is_refused(client, people: People):
    # Given a page of another vendor's checks with a cursor
    ours, theirs = people.vendor(), people.vendor()
    now = datetime.now(UTC)
    for minutes in range(3):
        a_receipt(theirs.vendor_id, now - timedelta(minutes=minutes))
    their_person = people.vendor_person(theirs.vendor_id)
    cursor = json_of(checks(client, their_person, "?limit=1"))["next_cursor"]
    assert cursor

    # When our person gives that cursor
    response = checks(client, people.vendor_person(ours.vendor_id), f"?cursor={cursor}")

    # Then it is refused as not this list's, never their checks
    problem = assert_problem(response, 400, "invalid-input")
    assert [error["field"] for error in problem["errors"]] == ["cursor"]


FORMULAS = {
    "organisation_name": '=HYPERLINK("https://evil.example","Klik")',
    "first_name": "+45 12 34 56 78",
    "last_name": "@SUM(A1:A9)",
    "primary_cvr": "-1+1",
}


def test_the_csv_keeps_formulas_as_text_and_is_a_danish_download(client, people: People):
    # Given a check whose organisation and representative are named like spreadsheet formulas
    vendor = people.vendor()
    receipt = a_receipt(vendor.vendor_id, datetime(2026, 12, 1, 12, 0, tzinfo=UTC), **FORMULAS)
    tabbed = a_receipt(vendor.vendor_id, datetime(2026, 12, 1, 11, 0, tzinfo=UTC), first_name="\tJens")
    person = people.vendor_person(vendor.vendor_id)

    # When the person downloads December's checks
    response = export(client, person, "?from=2026-12-01&to=2026-12-31")

    # Then it is a UTF-8 CSV attachment, named for the period, with Danish headers
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="godkend-kontroller-2026-12-01-2026-12-31.csv"'
    )
    header, first, second = rows_of(response)
    assert header == [
        "Kontrolleret (dansk tid)",
        "Organisation",
        "CVR",
        "Repræsentant",
        "Koden gyldig til (dansk tid)",
        "Tilstand",
        "Kontrol-id",
    ]
    # And every cell that would start a formula starts with a quote instead, its text kept
    assert first == [
        "2026-12-01 13:00:00",
        "'" + FORMULAS["organisation_name"],
        "'-1+1",
        "'+45 12 34 56 78 @SUM(A1:A9)",
        "2027-03-01 13:00:00",
        "Live",
        receipt.validation_id,
    ]
    assert second[3] == "'\tJens Hansen"
    assert second[-1] == tabbed.validation_id
    # And every cell is quoted, so a separator or line break in a name cannot make a new cell or row; the
    # cells are parted by `;`, as a Danish spreadsheet expects
    assert response.body.decode().splitlines()[1].startswith('"2026-12-01 13:00:00";"\'=HYPERLINK(""')


def test_the_csv_speaks_english_when_asked(client, people: People):
    # Given a vendor with a check, and its person
    vendor = people.vendor()
    a_receipt(vendor.vendor_id, datetime.now(UTC))
    person = people.vendor_person(vendor.vendor_id)

    # When they download it asking for English
    response = export(client, person, **{"accept-language": "en"})

    # Then its headers are English, its cells parted by `,` as an English spreadsheet expects
    assert rows_of(response, ",")[0][:4] == [
        "Validated at (Danish time)",
        "Organisation",
        "CVR",
        "Representative",
    ]


def test_an_export_longer_than_one_file_holds_is_refused_not_cut_short(people: People):
    # Given a service whose CSV holds two checks, and a vendor with three in the period
    vendor = people.vendor()
    for minutes in range(3):
        a_receipt(vendor.vendor_id, datetime(2026, 12, 1, 12, minutes, tzinfo=UTC))
    service = VendorReceipts(
        clock=FixedClock(datetime(2026, 12, 7, tzinfo=UTC)), signer=_no, export_max_rows=2
    )
    person = Principal(user_id="u", org_id=None, vendor_id=vendor.vendor_id)

    # When its person downloads the period, and a shorter one
    with pytest.raises(InvalidInput) as refused:
        service.export(person, Period(), language="da")
    shorter = service.export(person, Period(last=date(2026, 11, 30)), language="da")

    # Then the long one is a field error on `from` asking for a shorter period; the short one is a file
    assert [error.field for error in refused.value.errors] == ["from"]
    assert "Vælg en kortere periode" in refused.value.errors[0].translations["da"]
    assert shorter.text.count("\r\n") == 1


def test_a_person_opens_a_signed_receipt_as_the_key_would(client, people: People):
    # Given a vendor's valid check through the API, and a person of the vendor
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    checked = validate(client, vendor, code["code"])
    person = people.vendor_person(vendor.vendor_id)

    # When the person opens the receipt, and the vendor's key does
    opened = client.http.get(f"/v1/vendor/validations/{checked['validation_id']}", headers=person.auth)
    by_key = client.http.get(f"/v1/validations/{checked['validation_id']}", headers=vendor.auth)

    # Then both say the same, and both carry a signed receipt
    assert opened.status_code == 200, opened.body
    mine, theirs = json_of(opened), json_of(by_key)
    assert mine["receipt"].count(".") == 2
    assert {k: v for k, v in mine.items() if k != "receipt"} == {
        k: v for k, v in theirs.items() if k != "receipt"
    }


def test_the_event_feed_is_the_one_the_vendors_key_reads(client, people: People):
    # Given a vendor with two settled events
    vendor = people.vendor()
    now = datetime.now(UTC)
    first = an_event(vendor.vendor_id, now - timedelta(minutes=10))
    second = an_event(vendor.vendor_id, now - timedelta(minutes=9))
    person = people.vendor_person(vendor.vendor_id)

    # When the person reads the feed, and the key does
    by_person = client.http.get("/v1/vendor/events", headers=person.auth)
    by_key = client.http.get("/v1/events", headers=vendor.auth)

    # Then they read the same events in the same order
    assert by_person.status_code == 200, by_person.body
    assert [e["id"] for e in json_of(by_person)["items"]] == [first.event_id, second.event_id]
    assert json_of(by_person)["items"] == json_of(by_key)["items"]


def an_event(vendor_id: str, at: datetime) -> VendorEventModel:
    """An event of the vendor's feed, as the stream writes it for a revoked code."""
    event = VendorEventModel(
        uuid.uuid4().hex,
        vendor_id=vendor_id,
        type=EventType.CODE_REVOKED.value,
        cause_id=f"code.revoked:{uuid.uuid4().hex}",
        created_at=at,
        feed_key=f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{uuid.uuid4().hex}",
        data={
            "created_at": at.isoformat(),
            "validation_id": uuid.uuid4().hex,
            "validated_at": at.isoformat(),
            "code_id": uuid.uuid4().hex,
            "organisation": {"name": "Røde Kors", "cvr": "12345674", "handle": "RoedeKors"},
        },
        delivery_status=DeliveryStatus.NO_ENDPOINT.value,
        window_started_at=at,
        generation=0,
        attempts_made=0,
        attempt_log=[],
        expires_at=at + timedelta(days=30),
    )
    event.save()
    return event


def _no() -> Any:
    raise AssertionError("not used by an export")
