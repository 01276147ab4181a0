"""The application form: every way it can be wrong is refused with a problem naming the field, before
anything is looked up or written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.api.http.parsing import parse_body
from chalicelib.errors import FieldError, InvalidInput
from chalicelib.services.onboarding.applications import ApplicationForm, inconsistencies
from tests.onboarding import MAIN, OTHER_MAIN, SAMPLE, SUBSIDIARY, form

APPLICANT = form()["applicant"]


def field_problems(body: Any) -> list[FieldError]:
    """What the route and the service together say about a body: first its shape, then how fields fit."""
    try:
        parsed = parse_body(json.dumps(body).encode(), ApplicationForm)
    except InvalidInput as problem:
        return problem.errors
    return inconsistencies(parsed)


def _without(body: dict[str, Any], *path: Any) -> dict[str, Any]:
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return body


def _with(body: dict[str, Any], value: Any, *path: Any) -> dict[str, Any]:
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def _applicant(**changes: Any) -> dict[str, Any]:
    return {**APPLICANT, **changes}


TWENTY_ONE = [{"cvr": cvr.cvr, "name": "x"} for cvr in SAMPLE.entries()] * 3
BAD_APPLICATIONS = [
    # (what is wrong, body, the field the problem names)
    ("no cvr", _without(form(), "cvr"), "cvr"),
    ("cvr with 7 digits", form(cvr="4127000"), "cvr"),
    ("cvr with 9 digits", form(cvr="412700040"), "cvr"),
    ("cvr failing modulus 11", form(cvr="41270005"), "cvr"),
    ("cvr with a leading zero", form(cvr="01270004"), "cvr"),
    ("cvr with a letter", form(cvr="4127000a"), "cvr"),
    ("cvr as a number", form(cvr=41270004), "cvr"),
    ("cvr in full-width digits", form(cvr="\uff14\uff11\uff12\uff17\uff10\uff10\uff10\uff14"), "cvr"),
    ("no name", _without(form(), "name"), "name"),
    ("empty name", form(name="   "), "name"),
    ("a name without letters or digits", form(name="— ♥ —"), "name"),
    ("a name too long", form(name="N" * 201), "name"),
    ("a name with a line break", form(name="Blå\nKors"), "name"),
    ("subsidiaries not a list", form(subsidiaries={"cvr": SUBSIDIARY}), "subsidiaries"),
    (
        "a subsidiary's cvr invalid",
        form(subsidiaries=[{"cvr": "25560001", "name": "x"}]),
        "subsidiaries.0.cvr",
    ),
    ("a subsidiary without name", form(subsidiaries=[{"cvr": SUBSIDIARY}]), "subsidiaries.0.name"),
    ("the main company as subsidiary", form(subsidiaries=[{"cvr": MAIN, "name": "x"}]), "subsidiaries.0.cvr"),
    (
        "a subsidiary twice",
        form(subsidiaries=[{"cvr": SUBSIDIARY, "name": "a"}, {"cvr": SUBSIDIARY, "name": "b"}]),
        "subsidiaries.1.cvr",
    ),
    ("more than 20 subsidiaries", form(subsidiaries=TWENTY_ONE[:21]), "subsidiaries"),
    (
        "an account's cvr invalid",
        form(accounts=[{"cvr": "123", "number": "1", "name": "x"}]),
        "accounts.0.cvr",
    ),
    (
        "an account under a company not applied for",
        form(accounts=[{"cvr": OTHER_MAIN, "number": "1", "name": "x"}]),
        "accounts.0.cvr",
    ),
    (
        "an account number twice for one company",
        form(accounts=[{"cvr": MAIN, "number": "1", "name": "x"}, {"cvr": MAIN, "number": "1", "name": "y"}]),
        "accounts.1.number",
    ),
    (
        "an empty account number",
        form(accounts=[{"cvr": MAIN, "number": "", "name": "x"}]),
        "accounts.0.number",
    ),
    (
        "an account number with spaces",
        form(accounts=[{"cvr": MAIN, "number": "10 01", "name": "x"}]),
        "accounts.0.number",
    ),
    ("an account without name", form(accounts=[{"cvr": MAIN, "number": "1"}]), "accounts.0.name"),
    (
        "more than 50 accounts",
        form(accounts=[{"cvr": MAIN, "number": str(n), "name": "x"} for n in range(51)]),
        "accounts",
    ),
    ("no applicant", _without(form(), "applicant"), "applicant"),
    ("no first name", form(applicant=_applicant(first_name="")), "applicant.first_name"),
    ("a last name too long", form(applicant=_applicant(last_name="L" * 101)), "applicant.last_name"),
    ("no e-mail", _without(form(), "applicant", "email"), "applicant.email"),
    ("an e-mail without @", form(applicant=_applicant(email="ida.example.org")), "applicant.email"),
    ("an e-mail without domain", form(applicant=_applicant(email="ida@")), "applicant.email"),
    (
        "an e-mail without top-level domain",
        form(applicant=_applicant(email="ida@example")),
        "applicant.email",
    ),
    ("an e-mail with spaces", form(applicant=_applicant(email="ida holm@example.org")), "applicant.email"),
    ("no mobile", _without(form(), "applicant", "mobile"), "applicant.mobile"),
    (
        "a mobile with a country code of 10 digits",
        form(applicant=_applicant(mobile="4522334455")),
        "applicant.mobile",
    ),
    ("a Swedish mobile", form(applicant=_applicant(mobile="+4622334455")), "applicant.mobile"),
    ("a mobile with 7 digits", form(applicant=_applicant(mobile="+45 2233 445")), "applicant.mobile"),
    ("a mobile with 9 digits", form(applicant=_applicant(mobile="+45223344556")), "applicant.mobile"),
    ("a mobile with letters", form(applicant=_applicant(mobile="+45abcdefgh")), "applicant.mobile"),
    ("a mobile as a number", form(applicant=_applicant(mobile=4522334455)), "applicant.mobile"),
    ("an unknown language", form(language="de"), "language"),
    ("an unknown field", form(website="https://example.org"), "website"),
    ("an unknown applicant field", form(applicant=_applicant(cpr="0101011234")), "applicant.cpr"),
]


@pytest.mark.parametrize(
    ("body", "field"), [(b, f) for _, b, f in BAD_APPLICATIONS], ids=[w for w, _, _ in BAD_APPLICATIONS]
)
def test_bad_input_is_refused_field_by_field(body, field):
    problems = field_problems(body)
    assert field in [problem.field for problem in problems], problems
    assert all(problem.message for problem in problems)


def test_a_good_form_has_no_problems():
    assert field_problems(form()) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+4522334455", "+4522334455"),
        ("+45 22 33 44 55", "+4522334455"),
        (" +45 2233 4455 ", "+4522334455"),
        # As Danes type it: without the country code, with 0045, with hyphens
        ("22334455", "+4522334455"),
        ("22 33 44 55", "+4522334455"),
        ("0045 12345678", "+4512345678"),
        ("22-33-44-55", "+4522334455"),
        ("+45-2233-4455", "+4522334455"),
    ],
)
def test_a_mobile_is_stored_as_plus45_and_8_digits(typed, stored):
    parsed = ApplicationForm.model_validate(form(applicant={**APPLICANT, "mobile": typed}))
    assert parsed.applicant.mobile == stored


def test_names_and_addresses_with_spaces_around_them_are_refused_as_the_document_says():
    # The OpenAPI pattern is the server's rule: nothing is trimmed behind the client's back
    for changed in (
        {"name": "  Blå Kors Odense "},
        {"applicant": {**APPLICANT, "email": " ida@example.org "}},
        {"applicant": {**APPLICANT, "first_name": "Ida "}},
    ):
        with pytest.raises(ValidationError):
            ApplicationForm.model_validate(form(**changed))
    assert ApplicationForm.model_validate(form(name="Blå Kors Odense")).name == "Blå Kors Odense"


def test_the_letter_is_danish_unless_english_is_asked_for():
    assert ApplicationForm.model_validate(form()).language == "da"
    assert ApplicationForm.model_validate(form(language="en")).language == "en"
