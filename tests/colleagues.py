"""Builders and readers for the colleague tests: user bodies, invitation mails in the outbox, and the calls an
administrator's or a new colleague's front end makes."""

from __future__ import annotations

import copy
import json
from typing import Any

from chalice.test import Client

from chalicelib.models.outbox import MailKind, OutboxModel
from chalicelib.models.user import UserModel
from tests.onboarding import JSON, mail
from tests.people import Org, Person, json_of

NEW_PASSWORD = "Kollega-Adgang-2026"


def colleague(org: Org, **overrides: Any) -> dict[str, Any]:
    """A valid body: a colleague limited to account A1 of the organisation's first company, with `codes`."""
    body: dict[str, Any] = {
        "first_name": "Bo",
        "last_name": "Frivillig",
        "email": "bo@example.org",
        "mobile": "+45 22 33 44 55",
        "functions": ["codes"],
        "companies": [{"cvr": org.companies[0].cvr, "access": "limited", "accounts": ["A1"]}],
    }
    body.update(copy.deepcopy(overrides))
    return body


def send(client: Client, method: str, path: str, person: Person | None, body: Any = None) -> Any:
    headers = {**(person.auth if person else {}), **JSON}
    raw = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.request(method, path, headers=headers, body=raw or b"")


def create_user(client: Client, admin: Person, body: Any) -> Any:
    return send(client, "POST", "/v1/users", admin, body)


def created_user(client: Client, admin: Person, body: dict[str, Any]) -> dict[str, Any]:
    response = create_user(client, admin, body)
    assert response.status_code == 201, response.body
    answer: dict[str, Any] = json_of(response)
    return answer


def get_user(client: Client, person: Person, user_id: str) -> Any:
    return client.http.get(f"/v1/users/{user_id}", headers=person.auth)


def patch_user(client: Client, person: Person, user_id: str, body: Any) -> Any:
    return send(client, "PATCH", f"/v1/users/{user_id}", person, body)


def delete_user(client: Client, person: Person, user_id: str) -> Any:
    return client.http.delete(f"/v1/users/{user_id}", headers=person.auth)


def resend(client: Client, person: Person, user_id: str) -> Any:
    return client.http.post(f"/v1/users/{user_id}/invitation", headers=person.auth)


def accept(client: Client, token: str, password: str = NEW_PASSWORD) -> Any:
    return send(client, "POST", "/v1/invitations/accept", None, {"token": token, "password": password})


def record(user_id: str) -> UserModel:
    """The user's record as stored now; it must exist."""
    return UserModel.get(user_id, consistent_read=True)


def invitations_to(user_id: str) -> list[OutboxModel]:
    """The invitation mails for a user, oldest first."""
    return [m for m in mail(MailKind.INVITATION) if m.context["username"] == user_id]


def token_of(user_id: str) -> str:
    """The invitation code of the latest invitation mailed to the user."""
    return str((invitations_to(user_id)[-1].secrets or {})["invitation_token"])


def listed_users(client: Client, person: Person, limit: int = 100) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = client.http.get(f"/v1/users?limit={limit}{suffix}", headers=person.auth)
        assert response.status_code == 200, response.body
        page = json_of(response)
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found
