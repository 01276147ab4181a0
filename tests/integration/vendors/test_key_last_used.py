"""A key's "last used": kept current from the receipts' stream (the validations table's NEW_IMAGE stream and
its handler `record_key_use`), never by the check itself. Driven as Lambda drives it: from the emulated
stream, and with stream events shaped as Lambda delivers them (redelivered, out of order, in batches)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.local import LambdaContext

from app import app
from bench.roundtrips import DynamoDBCalls
from chalicelib.container import Container
from chalicelib.models.validation import ReceiptModel
from chalicelib.models.vendor import VendorKeyModel
from infra.local.events import StreamConsumer
from infra.local.provision import stream_environment
from tests.integration.vendors.test_validations import a_code, validate
from tests.integration.vendors.test_vendor_people import make_key, own_keys, validate_with, vendor_person
from tests.people import People, VendorCaller, json_of

HANDLER = "record_key_use"


class ReceiptsStream:
    """The handler driven from the emulated validations stream, as Lambda's event source mapping would."""

    def __init__(self) -> None:
        self.arn = stream_environment(boto3.client("dynamodb", region_name="eu-west-1"))[
            "GODKEND_VALIDATIONS_STREAM_ARN"
        ]
        streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
        self._consumer = StreamConsumer(streams, HANDLER, self.arn, app.handler_map[HANDLER], 100)

    def run(self) -> None:
        for _ in range(20):
            if self._consumer.poll_once() == 0:
                return
        raise AssertionError("the receipts' stream did not settle")


@pytest.fixture
def stream(container: Container) -> ReceiptsStream:
    return ReceiptsStream()


def staff_view_of_keys(client: Any, people: People, vendor: VendorCaller) -> dict[str, Any]:
    seen = json_of(client.http.get(f"/v1/staff/vendors/{vendor.vendor_id}", headers=people.staff().auth))
    return {key["key_id"]: key for key in seen["keys"]}


def key_id_of(vendor: VendorCaller) -> str:
    return vendor.api_key.split("_")[2]


def record(event_name: str, receipt: ReceiptModel, arn: str) -> dict[str, Any]:
    """One record as Lambda hands a DynamoDB stream's record to a function (NEW_IMAGE)."""
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": datetime.now(UTC).timestamp(),
        "Keys": {"validation_id": {"S": receipt.validation_id}},
        "SequenceNumber": str(uuid.uuid4().int)[:21],
        "SizeBytes": 512,
        "StreamViewType": "NEW_IMAGE",
    }
    if event_name != "REMOVE":
        change["NewImage"] = receipt.serialize()
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": change,
        "eventSourceARN": arn,
    }


def deliver(records: list[dict[str, Any]]) -> None:
    app.handler_map[HANDLER]({"Records": records}, LambdaContext(HANDLER, 512))


def receipt_of(key_id: str, validated_at: datetime) -> ReceiptModel:
    """A receipt as the check writes it, of `key_id` at `validated_at`; only its stream record is made."""
    return ReceiptModel(
        validation_id=uuid.uuid4().hex,
        vendor_id=uuid.uuid4().hex,
        vendor_name="Leverandør",
        key_id=key_id,
        org_id=uuid.uuid4().hex,
        organisation_name="Forening",
        primary_cvr="10000009",
        handle="Forening",
        code_id=uuid.uuid4().hex,
        cvr="10000009",
        account="1",
        account_key="10000009#1",
        first_name="Mette",
        last_name="Hansen",
        validated_at=validated_at,
        code_expires_at=validated_at + timedelta(days=60),
    )


def last_used(key_id: str) -> datetime | None:
    used: datetime | None = VendorKeyModel.get(key_id, consistent_read=True).last_used_at
    return used


def test_a_keys_last_use_is_the_time_of_its_newest_check_once_the_stream_has_run(
    client, people: People, stream: ReceiptsStream
):
    # Given a vendor whose key has never been used, and an organisation's code
    _, _, code = a_code(client, people)
    vendor = people.vendor()
    assert staff_view_of_keys(client, people, vendor)[key_id_of(vendor)]["last_used_at"] is None

    # When the vendor checks the code twice, and the receipts' stream runs
    validate(client, vendor, code["code"])
    newest = validate(client, vendor, code["code"])
    stream.run()

    # Then the key shows the time of the newer check, as its receipt says it
    receipt = json_of(client.http.get(f"/v1/validations/{newest['validation_id']}", headers=vendor.auth))
    shown = staff_view_of_keys(client, people, vendor)[key_id_of(vendor)]["last_used_at"]
    assert shown == receipt["validated_at"]


