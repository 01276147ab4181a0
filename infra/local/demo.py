"""The demo the local stack is seeded with, and the builders it (and the tests) use to write one."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib.adapters.cognito import CognitoDirectory
from chalicelib.models.audit import (
    STAFF_TRAIL,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    Origin,
    audit_record,
)
from chalicelib.models.base import transaction
from chalicelib.models.organisation import AccountModel, CompanyModel, OrganisationModel, OrganisationStatus
from chalicelib.models.user import UserKind, UserModel, company_access
from chalicelib.models.vendor import VendorKeyModel, VendorModel, create_vendor
from chalicelib.services.access.authz import Function
from chalicelib.services.onboarding.eligibility import reserve_organisation_handle
from chalicelib.services.people.staff import StaffMember, add_staff_member
from chalicelib.services.vendors.api_keys import secret_hash
from chalicelib.services.vendors.keys import draw_key
from chalicelib.services.vendors.vendor_view import publish, view_of
from infra.local.provision import UserPool, create_login
from infra.local.signin import enrol_authenticator, sign_in


@dataclass(frozen=True)
class CompanySpec:
    cvr: str
    name: str
    accounts: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    totp_secret: str | None = None


@dataclass
class ScopeSpec:
    functions: Sequence[Function] = tuple(Function)
    # cvr -> None for full access, or the account numbers of limited access
    companies: dict[str, Sequence[str] | None] = field(default_factory=dict)


def add_organisation(
    *,
    org_id: str,
    name: str,
    handle: str,
    companies: Sequence[CompanySpec],
    now: datetime,
    status: OrganisationStatus = OrganisationStatus.APPROVED,
) -> OrganisationModel:
    """An organisation with proven companies. An approved one's handle is reserved through the very function
    approval uses, so that no two organisations share a handle here either (the wanted one, or a suffix)."""
    if status is OrganisationStatus.APPROVED:
        handle = reserve_organisation_handle(org_id, name, handle, now)
    organisation = OrganisationModel(
        org_id,
        name=name,
        legal_name=companies[0].name,
        handle=handle,
        primary_cvr=companies[0].cvr,
        status=status.value,
        created_at=now,
        approved_at=now if status is OrganisationStatus.APPROVED else None,
    )
    with transaction() as tx:
        tx.save(organisation)
        publish(tx, view_of(organisation), now=now)
    for index, spec in enumerate(companies):
        parent = None if index == 0 else companies[0].cvr
        CompanyModel(
            spec.cvr,
            org_id=org_id,
            name=spec.name,
            legal_name=spec.name,
            parent_cvr=parent,
            proven_by="letter",
            created_at=now,
        ).save()
        for number, account_name in spec.accounts:
            AccountModel(spec.cvr, number, org_id=org_id, name=account_name, created_at=now).save()
    return organisation


def set_organisation_status(org_id: str, status: OrganisationStatus, *, now: datetime) -> None:
    """Move an organisation to a status as a staff decision would, with what vendors see of it, for tests
    and demos that need a status the staff routes reach only in several steps."""
    organisation = OrganisationModel.get(org_id, consistent_read=True)
    approved = status is OrganisationStatus.APPROVED and organisation.status != status.value
    actions: list[Action] = [OrganisationModel.status.set(status.value)]
    if approved:
        actions.append(OrganisationModel.approved_at.set(now))
    view = view_of(organisation).changed(status=status.value, approved_since=now if approved else None)
    with transaction() as tx:
        tx.update(organisation, actions=actions)
        publish(tx, view, now=now)


def add_user(
    *,
    user_id: str,
    org_id: str | None,
    first_name: str,
    last_name: str,
    email: str,
    mobile: str,
    scope: ScopeSpec | None,
    now: datetime,
    kind: UserKind = UserKind.MEMBER,
) -> UserModel:
    scope = scope or ScopeSpec(functions=(), companies={})
    user = UserModel(
        user_id,
        kind=kind.value,
        org_id=org_id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        mobile=mobile,
        functions=[Function(f).value for f in scope.functions],
        created_at=now,
        companies=[
            company_access(cvr, None if accounts is None else list(accounts))
            for cvr, accounts in scope.companies.items()
        ],
    )
    user.save()
    return user


def add_vendor(*, vendor_id: str, name: str, contact_email: str, now: datetime, created_by: str) -> str:
    """A vendor with one key; answers the key, which exists nowhere else."""
    vendor = VendorModel(
        vendor_id, name=name, contact_email=contact_email, created_at=now, created_by=created_by
    )
    drawn = draw_key()
    key = VendorKeyModel(
        drawn.key_id,
        vendor_id=vendor_id,
        vendor_name=name,
        secret_sha256=secret_hash(drawn.secret),
        created_at=now,
        created_by=created_by,
    )
    seeded = AuditEvent(
        STAFF_TRAIL,
        AuditAction.VENDOR_CREATED,
        Actor(ActorKind.STAFF, created_by),
        Origin(source_ip="seed"),
        targets={"vendor_id": vendor_id, "key_id": drawn.key_id},
    )
    create_vendor(vendor, key, audit_record(seeded, now=now))
    return drawn.api_key(vendor_id)


def give_login(cognito: Any, pool: UserPool, user: UserModel, *, password: str, authenticator: bool) -> Login:
    """A Cognito login for the user, optionally with an enrolled authenticator app."""
    create_login(
        cognito,
        pool,
        username=user.user_id,
        email=user.email,
        mobile=user.mobile,
        password=password,
        staff=user.kind == UserKind.STAFF.value,
    )
    if not authenticator:
        return Login(user.user_id, password)
    return with_authenticator(cognito, pool, user, password)


def with_authenticator(cognito: Any, pool: UserPool, user: UserModel, password: str) -> Login:
    """Signs the login in and enrols an authenticator app, as its owner would at the first sign-in."""
    token = sign_in(cognito, pool.client_id, user.user_id, password)
    secret = enrol_authenticator(cognito, token)
    user.update(actions=[UserModel.second_factor_enrolled.set(True)])
    return Login(user.user_id, password, secret)


def demo_password() -> str:
    # Meets the pool's policy: upper, lower, digits, at least 12 characters.
    return "Demo-" + secrets.token_hex(6) + "-Aa1"


DEMO_COMPANIES = (
    CompanySpec("29180008", "Røde Kors Aarhus", (("1001", "Hovedkonto"), ("1002", "Genbrugsbutikker"))),
    CompanySpec("34560005", "Røde Kors Aarhus Frivilligcenter", (("2001", "Frivillige"), ("2002", "Lejre"))),
)


def seed_demo(cognito: Any, pool: UserPool, now: datetime) -> dict[str, Any]:
    """One approved organisation (two companies with two accounts each), its administrator with every
    function and an authenticator app, and one staff user. Answers the `users` part of demo.json."""
    org = add_organisation(
        org_id="org-demo",
        name="Røde Kors Aarhus",
        handle="RoedeKorsAarhus",
        companies=DEMO_COMPANIES,
        now=now,
    )
    admin = add_user(
        user_id="demo-admin",
        org_id=org.org_id,
        first_name="Anne",
        last_name="Østergaard",
        email="anne@roedekors-aarhus.example",
        mobile="+4512345678",
        now=now,
        scope=ScopeSpec(functions=tuple(Function), companies={c.cvr: None for c in DEMO_COMPANIES}),
    )
    # The way `make staff` makes one (chalicelib/services/people/staff.py).
    staff_password = demo_password()
    staff = add_staff_member(
        CognitoDirectory(cognito, pool.user_pool_id),
        StaffMember("Søren", "Sagsbehandler", "soeren@godkend.example", "+4587654321"),
        password=staff_password,
        now=now,
        user_id="demo-staff",
    )
    return {
        "admin": _login_json(give_login(cognito, pool, admin, password=demo_password(), authenticator=True)),
        "staff": _login_json(with_authenticator(cognito, pool, staff, staff_password)),
    }


def _login_json(login: Login) -> dict[str, Any]:
    return {"username": login.username, "password": login.password, "totp_secret": login.totp_secret}


DEMO_VENDOR_ID = "0" * 31 + "1"


def seed_vendor(now: datetime) -> dict[str, Any]:
    """One vendor with one API key. Answers the `vendor` part of demo.json."""
    api_key = add_vendor(
        vendor_id=DEMO_VENDOR_ID,
        name="TechShop Demo ApS",
        contact_email="integration@techshop.example",
        now=now,
        created_by="demo-staff",
    )
    return {"vendor_id": DEMO_VENDOR_ID, "api_key": api_key}
