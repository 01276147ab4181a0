"""What a service refuses about a field itself (not a field rule of the document) is said in the language the
caller asks for: Danish on `Accept-Language: da`, English otherwise, and in Danish it says what to do."""

from __future__ import annotations

import json
from typing import Any

from tests.colleagues import colleague
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import (
    JSON,
    NOT_IN_REGISTER,
    STRONG_PASSWORD,
    apply,
    form,
    letters,
    post,
    username_and_code,
)
from tests.people import People

DANISH = {"accept-language": "da"}
ENGLISH = {"accept-language": "en"}


def messages(problem: dict[str, Any]) -> dict[str, str]:
    return {str(e["field"]): str(e["message"]) for e in problem["errors"]}


def applied(client: Any) -> tuple[str, str]:
    assert apply(client).status_code == 202
    return username_and_code(letters()[-1])


def activate(client: Any, username: str, code: str, headers: dict[str, str]) -> Any:
    body = {"username": username, "activation_code": code, "password": STRONG_PASSWORD}
    return post(client, "/v1/activations", body, headers)


def test_a_wrong_activation_code_is_said_in_danish_when_danish_is_asked(client):
    # Given an application, and a code that is not the one in its letter
    username, code = applied(client)
    wrong = "ZZZZ-ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ-ZZZZ" else "YYYY-YYYY-YYYY"

    # When the code is given by someone asking for Danish, and then by someone asking for English
    danish = assert_problem(activate(client, username, wrong, DANISH), 400, "wrong-activation-code")
    english = assert_problem(activate(client, username, wrong, ENGLISH), 400, "wrong-activation-code")

    # Then the Danish answer says in Danish what to do, and the English one keeps its words
    assert messages(danish) == {"activation_code": "Koden er forkert. Tjek koden i brevet, og prøv igen."}
    assert messages(english) == {"activation_code": "Wrong code."}


def test_granting_a_company_that_does_not_exist_is_said_in_danish(client, people: People):
    # Given an administrator
    org = people.organisation()
    admin = people.member(org)

    # When they, asking for Danish, create a colleague with access to a company the organisation does not have
    body = colleague(org, companies=[{"cvr": NOT_IN_REGISTER, "access": "full"}])
    response = client.http.post(
        "/v1/users", headers={**admin.auth, **JSON, **DANISH}, body=json.dumps(body).encode()
    )

    # Then the company's field says in Danish that it does not exist and what to choose instead
    problem = assert_problem(response, 404, "not-found")
    assert messages(problem) == {
        "companies.0.cvr": "Selskabet findes ikke. Vælg et af organisationens selskaber."
    }


def test_a_cursor_the_list_did_not_give_out_is_said_in_danish(client, people: People):
    # Given an administrator
    admin = people.member(people.organisation())

    # When they, asking for Danish, read the audit trail with a cursor it never gave out
    response = client.http.get("/v1/organisation/audit?cursor=nonsense", headers={**admin.auth, **DANISH})

    # Then the cursor's field says in Danish to start the list again without it
    problem = assert_problem(response, 400, "invalid-input")
    assert messages(problem) == {
        "cursor": "Hent listen forfra uden cursor: denne cursor kommer ikke fra listen."
    }


def test_an_application_for_a_company_the_register_does_not_know_is_said_in_danish(client):
    # Given an application form naming a CVR number the company register does not know
    body = form(cvr=NOT_IN_REGISTER, subsidiaries=[], accounts=[])

    # When it is sent by someone asking for Danish
    response = post(client, "/v1/applications", body, DANISH)

    # Then the CVR's field says in Danish what to check, and no English reaches the answer
    problem = assert_problem(response, 422, "unknown-company")
    assert messages(problem) == {"cvr": "Tjek CVR-nummeret: CVR-registret har intet selskab med det nummer."}
    assert "register" not in json.dumps(problem, ensure_ascii=False).replace("CVR-registret", "")
