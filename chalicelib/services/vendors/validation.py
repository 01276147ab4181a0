"""Vendors validate codes (journey 7): is this code valid, for which organisation and representative, until
when; and if not, why not. A valid check leaves a receipt that outlives the code.

What a check costs in DynamoDB round trips, and all of it in the one Lambda invocation of the API function:

1. one BatchGetItem, strongly consistent, of everything the answer depends on, all of it named by the
   request itself: the presented key (`vendor-keys`, by the key id in it), the vendor's two failure windows
   (by the vendor id in the key), the code's value item (by its random part) and the organisation's
   vendor-facing state (`handles`, by the handle after the `@`; written in the same transaction as every
   change to that state, `chalicelib/services/vendors/vendor_view.py`). Keys DynamoDB hands back unread are
   asked for again (each retry is a round trip of its own);
2. valid: PutItem of the receipt. Not valid: UpdateItem ADD on the current failure window.

The receipt's signature costs no round trip: the key set is in memory, read once per container
(chalicelib/services/vendors/receipt_keys.py).

The answer is decided in order from that one read: a wrong, garbled or revoked key is 401 (and counted
nowhere); a vendor over the limit is 429 before the code is looked at, so it learns nothing; then unknown,
revoked, expired, organisation not approved, valid. So a valid check is two round trips, a failed one two,
a refused one one.

A test key's check (the key's prefix says `gkv_test_`) reads only the key, with one consistent GetItem, and
answers from the documented test codes (chalicelib/services/vendors/test_codes.py): a valid test code is two
round trips (the read and its receipt), any other one. It reads no code, organisation or failure window and
counts no failure.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    NotFound,
    TooManyRequests,
    UpstreamUnavailable,
)
from chalicelib.models.code_value import CodeStatus, CodeValueModel
from chalicelib.models.handle import HandleModel
from chalicelib.models.organisation import OrganisationStatus
from chalicelib.models.retention import DEFAULT_RECEIPT_YEARS
from chalicelib.models.scoped import account_key
from chalicelib.models.validation import (
    CheckKeys,
    ReceiptModel,
    UnreadKeys,
    count_failure,
    get_receipt,
    new_receipt,
    read_for_check,
    save_receipt,
)
from chalicelib.models.vendor import VendorKeyModel, get_key
from chalicelib.services.vendors.api_keys import (
    KeyMode,
    KeyRefused,
    PresentedKey,
    VendorIdentity,
    check_key,
    refusal,
    still_current,
)
from chalicelib.services.vendors.failure_limit import FailureLimit
from chalicelib.services.vendors.receipt_keys import ReceiptSigner
from chalicelib.services.vendors.test_codes import (
    TEST_ACCOUNT,
    TEST_APPROVED_SINCE,
    TEST_CODE_EXPIRES_AT,
    TEST_CVR,
    TEST_FIRST_NAME,
    TEST_HANDLE,
    TEST_LAST_NAME,
    TEST_LEGAL_NAME,
    TEST_ORGANISATION_ID,
    TEST_ORGANISATION_NAME,
    TEST_RECEIPT_RETENTION,
    VALID,
    DocumentedCode,
    documented_code,
)

# A code after trimming and lower-casing its random part: 8 lowercase letters or digits, @, and a handle of
# ASCII letters and digits (chalicelib/services/organisation/handles.py makes at most 40).
CODE = re.compile(r"([0-9a-z]{8})@([0-9A-Za-z]{1,40})", re.ASCII)
# What DynamoDB answers when it cannot serve a read now (after botocore's own retries).
TRANSIENT = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class Reason(StrEnum):
    """Why a code is not valid."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ORGANISATION_NOT_APPROVED = "organisation_not_approved"


@dataclass(frozen=True)
class PresentedCode:
    random_part: str
    handle: str