def test_a_failed_check_leaves_no_receipt_and_so_no_use(client, people: People, stream: ReceiptsStream):
    # Given a vendor whose key has never been used
    vendor = people.vendor()

    # When it checks a code nobody has, and the stream runs
    assert validate(client, vendor, "00000000@Nobody")["valid"] is False
    stream.run()

    # Then its key still shows no use
    assert staff_view_of_keys(client, people, vendor)[key_id_of(vendor)]["last_used_at"] is None


def test_a_test_keys_check_shows_as_its_use_in_the_vendor_console(
    client, people: People, cognito, stream: ReceiptsStream
):
    # Given a vendor person with a test key
    made = vendor_person(client, people, cognito)
    key = json_of(make_key(client, made.person, {"label": "Udvikling", "mode": "test"}))

    # When the test key checks the documented valid test code, and the stream runs
    checked = json_of(validate_with(client, key["api_key"], "valid000@GodkendTest"))
    assert (checked["valid"], checked["livemode"]) == (True, False)
    stream.run()

    # Then GET /v1/vendor/keys shows the test key used, and the live key, unused, not
    listed = {k["key_id"]: k["last_used_at"] for k in json_of(own_keys(client, made.person))["items"]}
    assert listed[key["key_id"]] is not None
    assert listed[made.first_key["key_id"]] is None


def test_a_batch_of_many_receipts_of_one_key_writes_the_newest_time_once(
    client, people: People, container: Container, stream: ReceiptsStream
):
    # Given a key, and twenty receipts of it in one batch, the newest in the middle
    key_id = key_id_of(people.vendor())
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    times = [start + timedelta(seconds=s) for s in range(20)]
    times[10], times[19] = times[19], times[10]
    batch = [record("INSERT", receipt_of(key_id, at), stream.arn) for at in times]

    # When the handler gets the batch
    with DynamoDBCalls(container, table_prefix="godkend-test-") as counted:
        deliver(batch)

    # Then it wrote the key once, with the newest time
    assert counted.calls == [("UpdateItem", "vendor-keys")]
    assert last_used(key_id) == start + timedelta(seconds=19)


def test_a_redelivered_or_older_record_never_moves_the_time_back(
    client, people: People, stream: ReceiptsStream
):
    # Given a key whose last use the stream recorded
    key_id = key_id_of(people.vendor())
    newer = datetime.now(UTC).replace(microsecond=0)
    batch = [record("INSERT", receipt_of(key_id, newer), stream.arn)]
    deliver(batch)
    assert last_used(key_id) == newer

    # When the same batch comes again, and then a record of an older check (a late shard)
    deliver(batch)
    deliver([record("INSERT", receipt_of(key_id, newer - timedelta(minutes=5)), stream.arn)])

    # Then the key keeps the newer time
    assert last_used(key_id) == newer


def test_a_receipt_changed_or_removed_is_no_use_and_an_unknown_key_is_not_created(
    client, people: People, stream: ReceiptsStream
):
    # Given a key never used, and a key id no key has
    key_id = key_id_of(people.vendor())
    nobody = uuid.uuid4().hex[:20]
    at = datetime.now(UTC)

    # When the stream hands the handler a receipt changed, one removed by its retention, and a new receipt
    # of a key that does not exist
    deliver(
        [
            record("MODIFY", receipt_of(key_id, at), stream.arn),
            record("REMOVE", receipt_of(key_id, at), stream.arn),
            record("INSERT", receipt_of(nobody, at), stream.arn),
        ]
    )

    # Then the key still shows no use, and no key was made for the unknown id
    assert last_used(key_id) is None
    with pytest.raises(VendorKeyModel.DoesNotExist):
        VendorKeyModel.get(nobody, consistent_read=True)
