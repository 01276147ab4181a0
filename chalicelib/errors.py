"""The service's own errors. Services raise these; `chalicelib.api.http.problems` turns them into RFC 9457
problem+json in one place. Nothing here knows about HTTP beyond the status each error maps to."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    # The message by language ("da", "en"), where it is known in more than English: the answer says it in
    # the language the caller asked for (`Accept-Language`).
    translations: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False, hash=False)


class DomainError(Exception):
    """Each error has its title in English and Danish, and a Danish detail that says what to do: a caller
    asking for Danish (`Accept-Language: da`) gets those rather than the English detail raised with it."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"
    title_da: ClassVar[str] = "Forkert forespørgsel"
    detail_da_default: ClassVar[str] = "Forespørgslen kunne ikke bruges. Ret den, og prøv igen."

    def __init__(
        self, detail: str, *, errors: list[FieldError] | None = None, detail_da: str | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.detail_da = detail_da or self.detail_da_default


class InvalidInput(DomainError):
    status = 400
    slug = "invalid-input"
    title = "The request has invalid input"
    title_da = "Nogle oplysninger er ikke rigtige"
    detail_da_default = "Nogle oplysninger mangler eller er ikke udfyldt rigtigt. Ret dem, og prøv igen."


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication is required"
    title_da = "Log ind først"
    detail_da_default = "Du er ikke logget ind, eller dit login er udløbet. Log ind igen."


class SecondFactorRequired(DomainError):
    status = 403
    slug = "second-factor-required"
    title = "Enrol a second factor first"
    title_da = "Opsæt totrinsbekræftelse først"
    detail_da_default = "Opsæt totrinsbekræftelse med en app eller sms, før du fortsætter."


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"
    title_da = "Ingen adgang"
    detail_da_default = "Du har ikke adgang til det her. Spørg din administrator, hvis du skal have det."


class OriginNotAllowed(DomainError):
    """A browser page on an origin the stage does not list as the console's asked to call the API."""

    status = 403
    slug = "origin-not-allowed"
    title = "Origin not allowed"
    title_da = "Siden må ikke bruge API'et"
    detail_da_default = (
        "API'et kan kun bruges fra Godkends egen konsol i en browser. Åbn konsollen, og prøv igen."
    )


class OrganisationNotApproved(DomainError):
    """The organisation exists and the caller may see it, but it is not (or no longer) approved as an NGO."""

    status = 403
    slug = "organisation-not-approved"
    title = "The organisation is not approved"
    title_da = "Organisationen er ikke godkendt"
    detail_da_default = (
        "Jeres organisation er ikke godkendt, så det kan ikke lade sig gøre endnu. "
        "Kontakt support, hvis I har spørgsmål."
    )


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"
    title_da = "Findes ikke"
    detail_da_default = (
        "Det findes ikke, eller du har ikke adgang til det. Tjek, hvad du søgte efter, og prøv igen."
    )


class CheckUnavailable(NotFound):
    """A hosted check's page: no such check, or it was used or has expired. Said with a way forward."""

    slug = "check-unavailable"
    title = "This check cannot be used"
    title_da = "Kontrollen kan ikke bruges"
    detail_da_default = (
        "Linket virker ikke længere: kontrollen er allerede brugt, den er udløbet (efter en time), eller "
        "linket er forkert. Gå tilbage til leverandørens side, og start forfra."
    )


class CheckClosed(CheckUnavailable):
    """A hosted check given too many codes that were not valid: it ended as failed; the person starts again
    at the vendor's."""

    slug = "check-closed"
    title = "This check is closed"
    title_da = "Kontrollen er lukket"
    detail_da_default = (
        "Kontrollen er lukket, fordi der er prøvet for mange koder, som ikke er gyldige. Gå tilbage til "
        "leverandørens side, og start forfra."
    )


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"
    title_da = "Det kan ikke lade sig gøre lige nu"
    detail_da_default = "Det passer ikke med det, der allerede er registreret. Hent siden igen, og prøv igen."


class CodeRevoked(DomainError):
    status = 409
    slug = "code-revoked"
    title = "The code is revoked"
    title_da = "Koden er tilbagekaldt"
    detail_da_default = "En tilbagekaldt kode kan ikke bruges eller ændres. Opret en ny kode i stedet."


class CodeErased(DomainError):
    status = 409
    slug = "code-erased"
    title = "The representative's data was erased from the code"
    title_da = "Repræsentantens oplysninger er slettet"
    detail_da_default = (
        "Repræsentantens oplysninger er slettet fra koden. "
        "Opret en ny kode, hvis repræsentanten skal bruge en."
    )


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Too many requests"
    title_da = "For mange forsøg"
    detail_da_default = "Der har været for mange forsøg. Vent lidt, og prøv så igen."

    def __init__(self, detail: str, *, retry_after_seconds: int, detail_da: str | None = None) -> None:
        super().__init__(detail, detail_da=detail_da)
        self.retry_after_seconds = retry_after_seconds


class UpstreamUnavailable(DomainError):
    status = 503
    slug = "upstream-unavailable"
    title = "A service we depend on is unavailable"
    title_da = "En tjeneste, vi bruger, svarer ikke"
    detail_da_default = "En tjeneste, vi er afhængige af, svarer ikke lige nu. Prøv igen om lidt."


class PayloadTooLarge(DomainError):
    status = 413
    slug = "payload-too-large"
    title = "The request body is too large"
    title_da = "For meget indhold"
    detail_da_default = "Forespørgslen er for stor. Send mindre ad gangen."


class UnknownCompany(DomainError):
    """A well-formed CVR number that the company register does not know."""

    status = 422
    slug = "unknown-company"
    title = "A company is not in the company register"
    title_da = "Selskabet findes ikke i CVR-registret"
    detail_da_default = "CVR-registret kender ikke selskabet. Tjek CVR-nummeret, og prøv igen."


class NotPrintable(DomainError):
    """Well-formed, but a letter to an official mailbox could not print it (services/letter_text.py)."""

    status = 422
    slug = "not-printable"
    title = "This cannot be printed in a letter"
    title_da = "Det kan ikke skrives i et brev"
    detail_da_default = (
        "Brevet kan ikke skrive teksten, som den står. Skriv den med almindelige bogstaver, og prøv igen."
    )


class AdministratorExists(DomainError):
    status = 409
    slug = "administrator-exists"
    title = "The organisation already has an administrator"
    title_da = "Organisationen har allerede en administrator"
    detail_da_default = (
        "Organisationen har allerede en administrator. Bed administratoren om at oprette dig som bruger."
    )


class InvalidTransition(DomainError):
    status = 409
    slug = "invalid-transition"
    title = "The organisation's status does not allow this"
    title_da = "Organisationens status tillader det ikke"
    detail_da_default = (
        "Det kan ikke lade sig gøre, mens organisationen har sin nuværende status. "
        "Hent siden igen for at se status."
    )


class UnknownUsername(DomainError):
    status = 404
    slug = "unknown-username"
    title = "No activation is waiting for this username"
    title_da = "Ingen aktivering venter på brugernavnet"
    detail_da_default = (
        "Der venter ingen aktivering på det brugernavn. Tjek brugernavnet i brevet, og prøv igen."
    )


class WrongActivationCode(DomainError):
    status = 400
    slug = "wrong-activation-code"
    title = "The activation code is wrong"
    title_da = "Aktiveringskoden er forkert"
    detail_da_default = "Aktiveringskoden er forkert. Tjek koden i brevet, og prøv igen."


class ActivationExpired(DomainError):
    status = 410
    slug = "activation-expired"
    title = "The activation code has expired"
    title_da = "Aktiveringskoden er udløbet"
    detail_da_default = "Aktiveringskoden er udløbet. Kontakt support for at få en ny."


class ActivationUsed(DomainError):
    status = 409
    slug = "activation-used"
    title = "The activation code has already been used"
    title_da = "Aktiveringskoden er allerede brugt"
    detail_da_default = "Aktiveringskoden er allerede brugt. Log ind med dit brugernavn og din adgangskode."


class ActivationLocked(DomainError):
    status = 423
    slug = "activation-locked"
    title = "The activation code is locked after too many wrong tries"
    title_da = "Aktiveringskoden er låst"
    detail_da_default = (
        "Aktiveringskoden er låst efter for mange forkerte forsøg. Kontakt support for at få hjælp."
    )


class ActivationInProgress(DomainError):
    status = 409
    slug = "activation-in-progress"
    title = "This activation is being completed right now"
    title_da = "Aktiveringen er i gang"
    detail_da_default = "Aktiveringen bliver gennemført lige nu. Vent lidt, og hent siden igen."


class LastAdministrator(DomainError):
    """The change would leave the organisation without an active user holding the `users` function."""

    status = 409
    slug = "last-administrator"
    title = "The organisation's last administrator cannot be removed"
    title_da = "Den sidste administrator kan ikke fjernes"
    detail_da_default = (
        "Organisationen skal have mindst én administrator. Giv en anden bruger administratoradgang først."
    )


class InvitationUnknown(DomainError):
    status = 404
    slug = "invitation-unknown"
    title = "No such invitation"
    title_da = "Invitationen findes ikke"
    detail_da_default = "Invitationskoden findes ikke. Tjek koden i e-mailen, og prøv igen."


class InvitationUsed(DomainError):
    status = 409
    slug = "invitation-used"
    title = "The invitation has already been used"
    title_da = "Invitationen er allerede brugt"
    detail_da_default = "Invitationen er allerede brugt. Log ind med dit brugernavn."


class InvitationExpired(DomainError):
    status = 410
    slug = "invitation-expired"
    title = "The invitation has expired"
    title_da = "Invitationen er udløbet"
    detail_da_default = "Invitationen er udløbet. Bed din administrator sende en ny."


class InvitationRevoked(DomainError):
    """Replaced by a newer invitation, or withdrawn with the user it was for."""

    status = 410
    slug = "invitation-revoked"
    title = "The invitation is no longer valid"
    title_da = "Invitationen gælder ikke længere"
    detail_da_default = "Invitationen gælder ikke længere. Bed din administrator sende en ny."


class InvitationInProgress(DomainError):
    status = 409
    slug = "invitation-in-progress"
    title = "This invitation is being accepted right now"
    title_da = "Invitationen er ved at blive taget imod"
    detail_da_default = "Invitationen bliver taget imod lige nu. Vent lidt, og hent siden igen."


class AccountHasCodes(DomainError):
    status = 409
    slug = "account-has-codes"
    title = "An account with codes cannot be removed"
    title_da = "Kontoen har koder"
    detail_da_default = "En konto med koder kan ikke fjernes. Tilbagekald kontoens koder først."


class PreconditionRequired(DomainError):
    """A decision that must name the version of what was reviewed (`If-Match`) came without one."""

    status = 428
    slug = "precondition-required"
    title = "Name the version you reviewed"
    title_da = "Angiv den version, du har set"
    detail_da_default = "Hent sagen igen, og send din afgørelse med den version, du har set."


class PreconditionFailed(DomainError):
    """What was reviewed (the version `If-Match` names) is no longer what is there."""

    status = 412
    slug = "precondition-failed"
    title = "It changed since you looked at it"
    title_da = "Det er ændret, siden du så det"
    detail_da_default = (
        "Det er blevet ændret, siden du så det. Hent siden igen, se ændringerne, og prøv igen."
    )