def normalise(raw: str) -> PresentedCode | None:
    """The code a vendor was given, whatever whitespace surrounds it and whatever the case of its letters;
    None when the text cannot be a code at all (it is then simply unknown)."""
    text = raw.strip()
    if not text.isascii():
        return None
    random_part, at, handle = text.partition("@")
    found = CODE.fullmatch(random_part.lower() + at + handle)
    return None if found is None else PresentedCode(random_part=found.group(1), handle=found.group(2))


class ValidationService:
    def __init__(
        self,
        *,
        clock: Clock,
        limit: FailureLimit,
        dynamodb: Any,
        signer: Callable[[], ReceiptSigner],
        receipt_years: int = DEFAULT_RECEIPT_YEARS,
    ) -> None:
        self._clock = clock
        self._limit = limit
        # Asked for when a receipt is first signed: the organisation's history never loads the keys.
        self._signer = signer
        self._receipt_years = receipt_years
        # A plain DynamoDB client for the one read that spans two tables (BatchGetItem).
        self._dynamodb = dynamodb

    def validate(self, key: PresentedKey, raw: str) -> ValidCode | InvalidCode:
        """Check the vendor's key and the code from one read; keep a receipt when the code is valid."""
        now = self._clock.now().astimezone(UTC)
        decided = self._decide(
            key.key_id, key.vendor_id, key.mode, normalise(raw), now, lambda stored: check_key(key, stored)
        )
        if isinstance(decided, InvalidCode):
            return decided
        # Signed before it is kept: a key set that cannot sign leaves no receipt the vendor was not given.
        signed = self._signed(decided)
        save_receipt(decided, retention_years=self._receipt_years, kept_for=self._kept_for(decided))
        return answer(decided, signed)

    def decide_for(self, vendor: VendorIdentity, raw: str) -> ReceiptModel | InvalidCode:
        """A hosted check's code, decided exactly as `validate` decides it for the key that made the check
        (which must still be current: a revoked key's checks end with it, Unauthenticated). A code that is
        not valid counts against the vendor's failure limit as a direct check's does; a valid one answers
        the receipt, neither signed nor kept (`signed_answer`, `keep_with`)."""
        now = self._clock.now().astimezone(UTC)
        return self._decide(
            vendor.key_id,
            vendor.vendor_id,
            vendor.mode,
            normalise(raw),
            now,
            lambda stored: still_current(vendor, stored),
        )

    def signed_answer(self, receipt: ReceiptModel) -> ValidCode:
        """The answer a direct check with this receipt gives, signed now."""
        return answer(receipt, self._signed(receipt))

    def keep_with(self, receipt: ReceiptModel) -> Condition:
        """Sets the receipt's retention; answers the condition it is written under (in the caller's
        transaction)."""
        return new_receipt(receipt, retention_years=self._receipt_years, kept_for=self._kept_for(receipt))

    @staticmethod
    def _kept_for(receipt: ReceiptModel) -> timedelta | None:
        return None if receipt.is_live else TEST_RECEIPT_RETENTION

    def _decide(
        self,
        key_id: str,
        vendor_id: str,
        mode: KeyMode,
        presented: PresentedCode | None,
        now: datetime,
        identify: Callable[[VendorKeyModel | None], VendorIdentity],
    ) -> ReceiptModel | InvalidCode:
        """The receipt a valid code makes (unsaved), or why the code is not valid. `identify` checks the
        stored key (raises KeyRefused)."""
        if mode is KeyMode.TEST:
            return self._test_decision(key_id, presented, now, identify)
        second = int(now.timestamp())
        current, previous = self._limit.windows(second)
        try:
            reads = read_for_check(
                self._dynamodb,
                CheckKeys(
                    key_id=key_id,
                    vendor_id=vendor_id,
                    windows=(current, previous),
                    random_part=None if presented is None else presented.random_part,
                    handle=None if presented is None else presented.handle,
                ),
            )
        except (UnreadKeys, BotoCoreError, ClientError) as exc:
            if isinstance(exc, ClientError) and exc.response["Error"]["Code"] not in TRANSIENT:
                raise
            # Neither a way in nor a bare 500: the key and the code could not be read now.
            raise UpstreamUnavailable("The code could not be looked up just now; try again shortly.") from exc
        try:
            vendor = identify(reads.key)
        except KeyRefused as refused:
            raise refusal(refused) from None
        wait = self._limit.retry_after(second, reads.failures[current], reads.failures[previous])
        if wait is not None:
            raise TooManyRequests(
                "Too many checks of codes that were not valid; try again when Retry-After has passed.",
                retry_after_seconds=wait,
            )
        outcome = _outcome(presented, reads.value, reads.organisation, now)
        if isinstance(outcome, Reason):
            expires = datetime.fromtimestamp(self._limit.expiry_of(current), UTC)
            count_failure(vendor.vendor_id, current, expires_at=expires)
            return InvalidCode(reason=outcome.value)
        value, organisation = outcome
        return _receipt(vendor, value, organisation, now)

    def _test_decision(
        self,
        key_id: str,
        presented: PresentedCode | None,
        now: datetime,
        identify: Callable[[VendorKeyModel | None], VendorIdentity],
    ) -> ReceiptModel | InvalidCode:
        """A test key's check: the key alone is read; the answer comes from the documented test codes."""
        try:
            stored = get_key(key_id)
        except (PynamoDBException, BotoCoreError) as exc:
            raise UpstreamUnavailable(
                "The API key could not be checked just now; try again shortly."
            ) from exc
        try:
            vendor = identify(stored)
        except KeyRefused as refused:
            raise refusal(refused) from None
        found = None if presented is None else documented_code(presented.random_part, presented.handle)
        if found is None or found.outcome != VALID:
            return InvalidCode(
                reason=Reason.UNKNOWN.value if found is None else found.outcome, livemode=False
            )
        return receipt_of_test_code(vendor, found, now)

    def receipt(self, vendor: VendorIdentity, validation_id: str) -> Receipt:
        """One of the vendor's own receipts; another vendor's does not exist for it, and neither does a
        test check's for a live key, or a live check's for a test key."""
        receipt = get_receipt(validation_id, now=self._clock.now())
        if receipt is None or receipt.vendor_id != vendor.vendor_id or receipt.is_live != vendor.livemode:
            raise NotFound("No such validation.")
        # Signed again from the stored record: the same claims as the check's own receipt, under the key
        # that signs now (a receipt signed under an older key verifies as long as it is kept).
        return Receipt(
            **vars(answer(receipt, self._signed(receipt))), validated_at=isoformat(receipt.validated_at)
        )

    def _signed(self, receipt: ReceiptModel) -> str:
        return self._signer().sign(receipt_claims(receipt), self._clock.now().astimezone(UTC))


