"""Validation codes (journey 6): create, list, show, renew ("Opdater") and revoke.

A code's value is 8 random characters (lowercase letters and digits, from `secrets`), `@`, and the
organisation's handle. It lives exactly 60 days from its creation or latest renewal, to the second. Only
an approved organisation can create or renew codes, and only under an open account in the caller's scope;
anything outside the scope answers as if it did not exist. The storage design is in
`chalicelib/models/code.py`.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import (
    CodeErased,
    CodeRevoked,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    OrganisationNotApproved,
)
from chalicelib.models.audit import (
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    AuditModel,
    Origin,
    audit_record,
)
from chalicelib.models.code import (
    CodeModel,
    CodeStatus,
    EntryChanged,
    IssueRefused,
    Refusal,
    account_key,
    expiry_day,
    get_entry,
    get_value,
    issue,
    list_codes,
    listing_for,
    revoke,
)
from chalicelib.models.organisation import OrganisationModel, OrganisationStatus, get_organisation
from chalicelib.models.outbox import Language, MailKind, OutboxModel, Recipient, outgoing
from chalicelib.models.paging import InvalidCursor, bad_cursor
from chalicelib.models.renewal_request import RequestStatus
from chalicelib.models.user import get_user
from chalicelib.models.webhook import EventCauseModel
from chalicelib.services.access.authz import Function, Principal, authorize
from chalicelib.services.access.scope import org_of, visible_to
from chalicelib.services.codes.renewal_requests import RenewalLinks, answered_by_code
from chalicelib.services.webhooks.event_feed import code_renewed, code_revoked
from chalicelib.values.page import Page

CODE_LIFETIME = timedelta(days=60)
RANDOM_LENGTH = 8
ALPHABET = string.ascii_lowercase + string.digits
RANDOM_PART = re.compile(rf"^[{ALPHABET}]{{{RANDOM_LENGTH}}}$")
# 36^8 values: a collision is rare, several in a row means the random source is broken.
MAX_DRAWS = 8
# A revoke that keeps meeting a concurrent change gives up after this many reads.
MAX_REVOKE_ATTEMPTS = 3
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
LIMIT_RULE = {"en": f"Give a number from 1 to {MAX_LIMIT}.", "da": f"Skriv et tal fra 1 til {MAX_LIMIT}."}

RandomSource = Callable[[], str]
# Where a change came from when the caller (a job, a test) has no request to tell.
UNKNOWN_ORIGIN = Origin()

NOT_APPROVED = {
    OrganisationStatus.PENDING_REVIEW.value: "Your organisation is awaiting review; codes can be created "
    "once it is approved as an NGO.",
    OrganisationStatus.SUSPENDED.value: "Your organisation's approval is suspended, so codes cannot be "
    "created or renewed. Contact support.",
    OrganisationStatus.REJECTED.value: "Your organisation was not approved as an NGO, so codes cannot be "
    "created or renewed.",
}


def draw_random_part() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))


@dataclass(frozen=True)
class CodeRequest:
    first_name: str
    last_name: str
    email: str
    company: str
    account: str
    language: str = Language.DA.value
    notify: bool = True


@dataclass(frozen=True)
class CodeQuery:
    # A code status by its value ('active', 'expired', 'revoked'), as the query string names it.
    status: str | None = None
    company: str | None = None
    account: str | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class CodeService:
    def __init__(
        self, *, clock: Clock, draw: RandomSource = draw_random_part, links: RenewalLinks | None = None
    ) -> None:
        self._clock = clock
        self._draw = draw
        # Makes the "Bed om en ny kode" link the representative's code mail carries.
        self._links = links

    def create(
        self, principal: Principal, request: CodeRequest, *, origin: Origin = UNKNOWN_ORIGIN
    ) -> CodeView:
        authorize(principal, Function.CODES, company=request.company, account=request.account)
        organisation = self._organisation_that_may_issue(principal)
        now = self._now()
        entry = CodeModel(
            uuid.uuid4().hex,
            org_id=organisation.org_id,
            cvr=request.company,
            account=request.account,
            account_key=account_key(request.company, request.account),
            first_name=request.first_name,
            last_name=request.last_name,
            email=request.email,
            language=Language(request.language).value,
            notify=request.notify,
            created_by=principal.user_id,
            created_at=now,
            renewals=0,
        )
        audit = _audit(AuditAction.CODE_CREATED, principal, entry, origin, self._clock.now())
        self._issue(entry, organisation, now, retire=None, audit=audit)
        return describe(entry, now)

    def get(self, principal: Principal, code_id: str) -> CodeView:
        return describe(self._entry_in_scope(principal, code_id), self._now())

    def renew(self, principal: Principal, code_id: str, *, origin: Origin = UNKNOWN_ORIGIN) -> CodeView:
        """A new value with a fresh 60 days for the same representative; the old value dies with it."""
        entry = self._entry_in_scope(principal, code_id)
        if entry.revoked_when is not None:
            raise CodeRevoked("A revoked code cannot be renewed; create a new code instead.")
        if entry.erased_when is not None:
            raise CodeErased(
                "The representative's data was erased from this code; create a new code instead."
            )
        organisation = self._organisation_that_may_issue(principal)
        now = self._now()
        retire = entry.random_part
        entry.renewals = int(entry.renewals) + 1
        # The expiry reminders for the new value go to whoever renewed it, as well as to the representative.
        entry.renewed_by = principal.user_id
        # The value vendors accepted dies: those holding a receipt of it (given since it was issued) are told.
        cause = code_renewed(entry, now=now, since=entry.issued_at)
        audit = _audit(AuditAction.CODE_RENEWED, principal, entry, origin, self._clock.now())
        self._issue(entry, organisation, now, retire=retire, cause=cause, audit=audit)
        answered_by_code(
            entry,
            renewals=int(entry.renewals) - 1,
            status=RequestStatus.RENEWED,
            by=principal.user_id,
            now=now,
        )
        return describe(entry, now)

    def revoke(self, principal: Principal, code_id: str, *, origin: Origin = UNKNOWN_ORIGIN) -> CodeView:
        """The value stops working at once; the entry stays listed as revoked. Revoking again is harmless."""
        for _ in range(MAX_REVOKE_ATTEMPTS):
            entry = self._entry_in_scope(principal, code_id)
            now = self._now()
            if entry.revoked_when is not None:
                return describe(entry, now)
            value = get_value(entry.random_part)
            if value is not None and value.code_id != entry.code_id:
                value = None  # TTL removed ours and another code has since drawn the same characters
            try:
                revoke(
                    entry,
                    value,
                    now=now,
                    by=principal.user_id,
                    cause=code_revoked(entry, now=now, since=entry.issued_at),
                    audit=_audit(AuditAction.CODE_REVOKED, principal, entry, origin, self._clock.now()),
                )
            except EntryChanged:
                continue  # renewed or revoked meanwhile: read it again
            answered_by_code(
                entry,
                renewals=int(entry.renewals),
                status=RequestStatus.REVOKED,
                by=principal.user_id,
                now=now,
            )
            return describe(entry, now)
        raise Conflict("The code kept changing while it was being revoked; try again.")

    def list_page(self, principal: Principal, query: CodeQuery) -> Page[CodeView]:
        if not 1 <= query.limit <= MAX_LIMIT:
            raise InvalidInput(
                "Some fields are missing or invalid.",
                errors=[FieldError("limit", LIMIT_RULE["en"], translations=LIMIT_RULE)],
            )
        now = self._now()
        visible = visible_to(principal, Function.CODES, company=query.company, account=query.account)
        status = None if query.status is None else CodeStatus(query.status)
        listing = listing_for(org_of(principal), visible, status=status, now=now)
        if listing is None:
            return Page([], None)
        try:
            entries, cursor = list_codes(listing, limit=query.limit, cursor=query.cursor)
        except InvalidCursor as exc:
            raise bad_cursor(exc) from exc
        return Page([describe(entry, now) for entry in entries], cursor)

    def _entry_in_scope(self, principal: Principal, code_id: str) -> CodeModel:
        entry = get_entry(code_id, now=self._now())
        if entry is None:
            raise NotFound("No such code.")
        authorize(principal, Function.CODES, org_id=entry.org_id, company=entry.cvr, account=entry.account)
        return entry

    def _organisation_that_may_issue(self, principal: Principal) -> OrganisationModel:
        organisation = get_organisation(org_of(principal))
        if organisation is None:
            raise NotFound("No such organisation.")
        if organisation.status != OrganisationStatus.APPROVED.value:
            raise OrganisationNotApproved(
                NOT_APPROVED.get(organisation.status, "Your organisation is not approved as an NGO.")
            )
        return organisation

    def _issue(
        self,
        entry: CodeModel,
        organisation: OrganisationModel,
        now: datetime,
        *,
        retire: str | None,
        cause: tuple[EventCauseModel, Condition] | None = None,
        audit: tuple[AuditModel, Condition] | None = None,
    ) -> None:
        entry.handle = organisation.handle
        entry.issued_at = now
        entry.expires_at = now + CODE_LIFETIME
        entry.expires_on = expiry_day(entry.expires_at)
        link = self._links.make(entry, now) if self._links is not None and entry.notify else None
        for _ in range(MAX_DRAWS):
            entry.random_part = self._fresh_random_part(avoid=retire)
            try:
                issue(
                    entry,
                    retire=retire,
                    mail=self._mail(entry, organisation, now, link),
                    cause=cause,
                    audit=audit,
                )
            except IssueRefused as refused:
                _raise_for(refused.reasons)
                if Refusal.OLD_VALUE_NOT_OURS in refused.reasons:
                    retire = None
                continue  # the value was taken: draw again
            return
        raise RuntimeError("no unused code value after several draws; is the random source broken?")

    def _fresh_random_part(self, *, avoid: str | None) -> str:
        drawn = self._draw()
        while drawn == avoid:
            drawn = self._draw()
        if not RANDOM_PART.match(drawn):
            raise RuntimeError("the random source gave a value of the wrong shape")
        return drawn

    def _mail(
        self, entry: CodeModel, organisation: OrganisationModel, now: datetime, link: str | None
    ) -> tuple[OutboxModel, Any] | None:
        if not entry.notify:
            return None
        return outgoing(
            MailKind.CODE_ISSUED,
            to=Recipient(address=entry.email, name=f"{entry.first_name} {entry.last_name}"),
            language=entry.language,
            context={
                "organisation_name": organisation.name,
                "expires_at": isoformat(entry.expires_at),
                "renewed": int(entry.renewals) > 0,
            },
            now=now,
            secrets={"code": entry.code, **({"renewal_link": link} if link else {})},
            # One message per issue of a value: a retried write of the same renewal cannot mail twice.
            message_id=f"code-issued:{entry.code_id}:{int(entry.renewals)}",
        )

    def _now(self) -> datetime:
        # Whole seconds: the API shows times to the second, and expiry is to the second.
        return self._clock.now().astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class CodeView:
    """A code as its organisation sees it: its value, whom it is for, and where it stands now."""

    code_id: str
    code: str
    status: str
    created_at: str
    expires_at: str
    first_name: str
    last_name: str
    email: str
    company: str
    account: str
    language: str
    notify: bool
    # When the current value replaced an earlier one.
    renewed_at: str | None
    revoked_at: str | None


def describe(entry: CodeModel, now: datetime) -> CodeView:
    return CodeView(
        code_id=entry.code_id,
        code=entry.code,
        status=entry.status_at(now).value,
        created_at=isoformat(entry.created_at),
        expires_at=isoformat(entry.expires_at),
        first_name=entry.first_name,
        last_name=entry.last_name,
        email=entry.email,
        company=entry.cvr,
        account=entry.account,
        language=entry.language,
        notify=bool(entry.notify),
        renewed_at=isoformat(entry.issued_at) if int(entry.renewals) > 0 else None,
        revoked_at=None if entry.revoked_when is None else isoformat(entry.revoked_when),
    )


def _audit(
    action: AuditAction, principal: Principal, entry: CodeModel, origin: Origin, now: datetime
) -> tuple[AuditModel, Condition]:
    """The organisation's trail entry for a code, naming who did it and for whom as they are named now (one
    read: the actor's login), so that the trail reads without a look-up per entry; both addresses are its
    mentions, so that erasing either person reaches the names. At the clock's microsecond, not the code's
    whole second, so that a renewal and a revocation in the same second keep their order."""
    actor = get_user(principal.user_id)
    event = AuditEvent(
        entry.org_id,
        action,
        Actor(ActorKind.USER, principal.user_id, actor.full_name if actor else None),
        origin,
        targets={"code_id": entry.code_id, "cvr": entry.cvr, "account": entry.account},
        mentions=tuple(address for address in (entry.email, actor.email if actor else None) if address),
        names={"representative": f"{entry.first_name} {entry.last_name}"},
    )
    return audit_record(event, now=now)


def _raise_for(reasons: frozenset[Refusal]) -> None:
    if Refusal.ORGANISATION_NOT_APPROVED in reasons:
        raise OrganisationNotApproved(
            "Your organisation is not approved as an NGO, so codes cannot be issued."
        )
    if Refusal.ACCOUNT_UNAVAILABLE in reasons:
        raise NotFound("No such open account.")
    if reasons & {Refusal.ENTRY_CHANGED, Refusal.MAIL_EXISTS, Refusal.EVENT_EXISTS}:
        raise Conflict("The code was changed at the same time by someone else; reload it and try again.")
