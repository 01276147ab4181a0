"""The hosted check (journey 15): a vendor that does not want to build a code field sends the representative
to Godkend's own page, which asks for the code, shows which organisation and vendor it is for, validates it
on confirmation and sends the browser back to the vendor with the signed receipt. The vendor never handles
the code.

How it goes
1. The vendor's people register the origins a check may send the browser back to
   (`PUT /v1/vendor/redirect-origins`, audited like key changes): at most `MAX_ORIGINS`, each exactly
   `scheme://host[:port]`; https, or http on a loopback host (`localhost`, 127.0.0.0/8, ::1) so that a
   vendor can try it on its own machine. Kept on the vendor's item.
2. The vendor's server makes a check (`POST /v1/checks`, its API key) with `redirect_url` and an optional
   `reference`. `redirect_url` must be on a registered origin: its parsed scheme, host and port are compared
   with the registered ones (never a string prefix), and it may carry no user info and no fragment (the
   fragment is where the answer goes). The answer's `url` is `<console>/kontrol#<check_id>`: the id is in
   the fragment only, so it reaches no access log of the console's host. `check_id` is 192 random bits.
3. The page reads the id from its fragment and asks, always with the id in a JSON body:
   - `POST /v1/hosted-check` what it is: the vendor's name and until when;
   - `POST /v1/hosted-check/code` the code: which organisation and representative it is for, or why it is
     not valid. Nothing is kept; a code that is not valid counts against the vendor's failure limit exactly
     as the vendor's own check would (a hosted check is no way round it);
   - `POST /v1/hosted-check/confirm` the code again: it is validated exactly as POST /v1/validations would
     for the key that made the check (same answer, same receipt, a test key's test answer with `livemode`
     false), and the check is completed in one transaction with its receipt and its `check.completed`
     event (`"livemode"` as the receipt says it; a test key's is delivered and listed in the vendor
     console like any, but kept out of the live feed; one that would be posted to the vendor's endpoint
     is sent only within `GODKEND_TEST_CHECK_EVENTS_PER_VENDOR_PER_HOUR` (20) an hour, so a test key in a
     loop cannot flood an endpoint that also takes live events: beyond it the check completes all the
     same and only the event is not sent, nor kept), on the condition that it is still pending and
     within its hour: single use, a second confirm is refused. The answer is where to send the browser:
     `redirect_url#check_id=<id>&receipt=<JWS>`, in the fragment, so the receipt reaches the vendor's page
     and no server log on the way. The code is never stored on the check, nor in the redirect.
   Each of the three is limited per caller address (`chalicelib/services/onboarding/caller_limits.py`) and
   by API Gateway's throttle (`infra/resources.json`). The codes one caller may try (right or wrong,
   counted before any is looked at: `GODKEND_HOSTED_CHECK_CODES_PER_CALLER_PER_HOUR`, 10) are limited far
   below the vendor's failure limit: a stranger holding a
   check's link cannot use up the vendor's failures and lock its own checks out, as the page's visitors
   could if every caller could try as many as the vendor may fail. One check takes at most
   `GODKEND_HOSTED_CHECK_WRONG_CODES_PER_CHECK` (5) codes that are not valid, from whichever addresses:
   the one that reaches the cap ends the check as failed (`404 check-closed`, in words that send the
   person back to the vendor's page, as every later request on it is). Each is counted with a write that
   holds only if the count is still the one read, so two at once cannot both slip under the cap; a
   caller that changes address cannot go on guessing at one check.
4. `GET /v1/checks/{check_id}` (the vendor's key; another vendor's check, or a test check to a live key and
   the other way round, is 404) says pending, completed, failed (with `failure_reason`) or expired, and once
   completed the receipt. A failed check makes no event: nothing happened to a receipt.

A check can be used for `LIFETIME` (an hour), then it is expired; it is kept `KEPT_AFTER_EXPIRY` more for
the vendor's GET. A check whose key is revoked meanwhile cannot be completed any more.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import SplitResult, urlencode, urlsplit

from pynamodb.exceptions import TransactWriteError

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    CheckClosed,
    CheckUnavailable,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
)
from chalicelib.models.base import failed_conditions, transaction
from chalicelib.models.check import (
    CheckModel,
    CheckStatus,
    count_wrong_code,
    get_check,
    new_check,
    still_pending,
)
from chalicelib.models.user import get_user
from chalicelib.models.validation import ReceiptModel
from chalicelib.models.vendor import VendorMissing, get_vendor, set_redirect_origins
from chalicelib.models.webhook import (
    EVENT_RETENTION,
    DeliveryStatus,
    EndpointStatus,
    EventType,
    VendorEventModel,
    event_id_for,
    get_webhook,
)
from chalicelib.services.access.authz import Principal
from chalicelib.services.vendors.api_keys import KeyMode, VendorIdentity
from chalicelib.services.vendors.validation import InvalidCode, Representative, ValidationService, ValidCode

LIFETIME = timedelta(hours=1)
WRONG_CODES_PER_CHECK = 5
MAX_ORIGINS = 5
MAX_URL = 2000
MAX_REFERENCE = 200
CHECK_BYTES = 24
LOOPBACK_NAMES = frozenset({"localhost"})
DEFAULT_PORTS = {"https": 443, "http": 80}
# The console's page for the representative; the check's id follows in the fragment.
PAGE_PATH = "/kontrol"

ORIGIN_RULE = {
    "en": "Give an origin as scheme://host[:port], nothing more: https, or http on localhost or 127.0.0.1.",
    "da": "Skriv en adresse som scheme://vært[:port] og intet andet: https, eller http på localhost "
    "eller 127.0.0.1.",
}
TOO_MANY_ORIGINS = {
    "en": f"Register at most {MAX_ORIGINS} origins.",
    "da": f"Du kan højst registrere {MAX_ORIGINS} adresser.",
}
NOT_REGISTERED = {
    "en": "redirect_url must be on an origin you registered: add its origin under Leverandør, "
    "Tilbagesendelsesadresser (PUT /v1/vendor/redirect-origins), then make the check again.",
    "da": "redirect_url skal ligge på en adresse, I har registreret: tilføj adressen under Leverandør, "
    "Tilbagesendelsesadresser, og lav kontrollen igen.",
}
BAD_REDIRECT = {
    "en": "Give an absolute https address (http only on localhost or 127.0.0.1), without user info or a "
    "fragment (#...): the answer is put in the fragment.",
    "da": "Skriv en fuld https-adresse (http kun på localhost eller 127.0.0.1) uden brugeroplysninger og "
    "uden fragment (#...): svaret sættes i fragmentet.",
}
BAD_REFERENCE = {
    "en": f"Give at most {MAX_REFERENCE} printable characters.",
    "da": f"Skriv højst {MAX_REFERENCE} tegn, der kan vises.",
}


class Admission(Protocol):
    """A limit counted per caller or per vendor (the onboarding domain's CallerLimits): raises
    TooManyRequests when over it, else counts one."""

    def admit(self, source_ip: str) -> None: ...


def unavailable() -> CheckUnavailable:
    return CheckUnavailable(
        "This link no longer works: the check was used already, has expired (after an hour), or the link "
        "is wrong. Go back to the vendor's page and start again."
    )


def closed() -> CheckClosed:
    return CheckClosed(
        "This check is closed: too many codes that are not valid were tried. Go back to the vendor's page "
        "and start again."
    )


def origin_of(url: SplitResult) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL, lower-cased, the default port left out; None
    when it has none, or is http on anything but a loopback host."""
    scheme = url.scheme.lower()
    try:
        host, port = url.hostname, url.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if scheme == "http" and not is_loopback(host):
        return None
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + ("" if port in (None, DEFAULT_PORTS[scheme]) else f":{port}")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_origin(text: str) -> str | None:
    """A registered origin as given: exactly scheme://host[:port], nothing after it."""
    url = urlsplit(text.strip())
    if (
        url.path not in ("", "/")
        or url.query
        or url.fragment
        or "@" in url.netloc
        or text.strip().endswith("?")
    ):
        return None
    return origin_of(url)


def normalised_origins(given: list[str]) -> list[str]:
    """The origins as kept (normalised, each once, in the order given), or 400 naming each bad one."""
    if len(given) > MAX_ORIGINS:
        raise InvalidInput(
            "Too many origins.",
            errors=[FieldError("origins", TOO_MANY_ORIGINS["en"], translations=TOO_MANY_ORIGINS)],
        )
    kept: list[str] = []
    errors = []
    for index, text in enumerate(given):
        origin = parse_origin(text)
        if origin is None:
            errors.append(FieldError(f"origins.{index}", ORIGIN_RULE["en"], translations=ORIGIN_RULE))
        elif origin not in kept:
            kept.append(origin)
    if errors:
        raise InvalidInput("Some origins are not origins.", errors=errors)
    return kept


@dataclass(frozen=True)
class RedirectOrigins:
    origins: list[str]


@dataclass(frozen=True)
class NewCheck:
    check_id: str
    url: str
    expires_at: str


@dataclass(frozen=True)
class CheckView:
    """A check as its vendor sees it."""

    check_id: str
    status: str
    reference: str | None
    redirect_url: str
    livemode: bool
    created_at: str
    expires_at: str
    completed_at: str | None = None
    failed_at: str | None = None
    failure_reason: str | None = None
    validation_id: str | None = None
    # Once completed: the receipt's answer, as GET /v1/validations/{validation_id} gives it.
    result: ValidCode | None = None


@dataclass(frozen=True)
class PageCheck:
    """What the representative's page is told of a check before the code."""

    vendor_name: str
    expires_at: str
    livemode: bool


@dataclass(frozen=True)
class PreviewOrganisation:
    name: str


@dataclass(frozen=True)
class Preview:
    """Whom a code is for, or why it is not valid; nothing kept."""

    valid: bool
    reason: str | None = None
    organisation: PreviewOrganisation | None = None
    representative: Representative | None = None


@dataclass(frozen=True)
class Confirmation:
    """The page's answer to a confirmation: where to send the browser, or why the code is not valid."""

    valid: bool
    reason: str | None = None
    redirect_to: str | None = None


class HostedCheckService:
    def __init__(
        self,
        *,
        clock: Clock,
        validations: ValidationService,
        console_url: str,
        callers: Admission,
        code_tries: Admission,
        lifetime: timedelta = LIFETIME,
        test_events: Admission,
        wrong_codes_per_check: int = WRONG_CODES_PER_CHECK,
    ) -> None:
        self._clock = clock
        self._validations = validations
        self._console_url = console_url.rstrip("/")
        self._callers = callers
        self._code_tries = code_tries
        self._lifetime = lifetime
        self._wrong_codes = wrong_codes_per_check
        self._test_events = test_events

    # The vendor console: the origins a check may send the browser back to.

    def origins(self, person: Principal) -> RedirectOrigins:
        vendor = get_vendor(_own_vendor(person))
        if vendor is None:
            raise NotFound("No such vendor.")
        return RedirectOrigins(origins=vendor.origins)

    def set_origins(self, person: Principal, given: list[str], *, origin: Origin) -> RedirectOrigins:
        """Replace the vendor's origins, audited in the staff trail with the person's name."""
        vendor_id = _own_vendor(person)
        origins = normalised_origins(given)
        user = get_user(person.user_id)
        event = AuditEvent(
            STAFF_TRAIL,
            AuditAction.VENDOR_REDIRECT_ORIGINS_SET,
            Actor(ActorKind.USER, person.user_id, None if user is None else user.full_name),
            origin,
            targets={"vendor_id": vendor_id},
            details={"origins": origins},
        )
        try:
            set_redirect_origins(vendor_id, origins, audit_record(event, now=self._clock.now()))
        except VendorMissing as exc:
            raise NotFound("No such vendor.") from exc
        return RedirectOrigins(origins=origins)

    # The vendor's server.

    def create(self, vendor: VendorIdentity, *, redirect_url: str, reference: str | None) -> NewCheck:
        registered = get_vendor(vendor.vendor_id)
        self._check_redirect(redirect_url, [] if registered is None else registered.origins)
        if reference is not None and (len(reference) > MAX_REFERENCE or not reference.isprintable()):
            raise InvalidInput(
                "The reference is not usable.",
                errors=[FieldError("reference", BAD_REFERENCE["en"], translations=BAD_REFERENCE)],
            )
        now = self._now()
        check = CheckModel(
            secrets.token_urlsafe(CHECK_BYTES),
            vendor_id=vendor.vendor_id,
            vendor_name=vendor.vendor_name,
            key_id=vendor.key_id,
            livemode=vendor.livemode,
            redirect_url=redirect_url,
            reference=reference or None,
            created_at=now,
            expires_at=now + self._lifetime,
        )
        new_check(check)
        return NewCheck(
            check_id=check.check_id,
            url=f"{self._console_url}{PAGE_PATH}#{check.check_id}",
            expires_at=isoformat(check.expires_at),
        )

    def status(self, vendor: VendorIdentity, check_id: str) -> CheckView:
        check = get_check(check_id, now=self._now())
        if check is None or check.vendor_id != vendor.vendor_id or check.livemode != vendor.livemode:
            raise NotFound("No such check.")
        state = check.status_at(self._now())
        completed, failed = check.completed_when, check.failed_when
        result = None
        if state is CheckStatus.COMPLETED and check.validation_id:
            result = self._validations.receipt(vendor, check.validation_id)
        return CheckView(
            check_id=check.check_id,
            status=state.value,
            reference=check.reference_text,
            redirect_url=check.redirect_url,
            livemode=check.livemode,
            created_at=isoformat(check.created_at),
            expires_at=isoformat(check.expires_at),
            completed_at=None if completed is None else isoformat(completed),
            failed_at=None if failed is None else isoformat(failed),
            failure_reason=check.failure_reason if state is CheckStatus.FAILED else None,
            validation_id=check.validation_id,
            result=result,
        )

    # The representative's page (anyone holding the check's id).

    def describe(self, check_id: str, *, source_ip: str) -> PageCheck:
        self._callers.admit(source_ip)
        check = self._pending(check_id)
        return PageCheck(
            vendor_name=check.vendor_name, expires_at=isoformat(check.expires_at), livemode=check.livemode
        )

    def preview(self, check_id: str, code: str, *, source_ip: str) -> Preview:
        """Whom the code is for; nothing is kept, but a code that is not valid counts as a failed check."""
        self._callers.admit(source_ip)
        check = self._pending(check_id)
        self._code_tries.admit(source_ip)
        decided = self._decide(check, code)
        if isinstance(decided, InvalidCode):
            self._count_wrong(check)
            return Preview(valid=False, reason=decided.reason)
        return Preview(
            valid=True,
            organisation=PreviewOrganisation(name=decided.organisation_name),
            representative=Representative(first_name=decided.first_name, last_name=decided.last_name),
        )

    def confirm(self, check_id: str, code: str, *, source_ip: str) -> Confirmation:
        """Validate as a direct check would, complete the check with its receipt (once), and say where the
        browser goes: the vendor's address with the check's id and the signed receipt in the fragment."""
        self._callers.admit(source_ip)
        check = self._pending(check_id)
        self._code_tries.admit(source_ip)
        decided = self._decide(check, code)
        if isinstance(decided, InvalidCode):
            self._count_wrong(check)
            return Confirmation(valid=False, reason=decided.reason)
        # Signed before anything is kept: a key set that cannot sign completes nothing.
        answer = self._validations.signed_answer(decided)
        self._complete(check, decided)
        fragment = urlencode({"check_id": check.check_id, "receipt": answer.receipt})
        return Confirmation(valid=True, redirect_to=f"{check.redirect_url}#{fragment}")

    def _decide(self, check: CheckModel, code: str) -> ReceiptModel | InvalidCode:
        vendor = VendorIdentity(
            vendor_id=check.vendor_id,
            vendor_name=check.vendor_name,
            key_id=check.key_id,
            mode=KeyMode.LIVE if check.livemode else KeyMode.TEST,
        )
        try:
            return self._validations.decide_for(vendor, code)
        except Unauthenticated:
            # The key that made the check was revoked since: its checks end with it.
            raise unavailable() from None

    def _complete(self, check: CheckModel, receipt: ReceiptModel) -> None:
        now = self._now()
        # Counted before the transaction: a completion that then fails has used up one test event, never more.
        event = self._event_to_send(check, receipt, now)
        try:
            with transaction() as tx:
                tx.update(
                    check,
                    actions=[
                        CheckModel.status.set(CheckStatus.COMPLETED.value),
                        CheckModel.completed_at.set(now),
                        CheckModel.validation_id.set(receipt.validation_id),
                    ],
                    condition=still_pending(now),
                )
                tx.save(receipt, condition=self._validations.keep_with(receipt))
                if event is not None:
                    tx.save(event, condition=VendorEventModel.event_id.does_not_exist())
        except TransactWriteError as exc:
            # DynamoDB lists the reasons puts first, updates after, so the check's is not first. The receipt
            # and the event have fresh ids and never fail theirs: any failed condition is the check's,
            # confirmed meanwhile or just expired.
            if failed_conditions(exc):
                raise unavailable() from exc
            raise

    def _count_wrong(self, check: CheckModel) -> None:
        """Count a code that was not valid against the check's cap; the one that reaches it closes the check
        (CheckClosed). A write that finds the check changed since it was read reads it again: each such
        change is another code counted, or the check's end, so this ends within the cap's number of turns."""
        for _ in range(self._wrong_codes + 1):
            reached = count_wrong_code(check, cap=self._wrong_codes, now=self._now())
            if reached:
                raise closed()
            if reached is False:
                return
            check = self._pending(check.check_id)
        raise closed()

    def _event_to_send(
        self, check: CheckModel, receipt: ReceiptModel, now: datetime
    ) -> VendorEventModel | None:
        """The check's `check.completed` event, or None for a test check's event that would be posted to the
        vendor's endpoint beyond the vendor's hourly cap on test-mode events: a test key in a loop must not
        flood an endpoint that also takes live events. The check completes all the same, and the vendor
        reads it with GET /v1/checks/{check_id}; only the event is not sent (nor kept)."""
        event = completed_event(check, receipt, now)
        if check.livemode or event.delivery_status != DeliveryStatus.PENDING.value:
            return event  # live, or not posted (no endpoint, or paused): nothing to flood
        try:
            self._test_events.admit(check.vendor_id)
        except TooManyRequests:
            return None
        return event

    def _pending(self, check_id: str) -> CheckModel:
        check = get_check(check_id, now=self._now())
        state = None if check is None else check.status_at(self._now())
        if state is CheckStatus.FAILED:
            raise closed()
        if check is None or state is not CheckStatus.PENDING:
            raise unavailable()
        return check

    def _check_redirect(self, redirect_url: str, registered: list[str]) -> None:
        url = urlsplit(redirect_url)
        origin = (
            None if len(redirect_url) > MAX_URL or url.fragment or "#" in redirect_url else origin_of(url)
        )
        if origin is None or "@" in url.netloc:
            raise InvalidInput(
                "redirect_url is not a usable address.",
                errors=[FieldError("redirect_url", BAD_REDIRECT["en"], translations=BAD_REDIRECT)],
            )
        if origin not in registered:
            raise InvalidInput(
                "redirect_url is not on a registered origin.",
                errors=[FieldError("redirect_url", NOT_REGISTERED["en"], translations=NOT_REGISTERED)],
            )

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC).replace(microsecond=0)