def _outcome(
    presented: PresentedCode | None,
    value: CodeValueModel | None,
    organisation: HandleModel | None,
    now: datetime,
) -> Reason | tuple[CodeValueModel, HandleModel]:
    if presented is None or value is None or value.handle.lower() != presented.handle.lower():
        return Reason.UNKNOWN
    status = value.status_at(now)
    if status is CodeStatus.REVOKED:
        return Reason.REVOKED
    if status is CodeStatus.EXPIRED:
        return Reason.EXPIRED
    # The handle's item says what vendors see of its organisation; it must be the code's organisation.
    if organisation is None or organisation.org_id != value.org_id or organisation.status is None:
        return Reason.UNKNOWN
    if organisation.status != OrganisationStatus.APPROVED.value:
        return Reason.ORGANISATION_NOT_APPROVED
    return value, organisation


def _receipt(
    vendor: VendorIdentity, value: CodeValueModel, organisation: HandleModel, now: datetime
) -> ReceiptModel:
    return ReceiptModel(
        uuid.uuid4().hex,
        vendor_id=vendor.vendor_id,
        vendor_name=vendor.vendor_name,
        key_id=vendor.key_id,
        org_id=organisation.org_id,
        organisation_name=organisation.name,
        legal_name=organisation.legal_name,
        primary_cvr=organisation.primary_cvr,
        handle=organisation.handle,
        approved_since=organisation.approved_since_when,
        code_id=value.code_id,
        cvr=value.cvr,
        account=value.account,
        account_key=account_key(value.cvr, value.account),
        first_name=value.first_name,
        last_name=value.last_name,
        validated_at=now,
        code_expires_at=value.expires_at,
    )


