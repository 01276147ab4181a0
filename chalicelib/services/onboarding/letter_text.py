"""What a letter to a company's official mailbox may print about the person who asked for it.

A letter goes out under our name to a mailbox whose holder reads it as official post, so nothing in it may
carry a message of the asker's: no phone number to call, no address to visit, no instruction. The letter
prints the register's name of the company (never the organisation's typed name), generated usernames and
codes, and of the asker only their name and e-mail address, each under a rule that leaves no room for a
message:

- a name follows the rule for every person's name (`chalicelib/values/names.py`): letters of any script
  with their marks, spaces, hyphens, apostrophes and full stops, beginning with a letter; no digits, no `@`,
  `/`, `:` or any other sign, so neither a phone number nor a URL fits in it, and nothing that shows as
  nothing;
- an e-mail address is plain: ASCII letters, digits, `.`, `_`, `+` and `-` before the `@`, a domain of
  letters, digits and hyphens with a top-level domain of letters.

The application form checks names by that rule (400) and the address by this one (422,
`applicant_errors`), so an application that is accepted can always be printed; `printed_person` and
`compose` are the guard where a letter is composed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import isoformat
from chalicelib.errors import FieldError, NotPrintable
from chalicelib.models.outbox import MailKind
from chalicelib.values.names import PERSON_NAME_RULE, name_problem

PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
NAME_RULE = PERSON_NAME_RULE
EMAIL_RULE = "A plain address: letters, digits, '.', '_', '+' and '-' before the @, and a domain."
# The two rules as a person is told them, in Danish and in English.
NAME_RULE_SAID = {
    "en": NAME_RULE,
    "da": "Skriv navnet med bogstaver, og begynd med et bogstav; mellemrum, bindestreg (-), apostrof (') og "
    "punktum (.) må gerne være med, tal og andre tegn ikke.",
}
EMAIL_RULE_SAID = {
    "en": EMAIL_RULE,
    "da": "Skriv en almindelig e-mailadresse: bogstaver, cifre, punktum, _, + og - før @ og et domæne efter, "
    "fx navn@firma.dk.",
}


@dataclass(frozen=True)
class PrintedPerson:
    """Who asked for a letter, as the letter prints them."""

    name: str
    email: str


def name_fits_letter(name: str) -> bool:
    return name_problem(name, person=True) is None


def email_fits_letter(email: str) -> bool:
    return PLAIN_EMAIL.fullmatch(email) is not None


def applicant_errors(first_name: str, last_name: str, email: str, *, prefix: str) -> list[FieldError]:
    """Each of the three that a letter could not print, as field errors under `prefix`."""
    errors = [
        FieldError(f"{prefix}.{field}", NAME_RULE, translations=NAME_RULE_SAID)
        for field, value in (("first_name", first_name), ("last_name", last_name))
        if not name_fits_letter(value)
    ]
    if not email_fits_letter(email):
        errors.append(FieldError(f"{prefix}.email", EMAIL_RULE, translations=EMAIL_RULE_SAID))
    return errors


def printed_person(first_name: str, last_name: str, email: str) -> PrintedPerson:
    """The asker as a letter prints them; NotPrintable (422) when the letter's rule refuses any of it."""
    errors = applicant_errors(first_name, last_name, email, prefix="applicant")
    if errors:
        raise NotPrintable(
            "A letter to a company's official mailbox prints the name and e-mail address of who asked for "
            "it, and these cannot be printed in one.",
            errors=errors,
        )
    return PrintedPerson(name=f"{first_name} {last_name}", email=email)


@dataclass(frozen=True)
class ApplicationBlock:
    """One application in a letter: who applied, and the username and activation code that are theirs."""

    person: PrintedPerson
    username: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class ProofBlock:
    """One organisation asking that the company join it: who asked, for which group (named by the register's
    name of its main company), and the code that proves it."""

    person: PrintedPerson
    main_company_name: str
    main_cvr: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Letter:
    """What the outbox holds of a letter: its kind (for the subject), what it prints, and its codes apart."""

    kind: MailKind
    context: dict[str, Any]
    secrets: dict[str, Any]


def compose(
    *,
    company_name: str,
    cvr: str,
    service_address: str,
    applications: Sequence[ApplicationBlock] = (),
    proofs: Sequence[ProofBlock] = (),
) -> Letter:
    """A letter to a company's official mailbox, one block per request it carries, each block's code on a
    line of its own (`Aktiveringskode:` / `Bekræftelseskode:`), in the order given."""
    people = [a.person for a in applications] + [p.person for p in proofs]
    for person in people:
        # The guard where the letter is composed: whatever let the request in, nothing unprintable prints.
        if not (name_fits_letter(person.name) and email_fits_letter(person.email)):
            raise NotPrintable(
                "A letter cannot print the name or e-mail address of who asked for it.",
                errors=[FieldError("applicant", NAME_RULE, translations=NAME_RULE_SAID)],
            )
    return Letter(
        kind=MailKind.ACTIVATION_LETTER if applications else MailKind.PROOF_LETTER,
        context={
            "company_name": company_name,
            "cvr": cvr,
            "service_address": service_address,
            "applications": [
                {
                    "applicant_name": a.person.name,
                    "applicant_email": a.person.email,
                    "username": a.username,
                    "expires_at": isoformat(a.expires_at),
                }
                for a in applications
            ],
            "proofs": [
                {
                    "applicant_name": p.person.name,
                    "applicant_email": p.person.email,
                    "main_company_name": p.main_company_name,
                    "main_cvr": p.main_cvr,
                    "expires_at": isoformat(p.expires_at),
                }
                for p in proofs
            ],
        },
        secrets={
            "activation_codes": [a.code for a in applications],
            "proof_codes": [p.code for p in proofs],
        },
    )