def completed_event(check: CheckModel, receipt: ReceiptModel, now: datetime) -> VendorEventModel:
    """The vendor's `check.completed` event: one event, no cause to expand. What it says is what the
    vendor's other events say of a receipt, with the check's id and reference; never the code."""
    cause_id = f"{EventType.CHECK_COMPLETED.value}:{check.check_id}"
    event_id = event_id_for(cause_id, receipt.validation_id)
    hook = get_webhook(check.vendor_id)
    if hook is None:
        status = DeliveryStatus.NO_ENDPOINT
    elif hook.status == EndpointStatus.PAUSED.value:
        status = DeliveryStatus.PAUSED
    else:
        status = DeliveryStatus.PENDING
    data: dict[str, Any] = {
        "created_at": isoformat(now),
        # As the receipt says it: a test key's check is tried by the vendor, and its event says so.
        "livemode": check.livemode,
        "check_id": check.check_id,
        "reference": check.reference_text,
        "validation_id": receipt.validation_id,
        "validated_at": isoformat(receipt.validated_at),
        "code_id": receipt.code_id,
        "organisation": {
            "name": receipt.organisation_name,
            "legal_name": receipt.legal_name or receipt.organisation_name,
            "cvr": receipt.primary_cvr,
            "handle": receipt.handle,
        },
    }
    return VendorEventModel(
        event_id,
        vendor_id=check.vendor_id,
        type=EventType.CHECK_COMPLETED.value,
        cause_id=cause_id,
        created_at=now,
        feed_key=f"{now.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{event_id}",
        data=data,
        delivery_status=status.value,
        parked=status.value if status is DeliveryStatus.PAUSED else None,
        generation=0,
        attempts_made=0,
        window_started_at=now,
        attempt_log=[],
        expires_at=now + EVENT_RETENTION,
        # Marked so that the live feed leaves it out; delivered and listed in the console like any.
        test_mode=None if check.livemode else True,
    )


def _own_vendor(person: Principal) -> str:
    if person.vendor_id is None:
        raise Forbidden("This is for a vendor's people, in the vendor console.")
    return person.vendor_id
