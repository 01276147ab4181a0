"""The service's own errors. Services raise these; `chalicelib.api.http.problems` turns them into RFC 9457
problem+json in one place. Nothing here knows about HTTP beyond the status each error maps to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(DomainError):
    status = 400
    slug = "invalid-input"
    title = "The request has invalid input"


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication is required"


class SecondFactorRequired(DomainError):
    status = 403
    slug = "second-factor-required"
    title = "Enrol a second factor first"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class OriginNotAllowed(DomainError):
    """A browser page on an origin the stage does not list as the console's asked to call the API."""

    status = 403
    slug = "origin-not-allowed"
    title = "Origin not allowed"


class OrganisationNotApproved(DomainError):
    """The organisation exists and the caller may see it, but it is not (or no longer) approved as an NGO."""

    status = 403
    slug = "organisation-not-approved"
    title = "The organisation is not approved"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class CodeRevoked(DomainError):
    status = 409
    slug = "code-revoked"
    title = "The code is revoked"


class CodeErased(DomainError):
    status = 409
    slug = "code-erased"
    title = "The representative's data was erased from the code"


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class UpstreamUnavailable(DomainError):
    status = 503
    slug = "upstream-unavailable"
    title = "A service we depend on is unavailable"


class PayloadTooLarge(DomainError):
    status = 413
    slug = "payload-too-large"
    title = "The request body is too large"


class UnknownCompany(DomainError):
    """A well-formed CVR number that the company register does not know."""

    status = 422
    slug = "unknown-company"
    title = "A company is not in the company register"


class NotPrintable(DomainError):
    """Well-formed, but a letter to an official mailbox could not print it (services/letter_text.py)."""

    status = 422
    slug = "not-printable"
    title = "This cannot be printed in a letter"


class AdministratorExists(DomainError):
    status = 409
    slug = "administrator-exists"
    title = "The organisation already has an administrator"


class InvalidTransition(DomainError):
    status = 409
    slug = "invalid-transition"
    title = "The organisation's status does not allow this"


class UnknownUsername(DomainError):
    status = 404
    slug = "unknown-username"
    title = "No activation is waiting for this username"


class WrongActivationCode(DomainError):
    status = 400
    slug = "wrong-activation-code"
    title = "The activation code is wrong"


class ActivationExpired(DomainError):
    status = 410
    slug = "activation-expired"
    title = "The activation code has expired"


class ActivationUsed(DomainError):
    status = 409
    slug = "activation-used"
    title = "The activation code has already been used"


class ActivationLocked(DomainError):
    status = 423
    slug = "activation-locked"
    title = "The activation code is locked after too many wrong tries"


class ActivationInProgress(DomainError):
    status = 409
    slug = "activation-in-progress"
    title = "This activation is being completed right now"


class LastAdministrator(DomainError):
    """The change would leave the organisation without an active user holding the `users` function."""

    status = 409
    slug = "last-administrator"
    title = "The organisation's last administrator cannot be removed"


class InvitationUnknown(DomainError):
    status = 404
    slug = "invitation-unknown"
    title = "No such invitation"


class InvitationUsed(DomainError):
    status = 409
    slug = "invitation-used"
    title = "The invitation has already been used"


class InvitationExpired(DomainError):
    status = 410
    slug = "invitation-expired"
    title = "The invitation has expired"


class InvitationRevoked(DomainError):
    """Replaced by a newer invitation, or withdrawn with the user it was for."""

    status = 410
    slug = "invitation-revoked"
    title = "The invitation is no longer valid"


class InvitationInProgress(DomainError):
    status = 409
    slug = "invitation-in-progress"
    title = "This invitation is being accepted right now"


class AccountHasCodes(DomainError):
    status = 409
    slug = "account-has-codes"
    title = "An account with codes cannot be removed"


class PreconditionRequired(DomainError):
    """A decision that must name the version of what was reviewed (`If-Match`) came without one."""

    status = 428
    slug = "precondition-required"
    title = "Name the version you reviewed"


class PreconditionFailed(DomainError):
    """What was reviewed (the version `If-Match` names) is no longer what is there."""

    status = 412
    slug = "precondition-failed"
    title = "It changed since you looked at it"
