"""Builds organisations and people for tests: records in the tables and real logins in the emulated pool."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.test import Client

from chalicelib.models.organisation import OrganisationStatus
from chalicelib.models.user import UserKind, UserModel, sign_in_from
from chalicelib.services.access.authz import Function
from chalicelib.values.cvr import WEIGHTS
from infra.local.demo import CompanySpec, ScopeSpec, add_organisation, add_user, add_vendor, give_login
from infra.local.provision import UserPool
from infra.local.signin import sign_in, wait_for_sign_in
from infra.local.totp import fresh_totp

PASSWORD = "Correct-Horse-42"
_ids = itertools.count(1)


@dataclass
class Person:
    user_id: str
    org_id: str | None
    token: str
    totp_secret: str | None

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass
class VendorCaller:
    vendor_id: str
    name: str
    api_key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.api_key}"}


@dataclass
class Org:
    org_id: str
    companies: Sequence[CompanySpec]


def valid_cvr(first: int, n: int) -> str:
    """A CVR number passing the modulus-11 check, distinct for every (first, n) with n below 100,000."""
    for last in range(10):
        base = f"{first}{n:05d}{last}"
        check = -sum(int(d) * w for d, w in zip(base, WEIGHTS, strict=False)) % 11
        if check < 10:
            return base + str(check)
    raise AssertionError("unreachable: some last digit always gives a check digit")


def json_of(response: Any) -> Any:
    return json.loads(response.body)


class People:
    def __init__(self, cognito: Any, pool: UserPool) -> None:
        self.cognito = cognito
        self.pool = pool
        self.now = datetime.now(UTC)

    def organisation(self, status: OrganisationStatus = OrganisationStatus.APPROVED) -> Org:
        n = next(_ids)
        # Distinct for every n: a CVR is a company's key, so two organisations (or a parent and its child)
        # sharing one would overwrite each other's company.
        companies = (
            CompanySpec(valid_cvr(1, n), f"Parent {n}", (("A1", "Account one"), ("A2", "Account two"))),
            CompanySpec(valid_cvr(2, n), f"Child {n}", (("B1", "Account three"),)),
        )
        org = add_organisation(
            org_id=f"org-{n}",
            name=f"Forening {n}",
            handle=f"Forening{n}",
            companies=companies,
            now=self.now,
            status=status,
        )
        return Org(org.org_id, companies)

    def member(
        self,
        org: Org,
        *,
        functions: Sequence[Function] = tuple(Function),
        companies: dict[str, Sequence[str] | None] | None = None,
        enrolled: bool = True,
    ) -> Person:
        scope = ScopeSpec(
            functions=functions,
            companies=companies if companies is not None else {c.cvr: None for c in org.companies},
        )
        return self._person(org.org_id, scope, UserKind.MEMBER, enrolled)

    def vendor(self) -> VendorCaller:
        """A vendor with one key, written straight to the tables (staff create them through the API)."""
        n = next(_ids)
        vendor_id = uuid.uuid4().hex
        name = f"Leverandør {n}"
        api_key = add_vendor(
            vendor_id=vendor_id,
            name=name,
            contact_email=f"vendor-{n}@example.org",
            now=self.now,
            created_by="test-staff",
        )
        return VendorCaller(vendor_id, name, api_key)

    def staff(self, *, enrolled: bool = True) -> Person:
        return self._person(None, None, UserKind.STAFF, enrolled)

    def vendor_person(self, vendor_id: str) -> Person:
        """A vendor's person, signed in with a second factor (staff invite them through the API)."""
        return self._person(None, None, UserKind.VENDOR, True, vendor_id=vendor_id)

    def _person(
        self,
        org_id: str | None,
        scope: ScopeSpec | None,
        kind: UserKind,
        enrolled: bool,
        vendor_id: str | None = None,
    ) -> Person:
        user_id = f"user-{next(_ids)}"
        user = add_user(
            user_id=user_id,
            org_id=org_id,
            first_name="Test",
            last_name="Person",
            email=f"{user_id}@example.org",
            mobile="+4512345678",
            scope=scope,
            now=self.now,
            kind=kind,
        )
        if vendor_id is not None:
            user.update(actions=[UserModel.vendor_id.set(vendor_id)])
        login = give_login(self.cognito, self.pool, user, password=PASSWORD, authenticator=enrolled)
        token = sign_in(self.cognito, self.pool.client_id, login.username, PASSWORD, login.totp_secret)
        return Person(user_id, org_id, token, login.totp_secret)


def get(client: Client, path: str, person: Person | None = None) -> Any:
    return client.http.get(path, headers=person.auth if person else {})


def after_the_last_change_of(user_id: str) -> None:
    """Waits until a sign-in is accepted after the user's last change that ended their sessions (the record's
    `tokens_valid_from`): a token issued in that change's own second is refused."""
    changed = UserModel.get(user_id, consistent_read=True).tokens_valid_from
    if changed is not None:
        wait_for_sign_in(sign_in_from(changed))


def refresh_token_of(cognito: Any, people: People, person: Person, password: str = PASSWORD) -> str:
    """A second session of the person's (another device, say), signed in with password and authenticator:
    its refresh token."""
    assert person.totp_secret is not None
    answer = cognito.initiate_auth(
        ClientId=people.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": person.user_id, "PASSWORD": password},
    )
    answer = cognito.respond_to_auth_challenge(
        ClientId=people.pool.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=answer["Session"],
        ChallengeResponses={
            "USERNAME": person.user_id,
            "SOFTWARE_TOKEN_MFA_CODE": fresh_totp(person.totp_secret),
        },
    )
    return str(answer["AuthenticationResult"]["RefreshToken"])


def refreshed(cognito: Any, people: People, refresh_token: str) -> str:
    answer = cognito.initiate_auth(
        ClientId=people.pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return str(answer["AuthenticationResult"]["AccessToken"])
