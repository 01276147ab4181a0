"""Journey 16: a representative asks for a new code in one click; a user with `codes` answers in one.

The representative's code mail and reminders carry a link (`RenewalLinks`) whose secret sits in the URL's
fragment, so it never reaches a server's access log or a `Referer`. Whoever holds the link may see whose
code it is (organisation, first name, expiry; never the value) and ask once for a new value, with a short
note; nothing else. A link that is unknown, expired, or made for a value since renewed, revoked or erased
gets one and the same answer, so a stranger cannot tell which.

Limits: every call with a link counts against its caller's address (guessing links gets slow), and every
request made counts against the code and against the representative's address, so a leaked mail cannot be
used to flood the organisation. A request reaches, by mail, every active user with `codes` whose scope
covers the code's account (found by the `users.by-org` index, never a Scan), and sits in their
*Anmodninger* tab until it is answered: by renewing (`CodeService.renew`), by revoking, or by declining
with a reason, which is mailed to the representative. The note is a stranger's words: it is shown in the
console, quoted as the representative's, and never put in a mail, where it could pass for ours.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.clock import Clock, isoformat
from chalicelib.errors import Conflict, NotFound
from chalicelib.models.audit import Actor, ActorKind, AuditAction, AuditEvent, Origin, audit_record
from chalicelib.models.base import transaction
from chalicelib.models.code import CodeModel, entries_of, get_entry
from chalicelib.models.organisation import OrganisationStatus, get_organisation
from chalicelib.models.outbox import Language, MailKind, Recipient, outgoing
from chalicelib.models.renewal_request import (
    LINK_AFTER_EXPIRY,
    REQUEST_INDEXES,
    RenewalLinkModel,
    RenewalRequestModel,
    RequestStatus,
    get_link,
    get_request,
    parse_request_id,
    renewal_request_purge_at,
    token_hash,
)
from chalicelib.models.user import UserModel, UserStatus, users_of
from chalicelib.services.access.authz import Access, Function, Principal, authorize
from chalicelib.services.access.scope import org_of, visible_to

# 192 random bits, URL-safe.
TOKEN_BYTES = 24
CONSOLE_PATH = "/anmodning"
MAX_OPEN_LISTED = 100
UNUSABLE = (
    "This link cannot be used to ask for a new code. Ask your contact person in the organisation, or use the "
    "link in the newest mail about your code."
)


class Limit(Protocol):
    """Counts one request against a limit, or raises TooManyRequests (a `CallerLimits`, built in the
    container)."""

    def admit(self, source_ip: str) -> None: ...


class RenewalLinks:
    """Makes the link a representative's mail carries: the secret goes in the mail, its hash in the table."""

    def __init__(self, *, console_address: str) -> None:
        self._console = console_address.rstrip("/")

    def make(self, entry: CodeModel, now: datetime) -> str:
        """Store a new link to the entry's current value and answer its URL, the secret in the fragment.
        Written before the mail that carries it: a link whose mail was never written is never known."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        RenewalLinkModel(
            token_hash(token),
            code_id=entry.code_id,
            renewals=int(entry.renewals),
            created_at=now,
            expires_at=entry.expires_at + LINK_AFTER_EXPIRY,
        ).save(condition=RenewalLinkModel.token_hash.does_not_exist())
        return f"{self._console}{CONSOLE_PATH}#{token}"


@dataclass(frozen=True)
class RequestPreview:
    """What the link's page shows before the click: names only, never the code's value."""

    organisation_name: str
    first_name: str
    expires_at: str
    pending: bool


@dataclass(frozen=True)
class RenewalRequestView:
    request_id: str
    code_id: str
    first_name: str
    last_name: str
    email: str
    company: str
    account: str
    expires_at: str
    requested_at: str
    note: str | None
    status: str


@dataclass(frozen=True)
class _Usable:
    link: RenewalLinkModel
    entry: CodeModel
    organisation_name: str


class RenewalRequestService:
    def __init__(
        self,
        *,
        clock: Clock,
        callers: Limit,
        per_code: Limit,
        per_representative: Limit,
    ) -> None:
        self._clock = clock
        self._callers = callers
        self._per_code = per_code
        self._per_representative = per_representative

    def preview(self, token: str, *, origin: Origin) -> RequestPreview:
        usable = self._usable(token, origin)
        entry = usable.entry
        return RequestPreview(
            organisation_name=usable.organisation_name,
            first_name=entry.first_name,
            expires_at=isoformat(entry.expires_at),
            pending=_open_request(entry, self._now()) is not None,
        )

    def make(self, token: str, note: str | None, *, origin: Origin) -> None:
        usable = self._usable(token, origin)
        entry = usable.entry
        now = self._now()
        if _open_request(entry, now) is not None:
            raise Conflict("A request for a new code is already waiting for the organisation's answer.")
        self._per_code.admit(entry.code_id)
        self._per_representative.admit(entry.email.strip().lower())
        previous = get_request(entry.code_id, now=now)
        sequence = 1 if previous is None else int(previous.sequence) + 1
        request = RenewalRequestModel(
            entry.code_id,
            request_id=f"{entry.code_id}-{sequence}",
            sequence=sequence,
            org_id=entry.org_id,
            cvr=entry.cvr,
            account=entry.account,
            account_key=entry.account_key,
            renewals=int(entry.renewals),
            status=RequestStatus.OPEN.value,
            requested_at=now,
            note=note or None,
            purge_at=renewal_request_purge_at(now),
        )
        # Unchanged since read (which found it not open): never two open requests for one code.
        condition = (
            RenewalRequestModel.code_id.does_not_exist()
            if previous is None
            else RenewalRequestModel.sequence == int(previous.sequence)
        )
        event = AuditEvent(
            org_id=entry.org_id,
            action=AuditAction.RENEWAL_REQUESTED,
            actor=Actor.anonymous(),
            origin=origin,
            targets={"code_id": entry.code_id, "request_id": request.request_id},
        )
        try:
            with transaction() as tx:
                # Only while the code still has the value the link was mailed with: a renewal or a
                # revocation landing meanwhile wins.
                tx.condition_check(CodeModel, entry.code_id, condition=_same_value(int(entry.renewals)))
                tx.save(request, condition=condition)
                tx.save(*audit_record(event, now=now))
                for user in answerers(entry):
                    tx.save(*_mail_to_answerer(user, entry, usable.organisation_name, request, now))
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise Conflict(
                    "A request for a new code is already waiting for the organisation's answer."
                ) from error
            raise

    def list_open(
        self, principal: Principal, *, company: str | None = None, account: str | None = None
    ) -> list[RenewalRequestView]:
        now = self._now()
        visible = visible_to(principal, Function.CODES, company=company, account=account)
        listing = REQUEST_INDEXES.listing_for(
            org_of(principal),
            visible,
            [RenewalRequestModel.status == RequestStatus.OPEN.value, RenewalRequestModel.purge_at > now],
        )
        if listing is None:
            return []
        requests, _ = REQUEST_INDEXES.page(listing, limit=MAX_OPEN_LISTED, cursor=None)
        entries = {e.code_id: e for e in entries_of(r.code_id for r in requests)}
        return [
            describe(request, entries[request.code_id])
            for request in requests
            if request.code_id in entries and _still_open(request, entries[request.code_id])
        ]

    def decline(
        self, principal: Principal, request_id: str, reason: str, *, origin: Origin
    ) -> RenewalRequestView:
        now = self._now()
        request, entry = self._request_in_scope(principal, request_id, now)
        if not _still_open(request, entry):
            raise Conflict("The request has been answered already.")
        organisation = get_organisation(entry.org_id)
        event = AuditEvent(
            org_id=entry.org_id,
            action=AuditAction.RENEWAL_DECLINED,
            actor=Actor(ActorKind.USER, principal.user_id),
            origin=origin,
            targets={"code_id": entry.code_id, "request_id": request_id},
        )
        try:
            with transaction() as tx:
                # A renewal or revocation that lands first answers the request; declining it after is refused.
                tx.condition_check(CodeModel, entry.code_id, condition=_same_value(int(request.renewals)))
                tx.update(
                    request,
                    actions=[
                        RenewalRequestModel.status.set(RequestStatus.DECLINED.value),
                        RenewalRequestModel.answered_at.set(now),
                        RenewalRequestModel.answered_by.set(principal.user_id),
                        RenewalRequestModel.reason.set(reason),
                        RenewalRequestModel.purge_at.set(renewal_request_purge_at(now)),
                    ],
                    condition=(RenewalRequestModel.request_id == request_id)
                    & (RenewalRequestModel.status == RequestStatus.OPEN.value),
                )
                tx.save(*audit_record(event, now=now))
                if entry.erased_when is None:
                    tx.save(
                        *outgoing(
                            MailKind.RENEWAL_DECLINED,
                            to=Recipient(entry.email, f"{entry.first_name} {entry.last_name}"),
                            language=entry.language,
                            context={
                                "organisation_name": organisation.name if organisation else "",
                                "reason": reason,
                            },
                            now=now,
                            message_id=f"renewal-declined:{request_id}",
                        )
                    )
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise Conflict("The request has been answered already.") from error
            raise
        request.status = RequestStatus.DECLINED.value
        return describe(request, entry)

    def _request_in_scope(
        self, principal: Principal, request_id: str, now: datetime
    ) -> tuple[RenewalRequestModel, CodeModel]:
        code_id = parse_request_id(request_id)
        request = None if code_id is None else get_request(code_id, now=now)
        entry = None if code_id is None else get_entry(code_id, now=now)
        if request is None or entry is None or request.request_id != request_id:
            raise NotFound("No such request.")
        authorize(
            principal, Function.CODES, org_id=request.org_id, company=request.cvr, account=request.account
        )
        return request, entry

    def _usable(self, token: str, origin: Origin) -> _Usable:
        """The link and its code, if the link may be used now; one answer for every reason it may not."""
        self._callers.admit(origin.source_ip)
        now = self._now()
        link = get_link(token, now=now)
        entry = None if link is None else get_entry(link.code_id, now=now)
        if link is None or entry is None or not _link_names_current_value(link, entry, now):
            raise NotFound(UNUSABLE)
        organisation = get_organisation(entry.org_id)
        if organisation is None or organisation.status != OrganisationStatus.APPROVED.value:
            raise NotFound(UNUSABLE)
        return _Usable(link, entry, organisation.name)

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC).replace(microsecond=0)


def answered_by_code(
    entry: CodeModel, *, renewals: int, status: RequestStatus, by: str, now: datetime
) -> None:
    """Record that a renewal or a revocation of the code answered its open request, if it had one.

    A follow-up, not part of the code's transaction: the request is no longer open either way, because a
    request is open only while the code still has the value it was made for and is not revoked
    (`_still_open`). This only records who answered, and audits a renewal as one that answered a request."""
    request = get_request(entry.code_id, now=now)
    if request is None or request.status != RequestStatus.OPEN.value or int(request.renewals) != renewals:
        return
    try:
        with transaction() as tx:
            tx.update(
                request,
                actions=[
                    RenewalRequestModel.status.set(status.value),
                    RenewalRequestModel.answered_at.set(now),
                    RenewalRequestModel.answered_by.set(by),
                    RenewalRequestModel.purge_at.set(renewal_request_purge_at(now)),
                ],
                condition=(RenewalRequestModel.request_id == request.request_id)
                & (RenewalRequestModel.status == RequestStatus.OPEN.value),
            )
            if status is RequestStatus.RENEWED:
                event = AuditEvent(
                    org_id=entry.org_id,
                    action=AuditAction.RENEWED_BY_REQUEST,
                    actor=Actor(ActorKind.USER, by),
                    origin=Origin(),
                    targets={"code_id": entry.code_id, "request_id": request.request_id},
                )
                tx.save(*audit_record(event, now=now))
    except (TransactWriteError, UpdateError, PutError):
        return  # answered meanwhile by someone else: nothing left to record


def answerers(entry: CodeModel) -> list[UserModel]:
    """The organisation's active users with `codes` whose scope covers the code's account."""
    return [user for user in users_of(entry.org_id) if _answers(user, entry)]


def _answers(user: UserModel, entry: CodeModel) -> bool:
    if user.status != UserStatus.ACTIVE.value or Function.CODES.value not in (user.functions or []):
        return False
    for company in user.companies or []:
        if company.cvr == entry.cvr:
            accounts = cast("list[str]", company.accounts or [])
            return bool(company.access == Access.FULL.value or entry.account in accounts)
    return False


def _mail_to_answerer(
    user: UserModel, entry: CodeModel, organisation_name: str, request: RenewalRequestModel, now: datetime
) -> Any:
    return outgoing(
        MailKind.RENEWAL_REQUESTED,
        to=Recipient(user.email, f"{user.first_name} {user.last_name}"),
        language=Language(user.language or "da"),
        context={
            "organisation_name": organisation_name,
            "representative_name": f"{entry.first_name} {entry.last_name}",
            "representative_email": entry.email,
            "expires_at": isoformat(entry.expires_at),
            "has_note": bool(request.note),
        },
        now=now,
        message_id=f"renewal-request:{request.request_id}:{user.user_id}",
        mentions=(entry.email,),
    )


def _link_names_current_value(link: RenewalLinkModel, entry: CodeModel, now: datetime) -> bool:
    return (
        int(link.renewals) == int(entry.renewals)
        and entry.revoked_when is None
        and entry.erased_when is None
        and now < entry.expires_at + LINK_AFTER_EXPIRY
    )


def _same_value(renewals: int) -> Condition:
    """The code entry still holds the value of this renewal count, unrevoked and not erased."""
    same: Condition = (
        (CodeModel.renewals == renewals)
        & CodeModel.revoked_at.does_not_exist()
        & CodeModel.erased_at.does_not_exist()
    )
    return same


def _still_open(request: RenewalRequestModel, entry: CodeModel) -> bool:
    return (
        request.status == RequestStatus.OPEN.value
        and int(request.renewals) == int(entry.renewals)
        and entry.revoked_when is None
        and entry.erased_when is None
    )


def _open_request(entry: CodeModel, now: datetime) -> RenewalRequestModel | None:
    request = get_request(entry.code_id, now=now)
    return request if request is not None and _still_open(request, entry) else None


def describe(request: RenewalRequestModel, entry: CodeModel) -> RenewalRequestView:
    return RenewalRequestView(
        request_id=request.request_id,
        code_id=entry.code_id,
        first_name=entry.first_name,
        last_name=entry.last_name,
        email=entry.email,
        company=entry.cvr,
        account=entry.account,
        expires_at=isoformat(entry.expires_at),
        requested_at=isoformat(request.requested_at),
        note=cast("str | None", request.note),
        status=request.status,
    )
