"""The API's own words in the language asked for: field errors and problem titles and details are Danish on
`Accept-Language: da` and English otherwise, and a field error is the message the document publishes for the
rule broken (`x-messages`), so a client that checks before sending says the same as the server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api.http.problems import GENERIC_DA, from_domain_error, language_of
from chalicelib.errors import DomainError, TooManyRequests
from tests.integration.access.test_authentication import assert_problem
from tests.onboarding import JSON, form
from tests.people import json_of

DANISH = {**JSON, "accept-language": "da"}
RULES = (
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "enum",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
)
# One style: each message says what to do, beginning with what to do.
OPENINGS = {
    "da": ("Skriv ", "Vælg ", "Udfyld ", "Tjek ", "Indsæt ", "Fjern "),
    "en": ("Enter ", "Choose ", "Fill ", "Check ", "Paste ", "Remove "),
}


def every_problem_type() -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    waiting: list[type[DomainError]] = [DomainError]
    while waiting:
        kind = waiting.pop()
        found.append(kind)
        waiting.extend(kind.__subclasses__())
    return sorted(found, key=lambda kind: kind.__name__)


def raised(kind: type[DomainError]) -> DomainError:
    if kind is TooManyRequests:
        return TooManyRequests("Something in English.", retry_after_seconds=60)
    return kind("Something in English.")


def apply(client: Any, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = client.http.post("/v1/applications", headers=headers, body=json.dumps(body))
    return assert_problem(response, 400, "invalid-input")


def schema_messages(client: Any, schema: str, field: str) -> dict[str, dict[str, str]]:
    document = json_of(client.http.get("/openapi.json"))
    messages: dict[str, dict[str, str]] = document["components"]["schemas"][schema]["properties"][field][
        "x-messages"
    ]
    return messages


def error_for(problem: dict[str, Any], field: str) -> str:
    return next(str(error["message"]) for error in problem["errors"] if error["field"] == field)


def test_an_empty_cvr_says_in_danish_what_to_type_as_the_document_does(client):
    # Given an application whose CVR number is empty, sent by someone asking for Danish
    body = form(cvr="")

    # When it is made
    problem = apply(client, body, DANISH)

    # Then the field error says what to type, in the words the document publishes for the rule
    expected = schema_messages(client, "ApplicationForm", "cvr")["da"]["minLength"]
    assert error_for(problem, "cvr") == expected == "Skriv CVR-nummeret: 8 cifre, fx 12 34 56 78."
    assert problem["title"] == "Nogle oplysninger er ikke rigtige"
    assert problem["detail"].startswith("Nogle felter mangler")


def test_eight_digits_that_are_no_cvr_number_are_told_so_not_to_type_eight_digits(client):
    # Given a CVR number of eight digits failing the modulus-11 check
    body = form(cvr="12345678")

    # When it is sent in Danish and in English
    danish = apply(client, body, DANISH)
    english = apply(client, body, JSON)

    # Then the answer says the number is not a valid one, in each language
    assert (
        error_for(danish, "cvr") == "Tjek CVR-nummeret: det har 8 cifre, men er ikke et gyldigt CVR-nummer."
    )
    assert error_for(english, "cvr") == "Check the CVR number: it has 8 digits but is not a valid CVR number."


def test_a_short_email_asks_for_an_email_address_not_for_six_characters(client):
    # Given an applicant's e-mail address cut short
    body = form()
    body["applicant"]["email"] = "lars@"

    # When it is sent
    problem = apply(client, body, DANISH)

    # Then the applicant is asked for an e-mail address, with an example
    assert error_for(problem, "applicant.email") == "Skriv en e-mailadresse, fx navn@firma.dk."


def test_machine_clients_get_english_unless_they_ask(client):
    # Given the same bad application without Accept-Language, and with English preferred over Danish
    body = form(cvr="")

    # When both are sent
    plain = apply(client, body, JSON)
    preferred = apply(client, body, {**JSON, "accept-language": "en-GB, da;q=0.5"})

    # Then both are English
    for problem in (plain, preferred):
        assert problem["title"] == "The request has invalid input"
        assert error_for(problem, "cvr") == "Enter the CVR number: 8 digits, e.g. 12 34 56 78."


def test_the_apis_own_401_is_danish_when_asked(client):
    # Given a request without a token, asking for Danish
    response = client.http.get("/v1/me", headers={"accept-language": "da-DK,da;q=0.9,en;q=0.8"})

    # Then the 401 is said in Danish, with a way forward, and says it is (for caches too)
    problem = assert_problem(response, 401, "unauthenticated")
    assert response.headers["Content-Language"] == "da"
    assert "accept-language" in response.headers["Vary"].lower()
    assert (problem["title"], problem["detail"]) == (
        "Log ind først",
        "Du er ikke logget ind, eller dit login er udløbet. Log ind igen.",
    )


def test_chalices_own_refusals_are_danish_when_asked(client):
    # Given a method the route does not have, asked in Danish
    response = client.http.request("DELETE", "/v1/applications", headers={"accept-language": "da"})

    # Then the refusal is a Danish problem too
    problem = assert_problem(response, 405, "method-not-allowed")
    assert (problem["title"], problem["detail"]) == GENERIC_DA[405]


@pytest.mark.parametrize("kind", every_problem_type(), ids=lambda kind: kind.__name__)
def test_every_problem_type_has_a_danish_title_and_detail(kind: type[DomainError]):
    # Given an error of this type, raised with an English detail
    error = raised(kind)

    # When it is answered to someone asking for Danish, and to someone who does not ask
    danish = json.loads(from_domain_error(error, "da").body)
    english = json.loads(from_domain_error(error).body)

    # Then the Danish title and detail are their own, and the English ones are as raised
    assert danish["title"] not in {"", english["title"]}
    assert english["detail"] == "Something in English." != danish["detail"]
    assert (danish["type"], danish["status"]) == (english["type"], english["status"])


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("da", "da"),
        ("da-DK", "da"),
        ("en-US,en;q=0.9,da;q=0.8", "en"),
        ("fr, da;q=0.5", "da"),
        ("da;q=0, en", "en"),
        ("da;q=x", "en"),
        ("de", "en"),
    ],
)
def test_the_language_asked_for_is_read_by_weight(header: str | None, language: str):
    class Asked:
        headers = {} if header is None else {"accept-language": header}

    assert language_of(Asked()) == language  # type: ignore[arg-type]


def sent_schemas(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """Every schema of what a client sends (bodies, query parameters), with its path and whether required."""
    found: list[tuple[str, dict[str, Any], bool]] = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(document, f"{method} {path}", media["schema"], False, frozenset(), found)
            for parameter in operation.get("parameters", []):
                where, required = f"{method} {path} ?{parameter['name']}", bool(parameter.get("required"))
                walk(document, where, parameter.get("schema"), required, frozenset(), found)
    return found


def walk(
    document: dict[str, Any],
    where: str,
    node: Any,
    required: bool,
    seen: frozenset[str],
    found: list[tuple[str, dict[str, Any], bool]],
) -> None:
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        if name not in seen:
            walk(document, name, document["components"]["schemas"][name], False, seen | {name}, found)
        return
    found.append((where, node, required))
    needed = node.get("required", []) if isinstance(node.get("required"), list) else []
    for name, field in (node.get("properties") or {}).items():
        walk(document, f"{where}.{name}", field, name in needed, seen, found)
    walk(document, f"{where}[]", node.get("items"), False, seen, found)
    for option in [*node.get("anyOf", []), *node.get("oneOf", [])]:
        walk(document, where, option, False, seen, found)


def rules_of(node: dict[str, Any], required: bool) -> list[str]:
    kinds = {"pattern": str, "format": str, "enum": list, "uniqueItems": bool}
    found = [rule for rule in RULES if isinstance(node.get(rule), kinds.get(rule, (int, float)))]
    return [*found, "required"] if required else found


def test_every_rule_of_every_field_a_client_sends_has_a_message_in_danish_and_english(client):
    # Given the published document
    document = json_of(client.http.get("/openapi.json"))

    # When every schema of a body or query parameter is walked, rule by rule
    missing: list[str] = []
    styled: list[str] = []
    walked = 0
    for where, node, required in sent_schemas(document):
        for rule in rules_of(node, required):
            walked += 1
            for language in ("da", "en"):
                message = node.get("x-messages", {}).get(language, {}).get(rule)
                if not message:
                    missing.append(f"{where} {rule} {language}")
                elif not message.startswith(OPENINGS[language]) or not message.endswith("."):
                    styled.append(f"{where} {rule} {language}: {message}")

    # Then each has a message in both languages, each saying what to do, in one style
    assert walked > 100
    assert missing == []
    assert styled == []


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Blå\u3164Kors", "Fjern tegnet U+3164: det er usynligt eller ikke tekst."),
        ("Blå\u00a0Kors", "Skriv et almindeligt mellemrum i stedet for U+00A0."),
        ("Blå K\u043ers Odense", "Skriv navnet i ét skriftsystem: det blander"),
    ],
)
def test_a_name_check_that_names_the_character_names_it_in_danish_too(client, name: str, said: str):
    # Given an organisation name holding a character a person may not see, or one of another script
    body = form(name=name)

    # When it is sent in Danish and in English
    danish = apply(client, body, DANISH)
    english = apply(client, body, JSON)

    # Then the Danish message says what to do, and names the same character the English one names
    assert error_for(danish, "name").startswith(said)
    assert not error_for(english, "name").startswith(("Skriv", "Fjern"))