def receipt_of_test_code(vendor: VendorIdentity, code: DocumentedCode, now: datetime) -> ReceiptModel:
    """The receipt of a valid test code: the fixed test organisation and representative, nothing real."""
    return ReceiptModel(
        uuid.uuid4().hex,
        vendor_id=vendor.vendor_id,
        vendor_name=vendor.vendor_name,
        key_id=vendor.key_id,
        org_id=TEST_ORGANISATION_ID,
        organisation_name=TEST_ORGANISATION_NAME,
        legal_name=TEST_LEGAL_NAME,
        primary_cvr=TEST_CVR,
        handle=TEST_HANDLE,
        approved_since=TEST_APPROVED_SINCE,
        code_id=code.code_id,
        cvr=TEST_CVR,
        account=TEST_ACCOUNT,
        account_key=account_key(TEST_CVR, TEST_ACCOUNT),
        first_name=TEST_FIRST_NAME,
        last_name=TEST_LAST_NAME,
        validated_at=now,
        code_expires_at=TEST_CODE_EXPIRES_AT,
        livemode=False,
    )


@dataclass(frozen=True)
class ValidatedOrganisation:
    name: str
    legal_name: str
    cvr: str
    handle: str
    approved_since: str | None


@dataclass(frozen=True)
class Representative:
    first_name: str
    last_name: str


@dataclass(frozen=True)
class ValidCode:
    """What the vendor is told about a valid code: the contract's 200 answer."""

    validation_id: str
    code_expires_at: str
    organisation: ValidatedOrganisation
    representative: Representative
    # False for a test key's check of a test code.
    livemode: bool
    # A compact JWS over what the vendor was told (`receipt_claims`), verifiable offline against the JWKS.
    receipt: str

    @property
    def valid(self) -> bool:
        return True


@dataclass(frozen=True)
class InvalidCode:
    reason: str
    livemode: bool = True

    @property
    def valid(self) -> bool:
        return False


@dataclass(frozen=True)
class Receipt(ValidCode):
    validated_at: str


def answer(receipt: ReceiptModel, signed: str) -> ValidCode:
    return ValidCode(
        validation_id=receipt.validation_id,
        code_expires_at=isoformat(receipt.code_expires_at),
        organisation=_organisation(receipt),
        representative=representative_of(receipt),
        livemode=receipt.is_live,
        receipt=signed,
    )


def receipt_claims(receipt: ReceiptModel) -> dict[str, Any]:
    """What a receipt's JWS says, from the stored record alone, so the check's answer and a later read sign
    the same claims: registered names where they fit (`sub` the validation, `aud` the vendor, `iat` when it
    was validated; the signer adds `iss`), then what the vendor was told."""
    return {
        "sub": receipt.validation_id,
        "aud": receipt.vendor_id,
        "iat": int(receipt.validated_at.timestamp()),
        "validated_at": isoformat(receipt.validated_at),
        "code_expires_at": isoformat(receipt.code_expires_at),
        "organisation": vars(_organisation(receipt)),
        "representative": vars(representative_of(receipt)),
        "livemode": receipt.is_live,
    }


def _organisation(receipt: ReceiptModel) -> ValidatedOrganisation:
    approved = receipt.approved_since_when
    return ValidatedOrganisation(
        name=receipt.organisation_name,
        legal_name=receipt.legal_name or receipt.organisation_name,
        cvr=receipt.primary_cvr,
        handle=receipt.handle,
        approved_since=None if approved is None else isoformat(approved),
    )


def representative_of(receipt: ReceiptModel) -> Representative:
    return Representative(first_name=receipt.first_name, last_name=receipt.last_name)
